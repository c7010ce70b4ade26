"""'Did you mean': corrections for query words from the index's own vocabulary."""
from __future__ import annotations

import re

from kb.search.analysis import fold
from kb.search.columns import Snapshot

MAX_WORDS = 8


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def correct(snap: Snapshot, word: str) -> str | None:
    """Return the closest, most frequent indexed word within 2 edits of word, or None."""
    folded = fold(word)
    if len(folded) < 3 or not folded.isalpha():
        return None
    maxdist = 1 if len(folded) < 6 else 2
    candidates = set()
    for seg, _ in snap.segments:
        candidates.update(seg.reader.terms_within("spell", folded, maxdist, prefix=1))
    candidates.discard(folded)
    if not candidates:
        return None
    best = min(candidates, key=lambda c: (_distance(c, folded),
                                          -snap.doc_frequency("spell", c), c))
    return best


def suggestion(snap: Snapshot, text: str, unmatched: list[str]) -> str | None:
    """Return text with unmatched words replaced by corrections, or None if none is found."""
    fixes = {}
    for word in unmatched[:MAX_WORDS]:
        fixed = correct(snap, word)
        if fixed:
            fixes[word] = fixed
    if not fixes:
        return None
    return re.sub(r"[^\s()\"]+", lambda m: fixes.get(m.group(), m.group()), text)
