"""POST /practices/<slug>/contact: a reader writes to a practice's focal point."""
from __future__ import annotations

import logging

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from kb.errors import ValidationFailed
from kb.forms import add_field_errors
from kb.forms.living import ContactForm
from kb.i18n import current_locale
from kb.security import client_address, contact_limits
from kb.services import contact
from kb.services import practices as practice_service
from kb.views.practice_page import render_practice
from kb.views.public import bp

log = logging.getLogger("kb.contact")


@bp.post("/practices/<slug>/contact")
@contact_limits
def contact_focal_point(slug: str):
    form = ContactForm()
    form.validate_on_submit()  # CSRF; the service checks the fields
    done = redirect(url_for("public.practice", slug=slug, _anchor="contact"))
    if form.website.data:
        # A robot filled the field people cannot see: it is told "sent" and nothing is sent.
        log.warning("contact form honeypot filled for practice %s (client %s)", slug[:220],
                    client_address())
        flash(_("Your message was sent to the focal point."), "success")
        return done
    message = contact.ContactMessage(name=form.name.data or "", email=form.email.data or "",
                                     message=form.message.data or "",
                                     send_copy=bool(form.copy.data))
    try:
        contact.send_message(slug, message, client_address(), current_locale())
    except ValidationFailed as exc:
        add_field_errors(form, exc.fields)
        return render_practice(practice_service.get_published(slug), status=422,
                               contact_form=form)
    flash(_("Your message was sent to the focal point."), "success")
    return done
