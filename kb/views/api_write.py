"""The write API under /api/v1/submissions: bearer-token submitters and reviewers."""
from __future__ import annotations

from typing import Any

from flask import g, jsonify, request, url_for
from jsonschema.exceptions import ValidationError
from werkzeug.exceptions import BadRequest

from kb import schemas, workflow
from kb.errors import BadParameters, ValidationFailed
from kb.models import Practice
from kb.services import living, review_counts, reviews, submissions
from kb.services.actions import HANDLERS
from kb.services.messages import _
from kb.services.records import RecordOptions, practice_to_record
from kb.views.api import bp
from kb.views.api_auth import token_required


def _body() -> dict[str, Any]:
    if not request.is_json:
        raise ValidationFailed(_("Send a JSON object (Content-Type: application/json)."),
                               {"": [_("Expected a JSON object.")]})
    try:
        data = request.get_json()
    except BadRequest:
        raise BadParameters(_("The body is not valid JSON."),
                            {"": [_("Not valid JSON.")]}) from None
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object (Content-Type: application/json)."),
                               {"": [_("Expected a JSON object.")]})
    return data


def _record(practice: Practice) -> dict[str, Any]:
    record = practice_to_record(practice, RecordOptions(include_private_contact=True))
    standing = review_counts.standing(g.api_user, practice)
    record["allowed_actions"] = living.offered(practice, [
        a for a in standing.allowed(practice.state) if a in schemas.ACTIONS])
    record["reviews"] = review_counts.summary(practice)
    record["revision_of"] = practice.revision_of_id
    record["submitted_at"] = (practice.submitted_at.isoformat().replace("+00:00", "Z")
                              if practice.submitted_at else None)
    record["update_request"] = ({
        "comment": practice.update_request_comment,
        "requested_at": practice.update_requested_at.isoformat().replace("+00:00", "Z"),
    } if practice.update_requested_at else None)
    if practice.is_public:
        record["url"] = url_for("public.practice", slug=practice.slug, _external=True)
    return record


@bp.get("/submissions")
@token_required
def list_submissions():
    user = g.api_user
    if user.role in workflow.REVIEWER_ROLES and request.args.get("mine") != "1":
        items = reviews.queue(user) + reviews.claimed_by(user)
    else:
        items = submissions.list_mine(user)
    return jsonify({"total": len(items), "results": [_record(p) for p in items]})


@bp.post("/submissions")
@token_required
def create_submission():
    body = _body()
    practice = submissions.create_draft(g.api_user, body, submit=body.get("submit") is True)
    response = jsonify(_record(practice))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_submission", practice_id=practice.id)
    return response


@bp.get("/submissions/<int:practice_id>")
@token_required
def get_submission(practice_id: int):
    return jsonify(_record(submissions.get_for(g.api_user, practice_id)))


@bp.patch("/submissions/<int:practice_id>")
@token_required
def patch_submission(practice_id: int):
    return jsonify(_record(submissions.update_draft(g.api_user, practice_id, _body())))


@bp.post("/submissions/<int:practice_id>/actions")
@token_required
def submission_action(practice_id: int):
    body = _body()
    errors = schemas.action_errors(body)
    fields = {schemas.field_path(e) or "action": [_action_message(e)] for e in errors}
    for name in schemas.unpaired_surrogates(body):
        fields.setdefault(name or "action", [_(
            "Contains a character that cannot be stored (NUL or an unpaired surrogate).")])
    if fields:
        raise ValidationFailed(_("Some fields need attention."), fields)
    action = body["action"]
    practice = HANDLERS[action](g.api_user, practice_id, body)
    return jsonify(_record(practice)), schemas.ACTIONS[action].status


def _action_message(error: ValidationError) -> str:
    name = schemas.field_path(error)
    if name == "action" or not name:
        return _("One of: %(actions)s.", actions=", ".join(schemas.ACTIONS))
    if name == "no_conflict":
        return _("Tick this box to claim the practice.")
    if name == "recommendation":
        return _("One of: %(choices)s.", choices=", ".join(workflow.RECOMMENDATIONS))
    if name == "reviewer":
        return _("The number of a reviewer's account.")
    if error.validator == "required":
        return _("Required for this action.")
    if error.validator == "pattern":
        return _("Contains a character that cannot be stored (NUL or an unpaired surrogate).")
    expected = error.schema.get("type") if isinstance(error.schema, dict) else None
    if name == "checklist" or name.startswith("checklist."):
        return _("Expected an object of true/false answers.")
    if expected == "boolean":
        return _("Must be true or false.")
    return _("Must be text.")
