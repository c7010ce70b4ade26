"""In-memory columns of one index generation: ids, facets, sort keys and cached postings.

Whoosh segments are immutable apart from deletions, so everything read from a segment is
cached by segment id and reused by later generations; a new generation only reads its new
segments and recomputes the live-document mask. Arrays are indexed by a global document
number (segment offset + segment docnum), including deleted documents, masked by ``live``.
"""
from __future__ import annotations

import heapq
from collections.abc import Set
from itertools import groupby, islice
from typing import Any

import numpy as np
from whoosh.reading import TermNotFound

from kb.search.analysis import LANGUAGES, field_terms, fold, language_of
from kb.search.codes import Vocabulary
from kb.search.errors import IndexDamaged
from kb.search.internals import read_postings
from kb.search.schema import FACETS, MULTI_VALUED, TEXTS

NO_YEAR = -(2**31)
_EMPTY = (np.zeros(0, np.int32), np.zeros(0, np.float32))
_POSTINGS_CACHE_LIMIT = 50_000
_CARDS_LIMIT = 4_096
"""Decoded stored cards kept per segment (then cleared): result pages and the partial-match
check read the same practices' cards again and again, at ~30 µs a decode."""
_LISTINGS_LIMIT = 1_000
"""Prefix listings (with their terms' term infos) kept per segment (then cleared)."""


