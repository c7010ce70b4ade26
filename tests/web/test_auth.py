"""Registration, sign-in, sign-out, sessions that really end, and safe redirects after sign-in."""
from __future__ import annotations

import email
import email.policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kb import db
from kb.models import User
from tests.conftest import PASSWORD, csrf_token_from
from tests.unit.test_urls import OFF_SITE

REGISTRATION = {"name": "Amina Diallo", "email": "Amina@Example.org", "password": PASSWORD,
                "organization": "City of Example", "organization_type": "local-authorities",
                "organization_level": "local", "organization_country": "SEN"}


def read_mails(mail_dir: Path) -> list[email.message.EmailMessage]:
    """Return the messages written to the mail folder, oldest first."""
    files = sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files]


def session_cookie(client) -> str:
    cookie = client.get_cookie("session", domain="kb.test")
    return cookie.value if cookie else ""


def replay(app, cookies: dict[str, str]):
    """Return a fresh client that carries copies of ``cookies``."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value, domain="kb.test")
    return other


def fetch_user(app, user_id: int) -> User:
    with app.app_context():
        return db.get_session().get(User, user_id)


def test_registration_opens_a_submitter_account_in_its_organization(app, client):
    response = client.post("/register", data=REGISTRATION)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    with app.app_context():
        from kb.services.accounts import find_user

        user = find_user("amina@example.org")
        assert user.role == "submitter"
        assert user.email == "amina@example.org"
        org = user.organization
        assert (org.name, org.type, org.level, org.country) == (
            "City of Example", "local-authorities", "local", "SEN")


def test_an_email_is_taken_whatever_its_case(client, make_user):
    make_user(email="taken@example.org")
    response = client.post("/register", data={**REGISTRATION, "email": "TAKEN@example.ORG"})
    assert response.status_code == 200
    assert "An account with this email already exists." in response.get_data(as_text=True)


@pytest.mark.parametrize(("password", "message"), [
    ("short pass", "Use at least 12 characters."),
    ("password1234", "This password is too common"),
    ("qwertyuiopas", "This password is too common"),
    ("123456789012", "This password is too common"),
])
def test_weak_and_common_passwords_are_refused_with_a_clear_message(client, password, message):
    response = client.post("/register", data={**REGISTRATION, "password": password})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_an_unknown_stakeholder_type_is_refused(client):
    response = client.post("/register", data={**REGISTRATION, "organization_type": "pirates"})
    assert response.status_code == 200
    assert client.get("/account").status_code == 302


def test_sign_in_and_out_with_email_in_any_case(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/account").status_code == 302


def test_failed_sign_in_says_the_same_for_unknown_accounts_and_wrong_passwords(client,
                                                                               make_user):
    user = make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "wrong password!"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 200
    assert "Email or password is not right." in wrong.get_data(as_text=True)
    assert "Email or password is not right." in unknown.get_data(as_text=True)


def test_sign_out_is_a_post(client, make_user, login):
    login(make_user())
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_the_session_cookie_and_csrf_token_change_at_sign_in(app, csrf_client, make_user):
    user = make_user()
    page = csrf_client.get("/login")
    token_before = csrf_token_from(page.get_data(as_text=True))
    cookie_before = session_cookie(csrf_client)
    response = csrf_client.post("/login", data={"email": user.email, "password": PASSWORD,
                                                "csrf_token": token_before})
    assert response.status_code == 302
    assert session_cookie(csrf_client) not in ("", cookie_before)
    token_after = csrf_token_from(csrf_client.get("/account").get_data(as_text=True))
    assert token_after != token_before
    # The old token is no longer accepted on a form.
    refused = csrf_client.post("/account/tokens", data={"name": "x", "csrf_token": token_before})
    assert refused.status_code == 400


def test_a_cookie_copied_before_sign_out_no_longer_signs_in(app, client, make_user, login):
    login(make_user())
    copied = {"session": session_cookie(client)}
    client.post("/logout")
    assert replay(app, copied).get("/account").status_code == 302


def test_a_remember_me_cookie_copied_before_sign_out_no_longer_signs_in(app, client, make_user):
    user = make_user()
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = client.get_cookie("remember_token", domain="kb.test")
    assert remember is not None
    # A browser that only has the remember-me cookie is signed in by it...
    assert replay(app, {"remember_token": remember.value}).get("/account").status_code == 200
    client.post("/logout")
    # ...until its owner signs out.
    assert replay(app, {"remember_token": remember.value}).get("/account").status_code == 302


def test_a_cookie_copied_before_a_password_change_no_longer_signs_in(app, client, make_user,
                                                                     login):
    login(make_user())
    copied = {"session": session_cookie(client)}
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "violet tractor drizzle oboe"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # the browser that changed it stays in
    assert replay(app, copied).get("/account").status_code == 302


def test_next_is_followed_for_local_paths_with_queries(client, make_user):
    user = make_user()
    response = client.post("/login?next=%2Fpractices%3Fq%3Da%26objective%3D3",
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/practices?q=a&objective=3"


def test_a_protected_page_sends_visitors_to_sign_in_and_back(client, make_user):
    response = client.get("/account/tokens")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Faccount%2Ftokens"
    user = make_user()
    back = client.post(response.headers["Location"],
                       data={"email": user.email, "password": PASSWORD})
    assert back.headers["Location"] == "/account/tokens"


@pytest.mark.parametrize("target", [t for t in OFF_SITE if t])
def test_off_site_next_never_produces_an_off_site_location(app, make_user, target):
    user = make_user()
    client = app.test_client()
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/"
    assert urlsplit(location).netloc in ("", "kb.test")
