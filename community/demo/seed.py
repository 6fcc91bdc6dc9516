"""The 极光汽车 (Aurora Motors) demo community, built from community.demo.corpus.

Determinism: every random choice comes from ``random.Random`` streams derived from
one seed, and every timestamp is an offset from one anchor (by default today 00:00
UTC, so the histories look recent; pass an explicit anchor for a byte-identical
set). Changing the number of posts never changes the people or the organisation.

Speed: departments, categories, staff and contacts go through the routing services
(a few dozen rows). Posts and everything hanging off them are generated in memory by
a small simulation of the real workflow (least-loaded routing, status transitions
from feedback.workflow, official replies that stop the first-response clock,
needs-info pauses) and written with executemany in batches, one commit per batch.
``--posts 100000`` therefore takes minutes, not hours.

Demo logins (password ``demo12345``): admin (admin), zhanggong (车机软件部 contact),
laowang (member).
"""
from __future__ import annotations

import heapq
import random
import secrets
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Callable

import sqlalchemy as sa

from community.accounts.models import User
from community.accounts.services import hash_password
from community.brand.models import BrandSettings
from community.core.database import reset_sequences
from community.core.permissions import SYSTEM
from community.core.text import render_markdown
from community.demo import corpus, heroes
from community.demo.housekeeping import seed_staff_work
from community.demo.roadmap import seed_roadmap
from community.extensions import db
from community.feedback.models import Comment, Follow, Post, Product, TimelineEntry, TrialRating, TrialReport, Vote
from community.feedback.services import refresh_hot_score
from community.feedback.workflow import OPEN_STATUSES, can_transition, status_change
from community.pulse import aggregates as pulse_aggregates
from community.routing import services as routing
from community.routing.models import Contact, Department
from community.triage.models import CaseRating

DEMO_PASSWORD = "demo12345"
# (username, role, what to say about it) -- the Makefile prints the same three.
DEMO_LOGINS = (
    ("admin", "admin", "administrator"),
    ("zhanggong", "staff", "车机软件部 contact"),
    ("laowang", "member", "member"),
)
DEFAULT_SEED = 2026
EMAIL_DOMAIN = "demo.aurora-motors.example"
MARKER_DEPARTMENT = corpus.DEPARTMENTS[0]["slug"]  # its presence means "already seeded"

# Share of each post kind, and of each feedback type.
KIND_WEIGHTS = (("feedback", 60), ("discussion", 28), ("trial_report", 12))
TYPE_WEIGHTS = (("bug", 50), ("suggestion", 30), ("complaint", 20))
# Trial reports (试驾 / 体验报告) are about buying a car, so they live in 购车与交付.
TRIAL_CATEGORY = corpus.TRIAL_REPORT_CATEGORY["slug"]
# Some boards are busier than others.
CATEGORY_WEIGHTS = {
    "infotainment": 16, "connectivity": 9, "adas": 13, "chassis": 6, "cabin": 7, "body": 5,
    "battery": 11, "charging": 10, "app-key": 8, "after-sales": 7, "delivery": 5, "community": 3,
}
# When people post, in Beijing time (UTC+8): quiet at night, busy in the evening.
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 1, 2, 4, 6, 6, 5, 5, 6, 5, 5, 5, 5, 6, 7, 9, 10, 10, 8, 4)
BEIJING_OFFSET = timedelta(hours=8)
BATCH_POSTS = 2000


@dataclass(frozen=True)
class Profile:
    """How a department works, so the growth dashboard has something to tell: `speed` scales
    its response and handling times (drifting by `drift` over the window: positive improves),
    `reply` is the chance its first step comes with an official reply, `settle` the chance an
    item left open past its target gets handled after all, `ratings` the weights of 3, 4 and 5
    stars when authors confirm a fix, `reassign` the chance of passing the item on (踢皮球)."""

    speed: float = 1.0
    drift: float = 0.6
    reply: float = 0.9
    settle: float = 0.93
    ratings: tuple = (15, 40, 45)
    reassign: float = 0.06


# 用户服务部 is the one to beat; 整车工程部 struggles and is getting slower; the others improve.
PROFILES = {
    "service": Profile(speed=0.35, drift=0.3, reply=0.99, settle=0.97, ratings=(4, 24, 72), reassign=0.02),
    "vehicle": Profile(speed=2.3, drift=-0.5, reply=0.72, settle=0.7, ratings=(45, 35, 20), reassign=0.35),
}
RATE_ON_CONFIRM = 0.75
_EPOCH = datetime(1970, 1, 1)


