"""GET /api/v1/search and /api/v1/search/similar."""
from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.api import api_user, bp, openapi
from community.api.shapes import iso
from community.core.errors import ValidationFailed
from community.core.limits import search_limited
from community.core.pagination import MAX_PER_PAGE, clamp_page
from community.search import services
from community.search.forms import filters_from_args, similar_items_json

_HIT = openapi.schema("SearchHit", {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["post", "comment"]},
        "post_id": {"type": "integer"},
        "comment_id": {"type": ["integer", "null"]},
        "url": {"type": "string"},
        "title": {"type": "string", "description": "Plain text"},
        "title_html": {"type": "string", "description": "HTML-escaped title with <mark> around matches"},
        "snippet_html": {"type": "string", "description": "HTML-escaped excerpt with <mark> around matches"},
        "kind": {"type": "string"},
        "feedback_type": {"type": ["string", "null"]},
        "status": {"type": ["string", "null"]},
        "vote_count": {"type": "integer"},
        "comment_count": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "score": {"type": "number"},
    },
})
_RESULTS = openapi.schema("SearchResults", {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": _HIT},
        "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"},
        "total_exact": {"type": "boolean", "description": "False when there are at least `total` results (counting stops at 1000)"},
        "pages": {"type": "integer"},
        "notices": {"type": "array", "items": {"type": "string"}},
    },
})


def _hit_json(hit: services.SearchHit) -> dict:
    post = hit.post
    anchor = f"#comment-{hit.comment.id}" if hit.comment else ""
    return {
        "type": "comment" if hit.comment else "post", "post_id": post.id,
        "comment_id": hit.comment.id if hit.comment else None,
        "url": url_for("feedback.show_post", post_id=post.id) + anchor,
        "title": post.title, "title_html": str(hit.title_html), "snippet_html": str(hit.snippet_html),
        "kind": post.kind, "feedback_type": post.feedback_type, "status": post.status,
        "vote_count": post.vote_count, "comment_count": post.comment_count,
        "created_at": iso((hit.comment or post).created_at), "score": round(hit.score, 4),
    }


@bp.get("/search")
@search_limited
def search():
    q = request.args.get("q", "")
    if not q.strip():
        raise ValidationFailed(fields={"q": _l("Enter words to search for.")})
    _raw, filters, errors = filters_from_args(request.args)
    if errors:
        raise ValidationFailed(fields=errors)
    try:
        per_page = int(request.args.get("per_page", 20))
    except ValueError:
        per_page = 20
    results = services.search(api_user(), q, filters=filters, sort=request.args.get("sort", "relevance"),
                              page=clamp_page(request.args.get("page")), per_page=per_page)
    return jsonify({"items": [_hit_json(h) for h in results.items], "page": results.page,
                    "per_page": results.per_page, "total": results.total, "total_exact": results.total_exact,
                    "pages": results.pages,
                    "notices": [str(n) for n in results.notices]})


openapi.document(
    "/search", "GET", summary="Full-text search over posts and comments the caller may see", tags=["search"],
    parameters=[
        openapi.query_param("q", {"type": "string", "maxLength": 2000}, "Words; \"quoted words\" match as a phrase"),
        openapi.query_param("sort", {"type": "string", "enum": list(services.SORTS), "default": "relevance"}),
        openapi.query_param("scope", {"type": "string", "enum": ["all", "posts", "comments"], "default": "all"}),
        openapi.query_param("kind", {"type": "string"}), openapi.query_param("type", {"type": "string"}),
        openapi.query_param("status", {"type": "string"}),
        openapi.query_param("category", {"type": "string"}, "Category slug"),
        openapi.query_param("product", {"type": "string"}, "Product slug"),
        openapi.query_param("department", {"type": "string"}, "Department slug"),
        openapi.query_param("from", {"type": "string", "format": "date"}, "Created on or after (UTC date)"),
        openapi.query_param("to", {"type": "string", "format": "date"}, "Created on or before (UTC date)"),
        openapi.query_param("page", {"type": "integer", "minimum": 1}),
        openapi.query_param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
    ],
    response=_RESULTS, errors=(422, 429),
)


@bp.get("/search/similar")
def similar():
    return jsonify(similar_items_json(current_user, request.args.get("title", "")))


openapi.document(
    "/search/similar", "GET", summary="Up to five public items similar to a title being written", tags=["search"],
    parameters=[openapi.query_param("title", {"type": "string", "maxLength": 200})],
    response={"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}}},
    errors=(),
)
