"""Roadmap rules: items and their workflow, feedback links, votes, demand, shipping.

Services take the acting user and plain values, check permissions, change objects, flush and
send a domain signal. They never commit: the caller (view, API, CLI) does.

Demand (需求热度) is the number of distinct accounts that voted for the item, voted for any
linked feedback or wrote it. Every write that can change it takes the item's row lock first
(SELECT … FOR UPDATE; SQLite serializes writers anyway) and recounts in one UPDATE, so two
concurrent votes cannot both write a count that misses the other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from community.accounts.models import STAFF_ROLES, User
from community.core import clock, events, permissions
from community.core.database import insert_ignore
from community.core.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from community.core.pagination import MAX_PER_PAGE, Page, paginate
from community.core.screening import screen
from community.core.text import clean_text, normalize, render_markdown
from community.core.unit_of_work import error_summary
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Follow, Post, Product, Vote
from community.feedback.workflow import can_transition as can_transition_feedback
from community.roadmap.models import (
    FeedbackRoadmapRef,
    FourBoxAnswer,
    ProductRoadmapSettings,
    RoadmapComment,
    RoadmapEntry,
    RoadmapItem,
    RoadmapLink,
    RoadmapVote,
)
from community.roadmap.workflow import BOARD_STATUSES, CLOSED_STATUSES, NOTE_REQUIRED, SORTS, STATUSES, can_transition
from community.routing.models import Department
from community.triage.services import BulkResult, parse_ids

TITLE_MIN, TITLE_MAX = 4, 120
DESCRIPTION_MAX = 20_000
AREA_MAX = 32
NOTE_MAX = 2_000
BOARD_COLUMN_SIZE = 12
QUARTER_RE = re.compile(r"^\s*(20\d\d)\s*[- ]?\s*[Qq]([1-4])\s*$")

roadmap_item_changed = events.domain.signal("roadmap.item_changed")  # sender: item; actor, entry
roadmap_demand_changed = events.domain.signal("roadmap.demand_changed")  # sender: item id (recounted)
roadmap_item_shipped = events.domain.signal("roadmap.item_shipped")  # sender: item; actor, release, told


def parse_days(days, errors: dict, maximum: int) -> int:
    """A duration in whole days from 1 to `maximum` (polls, four-box rounds, announcements);
    0, with the message in `errors["days"]`, otherwise."""
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= maximum:
        errors["days"] = _l("Enter a whole number from %(lo)d to %(hi)d.", lo=1, hi=maximum)
        return 0
    return days


def require_roadmap_staff(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()
    if not permissions.can_manage_roadmap(actor):
        raise PermissionDenied()


def _require_writer(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()
    if not permissions.can_write(actor):
        raise PermissionDenied(_l("Your account cannot post right now."), code="account_restricted")


def _entry(item: RoadmapItem, kind: str, actor, **fields) -> RoadmapEntry:
    actor = permissions.recorded_actor(actor)
    department = item.department
    entry = RoadmapEntry(item_id=item.id, kind=kind, actor_id=actor.id,
                         actor_role=actor.role, actor_label=feedback.actor_label(actor),
                         department_name=department.name if department else "", created_at=clock.now(), **fields)
    db.session.add(entry)
    return entry


# Reading -------------------------------------------------------------------------

def get_item(actor, item_id) -> RoadmapItem:
    """The item if `actor` may see it; NotFound otherwise (never reveals that a draft exists)."""
    try:
        item = db.session.get(RoadmapItem, int(item_id))
    except (TypeError, ValueError, OverflowError):
        item = None
    if item is None or not permissions.can_view_roadmap_item(actor, item):
        raise NotFound()
    return item


def _conditions(actor, *, product_id=None, area=None, status=None) -> list:
    conditions = [permissions.visible_roadmap_clause(actor, RoadmapItem)]
    if product_id:
        conditions.append(RoadmapItem.product_id == product_id)
    if area:
        conditions.append(RoadmapItem.area == area)
    if status:
        conditions.append(RoadmapItem.status == status)
    return conditions


def _order(sort: str):
    if sort == "new":
        return [RoadmapItem.created_at.desc(), RoadmapItem.id.desc()]
    if sort == "eta":  # items without a target quarter last
        return [RoadmapItem.target_quarter.is_(None), RoadmapItem.target_quarter, RoadmapItem.demand.desc(),
                RoadmapItem.id]
    return [RoadmapItem.demand.desc(), RoadmapItem.id.desc()]


@dataclass
class BoardColumn:
    status: str
    items: list
    total: int


def board(actor, *, product_id=None, area=None, per_column: int = BOARD_COLUMN_SIZE) -> list[BoardColumn]:
    """The public board: one column per status (most wanted first), each capped, with its total."""
    conditions = _conditions(actor, product_id=product_id, area=area)
    totals = dict(db.session.execute(
        sa.select(RoadmapItem.status, sa.func.count()).where(*conditions).group_by(RoadmapItem.status)).all())
    columns = []
    for status in (*BOARD_STATUSES, "not_planned"):
        rows = []
        if totals.get(status):
            rows = list(db.session.execute(
                sa.select(RoadmapItem).where(*conditions, RoadmapItem.status == status)
                .order_by(*_order("demand")).limit(per_column)).scalars())
        columns.append(BoardColumn(status, rows, totals.get(status, 0)))
    return columns


def list_items(actor, *, sort: str = "demand", status=None, product_id=None, area=None, page: int = 1,
               per_page: int = 20) -> Page:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    stmt = sa.select(RoadmapItem).where(*_conditions(actor, product_id=product_id, area=area, status=status))
    return paginate(stmt.order_by(*_order(sort if sort in SORTS else "demand")), page, per_page)


def list_areas(actor, product_id=None) -> list[str]:
    stmt = (sa.select(RoadmapItem.area).distinct()
            .where(RoadmapItem.area != "", permissions.visible_roadmap_clause(actor, RoadmapItem)))
    if product_id:
        stmt = stmt.where(RoadmapItem.product_id == product_id)
    return sorted(db.session.execute(stmt).scalars())


def list_entries(item: RoadmapItem) -> list[RoadmapEntry]:
    return list(db.session.execute(
        sa.select(RoadmapEntry).where(RoadmapEntry.item_id == item.id)
        .order_by(RoadmapEntry.created_at, RoadmapEntry.id)).scalars())


def list_linked_posts(actor, item: RoadmapItem) -> list[Post]:
    """Linked feedback the viewer may see (hidden or deleted items drop out for members)."""
    return list(db.session.execute(
        sa.select(Post).join(RoadmapLink, RoadmapLink.post_id == Post.id)
        .where(RoadmapLink.item_id == item.id, permissions.visible_posts_clause(actor, Post))
        .order_by(Post.vote_count.desc(), Post.id)).scalars())


def item_for_post(actor, post: Post) -> RoadmapItem | None:
    """The roadmap item a feedback item is linked to, if the viewer may see it."""
    item = db.session.execute(
        sa.select(RoadmapItem).join(RoadmapLink, RoadmapLink.item_id == RoadmapItem.id)
        .where(RoadmapLink.post_id == post.id)).scalar_one_or_none()
    return item if item is not None and permissions.can_view_roadmap_item(actor, item) else None


def has_voted(actor, item: RoadmapItem) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return db.session.get(RoadmapVote, (item.id, actor.id)) is not None


def voted_item_ids(actor, item_ids) -> set[int]:
    if not getattr(actor, "is_authenticated", False) or not item_ids:
        return set()
    return set(db.session.execute(sa.select(RoadmapVote.item_id).where(
        RoadmapVote.user_id == actor.id, RoadmapVote.item_id.in_(list(item_ids)))).scalars())


def feedback_ref(entry_id: int) -> FeedbackRoadmapRef | None:
    return db.session.get(FeedbackRoadmapRef, entry_id)


# Writing items -------------------------------------------------------------------

def parse_quarter(value) -> str | None:
    """"2027 Q1", "2027Q1", "2027-q1" → "2027Q1"; empty → None."""
    text = str(value or "").strip()
    if not text:
        return None
    match = QUARTER_RE.match(text)
    if match is None:
        raise ValidationFailed(fields={"target_quarter": _l("Write the quarter like 2027 Q1.")})
    return f"{match.group(1)}Q{match.group(2)}"


def optional_text(value, **rules) -> str:
    """clean_text for a field that may stay empty."""
    return clean_text(value, **rules) if normalize(value or "") else ""


def _clean_fields(*, title, description, area, target_quarter) -> dict:
    errors, values = {}, {}
    for name, clean in (
        ("title", lambda: clean_text(title, field="title", label=_l("Title"), min_len=TITLE_MIN,
                                     max_len=TITLE_MAX, multiline=False)),
        ("description", lambda: optional_text(description, field="description", label=_l("Description"),
                                           min_len=0, max_len=DESCRIPTION_MAX, multiline=True)),
        ("target_quarter", lambda: parse_quarter(target_quarter)),
    ):
        try:
            values[name] = clean()
        except ValidationFailed as exc:
            errors.update(exc.fields or {name: exc.message})
    area = normalize(area or "").strip().lower()
    if len(area) > AREA_MAX:
        errors["area"] = _ln("At most %(num)d character.", "At most %(num)d characters.", AREA_MAX)
    values["area"] = area
    if errors:
        raise ValidationFailed(fields=errors)
    return values


def _check_owner(owner: User | None) -> None:
    if owner is not None and (not owner.is_staff or owner.is_banned):
        raise ValidationFailed(fields={"owner": _l("The owner must be a staff member.")})


def create_item(actor, *, title, description="", product: Product | None = None, area="", target_quarter=None,
                owner: User | None = None, department: Department | None = None, is_public: bool = True,
                status: str = "considering", note: str = "") -> RoadmapItem:
    require_roadmap_staff(actor)
    values = _clean_fields(title=title, description=description, area=area, target_quarter=target_quarter)
    if status not in ("considering", "planned"):
        raise ValidationFailed(fields={"status": _l("New items start as under consideration or planned.")})
    _check_owner(owner)
    if department is None and actor.departments:
        department = actor.departments[0]
    now = clock.now()
    item = RoadmapItem(title=values["title"], description=values["description"],
                       description_html=str(render_markdown(values["description"])), area=values["area"],
                       target_quarter=values["target_quarter"], product_id=product.id if product else None,
                       owner_id=(owner or actor).id, department_id=department.id if department else None,
                       is_public=bool(is_public), status=status, created_by_id=actor.id, created_at=now,
                       updated_at=now, status_changed_at=now)
    db.session.add(item)
    db.session.flush()
    entry = _entry(item, "created", actor, to_status=status, note=normalize(note)[:NOTE_MAX])
    db.session.flush()
    roadmap_item_changed.send(item, actor=actor, entry=entry)
    return item


def edit_item(actor, item: RoadmapItem, *, title, description="", product: Product | None = None, area="",
              target_quarter=None, owner: User | None = None, department: Department | None = None,
              is_public: bool | None = None) -> RoadmapItem:
    require_roadmap_staff(actor)
    values = _clean_fields(title=title, description=description, area=area, target_quarter=target_quarter)
    _check_owner(owner)
    item.title, item.description = values["title"], values["description"]
    item.description_html = str(render_markdown(values["description"]))
    item.area, item.target_quarter = values["area"], values["target_quarter"]
    item.product_id = product.id if product else None
    if owner is not None:
        item.owner_id = owner.id
    if department is not None:
        item.department_id = department.id
    if is_public is not None:
        item.is_public = bool(is_public)
    item.updated_at = clock.now()
    db.session.flush()
    roadmap_item_changed.send(item, actor=actor, entry=None)
    return item


def change_status(actor, item: RoadmapItem, to_status: str, *, note: str = "", release=None) -> RoadmapEntry:
    """Move an item along the workflow; not_planned needs a public reason; shipping tells everyone who asked."""
    require_roadmap_staff(actor)
    if to_status not in STATUSES or not can_transition(item.status, to_status):
        raise InvalidTransition()
    note = normalize(note)[:NOTE_MAX]
    if to_status in NOTE_REQUIRED and not note:
        raise ValidationFailed(fields={"note": _l("Give a public reason for not planning it.")})
    _lock(item.id)
    from_status = item.status
    now = clock.now()
    item.status, item.status_changed_at, item.updated_at = to_status, now, now
    entry = _entry(item, "status", actor, from_status=from_status, to_status=to_status, note=note,
                   release_id=release.id if release is not None else None)
    if to_status == "shipped":
        item.shipped_at = now
        if release is not None:
            item.release_id = release.id
    db.session.flush()
    roadmap_item_changed.send(item, actor=actor, entry=entry)
    if to_status == "shipped":
        _after_ship(actor, item, release=release or item.release)
    return entry


def record_decision(actor, item: RoadmapItem, poll, text: str) -> RoadmapEntry:
    """A poll's outcome on the item's public timeline."""
    entry = _entry(item, "decision", actor, poll_id=poll.id, note=normalize(text)[:NOTE_MAX])
    item.updated_at = clock.now()
    db.session.flush()
    roadmap_item_changed.send(item, actor=actor, entry=entry)
    return entry


# Linking feedback ----------------------------------------------------------------

def _ref(entry, item: RoadmapItem, release=None) -> None:
    db.session.add(FeedbackRoadmapRef(timeline_entry_id=entry.id, item_id=item.id, item_title=item.title[:120],
                                      release_id=release.id if release is not None else None,
                                      version=release.version if release is not None else ""))
    db.session.flush()


def add_release_ref(entry, release) -> None:
    db.session.add(FeedbackRoadmapRef(timeline_entry_id=entry.id, release_id=release.id, version=release.version))
    db.session.flush()


def link_feedback(actor, item: RoadmapItem, post: Post, *, note: str = "") -> RoadmapLink:
    """Link a feedback item: it moves to 已采纳 with a public entry pointing at the roadmap item.

    A feedback item links to at most one roadmap item (the primary key on post_id says so too).
    """
    require_roadmap_staff(actor)
    if not permissions.can_view_post(actor, post):
        raise NotFound()
    if not post.is_feedback or post.merged_into_id or post.status == "duplicate" or post.is_deleted:
        raise ValidationFailed(fields={"post_id": _l("Only open feedback items can be linked.")})
    if item.status == "not_planned":
        raise Conflict(_l("Reopen the roadmap item before linking feedback to it."), code="item_not_planned")
    existing = db.session.get(RoadmapLink, post.id)
    if existing is not None:
        if existing.item_id == item.id:
            raise Conflict(_l("That feedback is already linked to this item."), code="already_linked")
        raise Conflict(_l("That feedback is already linked to another roadmap item."), code="linked_elsewhere")
    _lock(item.id)
    inserted = db.session.execute(insert_ignore(RoadmapLink).values(
        post_id=post.id, item_id=item.id, linked_by_id=actor.id, created_at=clock.now())
        .returning(RoadmapLink.post_id)).first()
    if inserted is None:  # a concurrent link won the primary key
        raise Conflict(_l("That feedback is already linked to another roadmap item."), code="linked_elsewhere")
    # Within the feedback workflow: open items become 已采纳; others (resolved, closed…) keep their status.
    to_status = "accepted" if can_transition_feedback(post.status, "accepted") else None
    post_entry, from_status = feedback.record_external_entry(actor, post, "roadmap_linked", to_status=to_status,
                                                             note=note)
    _ref(post_entry, item)
    entry = _entry(item, "linked", actor, post_id=post.id, note=normalize(note)[:NOTE_MAX])
    recount_demand(item.id)
    db.session.flush()
    if from_status is not None:
        events.post_status_changed.send(post, actor=actor, entry=post_entry, from_status=from_status,
                                        to_status=post.status)
    roadmap_item_changed.send(item, actor=actor, entry=entry)
    return db.session.get(RoadmapLink, post.id)


def unlink_feedback(actor, post: Post, *, note: str = "") -> RoadmapEntry:
    """Undo a link, on the record: 已采纳 returns to 处理中 and both timelines say so."""
    require_roadmap_staff(actor)
    if not permissions.can_view_post(actor, post):
        raise NotFound()
    link = db.session.get(RoadmapLink, post.id)
    if link is None:
        raise Conflict(_l("That feedback is not linked to a roadmap item."), code="not_linked")
    item = db.session.get(RoadmapItem, link.item_id)
    _lock(item.id)
    db.session.delete(link)
    db.session.flush()
    note = normalize(note)[:NOTE_MAX]
    to_status = "in_progress" if post.status == "accepted" else None
    post_entry, from_status = feedback.record_external_entry(actor, post, "roadmap_unlinked", to_status=to_status,
                                                             note=note)
    _ref(post_entry, item)
    entry = _entry(item, "unlinked", actor, post_id=post.id, note=note)
    recount_demand(item.id)
    db.session.flush()
    if from_status is not None:
        events.post_status_changed.send(post, actor=actor, entry=post_entry, from_status=from_status,
                                        to_status=post.status)
    roadmap_item_changed.send(item, actor=actor, entry=entry)
    return entry


def parse_post_ids(values) -> list[int]:
    """Ids typed or selected by staff ("#12 13"), bounded to what an id column can hold."""
    return [i for i in parse_ids(values) if i < 2**62]


def bulk_link(actor, item: RoadmapItem, post_ids) -> list[BulkResult]:
    """Link many feedback items (triage console); each in its own savepoint, so one refusal is
    reported without undoing the others."""
    require_roadmap_staff(actor)
    ids = parse_post_ids(post_ids)
    if not ids:
        raise ValidationFailed(fields={"ids": _l("Select at least one item.")})
    results = []
    for post_id in ids:
        try:
            with db.session.begin_nested():
                link_feedback(actor, item, feedback.get_post(actor, post_id))
            results.append(BulkResult(post_id, True))
        except DomainError as exc:
            results.append(BulkResult(post_id, False, error_summary(exc), exc.code))
    return results


# Votes and demand ----------------------------------------------------------------

def _lock(item_id: int) -> None:
    """Serialize demand-changing writes on one item (PostgreSQL row lock; SQLite has one writer)."""
    db.session.execute(sa.select(RoadmapItem.id).where(RoadmapItem.id == item_id).with_for_update())


def supporters_query(item_id: int, *, include_followers: bool = False):
    """Accounts interested in the item: its voters, the voters and authors of its visible linked
    feedback (plus that feedback's followers when telling people it shipped), and the four-box
    authors whose wish became the item."""
    linked_public = (sa.select(RoadmapLink.post_id).join(Post, Post.id == RoadmapLink.post_id)
                     .where(RoadmapLink.item_id == item_id, permissions.public_posts_clause(Post)))
    parts = [
        sa.select(RoadmapVote.user_id.label("user_id")).where(RoadmapVote.item_id == item_id),
        sa.select(Vote.user_id).where(Vote.post_id.in_(linked_public)),
        sa.select(Post.author_id).where(Post.id.in_(linked_public)),
    ]
    if include_followers:
        parts.append(sa.select(Follow.user_id).where(Follow.post_id.in_(linked_public)))
    parts.append(sa.select(FourBoxAnswer.user_id).where(FourBoxAnswer.wanted_item_id == item_id))
    return sa.union(*parts)


def recount_demand(item_id: int) -> tuple[int, int]:
    """Recount demand and linked items in one UPDATE; callers hold the item's lock."""
    supporters = supporters_query(item_id).subquery()
    demand = sa.select(sa.func.count()).select_from(supporters).scalar_subquery()
    linked = (sa.select(sa.func.count()).select_from(RoadmapLink).where(RoadmapLink.item_id == item_id)
              .scalar_subquery())
    row = db.session.execute(
        sa.update(RoadmapItem).where(RoadmapItem.id == item_id).values(demand=demand, linked_count=linked)
        .returning(RoadmapItem.demand, RoadmapItem.linked_count)
        .execution_options(synchronize_session=False)).one()
    item = db.session.identity_map.get(identity_key(RoadmapItem, item_id))
    if item is not None:
        set_committed_value(item, "demand", row.demand)
        set_committed_value(item, "linked_count", row.linked_count)
    roadmap_demand_changed.send(item_id)
    return row.demand, row.linked_count


def vote_budget(product_id) -> int | None:
    if not product_id:
        return None
    settings = db.session.get(ProductRoadmapSettings, product_id)
    return settings.vote_budget if settings is not None else None


def active_vote_count(user_id: int, product_id: int) -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(RoadmapVote).join(RoadmapItem, RoadmapItem.id == RoadmapVote.item_id)
        .where(RoadmapVote.user_id == user_id, RoadmapItem.product_id == product_id,
               RoadmapItem.status.not_in(CLOSED_STATUSES))).scalar_one()


