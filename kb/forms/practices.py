"""The submission form (grouped like the Hub's template) and the review decision forms.

Field checks live in kb.services.validation so the form, the API and imports agree; this module
only turns form data into a practice record and service messages back into field errors.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)

# SelectChoice is new in WTForms 3.3; the latest types-WTForms (3.2.1) does not list it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.widgets import CheckboxInput, ListWidget

from kb import taxonomy, workflow
from kb.forms import SelectField, add_field_errors, choices
from kb.i18n import current_locale
from kb.schemas import MAX_LINKS

BLANK_LINK_ROWS = 1  # empty resource rows offered below the saved links


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (rendered inside a fieldset with a legend)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)  # the service checks codes, per field
        super().__init__(*args, **kwargs)


class CodeSelect(SelectField):
    """A select whose value the service checks (an empty choice is fine in a draft)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


class LinkForm(Form):
    title = StringField(_l("Title of the resource"))
    url = URLField(_l("Web address (http:// or https://)"))


class PracticeForm(FlaskForm):
    title = StringField(_l("Title"))
    summary = TextAreaField(_l("Summary"), description=_l("Shown on search results."))
    description = TextAreaField(_l("Description"), description=_l(
        "Context and what was done. Markdown: **bold**, *italic*, lists, [links](https://...)."))
    practice_type = CodeSelect(_l("Type of practice"))
    language = CodeSelect(_l("Language of the entry"))
    objectives = MultiCheckboxField(_l("GCM objectives"), description=_l(
        "Choose at least one of the 23 objectives."))
    principles = MultiCheckboxField(_l("Guiding principles"))
    level = CodeSelect(_l("Level of implementation"))
    regions = MultiCheckboxField(_l("Regions"))
    countries = MultiCheckboxField(_l("Countries"), description=_l(
        "Grouped by region: open a region and tick the countries."))
    implemented_by = TextAreaField(_l("Implemented by"))
    partners = TextAreaField(_l("Partners"))
    stakeholders = MultiCheckboxField(_l("Stakeholder types involved"))
    contact_name = StringField(_l("Focal point: name"), description=_l(
        "A focal point of the main implementer is required, even when someone else submits."))
    contact_email = EmailField(_l("Focal point: email"))
    contact_public = BooleanField(_l("Show the focal point's name and email on the public page"))
    contact_contactable = BooleanField(_l(
        "Let readers write to the focal point through a form on the practice page (messages "
        "are relayed by email; the address stays hidden unless shown publicly)"))
    start_year = StringField(_l("Start year"), render_kw={"inputmode": "numeric"})
    end_year = StringField(_l("End year"), description=_l("Leave empty if ongoing."),
                           render_kw={"inputmode": "numeric"})
    implementation_status = CodeSelect(_l("Implementation status"))
    outcome = StringField(_l("Outcome in one sentence"))
    results = TextAreaField(_l("Results"), description=_l("Markdown allowed."))
    lessons = TextAreaField(_l("Lessons learned and pitfalls"), description=_l(
        "Markdown allowed."))
    funding = TextAreaField(_l("Funding source"))
    links = FieldList(FormField(LinkForm), label=_l("Links to resources"), min_entries=1,
                      max_entries=MAX_LINKS)
    # The call for practices answered: on every step (hidden), shown by submit/_call.html.
    call = HiddenField(_l("Call for practices"), id="call-slug")
    remove_call = BooleanField(_l("Remove the call: send this practice to the repository "
                                  "without answering it"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locale = current_locale()
        self.objectives.choices = [
            (str(o.code), f"{o.code}. {taxonomy.label('objective_title', o.code, locale)}")
            for o in taxonomy.OBJECTIVES]
        for name, facet in (("principles", "principle"), ("regions", "region"),
                            ("countries", "country"), ("stakeholders", "stakeholder")):
            getattr(self, name).choices = choices(facet)
        for name, facet in (("practice_type", "type"), ("language", "language"),
                            ("level", "level"), ("implementation_status", "status")):
            getattr(self, name).choices = choices(facet, "—")

    def to_record(self, keys: Iterable[str] | None = None) -> dict[str, Any]:
        """Return the typed values as a practice record (validated later by the service).

        With ``keys``, only those record keys: a step of the form writes only its own fields.
        """
        # Browsers send line breaks as CR LF; counted as one character, as the counter does.
        record: dict[str, Any] = {name: (getattr(self, name).data or "").replace("\r\n", "\n")
                                  for name in (
            "title", "summary", "description", "implemented_by", "partners", "outcome",
            "results", "lessons", "funding", "practice_type", "language", "level",
            "implementation_status", "start_year", "end_year")}
        for name in ("objectives", "principles", "regions", "countries", "stakeholders"):
            record[name] = list(getattr(self, name).data or [])
        record["contact"] = {"name": self.contact_name.data or "",
                             "email": self.contact_email.data or "",
                             "public": bool(self.contact_public.data),
                             "contactable": bool(self.contact_contactable.data)}
        record["links"] = [{"title": row.form.title.data or "", "url": row.form.url.data or ""}
                           for row in self.links]
        record["call"] = None if self.remove_call.data else (self.call.data or None)
        keys = None if keys is None else {*keys, "call"}  # every step carries the call
        return record if keys is None else {k: v for k, v in record.items() if k in keys}

    def show_errors(self, fields: dict[str, list[str]]) -> None:
        """Put a service's per-field messages next to the fields they are about."""
        rest: dict[str, list[str]] = {}
        for name, messages in fields.items():
            parts = name.split(".")
            if parts[0] == "links" and len(parts) == 3 and parts[1].isdigit():
                index = int(parts[1])
                if index < len(self.links.entries):
                    subfield = getattr(self.links.entries[index].form, parts[2])
                    subfield.errors = [*subfield.errors, *messages]
                    continue
            rest[name] = messages
        add_field_errors(self, rest)


def practice_form_data(record: dict[str, Any], blank_links: int = BLANK_LINK_ROWS
                       ) -> dict[str, Any]:
    """Return form defaults from a practice record, with ``blank_links`` empty link rows."""
    contact = record.get("contact") or {}
    data = {key: record.get(key) for key in (
        "title", "summary", "description", "implemented_by", "partners", "outcome", "results",
        "lessons", "funding", "practice_type", "language", "level", "implementation_status")}
    data.update({name: [str(v) for v in record.get(name) or []] for name in (
        "objectives", "principles", "regions", "countries", "stakeholders")})
    data.update(start_year=str(record.get("start_year") or ""),
                end_year=str(record.get("end_year") or ""),
                contact_name=contact.get("name") or "", contact_email=contact.get("email") or "",
                contact_public=bool(contact.get("public")),
                contact_contactable=bool(contact.get("contactable")),
                call=record.get("call") or "")
    links = list(record.get("links") or [])
    blank = max(0, min(blank_links, MAX_LINKS - len(links)))
    data["links"] = links + [{"title": "", "url": ""}] * blank
    return data


def field_labels() -> dict[str, str]:
    """Return the form's label of each practice record key (for the review's diff)."""
    form = PracticeForm(formdata=None)
    labels = {field.name: str(field.label.text) for field in form}
    labels.update(contact=str(_l("Focal point")), links=str(form.links.label.text))
    return labels


class ActionForm(FlaskForm):
    """A workflow button, with an optional (or, for some actions, required) comment."""

    comment = TextAreaField(_l("Comment"))


class ClaimForm(FlaskForm):
    no_conflict = BooleanField(_l(
        "I declare that I have no conflict of interest with this practice or its implementers."))


class DecisionForm(FlaskForm):
    """The reviewer's decision, with the Hub's screening checklist."""

    decision = RadioField(_l("Decision"), choices=[
        SelectChoice("approve", _l("Approve and publish")),
        SelectChoice("request_changes", _l("Request changes (comment required)")),
        SelectChoice("reject", _l("Reject (reason required)"))])
    comment = TextAreaField(_l("Comment to the submitter"), description=_l(
        "Required to request changes or to reject. Never shown publicly."))
    override_reason = TextAreaField(_l("Reason to approve without every criterion"),
                                    description=_l(
        "Only when a screening criterion is not ticked: say why the practice is approved "
        "anyway. It is recorded in the timeline."))


class AddReviewerForm(FlaskForm):
    """An admin adds a reviewer to a practice whose reviewers disagree."""

    # Choices are the eligible reviewers of one practice, set by the page; the service checks.
    reviewer = SelectField(_l("Reviewer to add"), validate_choice=False, description=_l(
        "They are emailed and still declare no conflict of interest when they claim it; "
        "their recommendation counts toward the reviews required."))


CHECKLIST_LABELS = {
    "relates_to_objectives": _l("Relates to one or more of the 23 GCM objectives"),
    "adheres_to_principles": _l("Adheres to the 10 guiding principles"),
    "implemented": _l("Was implemented (not a proposal), ideally after December 2018"),
    "completed": _l("Is fully or mostly completed"),
    "innovative_replicable": _l("Is innovative and replicable"),
}
for _key in workflow.CHECKLIST_KEYS:
    setattr(DecisionForm, f"check_{_key}", BooleanField(CHECKLIST_LABELS[_key]))


def checklist_from(form: DecisionForm) -> dict[str, bool]:
    return {key: bool(getattr(form, f"check_{key}").data) for key in workflow.CHECKLIST_KEYS}


class ArchiveForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), description=_l("Shown on the archived practice's page."))
