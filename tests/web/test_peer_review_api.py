"""Peer review by several reviewers through the write API, with KB_REVIEWS_REQUIRED=3 and
KB_REVIEWS_INTERNAL_REQUIRED=1 (issue 15's stories; review-ui tells the same through pages)."""
from __future__ import annotations

import pytest

from kb import db
from kb.models import Practice, User
from kb.services import peer_review
from kb.workflow import CHECKLIST_KEYS
from tests.conftest import valid_record
from tests.web.review_support import api_client, mails_to, make_member

ALL_TICKED = dict.fromkeys(CHECKLIST_KEYS, True)


@pytest.fixture
def peer_app(app):
    app.config.update(REVIEWS_REQUIRED=3, REVIEWS_INTERNAL_REQUIRED=1)
    return app


def member(app, role: str, organization: str, internal: bool = False) -> User:
    user = make_member(app, role, organization)
    if internal:
        with app.app_context(), db.write_transaction() as session:
            session.get(User, user.id).internal = True
        user.internal = True
    return user


@pytest.fixture
def api(peer_app):
    """api(user) -> call(method, path, json=None) with the user's bearer token."""
    return lambda user: api_client(peer_app, user)


@pytest.fixture
def cast(peer_app, api):
    """The submitter, three reviewers (the third internal), a fourth reviewer, an admin."""
    people = {
        "submitter": member(peer_app, "submitter", "City of Peers"),
        "ana": member(peer_app, "reviewer", "Peer Network A"),
        "ben": member(peer_app, "reviewer", "Peer Network B"),
        "uma": member(peer_app, "reviewer", "UN Peer Office", internal=True),
        "dov": member(peer_app, "reviewer", "Peer Network D"),
        "colleague": member(peer_app, "reviewer", "City of Peers"),
        "admin": member(peer_app, "admin", "Hub Secretariat"),
    }
    return {name: (user, api(user)) for name, user in people.items()}


def submitted(cast, title: str) -> int:
    _, sub = cast["submitter"]
    response = sub("POST", "/api/v1/submissions", {**valid_record(title=title), "submit": True})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def act(cast, who: str, pid: int, action: str, **body):
    return cast[who][1]("POST", f"/api/v1/submissions/{pid}/actions", {"action": action, **body})


def claim(cast, who: str, pid: int):
    return act(cast, who, pid, "claim", no_conflict=True)


def recommend(cast, who: str, pid: int, recommendation: str, comment: str = ""):
    body = {"recommendation": recommendation, "comment": comment}
    if recommendation == "approve":
        body["checklist"] = ALL_TICKED
    return act(cast, who, pid, "recommend", **body)


def claimed_by_three(cast, title: str) -> int:
    pid = submitted(cast, title)
    for who in ("ana", "ben", "uma"):
        assert claim(cast, who, pid).status_code == 200
    return pid


def state_of(app, pid: int) -> str:
    with app.app_context():
        return db.get_session().get(Practice, pid).state


def test_three_approvals_one_internal_publish_and_the_submitter_hears_only_the_outcome(
        peer_app, cast):
    pid = claimed_by_three(cast, "Peer reviewed shelter network")
    first = recommend(cast, "ana", pid, "approve", "Solid evidence.")
    assert first.status_code == 200
    assert first.get_json()["state"] == "in_review"
    assert first.get_json()["reviews"] == {"required": 3, "done": 1}
    assert "recommend" not in first.get_json()["allowed_actions"]  # recorded once
    assert recommend(cast, "ben", pid, "approve").get_json()["reviews"]["done"] == 2
    last = recommend(cast, "uma", pid, "approve", "Fits objective 15.")
    assert last.get_json()["state"] == "published"
    own = cast["submitter"][1]("GET", f"/api/v1/submissions/{pid}").get_json()
    assert own["reviews"] == {"required": 3, "done": 3}
    public = peer_app.test_client().get(f"/api/v1/practices/{own['slug']}")
    assert public.status_code == 200
    assert "reviews" not in public.get_json()
    subjects = [m["Subject"] for m in mails_to(peer_app, cast["submitter"][0].email)]
    assert not any("claimed" in s.lower() for s in subjects), subjects
    assert sum("published" in s.lower() for s in subjects) == 1, subjects


def test_a_fourth_claim_and_a_third_external_claim_are_refused(peer_app, cast):
    pid = submitted(cast, "Peer slots practice")
    assert claim(cast, "ana", pid).status_code == 200
    assert claim(cast, "ben", pid).status_code == 200
    kept = claim(cast, "dov", pid)
    assert kept.status_code == 409
    assert "internal" in kept.get_json()["error"]["message"]
    assert claim(cast, "uma", pid).status_code == 200
    fourth = claim(cast, "dov", pid)
    assert fourth.status_code == 409
    assert "taken" in fourth.get_json()["error"]["message"]
    assert claim(cast, "ana", pid).status_code == 409  # full, and ana holds a claim already


