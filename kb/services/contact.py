"""Contact the implementer: relay a reader's message to a practice's focal point by email."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from kb import db, mail, taxonomy
from kb.errors import PermissionDenied, ValidationFailed
from kb.models import Practice
from kb.services import practices
from kb.services.messages import _

log = logging.getLogger("kb.contact")

MAX_NAME = 200
MAX_MESSAGE = 5000


@dataclass(frozen=True)
class ContactMessage:
    """What a reader typed in the form on a practice page."""

    name: str
    email: str
    message: str
    send_copy: bool = False


def is_contactable(practice: Practice) -> bool:
    """Return True when the submitter consented to messages and there is an address to use."""
    return bool(practice.contact_contactable and practice.contact_email
                and practice.is_public)


def clean_message(raw: ContactMessage) -> ContactMessage:
    """Return the message trimmed and checked. Raises ValidationFailed naming each field."""
    errors: dict[str, list[str]] = {}
    name, message = (raw.name or "").strip(), (raw.message or "").strip()
    if not name or len(name) > MAX_NAME:
        errors["name"] = [_("Your name, at most %(limit)d characters.", limit=MAX_NAME)]
    try:
        email = validate_email((raw.email or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        email = ""
        errors["email"] = [_("Not a valid email address.")]
    if not message or len(message) > MAX_MESSAGE:
        errors["message"] = [_("A message of at most %(limit)d characters.", limit=MAX_MESSAGE)]
    if errors:
        raise ValidationFailed(_("Please check the form."), errors)
    return ContactMessage(name=name, email=email, message=message, send_copy=raw.send_copy)


def send_message(slug: str, raw: ContactMessage, client: str = "-",
                 reader_locale: str | None = None) -> Practice:
    """Relay ``raw`` to the focal point of the published practice ``slug``, Reply-To the sender.

    Only the outbox keeps the message until it is delivered; the log names the sender and the
    practice, never the message.
    Raises NotFound, PermissionDenied (no consent to messages), ValidationFailed.
    """
    practice = practices.get_published(slug)
    if not is_contactable(practice):
        raise PermissionDenied(_("The focal point of this practice does not take messages "
                                 "through this site."))
    message = clean_message(raw)
    locale = practice.language if practice.language in taxonomy.LOCALES else "en"
    with db.write_transaction():
        mail.queue(practice.contact_email, "contact_message", locale=locale,
                   reply_to=message.email, practice=practice, sender=message)
        if message.send_copy:
            mail.queue(message.email, "contact_copy", locale=reader_locale, practice=practice,
                       sender=message)
    log.info("contact message to the focal point of practice %s from %s (client %s, copy %s)",
             practice.id, message.email, client, message.send_copy)
    return practice
