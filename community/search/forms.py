"""Request parsing and answers shared by the search pages and the search API."""
from __future__ import annotations

from flask import url_for

from community.core.errors import ValidationFailed
from community.feedback.workflow import STATUS_LABELS
from community.search import services

FILTER_ARGS = ("kind", "type", "status", "category", "product", "department", "from", "to", "scope")


def filters_from_args(args) -> tuple[dict, services.engine.Filters | None, dict]:
    """(the raw filter values, validated filters or None, errors by field)."""
    raw = {name: (args.get(name) or "").strip()[:64] for name in FILTER_ARGS}
    try:
        filters = services.build_filters(kind=raw["kind"], feedback_type=raw["type"], status=raw["status"],
                                         category=raw["category"], product=raw["product"],
                                         department=raw["department"], date_from=raw["from"], date_to=raw["to"],
                                         scope=raw["scope"] or "all")
        return raw, filters, {}
    except ValidationFailed as exc:
        return raw, None, exc.fields


def similar_items_json(viewer, title: str) -> dict:
    """Up to five public items like `title` (what similar.js shows while composing)."""
    try:
        posts = services.similar_items(viewer, title[:200])
    except (services.SearchUnavailableError, services.SearchBusyError):
        posts = []  # composing must never fail because search is down or busy
    return {"items": [{
        "id": p.id, "title": p.title, "url": url_for("feedback.show_post", post_id=p.id),
        "status": p.status, "status_label": str(STATUS_LABELS[p.status]) if p.status else "",
        "vote_count": p.vote_count, "comment_count": p.comment_count,
    } for p in posts]}
