"""Search rules: who sees what, tolerant queries, snippets and similar items."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from community.core import permissions
from community.core.errors import DomainError, PermissionDenied, ValidationFailed
from community.core.pagination import MAX_PER_PAGE, Page
from community.extensions import db
from community.feedback.models import FEEDBACK_TYPES, POST_KINDS, Comment, Post, Product
from community.feedback.workflow import STATUSES
from community.routing.models import Category, Department
from community.search import engine
from community.search.indexer import get_indexer

SORTS = engine.SORTS
MAX_QUERY_CHARS = 200
SIMILAR_LIMIT = 5


class SearchUnavailableError(DomainError):
    status = 503
    code = "search_unavailable"
    default_message = _l("Search is temporarily unavailable. The rest of the site works normally; "
                         "please try again in a few minutes.")


class SearchRebuildingError(SearchUnavailableError):
    """The index is missing or damaged and is being rebuilt from the database."""

    code = "search_rebuilding"
    default_message = _l("The search index is being rebuilt, so search is unavailable for a few minutes. "
                         "The rest of the site works normally.")


class SearchBusyError(DomainError):
    """Every search slot of this process stayed busy past a short wait (SEARCH_CONCURRENCY)."""

    status = 503
    code = "search_busy"
    default_message = _l("Many searches are running right now. Please try again in a few seconds.")


@dataclass
class SearchHit:
    post: Post
    comment: Comment | None
    title_html: Markup
    snippet_html: Markup
    score: float

    @property
    def is_comment(self) -> bool:
        return self.comment is not None


@dataclass
class SearchResults(Page):
    notices: list = field(default_factory=list)
    query: str = ""
    total_exact: bool = True  # False: at least `total` results ("1000+")


def visibility_for(actor) -> engine.Visibility:
    """The index-side filter, read from the rule itself (permissions.post_scope, as its SQL
    twin visible_posts_clause is); merged items never show."""
    scope = permissions.post_scope(actor)
    return engine.Visibility(include_deleted=scope.deleted, include_hidden=scope.hidden,
                             own_hidden_author_id=scope.own_hidden_author_id)


def _parse_date(value, name: str, errors: dict) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.strptime(str(value).strip(), "%Y-%m-%d")
    except ValueError:
        parsed = None
    if parsed is None or not 1900 <= parsed.year <= 2999:  # 9999-12-31 + 1 day would overflow
        errors[name] = _l("Use a date like 2025-01-31.")
        return None
    return parsed


def _lookup(model, slug, name: str, errors: dict) -> int | None:
    if not slug:
        return None
    slug = str(slug)
    # No slug holds U+0000 (and PostgreSQL could not even compare it): unknown, without a query.
    found = None if "\x00" in slug else \
        db.session.execute(sa.select(model.id).where(model.slug == slug)).scalar_one_or_none()
    if found is None:
        errors[name] = _l("Unknown value.")
    return found


def build_filters(*, kind=None, feedback_type=None, status=None, category=None, product=None, department=None,
                  date_from=None, date_to=None, scope: str = "all") -> engine.Filters:
    """Validate filter arguments (slugs and ISO dates) into engine filters; ValidationFailed names bad ones."""
    errors: dict = {}
    if kind and kind not in POST_KINDS:
        errors["kind"] = _l("Unknown value.")
    if feedback_type and feedback_type not in FEEDBACK_TYPES:
        errors["type"] = _l("Unknown value.")
    if status and status not in STATUSES:
        errors["status"] = _l("Unknown value.")
    if scope not in ("all", "posts", "comments"):
        errors["scope"] = _l("Unknown value.")
    start = _parse_date(date_from, "from", errors)
    end = _parse_date(date_to, "to", errors)
    if start and end and end < start:
        errors["to"] = _l("The end date is before the start date.")
    filters = engine.Filters(
        doc_types={"all": ("post", "comment"), "posts": ("post",), "comments": ("comment",)}.get(scope, ("post",)),
        kind=kind or None, feedback_type=feedback_type or None, status=status or None,
        category_id=_lookup(Category, category, "category", errors),
        product_id=_lookup(Product, product, "product", errors),
        department_id=_lookup(Department, department, "department", errors),
        created_from=start, created_to=end + timedelta(days=1) - timedelta(microseconds=1) if end else None,
    )
    if errors:
        raise ValidationFailed(fields=errors)
    return filters


def _store() -> engine.IndexStore:
    return get_indexer().store


def _run(store, parsed, filters, visibility, **kwargs) -> engine.HitPage:
    with _search_slot():
        try:
            return engine.search(store, parsed, filters, visibility, **kwargs)
        except engine.SearchUnavailable:
            pass
    # Missing (deleted, never built) or damaged: say so, and rebuild it in the background. An
    # empty index answering "0 results" would look like the truth.
    indexer = get_indexer()
    if store.current_dir() is None and db.session.execute(sa.select(Post.id).limit(1)).first() is None:
        store.ensure()  # nothing to index yet: an empty index is the truth
        with _search_slot():
            try:
                return engine.search(store, parsed, filters, visibility, **kwargs)
            except engine.SearchUnavailable:
                raise SearchUnavailableError() from None
    indexer.request_rebuild()
    raise SearchRebuildingError() from None


class _search_slot:  # noqa: N801 - used like a function
    """One of SEARCH_CONCURRENCY slots per process, waited for at most SEARCH_QUEUE_SECONDS:
    long searches queue here instead of taking every thread, so pages stay fast."""

    def __enter__(self):
        self.slots = get_indexer().search_slots
        if not self.slots.acquire(timeout=float(current_app.config.get("SEARCH_QUEUE_SECONDS", 2.0))):
            raise SearchBusyError()
        return self

    def __exit__(self, *exc):
        self.slots.release()
        return False


def search(actor, q: str, *, filters: engine.Filters | None = None, sort: str = "relevance", page: int = 1,
           per_page: int | None = None) -> SearchResults:
    """Posts and comments matching `q` that `actor` may see, newest/most voted/best first."""
    per_page = max(1, min(per_page or current_app.config["POSTS_PER_PAGE"], MAX_PER_PAGE))
    filters = filters or engine.Filters()
    sort = sort if sort in SORTS else "relevance"
    parsed = engine.parse_user_query(q, max_chars=MAX_QUERY_CHARS)
    results = SearchResults(items=[], page=page, per_page=per_page, total=0, query=q or "")
    if parsed.truncated:
        results.notices.append(_l("Your search was long, so only its first part was used."))
    if parsed.empty:
        if (q or "").strip():
            results.notices.append(_l("Your search has no words we can look for. Try other words."))
        return results
    store = _store()
    visibility = visibility_for(actor)
    hits = _run(store, parsed, filters, visibility, sort=sort, page=page, per_page=per_page)
    if hits.total == 0 and len(parsed.words) + len(parsed.phrases) > 1:
        hits = _run(store, parsed, filters, visibility, sort=sort, page=page, per_page=per_page, match_all=False)
        if hits.total:
            results.notices.append(_l("No item contains all of your words; showing items that contain some of them."))
    results.total, results.total_exact = hits.total, hits.total_exact
    results.items = _load_hits(actor, hits.hits, parsed.terms)
    return results


def _load_hits(actor, hits: list[engine.Hit], terms: set[str]) -> list[SearchHit]:
    post_ids = {h.post_id for h in hits}
    comment_ids = {h.comment_id for h in hits if h.comment_id}
    posts = {p.id: p for p in db.session.execute(sa.select(Post).where(Post.id.in_(post_ids))).scalars()} if post_ids else {}
    comments = ({c.id: c for c in db.session.execute(sa.select(Comment).where(Comment.id.in_(comment_ids))).scalars()}
                if comment_ids else {})
    items = []
    for hit in hits:
        post = posts.get(hit.post_id)
        # The index may lag the database by a moment: the database has the last word.
        if post is None or post.merged_into_id or not permissions.can_view_post(actor, post):
            continue
        comment = comments.get(hit.comment_id) if hit.comment_id else None
        if hit.comment_id:
            if comment is None or comment.is_deleted or comment.is_internal or comment.is_hidden:
                continue
            snippet = engine.highlight(comment.body, terms)
        else:
            snippet = engine.highlight(post.body, terms)
        items.append(SearchHit(post=post, comment=comment, title_html=engine.highlight(post.title, terms, whole=True),
                               snippet_html=snippet, score=hit.score))
    return items


def similar_items(actor, title: str, *, limit: int = SIMILAR_LIMIT) -> list[Post]:
    """Public posts whose words overlap `title`, best first: shown while composing so people vote instead."""
    parsed = engine.parse_user_query(title, max_chars=120)
    parsed.words += [t for p in parsed.phrases for t in p]
    parsed.phrases = []
    if parsed.empty:
        return []
    hits = _run(_store(), parsed, engine.Filters(doc_types=("post",)), engine.Visibility(),
                page=1, per_page=limit, match_all=False)
    ids = [h.post_id for h in hits.hits]
    if not ids:
        return []
    posts = {p.id: p for p in db.session.execute(sa.select(Post).where(Post.id.in_(ids))).scalars()}
    return [posts[i] for i in ids
            if i in posts and posts[i].is_public and not posts[i].merged_into_id
            and permissions.can_view_post(actor, posts[i])]


def request_rebuild(actor) -> None:
    """Admins may rebuild the index from the database (it runs in the background)."""
    if not permissions.is_admin(actor):
        raise PermissionDenied()
    get_indexer().request_rebuild()
