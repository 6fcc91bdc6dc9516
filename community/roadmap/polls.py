"""Co-creation polls (共创投票): concept, colour, bundle or price band, on a roadmap item or a product.

One ballot per member (one or several options), changeable until the poll closes. Results show
live or only after closing, as staff choose; after closing they are public. Staff then post
the decision that followed, which lands on the roadmap item's public timeline.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from community.accounts.models import User
from community.core import clock, events, permissions
from community.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from community.core.images import clean_image
from community.core.pagination import Page, paginate
from community.core.text import clean_text, normalize, render_markdown
from community.extensions import db
from community.feedback.models import Post
from community.roadmap import services
from community.roadmap.models import POLL_KINDS, POLL_RESULTS, Ballot, Poll, PollOption, RoadmapImage, RoadmapItem

QUESTION_MIN, QUESTION_MAX = 4, 200
OPTION_MAX = 120
OPTIONS_MIN, OPTIONS_MAX = 2, 20
MAX_DAYS = 90
DECISION_MAX = 5_000

poll_decided = events.domain.signal("poll.decided")  # sender: Poll; actor, entry


# Eligibility ---------------------------------------------------------------------

def _owns_product(user, product_id) -> bool:
    """An owner: a member who filed a visible trial report about the product."""
    if not product_id:
        return True
    return db.session.execute(sa.select(Post.id).where(
        Post.author_id == user.id, Post.product_id == product_id, Post.kind == "trial_report",
        permissions.public_posts_clause(Post)).limit(1)).first() is not None


# Rule name → (user, poll's product id) → eligible. Betas register "beta" once they exist.
ELIGIBILITY_RULES: dict[str, Callable] = {"everyone": lambda user, product_id: True, "owners": _owns_product}
ELIGIBILITY_LABELS = {"everyone": _l("Everyone"), "owners": _l("Owners of the product (filed a trial report)")}


def register_eligibility(name: str, label, rule: Callable) -> None:
    ELIGIBILITY_RULES[name] = rule
    ELIGIBILITY_LABELS[name] = label


def poll_product_id(poll: Poll):
    return poll.product_id or (poll.item.product_id if poll.item is not None else None)


def is_eligible(actor, poll: Poll) -> bool:
    if not permissions.can_write(actor):
        return False
    rule = ELIGIBILITY_RULES.get(poll.eligibility)
    return bool(rule and rule(actor, poll_product_id(poll)))


# Reading -------------------------------------------------------------------------

def can_view_poll(actor, poll: Poll) -> bool:
    return poll.item is None or permissions.can_view_roadmap_item(actor, poll.item)


def get_poll(actor, poll_id) -> Poll:
    try:
        poll = db.session.get(Poll, int(poll_id))
    except (TypeError, ValueError, OverflowError):
        poll = None
    if poll is None or not can_view_poll(actor, poll):
        raise NotFound()
    return poll


def is_open(poll: Poll, now: datetime | None = None) -> bool:
    now = now or clock.now()
    return poll.closed_at is None and poll.opens_at <= now < poll.closes_at


def is_closed(poll: Poll, now: datetime | None = None) -> bool:
    return poll.closed_at is not None or (now or clock.now()) >= poll.closes_at


def results_visible(actor, poll: Poll) -> bool:
    return poll.results == "live" or is_closed(poll) or permissions.is_staff(actor)


def list_polls(actor, *, item=None, product_id=None, state: str | None = None, page: int = 1,
               per_page: int = 20) -> Page:
    stmt = sa.select(Poll).outerjoin(RoadmapItem, RoadmapItem.id == Poll.item_id).where(
        sa.or_(Poll.item_id.is_(None), permissions.visible_roadmap_clause(actor, RoadmapItem)))
    if item is not None:
        stmt = stmt.where(Poll.item_id == item.id)
    if product_id:
        stmt = stmt.where(sa.or_(Poll.product_id == product_id, RoadmapItem.product_id == product_id))
    now = clock.now()
    if state == "open":
        stmt = stmt.where(Poll.closed_at.is_(None), Poll.closes_at > now)
    elif state == "closed":
        stmt = stmt.where(sa.or_(Poll.closed_at.is_not(None), Poll.closes_at <= now))
    return paginate(stmt.order_by(Poll.closes_at.desc(), Poll.id.desc()), page, per_page)


def my_choices(actor, poll: Poll) -> set[int]:
    if not getattr(actor, "is_authenticated", False):
        return set()
    return set(db.session.execute(sa.select(Ballot.option_id).where(
        Ballot.poll_id == poll.id, Ballot.user_id == actor.id)).scalars())


def tally(actor, poll: Poll) -> dict | None:
    """Counts per option and their share of ballots; None while hidden from this viewer.

    Price polls also give the band where half the ballots are at or below (the median band)."""
    if not results_visible(actor, poll):
        return None
    counts = dict(db.session.execute(sa.select(Ballot.option_id, sa.func.count()).where(Ballot.poll_id == poll.id)
                                     .group_by(Ballot.option_id)).all())
    ballots = poll.ballot_count
    rows = [{"option_id": o.id, "label": o.label, "count": counts.get(o.id, 0),
             "share": round(100 * counts.get(o.id, 0) / ballots, 1) if ballots else 0.0} for o in poll.options]
    median = None
    if poll.kind == "price" and ballots:
        running = 0
        for o, row in sorted(zip(poll.options, rows), key=lambda pair: (pair[0].price_min or 0)):
            running += row["count"]
            if running * 2 >= sum(r["count"] for r in rows):
                median = o.id
                break
    return {"ballots": ballots, "options": rows, "median_option_id": median}


# Option images -------------------------------------------------------------------

IMAGE_MAX_BYTES = 8 * 2**20
IMAGE_MAX_SIDE = 1200


def store_option_image(actor, data: bytes, *, field: str = "options") -> str:
    """Staff upload an option's picture; returns the same-site path an option's image_url takes."""
    services.require_roadmap_staff(actor)
    image = clean_image(data, field=field, max_bytes=IMAGE_MAX_BYTES, max_side=IMAGE_MAX_SIDE)
    row = RoadmapImage(data=image.data, content_type=image.content_type, width=image.width, height=image.height,
                       uploaded_by_id=actor.id, created_at=clock.now())
    db.session.add(row)
    db.session.flush()
    return f"/roadmap/images/{row.id}"


def option_image(image_id: int) -> tuple[bytes, str] | None:
    row = db.session.get(RoadmapImage, image_id)
    return (row.data, row.content_type) if row is not None else None


# Writing -------------------------------------------------------------------------

def _clean_options(options) -> list[dict]:
    if not isinstance(options, list) or not OPTIONS_MIN <= len(options) <= OPTIONS_MAX:
        raise ValidationFailed(fields={"options": _l("Give from %(lo)d to %(hi)d options.", lo=OPTIONS_MIN,
                                                     hi=OPTIONS_MAX)})
    cleaned = []
    for n, option in enumerate(options, 1):
        try:
            label = clean_text(option.get("label"), field="options", label=_l("Option %(position)d", position=n), min_len=1,
                               max_len=OPTION_MAX, multiline=False)
            description = services.optional_text(option.get("description"), field="options",
                                                 label=_l("Option %(position)d", position=n), max_len=500, min_len=0,
                                                 multiline=False)
        except (AttributeError, TypeError):
            raise ValidationFailed(fields={"options": _l("Option %(position)d is not valid.", position=n)}) from None
        image = normalize(option.get("image_url") or "").strip()
        if image and (not image.startswith("/") or image.startswith("//") or len(image) > 300):
            raise ValidationFailed(fields={"options": _l("Images must be paths on this site, like /static/…")})
        cleaned.append({"label": label, "description": description, "image_url": image,
                        "price_min": option.get("price_min"), "price_max": option.get("price_max")})
    return cleaned


def _check_prices(options: list[dict]) -> None:
    for n, option in enumerate(options, 1):
        low, high = option["price_min"], option["price_max"]
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 10**9 for v in (low, high)) \
                or low > high:
            raise ValidationFailed(fields={"options": _l("Option %(position)d needs a price band like 2000-3000.", position=n)})


def create_poll(actor, *, question, description="", item=None, product=None, kind: str = "choice",
                multiple: bool = False, results: str = "after_close", eligibility: str = "everyone",
                days=None, closes_at: datetime | None = None, opens_at: datetime | None = None,
                options=()) -> Poll:
    services.require_roadmap_staff(actor)
    errors = {}
    try:
        question = clean_text(question, field="question", label=_l("Question"), min_len=QUESTION_MIN,
                              max_len=QUESTION_MAX, multiline=False)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        description = services.optional_text(description, field="description", label=_l("Description"),
                                              min_len=0, max_len=services.DESCRIPTION_MAX, multiline=True)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    for name, value, allowed in (("kind", kind, POLL_KINDS), ("results", results, POLL_RESULTS),
                                 ("eligibility", eligibility, tuple(ELIGIBILITY_RULES))):
        if value not in allowed:
            errors[name] = _l("Choose one of: %(choices)s.", choices=", ".join(allowed))
    now = clock.now()
    opens_at = opens_at or now
    if closes_at is None:
        days = services.parse_days(days, errors, MAX_DAYS)
        if days:
            closes_at = opens_at + timedelta(days=days)
    elif closes_at <= max(opens_at, now):
        errors["closes_at"] = _l("The poll must close in the future, after it opens.")
    try:
        options = _clean_options(list(options))
        if kind == "price":
            _check_prices(options)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if item is None and product is None:
        errors["item_id"] = _l("Open the poll on a roadmap item or a product.")
    if errors:
        raise ValidationFailed(fields=errors)
    poll = Poll(item_id=item.id if item is not None else None, product_id=product.id if product else None,
                question=question, description=description, description_html=str(render_markdown(description)),
                kind=kind, multiple=bool(multiple) and kind != "price", results=results, eligibility=eligibility,
                opens_at=opens_at, closes_at=closes_at, created_by_id=actor.id, created_at=now)
    db.session.add(poll)
    db.session.flush()
    for position, option in enumerate(options):
        if kind != "price":
            option["price_min"] = option["price_max"] = None
        db.session.add(PollOption(poll_id=poll.id, position=position, **option))
    db.session.flush()
    db.session.refresh(poll)
    return poll


def cast_ballot(actor, poll: Poll, option_ids) -> set[int]:
    """Set the member's ballot (replacing any earlier one) while the poll is open."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()
    if not can_view_poll(actor, poll):
        raise NotFound()
    if not is_open(poll):
        raise Conflict(_l("This poll is not open for votes."), code="poll_closed")
    if not is_eligible(actor, poll):
        raise PermissionDenied(_l("This poll is for owners of the product."), code="not_eligible")
    valid = {o.id for o in poll.options}
    chosen = []
    for value in option_ids or ():
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number not in valid:
            raise ValidationFailed(fields={"option_ids": _l("Choose among this poll's options.")})
        if number not in chosen:
            chosen.append(number)
    if not chosen or (not poll.multiple and len(chosen) > 1):
        raise ValidationFailed(fields={"option_ids": _l("Choose one option.") if not poll.multiple
                                       else _l("Choose at least one option.")})
    # One ballot per member even when two requests race: the member's row is the lock.
    db.session.execute(sa.select(User.id).where(User.id == actor.id).with_for_update())
    previous = db.session.execute(sa.delete(Ballot).where(Ballot.poll_id == poll.id, Ballot.user_id == actor.id)
                                  .returning(Ballot.option_id)).all()
    now = clock.now()
    db.session.execute(sa.insert(Ballot), [{"poll_id": poll.id, "user_id": actor.id, "option_id": o,
                                            "created_at": now} for o in chosen])
    if not previous:
        count = db.session.execute(sa.update(Poll).where(Poll.id == poll.id)
                                   .values(ballot_count=Poll.ballot_count + 1).returning(Poll.ballot_count)
                                   .execution_options(synchronize_session=False)).scalar_one()
        set_committed_value(poll, "ballot_count", count)
    db.session.flush()
    return set(chosen)


def close_poll(actor, poll: Poll) -> Poll:
    services.require_roadmap_staff(actor)
    if poll.closed_at is not None:
        raise Conflict(_l("This poll is already closed."), code="poll_closed")
    poll.closed_at = min(clock.now(), poll.closes_at)
    db.session.flush()
    return poll


def post_decision(actor, poll: Poll, decision) -> Poll:
    """The decision that followed (e.g. "采用方案 B"), public; on the roadmap item's timeline too."""
    services.require_roadmap_staff(actor)
    if not is_closed(poll):
        raise Conflict(_l("Close the poll before posting the decision."), code="poll_open")
    text = clean_text(decision, field="decision", label=_l("Decision"), min_len=2, max_len=DECISION_MAX,
                      multiline=True)
    poll.decision, poll.decided_at = text, clock.now()
    entry = None
    if poll.item is not None:
        entry = services.record_decision(actor, poll.item, poll, text)
    db.session.flush()
    poll_decided.send(poll, actor=actor, entry=entry)
    return poll
