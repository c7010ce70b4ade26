"""Helpers shared by the submission and review tests: people, sign-in, form data, mail."""
from __future__ import annotations

import email
import itertools
from pathlib import Path

from kb import db
from kb.models import Organization, User
from tests.conftest import PASSWORD, valid_record

_seq = itertools.count(1)


def make_member(app, role: str = "submitter", organization: str | None = None) -> User:
    """Create an active user of ``organization`` whose password is PASSWORD.

    The hash is stored directly so these tests do not depend on the password policy.
    """
    from kb.services import accounts

    n = next(_seq)
    with app.app_context(), db.write_transaction() as session:
        name = organization or f"Member org {n}"
        org = session.query(Organization).filter_by(name=name).first()
        if org is None:
            org = Organization(name=name)
            session.add(org)
            session.flush()
        user = User(email=f"member{n}-{role}@example.org", name=f"{role.title()} {n}",
                    password_hash=accounts.hash_password(PASSWORD), role=role,
                    organization_id=org.id)
        session.add(user)
    return user


def api_client(app, user: User):
    """Return call(method, path, json=None) -> response, with a new bearer token of ``user``."""
    from kb.services import tokens

    with app.app_context():
        token = tokens.create_token(user, user)
    client = app.test_client()

    def call(method: str, path: str, json=None):
        return client.open(path, method=method, json=json,
                           headers={"Authorization": f"Bearer {token}"})

    return call


def signed_in(app, user: User):
    """Return a new test client signed in as ``user``."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    return client


def form_data(**overrides) -> dict:
    """The submission form filled from a valid record."""
    record = valid_record(**overrides)
    data = {k: record[k] for k in ("title", "summary", "description", "practice_type",
                                   "language", "level", "implemented_by", "partners",
                                   "implementation_status", "outcome", "results", "lessons",
                                   "funding")}
    data.update(objectives=[str(o) for o in record["objectives"]],
                principles=record["principles"], regions=record["regions"],
                countries=record["countries"], stakeholders=record["stakeholders"],
                start_year=str(record["start_year"] or ""),
                end_year=str(record["end_year"] or ""),
                contact_name=record["contact"]["name"], contact_email=record["contact"]["email"])
    if record["contact"]["public"]:
        data["contact_public"] = "y"
    for i, link in enumerate(record["links"]):
        data[f"links-{i}-title"] = link["title"]
        data[f"links-{i}-url"] = link["url"]
    return data


def mails_to(app, address: str) -> list[email.message.Message]:
    """Return the .eml messages written for ``address``, oldest first."""
    folder = Path(app.config["MAIL_DIR"])
    messages = [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]
    return [m for m in messages if m["To"] == address]


CHECKLIST_ALL = {f"check_{k}": "y" for k in ("relates_to_objectives", "adheres_to_principles",
                                            "implemented", "completed",
                                            "innovative_replicable")}
