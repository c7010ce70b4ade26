"""Contact the implementer: the form relays to the focal point, whose address stays hidden."""
from __future__ import annotations

import logging
import re

import pytest

from kb import db
from kb.models import Practice
from tests.conftest import csrf_token_from, make_app, valid_record
from tests.web.review_support import mails_to

FOCAL = "focal.point@implementer.example"
PRIVATE_CONTACT = {"name": "Fatou Focal", "email": FOCAL, "public": False, "contactable": True}
MESSAGE = {"name": "Reader Rita", "email": "rita@reader.example",
           "message": "How did you train the reception staff?"}


def _slug(app, practice_id: int) -> str:
    with app.app_context():
        return db.get_session().get(Practice, practice_id).slug


@pytest.fixture
def contactable(app, make_practice):
    return _slug(app, make_practice(state="published", title="Reception desk for newcomers",
                                    contact=PRIVATE_CONTACT))


def test_a_message_reaches_the_focal_point_with_the_reader_as_reply_to(app, client, contactable):
    page = client.get(f"/practices/{contactable}").get_data(as_text=True)
    assert "Write to the focal point" in page
    assert 'for="email"' in page
    r = client.post(f"/practices/{contactable}/contact", data={**MESSAGE, "copy": "y"})
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/practices/{contactable}#contact")
    assert "Your message was sent" in client.get(r.headers["Location"]).get_data(as_text=True)
    [relayed] = mails_to(app, FOCAL)
    assert relayed["Reply-To"] == "rita@reader.example"
    body = relayed.get_payload(decode=True).decode()
    assert "How did you train the reception staff?" in body
    assert "Reader Rita" in body
    [copy] = mails_to(app, "rita@reader.example")
    assert FOCAL not in copy.as_string()
    assert "How did you train the reception staff?" in copy.get_payload(decode=True).decode()


def test_without_send_me_a_copy_only_the_focal_point_gets_mail(app, client, contactable):
    client.post(f"/practices/{contactable}/contact", data=MESSAGE)
    assert len(mails_to(app, FOCAL)) == 1
    assert mails_to(app, "rita@reader.example") == []


def test_the_log_names_sender_and_practice_but_never_the_message(app, client, contactable,
                                                                 caplog):
    with caplog.at_level(logging.INFO):
        client.post(f"/practices/{contactable}/contact", data=MESSAGE)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "rita@reader.example" in text
    assert "How did you train" not in text
    assert FOCAL not in text


