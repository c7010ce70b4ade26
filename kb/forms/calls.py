"""Admin forms for calls for practices and featured collections (the services check values)."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, StringField, TextAreaField
from wtforms.validators import Optional

from kb.forms.practices import MultiCheckboxField


class _TitledForm(FlaskForm):
    """The title and the address (set once, when created) of a call or a collection."""

    title = StringField(_l("Title"))
    slug = StringField(_l("Address (slug)"), description=_l(
        "Lower-case letters, digits and hyphens; leave empty to derive it from the title. It "
        "cannot change later."))

    def _with_slug(self, body: dict[str, Any], include_slug: bool) -> dict[str, Any]:
        if include_slug:
            body["slug"] = (self.slug.data or "").strip()
        return body


class CallForm(_TitledForm):
    description = TextAreaField(_l("Description: who may submit, criteria (Markdown)"))
    objectives = MultiCheckboxField(_l("Focus objectives"))
    opens_on = DateField(_l("Opens on (UTC date, inclusive)"), validators=[Optional()])
    closes_on = DateField(_l("Closes on (UTC date, inclusive)"), validators=[Optional()])
    contact = EmailField(_l("Contact address (public)"))

    def to_body(self, include_slug: bool) -> dict[str, Any]:
        """Return the API body of the call the form describes."""
        body: dict[str, Any] = {
            "title": self.title.data or "", "description": self.description.data or "",
            "objectives": list(self.objectives.data or []),
            "opens_on": self.opens_on.data, "closes_on": self.closes_on.data,
            "contact": self.contact.data or ""}
        return self._with_slug(body, include_slug)


class CollectionForm(_TitledForm):
    intro = TextAreaField(_l("Introduction (Markdown)"))
    published = BooleanField(_l("Published (shown to the public)"))

    def to_body(self, include_slug: bool) -> dict[str, Any]:
        """Return the API body of the collection's own fields (items change separately)."""
        body: dict[str, Any] = {"title": self.title.data or "", "intro": self.intro.data or "",
                                "published": bool(self.published.data)}
        return self._with_slug(body, include_slug)


class AddPracticeForm(FlaskForm):
    practice = StringField(_l("Practice address (slug) or its page's URL"))
    note = StringField(_l("Curator's note (one sentence, optional)"))


class ItemForm(FlaskForm):
    note = StringField(_l("Curator's note"))
