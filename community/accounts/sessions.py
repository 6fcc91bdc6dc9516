"""Browser sessions that end on the server: one row per signed-in browser.

The session cookie and the remember cookie carry "user id : security stamp : session key".
A session loads only while its row exists, is not revoked and has not expired, and while
the user's security stamp is unchanged (a password change, ban or suspension changes it).
So logging out, "log out everywhere" and revoking one session from the settings page stop
every copy of that cookie, and a remember cookie stops working at the server's expiry
whatever date the browser keeps it until.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from community.accounts.models import User, UserSession
from community.core import clock, events, usage
from community.core.errors import NotFound
from community.extensions import db

USER_AGENT_MAX = 200


def _lifetime(remember: bool) -> timedelta:
    """Remembered logins end with the remember cookie; others (a browser never closed) at SESSION_MAX_AGE."""
    config = current_app.config
    return config["REMEMBER_COOKIE_DURATION"] if remember else config.get("SESSION_MAX_AGE", timedelta(days=30))


def open_session(user: User, *, remember: bool = False, user_agent: str = "", ip_address: str = "") -> UserSession:
    """A new server-side session for `user`; `user.get_id()` then names it (call login_user next)."""
    key = secrets.token_urlsafe(24)
    now = clock.now()
    row = UserSession(user_id=user.id, key_hash=UserSession.hash(key), remember=remember,
                      user_agent=(user_agent or "")[:USER_AGENT_MAX], ip_address=(ip_address or "")[:64],
                      created_at=now, last_seen_at=now, expires_at=now + _lifetime(remember))
    db.session.add(row)
    db.session.flush()
    user.session_key, user.session_row_id = key, row.id
    usage.mark_fresh(current_app._get_current_object(), "user_sessions", row.id)
    return row


def load_user(session_id: str) -> User | None:
    """Flask-Login loader for the session and the remember cookie."""
    try:
        user_id, stamp, key = session_id.split(":", 2)
        user = db.session.get(User, int(user_id)) if user_id.isascii() and user_id.isdigit() else None
    except (ValueError, AttributeError, OverflowError):
        return None
    if user is None or not key or not secrets.compare_digest(user.security_stamp, stamp) or user.is_banned:
        return None
    row = db.session.execute(sa.select(UserSession).where(
        UserSession.key_hash == UserSession.hash(key), UserSession.user_id == user.id)).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= clock.now():
        return None
    user.session_key, user.session_row_id = key, row.id
    usage.note_use(current_app._get_current_object(), "user_sessions", "last_seen_at", row.id)
    return user


def end_session(user: User) -> None:
    """Logout: this browser's session stops working, copies of its cookies included."""
    if user.session_row_id is not None:
        db.session.execute(sa.update(UserSession).where(UserSession.id == user.session_row_id,
                                                        UserSession.revoked_at.is_(None))
                           .values(revoked_at=clock.now()))
    db.session.flush()


def active_sessions(user: User) -> list[UserSession]:
    now = clock.now()
    return list(db.session.execute(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None),
                                     UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())).scalars())


def revoke_session(actor: User, session_id: int) -> None:
    """End one of the actor's own sessions (e.g. a lost phone) from the settings page."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != actor.id or row.revoked_at is not None:
        raise NotFound()
    row.revoked_at = clock.now()
    db.session.flush()
    events.user_sessions_revoked.send(actor, reason="session_revoked")


def revoke_all_sessions(user: User, *, keep_current: bool = False) -> int:
    """End every session of `user` (optionally except the one this request runs in)."""
    stmt = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep_current and user.session_row_id is not None:
        stmt = stmt.where(UserSession.id != user.session_row_id)
    count = db.session.execute(stmt.values(revoked_at=clock.now())).rowcount
    db.session.flush()
    return count
