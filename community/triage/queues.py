"""The staff console: queues and their counts, tags, single-item and bulk staff actions."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy.orm import selectinload

from community.accounts.models import User
from community.audit.services import record_audit
from community.core import clock, permissions
from community.core.database import insert_ignore
from community.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from community.core.pagination import Page, paginate
from community.core.text import normalize
from community.core.unit_of_work import error_summary
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Post
from community.feedback.workflow import OPEN_STATUSES, STATUSES
from community.routing.models import Department
from community.triage import sla
from community.triage.escalation import supervised_ids
from community.triage.models import PostTag, Supervision

QUEUES = {
    "mine": _l("Mine"),
    "department": _l("My department"),
    "unassigned": _l("Unassigned"),
    "overdue": _l("Overdue"),
    "due_soon": _l("Due soon"),
    "reopened": _l("Reopened by the author"),
    "supervised": _l("Supervised"),
    "all": _l("All open"),
}
QUEUE_SORTS = {"sla": _l("Time left"), "votes": _l("Most voted"), "oldest": _l("Oldest"), "newest": _l("Newest")}
BULK_ACTIONS = ("assign", "status", "tag", "merge")
TAG_MAX = 32
COUNT_CAP = 10_000
TAGS_PER_ITEM = 10
_TAG_RE = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff .+#-]*$")


def require_staff(actor) -> None:
    """The console and its API exist only for staff: everyone else gets the same 404."""
    if not permissions.is_staff(actor):
        raise NotFound()


# Queues -----------------------------------------------------------------------------

@dataclass
class QueueFilters:
    department_id: int | None = None
    category_id: int | None = None
    status: str | None = None
    feedback_type: str | None = None
    product_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    tag: str | None = None

    def as_args(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass
class QueueRow:
    post: Post
    clocks: dict
    headline: sla.Clock | None
    tags: list[str] = field(default_factory=list)
    supervised: bool = False


def _queue_statement(actor, queue: str, filters: QueueFilters, now: datetime):
    clocks = sla.sql_clocks(Post, Department, now)
    stmt = (sa.select(Post).outerjoin(Department, Department.id == Post.department_id)
            .where(Post.kind == "feedback", Post.merged_into_id.is_(None), Post.deleted_at.is_(None)))
    if filters.status and queue not in ("overdue", "due_soon", "reopened"):
        stmt = stmt.where(Post.status == filters.status)
    else:
        stmt = stmt.where(Post.status.in_(OPEN_STATUSES))
        if filters.status in OPEN_STATUSES:
            stmt = stmt.where(Post.status == filters.status)
    if queue == "mine":
        stmt = stmt.where(Post.assignee_id == actor.id)
    elif queue == "department":
        stmt = stmt.where(Post.department_id.in_(sorted(actor.department_ids) or [-1]))
    elif queue == "unassigned":
        stmt = stmt.where(Post.assignee_id.is_(None))
    elif queue == "overdue":
        stmt = stmt.where(clocks.overdue)
    elif queue == "due_soon":
        # At least 80% of a running target used, and not yet overdue.
        stmt = stmt.where(clocks.warned, sa.not_(clocks.overdue))
    elif queue == "reopened":
        stmt = stmt.where(Post.reopen_count > 0)
    elif queue == "supervised":
        stmt = stmt.where(sa.exists().where(Supervision.post_id == Post.id, Supervision.ended_at.is_(None)))
    if filters.department_id:
        stmt = stmt.where(Post.department_id == filters.department_id)
    if filters.category_id:
        stmt = stmt.where(Post.category_id == filters.category_id)
    if filters.feedback_type:
        stmt = stmt.where(Post.feedback_type == filters.feedback_type)
    if filters.product_id:
        stmt = stmt.where(Post.product_id == filters.product_id)
    if filters.created_from:
        stmt = stmt.where(Post.created_at >= datetime.combine(filters.created_from, datetime.min.time()))
    if filters.created_to:
        stmt = stmt.where(Post.created_at < datetime.combine(filters.created_to + timedelta(days=1), datetime.min.time()))
    if filters.tag:
        stmt = stmt.where(sa.exists().where(PostTag.post_id == Post.id, PostTag.tag == filters.tag))
    return stmt, clocks


def list_queue(actor, queue: str = "mine", *, filters: QueueFilters | None = None, sort: str = "sla",
               page: int = 1, per_page: int | None = None) -> Page:
    """One page of a queue; each item is a QueueRow with its SLA clocks, tags and 督办 mark."""
    require_staff(actor)
    if queue not in QUEUES:
        raise NotFound()
    filters = filters or QueueFilters()
    now = clock.now()
    per_page = per_page or current_app.config.get("TRIAGE_PER_PAGE", 50)
    stmt, clocks = _queue_statement(actor, queue, filters, now)
    # Open queues hold thousands at most; a filter on a done status could match most of the
    # table, so the count stops at COUNT_CAP (shown as "10000+").
    count_stmt = sa.select(sa.func.count()).select_from(
        stmt.with_only_columns(Post.id).limit(COUNT_CAP + 1).subquery())
    if sort == "votes":
        order = [Post.vote_count.desc(), Post.created_at.desc()]
    elif sort == "oldest":
        order = [Post.created_at.asc()]
    elif sort == "newest":
        order = [Post.created_at.desc()]
    else:
        order = [sa.case((clocks.remaining.is_(None), 1), else_=0), clocks.remaining.asc()]
    # Sort and cut the page on narrow rows (ids only), then load just those posts with what
    # the rows show: the sort never drags author/category joins across thousands of rows.
    id_stmt = stmt.with_only_columns(Post.id).order_by(*order, Post.id.asc())
    result = paginate(id_stmt, page, per_page, count_stmt=count_stmt)
    posts = {p.id: p for p in db.session.execute(
        sa.select(Post).where(Post.id.in_(result.items))
        .options(selectinload(Post.department), selectinload(Post.assignee), selectinload(Post.product))).scalars()}
    result.items = build_rows([posts[i] for i in result.items if i in posts], now)
    result.capped = result.total > COUNT_CAP
    result.total = min(result.total, COUNT_CAP)
    return result


def build_rows(posts: list[Post], now: datetime | None = None) -> list[QueueRow]:
    """Clocks, tags and supervision for a page of posts: two queries, not one per row."""
    now = now or clock.now()
    ids = [p.id for p in posts]
    tags = tags_for(ids)
    supervised = supervised_ids(ids)
    rows = []
    for post in posts:
        clocks = sla.post_clocks(post, post.department, now)
        rows.append(QueueRow(post=post, clocks=clocks, headline=sla.headline(clocks), tags=tags.get(post.id, []),
                             supervised=post.id in supervised))
    return rows


def queue_counts(actor) -> dict[str, int]:
    """How many open items each queue holds, for the tabs: one pass over the open items."""
    require_staff(actor)
    clocks = sla.sql_clocks(Post, Department, clock.now())

    def count_if(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    supervised = sa.exists().where(Supervision.post_id == Post.id, Supervision.ended_at.is_(None))
    row = db.session.execute(
        sa.select(
            count_if(Post.assignee_id == actor.id),
            count_if(Post.department_id.in_(sorted(actor.department_ids) or [-1])),
            count_if(Post.assignee_id.is_(None)),
            count_if(clocks.overdue),
            count_if(sa.and_(clocks.warned, sa.not_(clocks.overdue))),
            count_if(Post.reopen_count > 0),
            count_if(supervised),
            sa.func.count(),
        ).select_from(Post).outerjoin(Department, Department.id == Post.department_id)
        .where(Post.kind == "feedback", Post.merged_into_id.is_(None), Post.deleted_at.is_(None),
               Post.status.in_(OPEN_STATUSES))
    ).one()
    return dict(zip(("mine", "department", "unassigned", "overdue", "due_soon", "reopened", "supervised", "all"),
                    (int(v) for v in row)))


def get_item(actor, post_id) -> Post:
    """A feedback item for the staff panel (staff see hidden items; moderators deleted ones)."""
    require_staff(actor)
    return feedback.get_post(actor, post_id)


def author_history(actor, post: Post, limit: int = 10) -> tuple[list[Post], int]:
    """The author's other recent items, and how many they have in total."""
    require_staff(actor)
    where = [Post.author_id == post.author_id, Post.id != post.id, permissions.visible_posts_clause(actor, Post)]
    items = list(db.session.execute(
        sa.select(Post).where(*where).order_by(Post.created_at.desc()).limit(limit)).scalars())
    total = db.session.execute(sa.select(sa.func.count()).select_from(Post).where(*where)).scalar_one()
    return items, total


