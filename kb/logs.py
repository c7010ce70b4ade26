"""Logging, configured once, to stderr; one line per record whatever the input."""
from __future__ import annotations

import logging
import sys
import time

from flask import Flask, g, has_request_context, request


class OneLineFormatter(logging.Formatter):
    """Escape newlines and control characters so that user input cannot forge a log line."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text.translate(_CONTROL_ESCAPES)


_CONTROL_ESCAPES = {c: f"\\x{c:02x}" for c in range(32) if c not in (9,)}
_CONTROL_ESCAPES[0x7F] = "\\x7f"
_CONTROL_ESCAPES[ord("\n")] = "\\n"
_CONTROL_ESCAPES[ord("\r")] = "\\r"


class RequestContextFilter(logging.Filter):
    """Add the request id and client address to every record logged during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = getattr(g, "request_id", "-")
            record.client = request.remote_addr or "-"
        else:
            record.request_id = "-"
            record.client = "-"
        return True


HANDLER_NAME = "kb-stderr"
FORMAT = "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s client=%(client)s] %(message)s"


def init_app(app: Flask) -> None:
    """Send kb's log records to stderr, once, in UTC."""
    logger = logging.getLogger("kb")
    if any(h.get_name() == HANDLER_NAME for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    formatter = OneLineFormatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(RequestContextFilter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = True
