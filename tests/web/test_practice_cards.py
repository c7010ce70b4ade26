"""A practice card shows a hit or a practice row, escaped, in the reader's language."""
from __future__ import annotations

from types import SimpleNamespace

from flask import render_template_string
from markupsafe import escape

from kb.search.results import Hit


def _hit(**overrides) -> Hit:
    values = dict(id=1, slug="desk-1", title="Desk", summary="A desk.", objective=[16, 2],
                  level="local", region=["africa"], country=["SEN", "XKX"], start_year=2019,
                  end_year=2023, published_at=None, language="fr", highlights={}, score=1.0)
    values.update(overrides)
    return Hit(**values)


def _card(app, p, lang: str = "en") -> str:
    with app.test_request_context(f"/practices?lang={lang}"):
        return render_template_string("{{ practice_card(p) }}", p=p)


def test_texts_are_escaped_and_marks_kept(app):
    html = _card(app, _hit(title="<script>x</script>", summary='Tom & "Jerry"',
                           highlights={"description": "a <mark>desk</mark> &amp; more",
                                       "<b>field</b>": "<mark>y</mark>"}))
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "Tom &amp; &#34;Jerry&#34;" in html
    assert ('<span class="snippet-field">Description:</span> <span lang="fr">a <mark>desk</mark>'
            ' &amp; more</span>') in html
    assert "&lt;b&gt;field&lt;/b&gt;:" in html
    assert '<a href="/practices/desk-1">&lt;script&gt;' in html


def test_labels_and_snippet_field_in_the_reader_language(app):
    html = _card(app, _hit(highlights={"lessons": "<mark>x</mark>"}), lang="es")
    assert "Lecciones aprendidas" in html
    assert 'aria-label="Objetivos del Pacto Mundial"' in html
    assert "Senegal" in html


def test_a_practice_row_shows_countries_else_regions_and_its_years(app):
    row = SimpleNamespace(slug="r-1", title="Row", summary="x" * 400, objectives=[3],
                          level=None, regions=["africa"], countries=[], start_year=2020,
                          end_year=None, language="other")
    html = _card(app, row)
    assert "lang=" not in html  # not a site language
    assert "<span>Africa</span>" in html
    assert "<span>2020–</span>" in html
    assert "x" * 300 not in html  # the summary is cut
    same_year = _card(app, _hit(start_year=2020, end_year=2020, country=[]))
    assert "<span>2020</span>" in same_year


def test_the_card_links_its_practice_as_url_for_does(app):
    import random

    from flask import url_for

    from kb.views.cards import CardWriter

    rng = random.Random(5)
    alphabet = "abz09-_.~ é/%?#&<'\"+"
    slugs = ["desk-1", ".", "..", "a.b~c_d", "x"] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(300)]
    for root in ("", "/kb"):
        with app.test_request_context("/practices", base_url=f"http://kb.test{root}"):
            write = CardWriter("en")
            for slug in slugs:
                html = str(write(_hit(slug=slug)))
                href = str(escape(url_for("public.practice", slug=slug)))
                assert f'<h3 class="card-title" lang="fr"><a href="{href}">' in html, slug