def test_the_submitter_and_a_same_organization_reviewer_cannot_claim(peer_app, cast):
    pid = submitted(cast, "Peer conflict practice")
    assert claim(cast, "colleague", pid).status_code == 403
    assert claim(cast, "submitter", pid).status_code == 403
    assert claim(cast, "ana", pid).status_code == 200
    assert claim(cast, "colleague", pid).status_code == 403


def test_the_single_reviewer_shortcuts_are_refused_with_several_reviewers(peer_app, cast):
    pid = claimed_by_three(cast, "Peer shortcut practice")
    refused = act(cast, "ana", pid, "approve", checklist=ALL_TICKED)
    assert refused.status_code == 409
    assert "recommendation" in refused.get_json()["error"]["message"]
    assert state_of(peer_app, pid) == "in_review"


def test_an_approval_needs_the_checklist_or_a_reason_and_other_recommendations_a_comment(
        peer_app, cast):
    pid = claimed_by_three(cast, "Peer rules practice")
    bare = act(cast, "ana", pid, "recommend", recommendation="approve")
    assert bare.status_code == 422
    assert "override_reason" in bare.get_json()["error"]["fields"]
    silent = act(cast, "ana", pid, "recommend", recommendation="reject")
    assert silent.status_code == 422
    assert "comment" in silent.get_json()["error"]["fields"]
    wrong = act(cast, "ana", pid, "recommend", recommendation="publish")
    assert wrong.status_code == 422
    assert "recommendation" in wrong.get_json()["error"]["fields"]
    assert act(cast, "ana", pid, "recommend", recommendation="approve",
               override_reason="Completed enough.").status_code == 200


def test_a_split_needs_an_admin_who_publishes_or_rejects(peer_app, cast):
    for decision, final in (("approve", "published"), ("reject", "rejected")):
        pid = claimed_by_three(cast, f"Peer split practice {decision}")
        recommend(cast, "ana", pid, "approve", "Good.")
        recommend(cast, "ben", pid, "reject", "Not a practice yet.")
        assert recommend(cast, "uma", pid, "approve").get_json()["state"] == "needs_decision"
        assert act(cast, "ana", pid, "approve", checklist=ALL_TICKED).status_code == 403
        body = {"checklist": ALL_TICKED} if decision == "approve" else {"comment": "Split."}
        assert act(cast, "ben", pid, decision, **body).status_code == 403  # not an admin
        decided = act(cast, "admin", pid, decision, **body)
        assert decided.status_code == 200
        assert decided.get_json()["state"] == final
    admins = mails_to(peer_app, cast["admin"][0].email)
    assert sum("disagree" in m["Subject"] for m in admins) == 2


def test_an_admin_adds_a_reviewer_whose_approval_counts_toward_n(peer_app, cast):
    pid = claimed_by_three(cast, "Peer added reviewer practice")
    recommend(cast, "ana", pid, "approve")
    recommend(cast, "ben", pid, "reject", "Weak results.")
    recommend(cast, "uma", pid, "approve")
    dov = cast["dov"][0]
    assert act(cast, "admin", pid, "add_reviewer",
               reviewer=cast["colleague"][0].id).status_code == 422  # same organization
    added = act(cast, "admin", pid, "add_reviewer", reviewer=dov.id)
    assert added.status_code == 200
    assert added.get_json()["state"] == "in_review"
    assert added.get_json()["reviews"] == {"required": 4, "done": 3}
    assert any("asked to review" in m["Subject"] for m in mails_to(peer_app, dov.email))
    assert claim(cast, "admin", pid).status_code == 409  # the new slot is kept for dov
    assert claim(cast, "dov", pid).status_code == 200
    assert recommend(cast, "dov", pid, "approve").get_json()["state"] == "published"


