"""WSGI entry point: `gunicorn 'wsgi:app'` or `flask --app wsgi ...`."""
import faulthandler

from kb import create_app
from kb.search.vocabulary import warm_up

# A worker that dies of a fatal signal (SIGSEGV, SIGABRT, ...) prints every thread's Python
# traceback to stderr first, i.e. into gunicorn's log: a future crash is never silent.
if not faulthandler.is_enabled():
    faulthandler.enable()

app = create_app()
# The search vocabulary takes over a second to load: a worker loads it in the background
# as it starts, not on its first search (a CLI command through wsgi does not wait for it).
warm_up()
