"""Triage rules: staff queues, bulk actions, tags, SLA warnings, supervision (督办), case ratings.

Like every service here: take the actor, check permissions, change, flush, never commit.
Every staff action is written to the audit log in the same transaction.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from community.accounts.models import User
from community.core import clock, permissions
from community.core.database import insert_ignore
from community.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from community.core.pagination import Page, paginate
from community.core.text import normalize
from community.domains import module_exists
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Post
from community.feedback.workflow import OPEN_STATUSES, STATUSES
from community.moderation.audit import record_audit
from community.routing.models import Department
from community.triage import sla
from community.triage.models import CaseRating, PostTag, SlaWarning, Supervision

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
RATING_COMMENT_MAX = 1000


def require_staff(actor) -> None:
    """The console and its API exist only for staff: everyone else gets the same 404."""
    if not permissions.is_staff(actor):
        raise NotFound()


def _label_system() -> str:
    return str(_("System"))


# Notifications are another domain; use them when they are installed -------------------

def _notifications():
    name = "community.notifications.services"
    return importlib.import_module(name) if module_exists(name) else None


def _call_notifications(function: str, *args, **kwargs):
    module = _notifications()
    fn = getattr(module, function, None) if module else None
    if fn is None:
        return None
    return fn(*args, **kwargs)


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
            raise ValidationFailed(fields={"tags": _l("Tags are up to %(n)d letters, digits, spaces or . + # -", n=TAG_MAX)})
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
        raise ValidationFailed(fields={"tags": _l("An item can have at most %(n)d tags.", n=TAGS_PER_ITEM)})
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
            message = "; ".join(str(v) for v in exc.fields.values()) or str(exc.message)
            results.append(BulkResult(post_id, False, message, exc.code))
    return results


# Supervision (督办) --------------------------------------------------------------------

SUPERVISION_NOTES = {
    "reassigned": _l("Supervised by the department lead: the item was passed on %(n)d times."),
    "reopened": _l("Supervised by the department lead: the author reopened it %(n)d times."),
    "low_rating": _l("Supervised by the department lead: the author was not satisfied (%(n)d/5)."),
}


def supervise_post(post: Post, reason: str, *, count: int, round_: int = 0) -> Supervision | None:
    """Send an item to its department lead with a visible 督办 mark (once per reason and round)."""
    exists = db.session.execute(sa.select(Supervision.id).where(
        Supervision.post_id == post.id, Supervision.reason == reason, Supervision.round == round_)).first()
    if exists:
        return None
    department = db.session.get(Department, post.department_id) if post.department_id else None
    lead = department.lead if department else None
    row = Supervision(post_id=post.id, reason=reason, round=round_, lead_id=lead.id if lead else None,
                      created_at=clock.now())
    db.session.add(row)
    db.session.flush()
    before = {"assignee_id": post.assignee_id}
    if lead is not None and post.assignee_id != lead.id and not lead.is_banned:
        feedback.system_assign(post, lead, note=str(SUPERVISION_NOTES[reason] % {"n": count}), label=_label_system())
    record_audit(None, "triage.supervise", "post", post.id, before=before,
                 after={"assignee_id": post.assignee_id, "supervision": reason, "lead_id": row.lead_id})
    return row


def end_supervision(post: Post) -> int:
    result = db.session.execute(sa.update(Supervision).where(Supervision.post_id == post.id,
                                                             Supervision.ended_at.is_(None))
                                .values(ended_at=clock.now()))
    return result.rowcount


def supervised_ids(post_ids) -> set[int]:
    if not post_ids:
        return set()
    return set(db.session.execute(sa.select(Supervision.post_id).where(
        Supervision.post_id.in_(list(post_ids)), Supervision.ended_at.is_(None))).scalars())


def list_supervisions(post: Post) -> list[Supervision]:
    return list(db.session.execute(sa.select(Supervision).where(Supervision.post_id == post.id)
                                   .order_by(Supervision.id)).scalars())


# Case ratings (一事一评) ------------------------------------------------------------------

def rating_for_current_resolution(post: Post) -> CaseRating | None:
    if post.resolved_at is None:
        return None
    return db.session.execute(sa.select(CaseRating).where(
        CaseRating.post_id == post.id, CaseRating.resolved_at == post.resolved_at)).scalar_one_or_none()


def can_rate(user, post: Post) -> bool:
    return (permissions.is_author(user, post) and permissions.can_write(user) and post.is_feedback
            and post.status == "resolved" and post.resolved_at is not None
            and rating_for_current_resolution(post) is None)


def rate_resolution(actor, post: Post, score, comment: str = "") -> CaseRating:
    """The author rates how a resolved item was handled. 3–5 confirms and closes it;
    1–2 sends it back, supervised by the department lead (督办), instead of closing."""
    if not permissions.is_author(actor, post) or not permissions.can_view_post(actor, post):
        raise NotFound()
    if not permissions.can_write(actor):
        raise PermissionDenied(_l("Your account cannot post right now."), code="account_restricted")
    if post.status != "resolved" or post.resolved_at is None:
        raise Conflict(_l("Only resolved items can be rated."), code="not_resolved")
    if rating_for_current_resolution(post) is not None:
        raise Conflict(_l("You already rated this resolution."), code="already_rated")
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationFailed(fields={"score": _l("Rate from 1 to 5.")})
    comment = normalize(comment)
    if len(comment) > RATING_COMMENT_MAX:
        raise ValidationFailed(fields={"comment": _l("At most %(n)d characters.", n=RATING_COMMENT_MAX)})
    rating = CaseRating(post_id=post.id, author_id=actor.id, department_id=post.department_id,
                        resolved_at=post.resolved_at, score=score, comment=comment, created_at=clock.now())
    db.session.add(rating)
    db.session.flush()
    if score <= 2:
        round_ = db.session.execute(sa.select(sa.func.count()).select_from(Supervision).where(
            Supervision.post_id == post.id, Supervision.reason == "low_rating")).scalar_one()
        feedback.system_set_status(post, "in_progress", label=_label_system(),
                                   note=str(_l("The author rated the handling %(n)d/5; follow-up continues.", n=score)))
        supervise_post(post, "low_rating", count=score, round_=round_)
        outcome = "supervised"
    else:
        feedback.confirm_resolution(actor, post)
        outcome = "closed"
    record_audit(actor, "triage.rating", "post", post.id, before={"status": "resolved"},
                 after={"status": post.status, "score": score, "outcome": outcome}, reason=comment)
    return rating


def request_rating(post: Post) -> None:
    """Ask the author (via a notification, when that domain is installed) to rate the resolution."""
    module = _notifications()
    if module is None or not hasattr(module, "notify"):
        return
    from community.notifications.kinds import KINDS

    if "rating_request" not in KINDS:
        return
    module.notify([post.author_id], "rating_request", post=post,
                  once_key=f"rating:{post.id}:{post.resolved_at.isoformat() if post.resolved_at else ''}")


# SLA job ---------------------------------------------------------------------------

@dataclass
class TickReport:
    warnings: int = 0
    breaches: int = 0
    auto_closed: int = 0
    notified: int = 0


def _recipient_for(level: str, post: Post, department: Department | None) -> User | None:
    lead = department.lead if department else None
    assignee = post.assignee
    if level == "warning":
        return assignee or lead
    return lead or assignee


def tick_sla(now: datetime | None = None, batch: int = 500) -> TickReport:
    """Warn at 80% of a target (the assignee) and at 100% (the department lead); close resolved
    items the author left unconfirmed. Safe to run any number of times: each item, target and
    level is recorded once in sla_warnings (unique), and only then notified."""
    now = now or clock.now()
    report = TickReport()
    clocks = sla.sql_clocks(Post, Department, now)
    candidate_ids = list(db.session.execute(
        sa.select(Post.id).outerjoin(Department, Department.id == Post.department_id)
        .where(Post.kind == "feedback", Post.status.in_(OPEN_STATUSES), Post.merged_into_id.is_(None),
               Post.deleted_at.is_(None), clocks.warned).order_by(Post.id)).scalars())
    for start in range(0, len(candidate_ids), batch):
        chunk = candidate_ids[start:start + batch]
        # Skip what earlier runs recorded without touching those rows; the unique key still
        # guards against a concurrent run.
        sent = {tuple(row) for row in db.session.execute(
            sa.select(SlaWarning.post_id, SlaWarning.target, SlaWarning.level).where(SlaWarning.post_id.in_(chunk)))}
        posts = db.session.execute(sa.select(Post).where(Post.id.in_(chunk))
                                   .options(selectinload(Post.department).selectinload(Department.lead),
                                            selectinload(Post.assignee))).scalars().all()
        for post in posts:
            for clk in sla.post_clocks(post, post.department, now).values():
                if clk.level is None or (post.id, clk.target, clk.level) in sent:
                    continue
                _record_warning(post, clk, report, now)
    _auto_close(now, report)
    db.session.flush()
    return report


def _record_warning(post: Post, clk: sla.Clock, report: TickReport, now: datetime) -> None:
    recipient = _recipient_for(clk.level, post, post.department)
    # RETURNING tells whether this run inserted the row (rowcount is -1 on some drivers).
    inserted = db.session.execute(insert_ignore(SlaWarning).values(
        post_id=post.id, target=clk.target, level=clk.level, recipient_id=recipient.id if recipient else None,
        created_at=now).returning(SlaWarning.id)).first() is not None
    if not inserted:
        return
    if clk.level == "warning":
        report.warnings += 1
    else:
        report.breaches += 1
        record_audit(None, "triage.sla_breach", "post", post.id,
                     after={"target": clk.target, "escalated_to": recipient.id if recipient else None,
                            "overdue_seconds": -clk.remaining_seconds})
    if recipient is not None and _call_notifications("notify_sla_warning", recipient, post, clk.target, clk.level):
        report.notified += 1


def _auto_close(now: datetime, report: TickReport) -> None:
    days = current_app.config.get("TRIAGE_AUTO_CLOSE_DAYS", 14)
    cutoff = now - timedelta(days=days)
    posts = db.session.execute(sa.select(Post).where(
        Post.status == "resolved", Post.resolved_at <= cutoff, Post.deleted_at.is_(None))).scalars().all()
    for post in posts:
        feedback.system_set_status(post, "closed", label=_label_system(),
                                   note=str(_l("Closed automatically: %(n)d days without a reply from the author.", n=days)))
        record_audit(None, "triage.auto_close", "post", post.id, before={"status": "resolved"},
                     after={"status": "closed"})
        report.auto_closed += 1


def overdue_marks(post_ids) -> set[int]:
    """Items whose breach was recorded by the SLA job (the console also computes it live)."""
    if not post_ids:
        return set()
    return set(db.session.execute(sa.select(SlaWarning.post_id).where(
        SlaWarning.post_id.in_(list(post_ids)), SlaWarning.level == "breached")).scalars())


# Figures -------------------------------------------------------------------------

@dataclass
class DepartmentFigures:
    department_id: int
    name: str
    items: int = 0
    median_first_response_seconds: int | None = None
    responded: int = 0
    within_sla: int = 0
    missed_sla: int = 0
    open_backlog: int = 0
    reassignments_per_item: float | None = None
    ratings: int = 0
    satisfied: int = 0
    average_rating: float | None = None

    @property
    def within_sla_rate(self) -> float | None:
        judged = self.within_sla + self.missed_sla
        return round(self.within_sla / judged, 4) if judged else None

    @property
    def satisfaction_rate(self) -> float | None:
        return round(self.satisfied / self.ratings, 4) if self.ratings else None

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        data.update(within_sla_rate=self.within_sla_rate, satisfaction_rate=self.satisfaction_rate)
        return data


def department_figures(department_ids=None, since: datetime | None = None,
                       now: datetime | None = None) -> list[DepartmentFigures]:
    """Accountability figures per department, for the staff console and the public dashboard.

    Over feedback created since `since` (default: the last 90 days): median first-response
    time, share of first responses within the target (unanswered items past it count as
    missed), reassignments per item and satisfaction (ratings of 4–5). The open backlog is
    all open items now. A few grouped queries; the median uses window functions.
    """
    now = now or clock.now()
    since = since or now - timedelta(days=90)
    departments = db.session.execute(sa.select(Department).order_by(Department.id)).scalars().all()
    if department_ids is not None:
        wanted = {int(i) for i in department_ids}
        departments = [d for d in departments if d.id in wanted]
    figures = {d.id: DepartmentFigures(department_id=d.id, name=d.name) for d in departments}
    if not figures:
        return []
    ids = list(figures)
    base = [Post.kind == "feedback", Post.merged_into_id.is_(None), Post.deleted_at.is_(None),
            Post.department_id.in_(ids)]
    recent = base + [Post.created_at >= since]
    clocks = sla.sql_clocks(Post, Department, now)
    target = Department.first_response_hours * 3600
    rows = db.session.execute(
        sa.select(
            Post.department_id,
            sa.func.count(),
            sa.func.count(Post.first_response_seconds),
            sa.func.sum(sa.case((Post.first_response_seconds <= target, 1), else_=0)),
            sa.func.sum(sa.case((Post.first_response_seconds > target, 1),
                                (sa.and_(Post.first_response_seconds.is_(None), Post.status.in_(OPEN_STATUSES),
                                         clocks.used > target), 1), else_=0)),
            sa.func.avg(Post.reassign_count),
        ).join(Department, Department.id == Post.department_id).where(*recent).group_by(Post.department_id)
    ).all()
    for dept_id, items, responded, within, missed, reassigns in rows:
        f = figures[dept_id]
        f.items, f.responded, f.within_sla, f.missed_sla = items, responded, int(within or 0), int(missed or 0)
        f.reassignments_per_item = round(float(reassigns), 2) if reassigns is not None else None
    # Median first response per department with window functions (SQLite ≥ 3.25 and PostgreSQL).
    ranked = (sa.select(
        Post.department_id.label("dept"), Post.first_response_seconds.label("secs"),
        sa.func.row_number().over(partition_by=Post.department_id, order_by=Post.first_response_seconds).label("rn"),
        sa.func.count().over(partition_by=Post.department_id).label("n"),
    ).where(*recent, Post.first_response_seconds.is_not(None)).subquery())
    medians = db.session.execute(
        sa.select(ranked.c.dept, sa.func.avg(ranked.c.secs))
        .where(ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])).group_by(ranked.c.dept)).all()
    for dept_id, median in medians:
        figures[dept_id].median_first_response_seconds = int(round(float(median)))
    for dept_id, backlog in db.session.execute(
            sa.select(Post.department_id, sa.func.count()).where(*base, Post.status.in_(OPEN_STATUSES))
            .group_by(Post.department_id)):
        figures[dept_id].open_backlog = backlog
    for dept_id, count, satisfied, average in db.session.execute(
            sa.select(CaseRating.department_id, sa.func.count(),
                      sa.func.sum(sa.case((CaseRating.score >= 4, 1), else_=0)), sa.func.avg(CaseRating.score))
            .where(CaseRating.department_id.in_(ids), CaseRating.created_at >= since)
            .group_by(CaseRating.department_id)):
        f = figures[dept_id]
        f.ratings, f.satisfied = count, int(satisfied or 0)
        f.average_rating = round(float(average), 2) if average is not None else None
    return [figures[d.id] for d in departments]


def departments_for_filters() -> list[Department]:
    return list(db.session.execute(sa.select(Department).order_by(Department.id)).scalars())

