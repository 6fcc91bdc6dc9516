"""The primitives every domain's JSON shapes are built from: schema atoms, `obj`, the one
datetime format (`iso`) and the pagination block."""
from __future__ import annotations

from community.core.pagination import Page

DATETIME = {"type": "string", "format": "date-time"}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}
STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}


def iso(dt) -> str | None:
    """Stored times are naive UTC; say so."""
    return dt.replace(microsecond=0).isoformat() + "Z" if dt else None


def obj(properties: dict, *, required: list | None = None) -> dict:
    return {"type": "object", "required": required if required is not None else list(properties),
            "properties": properties}


def pagination(page: Page) -> dict:
    return {"page": page.page, "per_page": page.per_page, "total": page.total, "pages": page.pages}
