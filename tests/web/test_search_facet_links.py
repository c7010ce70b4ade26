"""Facet links of the search page: each adds or removes its value and keeps the rest."""
from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from tests.i18n_support import dispose, make_demo_app


@pytest.fixture(scope="module")
def client(tmp_path_factory, demo_files):
    app = make_demo_app(tmp_path_factory.mktemp("facet-links"), demo_files)
    yield app.test_client()
    dispose(app)


def _facet_links(page: str) -> list[tuple[str, bool]]:
    """Return (href, selected) of every facet value link of the filters panel."""
    panel = page.split('<aside class="facets"', 1)[1].split("</aside>", 1)[0]
    return [(html_lib.unescape(href), bool(current))
            for href, current in re.findall(r'<a href="([^"]*)"( aria-current="true")?', panel)
            if "review_due" not in href]


def test_each_facet_link_toggles_its_value_and_keeps_the_other_parameters(client) -> None:
    asked = [("q", "migration"), ("region", "africa"), ("sort", "newest"),
             ("objective", "6"), ("page", "1"), ("lang", "fr")]
    page = client.get("/practices", query_string=asked).get_data(as_text=True)
    links = _facet_links(page)
    assert any(selected for _, selected in links)
    assert any(not selected for _, selected in links)
    for href, selected in links:
        url = urlsplit(href)
        assert url.path == "/practices"
        got = parse_qsl(url.query)
        changed = [pair for pair in got if pair not in asked] + \
                  [pair for pair in asked if pair not in got and pair[0] != "page"]
        assert ("page", "1") not in got  # back on the first page
        assert len(changed) == 1, (href, changed)  # exactly one value added or removed
        name, value = changed[0]
        assert (name, value) in asked if selected else (name, value) in got
        # The other parameters keep their order; the toggled facet's values come last.
        assert [p for p in got if p[0] != name] == \
               [p for p in asked if p[0] not in (name, "page")]


def test_values_behind_more_are_listed_whole_and_each_links_once(client) -> None:
    page = client.get("/practices?lang=fr").get_data(as_text=True)
    countries = page.split("<h3>Pays</h3>", 1)[1].split("</section>", 1)[0]
    shown, hidden = countries.split("<details>", 1)
    more = int(re.search(r"<summary>(\d+) de plus</summary>", hidden).group(1))
    tail = re.findall(r'<li><a href="([^"]*)" >([^<]*) <span class="count">\((\d+)\)</span>',
                      hidden)
    assert len(re.findall("<li>", shown)) == 12
    assert len(tail) == more > 0  # every value behind "N more" is a link
    for href, label, count in tail:
        query = parse_qsl(urlsplit(html_lib.unescape(href)).query)
        assert query[-1][0] == "country"
        assert label.strip()
        assert int(count) > 0


def test_values_behind_more_are_escaped() -> None:
    from kb.views.search import FacetLink, _more_values

    html = str(_more_values([
        FacetLink("x", '<b>"Tom & Jerry"</b>', 3, True, "/practices?q=it&#39;s&amp;call=x"),
        FacetLink("y", "Plain", 1, False, "/practices?call=y"),
    ]))
    assert "<b>" not in html
    assert "&lt;b&gt;&#34;Tom &amp; Jerry&#34;&lt;/b&gt;" in html
    assert 'href="/practices?q=it&#39;s&amp;call=x" aria-current="true"' in html
    assert '<a href="/practices?call=y" >Plain <span class="count">(1)</span></a>' in html


def test_listed_values_are_escaped_marked_and_counted_in_the_reader_language(client) -> None:
    from kb.views.search import FacetLink, _listed_values

    with client.application.test_request_context("/practices?lang=fr"):
        html = str(_listed_values("objective", [
            FacetLink('<i>1</i>', '<b>"Tom & Jerry"</b>', 3, True, "/practices?q=it&#39;s&amp;x=1"),
            FacetLink(2, "Plain", 1, False, "/practices?objective=2"),
        ]))
    assert "<b>" not in html
    assert "<i>" not in html
    assert "&lt;i&gt;1&lt;/i&gt;. &lt;b&gt;&#34;Tom &amp; Jerry&#34;&lt;/b&gt;" in html
    assert 'href="/practices?q=it&#39;s&amp;x=1" aria-current="true" class="selected"' \
        in html
    assert re.findall(r'aria-hidden="true">(.)</span>', html) == ["☑", "☐"]
    assert re.findall(r'<span class="visually-hidden">([^<]*)</span>', html) == \
        ["3 pratiques", "1 pratique"]
    assert '<a href="/practices?objective=2" >' in html


def test_each_request_links_to_its_own_search_path_inside_one_app_context(client) -> None:
    from kb.views.search import _page_url

    app = client.application
    with app.app_context():  # request contexts pushed inside share the app context (and g)
        for root in ("/one", "/two", ""):
            with app.test_request_context("/practices?q=a", base_url=f"http://kb.test{root}"):
                assert _page_url(page=2) == f"{root}/practices?q=a&page=2"


def test_facet_links_equal_the_toggled_query_escaped_for_the_page(client) -> None:
    """Each link is what toggling its value in the query gives (the other parameters in their
    order, then the facet's values, back on page 1), escaped as the page's attribute."""
    from flask import request, url_for
    from markupsafe import escape

    from kb import taxonomy
    from kb.urls import QUERY_SAFE
    from kb.views.search import _with_links

    queries = ["", "q=it's+a+<b>&page=3", "country=FRA&q=x&country=DEU&lang=fr",
               "country=FRA", "q=%22%26%27&country=%27&sort=title&page=2"]
    for query in queries:
        with client.application.test_request_context(f"/practices?{query}"):
            chosen = request.args.getlist("country")
            facets: dict = {name: [] for name in taxonomy.FACETS}
            facets["country"] = [{"value": code, "label": code, "count": 1,
                                  "selected": code in chosen} for code in ("DEU", "FRA", "'")]
            for link in _with_links(facets)["country"]:
                kept = [v for v in chosen if v != link.value]
                if link.value not in chosen:
                    kept.append(link.value)
                pairs = [(k, v) for k, v in request.args.items(multi=True)
                         if k not in ("country", "page")] + [("country", v) for v in kept]
                url = url_for("public.practices")
                if pairs:
                    url += "?" + urlencode(pairs, safe=QUERY_SAFE)
                assert link.href == str(escape(url)), (query, link.value)
