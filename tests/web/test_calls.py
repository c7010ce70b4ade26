"""Calls for practices through the pages: an admin opens a call, a submitter answers it from the
call page, a reviewer filters the queue by call and approves, the practice shows on the call
page and under call=<slug> everywhere; after the deadline a submission is refused."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

from kb.db import utcnow
from tests.web.review_support import CHECKLIST_ALL, form_data, mails_to, make_member, signed_in


def _day(offset: int) -> str:
    return (utcnow().date() + dt.timedelta(days=offset)).isoformat()


def _open_call(admin_client, slug: str = "migration-data", **extra) -> None:
    data = {"title": "Migration Data", "slug": slug, "objectives": ["1"],
            "description": "Who may submit: **anyone**. <script>alert(1)</script>",
            "opens_on": _day(-3), "closes_on": _day(20), "contact": "calls@example.org",
            **extra}
    r = admin_client.post("/admin/calls/new", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]


def _practice_id(location: str) -> int:
    return int(re.search(r"/submissions/(\d+)", location).group(1))


def test_a_call_runs_from_opening_to_a_published_answer(app):
    admin = signed_in(app, make_member(app, role="admin", organization="Hub"))
    _open_call(admin)
    anonymous = app.test_client()
    page = anonymous.get("/calls/migration-data").get_data(as_text=True)
    assert "<strong>anyone</strong>" in page
    assert "<script>alert" not in page
    assert 'href="/practices?objective=1"' in page
    assert "calls@example.org" in page
    assert "20 days left" in page
    assert 'href="/submissions/new?call=migration-data"' in page
    listing = anonymous.get("/calls/").get_data(as_text=True)
    assert listing.index("Open calls") < listing.index("Migration Data")
    assert "Migration Data" in anonymous.get("/").get_data(as_text=True)

    submitter = signed_in(app, make_member(app))
    form = submitter.get("/submissions/new?call=migration-data").get_data(as_text=True)
    assert 'name="call" type="hidden" value="migration-data"' in form
    assert "Answering the call:" in form
    r = submitter.post("/submissions/new", data={**form_data(title="Data for all"),
                                                 "call": "migration-data", "send": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    practice_id = _practice_id(r.headers["Location"])

    reviewer = signed_in(app, make_member(app, role="reviewer", organization="Reviewers"))
    submitter.post("/submissions/new", data={**form_data(title="Not in the call"),
                                             "send": "y"})
    queue = reviewer.get("/review/?call=migration-data").get_data(as_text=True)
    assert "Data for all" in queue
    assert "Not in the call" not in queue
    assert "Migration Data" in queue
    assert "Not in the call" in reviewer.get("/review/").get_data(as_text=True)
    reviewer.post(f"/review/{practice_id}/claim", data={"no_conflict": "y"})
    r = reviewer.post(f"/review/{practice_id}/decide",
                      data={"decision": "approve", **CHECKLIST_ALL})
    assert r.status_code == 302

    assert "Data for all" in anonymous.get("/calls/migration-data").get_data(as_text=True)
    assert "Submitted in answer to the call:" in anonymous.get("/practices/data-for-all").get_data(
        as_text=True)
    search = anonymous.get("/practices?call=migration-data").get_data(as_text=True)
    assert "Data for all" in search
    api = anonymous.get("/api/v1/practices?call=migration-data").get_json()
    assert [h["title"] for h in api["results"]] == ["Data for all"]
    assert api["facets"]["call"][0]["label"] == "Migration Data"
    rows = list(csv.DictReader(io.StringIO(anonymous.get(
        "/api/v1/practices.csv?call=migration-data").get_data(as_text=True))))
    assert [row["title"] for row in rows] == ["Data for all"]
    feed = anonymous.get("/feed.atom?call=migration-data").get_data(as_text=True)
    assert "Data for all" in feed
    assert "Not in the call" not in feed
    assert anonymous.get("/api/v1/practices?call=no-such-call").get_json()["total"] == 0


def test_after_the_deadline_a_submission_to_the_call_is_refused_and_names_it(app):
    admin = signed_in(app, make_member(app, role="admin", organization="Hub"))
    _open_call(admin, opens_on=_day(-30), closes_on=_day(-1))
    submitter = signed_in(app, make_member(app))
    r = submitter.post("/submissions/new", data={**form_data(title="Too late"),
                                                 "call": "migration-data", "send": "y"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "closed on " + _day(-1) in page
    assert 'id="call-error"' in page
    # The draft keeps its link; removing the call lets it go to the repository.
    practice_id = int(re.search(r'action="/submissions/(\d+)/edit"', page).group(1))
    r = submitter.post(f"/submissions/{practice_id}/edit",
                       data={**form_data(title="Too late"), "call": "migration-data",
                             "remove_call": "y", "send": "y"})
    assert r.status_code == 302


def test_admin_closes_a_call_early_and_reviewers_are_told_once(app, runner):
    admin_user = make_member(app, role="admin", organization="Hub")
    admin = signed_in(app, admin_user)
    reviewer = make_member(app, role="reviewer", organization="Reviewers")
    _open_call(admin)
    submitter = signed_in(app, make_member(app))
    submitter.post("/submissions/new", data={**form_data(title="In time"),
                                             "call": "migration-data", "send": "y"})
    page = admin.get("/admin/calls").get_data(as_text=True)
    assert "Close now" in page
    assert admin.post("/admin/calls/migration-data/close").status_code == 302
    assert "Closed early on" in app.test_client().get("/calls/migration-data").get_data(
        as_text=True)
    result = runner.invoke(args=["kb", "calls", "notify-closed"])
    assert result.exit_code == 0, result.output
    assert "migration-data: 1 waiting" in result.output, result.output
    assert "1 submission answering it waits" in _closing_mails(app, reviewer)[0]
    assert len(_closing_mails(app, admin_user)) == 1
    again = runner.invoke(args=["kb", "calls", "notify-closed"])
    assert "No newly closed call" in again.output
    assert len(_closing_mails(app, reviewer)) == 1


def _closing_mails(app, person) -> list[str]:
    return [m.get_payload(decode=True).decode() for m in mails_to(app, person.email)
            if m["Subject"].startswith("Call closed")]


def test_the_call_form_names_the_fields_it_refuses(app):
    admin = signed_in(app, make_member(app, role="admin", organization="Hub"))
    r = admin.post("/admin/calls/new", data={"title": "", "opens_on": _day(5),
                                             "closes_on": _day(1), "slug": "Bad Slug"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="slug-error"' in page
    assert 'id="title-error"' in page


def test_the_call_follows_every_step_of_the_form_and_the_page_speaks_the_readers_language(app):
    admin = signed_in(app, make_member(app, role="admin", organization="Hub"))
    _open_call(admin, closes_on="2099-12-31")
    submitter = signed_in(app, make_member(app))
    r = submitter.post("/submissions/new", data={**form_data(title="Stepwise"),
                                                 "call": "migration-data"})
    practice_id = _practice_id(r.headers["Location"])
    for step in ("basics", "who", "resources", "review"):
        page = submitter.get(f"/submissions/{practice_id}/edit?step={step}").get_data(
            as_text=True)
        assert "Answering the call:" in page, step
        assert 'value="migration-data"' in page, step
    french = app.test_client().get("/calls/?lang=fr").get_data(as_text=True)
    assert "Ouvert jusqu’au 31 décembre 2099" in french or \
        "Ouvert jusqu'au 31 décembre 2099" in french
    spanish = app.test_client().get("/calls/migration-data?lang=es").get_data(as_text=True)
    assert "31 de diciembre de 2099" in spanish
    assert "Presentar una práctica" in spanish


def test_the_atom_feed_of_calls_lists_every_call(app):
    import xml.etree.ElementTree as ET

    admin = signed_in(app, make_member(app, role="admin", organization="Hub"))
    _open_call(admin)
    _open_call(admin, slug="past-call", opens_on=_day(-40), closes_on=_day(-10))
    r = app.test_client().get("/calls/feed.atom")
    assert r.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(r.data).findall("a:entry", ns)
    assert [e.find("a:id", ns).text.rsplit("/", 1)[-1] for e in entries] == [
        "migration-data", "past-call"]
    assert "Closed on" in entries[1].find("a:summary", ns).text