class SegmentData:
    """Columns and postings of one Whoosh segment.

    ``reader`` (the segment's open files) is None after ``close_files``: the columns and
    cached postings stay, and the owner opens a new reader before the next search
    (kb.search.index, after a fork).
    """

    def __init__(self, reader, vocab: Vocabulary) -> None:
        self.reader = reader
        self.vocab = vocab
        self.segment = reader.segment()
        self.fields = frozenset(reader.indexed_field_names())
        """The fields holding terms here: a document's text is in its own language's fields,
        so a segment of a few practices lacks most languages' (looked up for nothing)."""
        n = reader.doc_count_all()
        self.n = n
        self.ids = np.zeros(n, np.int64)
        self.published = np.zeros(n, np.float64)
        self.start_year = np.full(n, NO_YEAR, np.int64)
        self.lang = np.zeros(n, np.int8)
        self.lens = np.zeros((n, 3), np.float32)
        self.titles: list[str] = [""] * n
        self.versions: list[str] = [""] * n
        docs: dict[str, list[int]] = {f: [] for f in FACETS}
        codes: dict[str, list[int]] = {f: [] for f in FACETS}
        for docnum in range(n):
            card = reader.stored_fields(docnum).get("card") or {}
            self._load_card(docnum, card, vocab, docs, codes)
        self.facet_docs = {f: np.asarray(docs[f], np.int32) for f in FACETS}
        self.facet_codes = {f: np.asarray(codes[f], np.int32) for f in FACETS}
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._listings: dict[tuple[str, str], tuple[list[str], frozenset[str], int,
                                                    str | None]] = {}
        self._infos: dict[tuple[str, str], object] = {}
        self._cards: dict[int, dict] = {}
        self._texts: Any = None  # the column reader of the snippet texts, opened on first use
        self._heads: dict[int, list[int]] = {}
        self._head_table: tuple[np.ndarray, np.ndarray] | None = None
        """Every document's head (offsets into the codes), filled by ``warm_analysis``."""
        self._complete: set[str] = set()
        """Fields whose every term's postings are in ``_postings`` (read by ``warm``)."""

    def _load_card(self, docnum, card, vocab, docs, codes) -> None:
        self.ids[docnum] = card.get("id", -1)
        self.published[docnum] = card.get("published_at") or 0.0
        if card.get("start_year") is not None:
            self.start_year[docnum] = card["start_year"]
        self.lang[docnum] = LANGUAGES.index(language_of(card.get("language")))
        self.lens[docnum] = card.get("lens", (0, 0, 0))
        self.titles[docnum] = fold(card.get("title") or "")
        self.versions[docnum] = card.get("version", "")
        for facet in FACETS:
            value = card.get(facet)
            values = value if facet in MULTI_VALUED else ([] if value is None else [value])
            for v in values:
                docs[facet].append(docnum)
                codes[facet].append(vocab.code(facet, v))

    def close_files(self) -> None:
        """Close the reader's files (a reader inherited through a fork too); keep the data."""
        reader, self.reader, self._texts = self.reader, None, None
        if reader is not None and not reader.is_closed:
            reader.close()

    def warm(self, field: str, budget: int) -> int:
        """Read and cache the postings of the field's terms, in term order, until about
        budget postings are cached; return how many were read."""
        read = 0
        try:
            for btext, info in self.reader.iter_field(field):
                if read >= budget or len(self._postings) >= _POSTINGS_CACHE_LIMIT:
                    return read
                text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                if (field, text) not in self._postings:
                    found = read_postings(self.reader, field, btext, info)
                    self._postings[(field, text)] = found
                    read += len(found[0])
        except Exception as exc:
            raise self.damaged(exc) from exc
        self._complete.add(field)  # a term not cached now is not in the segment
        return read

    def cached(self, field: str) -> dict[str, np.ndarray] | None:
        """Return term -> docnums of every term of field, if ``warm`` read them all."""
        if field not in self._complete:
            return None
        return {term: docs for (name, term), (docs, _) in list(self._postings.items())
                if name == field}

    def card(self, docnum: int) -> dict:
        """Return the stored card of a document (shared: not to be modified)."""
        card = self._cards.get(docnum)
        if card is None:
            card = self._read_card(docnum)
            if len(self._cards) >= _CARDS_LIMIT:
                self._cards.clear()
            self._cards[docnum] = card
        return card

    def texts(self, docnum: int) -> dict[str, str]:
        """Return the plain texts a snippet may come from (kb.search.schema.TextsField)."""
        try:
            texts = self._texts
            if texts is None:
                texts = self._texts = self.reader.column_reader(TEXTS)
            return texts[docnum]
        except Exception as exc:
            raise self.damaged(exc) from exc

    def warm_analysis(self) -> None:
        """Analyse every title and summary once and keep every document's head (a process
        forked afterwards shares them), filling the process's word -> term caches too
        (highlights analyse the titles and summaries of every page of results)."""
        # Cards read, not kept: the card cache is for result pages.
        heads = [self._analyse_head(self._read_card(docnum)) for docnum in range(self.n)]
        offsets = np.zeros(self.n + 1, np.int64)
        offsets[1:] = np.cumsum([len(h) for h in heads])
        codes = np.fromiter((c for h in heads for c in h), np.int32, int(offsets[-1]))
        self._head_table = (offsets, codes)

    def head(self, docnum: int) -> list[int]:
        """Return the codes (Vocabulary.term_id) of the terms of a document's title and
        summary, hyphenated words also joined as the index holds them ("Psycho-social" is
        psychosocial): what the partial-match check asks of each candidate
        (kb.search.matching)."""
        if self._head_table is not None:
            offsets, codes = self._head_table
            return codes[offsets[docnum]:offsets[docnum + 1]].tolist()
        found = self._heads.get(docnum)
        if found is None:
            if len(self._heads) >= _CARDS_LIMIT:
                self._heads.clear()
            found = self._heads[docnum] = self._analyse_head(self.card(docnum))
        return found

    def _analyse_head(self, card: dict) -> list[int]:
        text = f"{card.get('title') or ''} {card.get('summary') or ''}"
        terms = field_terms(text, language_of(card.get("language")))
        return sorted({self.vocab.term_id(t) for t in terms})

    def _read_card(self, docnum: int) -> dict:
        try:
            return self.reader.stored_fields(docnum).get("card") or {}
        except Exception as exc:
            raise self.damaged(exc) from exc

    def damaged(self, exc: Exception) -> IndexDamaged:
        """Return the error to raise for a failure to read this segment's files."""
        return IndexDamaged(f"cannot read segment {self.segment.segment_id()}: "
                            f"{type(exc).__name__}: {exc}")

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        key = (field, term)
        found = self._postings.get(key)
        if found is None:
            if field in self._complete or field not in self.fields:
                return _EMPTY
            try:
                if self._listed_absent(field, term):
                    found = _EMPTY
                else:
                    found = read_postings(self.reader, field, term, self._infos.pop(key, None))
            except TermNotFound:
                found = _EMPTY
            except Exception as exc:
                raise self.damaged(exc) from exc
            if len(self._postings) > _POSTINGS_CACHE_LIMIT:
                self._postings.clear()
                self._complete.clear()
            self._postings[key] = found
        return found

    def expand_prefix(self, field: str, prefix: str, limit: int) -> list[str]:
        """Return this segment's first limit terms of field starting with prefix, in order.

        Their term infos come with them (``iter_prefix`` reads both in one pass), so reading
        their postings next costs no term table lookup; and a term with that prefix that is
        not listed (before the last one listed, when the list is cut) is known absent.
        """
        if field not in self.fields:
            return []
        key = (field, prefix)
        listed = self._listings.get(key)
        if listed is None or listed[2] < limit:
            terms = []
            try:
                for btext, info in islice(self.reader.iter_prefix(field, prefix), limit):
                    text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                    terms.append(text)
                    self._infos[(field, text)] = info
            except Exception as exc:
                raise self.damaged(exc) from exc
            if len(self._listings) > _LISTINGS_LIMIT:
                self._listings.clear()
                self._infos.clear()
            last = terms[-1] if len(terms) == limit else None  # None: every such term
            listed = self._listings[key] = (terms, frozenset(terms), limit, last)
        return listed[0] if len(listed[0]) <= limit else listed[0][:limit]

    def _listed_absent(self, field: str, term: str) -> bool:
        """Return whether a prefix listing of this segment shows that it lacks term."""
        for end in range(2, len(term) + 1):
            listed = self._listings.get((field, term[:end]))
            if listed is not None and term not in listed[1] and (
                    listed[3] is None or term < listed[3]):
                return True
        return False