def test_the_focal_points_address_appears_in_no_public_view(app, client, contactable):
    client.post(f"/practices/{contactable}/contact", data=MESSAGE)
    pages = [f"/practices/{contactable}", "/practices", "/practices?q=reception", "/",
             "/feed.atom", "/sitemap.xml", f"/api/v1/practices/{contactable}",
             "/api/v1/practices", "/api/v1/practices.json", "/api/v1/practices.csv"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert FOCAL not in response.get_data(as_text=True), path
        assert "Fatou Focal" not in response.get_data(as_text=True), path


def test_invalid_messages_are_refused_field_by_field(app, client, contactable):
    r = client.post(f"/practices/{contactable}/contact",
                    data={"name": "", "email": "not-an-address", "message": " "})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    for name in ("name", "email", "message"):
        assert f'id="{name}-error"' in page
        assert re.search(rf'id="{name}"[^>]*aria-describedby="[^"]*{name}-error', page) or \
            re.search(rf'aria-describedby="[^"]*{name}-error"[^>]*id="{name}"', page)
    assert mails_to(app, FOCAL) == []


def test_a_filled_honeypot_sends_nothing(app, client, contactable):
    r = client.post(f"/practices/{contactable}/contact", data={**MESSAGE, "website": "http://x"})
    assert r.status_code == 302
    assert mails_to(app, FOCAL) == []


def test_the_form_needs_its_csrf_token(app, csrf_client, contactable):
    assert csrf_client.post(f"/practices/{contactable}/contact",
                            data=MESSAGE).status_code == 400
    token = csrf_token_from(csrf_client.get(f"/practices/{contactable}").get_data(as_text=True))
    r = csrf_client.post(f"/practices/{contactable}/contact", data={**MESSAGE, "csrf_token": token})
    assert r.status_code == 302
    assert len(mails_to(app, FOCAL)) == 1


def test_a_practice_without_consent_points_to_the_repository_team(app, client, make_practice):
    slug = _slug(app, make_practice(state="published", contact={**PRIVATE_CONTACT,
                                                                "contactable": False}))
    page = client.get(f"/practices/{slug}").get_data(as_text=True)
    assert "Write to the focal point" not in page
    assert 'href="/contact"' in page
    assert "Contact the repository team" in page
    assert client.post(f"/practices/{slug}/contact", data=MESSAGE).status_code == 403
    assert mails_to(app, FOCAL) == []
    assert client.post("/practices/no-such-practice/contact", data=MESSAGE).status_code == 404


def test_contactable_travels_through_the_form_export_and_import(app, runner, tmp_path,
                                                              make_practice):
    import json

    from tests.web.review_support import form_data, make_member, signed_in

    owner = make_member(app)
    client = signed_in(app, owner)
    client.post("/submissions/new", data={**form_data(title="Consenting desk"),
                                          "contact_contactable": "y", "save": "1"})
    with app.app_context():
        draft = db.get_session().query(Practice).filter_by(title="Consenting desk").one()
        assert draft.contact_contactable
        assert not draft.contact_public
    make_practice(state="published", title="Exported desk", contact=PRIVATE_CONTACT)
    exported = tmp_path / "out.json"
    assert runner.invoke(args=["kb", "export", str(exported)]).exit_code == 0
    data = json.loads(exported.read_text())
    records = data if isinstance(data, list) else data["practices"]
    [record] = [r for r in records if r["title"] == "Exported desk"]
    assert record["contact"]["contactable"] is True
    record["title"] = "Imported desk"
    again = tmp_path / "in.json"
    again.write_text(json.dumps([record]))
    assert runner.invoke(args=["kb", "import", str(again)]).exit_code == 0
    with app.app_context():
        imported = db.get_session().query(Practice).filter_by(title="Imported desk").one()
        assert imported.contact_contactable is True


@pytest.fixture
def limited(tmp_path, database_url):
    application = make_app(
        tmp_path, database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_CONTACT_SENDER="2 per hour", RATELIMIT_CONTACT_ADDRESS="4 per hour",
        RATELIMIT_CONTACT_PRACTICE="3 per day")
    from kb.services import indexing
    from kb.services.transfer import create_practice
    from kb.services.validation import validate_record

    slugs = []
    with application.app_context():
        for title in ("First limited practice", "Second limited practice"):
            with db.write_transaction() as session:
                record = validate_record(valid_record(title=title, contact=PRIVATE_CONTACT),
                                         complete=False)
                slugs.append(create_practice(session, record, "published", None, None).slug)
        indexing.rebuild()
    yield application, slugs
    with application.app_context():
        application.extensions["kb.index"].index.close()
        db.get_engine().dispose()


def _post(client, slug: str, sender: str, address: str):
    return client.post(f"/practices/{slug}/contact", data={**MESSAGE, "email": sender},
                       environ_base={"REMOTE_ADDR": address})


def test_messages_are_limited_per_sender_address(limited):
    application, (first, second) = limited
    client = application.test_client()
    statuses = [_post(client, slug, "same@reader.example", f"10.0.0.{n}").status_code
                for n, slug in enumerate((first, second, first))]
    assert statuses == [302, 302, 429]
    blocked = _post(client, second, "same@reader.example", "10.0.0.9")
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert "try again" in blocked.get_data(as_text=True)
    assert _post(client, second, "other@reader.example", "10.0.0.9").status_code == 302


def test_messages_are_limited_per_practice(limited):
    application, (first, second) = limited
    client = application.test_client()
    statuses = [_post(client, first, f"r{n}@reader.example", f"10.1.0.{n}").status_code
                for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert _post(client, second, "r9@reader.example", "10.1.0.9").status_code == 302


def test_form_posts_are_limited_per_client_address(limited):
    application, (first, second) = limited
    client = application.test_client()
    statuses = [_post(client, (first, second)[n % 2], f"c{n}@reader.example",
                      "10.2.0.1").status_code for n in range(5)]
    assert statuses[:4] == [302] * 4
    assert statuses[4] == 429


def test_staff_see_both_forms_with_unique_ids_and_visible_labels(app, contactable):
    from tests.web.review_support import make_member, signed_in

    page = signed_in(app, make_member(app, "reviewer")).get(
        f"/practices/{contactable}").get_data(as_text=True)
    assert "Write to the focal point" in page
    assert "Request an update" in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for control in re.findall(r'<(?:input|textarea)[^>]*\sid="([^"]+)"', page):
        assert f'for="{control}"' in page, control
