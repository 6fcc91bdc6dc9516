"""Account rules: registration, authentication, roles, sessions and API tokens."""
from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from werkzeug.security import check_password_hash, generate_password_hash

from community.accounts.models import ROLES, ApiToken, User, new_security_stamp
from community.core import clock, events
from community.core.errors import NotFound, PermissionDenied, ValidationFailed
from community.core.permissions import is_admin, is_system
from community.core.text import normalize
from community.extensions import db

USERNAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def _validate_password(password: str, field: str = "password") -> None:
    if not password or len(password) < MIN_PASSWORD:
        raise ValidationFailed(fields={field: _ln("Use at least %(num)d character.", "Use at least %(num)d characters.", MIN_PASSWORD)})
    if len(password) > 256:
        raise ValidationFailed(fields={field: _l("That password is too long.")})


def register_user(username: str, email: str, password: str, *, display_name: str = "", role: str = "member") -> User:
    username = normalize(username)
    email = normalize(email).lower()
    errors = {}
    if not USERNAME_RE.match(username):
        errors["username"] = _l("3–32 letters, digits, underscores, dots or hyphens.")
    if len(email) > 254 or not EMAIL_RE.match(email):
        errors["email"] = _l("Enter a valid email address.")
    if not errors:
        taken = db.session.execute(
            sa.select(User.username, User.email).where(
                sa.or_(sa.func.lower(User.username) == username.lower(), User.email == email)
            )
        ).first()
        if taken and taken.username.lower() == username.lower():
            errors["username"] = _l("That username is taken.")
        elif taken:
            errors["email"] = _l("That email is already registered.")
    try:
        _validate_password(password)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    display_name = normalize(display_name)[:64]
    if errors:
        raise ValidationFailed(fields=errors)
    if role not in ROLES:
        raise ValidationFailed(fields={"role": _l("Unknown role.")})
    user = User(username=username, email=email, password_hash=hash_password(password), display_name=display_name, role=role)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(login: str, password: str) -> User | None:
    """The user for a username or email and password; None when they do not match."""
    login = normalize(login)
    user = db.session.execute(
        sa.select(User).where(sa.or_(sa.func.lower(User.username) == login.lower(), User.email == login.lower()))
    ).scalar_one_or_none()
    if user is None:
        # Same work either way, so timing does not reveal which usernames exist.
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


_DUMMY_HASH = generate_password_hash("not-a-real-password", method="pbkdf2:sha256:100000")


def load_user(session_id: str) -> User | None:
    """Flask-Login loader: the id carries the security stamp; a changed stamp ends the session."""
    try:
        user_id, stamp = session_id.split(":", 1)
        user = db.session.get(User, int(user_id))
    except (ValueError, AttributeError):
        return None
    if user is None or not secrets.compare_digest(user.security_stamp, stamp) or user.is_banned:
        return None
    return user


def revoke_sessions(user: User, reason: str) -> None:
    """Invalidate every session and remember cookie of `user` (and, via the signal, its sockets)."""
    user.security_stamp = new_security_stamp()
    db.session.flush()
    events.user_sessions_revoked.send(user, reason=reason)


def change_password(actor: User, current_password: str, new_password: str) -> None:
    if not check_password_hash(actor.password_hash, current_password or ""):
        raise ValidationFailed(fields={"current_password": _l("The current password is wrong.")})
    _validate_password(new_password, "new_password")
    actor.password_hash = hash_password(new_password)
    revoke_sessions(actor, "password_changed")


def update_profile(actor: User, *, display_name: str | None = None, locale: str | None = None) -> User:
    if display_name is not None:
        actor.display_name = normalize(display_name)[:64]
    if locale is not None:
        if locale not in current_app.config["LANGUAGES"]:
            raise ValidationFailed(fields={"locale": _l("Unknown language.")})
        actor.locale = locale
    db.session.flush()
    return actor


def set_role(actor: User | None, user: User, role: str, *, title: str | None = None) -> User:
    """Admins change roles; so does the command line (SYSTEM)."""
    if not is_system(actor) and not is_admin(actor):
        raise PermissionDenied()
    if role not in ROLES:
        raise ValidationFailed(fields={"role": _l("Unknown role.")})
    user.role = role
    if title is not None:
        user.title = normalize(title)[:64]
    db.session.flush()
    return user


def find_user_by_username(username: str) -> User | None:
    """The one lookup of a user by username (exact match); None when there is none."""
    return db.session.execute(sa.select(User).where(User.username == username)).scalar_one_or_none()


def get_user_by_username(username: str) -> User:
    user = find_user_by_username(username)
    if user is None:
        raise NotFound()
    return user


# Personal access tokens ---------------------------------------------------------

TOKEN_PREFIX = "ccp_"


def create_api_token(actor: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is shown once and never stored."""
    name = normalize(name)[:64] or "token"
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, token_hash=ApiToken.hash(raw), prefix=raw[:12])
    db.session.add(token)
    db.session.flush()
    return token, raw


def revoke_api_token(actor: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id:
        raise NotFound()
    token.revoked_at = clock.now()
    db.session.flush()


def user_for_token(raw: str) -> User | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(raw), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if token is None or token.user.is_banned:
        return None
    token.last_used_at = clock.now()
    return token.user


def list_api_tokens(actor: User) -> list[ApiToken]:
    return list(
        db.session.execute(
            sa.select(ApiToken).where(ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)
        ).scalars()
    )
