"""四格体验报告: weekly four-box rounds per release, their public "most wanted" tally, and the
one-click paths onward (the bug box becomes a routed feedback post; a tally line becomes a
roadmap item whose demand includes the answers' authors).

Answers are grouped by the terms the search analyzer finds in them: two wishes join when
they share most of their meaningful terms (wish words like 希望 / 增加 do not count).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy.orm.attributes import set_committed_value

from community.accounts.models import User
from community.core import clock, permissions
from community.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from community.core.pagination import Page, paginate
from community.core.text import clean_text, normalize
from community.extensions import db
from community.feedback import services as feedback
from community.roadmap import services
from community.roadmap.models import FourBoxAnswer, FourBoxRound, RoadmapItem
from community.search.engine import analyze

BOXES = {
    "most_satisfied": _l("Most satisfied"),
    "least_satisfied": _l("Least satisfied"),
    "most_wanted": _l("Most wanted"),
    "bug": _l("A bug I found"),
}
BOX_MAX = 500
MAX_DAYS = 30
WISH_WORDS = frozenset("希望 想要 想 要 增加 支持 能够 能 可以 一点 一些 功能 还是 觉得 非常 真的 最 更 加 个 下 请 让 "
                       "能否 建议 期待 一下 出 上 给 我们 我 吧 呢 啊".split())


def _terms(text: str) -> frozenset[str]:
    return frozenset(t for t in analyze(text, mode="query") if len(t) > 1 and t not in WISH_WORDS)


# Reading -------------------------------------------------------------------------

def get_round(actor, round_id) -> FourBoxRound:
    try:
        found = db.session.get(FourBoxRound, int(round_id))
    except (TypeError, ValueError, OverflowError):
        found = None
    if found is None:
        raise NotFound()
    return found


def list_rounds(actor, *, page: int = 1, per_page: int = 20) -> Page:
    return paginate(sa.select(FourBoxRound).order_by(FourBoxRound.opens_at.desc(), FourBoxRound.id.desc()),
                    page, per_page)


def is_open(round_: FourBoxRound) -> bool:
    return round_.opens_at <= clock.now() < round_.closes_at


def my_answer(actor, round_: FourBoxRound) -> FourBoxAnswer | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return db.session.execute(sa.select(FourBoxAnswer).where(
        FourBoxAnswer.round_id == round_.id, FourBoxAnswer.user_id == actor.id)).scalar_one_or_none()


@dataclass
class TallyLine:
    label: str
    count: int
    answer_ids: list = field(default_factory=list)
    item_id: int | None = None


def tally(round_: FourBoxRound, box: str = "most_wanted", *, limit: int = 10) -> list[TallyLine]:
    """"本周最想要": answers grouped by shared terms, most frequent first."""
    column = getattr(FourBoxAnswer, box)
    rows = db.session.execute(sa.select(FourBoxAnswer.id, column, FourBoxAnswer.wanted_item_id).where(
        FourBoxAnswer.round_id == round_.id, column != "").order_by(FourBoxAnswer.id)).all()
    groups: list[dict] = []
    for answer_id, text, item_id in rows:
        terms = _terms(text)
        best, best_score = None, 0.0
        for group in groups:
            shared = len(terms & group["terms"])
            score = shared / max(1, min(len(terms), len(group["terms"])))
            if shared and score > best_score:
                best, best_score = group, score
        if best is None or best_score < 0.5:
            best = {"terms": set(), "texts": Counter(), "ids": [], "items": Counter()}
            groups.append(best)
        best["terms"] |= terms
        best["texts"][normalize(text)] += 1
        best["ids"].append(answer_id)
        if item_id:
            best["items"][item_id] += 1
    lines = []
    for group in groups:
        label = min(group["texts"].most_common(), key=lambda pair: (-pair[1], len(pair[0])))[0]
        item_id = group["items"].most_common(1)[0][0] if group["items"] else None
        lines.append(TallyLine(label, len(group["ids"]), group["ids"], item_id))
    lines.sort(key=lambda line: (-line.count, line.answer_ids[0]))
    return lines[:limit]


# Writing -------------------------------------------------------------------------

def open_round(actor, *, title, product=None, release=None, days=7) -> FourBoxRound:
    services.require_roadmap_staff(actor)
    errors = {}
    try:
        title = clean_text(title, field="title", label=_l("Title"), min_len=2, max_len=120, multiline=False)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    days = services.parse_days(days, errors, MAX_DAYS)
    if errors:
        raise ValidationFailed(fields=errors)
    now = clock.now()
    round_ = FourBoxRound(title=title, product_id=product.id if product else None,
                          release_id=release.id if release else None, opens_at=now,
                          closes_at=now + timedelta(days=days), created_by_id=actor.id, created_at=now)
    db.session.add(round_)
    db.session.flush()
    return round_


def submit_answer(actor, round_: FourBoxRound, boxes: dict) -> FourBoxAnswer:
    """Fill (or change) the member's four boxes while the round is open; one answer per member."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()
    if not permissions.can_write(actor):
        raise PermissionDenied(_l("Your account cannot post right now."), code="account_restricted")
    if not is_open(round_):
        raise Conflict(_l("This round is closed."), code="round_closed")
    values, errors = {}, {}
    for key, label in BOXES.items():
        try:
            values[key] = services.optional_text(boxes.get(key), field=key, label=label, min_len=0, max_len=BOX_MAX,
                                                 multiline=True)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if not errors and not any(values.values()):
        errors["most_wanted"] = _l("Fill at least one box.")
    if errors:
        raise ValidationFailed(fields=errors)
    # The member's row is the lock: two racing first answers make one row and count once.
    db.session.execute(sa.select(User.id).where(User.id == actor.id).with_for_update())
    answer = my_answer(actor, round_)
    now = clock.now()
    if answer is None:
        answer = FourBoxAnswer(round_id=round_.id, user_id=actor.id, created_at=now)
        db.session.add(answer)
        count = db.session.execute(sa.update(FourBoxRound).where(FourBoxRound.id == round_.id)
                                   .values(answer_count=FourBoxRound.answer_count + 1)
                                   .returning(FourBoxRound.answer_count)
                                   .execution_options(synchronize_session=False)).scalar_one()
        set_committed_value(round_, "answer_count", count)
    for key, value in values.items():
        setattr(answer, key, value)
    answer.updated_at = now
    db.session.flush()
    if answer.wanted_item_id:
        services.refresh_item_demand(answer.wanted_item_id)
    return answer