def votes_left(actor, product_id) -> int | None:
    """"你还有 3 票": the member's unspent votes for a product with a budget; None without one."""
    budget = vote_budget(product_id)
    if budget is None or not getattr(actor, "is_authenticated", False):
        return None
    return max(0, budget - active_vote_count(actor.id, product_id))


def set_vote(actor, item: RoadmapItem, voted: bool = True) -> tuple[bool, int, int]:
    """Idempotent 支持: returns (voted, vote count, demand). Concurrent repeats count once;
    a product's vote budget holds under concurrency (the member's row is locked first)."""
    _require_writer(actor)
    if not permissions.can_view_roadmap_item(actor, item):
        raise NotFound()
    if voted and (item.status in CLOSED_STATUSES or not item.is_public):
        raise PermissionDenied(_l("Votes are for items that are still open."), code="cannot_vote")
    budget = vote_budget(item.product_id) if voted else None
    if budget is not None:
        db.session.execute(sa.select(User.id).where(User.id == actor.id).with_for_update())
        if not has_voted(actor, item) and active_vote_count(actor.id, item.product_id) >= budget:
            raise Conflict(_ln("You have used your %(num)d vote for this product. It comes back when "
                               "the item you support ships or is declined, or when you withdraw it.",
                               "You have used all %(num)d of your votes for this product. A vote comes back when "
                               "an item you support ships or is declined, or when you withdraw one.", budget),
                           code="vote_budget_spent")
    _lock(item.id)
    if voted:
        stmt = insert_ignore(RoadmapVote).values(item_id=item.id, user_id=actor.id, created_at=clock.now())
    else:
        stmt = sa.delete(RoadmapVote).where(RoadmapVote.item_id == item.id, RoadmapVote.user_id == actor.id)
    changed = db.session.execute(stmt.returning(RoadmapVote.user_id)).first() is not None
    if changed:
        count = db.session.execute(
            sa.update(RoadmapItem).where(RoadmapItem.id == item.id)
            .values(vote_count=RoadmapItem.vote_count + (1 if voted else -1))
            .returning(RoadmapItem.vote_count).execution_options(synchronize_session=False)).scalar_one()
        set_committed_value(item, "vote_count", count)
        recount_demand(item.id)
        db.session.flush()
        roadmap_item_changed.send(item, actor=actor, entry=None)
    return voted, item.vote_count, item.demand