def test_one_request_changes_sends_it_back_with_every_comment_then_the_same_reviewers_first(
        peer_app, cast):
    pid = claimed_by_three(cast, "Peer changes practice")
    recommend(cast, "ana", pid, "approve", "Ana: the outcome is clear.")
    recommend(cast, "ben", pid, "request_changes", "Ben: add the 2022 figures.")
    assert recommend(cast, "uma", pid, "approve", "Uma: fine by me.").get_json()["state"] == \
        "changes_requested"
    [mail] = [m for m in mails_to(peer_app, cast["submitter"][0].email)
              if "Changes requested" in m["Subject"]]
    body = mail.get_payload(decode=True).decode()
    for comment in ("Ana: the outcome is clear.", "Ben: add the 2022 figures.",
                    "Uma: fine by me."):
        assert comment in body
    _, sub = cast["submitter"]
    assert sub("PATCH", f"/api/v1/submissions/{pid}",
               {"results": "- 2022: 5,000 people"}).status_code == 200
    again = sub("POST", f"/api/v1/submissions/{pid}/actions", {"action": "submit"})
    assert again.get_json()["reviews"] == {"required": 3, "done": 0}
    for who in ("ana", "ben", "uma"):
        assert any("again" in m["Subject"] for m in mails_to(peer_app, cast[who][0].email))
    assert claim(cast, "dov", pid).status_code == 409  # the slots are kept for them
    for who in ("ana", "ben", "uma"):
        assert claim(cast, who, pid).status_code == 200
    for who in ("ana", "ben", "uma"):
        recommend(cast, who, pid, "approve")
    assert state_of(peer_app, pid) == "published"


def test_withdrawing_before_recording_frees_the_slot(peer_app, cast):
    pid = claimed_by_three(cast, "Peer withdraw practice")
    recommend(cast, "ana", pid, "approve")
    assert act(cast, "ana", pid, "unclaim").status_code == 403  # recorded: too late
    assert act(cast, "ben", pid, "unclaim").status_code == 200
    assert claim(cast, "dov", pid).status_code == 200
    assert state_of(peer_app, pid) == "in_review"


def test_reviewers_see_the_others_recommendations_only_after_recording_their_own(
        peer_app, cast):
    pid = claimed_by_three(cast, "Peer visibility practice")
    recommend(cast, "ana", pid, "reject", "Ana's reason.")
    with peer_app.app_context():
        practice = db.get_session().get(Practice, pid)
        ben = cast["ben"][0]
        before = peer_review.visible_reviews(ben, practice)
        assert [v.recommendation for v in before] == [None, None, None]
        assert not peer_review.visible_reviews(cast["submitter"][0], practice)
    recommend(cast, "ben", pid, "approve")
    with peer_app.app_context():
        practice = db.get_session().get(Practice, pid)
        after = peer_review.visible_reviews(ben, practice)
        assert [v.recommendation for v in after] == ["reject", "approve", None]
        assert after[0].comment == "Ana's reason."


@pytest.mark.parametrize(("required", "internal", "named"), [
    (0, 0, "KB_REVIEWS_REQUIRED"), (3, 4, "KB_REVIEWS_INTERNAL_REQUIRED"),
    (2, -1, "KB_REVIEWS_INTERNAL_REQUIRED")])
def test_review_settings_out_of_range_stop_the_app_naming_the_setting(tmp_path, required,
                                                                     internal, named):
    from kb import config, create_app

    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "TESTING": True,
                "INDEX_DIR": str(tmp_path / "index"), "REVIEWS_REQUIRED": required,
                "REVIEWS_INTERNAL_REQUIRED": internal}
    with pytest.raises(config.ConfigError, match=named):
        create_app(settings)
    found = config.from_environment({"KB_REVIEWS_REQUIRED": "3",
                                     "KB_REVIEWS_INTERNAL_REQUIRED": "1"})
    assert found == {"REVIEWS_REQUIRED": 3, "REVIEWS_INTERNAL_REQUIRED": 1}


def test_with_one_reviewer_the_record_counts_the_single_decision(app, api):
    app.config.update(REVIEWS_REQUIRED=1, REVIEWS_INTERNAL_REQUIRED=0)
    submitter = member(app, "submitter", "City of One")
    reviewer = member(app, "reviewer", "One Review Network")
    sub, rev = api(submitter), api(reviewer)
    pid = sub("POST", "/api/v1/submissions",
              {**valid_record(title="Single review practice"), "submit": True}).get_json()["id"]
    claimed = rev("POST", f"/api/v1/submissions/{pid}/actions",
                  {"action": "claim", "no_conflict": True}).get_json()
    assert claimed["reviews"] == {"required": 1, "done": 0}
    assert "approve" in claimed["allowed_actions"]
    approved = rev("POST", f"/api/v1/submissions/{pid}/actions",
                   {"action": "approve", "checklist": ALL_TICKED}).get_json()
    assert approved["state"] == "published"
    assert approved["reviews"] == {"required": 1, "done": 1}


def test_a_refused_claim_reads_in_the_readers_language(peer_app, cast):
    from kb.services import tokens

    pid = claimed_by_three(cast, "Peer language practice")
    dov = cast["dov"][0]
    with peer_app.app_context():
        token = tokens.create_token(dov, dov)
    refused = peer_app.test_client().post(
        f"/api/v1/submissions/{pid}/actions", json={"action": "claim", "no_conflict": True},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "fr"})
    assert refused.status_code == 409
    assert "places d’évaluateur" in refused.get_json()["error"]["message"]
