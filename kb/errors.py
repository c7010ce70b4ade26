"""Domain errors raised by services; kb.views.errors maps them to HTTP once."""
from __future__ import annotations


class DomainError(Exception):
    """Base class: a message for people and optional per-field messages."""

    code = "error"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "forbidden"


class ValidationFailed(DomainError):
    code = "invalid"


class BadParameters(DomainError):
    """Query parameters that cannot be understood (HTTP 400, naming the parameter)."""

    code = "bad_request"


class InvalidTransition(DomainError):
    code = "conflict"


class Unauthenticated(DomainError):
    code = "unauthenticated"