def refresh_item_demand(item_id: int) -> None:
    _lock(item_id)
    recount_demand(item_id)


def refresh_demand_for_post(post_id: int) -> None:
    """A vote on linked feedback changed: recount the item it is linked to."""
    item_id = db.session.execute(sa.select(RoadmapLink.item_id).where(RoadmapLink.post_id == post_id)).scalar()
    if item_id is not None:
        _lock(item_id)
        recount_demand(item_id)


def set_vote_budget(actor, product: Product, budget) -> int | None:
    if not permissions.can_configure_roadmap(actor):
        raise PermissionDenied()
    if budget in (None, ""):
        value = None
    else:
        try:
            value = int(budget)
        except (TypeError, ValueError):
            value = -1
        if not 1 <= value <= 1000:
            raise ValidationFailed(fields={"vote_budget": _l("Enter a whole number from %(lo)d to %(hi)d.",
                                                             lo=1, hi=1000)})
    settings = db.session.get(ProductRoadmapSettings, product.id)
    if settings is None:
        settings = ProductRoadmapSettings(product_id=product.id)
        db.session.add(settings)
    settings.vote_budget = value
    db.session.flush()
    return value


# Shipping ------------------------------------------------------------------------

def interested_user_ids(item: RoadmapItem) -> set[int]:
    """Everyone who asked: voters of the item, and voters, followers and authors of its visible
    linked feedback. Staff-only drafts: staff only (nobody is told about what they cannot see)."""
    ids = set(db.session.execute(sa.select(supporters_query(item.id, include_followers=True).subquery().c[0]))
              .scalars())
    if not item.is_public and ids:
        ids = set(db.session.execute(sa.select(User.id).where(User.id.in_(ids), User.role.in_(STAFF_ROLES)))
                  .scalars())
    return ids


