"""WSGI entry point: `gunicorn 'wsgi:app'` or `flask --app wsgi ...`."""
import faulthandler

from kb import create_app

# A worker that dies of a fatal signal (SIGSEGV, SIGABRT, ...) prints every thread's Python
# traceback to stderr first, i.e. into gunicorn's log: a future crash is never silent.
if not faulthandler.is_enabled():
    faulthandler.enable()

app = create_app()
