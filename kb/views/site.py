"""The site's frame: /about, /privacy, /accessibility, /contact and /favicon.ico."""
from __future__ import annotations

from flask import current_app, render_template, send_from_directory

from kb import workflow
from kb.views.public import bp


def contact_address() -> str:
    """Return the public address people write to (KB_CONTACT_EMAIL, else the mail sender)."""
    return current_app.config["CONTACT_EMAIL"] or current_app.config["MAIL_SENDER"]


@bp.get("/about")
def about():
    from kb.forms.practices import CHECKLIST_LABELS

    return render_template("site/about.html", contact=contact_address(),
                           criteria=[CHECKLIST_LABELS[key] for key in workflow.CHECKLIST_KEYS])


@bp.get("/privacy")
def privacy():
    return render_template("site/privacy.html", contact=contact_address())


@bp.get("/accessibility")
def accessibility():
    return render_template("site/accessibility.html", contact=contact_address())


@bp.get("/contact")
def contact():
    return render_template("site/contact.html", contact=contact_address())


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for /favicon.ico whatever the page links; a week of caching spares the log.
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=7 * 24 * 3600)
