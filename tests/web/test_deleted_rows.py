"""A row deleted while a request uses it is a 404 with a message, never a 500.

kb.db.get_or_404 re-reads the row inside the write transaction; without it, the service
wrote to a user who no longer existed (an UPDATE matching no row, or None.attribute).
"""
from __future__ import annotations

import pytest
from sqlalchemy import delete

from kb import db
from kb.errors import NotFound
from kb.models import User
from kb.services import accounts, twofactor
from tests.conftest import PASSWORD

GONE = "This item no longer exists"


def _delete_user(user_id: int) -> None:
    """Delete the account from another connection, as a concurrent request would."""
    with db.get_engine().begin() as connection:
        connection.execute(delete(User).where(User.id == user_id))


def test_a_password_change_for_an_account_deleted_meanwhile_is_a_404(app, client, make_user,
                                                                       login, monkeypatch):
    user = make_user()
    login(user)
    check = accounts.verify_password

    def check_then_delete(actor: User | None, password: str) -> bool:
        ok = check(actor, password)
        _delete_user(user.id)  # after the request loaded the user, before the write
        return ok

    monkeypatch.setattr(accounts, "verify_password", check_then_delete)
    response = client.post("/account/password", data={"current_password": PASSWORD,
                                                      "new_password": "violet tractor oboe"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert GONE in page
    assert 'action="/logout"' not in page  # rendered signed out: that account is gone
    assert client.get("/account").status_code == 302  # and the browser is signed out


@pytest.mark.parametrize("action", [
    lambda user: twofactor.start_setup(user),
    lambda user: accounts.set_locale(user, "fr"),
    lambda user: accounts.record_login(user),
])
def test_services_on_an_account_deleted_meanwhile_raise_not_found(app, make_user, action):
    user = make_user()
    with app.app_context():
        _delete_user(user.id)
        with pytest.raises(NotFound, match=GONE):
            action(user)