# Tags -------------------------------------------------------------------------------

def tags_for(post_ids) -> dict[int, list[str]]:
    if not post_ids:
        return {}
    out: dict[int, list[str]] = {}
    rows = db.session.execute(sa.select(PostTag.post_id, PostTag.tag).where(PostTag.post_id.in_(list(post_ids)))
                              .order_by(PostTag.post_id, PostTag.tag))
    for post_id, tag in rows:
        out.setdefault(post_id, []).append(tag)
    return out


def parse_tags(raw) -> list[str]:
    """"蓝牙, OTA-2.3" → ["蓝牙", "OTA-2.3"]; raises ValidationFailed on bad tags."""
    values = raw if isinstance(raw, (list, tuple)) else re.split(r"[,，\n]", raw or "")
    tags = []
    for value in values:
        tag = re.sub(r"\s+", " ", normalize(str(value)))
        if not tag:
            continue
        if len(tag) > TAG_MAX or not _TAG_RE.match(tag):
            raise ValidationFailed(fields={"tags": _ln("Tags are up to %(num)d letter, digit, space or . + # -",
                                                       "Tags are up to %(num)d letters, digits, spaces or . + # -", TAG_MAX)})
        if tag not in tags:
            tags.append(tag)
    if not tags:
        raise ValidationFailed(fields={"tags": _l("Enter at least one tag.")})
    return tags