def _after_ship(actor, item: RoadmapItem, *, release=None) -> int:
    """Resolve linked feedback (entries point at the release) and tell everyone who asked, once each."""
    told = interested_user_ids(item)
    linked = list(db.session.execute(
        sa.select(Post).join(RoadmapLink, RoadmapLink.post_id == Post.id).where(RoadmapLink.item_id == item.id)
    ).scalars())
    for post in linked:
        if not can_transition_feedback(post.status, "resolved"):
            continue
        post_entry, from_status = feedback.record_external_entry(actor, post, "roadmap_shipped",
                                                                 to_status="resolved")
        _ref(post_entry, item, release)
        # Members hear about it once, from the notice below, not per linked item.
        events.post_status_changed.send(post, actor=actor, entry=post_entry, from_status=from_status,
                                        to_status="resolved", notify=False)
    roadmap_item_shipped.send(item, actor=actor, release=release, told=told)
    return len(told)


# Figures for the public dashboard -------------------------------------------------------

def from_community(item: RoadmapItem) -> bool:
    """"来自社区": the demand came from member feedback (a linked item written by a member)."""
    return db.session.execute(
        sa.select(RoadmapLink.post_id).join(Post, Post.id == RoadmapLink.post_id).join(User, User.id == Post.author_id)
        .where(RoadmapLink.item_id == item.id, User.role == "member").limit(1)).first() is not None


