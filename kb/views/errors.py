"""Map domain errors and HTTP errors to pages, or to JSON under /api/, in one place."""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from kb import db
from kb.errors import (
    BadParameters,
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from kb.models import User
from kb.search import IndexUnavailable, SearchError
from kb.services.search import SearchParameterError

log = logging.getLogger("kb.security")

STATUS = {BadParameters: 400, NotFound: 404, PermissionDenied: 403, ValidationFailed: 422,
          InvalidTransition: 409, Unauthenticated: 401}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str,
                   fields: dict[str, list[str]] | None = None):
    """Return the error as JSON for the API or as a page for people."""
    if wants_json():
        response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    else:
        response = make_response(render_template("errors/error.html", status=status,
                                                 message=message, fields=fields or {}))
    response.status_code = status
    return response


def _domain_error(exc: DomainError):
    status = STATUS.get(type(exc), 400)  # subclasses (SearchParameterError) get 400
    if status == 403:
        log.warning("permission denied on %s %s: %s", request.method, request.path, exc.message)
    message, fields = exc.message, exc.fields
    if isinstance(exc, NotFound) and not wants_json():
        _sign_out_if_deleted()
    if isinstance(exc, SearchParameterError):  # codes, in the reader's language here
        message, fields = exc.translated()
    return error_response(status, exc.code, message, fields)


def _sign_out_if_deleted() -> None:
    """Sign out the user whose own account was deleted meanwhile (kb.db.get_or_404's 404).

    The page is then rendered signed out: the rolled-back session cannot reload that user.
    """
    state = inspect(current_user._get_current_object(), raiseerr=False)
    if state is None or state.identity is None:  # anonymous: not a row
        return
    if db.get_session().get(User, state.identity[0], populate_existing=True) is None:
        logout_user()


def _csrf_error(exc: CSRFError):
    log.warning("CSRF check failed on %s %s: %s", request.method, request.path, exc.description)
    return error_response(400, "csrf", _("This form has expired or was sent from elsewhere. "
                                         "Go back, reload the page and try again."))


def _http_error(exc: HTTPException):
    status = exc.code or 500
    messages = {
        404: _("We could not find that page."),
        403: _("You do not have permission to do that."),
        405: _("That method is not allowed here."),
        429: _("Too many requests. Please wait a little and try again."),
    }
    message = messages.get(status) or exc.description or exc.name
    response = error_response(status, exc.name.lower().replace(" ", "_"), message)
    # Keep the headers the error defines (Allow on a 405, WWW-Authenticate, Retry-After).
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _database_error(exc: DBAPIError):
    if not (isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated):
        return _server_error(exc)  # a bug (constraint, syntax), not an outage
    # The pool's pre-ping (PostgreSQL) or a fresh connect (SQLite) on a later request recovers
    # by itself once the database is back; drop this request's broken session first.
    _discard_session()
    logging.getLogger("kb.db").error("database unavailable on %s %s: %s", request.method,
                                     request.path, str(exc.orig).splitlines()[0][:200])
    response = error_response(503, "database_unavailable",
                              _("The service is temporarily unavailable. Please try again in a "
                                "moment."))
    response.headers["Retry-After"] = "5"
    return response


def _discard_session() -> None:
    session = g.pop("kb_session", None)
    if session is not None:
        try:
            session.close()
        except DBAPIError:
            session.invalidate()
    # Render the page as signed out: the user cannot be loaded while the database is away.
    g._login_user = AnonymousUserMixin()


SEARCH_RETRY_AFTER = 10  # seconds: a repair rebuilds about 150 practices a second, or more


def _search_unavailable(exc: SearchError):
    """A missing, damaged or busy index: 503 with Retry-After, and a repair in the background."""
    from kb.services import indexing

    logging.getLogger("kb.index").warning("search unavailable on %s %s: %s", request.method,
                                          request.path, exc)
    if isinstance(exc, IndexUnavailable):
        indexing.schedule_repair()
    response = error_response(503, "search_unavailable",
                              _("Search is being repaired. Please try again in a moment."))
    response.headers["Retry-After"] = str(SEARCH_RETRY_AFTER)
    return response


def _server_error(exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "server_error",
                          _("Something went wrong on our side. It has been logged; please "
                            "try again."))


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(SearchError, _search_unavailable)
    app.register_error_handler(Exception, _server_error)
