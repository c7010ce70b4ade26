"""A temporary git worktree of another commit, for the benchmarks that measure a baseline
the same way in the same run (import_bench.py, write_bench.py, relevance.py)."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def checked_out(ref: str, folder: Path, skip: str) -> Iterator[Path]:
    """Check commit ``ref`` of this repository out in ``folder``; remove it afterwards.

    A commit that cannot be checked out (no git history, an unknown ref) ends the run with a
    message naming ``skip``, the option that leaves the baseline out, not with a traceback.
    """
    added = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet",
                            str(folder), ref], capture_output=True, text=True, check=False)
    if added.returncode:
        raise SystemExit(f"cannot check out {ref} (the baseline needs the repository's "
                         f"history; {skip} skips it):\n{added.stderr}")
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)],
                       check=False)