class Snapshot:
    """Everything a search needs from one index generation, as numpy arrays."""

    def __init__(self, segments: list[tuple[SegmentData, int]], generation) -> None:
        self.generation = generation
        self.segments = segments
        parts = [s for s, _ in segments]
        self.n = sum(s.n for s in parts)
        self.live = np.ones(self.n, bool)
        for seg, offset in segments:
            deleted = list(seg.segment.deleted_docs())
            if deleted:
                self.live[offset + np.asarray(deleted, np.int64)] = False
        self.live_count = int(self.live.sum())
        self.ids = _cat([s.ids for s in parts], np.int64)
        self.published = _cat([s.published for s in parts], np.float64)
        self.start_year = _cat([s.start_year for s in parts], np.int64)
        self.lang = _cat([s.lang for s in parts], np.int8)
        lens = np.concatenate([s.lens for s in parts]) if parts else np.zeros((0, 3), np.float32)
        self.lens = lens
        self.avg_lens = self._average_lengths(lens)
        self.facet_docs = {f: _cat([s.facet_docs[f] + o for s, o in segments], np.int32)
                           for f in FACETS}
        self.facet_codes = {f: _cat([s.facet_codes[f] for s in parts], np.int32) for f in FACETS}
        self._terms: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._frequencies: dict[tuple[tuple[str, ...], str], int] = {}
        self._prefixes: dict[tuple[str, str], list[str]] = {}
        self.scratch: dict[object, Any] = {}
        """Arrays derived from this generation's columns, computed once by their users."""
        self._title_rank: np.ndarray | None = None
        self._positions: dict[int, int] | None = None

    def _average_lengths(self, lens: np.ndarray) -> dict[tuple[int, int], float]:
        out = {}
        for li in range(len(LANGUAGES)):
            rows = lens[(self.lang == li) & self.live].astype(np.float64)
            for kind in range(3):
                # Whole numbers summed in float64 are exact, so the average (and every score)
                # does not depend on how the documents are spread over segments.
                avg = float(rows[:, kind].sum()) / len(rows) if len(rows) else 1.0
                out[(li, kind)] = max(avg, 1.0)
        return out

    def term(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (global docnums, term frequencies) of a term in live documents.

        Deleted documents are left out here, once per generation, so that every count made
        from postings (document frequencies above all) is a count of live documents.
        """
        key = (field, term)
        found = self._terms.get(key)
        if found is None:
            docs, tfs = [], []
            for seg, offset in self.segments:
                d, t = seg.postings(field, term)
                if not len(d):
                    continue
                if seg.segment.has_deletions():
                    keep = self.live[d + offset]
                    d, t = d[keep], t[keep]
                docs.append(d + offset)
                tfs.append(t)
            found = (_cat(docs, np.int32), _cat(tfs, np.float32))
            self._terms[key] = found
        return found

    def frequency(self, fields: tuple[str, ...], term: str) -> int:
        """Return how many live documents contain term in any of fields."""
        key = (fields, term)
        found = self._frequencies.get(key)
        if found is None:
            parts = [self.term(f, term)[0] for f in fields]
            if len(parts) == 1:
                found = len(parts[0])
            else:  # the size of the union: each part's documents are distinct
                seen = np.zeros(self.n, bool)
                found = 0
                for docs in parts:
                    found += len(docs) - int(np.count_nonzero(seen[docs]))
                    seen[docs] = True
            self._frequencies[key] = found
        return found

    def count_frequencies(self, fields: tuple[str, ...]) -> None:
        """Count ``frequency(fields, term)`` of every term of fields at once, from postings
        every segment has cached whole (``SegmentData.warm``); otherwise do nothing."""
        cached = []
        for seg, offset in self.segments:
            for field in fields:
                terms = seg.cached(field)
                if terms is None:
                    return
                cached.append((terms, offset))
        names: dict[str, int] = {}
        docs, owners = [], []
        for terms, offset in cached:
            for term, found in terms.items():
                docs.append(found + offset)
                owners.append(names.setdefault(term, len(names)))
        if not names:
            return
        lengths = [len(d) for d in docs]
        all_docs = np.concatenate(docs).astype(np.int64)
        all_owners = np.repeat(np.asarray(owners, np.int64), lengths)
        keep = self.live[all_docs]
        # Each (term, document) pair once: a document with the term in both fields counts once.
        # (Sorted by hand: numpy 2's hash-based np.unique is ~20x slower on these keys.)
        pairs = np.sort(all_owners[keep] * max(self.n, 1) + all_docs[keep])
        first = np.ones(len(pairs), bool)
        first[1:] = pairs[1:] != pairs[:-1]
        counts = np.bincount(pairs[first] // max(self.n, 1), minlength=len(names)).tolist()
        for term, owner in names.items():
            self._frequencies[(fields, term)] = counts[owner]

    def expand_prefix(self, field: str, prefix: str, limit: int) -> list[str]:
        """Return up to limit indexed terms of a field starting with prefix."""
        key = (field, prefix)
        found = self._prefixes.get(key)
        if found is None:
            # The first limit terms overall are among each segment's first limit terms.
            merged = heapq.merge(*(s.expand_prefix(field, prefix, limit)
                                   for s, _ in self.segments))
            found = [t for t, _ in islice(groupby(merged), limit)]
            self._prefixes[key] = found
        return found

    def doc_frequency(self, field: str, term: str) -> int:
        """Return how many live documents contain term in field."""
        return self.frequency((field,), term)

    def title_rank(self) -> np.ndarray:
        """Return each document's position in accent-folded, case-insensitive title order."""
        if self._title_rank is None:
            titles = [t for s, _ in self.segments for t in s.titles]
            order = sorted(range(len(titles)), key=titles.__getitem__)
            rank = np.empty(len(titles), np.int64)
            rank[np.asarray(order, np.int64)] = np.arange(len(titles))
            self._title_rank = rank
        return self._title_rank

    def position(self, doc_id: int) -> int | None:
        """Return the global docnum of a live document id, or None."""
        if self._positions is None:
            live = np.flatnonzero(self.live)
            self._positions = dict(zip(self.ids[live].tolist(), live.tolist(), strict=True))
        return self._positions.get(doc_id)

    def locate(self, docnum: int) -> tuple[SegmentData, int]:
        """Return the segment and local docnum of a global docnum."""
        for seg, offset in self.segments:
            if docnum < offset + seg.n:
                return seg, docnum - offset
        raise IndexError(docnum)

    def card(self, docnum: int) -> dict:
        """Return the stored card of a global docnum (shared: not to be modified)."""
        seg, local = self.locate(docnum)
        return seg.card(local)

    def texts(self, docnum: int) -> dict[str, str]:
        """Return the plain texts a snippet of a global docnum may come from."""
        seg, local = self.locate(docnum)
        return seg.texts(local)

    def head(self, docnum: int) -> list[int]:
        """Return the codes of the terms of a global docnum's title and summary."""
        seg, local = self.locate(docnum)
        return seg.head(local)

    def head_has(self, docnum: int, terms: Set[str]) -> bool:
        """Return whether the title or summary of a global docnum has any of terms."""
        seg, local = self.locate(docnum)
        head = seg.head(local)  # first: reading a head may code new terms
        codes = seg.vocab.term_ids
        return any(codes.get(t, -1) in head for t in terms)

    def versions(self) -> dict[int, str]:
        out = {}
        for seg, offset in self.segments:
            for local in range(seg.n):
                if self.live[offset + local]:
                    out[int(seg.ids[local])] = seg.versions[local]
        return out


def _cat(arrays: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)
