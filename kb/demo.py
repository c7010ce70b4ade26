"""The illustrative demo repository: organizations, three demo accounts, practices in all states."""
from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from kb import db, demo_calls
from kb.models import Organization, User
from kb.services import accounts
from kb.services.transfer import create_practice, title_exists
from kb.services.validation import validate_record

DATA = Path(__file__).parent / "data" / "demo_practices.json"
REVIEW_TEAM = "Repository review team (illustrative)"
ACCOUNTS = (
    ("admin@example.org", "Demo Admin", "admin", REVIEW_TEAM),
    ("reviewer@example.org", "Demo Reviewer", "reviewer", REVIEW_TEAM),
    ("submitter@example.org", "Demo Submitter", "submitter", None),
)


@dataclass
class DemoReport:
    created_accounts: list[tuple[str, str, str]] = field(default_factory=list)
    existing_accounts: list[str] = field(default_factory=list)
    practices_added: int = 0
    practices_present: int = 0
    calls_added: int = 0
    collections_added: int = 0
    notice: str = ""

    def lines(self) -> list[str]:
        out = [self.notice] if self.notice else []
        out.append(f"Demo practices: {self.practices_added} added, "
                   f"{self.practices_present} already present.")
        out.append(f"Demo calls for practices added: {self.calls_added}; featured collections "
                   f"added: {self.collections_added}.")
        return out

    def account_lines(self) -> list[str]:
        """The demo accounts, for the block `kb init --demo` ends with."""
        out = []
        if self.created_accounts:
            out.append("Demo accounts (passwords are shown only now; write them down):")
            out += [f"  {role:<9} {email:<24} password: {pw}"
                    for email, role, pw in self.created_accounts]
        if self.existing_accounts:
            out.append("Demo accounts (they already existed: passwords unchanged; delete the "
                       "database for new ones):")
            out += [f"  {email}" for email in self.existing_accounts]
        return out


def load(path: Path = DATA) -> DemoReport:
    """Create the demo accounts and practices that are not there yet; safe to run again."""
    data = json.loads(path.read_text(encoding="utf-8"))
    report = DemoReport(notice=data.get("notice", ""))
    with db.write_transaction() as session:
        orgs = {o["name"]: _organization(session, o) for o in data["organizations"]}
        first_org = next(iter(orgs.values()))
        users = {role: _account(session, email, name, role,
                                orgs.get(org_name) if org_name else first_org, report)
                 for email, name, role, org_name in ACCOUNTS}
        users["reviewer"].organization = users["admin"].organization = _organization(
            session, {"name": REVIEW_TEAM, "type": "un-entity", "level": "global"})
        base = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)
        for n, raw in enumerate(data["practices"]):
            _practice(session, raw, orgs, users, base + dt.timedelta(days=5 * n), report)
        session.flush()
        report.calls_added, report.collections_added = demo_calls.load(session)
    return report


def _organization(session, spec: dict) -> Organization:
    org = session.scalar(select(Organization).where(Organization.name == spec["name"]))
    if org is None:
        org = Organization(name=spec["name"], type=spec.get("type", "other"),
                           level=spec.get("level", "national"), country=spec.get("country"))
        session.add(org)
        session.flush()
    return org


def _account(session, email: str, name: str, role: str, org: Organization | None,
             report: DemoReport) -> User:
    user = accounts.find_user(email)
    if user is not None:
        report.existing_accounts.append(email)
        return user
    password = secrets.token_urlsafe(12)
    user = accounts.create_user(email, name, password, role=role, organization=org)
    report.created_accounts.append((email, role, password))
    return user


def _practice(session, raw: dict, orgs: dict, users: dict, when: dt.datetime,
              report: DemoReport) -> None:
    if title_exists(session, raw["title"]):
        report.practices_present += 1
        return
    state = raw["state"]
    record = validate_record({k: v for k, v in raw.items() if k not in ("state", "organization")},
                             complete=state != "draft")
    org = orgs[raw["organization"]]
    # The demo submitter owns the practices still in the workflow so that they appear under
    # "My practices"; published ones belong to their organization alone.
    submitter = users["submitter"] if state != "published" else None
    practice = create_practice(session, record, state, submitter, org, when)
    if state == "in_review":
        practice.claimed_by = users["reviewer"]
    report.practices_added += 1


def demo_titles() -> set[str]:
    """Return the titles of the demo practices (for tests and checks)."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {p["title"] for p in data["practices"]}


__all__ = ["DemoReport", "demo_titles", "load"]
