"""WTForms classes, split by noun; every choice list comes from kb.taxonomy, every label is
translatable. Shared helpers live here."""
from __future__ import annotations

from typing import Any

import wtforms
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import widgets

# The latest types-WTForms (3.2.1) describes WTForms 3.2: no Choice, and render_option(value,
# label, selected) where WTForms 3.3 passes one Choice.
from wtforms.fields.choices import Choice  # type: ignore[attr-defined]

from kb import taxonomy


def add_field_errors(form: FlaskForm, fields: dict[str, list[str]]) -> None:
    """Show a service's per-field messages next to the matching form fields."""
    for name, messages in fields.items():
        field = getattr(form, name.replace(".", "_"), None)
        target = field.errors if field is not None else form.form_errors
        if isinstance(target, tuple):
            target = list(target)
        target.extend(messages)
        if field is not None:
            field.errors = target


def choices(facet: str, blank: str | None = None) -> list[tuple[str, str]]:
    """Return (value, label) pairs of a taxonomy facet in the interface language."""
    from kb.i18n import current_locale

    options = [(str(code), label) for code, label in taxonomy.choices(facet, current_locale())]
    return ([("", blank)] if blank is not None else []) + options


class Select(widgets.Select):
    """WTForms' select widget, writing a plain option (no attributes but its value and
    selection) directly: through ``html_params`` each of the ~250 countries of a list cost
    ~30 us. Same markup: attributes in html_params' order, values and labels escaped alike."""

    @classmethod
    def render_option(  # type: ignore[override]
            cls, choice: Choice, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = choice.value
        if isinstance(value, bool):
            value = str(value)
        quoted = escape(value).replace(Markup('"'), Markup("&quot;"))
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{quoted}">{label}</option>')


class SelectField(wtforms.SelectField):
    """WTForms' SelectField, drawn by the Select widget above."""

    widget = Select()
