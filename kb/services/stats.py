"""Coverage statistics of published practices, computed from the search engine's facets.

Every number here is a facet count (or a count of hits) of the search that the matching cell
links to, so the coverage view, ``/api/v1/stats`` and the search page agree by construction.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kb import taxonomy
from kb.search import SearchRequest, SearchResults
from kb.services import indexing
from kb.services.exports import iter_hits

# The reference's analysis of Member States' reports: objectives that get less attention.
LESS_ATTENTION = (4, 8, 13, 17)
FEW_SHARE = 0.5  # an objective with fewer practices than half the average is "few"


@dataclass
class Coverage:
    """Published practices counted by objective, region, objective x region, level, year."""

    total: int
    objectives: dict[int, int]
    regions: dict[str, int]
    matrix: dict[int, dict[str, int]]
    levels: dict[str, int]
    start_years: dict[int, int]
    no_start_year: int
    few: list[int] = field(default_factory=list)
    less_attention: tuple[int, ...] = LESS_ATTENTION


def _facet(results: SearchResults, name: str) -> dict[taxonomy.Code, int]:
    return {fc.value: fc.count for fc in results.facets.get(name, [])}


def coverage() -> Coverage:
    """Return the coverage counts of the published practices in the index.

    Raises kb.search.IndexUnavailable when the index cannot be read.
    """
    index = indexing.get_index()
    overall = index.search(SearchRequest(per_page=1, sort="newest"))
    objectives = _facet(overall, "objective")
    regions = _facet(overall, "region")
    matrix: dict[int, dict[str, int]] = {o.code: {} for o in taxonomy.OBJECTIVES}
    for region, _label in taxonomy.choices("region"):
        per_region = index.search(SearchRequest(filters={"region": [region]}, per_page=1))
        for code, count in _facet(per_region, "objective").items():
            matrix.setdefault(int(code), {})[str(region)] = count
    years: Counter[int] = Counter()
    no_year = 0
    for hit in iter_hits(SearchRequest(sort="newest")):
        if hit.start_year is None:
            no_year += 1
        else:
            years[hit.start_year] += 1
    all_objectives = {o.code: objectives.get(o.code, 0) for o in taxonomy.OBJECTIVES}
    average = sum(all_objectives.values()) / len(all_objectives)
    return Coverage(
        total=overall.total, objectives=all_objectives,
        regions={str(code): regions.get(code, 0) for code, _label in taxonomy.choices("region")},
        matrix=matrix,
        levels={str(code): _facet(overall, "level").get(code, 0)
                for code, _label in taxonomy.choices("level")},
        start_years=dict(sorted(years.items())), no_start_year=no_year,
        few=[code for code, n in all_objectives.items() if n < FEW_SHARE * average or n == 0],
    )