def add_tags(actor, post: Post, tags) -> list[str]:
    """Label an item; returns the tags that were new."""
    require_staff(actor)
    if not permissions.can_manage_post(actor, post):
        raise PermissionDenied()
    tags = parse_tags(tags)
    existing = set(tags_for([post.id]).get(post.id, []))
    new = [t for t in tags if t not in existing]
    if len(existing) + len(new) > TAGS_PER_ITEM:
        raise ValidationFailed(fields={"tags": _ln("An item can have at most %(num)d tag.",
                                                   "An item can have at most %(num)d tags.", TAGS_PER_ITEM)})
    for tag in new:
        db.session.execute(insert_ignore(PostTag).values(post_id=post.id, tag=tag, created_by_id=actor.id,
                                                         created_at=clock.now()))
    if new:
        record_audit(actor, "triage.tag", "post", post.id, before={"tags": sorted(existing)},
                     after={"tags": sorted(existing | set(new))})
    db.session.flush()
    return new


def remove_tag(actor, post: Post, tag: str) -> None:
    require_staff(actor)
    if not permissions.can_manage_post(actor, post):
        raise PermissionDenied()
    existing = tags_for([post.id]).get(post.id, [])
    if tag not in existing:
        raise NotFound()
    db.session.execute(sa.delete(PostTag).where(PostTag.post_id == post.id, PostTag.tag == tag))
    record_audit(actor, "triage.untag", "post", post.id, before={"tags": existing},
                 after={"tags": [t for t in existing if t != tag]})
    db.session.flush()


# Single-item staff actions (each audited) ----------------------------------------------

def assign_item(actor, post: Post, *, reason: str, to_user: User | None = None,
                to_department: Department | None = None):
    require_staff(actor)
    before = {"assignee_id": post.assignee_id, "department_id": post.department_id}
    entry = feedback.reassign_post(actor, post, reason=reason, to_user=to_user, to_department=to_department)
    record_audit(actor, "triage.assign", "post", post.id, before=before,
                 after={"assignee_id": post.assignee_id, "department_id": post.department_id}, reason=entry.note)
    return entry


