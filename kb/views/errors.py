"""Map domain errors and HTTP errors to pages, or to JSON under /api/, in one place."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from kb.errors import (
    BadParameters,
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)

log = logging.getLogger("kb.security")

STATUS = {BadParameters: 400, NotFound: 404, PermissionDenied: 403, ValidationFailed: 422,
          InvalidTransition: 409, Unauthenticated: 401}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str,
                   fields: dict[str, list[str]] | None = None):  # noqa: ANN201
    """Return the error as JSON for the API or as a page for people."""
    if wants_json():
        response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    else:
        response = make_response(render_template("errors/error.html", status=status,
                                                 message=message, fields=fields or {}))
    response.status_code = status
    return response


def _domain_error(exc: DomainError):  # noqa: ANN202
    status = STATUS.get(type(exc), 400)
    if status == 403:
        log.warning("permission denied on %s %s: %s", request.method, request.path, exc.message)
    return error_response(status, exc.code, exc.message, exc.fields)


def _csrf_error(exc: CSRFError):  # noqa: ANN202
    log.warning("CSRF check failed on %s %s: %s", request.method, request.path, exc.description)
    return error_response(400, "csrf", _("This form has expired or was sent from elsewhere. "
                                         "Go back, reload the page and try again."))


def _http_error(exc: HTTPException):  # noqa: ANN202
    status = exc.code or 500
    messages = {
        404: _("We could not find that page."),
        403: _("You do not have permission to do that."),
        405: _("That method is not allowed here."),
        429: _("Too many requests. Please wait a little and try again."),
    }
    message = messages.get(status) or exc.description or exc.name
    return error_response(status, exc.name.lower().replace(" ", "_"), message)


def _server_error(exc: Exception):  # noqa: ANN202
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "server_error",
                          _("Something went wrong on our side. It has been logged; please "
                            "try again."))


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
