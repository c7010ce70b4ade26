"""The coverage page, /coverage: published practices by objective x region, level and year."""
from __future__ import annotations

from flask import render_template

from kb import taxonomy
from kb.services import stats as stats_service
from kb.views.public import bp

HEAT_LEVELS = 5  # colour steps of the heat map, 0 = none


def heat_level(count: int, highest: int) -> int:
    """Return the colour step (0..HEAT_LEVELS) of a cell holding ``count`` of ``highest``."""
    if count <= 0 or highest <= 0:
        return 0
    return max(1, min(HEAT_LEVELS, round(HEAT_LEVELS * count / highest)))


@bp.get("/coverage")
def coverage():
    cov = stats_service.coverage()
    regions = [code for code, _label in taxonomy.choices("region")]
    highest = max((n for row in cov.matrix.values() for n in row.values()), default=0)
    # The body is drawn from the counts alone (~10 ms): kept per language and counts.
    return render_template("public/coverage.html", cov=cov, regions=regions,
                           objectives=taxonomy.OBJECTIVES, highest=highest,
                           heat_level=heat_level, heat_levels=HEAT_LEVELS,
                           coverage_key=repr(cov))
