"""Running a search or a related-practices lookup against one snapshot."""
from __future__ import annotations

import datetime as dt

import numpy as np

from kb.search import facets, matching
from kb.search.analysis import LANGUAGES, language_of
from kb.search.codes import Vocabulary
from kb.search.columns import Snapshot
from kb.search.evaluate import BODY, TITLE, Evaluator, related_terms
from kb.search.highlight import field_snippet, highlight
from kb.search.query import has_positive_terms, parse
from kb.search.results import MAX_PER_PAGE, SORTS, Hit, Notice, SearchRequest, SearchResults
from kb.search.schema import body_field, title_field

TIME_BUDGET = 0.8
RELATED_OBJECTIVE_WEIGHT = 2.0


def _order(snap: Snapshot, idx: np.ndarray, score: np.ndarray, sort: str,
           tiers: np.ndarray | None = None, limit: int | None = None) -> np.ndarray:
    """Return idx in result order (the first limit of them, when limit is given)."""
    ids = snap.ids[idx]
    keys: tuple[np.ndarray, ...]
    if sort == "relevance":
        keys = (ids, -score[idx])
    elif sort == "title":
        keys = (ids, snap.title_rank()[idx])
    elif sort == "start_year":
        years = snap.start_year[idx]
        keys = (ids, np.where(years == facets.NO_YEAR, np.iinfo(np.int64).max, years))
    else:
        keys = (ids, -snap.published[idx])
    if tiers is not None:  # full matches first, whatever the sort (kb.search.matching)
        keys = (*keys, tiers[idx] if sort == "relevance" else tiers[idx] // 1000)
    if limit is not None and len(idx) > 2 * limit:
        return idx[_first(keys, limit)]
    return idx[np.lexsort(keys)]


def _first(keys: tuple[np.ndarray, ...], limit: int) -> np.ndarray:
    """Return the positions of the first limit elements in np.lexsort(keys) order.

    The same as np.lexsort(keys)[:limit] (the last key is the primary one, the first holds
    unique ids), without sorting every match: per key, from the primary one, the elements
    below the limit-th value are in, those above it out, and only the ties go on to the
    next key. A 100,000-practice query matching most practices then costs a few
    partitions instead of a sort of all its matches.
    """
    if any(k.dtype.kind == "f" and np.isnan(k).any() for k in keys):
        return np.lexsort(keys)[:limit]
    chosen: list[np.ndarray] = []
    left = np.arange(len(keys[0]))
    need = limit
    for key in reversed(keys):
        if len(left) <= need:
            break
        values = key[left]
        kth = np.partition(values, need - 1)[need - 1]
        below = left[values < kth]
        chosen.append(below)
        need -= len(below)
        left = left[values == kth]
    chosen.append(left)
    picked = np.sort(np.concatenate(chosen))  # lexsort is stable: keep full ties in order
    return picked[np.lexsort(tuple(k[picked] for k in keys))][:limit]


def _hit(snap: Snapshot, docnum: int, score: float, terms: dict[str, set[str]] | None,
         match: str = "all", snippets: bool = False) -> Hit:
    """Return a result card; with snippets, a hit whose summary does not show why it
    matched gets a marked snippet of the first other field that does (description,
    outcome, results, lessons, implementer, partners)."""
    card = snap.card(docnum)
    lang = language_of(card.get("language"))
    highlights = {}
    if terms and terms.get(lang):
        if snap.head_has(docnum, terms[lang]):  # else neither has a word to mark
            for field, snippet in (("title", False), ("summary", True)):
                marked = highlight(card.get(field) or "", lang, terms[lang], snippet)
                if marked:
                    highlights[field] = marked
        if snippets and "summary" not in highlights:
            found = field_snippet(snap.texts(docnum), lang, terms[lang])
            if found is not None:
                highlights[found[0]] = found[1]
    published = card.get("published_at")
    return Hit(
        id=int(card["id"]), slug=card.get("slug") or "", title=card.get("title") or "",
        summary=card.get("summary") or "", objective=list(card.get("objective") or []),
        level=card.get("level"), region=list(card.get("region") or []),
        country=list(card.get("country") or []), start_year=card.get("start_year"),
        end_year=card.get("end_year"),
        published_at=dt.datetime.fromtimestamp(published, dt.UTC) if published else None,
        language=card.get("language") or "en", highlights=highlights, score=float(score),
        match=match,
    )


def search(snap: Snapshot, vocab: Vocabulary, req: SearchRequest) -> SearchResults:
    """Return one page of results with facet counts; raises ValueError on an unknown facet."""
    facets.check_filters(req.filters)
    parsed = parse(req.q)
    understood = matching.understand(snap, vocab, parsed.node, parsed.text, req.lang,
                                     TIME_BUDGET)
    evaluator, found = understood.evaluator, understood.matched
    result = (found.mask, found.score) if found is not None else None
    notices = list(parsed.notices)
    if parsed.node is not None and result is None and not evaluator.timed_out:
        notices.append(Notice("no_searchable_words"))
    text_mask, score = result if result else (snap.live, np.zeros(snap.n, np.float32))
    years = facets.year_mask(snap, req.year_from, req.year_to)
    base = text_mask if years is None else text_mask & years
    if req.ids is not None:
        base = base & np.isin(snap.ids, np.asarray(req.ids, dtype=snap.ids.dtype))
    masks = facets.filter_masks(snap, vocab, req.filters)
    matched = facets.apply_filters(base, masks)
    counts = facets.count(snap, vocab, base, masks, req.filters, matched)
    sort = req.sort if req.sort in SORTS else None
    if sort is None:
        sort = "relevance" if result and has_positive_terms(parsed.node) else "newest"
    page, per_page = max(1, req.page), min(max(1, req.per_page), MAX_PER_PAGE)
    idx = np.flatnonzero(matched)
    full_total = (int((matched & ~found.some).sum()) if found and found.some is not None
                  else len(idx))
    base_all = snap.live if years is None else snap.live & years
    tiers = matching.tiers(snap, understood)
    ordered = _order(snap, idx, score, sort, tiers, page * per_page)[
        (page - 1) * per_page: page * per_page]
    hits = [_hit(snap, int(d), score[d], evaluator.highlight_terms,
                 matching.match_kind(understood, int(d)), snippets=found is not None)
            for d in ordered]
    if evaluator.timed_out:
        notices.append(Notice("timed_out"))
    return SearchResults(
        total=len(idx), page=page, per_page=per_page, hits=hits, facets=counts,
        suggestion=matching.did_you_mean(snap, vocab, understood, parsed.text, req.lang,
                                         facets.apply_filters(base_all, masks), full_total),
        full_total=full_total,
        expanded=understood.plan.expanded, query_language=understood.plan.language,
        notices=notices,
    )


def related(snap: Snapshot, doc_id: int, limit: int) -> list[Hit]:
    """Return up to limit practices sharing objectives and distinctive terms with doc_id."""
    pos = snap.position(doc_id)
    if pos is None or limit <= 0:
        return []
    card = snap.card(pos)
    lang = language_of(card.get("language"))
    evaluator = Evaluator(snap)
    acc = evaluator.blank()
    li = LANGUAGES.index(lang)
    text = f"{card.get('title') or ''} {card.get('summary') or ''}"
    for token in related_terms(snap, text, lang):
        evaluator.add(acc, title_field(lang), token, li, TITLE)
        evaluator.add(acc, body_field(lang), token, li, BODY)
    mask, score = acc
    docs, codes = snap.facet_docs["objective"], snap.facet_codes["objective"]
    own = np.zeros(int(codes.max()) + 1 if len(codes) else 0, bool)
    own[codes[docs == pos]] = True
    shared = docs[own[codes]]
    # The weight once per objective shared, added one objective at a time (as np.add.at
    # would, so every float32 score is the same to the bit).
    times = np.bincount(shared, minlength=snap.n)
    for k in range(1, int(times.max(initial=0)) + 1):
        score[times >= k] += RELATED_OBJECTIVE_WEIGHT
    mask[shared] = True
    mask &= snap.live
    mask[pos] = False
    ordered = _order(snap, np.flatnonzero(mask), score, "relevance", limit=limit)[:limit]
    return [_hit(snap, int(d), score[d], None) for d in ordered]