def community_item_ids(item_ids) -> set[int]:
    if not item_ids:
        return set()
    return set(db.session.execute(
        sa.select(RoadmapLink.item_id).distinct().join(Post, Post.id == RoadmapLink.post_id)
        .join(User, User.id == Post.author_id)
        .where(RoadmapLink.item_id.in_(list(item_ids)), User.role == "member")).scalars())


def shipped_from_community_count(since) -> int:
    """"本季度 N 个用户建议已上线": public items shipped since `since` whose demand came from members."""
    member_linked = (sa.select(RoadmapLink.item_id).join(Post, Post.id == RoadmapLink.post_id)
                     .join(User, User.id == Post.author_id).where(User.role == "member"))
    return db.session.execute(
        sa.select(sa.func.count()).select_from(RoadmapItem).where(
            RoadmapItem.status == "shipped", RoadmapItem.is_public.is_(True), RoadmapItem.shipped_at >= since,
            RoadmapItem.id.in_(member_linked))).scalar_one()


# Demand by segment (staff) and contribution-weighted demand ---------------------------------

NEW_MEMBER_DAYS = 30
# Segment key → (label, builder(item, users_table_alias) → SQL condition on users). Betas add theirs.
SEGMENTS: dict = {}


def register_segment(key: str, label, condition) -> None:
    SEGMENTS[key] = (label, condition)


