"""The stepped submission form under /submissions: every step is a page that works without
JavaScript; each POST saves the draft (or says at the top why nothing was saved)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb import workflow
from kb.errors import NotFound, ValidationFailed
from kb.forms import practice_steps as steps
from kb.forms.practices import PracticeForm, practice_form_data
from kb.i18n import current_locale
from kb.models import Call, Practice
from kb.services import calls, submissions
from kb.services.records import RecordOptions, practice_to_record

bp = Blueprint("submit", __name__, url_prefix="/submissions")

# The buttons of a step, in the order they are looked for in the POST.
BUTTONS = ("send", "preview", "add_link", "remove_link", "back", "next", "save")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in user."""


@bp.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "GET":
        form = PracticeForm()
        if calls.is_slug(request.args.get("call")):
            form.call.data = request.args["call"]
        return _render(form, None, [steps.STEPS[0]])
    return _save(None)


@bp.route("/<int:practice_id>/edit", methods=["GET", "POST"])
def edit(practice_id: int):
    practice = submissions.get_for(current_user, practice_id)
    if request.method == "POST":
        return _save(practice)
    if not workflow.can_edit(practice.state, submissions.actor_for(current_user, practice)):
        flash(_("This practice cannot be edited now."), "error")
        return redirect(url_for("submit.detail", practice_id=practice.id))
    record = practice_to_record(practice, RecordOptions(include_private_contact=True))
    blank = request.args.get("blank", "")
    form = PracticeForm(data=practice_form_data(
        record, blank_links=int(blank) if blank.isdigit() and len(blank) < 3 else 1))
    current = steps.step(request.args.get("step"))
    missing = submissions.missing(practice) if current.slug == "review" else {}
    return _render(form, practice, [current], missing=missing)


def _save(practice: Practice | None):
    """Save what the step sent, then follow the button; on errors show the step again (422)."""
    form = PracticeForm()
    posted = request.form.get("step", "")
    # A POST without a step (a script, an old page) sends the whole form and is shown whole.
    shown = [steps.step(posted)] if posted in steps.STEP_SLUGS else list(steps.STEPS[:-1])
    if not form.validate_on_submit():
        return _render(form, practice, shown, errors={"csrf_token": [
            _("The form expired. Nothing was saved; send it again.")]}), 400
    keys = steps.record_keys(shown[0].fields) if len(shown) == 1 else None
    record = form.to_record(keys)
    button = next((name for name in BUTTONS if name in request.form), "save")
    if button == "remove_link" and "links" in record:
        index = request.form.get("remove_link", "")
        if index.isdigit() and int(index) < len(record["links"]):
            del record["links"][int(index)]
    try:
        if practice is None:
            practice = submissions.create_draft(current_user, record)
        else:
            practice = submissions.update_draft(current_user, practice.id, record)
    except ValidationFailed as exc:
        fields = exc.fields
        if button == "send" and keys is None:  # the whole form: name everything missing too
            fields = submissions.problems(record) or fields
        return _render(form, practice, shown, errors=fields), 422
    return _follow(button, practice, shown[0].slug, record)


def _follow(button: str, practice: Practice, slug: str, record: dict[str, Any]):
    """The draft is saved: go where the button asked."""
    here = url_for("submit.edit", practice_id=practice.id, step=slug)
    before, after = steps.neighbours(slug)
    if button == "send":
        try:
            submissions.submit_practice(current_user, practice.id)
        except ValidationFailed as exc:
            form = PracticeForm(data=practice_form_data(practice_to_record(
                practice, RecordOptions(include_private_contact=True))))
            return _render(form, practice, [steps.BY_SLUG["review"]], errors=exc.fields,
                           missing=exc.fields), 422
        flash(_("Submitted. You will get an email when a reviewer decides."), "success")
        return redirect(url_for("submit.detail", practice_id=practice.id))
    if button == "preview":
        return redirect(url_for("submit.preview", practice_id=practice.id))
    if button == "add_link":
        empty = sum(1 for link in record.get("links", []) if not any(link.values()))
        row = len(record.get("links", [])) - empty  # the first blank row's index
        return redirect(url_for("submit.edit", practice_id=practice.id, step="resources",
                                blank=empty + 1, _anchor=f"links-{row}-title"))
    if button == "remove_link":
        flash(_("Link removed."), "success")
        return redirect(url_for("submit.edit", practice_id=practice.id, step="resources"))
    if button in ("back", "next") and (before if button == "back" else after):
        return redirect(url_for("submit.edit", practice_id=practice.id,
                                step=before if button == "back" else after))
    flash(_("Draft saved."), "success")
    return redirect(here)


def _render(form: PracticeForm, practice: Practice | None, shown: list[steps.Step],
            errors: dict[str, list[str]] | None = None,
            missing: dict[str, list[str]] | None = None) -> str:
    """Render the form showing ``shown`` steps, the error summary and the review's gaps."""
    errors = errors or {}
    form.show_errors({k: v for k, v in errors.items() if k != "csrf_token"})
    on_page = {name for s in shown for name in s.fields}
    return render_template(
        "submit/edit.html", form=form, practice=practice, shown=shown, steps=steps,
        call=_call_of(form),
        current=shown[0] if len(shown) == 1 else None,
        error_items=_items(form, practice, errors, on_page), saved=not errors,
        missing_items=_items(form, practice, missing or {}, set()),
        country_groups=steps.country_groups(list(form.countries.data or []),
                                            current_locale()))


def _call_of(form: PracticeForm) -> Call | None:
    """Return the call the form answers (shown on every step), if it names one that exists."""
    slug = form.call.data
    try:
        return calls.get_call(slug) if slug else None
    except NotFound:
        form.call.data = ""
        return None


def _items(form: PracticeForm, practice: Practice | None, fields: dict[str, list[str]],
           on_page: set[str]) -> list[dict[str, str]]:
    """Return the summary's entries: label, message and a link to the field (on its step)."""
    items = []
    for key, messages in fields.items():
        target = steps.field_of(key)
        name = target.split("-")[0] if target.startswith("links-") else target
        label = _link_label(form, target) if name == "links" and "-" in target else (
            str(form[name].label.text) if name in form else "")
        if name in on_page or key == "csrf_token":
            href = f"#{target}" if name in on_page else ""
        elif practice is not None:
            href = url_for("submit.edit", practice_id=practice.id, step=steps.step_of(key),
                           _anchor=target)
        else:
            href = ""
        items.append({"label": label, "message": " ".join(messages), "href": href})
    return items


def _link_label(form: PracticeForm, target: str) -> str:
    _links, index, sub = target.split("-")
    entry_label = str(getattr(form.links.entries[0].form, sub).label.text) if (
        form.links.entries and sub in ("title", "url")) else sub
    return _("Link %(number)d: %(field)s", number=int(index) + 1, field=entry_label)
