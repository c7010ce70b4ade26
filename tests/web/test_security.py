"""The security baseline: headers, cookies, CSRF, throttling, the security log, deactivation."""
from __future__ import annotations

import io
import logging

import pytest

from kb import create_app, db
from kb.logs import FORMAT, OneLineFormatter, RequestContextFilter
from tests.conftest import PASSWORD, csrf_token_from, make_app


@pytest.fixture
def limited_app(tmp_path, database_url, cheap_password_hashing):
    """An app like the shared one but with rate limits on, as in production."""
    application = make_app(tmp_path, database_url, RATELIMIT_ENABLED=True,
                           RATELIMIT_STORAGE_URI="memory://")
    yield application
    with application.app_context():
        db.get_engine().dispose()


def _user(app, email="limited@example.org", role="submitter"):
    from kb.services import accounts

    with app.app_context(), db.write_transaction():
        return accounts.create_user(email, "Limited", PASSWORD, role=role)


# --- headers and cookies ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/login", "/practices", "/api/v1/taxonomy",
                                  "/no-such-page", "/account"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP here


def test_hsts_is_sent_over_https(client):
    response = client.get("/", base_url="https://kb.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookies_are_httponly_and_samesite_lax(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        line = next(c for c in cookies if c.startswith(name))
        assert "HttpOnly" in line
        assert "SameSite=Lax" in line
        assert "Secure" not in line


@pytest.mark.parametrize("config", [{"BASE_URL": "https://kb.example.org"},
                                    {"SESSION_COOKIE_SECURE": True}])
def test_cookies_are_secure_when_served_over_https(tmp_path, config):
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "MAIL_DIR": str(tmp_path / "mail"),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", **config})
    assert app.config["SESSION_COOKIE_SECURE"]
    assert app.config["REMEMBER_COOKIE_SECURE"]


def test_signed_in_pages_are_not_cached(client, make_user, login):
    login(make_user())
    assert client.get("/account").headers["Cache-Control"] == "private, no-store"


# --- CSRF ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "data"), [
    ("/login", {"email": "x@example.org", "password": PASSWORD}),
    ("/register", {"name": "X", "email": "x@example.org", "password": PASSWORD}),
    ("/forgot-password", {"email": "x@example.org"}),
    ("/account/password", {"current_password": PASSWORD, "new_password": "violet tractor"}),
    ("/account/tokens", {"name": "x"}),
    ("/logout", {}),
])
def test_a_post_without_a_csrf_token_is_refused(csrf_client, make_user, path, data):
    user = make_user()
    page = csrf_client.get("/login").get_data(as_text=True)
    csrf_client.post("/login", data={"email": user.email, "password": PASSWORD,
                                     "csrf_token": csrf_token_from(page)})
    response = csrf_client.post(path, data=data)
    assert response.status_code == 400
    assert "This form has expired or was sent from elsewhere." in response.get_data(as_text=True)


def test_every_html_form_carries_a_csrf_token(csrf_client, make_user):
    user = make_user(role="admin")
    page = csrf_client.get("/login").get_data(as_text=True)
    csrf_client.post("/login", data={"email": user.email, "password": PASSWORD,
                                     "csrf_token": csrf_token_from(page)})
    for path in ("/account", "/account/two-factor", "/account/tokens", "/admin/users"):
        html = csrf_client.get(path).get_data(as_text=True)
        posts = html.count('method="post"')
        assert posts, path
        assert html.count('name="csrf_token"') >= posts, path


# --- throttling ---------------------------------------------------------------------------