def _owner_condition(item, user_id_column):
    return sa.exists().where(Post.author_id == user_id_column, Post.kind == "trial_report",
                             Post.product_id == item.product_id, Post.deleted_at.is_(None))


def demand_by_segment(actor, item: RoadmapItem) -> list[dict]:
    """Staff only: how the demand splits (new vs long-standing members, product owners vs not, and
    any registered segment such as beta participants)."""
    if not permissions.is_staff(actor):
        raise NotFound()
    supporters = supporters_query(item.id).subquery()
    since = clock.now() - timedelta(days=NEW_MEMBER_DAYS)
    base = sa.select(sa.func.count()).select_from(supporters).join(User, User.id == supporters.c.user_id)
    rows = [
        ("new", _ln("New members (joined < %(num)d day ago)",
             "New members (joined < %(num)d days ago)", NEW_MEMBER_DAYS), User.created_at >= since),
        ("long_standing", _l("Long-standing members"), User.created_at < since),
    ]
    if item.product_id:
        owner = _owner_condition(item, User.id)
        rows += [("owners", _l("Owners of the product"), owner), ("not_owners", _l("Not owners"), sa.not_(owner))]
    rows += [(key, label, build(item, User.id)) for key, (label, build) in SEGMENTS.items()]
    return [{"key": key, "label": label, "count": db.session.execute(base.where(condition)).scalar_one()}
            for key, label, condition in rows]


