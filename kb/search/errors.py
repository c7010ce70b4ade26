"""Errors raised by the search index; callers map them to retries or a rebuild."""


class SearchError(Exception):
    """Base class of search index errors."""


class IndexBusy(SearchError):
    """Another writer held the index write lock for longer than the timeout."""


class IndexUnavailable(SearchError):
    """The index is missing, corrupt or built with another schema: rebuild it."""


class IndexDamaged(IndexUnavailable):
    """A file of the index could not be read back: repair it (kb.services.indexing.repair)."""


class RebuildRunning(SearchError):
    """Another process holds the rebuild lock of this index directory."""
