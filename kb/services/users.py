"""User administration: list and search accounts, change roles, deactivate and reactivate,
mark reviewers internal."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kb import db
from kb.errors import NotFound, PermissionDenied, ValidationFailed
from kb.i18n import N_
from kb.models import AuditEvent, Organization, User
from kb.services.accounts import ROLES, STAFF_ROLES
from kb.services.messages import _
from kb.services.permissions import require_admin

log = logging.getLogger("kb.security")

PER_PAGE = 50
ADMINS_ONLY = N_("Only administrators manage accounts.")


@dataclass
class UserPage:
    """One page of a user search."""

    users: list[User]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_users(actor: User, query: str = "", role: str = "", status: str = "",
                 page: int = 1) -> UserPage:
    """Return accounts matching name, email or organization. Raises PermissionDenied."""
    require_admin(actor, ADMINS_ONLY)
    stmt = select(User).outerjoin(Organization, User.organization_id == Organization.id)
    text = query.strip().lower()
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(func.lower(User.email).like(like, escape="\\"),
                              func.lower(User.name).like(like, escape="\\"),
                              func.lower(Organization.name).like(like, escape="\\")))
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    if status in ("active", "inactive"):
        stmt = stmt.where(User.is_active.is_(status == "active"))
    session = db.get_session()
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    users = session.scalars(stmt.order_by(func.lower(User.email))
                            .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return UserPage(list(users), total, page, PER_PAGE)


def change_role(actor: User, user_id: int, role: str) -> User:
    """Give ``user_id`` a new role; their sessions end. Raises PermissionDenied, NotFound,
    ValidationFailed."""
    require_admin(actor, ADMINS_ONLY)
    if role not in ROLES:
        raise ValidationFailed(_("Choose a role from the list."), {"role": [", ".join(ROLES)]})
    if user_id == actor.id:
        raise PermissionDenied(_("You cannot change your own role; ask another administrator."))
    with db.write_transaction() as session:
        user = _get(session, user_id)
        old = user.role
        if old == role:
            return user
        user.role = role
        user.session_version = (user.session_version or 1) + 1
        session.add(AuditEvent(actor_id=actor.id, subject_user_id=user.id, action="role_changed",
                               data={"from": old, "to": role}))
    log.warning("role changed: user %s from %s to %s by admin %s", user.id, old, role, actor.id)
    return user


def set_active(actor: User, user_id: int, active: bool) -> User:
    """Deactivate or reactivate an account; deactivation ends its sessions and tokens.

    Raises PermissionDenied, NotFound.
    """
    require_admin(actor, ADMINS_ONLY)
    if user_id == actor.id:
        raise PermissionDenied(_("You cannot deactivate your own account."))
    with db.write_transaction() as session:
        user = _get(session, user_id)
        if user.is_active == active:
            return user
        user.is_active = active
        user.session_version = (user.session_version or 1) + 1
        session.add(AuditEvent(actor_id=actor.id, subject_user_id=user.id,
                               action="account_reactivated" if active else "account_deactivated"))
    log.warning("account %s: user %s by admin %s", "reactivated" if active else "deactivated",
                user.id, actor.id)
    return user


def set_internal(actor: User, user_id: int, internal: bool) -> User:
    """Mark a reviewer or admin account internal (UN), or no longer internal.

    Internal reviewers count toward KB_REVIEWS_INTERNAL_REQUIRED. Raises PermissionDenied,
    NotFound, ValidationFailed (a submitter account marked internal).
    """
    require_admin(actor, ADMINS_ONLY)
    with db.write_transaction() as session:
        user = _get(session, user_id)
        if user.internal == internal:
            return user
        if internal and user.role not in STAFF_ROLES:
            message = _("Only reviewer and administrator accounts can be marked internal.")
            raise ValidationFailed(message, {"internal": [message]})
        user.internal = internal
        session.add(AuditEvent(actor_id=actor.id, subject_user_id=user.id,
                               action="marked_internal" if internal else "marked_external"))
    log.info("user %s marked %s by admin %s", user.id, "internal" if internal else "external",
             actor.id)
    return user


def eligible_reviewers(actor: User, organization_id: int | None) -> list[User]:
    """Return the active reviewer and admin accounts outside ``organization_id`` (a practice's
    organization), by name: whom an admin may add as a reviewer. Raises PermissionDenied."""
    require_admin(actor, ADMINS_ONLY)
    stmt = select(User).where(User.is_active.is_(True), User.role.in_(STAFF_ROLES))
    if organization_id is not None:
        stmt = stmt.where((User.organization_id != organization_id)
                          | User.organization_id.is_(None))
    return list(db.get_session().scalars(stmt.order_by(func.lower(User.name), User.id)))


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such account."))
    return user