WEIGHT_FORMULA = _l("weight = 1 + 0.5 × accepted ideas + 0.3 × trial reports + 0.2 × bugs with an official reply, "
                    "at most 3 per member")


def weighted_demand(item: RoadmapItem) -> float:
    """Demand with each supporter weighted by their contribution (the formula is shown beside it)."""
    supporters = supporters_query(item.id).subquery()
    ids = sa.select(supporters.c.user_id)

    def per_user(condition) -> dict:
        return dict(db.session.execute(
            sa.select(Post.author_id, sa.func.count()).where(Post.author_id.in_(ids), Post.deleted_at.is_(None),
                                                             condition).group_by(Post.author_id)).all())

    accepted = per_user(sa.and_(Post.kind == "feedback", Post.feedback_type == "suggestion",
                                Post.status.in_(("accepted", "resolved"))))
    reports = per_user(Post.kind == "trial_report")
    bugs = per_user(sa.and_(Post.kind == "feedback", Post.feedback_type == "bug",
                            Post.first_response_at.is_not(None)))
    total = 0.0
    for user_id in db.session.execute(ids).scalars():
        weight = 1 + 0.5 * accepted.get(user_id, 0) + 0.3 * reports.get(user_id, 0) + 0.2 * bugs.get(user_id, 0)
        total += min(3.0, weight)
    return round(total, 1)


