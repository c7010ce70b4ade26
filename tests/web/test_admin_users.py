"""Admin user management and the `kb users` commands."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from kb import db
from kb.models import AuditEvent
from tests.conftest import PASSWORD
from tests.web.test_auth import fetch_user, replay, session_cookie


def test_admins_list_and_search_users_by_name_email_or_organization(client, make_user, login):
    make_user(email="rosa@example.org", name="Rosa Parks", organization="Harbour Council")
    make_user(email="li@example.org", name="Li Wei", organization="Delta NGO")
    login(make_user(role="admin"))
    for query, shown, hidden in (("rosa", "rosa@example.org", "li@example.org"),
                                 ("delta", "li@example.org", "rosa@example.org"),
                                 ("LI@EXAMPLE", "li@example.org", "rosa@example.org")):
        html = client.get("/admin/users", query_string={"q": query}).get_data(as_text=True)
        assert shown in html
        assert hidden not in html


def test_the_user_list_filters_by_role_and_status(app, client, make_user, login):
    reviewer = make_user(role="reviewer", email="rev@example.org")
    make_user(email="sub@example.org")
    admin = make_user(role="admin")
    login(admin)
    html = client.get("/admin/users?role=reviewer").get_data(as_text=True)
    assert "rev@example.org" in html
    assert "sub@example.org" not in html
    client.post(f"/admin/users/{reviewer.id}/deactivate")
    html = client.get("/admin/users?status=inactive").get_data(as_text=True)
    assert "rev@example.org" in html
    assert "sub@example.org" not in html


def test_a_role_change_takes_effect_ends_sessions_and_is_audited(app, client, make_user, login):
    member = make_user()
    member_client = app.test_client()
    login(member, test_client=member_client)
    copied = {"session": session_cookie(member_client)}
    admin = make_user(role="admin")
    login(admin)
    assert client.post(f"/admin/users/{member.id}/role",
                       data={"role": "reviewer"}).status_code == 302
    assert fetch_user(app, member.id).role == "reviewer"
    assert replay(app, copied).get("/account").status_code == 302
    with app.app_context():
        event = db.get_session().scalar(select(AuditEvent).where(
            AuditEvent.subject_user_id == member.id))
        assert (event.action, event.actor_id, event.practice_id) == ("role_changed", admin.id,
                                                                     None)
        assert event.data == {"from": "submitter", "to": "reviewer"}


def test_deactivation_and_reactivation_are_audited(app, client, make_user, login):
    member = make_user()
    admin = make_user(role="admin")
    login(admin)
    client.post(f"/admin/users/{member.id}/deactivate")
    assert not fetch_user(app, member.id).is_active
    assert app.test_client().post("/login", data={"email": member.email,
                                                  "password": PASSWORD}).status_code == 200
    client.post(f"/admin/users/{member.id}/reactivate")
    assert fetch_user(app, member.id).is_active
    assert app.test_client().post("/login", data={"email": member.email,
                                                  "password": PASSWORD}).status_code == 302
    with app.app_context():
        actions = db.get_session().scalars(select(AuditEvent.action).where(
            AuditEvent.subject_user_id == member.id).order_by(AuditEvent.id)).all()
    assert actions == ["account_deactivated", "account_reactivated"]


@pytest.mark.parametrize("path", ["role", "deactivate"])
def test_admins_cannot_demote_or_deactivate_themselves(app, client, make_user, login, path):
    admin = make_user(role="admin")
    login(admin)
    response = client.post(f"/admin/users/{admin.id}/{path}", data={"role": "submitter"})
    assert response.status_code == 403
    assert fetch_user(app, admin.id).role == "admin"
    assert fetch_user(app, admin.id).is_active


def test_an_unknown_role_is_refused(app, client, make_user, login):
    member = make_user()
    login(make_user(role="admin"))
    client.post(f"/admin/users/{member.id}/role", data={"role": "overlord"})
    assert fetch_user(app, member.id).role == "submitter"


def test_an_admin_marks_a_reviewer_internal_and_back_and_both_are_audited(app, client, make_user,
                                                                          login):
    reviewer = make_user(role="reviewer", name="Amina <Review>")
    admin = make_user(role="admin")
    login(admin)
    html = client.get("/admin/users?role=reviewer").get_data(as_text=True)
    assert f'action="/admin/users/{reviewer.id}/internal"' in html
    assert "Amina &lt;Review&gt;" in html
    assert "Amina <Review>" not in html
    page = client.post(f"/admin/users/{reviewer.id}/internal", follow_redirects=True)
    assert "is now an internal reviewer" in page.get_data(as_text=True)
    assert fetch_user(app, reviewer.id).internal
    html = client.get("/admin/users?role=reviewer").get_data(as_text=True)
    assert f'action="/admin/users/{reviewer.id}/external"' in html
    client.post(f"/admin/users/{reviewer.id}/external")
    assert not fetch_user(app, reviewer.id).internal
    with app.app_context():
        events = db.get_session().execute(select(AuditEvent.action, AuditEvent.actor_id).where(
            AuditEvent.subject_user_id == reviewer.id).order_by(AuditEvent.id)).all()
    assert [tuple(e) for e in events] == [("marked_internal", admin.id),
                                          ("marked_external", admin.id)]


def test_a_submitter_account_cannot_be_marked_internal(app, client, make_user, login):
    member = make_user(email="member@example.org")
    login(make_user(role="admin"))
    html = client.get("/admin/users?q=member@").get_data(as_text=True)
    assert f"/admin/users/{member.id}/internal" not in html
    page = client.post(f"/admin/users/{member.id}/internal", follow_redirects=True)
    assert "Only reviewer and administrator accounts" in page.get_data(as_text=True)
    assert not fetch_user(app, member.id).internal


def test_only_admins_may_mark_an_account_internal_in_the_service(app, make_user):
    from kb.errors import PermissionDenied
    from kb.services import users

    reviewer = make_user(role="reviewer")
    with app.app_context(), pytest.raises(PermissionDenied):
        users.set_internal(reviewer, reviewer.id, True)
    assert not fetch_user(app, reviewer.id).internal


def test_marking_an_unknown_account_internal_is_not_found(client, make_user, login):
    login(make_user(role="admin"))
    assert client.post("/admin/users/999999/internal").status_code == 404


def test_the_admin_dashboard_links_to_users(client, make_user, login):
    login(make_user(role="admin"))
    html = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/users"' in html


# --- CLI ----------------------------------------------------------------------------------

def test_cli_creates_a_user_with_a_role_and_a_password_from_stdin(app, runner):
    result = runner.invoke(args=["kb", "users", "create", "Chief@Example.org", "--role", "admin",
                                 "--name", "Chief", "--organization", "HQ",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert client.post("/login", data={"email": "chief@example.org",
                                       "password": PASSWORD}).status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_cli_refuses_a_common_password(runner):
    result = runner.invoke(args=["kb", "users", "create", "x@example.org", "--password-stdin"],
                           input="password1234\n")
    assert result.exit_code != 0
    assert "too common" in result.output


def test_cli_prints_a_working_token_alone_on_the_last_line(app, runner, make_user):
    user = make_user()
    result = runner.invoke(args=["kb", "users", "token", user.email])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("kb_")
    assert " " not in token
    response = app.test_client().get("/api/v1/submissions",
                                     headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_cli_refuses_a_token_for_a_deactivated_account(app, runner, make_user):
    user = make_user()
    admin = make_user(role="admin")
    with app.app_context():
        from kb.services import users

        users.set_active(admin, user.id, False)
    result = runner.invoke(args=["kb", "users", "token", user.email])
    assert result.exit_code != 0
    assert "deactivated" in result.output


def test_cli_creates_an_internal_reviewer(app, runner):
    result = runner.invoke(args=["kb", "users", "create", "un@example.org", "--role", "reviewer",
                                 "--internal", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created internal reviewer un@example.org" in result.output
    with app.app_context():
        from kb.services import accounts

        assert accounts.find_user("un@example.org").internal


def test_cli_refuses_an_internal_submitter(app, runner):
    result = runner.invoke(args=["kb", "users", "create", "sub@example.org", "--internal",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code != 0
    assert "Only reviewer and administrator accounts" in result.output
    with app.app_context():
        from kb.services import accounts

        assert accounts.find_user("sub@example.org") is None
