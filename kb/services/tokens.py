"""API tokens: created once, stored as a hash, looked up on each API call."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update

from kb import db
from kb.errors import NotFound, PermissionDenied
from kb.models import ApiToken, User
from kb.services.messages import _

TOKEN_PREFIX = "kb_"
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def create_token(actor: User, owner: User, name: str = "") -> str:
    """Create a token for ``owner`` and return it; only its hash is stored.

    Raises PermissionDenied unless the actor is the owner or an admin.
    """
    if actor.id != owner.id and actor.role != "admin":
        raise PermissionDenied(_("You can only create tokens for your own account."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.write_transaction() as session:
        session.add(ApiToken(user_id=owner.id, name=name[:100], token_hash=_digest(token),
                             prefix=token[:10]))
    return token


def user_for_token(token: str) -> User | None:
    """Return the active user a bearer token belongs to, noting when it was last used."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    session = db.get_session()
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    now = db.utcnow()
    # Record use at most once a minute: a write per API call would serialize every request
    # behind SQLite's write lock for a timestamp nobody needs to the second.
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        with db.write_transaction() as write:
            write.execute(update(ApiToken).where(ApiToken.id == row.id)
                          .values(last_used_at=now))
    return session.get(User, row.user_id)


def revoke_token(actor: User, token_id: int) -> None:
    """Revoke one of the actor's tokens (an admin may revoke any). Raises NotFound."""
    with db.write_transaction() as session:
        row = session.get(ApiToken, token_id)
        if row is None or (row.user_id != actor.id and actor.role != "admin"):
            raise NotFound(_("No such token."))
        row.revoked_at = row.revoked_at or db.utcnow()


def list_tokens(actor: User) -> list[ApiToken]:
    """Return the actor's tokens that still work, newest first."""
    session = db.get_session()
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == actor.id,
                                                       ApiToken.revoked_at.is_(None))
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