def set_item_status(actor, post: Post, to_status: str, *, note: str = ""):
    require_staff(actor)
    before = {"status": post.status}
    entry = feedback.change_status(actor, post, to_status, note=note)
    record_audit(actor, "triage.status", "post", post.id, before=before, after={"status": post.status},
                 reason=entry.note)
    return entry


def reply_to_item(actor, post: Post, body: str, *, to_status: str | None = None):
    require_staff(actor)
    before = {"status": post.status, "first_response_at": post.first_response_at.isoformat() if post.first_response_at else None}
    comment = feedback.post_official_reply(actor, post, body, to_status=to_status or None)
    record_audit(actor, "triage.official_reply", "post", post.id, before=before,
                 after={"status": post.status, "comment_id": comment.id})
    return comment


def add_internal_note(actor, post: Post, body: str):
    """内部备注: a staff-only comment (feedback keeps it out of every member-facing channel)."""
    require_staff(actor)
    comment = feedback.add_comment(actor, post, body, internal=True)
    record_audit(actor, "triage.internal_note", "post", post.id, after={"comment_id": comment.id})
    return comment


def merge_items(actor, target: Post, duplicates: list[Post], *, note: str = ""):
    require_staff(actor)
    entries = []
    for duplicate in duplicates:
        before = {"status": duplicate.status, "merged_into_id": duplicate.merged_into_id}
        entries.append(feedback.merge_posts(actor, duplicate, target, note=note))
        record_audit(actor, "triage.merge", "post", duplicate.id, before=before,
                     after={"status": duplicate.status, "merged_into_id": target.id}, reason=note)
    return entries


# Bulk actions ----------------------------------------------------------------------

@dataclass
class BulkResult:
    post_id: int
    ok: bool
    message: str = ""
    code: str = ""


def parse_ids(values) -> list[int]:
    ids = []
    for value in values or ():
        try:
            number = int(str(value).strip().lstrip("#"))
        except ValueError:
            continue
        if number > 0 and number not in ids:
            ids.append(number)
    return ids[:200]


def bulk_action(actor, action: str, post_ids, *, reason: str = "", note: str = "", to_user: User | None = None,
                to_department: Department | None = None, status: str = "", tags=None,
                target_id=None) -> list[BulkResult]:
    """Apply one action to each selected item. Each item runs in its own savepoint, so one
    refusal (no permission, invalid transition…) is reported without undoing the others."""
    require_staff(actor)
    if action not in BULK_ACTIONS:
        raise ValidationFailed(fields={"action": _l("Choose an action.")})
    ids = parse_ids(post_ids)
    if not ids:
        raise ValidationFailed(fields={"ids": _l("Select at least one item.")})
    if action == "status" and status not in STATUSES:
        raise ValidationFailed(fields={"status": _l("Choose a status.")})
    if action == "tag":
        tags = parse_tags(tags)
    target = None
    if action == "merge":
        if target_id in (None, ""):
            raise ValidationFailed(fields={"target": _l("Choose the item to merge into.")})
        target = feedback.get_post(actor, str(target_id).strip().lstrip("#"))
        ids = [i for i in ids if i != target.id]
        if not ids:
            raise ValidationFailed(fields={"ids": _l("Select items other than the one you merge into.")})
    if action == "assign" and to_user is None and to_department is None:
        raise ValidationFailed(fields={"to_user": _l("Choose a person or a department.")})

    results = []
    for post_id in ids:
        try:
            with db.session.begin_nested():
                post = feedback.get_post(actor, post_id)
                if action == "assign":
                    assign_item(actor, post, reason=reason, to_user=to_user, to_department=to_department)
                elif action == "status":
                    set_item_status(actor, post, status, note=note)
                elif action == "tag":
                    add_tags(actor, post, tags)
                else:
                    merge_items(actor, target, [post], note=note)
            results.append(BulkResult(post_id, True))
        except DomainError as exc:
            results.append(BulkResult(post_id, False, error_summary(exc), exc.code))
    return results
