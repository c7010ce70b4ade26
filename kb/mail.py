"""Outgoing mail: SMTP when KB_MAIL_SERVER is set, otherwise .eml files in the instance folder."""
from __future__ import annotations

import logging
import os
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask, current_app, render_template
from flask_babel import force_locale

from kb.db import utcnow

log = logging.getLogger("kb.mail")


def init_app(app: Flask) -> None:
    """Make sure the folder for file-delivered mail exists when SMTP is not configured."""
    if not app.config.get("MAIL_SERVER"):
        os.makedirs(app.config["MAIL_DIR"], exist_ok=True)


def send(to: str, template: str, locale: str | None = None, **context: object) -> None:
    """Render ``mail/<template>.txt`` (first line: subject) in ``locale`` and deliver it.

    Delivery problems are logged, never raised: mail is a side effect after the commit, and a
    down SMTP server must not undo a decision that was saved.
    """
    with force_locale(locale or "en"):
        rendered = render_template(f"mail/{template}.txt", **context)
    subject, _, body = rendered.lstrip().partition("\n")
    message = EmailMessage()
    message["Subject"] = subject.strip()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="kb.local")
    text = body.strip() + "\n"
    # Plain 7bit keeps links in .eml files clickable; quoted-printable only when needed.
    plain = text.isascii() and all(len(line) < 990 for line in text.splitlines())
    message.set_content(text, cte="7bit" if plain else "quoted-printable")
    try:
        _deliver(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("mail to recipient #%s not delivered: %s", _mask(to), exc)


def _deliver(message: EmailMessage) -> None:
    cfg = current_app.config
    if cfg.get("MAIL_SERVER"):
        with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=10) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
        log.info("mail sent by SMTP: %s", message["Subject"])
        return
    folder = cfg["MAIL_DIR"]
    os.makedirs(folder, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    path = os.path.join(folder, f"{stamp}-{uuid.uuid4().hex[:8]}.eml")
    with open(path, "wb") as fh:
        fh.write(bytes(message))
    log.info("mail written to %s (set KB_MAIL_SERVER to send by SMTP)", path)


def _mask(address: str) -> str:
    name, _, domain = address.partition("@")
    return f"{name[:1]}***@{domain}"
