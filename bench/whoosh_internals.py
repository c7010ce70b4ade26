"""What each private Whoosh internal in kb/search/internals.py saves over the public API.

Usage: .venv/bin/python bench/whoosh_internals.py [--practices 2000]
Prints, for each internal, the time with kb's way and with the public alternative (one run on
the generated corpus of bench/search_bench.py). Asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from bench.search_bench import Corpus
from kb.search import SearchIndex, internals
from kb.search.schema import body_field, make_schema, term_fields, to_fields


def build(path: Path, docs: list[dict], public: bool) -> float:
    path.mkdir()
    ix = whoosh_index.create_in(str(path), make_schema())
    fields = [to_fields(d) for d in docs]
    start = time.perf_counter()
    if public:  # the stock writer, each term list given as text to the field's analyzer
        writer = ix.writer(codec=W3Codec(), compound=False)
        for f in fields:
            writer.add_document(**{k: " ".join(v) if k in term_fields() else v
                                   for k, v in f.items()})
    else:
        writer = internals.TermsWriter(ix, term_fields(), codec=internals.make_codec(),
                                       compound=False)
        for f in fields:
            writer.add_document(**f)
    writer.commit()
    return time.perf_counter() - start


def read_all(ix, terms: list[str], public: bool) -> float:
    start = time.perf_counter()
    with ix.reader() as reader:
        for t in terms:
            if public:
                matcher = reader.postings(body_field("en"), t)
                while matcher.is_active():
                    matcher.id(), matcher.weight()
                    matcher.next()
            else:
                internals.read_postings(reader, body_field("en"), t)
    return time.perf_counter() - start


def _text_fields(doc: dict) -> dict:
    return {k: " ".join(v) if k in term_fields() else v for k, v in to_fields(doc).items()}


def publish(path: Path, docs: list[dict], public: bool) -> float:
    """Return the median time to commit one more document to a 200-document index."""
    samples = []
    if public:
        path.mkdir()
        ix = whoosh_index.create_in(str(path), make_schema())
        writer = ix.writer(codec=W3Codec(), compound=False)
        for doc in docs[:200]:
            writer.add_document(**_text_fields(doc))
        writer.commit()
    else:
        index = SearchIndex(path)
        index.rebuild(docs[:200])
    for i, doc in enumerate(docs[200:260]):
        doc = {**doc, "id": 10_000 + i}
        start = time.perf_counter()
        if public:
            writer = ix.writer(codec=W3Codec(), compound=False)
            writer.update_document(**_text_fields(doc))
            writer.commit(merge=False)
        else:
            index.apply([doc], [])
        samples.append(time.perf_counter() - start)
    if not public:
        index.close()
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=1000)
    n = parser.parse_args().practices
    corpus = Corpus()
    docs = [corpus.document(i) for i in range(1, n + 1)]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ours, stock = build(work / "a", docs, False), build(work / "b", docs, True)
        print(f"1. build {n}: TermsWriter {n / ours:.0f} docs/s, stock writer "
              f"{n / stock:.0f} docs/s ({stock / ours:.1f}x slower)")
        ix = whoosh_index.open_dir(str(work / "a"))
        with ix.reader() as reader:
            terms = [t.decode() for _, t in reader.most_frequent_terms(body_field("en"), 200)]
        ours, stock = read_all(ix, terms, False), read_all(ix, terms, True)
        print(f"3. read postings of the 200 most frequent terms: blocks {ours * 1000:.1f} ms, "
              f"public matcher {stock * 1000:.1f} ms ({stock / ours:.1f}x slower)")
        start = time.perf_counter()
        for _ in range(50):
            internals.read_toc(ix)
        ours = (time.perf_counter() - start) / 50
        start = time.perf_counter()
        for _ in range(50):
            ix.reader().close()
        stock = (time.perf_counter() - start) / 50
        print(f"4. per generation: read the TOC {ours * 1000:.2f} ms, ix.reader() "
              f"{stock * 1000:.2f} ms ({stock / ours:.1f}x slower)")
        ix.close()
        ours = publish(work / "c", docs, False)
        stock = publish(work / "d", docs, True)
        print(f"5. publish one document (median): kb {ours * 1000:.1f} ms, stock writer and "
              f"codec {stock * 1000:.1f} ms ({stock / ours:.1f}x slower)")


if __name__ == "__main__":
    main()