# Comments --------------------------------------------------------------------------

COMMENT_MAX = 5_000


def list_comments(actor, item: RoadmapItem) -> list:
    stmt = sa.select(RoadmapComment).where(RoadmapComment.item_id == item.id,
                                           permissions.visible_roadmap_comments_clause(actor, RoadmapComment))
    return list(db.session.execute(stmt.order_by(RoadmapComment.created_at, RoadmapComment.id)).scalars())


def add_comment(actor, item: RoadmapItem, body):
    """Members discuss an item; the moderation screeners rewrite or hold the text as for posts."""
    _require_writer(actor)
    if not permissions.can_view_roadmap_item(actor, item):
        raise NotFound()
    text = clean_text(body, field="body", label=_l("Content"), min_len=1, max_len=COMMENT_MAX, multiline=True)
    screening = screen(actor, "comment", {"body": text})
    text = screening.fields["body"]
    comment = RoadmapComment(item_id=item.id, author_id=actor.id, body=text, body_html=str(render_markdown(text)),
                             is_hidden=screening.held, created_at=clock.now())
    db.session.add(comment)
    db.session.flush()
    if screening.held:
        events.content_held.send(comment, actor=actor, reasons=screening.hold_reasons)
    return comment


def held_comment_visible(actor, comment) -> bool:
    """For the moderation queue: staff see held comments of items they may see; deleted ones
    (a rejected hold) only moderators."""
    item = db.session.get(RoadmapItem, comment.item_id)
    return (permissions.is_staff(actor) and permissions.can_view_roadmap_item(actor, item)
            and (comment.deleted_at is None or permissions.is_moderator(actor)))


def release_held_comment(actor, comment, reason: str = "") -> None:
    """A moderator approved a held comment: everyone sees it now (moderation audits the decision)."""
    if not permissions.can_moderate(actor):
        raise PermissionDenied()
    comment.is_hidden = False
    db.session.flush()


def reject_held_comment(actor, comment, reason: str = "") -> None:
    if not permissions.can_moderate(actor):
        raise PermissionDenied()
    comment.deleted_at = clock.now()
    db.session.flush()


def delete_comment(actor, comment) -> None:
    _require_writer(actor)
    if comment.deleted_at is not None or not (actor.id == comment.author_id or permissions.is_moderator(actor)):
        raise PermissionDenied()
    comment.deleted_at = clock.now()
    db.session.flush()
