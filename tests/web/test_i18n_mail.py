"""Mail goes out in the recipient's language, whatever language the sender reads the site in."""
from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from kb import db
from kb.models import User
from tests.i18n_support import ensure_compiled


@pytest.fixture(autouse=True)
def _compiled_catalogs():
    ensure_compiled()


def _set_locale(app, user: User, locale: str | None) -> None:
    with app.app_context(), db.write_transaction() as session:
        session.get(User, user.id).locale = locale


def _mails_to(app, address: str) -> list[email.message.EmailMessage]:
    folder = Path(app.config["MAIL_DIR"])
    messages = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in sorted(folder.glob("*.eml"))]
    return [m for m in messages if m["To"] == address]


def _text(message) -> str:
    return f"{message['Subject']}\n{message.get_content()}"


def test_each_person_gets_mail_about_a_practice_in_their_own_language(
        app, client, make_user, make_practice, login):
    submitter = make_user(role="submitter", organization="Ville de Lyon")
    reviewer = make_user(role="reviewer", organization="Red de ciudades")
    _set_locale(app, submitter, "fr")
    _set_locale(app, reviewer, "es")
    practice_id = make_practice(state="draft", submitter=submitter, language="fr",
                                title="Guichet unique pour les nouveaux arrivants")

    login(submitter)
    response = client.post(f"/submissions/{practice_id}/action", data={"action": "submit"})
    assert response.status_code in (302, 303)

    [to_submitter] = _mails_to(app, submitter.email)
    assert "Votre pratique a été soumise pour évaluation" in to_submitter["Subject"]
    assert "Guichet unique pour les nouveaux arrivants" in to_submitter["Subject"]
    assert f"Bonjour {submitter.name}," in _text(to_submitter)
    assert "review queue" not in _text(to_submitter)

    [to_reviewer] = _mails_to(app, reviewer.email)
    assert to_reviewer["Subject"].startswith("Una práctica espera revisión")
    assert f"Hola, {reviewer.name}:" in _text(to_reviewer)
    assert "waits" not in _text(to_reviewer)


def test_a_reviewers_request_reaches_a_french_submitter_in_french(
        app, client, make_user, make_practice, login):
    submitter = make_user(role="submitter", organization="Commune de Liège")
    reviewer = make_user(role="reviewer", organization="Relecteurs")
    _set_locale(app, submitter, "fr")
    practice_id = make_practice(state="submitted", submitter=submitter, language="fr")

    login(reviewer)
    client.get("/?lang=es")  # the reviewer works in Spanish
    assert client.post(f"/review/{practice_id}/claim",
                       data={"no_conflict": "y"}).status_code in (302, 303)
    response = client.post(f"/review/{practice_id}/decide", data={
        "decision": "request_changes", "comment": "Précisez les résultats chiffrés."})
    assert response.status_code in (302, 303)

    messages = _mails_to(app, submitter.email)
    subjects = [m["Subject"] for m in messages]
    assert any(s.startswith("Modifications demandées pour votre pratique") for s in subjects), \
        subjects
    changes = next(m for m in messages if m["Subject"].startswith("Modifications demandées"))
    body = _text(changes)
    assert "Précisez les résultats chiffrés." in body
    assert "Modifiez la pratique et soumettez-la de nouveau" in body
    assert "Edit the practice" not in body


def test_mail_to_someone_without_a_language_is_in_english(app, make_user):
    from kb import mail

    user = make_user(role="submitter")
    with app.test_request_context("/?lang=fr"):
        mail.send(user.email, "password_changed", locale=None, user=user, recipient=user)
    [message] = _mails_to(app, user.email)
    assert message["Subject"] == "Your password was changed"


@pytest.mark.parametrize(("locale", "subject"), [
    ("fr", "Votre mot de passe a été modifié"),
    ("es", "Se cambió su contraseña"),
])
def test_account_mail_is_rendered_in_the_locale_it_is_sent_in(app, make_user, locale, subject):
    from kb import mail

    user = make_user(role="submitter")
    with app.test_request_context("/?lang=en"):
        mail.send(user.email, "password_changed", locale=locale, user=user, recipient=user)
    [message] = _mails_to(app, user.email)
    assert message["Subject"] == subject
    assert "If this was not you" not in message.get_content()
