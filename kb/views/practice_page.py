"""A practice's public page: its content, notices and forms, JSON-LD, conditional caching.

Shared by the routes that show it: the page itself (kb.views.public) and the forms posted from
it that answer with the page again (contact, update request).
"""
from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, session, url_for
from flask_login import current_user

from kb import taxonomy, workflow
from kb.forms.living import ContactForm, UpdateRequestForm
from kb.i18n import current_locale
from kb.models import Practice
from kb.services import contact, indexing, living, review_dates, submissions
from kb.views.caching import conditional, etag_for

RELATED = 5


def render_practice(item: Practice, status: int = 200, **forms: Any) -> Response:
    """Render a practice page; ``forms`` carry a contact or update form that has errors."""
    index = indexing.get_index()
    related = index.related(item.id, RELATED) if item.is_public else []
    flashed = bool(session.get("_flashes"))
    extras = practice_page_extras(item, **forms)
    html = render_template(
        "public/practice.html", practice=item, related=related, json_ld=_json_ld(item),
        kosovo_footnote=(taxonomy.KOSOVO_FOOTNOTE
                         if taxonomy.needs_kosovo_footnote(item.countries) else None), **extras)
    if status != 200:
        return make_response(html, status)
    # The review notice moves with the clock, a contact form carries the session's CSRF token
    # and a flash message shows once: each is part of the validator.
    etag = etag_for(item.id, item.state, item.updated_at, current_locale(), index.generation(),
                    extras["review_due"], flashed,
                    session.get("csrf_token") if extras["contact_form"] else None)
    return conditional(make_response(html), etag, item.updated_at, page=True)


def _json_ld(item: Practice) -> dict:
    """Return the schema.org description of a practice, for link previews and search engines."""
    url = url_for("public.practice", slug=item.slug, _external=True)
    data = {
        "@context": "https://schema.org", "@type": "CreativeWork", "@id": url, "url": url,
        "name": item.title, "abstract": item.summary, "inLanguage": item.language,
        "about": [{"@type": "Thing", "name": taxonomy.label("objective_title", o)}
                  for o in item.objectives],
        "spatialCoverage": [{"@type": "Place", "name": taxonomy.label("country", c)}
                            for c in item.countries],
        "keywords": [taxonomy.label("objective", o) for o in item.objectives],
        "creator": {"@type": "Organization", "name": item.implemented_by}
        if item.implemented_by else None,
        "datePublished": item.published_at.isoformat() if item.published_at else None,
        "dateModified": item.updated_at.isoformat() if item.updated_at else None,
        "temporalCoverage": (f"{item.start_year}/{item.end_year or '..'}"
                             if item.start_year else None),
        "isPartOf": {"@type": "Collection", "name": "GCM Repository of Practices",
                     "url": url_for("public.home", _external=True)},
    }
    return {k: v for k, v in data.items() if v not in (None, [])}


def practice_page_extras(practice: Practice, contact_form: ContactForm | None = None,
                         update_form: UpdateRequestForm | None = None) -> dict[str, Any]:
    """Return what the public practice page shows beyond the content: notices and forms."""
    can_request = False
    if current_user.is_authenticated and practice.is_public:
        actor = submissions.actor_for(current_user, practice)
        can_request = bool(living.offered(
            practice, [a for a in workflow.allowed_actions(practice.state, actor)
                       if a == "request_update"]))
    contactable = contact.is_contactable(practice)
    return {
        "review_due": review_dates.is_review_due(practice),
        "contactable": contactable,
        "contact_form": (contact_form or ContactForm()) if contactable else None,
        "update_form": (update_form or UpdateRequestForm()) if can_request else None,
        "show_update_request": (current_user.is_authenticated
                                and current_user.role in workflow.REVIEWER_ROLES
                                and practice.update_requested_at is not None),
    }
