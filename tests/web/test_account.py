"""The account page: password and email changes, two-factor sign-in, reset links, API tokens."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from kb import db
from kb.models import User
from tests.conftest import PASSWORD
from tests.web.test_auth import fetch_user, read_mails

NEW_PASSWORD = "violet tractor drizzle oboe"


def _link(message) -> str:
    match = re.search(r"http://kb\.test(/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


# --- password and email -------------------------------------------------------------------

def test_changing_the_password_needs_the_current_one(client, make_user, login):
    login(make_user())
    response = client.post("/account/password", data={"current_password": "not my password",
                                                      "new_password": NEW_PASSWORD})
    assert response.status_code == 422
    assert "Your current password is not right." in response.get_data(as_text=True)


def test_a_common_new_password_is_refused(client, make_user, login):
    login(make_user())
    response = client.post("/account/password", data={"current_password": PASSWORD,
                                                      "new_password": "iloveyou1234"})
    assert response.status_code == 422
    assert "too common" in response.get_data(as_text=True)


def test_a_changed_password_signs_in_and_the_old_one_does_not(app, client, make_user, login,
                                                              tmp_path):
    user = make_user()
    login(user)
    client.post("/account/password", data={"current_password": PASSWORD,
                                           "new_password": NEW_PASSWORD})
    assert read_mails(tmp_path / "mail")[-1]["Subject"] == "Your password was changed"
    other = app.test_client()
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert other.post("/login", data={"email": user.email,
                                      "password": NEW_PASSWORD}).status_code == 302


def test_an_email_change_happens_when_the_emailed_link_is_opened(app, client, make_user, login,
                                                                 tmp_path):
    user = make_user(email="old@example.org")
    login(user)
    response = client.post("/account/email", data={"current_password": PASSWORD,
                                                   "new_email": "New@Example.org"})
    assert response.status_code == 302
    assert fetch_user(app, user.id).email == "old@example.org"
    confirm = read_mails(tmp_path / "mail")[-1]
    assert confirm["To"] == "new@example.org"
    link = _link(confirm)
    assert client.get(link).status_code == 302
    assert fetch_user(app, user.id).email == "new@example.org"
    assert read_mails(tmp_path / "mail")[-1]["To"] == "old@example.org"
    assert client.get(link).status_code == 400  # spent


@pytest.mark.parametrize(("data", "message"), [
    ({"current_password": "wrong password here", "new_email": "x@example.org"},
     "Your current password is not right."),
    ({"current_password": PASSWORD, "new_email": "taken@example.org"},
     "An account with this email already exists."),
])
def test_an_email_change_is_refused_without_the_password_or_to_a_taken_address(
        client, make_user, login, data, message):
    make_user(email="taken@example.org")
    login(make_user())
    response = client.post("/account/email", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


# --- password reset -----------------------------------------------------------------------

def test_the_reset_request_page_answers_the_same_for_known_and_unknown_addresses(
        client, make_user, tmp_path):
    user = make_user()
    known = client.post("/forgot-password", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/forgot-password", data={"email": "nobody@example.org"},
                          follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert _flashes(known) == _flashes(unknown)
    assert [m["To"] for m in read_mails(tmp_path / "mail")] == [user.email]


def test_a_reset_link_works_once(app, client, make_user, tmp_path):
    user = make_user()
    client.post("/forgot-password", data={"email": user.email})
    link = _link(read_mails(tmp_path / "mail")[-1])
    assert client.get(link).status_code == 200
    assert client.post(link, data={"new_password": NEW_PASSWORD}).status_code == 302
    assert client.post("/login", data={"email": user.email,
                                       "password": NEW_PASSWORD}).status_code == 302
    again = app.test_client().post(link, data={"new_password": "another fine passphrase"})
    assert again.status_code == 400
    assert "expired or was already used" in again.get_data(as_text=True)


class _HourOldSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 3601


def test_a_reset_link_stops_working_after_an_hour(app, client, make_user):
    user = make_user()
    with app.app_context():
        from kb.services.account_links import _fingerprint, reset_token

        row = db.get_session().get(User, user.id)
        payload = {"u": row.id, "f": _fingerprint(row)}
        fresh = reset_token(row)
        expired = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="kb.password-reset",
                                         signer=_HourOldSigner).dumps(payload)
        # Genuine, only too old: without an age limit it would still be read.
        assert URLSafeTimedSerializer(app.config["SECRET_KEY"],
                                      salt="kb.password-reset").loads(expired) == payload
    assert client.get(f"/reset-password/{fresh}").status_code == 200
    response = client.post(f"/reset-password/{expired}", data={"new_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert "expired or was already used" in response.get_data(as_text=True)
    assert client.post("/login", data={"email": user.email,
                                       "password": PASSWORD}).status_code == 302


def test_a_forged_reset_link_is_refused(client):
    assert client.get("/reset-password/eyJ1IjoxfQ.forged.sig").status_code == 400


def _flashes(response) -> list[str]:
    return re.findall(r'class="flash[^"]*">([^<]*)<', response.get_data(as_text=True))


# --- two-factor sign-in -------------------------------------------------------------------

def turn_on_two_factor(app, client, user) -> tuple[str, list[str]]:
    """Set up TOTP through the account pages; return the secret and the recovery codes."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = fetch_user(app, user.id).totp_secret
    assert secret
    assert secret in page
    assert "otpauth://totp/" in page
    code = pyotp.TOTP(secret).generate_otp(int(time.time()) // 30)
    response = client.post("/account/two-factor", data={"code": code})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    codes = re.findall(r"<code>([0-9a-f]{8}-[0-9a-f]{8})</code>", response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def next_code(secret: str, steps_ahead: int = 1) -> str:
    return pyotp.TOTP(secret).generate_otp(int(time.time()) // 30 + steps_ahead)


def test_two_factor_sign_in_asks_for_a_code_after_the_password(app, client, make_user, login):
    user = make_user()
    login(user)
    secret, _codes = turn_on_two_factor(app, client, user)
    other = app.test_client()
    response = other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/login/two-factor"
    assert other.get("/account").status_code == 302  # not signed in yet
    wrong = other.post("/login/two-factor", data={"code": "000000"})
    assert "That code is not right." in wrong.get_data(as_text=True)
    assert other.post("/login/two-factor", data={"code": next_code(secret)}).status_code == 302
    assert other.get("/account").status_code == 200


def test_a_totp_code_is_accepted_only_once(app, client, make_user, login):
    user = make_user()
    login(user)
    secret, _codes = turn_on_two_factor(app, client, user)
    code = next_code(secret)
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        c.post("/login", data={"email": user.email, "password": PASSWORD})
    assert first.post("/login/two-factor", data={"code": code}).status_code == 302
    assert second.post("/login/two-factor", data={"code": code}).status_code == 200
    assert second.get("/account").status_code == 302


def test_a_recovery_code_signs_in_once(app, client, make_user, login):
    user = make_user()
    login(user)
    _secret, codes = turn_on_two_factor(app, client, user)
    for expected in (302, 200):
        other = app.test_client()
        other.post("/login", data={"email": user.email, "password": PASSWORD})
        assert other.post("/login/two-factor", data={"code": codes[0]}).status_code == expected
    assert len(fetch_user(app, user.id).recovery_codes) == 9


def test_a_wrong_setup_code_leaves_two_factor_off(app, client, make_user, login):
    user = make_user()
    login(user)
    client.get("/account/two-factor")
    client.post("/account/two-factor", data={"code": "123456"})
    assert not fetch_user(app, user.id).totp_enabled


def test_two_factor_can_be_turned_off_with_the_password(app, client, make_user, login):
    user = make_user()
    login(user)
    turn_on_two_factor(app, client, user)
    client.post("/account/two-factor/disable", data={"password": "wrong password here"})
    assert fetch_user(app, user.id).totp_enabled
    client.post("/account/two-factor/disable", data={"password": PASSWORD})
    assert not fetch_user(app, user.id).totp_enabled
    other = app.test_client()
    assert other.post("/login", data={"email": user.email,
                                      "password": PASSWORD}).headers["Location"] == "/"


def test_new_recovery_codes_replace_the_old_ones(app, client, make_user, login):
    user = make_user()
    login(user)
    _secret, old_codes = turn_on_two_factor(app, client, user)
    page = client.post("/account/two-factor/recovery-codes", data={"codes-password": PASSWORD})
    new_codes = re.findall(r"<code>([0-9a-f]{8}-[0-9a-f]{8})</code>", page.get_data(as_text=True))
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other.post("/login/two-factor", data={"code": old_codes[0]}).status_code == 200


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_staff_without_two_factor_are_sent_to_set_it_up_when_required(app, client, make_user,
                                                                       login, role):
    app.config["REQUIRE_2FA_FOR_STAFF"] = True
    user = make_user(role=role)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].startswith("/account/two-factor")
    staff_page = "/admin/" if role == "admin" else "/review/"
    blocked = client.get(staff_page)
    assert blocked.status_code == 302
    assert blocked.headers["Location"].startswith("/account/two-factor")
    turn_on_two_factor(app, client, user)
    assert client.get(staff_page).status_code != 302 or not client.get(
        staff_page).headers["Location"].startswith("/account/two-factor")


def test_submitters_are_not_asked_for_two_factor_when_staff_must_use_it(app, client, make_user,
                                                                        login):
    app.config["REQUIRE_2FA_FOR_STAFF"] = True
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


# --- API tokens ---------------------------------------------------------------------------

def test_a_token_is_shown_once_listed_with_times_and_revocable(app, client, make_user, login):
    login(make_user())
    created = client.post("/account/tokens", data={"name": "my script"})
    assert created.status_code == 201
    token = re.search(r'id="new-token">(kb_[^<]+)<', created.get_data(as_text=True)).group(1)
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert token not in listing
    assert "my script" in listing
    assert token[:10] in listing
    assert "Never" in listing
    with app.app_context():
        from kb.services import tokens

        assert tokens.user_for_token(token) is not None
        token_id = tokens.list_tokens(tokens.user_for_token(token))[0].id
    assert "Never" not in client.get("/account/tokens").get_data(as_text=True)
    client.post(f"/account/tokens/{token_id}/revoke")
    with app.app_context():
        assert tokens.user_for_token(token) is None
    assert "my script" not in client.get("/account/tokens").get_data(as_text=True)


def test_nobody_revokes_another_persons_token(app, client, make_user, login):
    owner = make_user()
    with app.app_context():
        from kb.services import tokens

        token = tokens.create_token(owner, owner, "theirs")
        token_id = tokens.list_tokens(owner)[0].id
    login(make_user())
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    with app.app_context():
        assert tokens.user_for_token(token) is not None