def bug_to_post(actor, answer: FourBoxAnswer, *, category, title=""):
    """The bug box becomes a feedback post by its author, routed like any other."""
    if actor is None or getattr(actor, "id", None) != answer.user_id:
        raise NotFound()
    if not answer.bug:
        raise ValidationFailed(fields={"bug": _l("The bug box is empty.")})
    if answer.bug_post_id:
        raise Conflict(_l("This bug is already posted."), code="already_posted")
    round_ = db.session.get(FourBoxRound, answer.round_id)
    text = answer.bug
    title = normalize(title) or (text.splitlines()[0][:60] if text else "")
    if len(title) < feedback.TITLE_MIN:
        title = f"{round_.title}：{title}"
    body = f"{text}\n\n{_l('From the four-box round “%(round)s”.', round=round_.title)}"
    post = feedback.submit_post(actor, kind="feedback", feedback_type="bug", title=title[:feedback.TITLE_MAX],
                                body=body, category=category, product=round_.product)
    answer.bug_post_id = post.id
    db.session.flush()
    return post


def line_to_item(actor, round_: FourBoxRound, answer_ids, *, title: str | None = None) -> RoadmapItem:
    """A tally line becomes a roadmap item (under consideration); its answers' authors count as demand."""
    services.require_roadmap_staff(actor)
    ids = services.parse_post_ids(answer_ids)
    answers = list(db.session.execute(sa.select(FourBoxAnswer).where(
        FourBoxAnswer.id.in_(ids), FourBoxAnswer.round_id == round_.id)).scalars()) if ids else []
    if not answers:
        raise ValidationFailed(fields={"answer_ids": _l("Choose a line of the tally.")})
    if any(a.wanted_item_id for a in answers):
        raise Conflict(_l("This line is already on the roadmap."), code="already_on_roadmap")
    label = title or Counter(normalize(a.most_wanted) for a in answers).most_common(1)[0][0]
    item = services.create_item(actor, title=label[:services.TITLE_MAX].ljust(services.TITLE_MIN, "…"),
                                description=str(_ln("From the four-box round “%(round)s”: %(num)d member asked for it.",
                                                    "From the four-box round “%(round)s”: %(num)d members asked for it.",
                                                    len(answers), round=round_.title)),
                                product=round_.product)
    for answer in answers:
        answer.wanted_item_id = item.id
    db.session.flush()
    services.refresh_item_demand(item.id)
    return item
