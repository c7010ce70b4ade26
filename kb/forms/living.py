"""Forms of living practices: an update request and the message to a practice's focal point."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TextAreaField


class UpdateRequestForm(FlaskForm):
    comment = TextAreaField(_l("What should the submitter check or update?"), description=_l(
        "Sent to the submitter by email; never shown publicly."))


class ContactForm(FlaskForm):
    """Checked by the contact service; the honeypot ``website`` is hidden from people."""

    name = StringField(_l("Your name"))
    email = EmailField(_l("Your email"), description=_l(
        "The focal point answers you at this address."))
    message = TextAreaField(_l("Message"))
    copy = BooleanField(_l("Send me a copy"))
    website = StringField(_l("Leave this field empty"))
