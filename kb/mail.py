"""Outgoing mail through an outbox: queued in the transaction of the change, delivered after it.

``queue`` renders a message and adds it, as a row, to the transaction under way: the message
exists exactly when the change it reports was committed. After the commit the messages are
delivered: at once with the file backend (.eml files in the instance folder, for development
and tests), in a background thread with SMTP (KB_MAIL_SERVER), so a slow server never slows a
request. A message that fails stays pending and is retried with backoff by `kb mail send` (run
it from cron or a systemd timer). Nothing here raises into a request.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import smtplib
import threading
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import Select, bindparam, event, inspect, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kb import db
from kb.db import utcnow
from kb.models import OutboxMessage

log = logging.getLogger("kb.mail")

PENDING = "kb.mail.pending"  # session.info key: messages added in the transaction under way
LEASE = dt.timedelta(minutes=10)  # a sender that took a message and died: retried after this
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(hours=6)
# Controls (C0, DEL, C1 with U+0085), line and paragraph separators, lone surrogates: any of
# them breaks a header line (the email package refuses them) or the header itself.
_HEADER_JUNK = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")


def init_app(app: Flask) -> None:
    """Deliver the messages of every committed transaction; keep the mail folder ready."""
    if not app.config.get("MAIL_SERVER"):
        os.makedirs(app.config["MAIL_DIR"], exist_ok=True)
    maker = app.extensions["kb.sessionmaker"]
    event.listen(maker, "after_commit", _after_commit)
    event.listen(maker, "after_rollback", _after_rollback)


def clean_header(value: str, limit: int = 300) -> str:
    """Return ``value`` fit for a header: one line, no control character, at most ``limit``."""
    return " ".join(_HEADER_JUNK.sub(" ", value).split())[:limit]


def queue(to: str, template: str, locale: str | None = None, reply_to: str | None = None,
          **context: object) -> None:
    """Render ``mail/<template>.txt`` (first line: subject) in ``locale`` into the outbox.

    ``reply_to`` sends answers to someone else than the sender (a reader who wrote in).

    Call it inside the write transaction of the change the message reports: it is delivered
    after that transaction commits, and never if it rolls back.
    """
    with force_locale(locale or "en"):
        rendered = render_template(f"mail/{template}.txt", **context)
    subject, _, body = rendered.lstrip().partition("\n")
    session = db.get_session()
    message = OutboxMessage(recipient=clean_header(to, 254), subject=clean_header(subject, 500),
                            body=body.strip() + "\n", next_attempt_at=utcnow(),
                            reply_to=clean_header(reply_to, 254) if reply_to else None)
    session.add(message)
    session.info.setdefault(PENDING, []).append(message)


def send(to: str, template: str, locale: str | None = None, reply_to: str | None = None,
         **context: object) -> None:
    """Queue one message in a transaction of its own (its change is already committed)."""
    try:
        with db.write_transaction():
            queue(to, template, locale, reply_to, **context)
    except SQLAlchemyError:
        log.exception("mail to recipient %s could not be queued", _mask(to))


def _after_commit(session: Session) -> None:
    messages = session.info.pop(PENDING, [])
    ids = [m.id for m in messages if inspect(m).has_identity]
    if not ids:
        return
    # current_app is a LocalProxy, which Flask's type hints present as the Flask app itself.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("MAIL_SERVER"):
        threading.Thread(target=_deliver_in_thread, args=(app, ids), name="kb-mail",
                         daemon=True).start()
    else:
        # The file backend is instant: development and tests find the .eml files at once.
        deliver(ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def _deliver_in_thread(app: Flask, ids: list[int]) -> None:
    with app.app_context():
        deliver(ids)


@dataclass
class Delivery:
    """What one round of delivery did."""

    sent: int = 0
    failed: int = 0


def deliver(ids: list[int] | None = None, due_only: bool = True) -> Delivery:
    """Deliver the pending messages ``ids`` (None: every pending one); never raises.

    With ``due_only`` a message waiting for its next retry is left for later.
    """
    outcome = Delivery()
    try:
        for message_id, planned in _candidates(ids, due_only):
            message = _take(message_id, planned)
            if message is None:
                continue  # another sender took it, or it was sent meanwhile
            error = _send_one(message)
            _record(message, error)
            if error:
                outcome.failed += 1
            else:
                outcome.sent += 1
    except SQLAlchemyError:
        log.exception("mail outbox unreadable; pending messages stay for `kb mail send`")
    return outcome


def _new_session() -> Session:
    # Never the request's session: delivery runs after its commit, or in another thread.
    return current_app.extensions["kb.sessionmaker"]()


def _candidates(ids: list[int] | None,
                due_only: bool) -> list[tuple[int, dt.datetime]]:
    if ids is not None and due_only:  # the delivery after each commit
        query, params = _DUE_AMONG, {"ids": ids, "now": utcnow()}
    else:
        query, params = _pending(ids, due_only), {}
    with _new_session() as session:
        return [(row.id, row.next_attempt_at) for row in session.execute(query, params)]


def _pending(ids: list[int] | None, due_only: bool) -> Select[tuple[int, dt.datetime]]:
    query = (select(OutboxMessage.id, OutboxMessage.next_attempt_at)
             .where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id))
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    if due_only:
        query = query.where(OutboxMessage.next_attempt_at <= utcnow())
    return query


def _take(message_id: int, planned: dt.datetime) -> OutboxMessage | None:
    """Take the message for LEASE (compare-and-set on its planned time); None if taken."""
    with _new_session() as session:
        session.connection(execution_options={"kb_write": True})
        taken = db.rowcount(session.execute(_TAKE, {"message_id": message_id,
                                                    "planned": planned,
                                                    "until": utcnow() + LEASE})) == 1
        message = session.get(OutboxMessage, message_id) if taken else None
        session.commit()
        if message is not None:
            session.expunge(message)
        return message


def _record(message: OutboxMessage, error: str | None) -> None:
    now = utcnow()
    attempts = message.attempts + 1
    values: dict[str, object] = {"message_id": message.id, "attempts": attempts,
                                 "last_error": error}
    if error is None:
        values["sent_at"] = now
    else:
        values["retry_at"] = now + min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)
    with _new_session() as session:
        session.connection(execution_options={"kb_write": True})
        session.execute(_RECORD_SENT if error is None else _RECORD_FAILED, values)
        session.commit()


# Built once (every message runs them): building and keying a statement cost more than
# running it.
_DUE_AMONG = (select(OutboxMessage.id, OutboxMessage.next_attempt_at)
              .where(OutboxMessage.sent_at.is_(None),
                     OutboxMessage.id.in_(bindparam("ids", expanding=True)),
                     OutboxMessage.next_attempt_at <= bindparam("now"))
              .order_by(OutboxMessage.id))
_TAKE = (update(OutboxMessage)
         .where(OutboxMessage.id == bindparam("message_id"), OutboxMessage.sent_at.is_(None),
                OutboxMessage.next_attempt_at == bindparam("planned"))
         .values(next_attempt_at=bindparam("until"))
         .execution_options(synchronize_session=False))
_RECORD = (update(OutboxMessage).where(OutboxMessage.id == bindparam("message_id"))
           .execution_options(synchronize_session=False))
_RECORD_SENT = _RECORD.values(attempts=bindparam("attempts"),
                              last_error=bindparam("last_error"),
                              sent_at=bindparam("sent_at"))
_RECORD_FAILED = _RECORD.values(attempts=bindparam("attempts"),
                                last_error=bindparam("last_error"),
                                next_attempt_at=bindparam("retry_at"))


def _send_one(message: OutboxMessage) -> str | None:
    """Deliver one message; return None, or the reason it failed (it stays pending)."""
    try:
        _deliver(_build(message))
    except Exception as exc:  # noqa: BLE001  (any failure leaves the message for a retry)
        log.error("mail #%s to recipient %s not delivered (attempt %d): %s", message.id,
                  _mask(message.recipient), message.attempts + 1, exc)
        return f"{type(exc).__name__}: {exc}"[:500]
    return None


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = clean_header(message.subject, 500)
    email["From"] = clean_header(current_app.config["MAIL_SENDER"])
    email["To"] = clean_header(message.recipient, 254)
    if message.reply_to:
        email["Reply-To"] = clean_header(message.reply_to, 254)
    email["Date"] = formatdate(message.created_at.timestamp(), usegmt=True)
    # The same Message-ID on every attempt: a receiver can drop a duplicate delivery.
    email["Message-ID"] = f"<kb-{message.id}-{int(message.created_at.timestamp())}@kb.local>"
    text = message.body
    # Plain 7bit keeps links in .eml files clickable; quoted-printable only when needed.
    plain = text.isascii() and all(len(line) < 990 for line in text.splitlines())
    email.set_content(text, cte="7bit" if plain else "quoted-printable")
    return email


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