@dataclass
class SeedOptions:
    posts: int = 1500
    members: int | None = None  # None: 300, or one member per 10 posts for big sets
    staff: int = 20
    days: int = 90
    anchor: datetime | None = None  # None: today 00:00 UTC
    seed: int = DEFAULT_SEED

    def member_count(self) -> int:
        return self.members if self.members is not None else max(300, self.posts // 10)

    def anchor_time(self, now: datetime) -> datetime:
        return self.anchor or now.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class SeedResult:
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0


class SeedConflict(Exception):
    """The database holds accounts that clash with the demo's usernames."""


def demo_exists() -> bool:
    return db.session.execute(
        sa.select(Department.id).where(Department.slug == MARKER_DEPARTMENT)
    ).first() is not None


def has_users() -> bool:
    return db.session.execute(sa.select(User.id).limit(1)).first() is not None


# ---------------------------------------------------------------------------
# People and organisation (through the services; a few dozen rows)
# ---------------------------------------------------------------------------

def _public_title(display_name: str, job: str, lead: bool) -> str:
    """Forum-style public title from the surname: 张工, 李经理, 王总, 小陈."""
    surname = display_name[0]
    if lead:
        return f"{surname}总"
    if any(word in job for word in ("工程师", "专家", "设计师")):
        return f"{surname}工"
    if "经理" in job:
        return f"{surname}经理"
    return f"小{surname}"


def _staff_specs(rng: random.Random, n: int) -> list[dict]:
    people = corpus.staff_people(rng, n)
    software = [p for p in people if p["department"] == "software"]
    # The documented staff login: a 车机软件部 contact (not the lead) called 张工.
    zhang = software[1]
    zhang.update(username="zhanggong", display_name="张立新", title="高级软件工程师")
    moderator = next((p for p in people if p["department"] == "digital" and p["title"] == "社区运营"),
                     [p for p in people if p["department"] == "digital"][-1])
    for person in people:
        person["role"] = "moderator" if person is moderator else "staff"
        person["public_title"] = _public_title(person["display_name"], person["title"], person["lead"])
    return people


def _member_specs(rng: random.Random, n: int) -> list[dict]:
    people = [p for p in corpus.member_people(rng, n) if p["username"] != "laowang"]
    # The documented member login, placed first so that it is the most active member.
    return [{"username": "laowang", "display_name": "老王", "city": "上海", "car": "es7", "owner": True}] + people[:n - 1]


def _user_row(username: str, display_name: str, role: str, title: str, password_hash: str, created_at: datetime) -> dict:
    return {"username": username, "email": f"{username}@{EMAIL_DOMAIN}", "password_hash": password_hash,
            "display_name": display_name, "role": role, "title": title, "locale": None,
            "security_stamp": secrets.token_hex(8), "created_at": created_at,
            "suspended_until": None, "banned_at": None, "ban_reason": None}


def _build_organisation(opts: SeedOptions, anchor: datetime, password_hash: str) -> dict:
    """Users, departments, categories, contacts and products; returns the lookups the posts need."""
    rng = random.Random(f"{opts.seed}:people")
    staff_specs = _staff_specs(rng, opts.staff)
    member_specs = _member_specs(rng, opts.member_count())
    usernames = ["admin"] + [p["username"] for p in staff_specs] + [p["username"] for p in member_specs]
    clash = db.session.execute(sa.select(User.username).where(User.username.in_(usernames)).limit(5)).scalars().all()
    if clash:
        raise SeedConflict(", ".join(clash))

    joined = lambda low, high: anchor - timedelta(days=rng.uniform(low, high))  # noqa: E731
    admin = User(**_user_row("admin", "社区管理员", "admin", "社区管理员", password_hash, joined(400, 500)))
    db.session.add(admin)
    staff_users = []
    for spec in staff_specs:
        user = User(**_user_row(spec["username"], spec["display_name"], spec["role"], spec["public_title"],
                                password_hash, joined(200, 500)))
        db.session.add(user)
        staff_users.append(user)
    db.session.flush()

    by_slug = {}
    for dept_spec in corpus.DEPARTMENTS:
        lead = next(u for u, s in zip(staff_users, staff_specs) if s["department"] == dept_spec["slug"] and s["lead"])
        by_slug[dept_spec["slug"]] = routing.create_department(
            SYSTEM, slug=dept_spec["slug"], name=dept_spec["name"], name_en=dept_spec["name_en"],
            first_response_hours=dept_spec["first_response_hours"], resolution_days=dept_spec["resolution_days"],
            lead=lead)
    categories = {}
    for position, cat in enumerate([*corpus.CATEGORIES, corpus.TRIAL_REPORT_CATEGORY]):
        categories[cat["slug"]] = routing.create_category(
            SYSTEM, slug=cat["slug"], name=cat["name"], name_en=cat["name_en"], description=cat["description"],
            department=by_slug[cat["department"]], position=position)
    for user, spec in zip(staff_users, staff_specs):
        dept = by_slug[spec["department"]]
        if spec["lead"]:
            routing.add_department_member(SYSTEM, dept, user)
        else:  # every other staff member receives the department's items
            routing.set_contact(SYSTEM, dept, user)
    products = {}
    for spec in corpus.PRODUCTS:
        product = Product(slug=spec["slug"], name=spec["name"], name_en=spec["name_en"], description=spec["description"],
                          tagline=spec["tagline"], tagline_en=spec["tagline_en"],
                          specs=[{"label": label, "label_en": label_en, "value": value}
                                 for label, label_en, value in spec["specs"]],
                          hero_image=heroes.hero_webp(spec["slug"], suv=spec["slug"] in ("es7", "es5", "em9")),
                          hero_type="image/webp")
        db.session.add(product)
        products[spec["slug"]] = product
    db.session.flush()

    member_rows = [_user_row(p["username"], p["display_name"], "member", "", password_hash, joined(91, 700))
                   for p in member_specs]
    db.session.execute(sa.insert(User.__table__), member_rows)
    member_ids = dict(db.session.execute(
        sa.select(User.username, User.id).where(User.username.in_([p["username"] for p in member_specs]))).all())
    members = [(member_ids[p["username"]], p["display_name"]) for p in member_specs]
    personas = {member_ids[p["username"]]: {"city": p["city"], "car": p["car"]} for p in member_specs}

    contacts = {}
    for slug, dept in by_slug.items():
        contacts[slug] = [
            {"id": c.id, "user_id": c.user_id, "badge": c.user.public_badge, "load": 0, "last": None}
            for c in sorted(dept.contacts, key=lambda c: c.id) if c.active
        ]
    return {
        "admin": admin,
        "staff": staff_users,
        "members": members,
        "personas": personas,
        "departments": {slug: {"id": d.id, "name": d.name, "slug": slug,
                               "first_response_hours": d.first_response_hours, "resolution_days": d.resolution_days}
                        for slug, d in by_slug.items()},
        "categories": {slug: {"id": c.id, "slug": slug, "department": corpus_cat["department"]}
                       for (slug, c), corpus_cat in zip(categories.items(), [*corpus.CATEGORIES, corpus.TRIAL_REPORT_CATEGORY])},
        "contacts": contacts,
        "products": {slug: p.id for slug, p in products.items()},
    }


# ---------------------------------------------------------------------------
# Posts: an in-memory simulation of the workflow, written in batches
# ---------------------------------------------------------------------------

class _Rows:
    """Rows of one batch, with ids handed out here so children can point at parents."""

    def __init__(self, start_ids: dict[str, int]):
        self.next_id = dict(start_ids)
        self.posts: list[dict] = []
        self.trial_reports: list[dict] = []
        self.trial_ratings: list[dict] = []
        self.comments: list[dict] = []
        self.timeline: list[dict] = []
        self.votes: list[dict] = []
        self.follows: list[dict] = []
        self.ratings: list[dict] = []

    def take_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def write(self) -> None:
        for table, rows in ((Post.__table__, self.posts), (TrialReport.__table__, self.trial_reports),
                            (TrialRating.__table__, self.trial_ratings), (Comment.__table__, self.comments),
                            (TimelineEntry.__table__, self.timeline), (Vote.__table__, self.votes),
                            (Follow.__table__, self.follows), (CaseRating.__table__, self.ratings)):
            if rows:
                db.session.execute(sa.insert(table), rows)
        for rows in (self.posts, self.trial_reports, self.trial_ratings, self.comments, self.timeline,
                     self.votes, self.follows, self.ratings):
            rows.clear()


_TIMELINE_DEFAULTS = {
    # Entries the system makes (routing, jobs) record SYSTEM, as lifecycle.route_post does.
    "actor_id": SYSTEM.id, "actor_role": SYSTEM.role, "actor_label": "", "department_id": None, "department_name": "",
    "from_assignee_id": None, "to_assignee_id": None, "to_assignee_label": "", "from_status": None,
    "to_status": None, "note": "", "comment_id": None, "elapsed_seconds": None,
}


class _Simulation:
    def __init__(self, opts: SeedOptions, anchor: datetime, org: dict, start_ids: dict[str, int]):
        self.opts = opts
        self.anchor = anchor
        self.start = anchor - timedelta(days=opts.days)
        self.org = org
        self.rows = _Rows(start_ids)
        self.rng = random.Random(f"{opts.seed}:posts")
        self.members = org["members"]
        # A few members write most posts (Zipf-like); laowang is first and busiest.
        self.member_weights = list(_cumulative([1 / (rank + 1) ** 0.8 for rank in range(len(self.members))]))
        self.staff_by_id = {u.id: u for u in org["staff"]}
        self.category_slugs = [c["slug"] for c in corpus.CATEGORIES]
        self.category_cum = list(_cumulative([CATEGORY_WEIGHTS.get(s, 5) for s in self.category_slugs]))
        self.product_slugs = [p["slug"] for p in corpus.PRODUCTS]
        self.load_events: list[tuple] = []  # (time, seq, contact dict id, delta): open-load changes over time
        self.load_seq = 0
        self.html_cache: dict[str, str] = {}
        self.counts = {"posts": 0, "feedback": 0, "discussion": 0, "trial_report": 0, "comments": 0,
                       "official_replies": 0, "timeline_entries": 0, "votes": 0, "follows": 0, "ratings": 0}

    # helpers ------------------------------------------------------------------

    def _html(self, text: str, cache: bool = True) -> str:
        if not cache:
            return str(render_markdown(text))
        html = self.html_cache.get(text)
        if html is None:
            html = str(render_markdown(text))
            if len(self.html_cache) < 100_000:
                self.html_cache[text] = html
        return html

    def _member(self, exclude: int | None = None) -> tuple[int, str]:
        while True:
            member = self.rng.choices(self.members, cum_weights=self.member_weights)[0]
            if member[0] != exclude or len(self.members) == 1:
                return member

    def _between(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        return start + timedelta(seconds=int(self.rng.random() * (end - start).total_seconds()))

    def creation_times(self) -> list[datetime]:
        """Post times over the window: more recent days are busier; evenings busier than nights."""
        rng = random.Random(f"{self.opts.seed}:times")
        hours = list(_cumulative(HOUR_WEIGHTS))
        out = []
        for _ in range(self.opts.posts):
            day = int(self.opts.days * (rng.random() ** 0.8))
            hour = rng.choices(range(24), cum_weights=hours)[0]
            at = self.start + timedelta(days=day, hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))
            out.append(min(at - BEIJING_OFFSET, self.anchor - timedelta(minutes=5)))
        out.sort()
        return out

    def _timeline(self, post_id: int, kind: str, at: datetime, **fields) -> dict:
        row = dict(_TIMELINE_DEFAULTS, id=self.rows.take_id("timeline"), post_id=post_id, kind=kind,
                   created_at=at, **fields)
        self.rows.timeline.append(row)
        return row

    def _comment(self, post_id: int, author_id: int, body: str, at: datetime, *, parent=None,
                 official=False, department_id=None) -> dict:
        # The id is given in _finish, once the post's comments are in time order.
        row = {"id": None, "post_id": post_id, "author_id": author_id,
               "parent": parent, "parent_id": None, "body": body, "body_html": self._html(body), "is_official": official,
               "department_id": department_id, "is_internal": False, "is_hidden": False, "created_at": at,
               "edited_at": None, "deleted_at": None}
        return row

    # routing --------------------------------------------------------------------

    def _apply_load_events(self, until: datetime) -> None:
        while self.load_events and self.load_events[0][0] <= until:
            _, _, contact, delta = heapq.heappop(self.load_events)
            contact["load"] += delta

    def _push_load(self, at: datetime, contact: dict, delta: int) -> None:
        self.load_seq += 1
        heapq.heappush(self.load_events, (at, self.load_seq, contact, delta))

    def _choose_contact(self, dept_slug: str, at: datetime) -> dict | None:
        """Same rule as routing.choose_contact: fewest open items, then assigned longest ago."""
        self._apply_load_events(at)
        candidates = self.org["contacts"][dept_slug]
        if not candidates:
            return None
        return min(candidates, key=lambda c: (c["load"], c["last"] or _EPOCH, c["id"]))

    # posts ----------------------------------------------------------------------

    def run(self, progress: Callable[[int], None]) -> None:
        rng = self.rng
        kinds, kind_weights = zip(*KIND_WEIGHTS)
        kind_cum = list(_cumulative(kind_weights))
        types, type_weights = zip(*TYPE_WEIGHTS)
        type_cum = list(_cumulative(type_weights))
        for index, created in enumerate(self.creation_times(), start=1):
            kind = rng.choices(kinds, cum_weights=kind_cum)[0]
            if kind == "feedback":
                slug = rng.choices(self.category_slugs, cum_weights=self.category_cum)[0]
                self._feedback(created, slug, rng.choices(types, cum_weights=type_cum)[0])
            elif kind == "discussion":
                slug = rng.choices(self.category_slugs, cum_weights=self.category_cum)[0]
                self._discussion(created, slug)
            else:
                self._trial_report(created, rng.choice(self.product_slugs))
            self.counts[kind] += 1
            if index % BATCH_POSTS == 0:
                self.flush()
                progress(index)
        if self.opts.posts % BATCH_POSTS:
            self.flush()
            progress(self.opts.posts)

    def flush(self) -> None:
        self.counts["posts"] += len(self.rows.posts)
        self.counts["comments"] += len(self.rows.comments)
        self.counts["timeline_entries"] += len(self.rows.timeline)
        self.counts["votes"] += len(self.rows.votes)
        self.counts["follows"] += len(self.rows.follows)
        self.counts["ratings"] += len(self.rows.ratings)
        self.rows.write()
        db.session.commit()

    def _post_row(self, *, kind: str, title: str, body: str, author_id: int, category: dict, created: datetime,
                  product_id=None, feedback_type=None) -> dict:
        row = {
            "id": self.rows.take_id("posts"), "kind": kind, "feedback_type": feedback_type, "title": title,
            "body": body, "body_html": self._html(body, cache=False), "author_id": author_id,
            "category_id": category["id"], "product_id": product_id,
            "department_id": self.org["departments"][category["department"]]["id"], "assignee_id": None,
            "status": None, "status_changed_at": None, "vote_count": 0, "comment_count": 0, "hot_score": 0.0,
            "created_at": created, "last_activity_at": created, "edited_at": None, "first_response_at": None,
            "first_response_seconds": None, "sla_paused_seconds": 0, "resolved_at": None, "closed_at": None,
            "reopen_count": 0, "reassign_count": 0, "merged_into_id": None, "is_hidden": False,
            "is_locked": False, "is_pinned": False, "deleted_at": None,
        }
        self.rows.posts.append(row)
        return row

    def _feedback(self, created: datetime, slug: str, feedback_type: str) -> None:
        rng = self.rng
        author_id, author_name = self._member()
        text = corpus.feedback_post(rng, slug, feedback_type, persona=self.org["personas"][author_id])
        category = self.org["categories"][slug]
        dept = self.org["departments"][category["department"]]
        post = self._post_row(kind="feedback", feedback_type=feedback_type, title=text["title"], body=text["body"],
                              author_id=author_id, category=category, created=created,
                              product_id=self.org["products"].get(text["product"]))
        post.update(status="new", status_changed_at=created)
        followers = {author_id: created}
        self._timeline(post["id"], "created", created, actor_id=author_id, actor_role="member", actor_label=author_name)

        contact = self._choose_contact(dept["slug"], created)
        if contact is None:
            self._timeline(post["id"], "queued", created, department_id=dept["id"], department_name=dept["name"])
        else:
            post["assignee_id"] = contact["user_id"]
            contact["last"] = created
            self._push_load(created, contact, +1)
            self._timeline(post["id"], "routed", created, department_id=dept["id"], department_name=dept["name"],
                           to_assignee_id=contact["user_id"], to_assignee_label=contact["badge"])
        profile = self._profile(dept["slug"], created)
        if contact is not None and self.rng.random() < profile.reassign:
            contact = self._reassign(post, dept, contact, created)

        comments: list[dict] = []
        replies: list[tuple[dict, dict]] = []  # (timeline entry, comment) to link once ids are known
        at = created
        for step, status in enumerate(corpus.sample_status_path(rng, feedback_type)):
            at = at + self._status_gap(step, status, dept, post["status"], profile)
            if at >= self.anchor:
                break
            assert can_transition(post["status"], status), (post["status"], status)
            staff_id = contact["user_id"] if contact else None
            if staff_id is None:
                break
            if status == "closed" and post["status"] == "resolved" and rng.random() < 0.5:
                # The author confirms the fix (resolved → closed).
                previous = self._set_status(post, "closed", at, contact)
                self._timeline(post["id"], "confirmed", at, actor_id=author_id, actor_role="member",
                               actor_label=author_name, from_status=previous, to_status="closed")
                self._rate(post, author_id, dept, at, profile)
                continue
            wants_reply = (status in ("needs_info", "declined") or (step == 0 and rng.random() < profile.reply)
                           or (status in ("resolved", "accepted") and rng.random() < 0.7) or rng.random() < 0.25)
            actor = dict(actor_id=staff_id, actor_role=self.staff_by_id[staff_id].role, actor_label=contact["badge"],
                         department_id=dept["id"], department_name=dept["name"])
            if wants_reply:
                body = corpus.official_reply(rng, dept["slug"], status)
                reply = self._comment(post["id"], staff_id, body, at, official=True, department_id=dept["id"])
                comments.append(reply)
                elapsed = max(0, int((at - created).total_seconds()) - post["sla_paused_seconds"])
                if post["first_response_at"] is None:
                    post["first_response_at"] = at
                    post["first_response_seconds"] = elapsed
                followers.setdefault(staff_id, at)
                entry = self._timeline(post["id"], "official_reply", at, elapsed_seconds=elapsed, **actor)
                replies.append((entry, reply))
                self.counts["official_replies"] += 1
            note = corpus.status_note(rng, status) if (status == "declined" or rng.random() < 0.5) else ""
            previous = self._set_status(post, status, at, contact)
            self._timeline(post["id"], "status", at, from_status=previous, to_status=status, note=note, **actor)

        # Items still open long after they came in get handled, as often as the department manages it.
        # Suggestions are only answered: they stay open for the roadmap (the demo roadmap links them).
        if contact is not None and post["status"] in OPEN_STATUSES and rng.random() < profile.settle:
            self._settle(post, dept, contact, profile, at, comments, replies, followers, author_id, author_name,
                         resolve=feedback_type != "suggestion")
        comments += self._member_comments(post["id"], created, "feedback", feedback_type, slug, None,
                                          author_id, followers, mean=2.2)
        voters = self._votes(post["id"], created, author_id, followers)
        self._finish(post, comments, followers, votes=voters)
        for entry, reply in replies:
            entry["comment_id"] = reply["id"]

    def _status_gap(self, step: int, status: str, dept: dict, current: str, profile: Profile) -> timedelta:
        rng = self.rng
        if step == 0:  # first response: most within the department's target, some late
            hours = rng.expovariate(1 / (dept["first_response_hours"] * 0.6 * profile.speed)) + rng.uniform(0.1, 1.0)
            return timedelta(hours=hours)
        if status == "closed":
            return timedelta(days=rng.uniform(1, 10))
        if current == "needs_info":  # waiting for the author to answer
            return timedelta(days=rng.uniform(0.5, 5))
        return timedelta(days=rng.uniform(0.1, 0.45) * dept["resolution_days"] * profile.speed)

    def _profile(self, dept_slug: str, created: datetime) -> Profile:
        """The department's profile at `created`: its speed drifts over the window (the trends move)."""
        base = PROFILES.get(dept_slug, Profile())
        progress = (created - self.start) / (self.anchor - self.start)
        return replace(base, speed=base.speed * (1 + base.drift * (0.5 - progress)))

    def _reassign(self, post: dict, dept: dict, contact: dict, created: datetime) -> dict:
        """踢皮球: the item is passed to a colleague once or twice soon after it arrives."""
        rng = self.rng
        at = created
        for _ in range(1 if rng.random() < 0.7 else 2):
            at = at + timedelta(hours=rng.uniform(0.3, 6))
            others = [c for c in self.org["contacts"][dept["slug"]] if c is not contact]
            if at >= self.anchor or not others:
                break
            self._apply_load_events(at)
            target = min(others, key=lambda c: (c["load"], c["last"] or _EPOCH, c["id"]))
            self._push_load(at, contact, -1)
            self._push_load(at, target, +1)
            target["last"] = at
            self._timeline(post["id"], "reassigned", at, actor_id=contact["user_id"],
                           actor_role=self.staff_by_id[contact["user_id"]].role, actor_label=contact["badge"],
                           department_id=dept["id"], department_name=dept["name"],
                           from_assignee_id=contact["user_id"], to_assignee_id=target["user_id"],
                           to_assignee_label=target["badge"], note=corpus.reassign_reason(rng))
            post["assignee_id"] = target["user_id"]
            post["reassign_count"] += 1
            post["last_activity_at"] = max(post["last_activity_at"], at)
            contact = target
        return contact

    def _official(self, post: dict, dept: dict, contact: dict, status: str, at: datetime, comments: list,
                  replies: list, followers: dict) -> None:
        staff_id = contact["user_id"]
        reply = self._comment(post["id"], staff_id, corpus.official_reply(self.rng, dept["slug"], status), at,
                              official=True, department_id=dept["id"])
        comments.append(reply)
        elapsed = max(0, int((at - post["created_at"]).total_seconds()) - post["sla_paused_seconds"])
        if post["first_response_at"] is None:
            post["first_response_at"] = at
            post["first_response_seconds"] = elapsed
        followers.setdefault(staff_id, at)
        entry = self._timeline(post["id"], "official_reply", at, elapsed_seconds=elapsed, **self._actor(dept, contact))
        replies.append((entry, reply))
        self.counts["official_replies"] += 1

    def _actor(self, dept: dict, contact: dict) -> dict:
        staff_id = contact["user_id"]
        return dict(actor_id=staff_id, actor_role=self.staff_by_id[staff_id].role, actor_label=contact["badge"],
                    department_id=dept["id"], department_name=dept["name"])

    def _settle(self, post: dict, dept: dict, contact: dict, profile: Profile, at: datetime, comments: list,
                replies: list, followers: dict, author_id: int, author_name: str, resolve: bool = True) -> None:
        """Carry an open item on to 已解决 (and often the author's confirmation and rating), at the
        department's pace; whatever would fall after the anchor stays open."""
        rng = self.rng
        created = post["created_at"]
        at = max(at if at < self.anchor else created, post["status_changed_at"] or created, created)
        if post["first_response_at"] is None:
            at = max(at, created + self._status_gap(0, "acknowledged", dept, "new", profile))
            if at >= self.anchor:
                return
            self._official(post, dept, contact, "acknowledged", at, comments, replies, followers)
            if post["status"] == "new":
                previous = self._set_status(post, "acknowledged", at, contact)
                self._timeline(post["id"], "status", at, from_status=previous, to_status="acknowledged",
                               **self._actor(dept, contact))
        if not resolve:  # suggestions: the demo roadmap links the old open ones, so they stay open
            return
        resolve_at = max(at + timedelta(hours=1), created + timedelta(
            days=rng.uniform(0.15, 0.8) * dept["resolution_days"] * profile.speed))
        if resolve_at >= self.anchor or not can_transition(post["status"], "resolved"):
            return
        if rng.random() < 0.7:
            self._official(post, dept, contact, "resolved", resolve_at, comments, replies, followers)
        previous = self._set_status(post, "resolved", resolve_at, contact)
        self._timeline(post["id"], "status", resolve_at, from_status=previous, to_status="resolved",
                       **self._actor(dept, contact))
        confirm_at = resolve_at + timedelta(days=rng.uniform(0.2, 5))
        if confirm_at < self.anchor and rng.random() < 0.6:
            previous = self._set_status(post, "closed", confirm_at, contact)
            self._timeline(post["id"], "confirmed", confirm_at, actor_id=author_id, actor_role="member",
                           actor_label=author_name, from_status=previous, to_status="closed")
            self._rate(post, author_id, dept, confirm_at, profile)

    def _rate(self, post: dict, author_id: int, dept: dict, at: datetime, profile: Profile) -> None:
        """一事一评 when the author confirms the fix (3–5 stars: a 1 or 2 would reopen the item)."""
        if post["resolved_at"] is None or self.rng.random() >= RATE_ON_CONFIRM:
            return
        self.rows.ratings.append({"post_id": post["id"], "author_id": author_id, "department_id": dept["id"],
                                  "resolved_at": post["resolved_at"], "created_at": at, "comment": "",
                                  "score": self.rng.choices((3, 4, 5), weights=profile.ratings)[0]})

    def _set_status(self, post: dict, to_status: str, at: datetime, contact: dict | None) -> str:
        """The services' status-clock rule (workflow.status_change); also tracks the contact's open load."""
        previous = post["status"]
        paused, fields = status_change(previous, to_status, at, post["status_changed_at"])
        if paused is not None:
            post["sla_paused_seconds"] += paused
        post.update(fields)
        post["last_activity_at"] = max(post["last_activity_at"], at)
        was_open, is_open = previous in OPEN_STATUSES, to_status in OPEN_STATUSES
        if contact is not None and was_open != is_open:
            self._push_load(at, contact, -1 if was_open else +1)
        return previous

    def _member_comments(self, post_id: int, created: datetime, kind: str, feedback_type, category_slug,
                         product_slug, author_id: int, followers: dict, *, mean: float,
                         post_city: str | None = None) -> list[dict]:
        rng = self.rng
        n = min(40, int(rng.expovariate(1 / mean)))
        if n == 0:
            return []
        window_end = min(self.anchor, created + timedelta(days=21))
        times = sorted(self._between(created + timedelta(minutes=3), window_end) for _ in range(n))
        top_level: list[dict] = []
        out = []
        for at in times:
            member_id, _name = self._member(exclude=author_id)
            body = corpus.member_comment(rng, kind, feedback_type, category_slug=category_slug,
                                         product_slug=product_slug, persona=self.org["personas"][member_id],
                                         post_city=post_city)
            parent = rng.choice(top_level) if top_level and rng.random() < 0.2 else None
            row = self._comment(post_id, member_id, body, at, parent=parent)
            if parent is None:
                top_level.append(row)
            out.append(row)
            followers.setdefault(member_id, at)
        return out

    def _votes(self, post_id: int, created: datetime, author_id: int, followers: dict) -> list[dict]:
        rng = self.rng
        # Long-tailed: most items get a few votes, a handful very many; past the cap the count is
        # spread out rather than piled up on one number.
        cap = min(400, max(1, int(len(self.members) * 0.6)))
        wanted = int(rng.paretovariate(1.15)) - 1
        if wanted > cap:
            wanted = cap - int(rng.random() ** 2 * cap * 0.6)
        if wanted <= 0:
            return []
        window_end = min(self.anchor, created + timedelta(days=30))
        voters = [m[0] for m in rng.sample(self.members, min(len(self.members), wanted + 1)) if m[0] != author_id]
        rows = []
        for user_id in voters[:wanted]:
            at = self._between(created + timedelta(minutes=1), window_end)
            rows.append({"post_id": post_id, "user_id": user_id, "created_at": at})
            if user_id not in followers or followers[user_id] > at:
                followers[user_id] = at  # voting follows the item
        return rows

    def _finish(self, post: dict, comments: list[dict], followers: dict, votes=()) -> None:
        comments.sort(key=lambda c: c["created_at"])  # stable: a reply never sorts before its parent
        # Ids follow time, so "order by created_at, id" and "order by id" agree.
        for comment in comments:
            comment["id"] = self.rows.take_id("comments")
        for comment in comments:
            parent = comment.pop("parent")
            comment["parent_id"] = parent["id"] if parent else None
        self.rows.comments.extend(comments)
        self.rows.votes.extend(votes)
        self.rows.follows.extend({"post_id": post["id"], "user_id": uid, "created_at": at}
                                 for uid, at in followers.items())
        post["comment_count"] = len(comments)
        post["vote_count"] = len(votes)
        if comments:
            post["last_activity_at"] = max(post["last_activity_at"], comments[-1]["created_at"])
        scored = SimpleNamespace(vote_count=post["vote_count"], comment_count=post["comment_count"],
                                 created_at=post["created_at"], hot_score=0.0)
        refresh_hot_score(scored)
        post["hot_score"] = scored.hot_score

    def _discussion(self, created: datetime, slug: str) -> None:
        author_id, _name = self._member()
        text = corpus.discussion_post(self.rng, slug, persona=self.org["personas"][author_id])
        post = self._post_row(kind="discussion", title=text["title"], body=text["body"], author_id=author_id,
                              category=self.org["categories"][slug], created=created)
        followers = {author_id: created}
        comments = self._member_comments(post["id"], created, "discussion", None, slug, None, author_id,
                                         followers, mean=4.0)
        self._finish(post, comments, followers)

    def _trial_report(self, created: datetime, product_slug: str) -> None:
        author_id, _name = self._member()
        report = corpus.trial_report(self.rng, product_slug, persona=self.org["personas"][author_id])
        post = self._post_row(kind="trial_report", title=report["title"], body=report["body"], author_id=author_id,
                              category=self.org["categories"][TRIAL_CATEGORY], created=created,
                              product_id=self.org["products"][product_slug])
        self.rows.trial_reports.append({"post_id": post["id"], "version": report["version"][:64],
                                        "pros": report["pros"], "cons": report["cons"]})
        self.rows.trial_ratings.extend({"post_id": post["id"], "dimension": key, "score": score}
                                       for key, score in report["ratings"].items())
        followers = {author_id: created}
        comments = self._member_comments(post["id"], created, "trial", None, None, product_slug, author_id,
                                         followers, mean=3.0, post_city=report["city"])
        self._finish(post, comments, followers)


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def _next_ids() -> dict[str, int]:
    def after(column) -> int:
        return (db.session.execute(sa.select(sa.func.max(column))).scalar() or 0) + 1
    return {"posts": after(Post.id), "comments": after(Comment.id), "timeline": after(TimelineEntry.id)}


def _brand_look() -> None:
    """The demo brand's own look, as its admin would set it at /admin/brand."""
    if db.session.get(BrandSettings, 1) is None:
        db.session.add(BrandSettings(
            id=1, name="极光车友社区", name_en="Aurora Owners Community", primary_color="#1447a6",
            footer_links=[{"label": "极光汽车官网", "url": f"https://www.{EMAIL_DOMAIN}/"},
                          {"label": "用户协议", "url": f"https://www.{EMAIL_DOMAIN}/terms"},
                          {"label": "隐私政策", "url": f"https://www.{EMAIL_DOMAIN}/privacy"}],
            logo_type="", favicon_type=""))


def seed_demo(opts: SeedOptions, *, now: datetime, echo: Callable[[str], None] = lambda _msg: None) -> SeedResult:
    """Build the demo community and commit it in batches. Callers check demo_exists() first."""
    started = time.perf_counter()
    anchor = opts.anchor_time(now)
    password_hash = hash_password(DEMO_PASSWORD)  # once: scrypt per user would take minutes
    org = _build_organisation(opts, anchor, password_hash)
    _brand_look()
    db.session.commit()
    echo(f"Organisation: {len(org['departments'])} departments, {len(org['categories'])} categories, "
         f"{len(org['staff'])} staff, {len(org['members'])} members.")

    simulation = _Simulation(opts, anchor, org, _next_ids())
    simulation.run(lambda done: echo(f"  {done}/{opts.posts} posts ({time.perf_counter() - started:.0f}s)")
                   if done % 10_000 == 0 or done == opts.posts else None)
    for slug, contacts in org["contacts"].items():
        for contact in contacts:
            if contact["last"] is not None:
                db.session.execute(sa.update(Contact).where(Contact.id == contact["id"])
                                   .values(last_assigned_at=contact["last"]))
    # Posts, comments and timeline entries went in with explicit ids (children point at parents).
    reset_sequences(Post.__table__, Comment.__table__, TimelineEntry.__table__)
    db.session.commit()
    counts_roadmap = seed_roadmap(anchor, opts.seed)
    db.session.commit()
    counts_roadmap.update(seed_staff_work(anchor, opts.seed))
    db.session.commit()
    # The posts went in with bulk inserts, which the dashboard's listeners do not see.
    pulse_aggregates.rebuild()
    db.session.commit()
    # After a bulk load the planner needs fresh statistics to pick the per-category indexes.
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()

    counts = dict(simulation.counts)
    counts.update(counts_roadmap)
    counts.update(users=len(org["members"]) + len(org["staff"]) + 1, staff=len(org["staff"]),
                  members=len(org["members"]), departments=len(org["departments"]),
                  categories=len(org["categories"]), products=len(org["products"]))
    return SeedResult(counts=counts, seconds=time.perf_counter() - started)
