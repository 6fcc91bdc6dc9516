"""The JSON shapes of accounts (each with its OpenAPI schema beside it): a user as others see them,
and the caller's own account."""
from __future__ import annotations

from community.api import openapi
from community.api.shapes import DATETIME, INT, NULLABLE_DATETIME, STR, iso, obj

USER = openapi.schema("User", obj({
    "id": INT, "username": STR, "name": STR,
    "role": {"type": "string", "enum": ["member", "staff", "moderator", "admin"]},
    "badge": {"type": "string", "description": "Staff badge, e.g. 车机软件部 · 张工; empty for members"},
}))


def user(u) -> dict | None:
    if u is None:
        return None
    return {"id": u.id, "username": u.username, "name": u.name, "role": u.role, "badge": u.public_badge}


ME = openapi.schema("Me", {
    "allOf": [USER, obj({
        "email": STR,
        "locale": {"type": ["string", "null"]},
        "title": STR,
        # Routing (a domain above accounts) registers DepartmentBrief; the shape below matches it.
        "departments": openapi.array_of(openapi.ref("DepartmentBrief")),
        "can_write": {"type": "boolean", "description": "False while banned or suspended"},
        "suspended_until": NULLABLE_DATETIME,
        "created_at": DATETIME,
    })],
})


def me(u) -> dict:
    """The caller's own account, including what only they may see."""
    departments = [{"slug": d.slug, "name": d.name, "name_en": d.name_en} for d in u.departments]
    return {**user(u), "email": u.email, "locale": u.locale, "title": u.title, "departments": departments,
            "can_write": u.can_write, "suspended_until": iso(u.suspended_until), "created_at": iso(u.created_at)}
