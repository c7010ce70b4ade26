"""The coverage page and /api/v1/stats count exactly what the matching searches return."""
from __future__ import annotations

import re

import pytest

PRACTICES = [
    {"objectives": [4], "regions": ["africa"], "countries": ["KEN"], "level": "national",
     "start_year": 2019},
    {"objectives": [4, 13], "regions": ["africa"], "countries": ["NGA"], "level": "local",
     "start_year": 2020},
    {"objectives": [13, 23], "regions": ["asia-pacific"], "countries": ["PHL"],
     "level": "regional", "start_year": 2020},
    {"objectives": [1, 23], "regions": ["europe-north-america", "africa"],
     "countries": ["BEL", "SEN"], "level": "regional", "start_year": 2021},
]


@pytest.fixture
def published(make_practice):
    for n, overrides in enumerate(PRACTICES):
        make_practice(title=f"Practice number {n}", **overrides)
    make_practice(state="draft", objectives=[8], regions=["africa"], countries=["KEN"])


def _facet(client, name, **params):
    body = client.get("/api/v1/practices", query_string={**params, "per_page": 1}).get_json()
    return {f["value"]: f["count"] for f in body["facets"][name]}, body["total"]


def test_stats_equal_the_search_facet_counts_cell_by_cell(client, published):
    stats = client.get("/api/v1/stats").get_json()
    objective_counts, total = _facet(client, "objective")
    assert stats["total"] == total == 4
    regions = [r["code"] for r in stats["regions"]]
    for row in stats["objectives"]:
        assert row["count"] == objective_counts.get(row["code"], 0)
        for region in regions:
            in_region, _ = _facet(client, "objective", region=region)
            assert row["regions"].get(region, 0) == in_region.get(row["code"], 0)
    level_counts, _ = _facet(client, "level")
    assert {lv["code"]: lv["count"] for lv in stats["levels"]} == {
        code: level_counts.get(code, 0) for code in ("local", "national", "regional", "global")}
    for year in stats["start_years"]:
        assert client.get("/api/v1/practices", query_string={
            "year_from": year["year"], "year_to": year["year"]}).get_json()["total"] == \
            year["count"]


def test_coverage_page_cells_link_to_searches_returning_their_number(client, published):
    html = client.get("/coverage").get_data(as_text=True)
    cells = re.findall(r'<td class="num[^"]*"><a href="(/practices\?[^"]+)"[^>]*>(\d+)</a>',
                       html)
    assert len(cells) >= 23 * 5
    for url, number in cells[:40] + [c for c in cells if c[1] != "0"]:
        total = client.get("/api/v1" + url.replace("&amp;", "&")).get_json()["total"]
        assert total == int(number), url


def test_coverage_page_points_out_objectives_with_few_practices(client, published):
    html = client.get("/coverage").get_data(as_text=True)
    gaps = html[html.index('id="gaps-h"'):html.index('id="matrix-h"')]
    assert "Objective 8" in gaps
    assert "Save lives" in gaps
    assert "Objective 17" in gaps


def test_coverage_heat_map_is_an_image_with_a_text_alternative(client, published):
    html = client.get("/coverage").get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>", html).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="heat-title heat-desc"' in svg
    assert '<title id="heat-title">' in html
    assert '<desc id="heat-desc">' in html
    assert html.count('<th scope="row">') >= 23
    assert html.count('<th scope="col">') >= 7


def test_coverage_headings_go_in_order(client, published):
    html = client.get("/coverage").get_data(as_text=True)
    levels = [int(h) for h in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
