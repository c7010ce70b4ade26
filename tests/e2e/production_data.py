"""Seed a production-test database in its own process: users, and practices awaiting approval.

Run as `python -c "from tests.e2e.production_data import main; main()" SPEC_JSON` with the
KB_* environment of the server under test; prints {"reviewers": {...}, "practices": {...}}.
"""
from __future__ import annotations

import json
import sys

PASSWORD = "correct horse battery staple"


def record(title: str, word: str) -> dict:
    """A complete practice record whose summary carries a word no other practice has."""
    return {
        "title": title,
        "summary": f"A desk where newcomers register and reach services ({word}).",
        "description": f"The city opened one desk for every first step. {word}",
        "objectives": [15, 16], "principles": ["people-centred"], "level": "local",
        "regions": ["europe-north-america"], "countries": ["BEL"], "practice_type": "service",
        "implemented_by": "City of Example", "partners": "Civil society",
        "stakeholders": ["local-authorities"], "start_year": 2019, "end_year": 2023,
        "implementation_status": "completed", "outcome": "Newcomers reach services in days.",
        "results": "- 4,000 people served", "lessons": "Start with the reception staff.",
        "funding": "Municipal budget",
        "contact": {"name": "Ana Focal", "email": "ana@example.org", "public": False},
        "links": [], "language": "en",
    }


def seed(spec: dict) -> dict:
    """Create reviewers and, per reviewer, practices they have claimed; return ids and words."""
    from kb import create_app, db
    from kb.services import accounts, reviews, submissions
    from kb.workflow import CHECKLIST_KEYS

    app = create_app()
    out: dict = {"reviewers": {}, "practices": {}}
    # Services send mail with translated subjects, which needs a request's locale.
    with app.test_request_context():
        with db.write_transaction():
            org = accounts.get_or_create_organization("Submitting City")
            submitter = accounts.create_user("submitter@example.org", "Submitter", PASSWORD,
                                             role="submitter", organization=org)
            reviewers = {}
            for name in spec["reviewers"]:
                rorg = accounts.get_or_create_organization(f"Review body {name}")
                reviewers[name] = accounts.create_user(f"{name}@example.org", name, PASSWORD,
                                                       role="reviewer", organization=rorg)
        # One published practice from the start: a fresh site with none is another test's
        # subject (an empty index must answer searches too).
        anchor = submissions.create_draft(submitter, record("Anchor practice", "zqanchor"),
                                          submit=True)
        first = next(iter(reviewers.values()))
        reviews.claim(first, anchor.id, True)
        reviews.approve(first, anchor.id, dict.fromkeys(CHECKLIST_KEYS, True))
        out["anchor"] = {"id": anchor.id, "word": "zqanchor"}
        for name, reviewer in reviewers.items():
            out["reviewers"][name] = reviewer.email
            ids = []
            for n in range(spec["per_reviewer"]):
                word = f"zq{name}x{n}w"
                practice = submissions.create_draft(
                    submitter, record(f"Practice {n} for {name}", word), submit=True)
                reviews.claim(reviewer, practice.id, True)
                ids.append({"id": practice.id, "word": word})
            out["practices"][name] = ids
    return out


def main() -> None:
    print(json.dumps(seed(json.loads(sys.argv[1]))))
