"""WTForms classes, split by noun; every choice list comes from kb.taxonomy, every label is
translatable. Shared helpers live here."""
from __future__ import annotations

from flask_wtf import FlaskForm

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
