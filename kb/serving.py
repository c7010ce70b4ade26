"""Serving with gunicorn: load the application once in the master, then fork the workers.

``gunicorn.conf.py`` (which gunicorn reads from its working directory) preloads ``wsgi:app``
in the master and calls ``prepare_to_fork`` before the first worker is forked. What every
worker would otherwise load on its own first requests is loaded there once and shared
copy-on-write: the search thesaurus and the spelling dictionaries (one to two seconds of CPU
per worker), the search index's snapshot (its columns, read from every stored card, and the
postings of the title and body fields: kb.search.index ``warm``), the compiled templates,
the message catalogs and the ORM mappers.

Forking stays safe: when it returns no other thread runs in the master (a thread's locks
would be copied held into the children), no database connection is open and no index file
is open (a child sharing a connection or a file offset with its siblings corrupts both).
Each worker opens its own on its first request, and its first search reads only what changed
in the index since the master read it.
"""
from __future__ import annotations

import gc
import logging
import threading

from flask import Flask
from flask_babel import force_locale, get_translations
from sqlalchemy.orm import configure_mappers

from kb import taxonomy
from kb.search import IndexUnavailable, suggest, vocabulary

log = logging.getLogger("kb.serving")

THREAD_WAIT = 60.0
"""Seconds to wait for a start-up thread (the thesaurus load) to end before forking."""


def prepare_to_fork(app: Flask) -> None:
    """Load what every worker needs, then release what a forked child must not share.

    Raises RuntimeError if a thread is still running after THREAD_WAIT seconds: forking
    then could deadlock a worker, so the server does not start.
    """
    vocabulary.thesaurus()  # waits for wsgi.py's background load instead of repeating it
    suggest.warm_up()
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    with app.test_request_context():
        for locale in taxonomy.LOCALES:
            with force_locale(locale):
                get_translations()
    configure_mappers()
    app.extensions["kb.engine"].dispose()
    index = app.extensions["kb.index"].index
    try:
        index.warm()
    except IndexUnavailable as exc:  # missing or being rebuilt: workers wait for it as usual
        log.warning("search index not loaded before forking: %s", exc)
    index.release_files()
    main = threading.main_thread()
    for thread in threading.enumerate():
        if thread is not main:
            thread.join(THREAD_WAIT)
    running = [t.name for t in threading.enumerate() if t is not main]
    if running:
        raise RuntimeError(f"threads still running in the master, not forking: {running}")
    # What the master loaded lives as long as the workers: keep it out of their garbage
    # collections (no scanning, no copy-on-write of its reference counts by the collector).
    gc.collect()
    gc.freeze()
    log.info("application loaded once; forking workers")
