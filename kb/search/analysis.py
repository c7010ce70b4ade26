"""Text analysis: tokenizing, accent folding, stop words and per-language stemming."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.lang import stemmer_for_language

from kb.taxonomy import LOCALES

# Languages with their own analyzer (the site's languages); any other is analysed as English.
LANGUAGES = LOCALES

MAX_WORD = 40

_WORD = re.compile(r"\w+", re.UNICODE)

# One stop list for all languages keeps a word's fate independent of the entry's language,
# so a query word is either ignored everywhere or looked up everywhere.
STOPWORDS = frozenset(
    """
    a an and are as at be by for from has have in is it its of on or that the this to was were
    will with which who not but their they been into than also these those other such
    au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me meme
    mes moi mon ne nos notre nous ou par pas pour qu que qui sa se ses son sur ta te tes toi
    ton tu un une vos votre vous c d j l m n s t y est sont ete
    al como con del el ella ellas ellos entre era es esta este esto estos fue ha hay las lo los
    mas mi muy nada ni no nos o otra otro para pero por porque se si sin sobre su sus tambien
    tu una uno unos unas ya e
    """.split()
)


def fold(text: str) -> str:
    """Return text lower-cased with accents and other combining marks removed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def language_of(code: str | None) -> str:
    """Return the analyzer language for an entry language code ("other" -> "en")."""
    return code if code in LANGUAGES else "en"


_STEMMERS = {lang: stemmer_for_language(lang) for lang in LANGUAGES}
_IZE = re.compile(r"^(\w{4,})iz(e|es|ed|ing|er|ers|ation|ations)$")
"""English -ize words, spelt -ise before stemming: the English stemmer reduces
"regularization" and "regularize" to "regular" (so "regularization" found every text on
"regular migration") but keeps "regularisation" as "regularis"; one spelling keeps both
spellings the same word and the -ise family apart from its root."""


_AMERICAN = (
    "labor:labour neighbor:neighbour neighborhood:neighbourhood behavior:behaviour "
    "honor:honour favor:favour color:colour harbor:harbour endeavor:endeavour rumor:rumour "
    "center:centre program:programme license:licence defense:defence offense:offence "
    "catalog:catalogue dialog:dialogue skillful:skilful judgment:judgement practice:practise"
)
"""American and British spellings of one word whose stems differ ("centers" is center,
"centres" centr): the American stem is read as the British one, the spelling of UN texts,
so "migrant resource centers" finds "resource centres" and "anti-rumor" "anti-rumour".
Spellings that stem alike (counseling, traveling, enrollment) need no entry."""
_BRITISH = {_STEMMERS["en"](a): _STEMMERS["en"](b)
            for a, b in (pair.split(":") for pair in _AMERICAN.split())}


_FEMININE = re.compile(r"ee(?=s?$)")
"""French -ée/-ées, folded to -ee/-ees before stemming, where the stemmer (which strips
-é, -ée, -és, -ées when it sees the accents) would keep an "e": read as -é/-és, so
"déplacées" and "arrivées" are "déplacés" and "arrivés" (deplac, arriv), as they are to the
stemmer on accented text. Likewise Spanish -iones is read as the singular -ión (folded
-ion, which the stemmer keeps whole without its accent): "regularizaciones" (regulariz) is
"regularización" (regularizacion)."""
_KEPT = {"fr": {"traite": "traite", "traites": "traite", "sûr": "sure", "sûre": "sure",
                "sûrs": "sure", "sûres": "sure"}}
"""Words the stemmer or accent folding would merge with unrelated words, kept apart by
their written form (checked before folding; the terms stay folded, so prefixes find them):
French "traite" (trafficking) would stem like "traitement" (processing) and "traité"
(treaty), and "sûr" (safe) would fold into the stop word "sur". Typing "traité" or
"traitement" still finds those words, not trafficking."""


@lru_cache(maxsize=200_000)
def _term(word: str, lang: str) -> str | None:
    kept = _KEPT.get(lang, {}).get(word.lower())
    if kept is not None:
        return kept
    folded = fold(word)
    if folded in STOPWORDS or len(folded) > MAX_WORD:
        return None
    if lang == "en":
        folded = _IZE.sub(r"\1is\2", folded)
    elif lang == "fr":
        folded = _FEMININE.sub("e", folded)
    elif lang == "es" and folded.endswith("iones"):
        folded = folded[:-2]  # see _FEMININE
    stem = _STEMMERS[lang](folded) or folded
    return _BRITISH.get(stem, stem) if lang == "en" else stem


def words(text: str) -> list[str]:
    """Split text into raw word tokens."""
    return _WORD.findall(text)


def word_bounds(text: str) -> Iterator[tuple[int, int]]:
    """Return an iterator of the (start, end) of each word token of text, in order."""
    return map(re.Match.span, _WORD.finditer(text))


def term(word: str, lang: str) -> str | None:
    """Return the index term of one word in a language, or None for a stop word."""
    return _term(word, lang)


# A sentinel no cached value is; typed Any so that cache.get(w, _MISS) keeps the cache's
# value type (str | None) once the misses are replaced.
_MISS: Any = object()
_CACHE_LIMIT = 500_000
_TERMS: dict[str, dict[str, str | None]] = {lang: {} for lang in LANGUAGES}
_SPELL: dict[str, str | None] = {}


def terms_of(words: list[str], lang: str) -> list[str | None]:
    """Return the index term (None for a stop word) of each word, in order."""
    # A plain dict per language, looked up in a comprehension: analysis is a third of the
    # cost of indexing a document, and almost every word has been seen before.
    cache = _TERMS[lang]
    get = cache.get
    found = [get(w, _MISS) for w in words]
    if _MISS in found:  # a plain object: equal to nothing but itself
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        for i, t in enumerate(found):
            if t is _MISS:
                found[i] = cache[words[i]] = _term(words[i], lang)
    return found


def analyze(text: str, lang: str) -> list[str]:
    """Return the index terms of text in a language (fold, drop stop words, stem)."""
    return [t for t in terms_of(_WORD.findall(text), lang) if t is not None]


_COMPOUND = re.compile(r"\w+(?:[-‐‑]\w+)+", re.UNICODE)


def compounds(text: str, lang: str) -> list[str]:
    """Return the index terms of the hyphenated words of text written joined.

    Indexed beside their parts, they make "psychosocial" find "psycho-social" and
    "hometown" find "home-town" (the query side joins a hyphenated word the same way).
    """
    if "-" not in text and "\u2010" not in text and "\u2011" not in text:
        return []
    out = []
    for m in _COMPOUND.finditer(text):
        joined = _term(re.sub(r"[-‐‑]", "", m.group()), lang)
        if joined is not None:
            out.append(joined)
    return out


def field_terms(text: str, lang: str) -> list[str]:
    """Return the index terms of a title's or summary's text as the index holds them: its
    words, and its hyphenated words joined (compounds)."""
    return analyze(text, lang) + compounds(text, lang)


def pairs(terms: list[str]) -> list[str]:
    """Return the word-pair terms that let a phrase be matched by term lookups."""
    return [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]


def spelling_words(text: str) -> set[str]:
    """Return the folded surface words of text worth offering as corrections."""
    out: set[str] = set()
    for w in set(_WORD.findall(text)):
        f = _SPELL.get(w, _MISS)
        if f is _MISS:
            if len(_SPELL) > _CACHE_LIMIT:
                _SPELL.clear()
            f = fold(w)
            f = _SPELL[w] = f if (3 <= len(f) <= MAX_WORD and f.isalpha()
                                  and f not in STOPWORDS) else None
        if f is not None:
            out.add(f)
    return out
