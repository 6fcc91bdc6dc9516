"""Accounts: users, their roles, and personal access tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core import clock
from community.extensions import db

ROLES = ("member", "staff", "moderator", "admin")
# What a personal access token may do. Its scopes cap the owner's role for that request:
# without "staff" a staff member's token acts as a member, without "admin" an admin's as a moderator.
TOKEN_SCOPES = ("read", "write", "staff", "admin")
DEFAULT_TOKEN_SCOPES = ("read", "write")
ROLE_LABELS = {"member": _l("Member"), "staff": _l("Staff"), "moderator": _l("Moderator"), "admin": _l("Admin")}
STAFF_ROLES = ("staff", "moderator", "admin")


def new_security_stamp() -> str:
    return secrets.token_hex(8)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(32), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(64), default="")
    role: Mapped[str] = mapped_column(sa.String(16), default="member", index=True)
    # Public staff title, e.g. "张工" or "产品经理"; shown with the department.
    title: Mapped[str] = mapped_column(sa.String(64), default="")
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    # Changing it logs the user out everywhere (password change, ban, suspension).
    security_stamp: Mapped[str] = mapped_column(sa.String(32), default=new_security_stamp)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    suspended_until: Mapped[datetime | None] = mapped_column()
    banned_at: Mapped[datetime | None] = mapped_column()
    ban_reason: Mapped[str | None] = mapped_column(sa.String(500))

    departments = relationship("Department", secondary="department_members", back_populates="members", lazy="selectin")

    # Per request, not stored: the browser session (see accounts.sessions) or the token scopes
    # the user was loaded with. The User object lives in one request's database session.
    session_key = None      # str: the key in this browser's cookie
    session_row_id = None   # int: its UserSession row
    token_scopes = None     # frozenset: the scopes of the token this request came with

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def effective_role(self) -> str:
        """The role, capped by the scopes of the token this request came with."""
        if self.token_scopes is None:
            return self.role
        cap = "admin" if "admin" in self.token_scopes else "moderator" if "staff" in self.token_scopes else "member"
        return min(self.role, cap, key=ROLES.index)

    @property
    def is_staff(self) -> bool:
        return self.effective_role in STAFF_ROLES

    @property
    def is_moderator(self) -> bool:
        return self.effective_role in ("moderator", "admin")

    @property
    def is_admin(self) -> bool:
        return self.effective_role == "admin"

    @property
    def is_banned(self) -> bool:
        return self.banned_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > clock.now()

    @property
    def can_write(self) -> bool:
        return not (self.is_banned or self.is_suspended)

    @property
    def is_active(self) -> bool:  # Flask-Login: banned users cannot log in
        return not self.is_banned

    def get_id(self) -> str:
        # The stamp and the server-side session key travel in the session and the remember
        # cookie; see accounts.sessions.load_user. Without a session key nothing loads.
        return f"{self.id}:{self.security_stamp}:{self.session_key or ''}"

    @property
    def department_ids(self) -> set[int]:
        return {d.id for d in self.departments}

    @property
    def public_badge(self) -> str:
        """E.g. "车机软件部 · 张工" for staff, empty for members."""
        if not self.is_staff:
            return ""
        dept = self.departments[0].name if self.departments else ""
        return " · ".join(p for p in (dept, self.title or self.name) if p)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username} {self.role}>"


class ApiToken(db.Model):
    """Personal access token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    scopes: Mapped[str] = mapped_column(sa.String(64), default=" ".join(DEFAULT_TOKEN_SCOPES))
    expires_at: Mapped[datetime | None] = mapped_column()

    user = relationship(User)

    @property
    def scope_set(self) -> frozenset:
        return frozenset(self.scopes.split())

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= clock.now()

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class UserSession(db.Model):
    """A signed-in browser (session cookie and, if asked, the remember cookie).

    The cookie carries a random key; only its SHA-256 is stored. Logging out, "log out
    everywhere" and a password change mark rows revoked, so a copied cookie stops working;
    `expires_at` ends a remembered login on the server whatever the cookie says.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    ip_address: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_seen_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
