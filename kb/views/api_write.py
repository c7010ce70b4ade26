"""The write API under /api/v1/submissions: bearer-token submitters and reviewers."""
from __future__ import annotations

from typing import Any

from flask import g, jsonify, request, url_for

from kb import workflow
from kb.errors import ValidationFailed
from kb.models import Practice
from kb.services import reviews, submissions
from kb.services.records import RecordOptions, practice_to_record
from kb.views.api import bp
from kb.views.api_auth import token_required


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed("Send a JSON object (Content-Type: application/json).",
                               {"": ["Expected a JSON object."]})
    return data


def _record(practice: Practice) -> dict[str, Any]:
    record = practice_to_record(practice, RecordOptions(include_private_contact=True))
    actor = submissions.actor_for(g.api_user, practice)
    record["allowed_actions"] = [a for a in workflow.allowed_actions(practice.state, actor)
                                 if a in workflow.API_ACTIONS]
    record["revision_of"] = practice.revision_of_id
    record["submitted_at"] = (practice.submitted_at.isoformat().replace("+00:00", "Z")
                              if practice.submitted_at else None)
    if practice.state == workflow.PUBLISHED and not practice.revision_of_id:
        record["url"] = url_for("public.practice", slug=practice.slug, _external=True)
    return record


@bp.get("/submissions")
@token_required
def list_submissions():  # noqa: ANN201
    user = g.api_user
    if user.role in workflow.REVIEWER_ROLES and request.args.get("mine") != "1":
        items = reviews.queue(user) + reviews.claimed_by(user)
    else:
        items = submissions.list_mine(user)
    return jsonify({"total": len(items), "results": [_record(p) for p in items]})


@bp.post("/submissions")
@token_required
def create_submission():  # noqa: ANN201
    body = _body()
    submit = body.get("submit") is True
    practice = submissions.create_draft(g.api_user, body, submit=submit)
    response = jsonify(_record(practice))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_submission", practice_id=practice.id)
    return response


@bp.get("/submissions/<int:practice_id>")
@token_required
def get_submission(practice_id: int):  # noqa: ANN201
    return jsonify(_record(submissions.get_for(g.api_user, practice_id)))


@bp.patch("/submissions/<int:practice_id>")
@token_required
def patch_submission(practice_id: int):  # noqa: ANN201
    return jsonify(_record(submissions.update_draft(g.api_user, practice_id, _body())))


@bp.post("/submissions/<int:practice_id>/actions")
@token_required
def submission_action(practice_id: int):  # noqa: ANN201
    body = _body()
    action = body.get("action")
    comment = body.get("comment") or ""
    if not isinstance(comment, str):
        raise ValidationFailed("The comment must be text.", {"comment": ["Must be text."]})
    user = g.api_user
    handlers = {
        "submit": lambda: submissions.submit_practice(user, practice_id),
        "withdraw": lambda: submissions.withdraw(user, practice_id, comment),
        "claim": lambda: reviews.claim(user, practice_id, body.get("no_conflict") is True),
        "unclaim": lambda: reviews.unclaim(user, practice_id, comment),
        "request_changes": lambda: reviews.request_changes(user, practice_id, comment),
        "approve": lambda: reviews.approve(user, practice_id, body.get("checklist"), comment),
        "reject": lambda: reviews.reject(user, practice_id, comment),
        "propose_update": lambda: submissions.propose_update(user, practice_id),
    }
    if action not in handlers:
        raise ValidationFailed("Unknown action.",
                               {"action": [f"One of: {', '.join(handlers)}."]})
    practice = handlers[action]()
    status = 201 if action == "propose_update" else 200
    return jsonify(_record(practice)), status
