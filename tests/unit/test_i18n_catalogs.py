"""The French and Spanish catalogs: complete for the strings in the code today, and well formed."""
from __future__ import annotations

import pytest

from tests.i18n_support import (
    LOCALES,
    ensure_compiled,
    extract_messages,
    load_catalog,
    placeholders,
)


@pytest.fixture(scope="module")
def extracted():
    return extract_messages()


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _is_translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(strings) and not message.fuzzy


@pytest.mark.parametrize("locale", LOCALES)
def test_every_interface_string_in_the_code_has_a_translation(extracted, locale):
    catalog = load_catalog(locale)
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        if translated is None or not _is_translated(translated):
            where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
            missing.append(f"{_key(message)!r} ({where})")
    assert not missing, (
        f"{len(missing)} strings without a {locale} translation; run the extract/update "
        "commands of the README and translate them:\n" + "\n".join(missing))


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_every_placeholder_of_the_english_text(locale):
    wrong = []
    for message in load_catalog(locale):
        if not message.id or not _is_translated(message):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = placeholders(ids[-1]) | placeholders(ids[0])
        for string in strings:
            # A singular form may leave out the count ("une pratique"), never add a name.
            if not placeholders(string) <= expected or \
                    placeholders(string) - {"num"} != expected - {"num"}:
                wrong.append(f"{ids[0]!r} -> {string!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("locale", "expression"), [("fr", "(n > 1)"), ("es", "(n != 1)")])
def test_catalogs_use_the_two_plural_forms_of_the_language(locale, expression):
    catalog = load_catalog(locale)
    assert catalog.num_plurals == 2
    assert catalog.plural_expr == expression
    for message in catalog:
        if isinstance(message.id, tuple) and message.string:
            assert len(message.string) == 2, message.id


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogs_compile_and_translate_at_run_time(locale):
    from babel.support import Translations

    from tests.i18n_support import TRANSLATIONS

    ensure_compiled()
    translations = Translations.load(str(TRANSLATIONS), [locale])
    expected = {"fr": "Rechercher des pratiques", "es": "Buscar prácticas"}[locale]
    assert translations.gettext("Search practices") == expected
    one, many = {"fr": ("pratique", "pratiques"), "es": ("práctica", "prácticas")}[locale]
    assert one in translations.ngettext("%(num)d practice", "%(num)d practices", 1)
    assert many in translations.ngettext("%(num)d practice", "%(num)d practices", 2)