def test_thirty_wrong_passwords_for_one_account_bring_429(limited_app):
    user = _user(limited_app)
    client = limited_app.test_client()
    statuses = [client.post("/login", data={"email": user.email, "password": f"wrong {n:04}"},
                            environ_base={"REMOTE_ADDR": f"10.0.{n // 250}.{n % 250}"}
                            ).status_code for n in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    # Even the right password waits now; the page says when to try again.
    blocked = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "try again in" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0
    # Another account is not affected.
    other = _user(limited_app, "other@example.org")
    assert client.post("/login", data={"email": other.email,
                                       "password": PASSWORD}).status_code == 302


def test_wrong_passwords_from_one_address_across_accounts_bring_429(limited_app):
    limited_app.config["RATELIMIT_LOGIN_ADDRESS"] = "5 per 15 minutes"
    client = limited_app.test_client()
    statuses = [client.post("/login", data={"email": f"a{n}@example.org",
                                            "password": "wrong password"}).status_code
                for n in range(6)]
    assert statuses == [200] * 5 + [429]


def test_successful_sign_ins_do_not_count_against_the_limit(limited_app):
    limited_app.config["RATELIMIT_LOGIN_ACCOUNT"] = "3 per 15 minutes"
    user = _user(limited_app)
    for _n in range(5):
        client = limited_app.test_client()
        assert client.post("/login", data={"email": user.email,
                                           "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize(("path", "data", "setting"), [
    ("/register", {"name": "X"}, "RATELIMIT_REGISTER"),
    ("/forgot-password", {"email": "x@example.org"}, "RATELIMIT_PASSWORD_RESET"),
])
def test_registration_and_reset_requests_are_throttled(limited_app, path, data, setting):
    limited_app.config[setting] = "2 per hour"
    client = limited_app.test_client()
    statuses = [client.post(path, data=data).status_code for _n in range(3)]
    assert statuses[-1] == 429
    assert 429 not in statuses[:2]


@pytest.mark.parametrize("path", ["/practices?q=water", "/api/v1/practices?q=water"])
def test_search_and_the_api_have_a_guest_tier(limited_app, path):
    limited_app.config["RATELIMIT_GUEST"] = "3 per minute"
    limited_app.config["RATELIMIT_API"] = "3 per minute"
    client = limited_app.test_client()
    statuses = [client.get(path).status_code for _n in range(4)]
    assert 429 not in statuses[:3]
    assert statuses[3] == 429


def test_signed_in_people_are_not_held_to_the_guest_tier(limited_app):
    limited_app.config["RATELIMIT_GUEST"] = "2 per minute"
    user = _user(limited_app)
    client = limited_app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert 429 not in [client.get("/practices").status_code for _n in range(4)]


def test_limits_are_off_when_disabled(client, make_user):
    user = make_user()
    statuses = {client.post("/login", data={"email": user.email, "password": "wrong one!"}
                            ).status_code for _n in range(35)}
    assert statuses == {200}


# --- the security log ---------------------------------------------------------------------

@pytest.fixture
def security_log():
    """Capture kb.security lines exactly as the app's handler formats them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineFormatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%SZ"))
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("kb.security")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_a_failed_sign_in_is_logged_on_one_line_without_the_password(client, security_log):
    secret = "hunter2 but much longer"
    client.post("/login", data={"email": "evil@example.org\nFAKE login succeeded for user 1\r\n",
                                "password": secret}, headers={"X-Request-ID": "abc123"})
    text = security_log.getvalue()
    lines = text.splitlines()
    # each a whole record
    assert lines
    assert all(line.startswith("20") for line in lines)
    assert secret not in text
    assert "evil@example.org" not in text  # others' addresses are masked
    failed = next(line for line in lines if "login failed" in line)
    assert "req=abc123" in failed
    assert "client=127.0.0.1" in failed
    assert "Z " in failed


def test_successes_denials_and_role_changes_are_logged(client, make_user, login, security_log):
    admin = make_user(role="admin")
    submitter = make_user()
    login(submitter)
    client.get("/admin/users")
    client.post("/logout")
    login(admin)
    client.post(f"/admin/users/{submitter.id}/role", data={"role": "reviewer"})
    text = security_log.getvalue()
    assert f"login succeeded: user {submitter.id}" in text
    assert "permission denied on GET /admin/users" in text
    assert f"role changed: user {submitter.id} from submitter to reviewer by admin {admin.id}" \
        in text
    assert PASSWORD not in text


def test_csrf_failures_are_logged(csrf_client, security_log):
    csrf_client.post("/login", data={"email": "x@example.org", "password": PASSWORD})
    assert "CSRF check failed on POST /login" in security_log.getvalue()


# --- deactivated accounts -----------------------------------------------------------------

def test_a_deactivated_account_cannot_sign_in_or_call_the_api(app, client, make_user, login):
    from kb.services import tokens, users

    user = make_user()
    admin = make_user(role="admin")
    with app.app_context():
        token = tokens.create_token(user, user, "script")
    api = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/submissions", headers=api).status_code == 200
    login(user)
    with app.app_context():
        users.set_active(admin, user.id, False)
    assert client.get("/account").status_code == 302  # the live session ended too
    assert client.post("/login", data={"email": user.email,
                                       "password": PASSWORD}).status_code == 200
    refused = client.get("/api/v1/submissions", headers=api)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthenticated"


def test_the_api_ignores_session_cookies(client, make_user, login):
    login(make_user())
    assert client.get("/api/v1/submissions").status_code == 401
    assert client.post("/api/v1/submissions", json={"title": "x"}).status_code == 401
