"""gunicorn settings, read from the working directory: `gunicorn -w 4 -b HOST:PORT wsgi:app`.

The application is loaded once in the master and shared by the workers (kb.serving); the
worker count, address and timeouts stay on the command line.
"""
preload_app = True
# kb has no use for gunicornc, and the control socket's default path is one per user, shared
# by every gunicorn that user starts; without it the master runs no thread of its own.
control_socket_disable = True


def when_ready(server):
    """Before the first fork: warm what workers share, then close threads, connections, files."""
    from kb.serving import prepare_to_fork

    prepare_to_fork(server.app.wsgi())  # the preloaded application
