"""Every rich-text and text field, fed the XSS corpora, renders with no executable markup."""
from __future__ import annotations

import json
import re

import pytest

from tests.conftest import shared_path
from tests.htmlaudit import audit_html

BATCH = 40  # vectors per practice: one practice per vector would be needlessly slow
RICH = ("description", "results", "lessons")
PLAIN = ("summary", "outcome", "implemented_by", "partners", "funding")


def load(name: str) -> list[str]:
    path = shared_path("corpora", "xss", name)
    return [json.loads(line)["vector"] for line in path.read_text("utf-8").split("\n")
            if line.strip()]


def between(html: str, start: str, end: str) -> str:
    i, j = html.find(start), html.rfind(end)
    assert i >= 0, f"no {start} in the page"
    assert j > i, f"no {end} after {start} in the page"
    return html[i:j + len(end)]


def check_batch(app, make_practice, vectors: list[str], n: int) -> None:
    marker = f"xssbatch{n}"
    text = "\n\n".join(vectors)
    overrides = {name: text for name in RICH}
    overrides.update({name: " ".join(vectors)[:500] for name in PLAIN})
    pid = make_practice(state="published", title=f"{marker} {vectors[0][:150]}",
                        contact={"name": vectors[0][:190], "email": "x@example.org",
                                 "public": True}, **overrides)
    client = app.test_client()
    found = client.get("/api/v1/practices", query_string={"q": marker}).get_json()
    assert found["total"] == 1, f"batch {n} not indexed"
    slug = found["results"][0]["slug"]
    problems = []
    page = client.get(f"/practices/{slug}").get_data(as_text=True)
    problems += audit_html(between(page, "<article", "</article>"))
    api = client.get(f"/api/v1/practices/{slug}").get_json()
    for name in RICH:
        problems += audit_html(api[f"{name}_html"])
    results = client.get("/practices", query_string={"q": marker}).get_data(as_text=True)
    problems += audit_html(between(results, "<ol class=\"cards\"", "</ol>"))
    assert problems == [], f"batch {n} (practice {pid}): {problems[:5]}"


CORE_BATCHES = 13


@pytest.mark.parametrize("n", range(CORE_BATCHES))
def test_core_vectors_render_without_executable_markup(app, make_practice, n):
    vectors = load("core-vectors.jsonl")
    check_batch(app, make_practice, vectors[n * BATCH:(n + 1) * BATCH], n)


def test_the_core_corpus_fills_exactly_the_batches():
    # Every vector is in a batch, and no batch is empty (an empty one would check nothing).
    assert (CORE_BATCHES - 1) * BATCH < len(load("core-vectors.jsonl")) <= CORE_BATCHES * BATCH


@pytest.mark.slow
def test_all_vectors_render_without_executable_markup(app, make_practice):
    vectors = load("all-vectors.jsonl")
    for n in range(0, len(vectors), BATCH * 2):
        check_batch(app, make_practice, vectors[n:n + BATCH * 2], n)


def test_markup_in_a_submission_never_reaches_the_preview_as_markup(app):
    from tests.web.review_support import form_data, make_member, signed_in

    user = make_member(app, "submitter")
    client = signed_in(app, user)
    payload = '<img src=x onerror=alert(1)><a href="javascript:alert(2)">x</a><svg onload=1>'
    client.post("/submissions/new", data={**form_data(title="Preview xss",
                                                      description=payload), "save": "y"})
    listing = client.get("/submissions/").get_data(as_text=True)
    pid = re.search(r'/submissions/(\d+)"', listing).group(1)
    page = client.get(f"/submissions/{pid}/preview").get_data(as_text=True)
    assert audit_html(between(page, "<article", "</article>")) == []
