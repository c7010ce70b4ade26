"""Full-text and faceted search over published practices; the only package importing whoosh.

Callers build documents with ``practice_to_document``, keep the index in step with
``SearchIndex.apply`` / ``rebuild``, and query it with ``SearchIndex.search``.
"""
from kb.search.errors import (
    IndexBusy,
    IndexDamaged,
    IndexUnavailable,
    RebuildRunning,
    SearchError,
)
from kb.search.index import SearchIndex
from kb.search.mapping import practice_to_document
from kb.search.results import (
    MAX_PER_PAGE,
    SORTS,
    FacetCount,
    Hit,
    Notice,
    SearchRequest,
    SearchResults,
)
from kb.search.schema import FACETS, SCHEMA_VERSION

__all__ = [
    "FACETS",
    "MAX_PER_PAGE",
    "SCHEMA_VERSION",
    "SORTS",
    "FacetCount",
    "Hit",
    "IndexBusy",
    "IndexDamaged",
    "IndexUnavailable",
    "Notice",
    "RebuildRunning",
    "SearchError",
    "SearchIndex",
    "SearchRequest",
    "SearchResults",
    "practice_to_document",
]
