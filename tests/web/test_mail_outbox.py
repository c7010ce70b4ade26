"""Mail goes through an outbox: a committed change never answers 500 because of its mail, a
failed delivery stays pending for `kb mail send`, a slow SMTP server never slows a request."""
from __future__ import annotations

import email
import email.policy
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kb import db
from kb.models import OutboxMessage, Practice
from kb.services import tokens
from kb.workflow import CHECKLIST_KEYS
from tests.conftest import valid_record
from tests.e2e.servers import free_port, wait_for
from tests.web.review_support import make_member
from tests.web.smtp_support import FakeSMTP

SEPARATORS = {"line separator": "\u2028", "paragraph separator": "\u2029",
              "next line": "\u0085"}
HEADER_BREAKERS = ("\r", "\n", "\u2028", "\u2029", "\u0085", "\x00", "\x1b")


def bearer(app, user):
    with app.app_context():
        token = tokens.create_token(user, user)
    client = app.test_client()
    return lambda method, path, json=None: client.open(
        path, method=method, json=json, headers={"Authorization": f"Bearer {token}"})


def publish(app, title: str) -> tuple[list, int]:
    """Submit, claim and approve a practice titled ``title``; return the statuses and its id."""
    submitter = make_member(app, "submitter", "City of Mail")
    reviewer = make_member(app, "reviewer", "Mail Review Network")
    sub, rev = bearer(app, submitter), bearer(app, reviewer)
    created = sub("POST", "/api/v1/submissions", valid_record(title=title))
    pid = created.get_json()["id"]
    actions = f"/api/v1/submissions/{pid}/actions"
    statuses = [created.status_code,
                sub("POST", actions, {"action": "submit"}).status_code,
                rev("POST", actions, {"action": "claim", "no_conflict": True}).status_code,
                rev("POST", actions, {"action": "approve",
                                      "checklist": dict.fromkeys(CHECKLIST_KEYS, True)})
                .status_code]
    return statuses, pid


def eml_subjects(app) -> list[str]:
    folder = Path(app.config["MAIL_DIR"])
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["Subject"]
            for p in sorted(folder.glob("*.eml"))]


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.get_session().scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.mark.parametrize("char", SEPARATORS.values(), ids=SEPARATORS.keys())
def test_a_title_with_a_line_separator_is_submitted_claimed_and_approved_once(app, char):
    title = f"Harbour{char}desk for newcomers"
    statuses, pid = publish(app, title)
    assert statuses == [201, 200, 200, 200]
    with app.app_context():
        session = db.get_session()
        assert session.scalar(select(func.count()).select_from(Practice)
                              .where(Practice.title.like("Harbour%desk for newcomers"))) == 1
        assert session.get(Practice, pid).state == "published"
    subjects = eml_subjects(app)
    assert any("published" in s and "Harbour desk for newcomers" in s for s in subjects)
    for subject in subjects:
        assert not any(c in subject for c in HEADER_BREAKERS), repr(subject)
    assert all(m.sent_at is not None for m in outbox(app))


def test_header_values_are_one_clean_line():
    from kb.mail import clean_header

    assert clean_header("a\r\nBcc: x@evil.test\u2028b\u2029c\u0085d\x00e\x1b\ud800f  g") == (
        "a Bcc: x@evil.test b c d e f g")
    assert len(clean_header("x" * 1000)) == 300


def delivered() -> None:
    """Wait for the mail threads the requests started (kb.mail delivers after the response):
    the checks that follow then pass at once, without polling."""
    for thread in threading.enumerate():
        if thread.name == "kb-mail":
            thread.join(timeout=20)


def test_an_smtp_failure_leaves_the_mail_pending_until_kb_mail_send(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens there
    statuses, _ = publish(app, "Mobile clinic at the border")
    assert statuses == [201, 200, 200, 200]
    delivered()
    wait_for(lambda: outbox(app) and all(m.attempts == 1 for m in outbox(app)), 20,
             what="a first delivery attempt of every message")
    pending = outbox(app)
    assert all(m.sent_at is None and m.last_error for m in pending)
    server = FakeSMTP()
    try:
        app.config["MAIL_PORT"] = server.port
        runner = app.test_cli_runner()
        early = runner.invoke(args=["kb", "mail", "send"])  # retries wait for their backoff
        assert early.exit_code == 0
        assert "Sent 0 message(s)" in early.output
        result = runner.invoke(args=["kb", "mail", "send", "--all"])
        assert result.exit_code == 0, result.output
        assert f"Sent {len(pending)} message(s); 0 failed; 0 pending." in result.output
    finally:
        server.close()
    assert len(server.messages) == len(pending)
    assert any("Mobile clinic at the border" in m["Subject"] for m in server.messages)
    assert all(m.sent_at is not None for m in outbox(app))
    again = app.test_cli_runner().invoke(args=["kb", "mail", "send", "--all"])
    assert "Sent 0 message(s)" in again.output  # delivered once, not twice


def test_a_slow_smtp_server_does_not_slow_the_request(app):
    # The server stays silent until the response has come back: a submit that waited for the
    # mail would hang until smtplib's 10 s timeout, and its mail would never be delivered.
    release = threading.Event()
    server = FakeSMTP(hold=release)
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        submitter = make_member(app, "submitter", "City of Slow Mail")
        sub = bearer(app, submitter)
        pid = sub("POST", "/api/v1/submissions", valid_record(title="Slow mail desk"))
        started = time.monotonic()
        response = sub("POST", f"/api/v1/submissions/{pid.get_json()['id']}/actions",
                       {"action": "submit"})
        elapsed = time.monotonic() - started
        release.set()
        assert response.status_code == 200
        assert elapsed < 8, f"the submit waited {elapsed:.1f}s for the SMTP server"
        delivered()
        wait_for(lambda: any("Slow mail desk" in m["Subject"] for m in server.messages), 15,
                 what="the mail, delivered after the response")
        wait_for(lambda: all(m.sent_at for m in outbox(app)), 10, what="the outbox to say sent")
    finally:
        server.close()
