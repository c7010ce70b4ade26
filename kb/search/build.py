"""Building a fresh index directory: serially for small sets, in worker processes for large.

Most of a build is Whoosh's pure-Python writer (about 7 µs per posting) plus our analysis, so a
large rebuild runs one worker process per core: each analyses its share of the documents and
writes its own segment (Whoosh's ``MpWriter`` with ``multisegment``; no merge afterwards, the
reader handles several segments). Small builds (tests, a fresh site) stay in-process.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from itertools import chain, islice

from kb.search.internals import ParallelWriter, TermsWriter, make_codec
from kb.search.schema import term_fields, to_fields

BUILD_LIMITMB = 256
PARALLEL_MIN = 1000
"""Fewer documents than this are built in-process (forking workers costs more than it saves)."""
BATCH = 100
MAX_PROCS = 4


def procs() -> int:
    """Return how many worker processes a large build uses."""
    return max(1, min(MAX_PROCS, os.cpu_count() or 1))


def can_fork() -> bool:
    """Return whether worker processes may be forked: no other thread, fork start method.

    Forking a process that has threads can deadlock its child (Python 3.12 warns), and
    Whoosh's worker tasks need the fork start method (Python 3.14 defaults to forkserver).
    A build in a thread (a background repair of a web process) therefore runs serially.
    """
    return threading.active_count() == 1 and multiprocessing.get_start_method() == "fork"


def fill(ix, documents: Iterable[dict], progress: Callable[[int], None] | None) -> int:
    """Add documents to the empty Whoosh index ix and commit; return the count.

    Cancels the writer (and stops any workers) on an exception, then re-raises.
    """
    documents = iter(documents)
    head = list(islice(documents, PARALLEL_MIN))
    parallel = len(head) >= PARALLEL_MIN and procs() > 1 and can_fork()
    if parallel:
        writer = ParallelWriter(ix, procs=procs(), batchsize=BATCH, multisegment=True,
                                 limitmb=BUILD_LIMITMB, codec=make_codec(), compound=False)
    else:
        writer = TermsWriter(ix, term_fields(), limitmb=BUILD_LIMITMB, codec=make_codec(),
                             compound=False)
    count = 0
    try:
        for doc in chain(head, documents):
            if parallel:
                writer.add_document(doc=doc)
            else:
                writer.add_document(**to_fields(doc))
            count += 1
            if progress is not None and count % 100 == 0:
                progress(count)
        writer.commit(optimize=not parallel)
    except BaseException:
        writer.cancel()
        raise
    written = ix.doc_count_all()
    if written != count:  # a worker died: Whoosh's MpWriter would just leave its share out
        raise RuntimeError(f"index build wrote {written} of {count} documents")
    return count
