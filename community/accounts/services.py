"""Account rules: registration, authentication, roles, sessions and API tokens."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from werkzeug.security import check_password_hash, generate_password_hash

from community.accounts.models import (
    DEFAULT_TOKEN_SCOPES,
    ROLES,
    STAFF_ROLES,
    TOKEN_SCOPES,
    ApiToken,
    User,
    new_security_stamp,
)
from community.accounts.names import clean_display_name
from community.accounts.sessions import load_user, revoke_all_sessions  # noqa: F401  (load_user: create_app)
from community.core import clock, events, usage
from community.core.errors import NotFound, PermissionDenied, ValidationFailed
from community.core.permissions import is_admin, is_system, require_writer
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
    try:
        display_name = clean_display_name(None, display_name, is_staff=role in STAFF_ROLES)
    except ValidationFailed as exc:
        errors.update(exc.fields)
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
        # The same hash work as for a real account, so timing does not reveal which logins exist.
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


_dummy_hashes: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash made with the configured method (and so the same cost) as real passwords."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _dummy_hashes[method]


def revoke_sessions(user: User, reason: str, *, keep_current: bool = False) -> None:
    """Invalidate every session and remember cookie of `user` (and, via the signal, its sockets).

    With `keep_current`, the session this request runs in survives: the caller logs it in
    again under the new stamp (login_user), as after a password change.
    """
    user.security_stamp = new_security_stamp()
    revoke_all_sessions(user, keep_current=keep_current)
    db.session.flush()
    events.user_sessions_revoked.send(user, reason=reason)


def change_password(actor: User, current_password: str, new_password: str, *, keep_tokens: bool = False) -> None:
    """Other sessions end; API tokens are revoked too unless the member keeps them explicitly."""
    if not check_password_hash(actor.password_hash, current_password or ""):
        raise ValidationFailed(fields={"current_password": _l("The current password is wrong.")})
    _validate_password(new_password, "new_password")
    actor.password_hash = hash_password(new_password)
    revoke_sessions(actor, "password_changed", keep_current=True)
    if not keep_tokens:
        revoke_all_api_tokens(actor)


def update_profile(actor: User, *, display_name: str | None = None, locale: str | None = None) -> User:
    if display_name is not None and normalize(display_name) != actor.display_name:
        require_writer(actor)  # a suspended member keeps the name they had
        actor.display_name = clean_display_name(actor, display_name, is_staff=actor.is_staff)
    if locale is not None:
        if locale not in current_app.config["LANGUAGES"]:
            raise ValidationFailed(fields={"locale": _l("Unknown language.")})
        actor.locale = locale
    db.session.flush()
    return actor


def set_role(actor, user: User, role: str, *, title: str | None = None) -> User:
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


MAX_TOKEN_DAYS = 3650


def create_api_token(actor: User, name: str, *, scopes=None, expires_in_days: int | None = None
                     ) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is shown once and never stored.

    Scopes default to read and write; "staff" and "admin" need that role. No expiry unless asked.
    """
    require_writer(actor)
    name = normalize(name)[:64] or "token"
    chosen = list(DEFAULT_TOKEN_SCOPES) if scopes is None else [s for s in TOKEN_SCOPES if s in set(scopes)]
    errors = {}
    if scopes is not None and (not chosen or set(scopes) - set(TOKEN_SCOPES)):
        errors["scopes"] = _l("Choose scopes among: %(scopes)s.", scopes=", ".join(TOKEN_SCOPES))
    elif ("staff" in chosen and not actor.is_staff) or ("admin" in chosen and not actor.is_admin):
        errors["scopes"] = _l("Your role does not allow that scope.")
    if expires_in_days is not None and (isinstance(expires_in_days, bool) or not isinstance(expires_in_days, int)
                                        or not 1 <= expires_in_days <= MAX_TOKEN_DAYS):
        errors["expires_in_days"] = _l("Enter a whole number from %(lo)d to %(hi)d.", lo=1, hi=MAX_TOKEN_DAYS)
    if errors:
        raise ValidationFailed(fields=errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(user_id=actor.id, name=name, token_hash=ApiToken.hash(raw), prefix=raw[:12],
                     scopes=" ".join(chosen), created_at=now,
                     expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None)
    db.session.add(token)
    db.session.flush()
    return token, raw


def revoke_api_token(actor: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id) if isinstance(token_id, int) and 0 < token_id < 2**63 else None
    if token is None or token.user_id != actor.id:
        raise NotFound()
    token.revoked_at = clock.now()
    db.session.flush()


def revoke_all_api_tokens(user: User) -> None:
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=clock.now()))
    db.session.flush()


def user_for_token(raw: str) -> User | None:
    """The token's user, with the token's scopes capping its role for this request."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(raw), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if token is None or token.is_expired or token.user.is_banned:
        return None
    # Last use is bookkeeping: noted here, written by a background thread at most once a minute.
    usage.note_use(current_app._get_current_object(), "api_tokens", "last_used_at", token.id)
    user = token.user
    user.token_scopes = token.scope_set
    return user


def list_api_tokens(actor: User) -> list[ApiToken]:
    now = clock.now()
    return list(
        db.session.execute(
            sa.select(ApiToken).where(ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None),
                                      sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now))
            .order_by(ApiToken.id)
        ).scalars()
    )
