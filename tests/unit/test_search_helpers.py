"""Document factory shared by the search unit tests."""
from __future__ import annotations

import datetime as dt

BASE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def make_doc(doc_id: int, title: str = "A practice", **fields) -> dict:
    doc = {
        "id": doc_id, "slug": f"practice-{doc_id}", "language": "en", "title": title,
        "summary": "", "description": "", "outcome": "", "results": "", "lessons": "",
        "implemented_by": "", "partners": "", "objective": [1], "principle": [],
        "region": [], "country": [], "stakeholder": [], "level": None, "type": None,
        "status": None, "start_year": None, "end_year": None,
        "published_at": BASE + dt.timedelta(days=doc_id), "updated_at": BASE,
        "version": f"v{doc_id}",
    }
    doc.update(fields)
    return doc
