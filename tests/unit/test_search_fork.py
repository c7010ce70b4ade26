"""A search index shared with forked processes (gunicorn's preloaded master and its workers).

The master reads the index once (``warm``) and closes its files (``release_files``); each
forked worker answers from that snapshot, opens its own files, reads only segments written
since, and sees every later publish. A worker forked while files were open never reads
through them: an inherited file object shares its offset with the parent's.
"""
from __future__ import annotations

import json
import os
import select
import signal
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

from kb.search import SearchIndex, SearchRequest, columns

from .test_search_helpers import make_doc

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")

CHILD_TIMEOUT = 60.0


@pytest.fixture
def index(tmp_path):
    ix = SearchIndex(tmp_path / "index")
    ix.create()
    ix.apply([make_doc(1, "Labour migration", objective=[5]),
              make_doc(2, "Labour markets", objective=[7]),
              make_doc(3, "Health clinics", objective=[5],
                       description="Mobile teams visit the farms where seasonal workers live.")],
             [])
    ix.apply([make_doc(4, "Housing first", objective=[9])], [])  # a second segment
    yield ix
    ix.close()


def ids(ix: SearchIndex, q: str) -> list[int]:
    return sorted(h.id for h in ix.search(SearchRequest(q=q)).hits)


def snippets(ix: SearchIndex, q: str) -> list[dict[str, str]]:
    return [h.highlights for h in ix.search(SearchRequest(q=q)).hits]


FARMS = [{"description": "Mobile teams visit the <mark>farms</mark> where seasonal workers live."}]


def open_index_files(path: Path) -> list[int]:
    """Return this process's file descriptors open on files under path."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the listing's own descriptor, closed by now
            continue
        if target.startswith(str(path.resolve())):
            found.append(int(fd))
    return found


def in_child(work: Callable[[Callable[[], None]], object], between: Callable[[], None]
             ) -> object:
    """Fork; the child runs work(wait) and sends back its result (or its traceback).

    wait() in the child blocks until the parent has run between(): a change made by
    another process after the child started.
    """
    results_r, results_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 1
        try:
            os.close(results_r)
            os.close(go_w)

            def wait() -> None:
                os.write(results_w, b"w")
                os.read(go_r, 1)

            out = json.dumps({"result": work(wait)})
            status = 0
        except BaseException:  # noqa: BLE001  reported to the parent, which fails the test
            out = json.dumps({"error": traceback.format_exc()})
        finally:
            os.write(results_w, out.encode())
            os._exit(status)
    os.close(results_w)
    os.close(go_r)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([results_r], [], [], CHILD_TIMEOUT)
            if not ready:
                os.kill(pid, signal.SIGKILL)
                pytest.fail("the forked process did not answer")
            chunk = os.read(results_r, 65536)
            if not chunk:
                break
            if chunk.startswith(b"w") and not chunks:
                between()
                os.write(go_w, b"g")
                chunk = chunk[1:]
            chunks.append(chunk)
    finally:
        os.close(results_r)
        os.close(go_w)
        os.waitpid(pid, 0)
    answer = json.loads(b"".join(chunks))
    assert "error" not in answer, answer["error"]
    return answer["result"]


def test_a_worker_forked_from_a_warm_master_shares_its_snapshot_and_sees_later_changes(
        index, monkeypatch):
    index.warm()
    index.release_files()
    assert open_index_files(index.path) == []  # nothing a worker could share by accident
    read_segments = []
    original = columns.SegmentData.__init__

    def counting(self, reader, vocab):
        read_segments.append(reader.segment().segment_id())
        original(self, reader, vocab)

    monkeypatch.setattr(columns.SegmentData, "__init__", counting)

    def worker(wait):
        first = (ids(index, "labour"), sorted(h.id for h in index.related(1)), len(read_segments))
        wait()  # the parent publishes and withdraws meanwhile
        return [*first, ids(index, "labour"), ids(index, "housing"), len(read_segments)]

    def publish():
        index.apply([make_doc(5, "Labour inspection", objective=[7])], [4])

    labour, related, read_before, labour_after, housing_after, read_after = in_child(
        worker, publish)
    assert labour == [1, 2]
    assert related == [2, 3]
    assert read_before == 0  # the worker read no stored card: the master's columns served
    assert labour_after == [1, 2, 5]
    assert housing_after == []
    assert read_after == 1  # then only the new segment
    assert ids(index, "labour") == [1, 2, 5]  # the master's copy is intact too


def test_a_worker_forked_with_files_open_reopens_its_own(index):
    assert ids(index, "labour") == [1, 2]  # this process reads through its open files
    assert snippets(index, "farms") == FARMS  # and its snippet texts' column
    assert open_index_files(index.path)

    def worker(wait):
        # Point every inherited descriptor at an empty file: reading through one now finds
        # nothing, so a search that used them would fail or find nothing.
        empty = os.open(os.devnull, os.O_RDONLY)
        for fd in open_index_files(index.path):
            os.dup2(empty, fd)
        first = (ids(index, "labour"), ids(index, "clinics"),
                 sorted(h.id for h in index.related(1)), snippets(index, "farms"))
        wait()
        return [*first, ids(index, "inspection")]

    def publish():
        index.apply([make_doc(5, "Labour inspection", objective=[7])], [])

    labour, clinics, related, farms, inspection = in_child(worker, publish)
    assert labour == [1, 2]
    assert clinics == [3]
    assert related == [2, 3]
    assert farms == FARMS
    assert inspection == [5]
    assert ids(index, "clinics") == [3]  # the parent's own files still read right
    assert ids(index, "inspection") == [5]
