"""The trilingual vocabulary's data: shape, coverage and the lookups search relies on."""
from __future__ import annotations

from kb import taxonomy
from kb.search.analysis import LANGUAGES, analyze
from kb.search.vocabulary import (
    DEMONYMS,
    GLOSSARY,
    country_concepts,
    gcm_concepts,
    glossary_concepts,
    read_table,
    thesaurus,
)


def test_the_glossary_has_300_concepts_each_named_in_every_language():
    rows = read_table(GLOSSARY)
    assert len(rows) >= 300
    keys = [key for key, _terms in rows]
    assert len(keys) == len(set(keys))
    for key, terms in rows:
        assert set(terms) == set(LANGUAGES), key
        for lang in LANGUAGES:
            assert terms[lang], (key, lang)
            assert all(analyze(t, lang) for t in terms[lang]), (key, lang, terms[lang])


def test_demonyms_name_known_countries_in_every_language():
    rows = read_table(DEMONYMS)
    assert len(rows) >= 150
    for code, terms in rows:
        assert code in taxonomy.COUNTRIES, code
        assert all(terms[lang] for lang in LANGUAGES), code


def test_every_country_has_names_in_the_three_languages():
    concepts = country_concepts()
    assert {c.country for c in concepts} == set(taxonomy.COUNTRIES)
    venezuela = next(c for c in concepts if c.country == "VEN")
    assert "Venezuela" in venezuela.terms["en"]
    assert "Venezuelan" in venezuela.terms["en"]
    assert "vénézuélien" in venezuela.terms["fr"]
    assert "venezolano" in venezuela.terms["es"]


def test_gcm_objectives_and_principles_come_from_the_taxonomy():
    concepts = {c.key: c for c in gcm_concepts()}
    assert len([k for k in concepts if k.startswith("objective:")]) == 23
    remittances = concepts["objective:20"]
    assert taxonomy.label("objective", 20, "es") in remittances.terms["es"]
    assert taxonomy.label("objective_title", 20, "fr") in remittances.terms["fr"]


def test_lookups_reach_the_concept_from_any_inflection():
    th = thesaurus()
    cases = [("en", "died", "glossary:death"), ("en", "deceased", "glossary:death"),
             ("en", "consular", "glossary:consulate"),
             ("en", "undocumented", "glossary:irregular"),
             ("en", "diplomas", "glossary:qualification"),
             ("fr", "vénézuéliens", "country:VEN"), ("es", "venezolanos", "country:VEN"),
             ("en", "Nepali", "country:NPL"), ("es", "remesas", "glossary:remittance"),
             ("fr", "envois de fonds", "glossary:remittance")]
    for lang, text, key in cases:
        assert key in [c.key for c in th.lookup(lang, tuple(analyze(text, lang)))], text


def test_glossary_concepts_are_loaded_with_their_terms():
    concepts = {c.key: c for c in glossary_concepts()}
    assert "money transfers home" in concepts["glossary:remittance"].terms["en"]


def test_warm_up_loads_the_thesaurus_once_in_the_background():
    from kb.search import vocabulary

    vocabulary.load_thesaurus.cache_clear()
    thread = vocabulary.warm_up()
    assert thread.daemon
    loaded = vocabulary.thesaurus()  # waits for the background load instead of repeating it
    thread.join()
    assert vocabulary.thesaurus() is loaded
    assert vocabulary.load_thesaurus.cache_info().misses == 1
