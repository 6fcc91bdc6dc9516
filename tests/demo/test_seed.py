"""`flask demo seed`: counts, determinism, idempotency, workflow consistency and the demo logins."""
from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa

from community.accounts.models import User
from community.core import clock
from community.extensions import db
from community.feedback.models import Comment, Follow, Post, TimelineEntry, TrialRating, TrialReport, Vote
from community.feedback.workflow import OPEN_STATUSES, can_transition
from community.routing.models import Category, Contact, Department
from tests.conftest import build_app

SMALL = ["demo", "seed", "--posts", "200", "--members", "40", "--staff", "12", "--anchor", "2026-11-01",
         "--no-search-index"]  # indexing is tested once, below


def run_seed(app, *args):
    result = app.test_cli_runner().invoke(args=list(args or SMALL))
    assert result.exit_code == 0, result.output
    return result.output


def count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def snapshot() -> dict:
    """What a visitor sees of the seeded data, in order."""
    posts = db.session.execute(
        sa.select(Post.title, User.username, Post.kind, Post.status, Post.vote_count, Post.comment_count,
                  Post.created_at, Post.hot_score)
        .join(User, User.id == Post.author_id).order_by(Post.id)
    ).all()
    timeline = db.session.execute(
        sa.select(TimelineEntry.kind, TimelineEntry.actor_label, TimelineEntry.to_status, TimelineEntry.created_at)
        .order_by(TimelineEntry.id)
    ).all()
    users = db.session.execute(sa.select(User.username, User.display_name, User.role, User.title)
                               .order_by(User.id)).all()
    return {"posts": [tuple(p) for p in posts], "timeline": [tuple(t) for t in timeline],
            "users": [tuple(u) for u in users], "votes": count(Vote), "comments": count(Comment)}


@pytest.fixture
def seeded(app):
    output = run_seed(app)
    return output


def test_seed_builds_the_whole_brand(app, seeded):
    assert count(Post) == 200
    assert count(Department) == 6 and count(Category) == 13  # 12 topics and 试驾与体验报告
    roles = dict(db.session.execute(sa.select(User.role, sa.func.count()).group_by(User.role)).all())
    assert roles == {"admin": 1, "staff": 11, "moderator": 1, "member": 40}
    kinds = dict(db.session.execute(sa.select(Post.kind, sa.func.count()).group_by(Post.kind)).all())
    assert set(kinds) == {"feedback", "discussion", "trial_report"}
    assert 0.45 <= kinds["feedback"] / 200 <= 0.75
    assert count(TrialReport) == kinds["trial_report"]
    assert count(TrialRating) == 6 * kinds["trial_report"]
    assert count(Comment) > 200 and count(Vote) > 0
    # Every department has a lead and at least one contact; every category routes somewhere.
    for dept in db.session.execute(sa.select(Department)).scalars():
        assert dept.lead is not None and dept.lead.is_staff
        assert dept.contacts and dept.first_response_hours > 0
    assert db.session.execute(sa.select(Category).where(Category.department_id.is_(None))).first() is None
    # History spread over the 90 days before the anchor, never after it.
    first, last = db.session.execute(sa.select(sa.func.min(Post.created_at), sa.func.max(Post.created_at))).one()
    assert first.isoformat() < "2026-08-15" and "2026-10-20" < last.isoformat() < "2026-11-01"
    assert "demo12345" in seeded and "zhanggong" in seeded and "laowang" in seeded


def test_documented_accounts(app, seeded):
    zhang = db.session.execute(sa.select(User).where(User.username == "zhanggong")).scalar_one()
    assert zhang.role == "staff" and zhang.title == "张工"
    assert zhang.public_badge == "车机软件部 · 张工"
    contact = db.session.execute(sa.select(Contact).where(Contact.user_id == zhang.id)).scalar_one()
    assert contact.department.slug == "software" and contact.active
    admin = db.session.execute(sa.select(User).where(User.username == "admin")).scalar_one()
    assert admin.role == "admin"
    laowang = db.session.execute(sa.select(User).where(User.username == "laowang")).scalar_one()
    assert laowang.role == "member" and laowang.display_name == "老王"
    # The password is hashed once and shared: one hash for every demo account.
    assert db.session.execute(sa.select(sa.func.count(sa.distinct(User.password_hash)))).scalar_one() == 1


@pytest.mark.parametrize("username", ["admin", "zhanggong", "laowang"])
def test_demo_logins_work(app, client, seeded, username):
    response = client.post_form("/login", {"login": username, "password": "demo12345"})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "/logout" in page  # the logged-in header
    wrong = app.test_client().post_form("/login", {"login": username, "password": "wrong-password"})
    assert wrong.status_code == 401


def test_seed_is_idempotent(app, seeded):
    before = snapshot()
    output = run_seed(app)
    assert "already loaded" in output
    output = run_seed(app, "demo", "seed", "--if-empty")
    assert "already" in output
    assert snapshot() == before


def test_if_empty_leaves_a_database_with_users_alone(app, make):
    make.user()
    db.session.commit()
    output = run_seed(app, *SMALL, "--if-empty")
    assert "already has users" in output
    assert count(Post) == 0 and count(Department) == 0


def test_if_empty_seeds_an_empty_database(app):
    run_seed(app, *SMALL, "--if-empty")
    assert count(Post) == 200


def test_clashing_usernames_fail_cleanly(app, make):
    make.user(username="laowang")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=SMALL)
    assert result.exit_code != 0 and "laowang" in result.output
    assert count(Department) == 0 and count(Post) == 0


def test_two_fresh_databases_get_identical_data(app, tmp_path, migrated_db, seeded):
    first = snapshot()
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    shutil.copy(migrated_db, other_dir / "community.db")
    other = build_app(other_dir)
    with other.app_context():
        run_seed(other)
        second = snapshot()
        db.session.remove()
        db.engine.dispose()
    assert first == second
    assert len(first["posts"]) == 200


def test_another_seed_gives_other_content(app, tmp_path, migrated_db, seeded):
    first = snapshot()
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    shutil.copy(migrated_db, other_dir / "community.db")
    other = build_app(other_dir)
    with other.app_context():
        run_seed(other, *SMALL, "--seed", "7")
        second = snapshot()
        db.session.remove()
        db.engine.dispose()
    assert [p[0] for p in first["posts"]] != [p[0] for p in second["posts"]]


def test_counters_match_rows(app, seeded):
    votes = dict(db.session.execute(sa.select(Vote.post_id, sa.func.count()).group_by(Vote.post_id)).all())
    comments = dict(db.session.execute(
        sa.select(Comment.post_id, sa.func.count())
        .where(Comment.is_internal.is_(False), Comment.is_hidden.is_(False), Comment.deleted_at.is_(None))
        .group_by(Comment.post_id)).all())
    followers = defaultdict(set)
    for post_id, user_id in db.session.execute(sa.select(Follow.post_id, Follow.user_id)).all():
        followers[post_id].add(user_id)
    voters = defaultdict(set)
    for post_id, user_id in db.session.execute(sa.select(Vote.post_id, Vote.user_id)).all():
        voters[post_id].add(user_id)
    from community.feedback.services import _hot_score

    for post in db.session.execute(sa.select(Post)).scalars():
        assert post.vote_count == votes.get(post.id, 0), post.id
        assert post.comment_count == comments.get(post.id, 0), post.id
        assert post.hot_score == _hot_score(post)
        assert post.author_id in followers[post.id]  # posting follows
        assert voters[post.id] <= followers[post.id]  # voting follows
        assert post.author_id not in voters[post.id]
        if post.kind != "feedback":
            assert post.id not in votes and post.status is None
    # Replies hang off a top-level comment of the same post.
    parents = {c.id: c for c in db.session.execute(sa.select(Comment)).scalars()}
    for comment in parents.values():
        if comment.parent_id:
            parent = parents[comment.parent_id]
            assert parent.post_id == comment.post_id and parent.parent_id is None
            assert parent.created_at <= comment.created_at


def test_feedback_follows_the_workflow(app, seeded):
    entries = defaultdict(list)
    for entry in db.session.execute(
            sa.select(TimelineEntry).order_by(TimelineEntry.created_at, TimelineEntry.id)).scalars():
        entries[entry.post_id].append(entry)
    contacts = {(c.department_id, c.user_id) for c in db.session.execute(sa.select(Contact)).scalars()}
    statuses_seen = set()
    replied = 0
    for post in db.session.execute(sa.select(Post).where(Post.kind == "feedback")).scalars():
        kinds = [e.kind for e in entries[post.id]]
        assert kinds[0] == "created" and kinds[1] in ("routed", "queued"), kinds
        if kinds[1] == "routed":
            routed = entries[post.id][1]
            assert (post.department_id, post.assignee_id) in contacts
            assert routed.to_assignee_label.startswith(routed.department_name + " · ")
        # Statuses only move through allowed transitions and end where the post is.
        status = "new"
        for entry in entries[post.id]:
            # Roadmap links and shipping move feedback too (to 已采纳, 处理中, 已解决), on the record.
            if entry.kind in ("status", "confirmed") or (entry.kind.startswith("roadmap_") and entry.to_status):
                assert entry.from_status == status, (post.id, kinds)
                assert can_transition(status, entry.to_status), (status, entry.to_status)
                if entry.to_status == "declined":
                    assert entry.note
                status = entry.to_status
        assert status == post.status
        statuses_seen.add(status)
        # first_response_seconds is set exactly when an official reply exists, from the first one.
        official = [e for e in entries[post.id] if e.kind == "official_reply"]
        if official:
            replied += 1
            assert post.first_response_at == official[0].created_at
            assert post.first_response_seconds == official[0].elapsed_seconds
            comment = db.session.get(Comment, official[0].comment_id)
            assert comment.is_official and comment.author_id == official[0].actor_id
            assert comment.department_id == post.department_id
        else:
            assert post.first_response_at is None and post.first_response_seconds is None
        if post.status == "resolved":
            assert post.resolved_at is not None
        if post.status in ("closed", "declined"):
            assert post.closed_at is not None
        if post.status in OPEN_STATUSES:
            assert post.closed_at is None
        assert all(e.created_at >= post.created_at for e in entries[post.id])
        assert post.last_activity_at >= post.status_changed_at
    assert {"new", "acknowledged", "in_progress", "resolved"} <= statuses_seen
    assert replied > 0


def test_routing_prefers_the_least_loaded_contact(app, seeded):
    # With every contact routed to by the same rule, open loads within a department stay close.
    loads = db.session.execute(
        sa.select(Contact.department_id, Contact.user_id, sa.func.count(Post.id))
        .outerjoin(Post, sa.and_(Post.assignee_id == Contact.user_id, Post.status.in_(OPEN_STATUSES)))
        .group_by(Contact.department_id, Contact.user_id)
    ).all()
    by_dept = defaultdict(list)
    for dept_id, _user_id, n in loads:
        by_dept[dept_id].append(n)
    assert sum(sum(v) for v in by_dept.values()) > 0
    for dept_id, counts in by_dept.items():
        if len(counts) > 1:
            assert max(counts) - min(counts) <= max(3, max(counts) // 2), (dept_id, counts)


def test_seed_fills_the_search_index(app):
    output = run_seed(app, "demo", "seed", "--posts", "30", "--members", "20", "--staff", "12")
    if "search" not in app.cli.commands:
        assert "flask search reindex" in output
        return
    assert "Rebuilding the search index" in output
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    assert index_dir.is_dir() and any(p.is_file() for p in index_dir.rglob("*"))


def test_each_member_tells_one_story(app, seeded):
    """Trial reports sit on their own board; a member writes feedback about one car at most, and
    a reply that says 同在<city> under a trial report names the city the report was tried in."""
    from community.routing.models import Category as Cat

    boards = set(db.session.execute(sa.select(Cat.slug).join(Post, Post.category_id == Cat.id)
                                    .where(Post.kind == "trial_report")).scalars())
    assert boards == {"test-drive"}
    cars = db.session.execute(sa.select(Post.author_id, sa.func.count(sa.distinct(Post.product_id)))
                              .where(Post.kind == "feedback", Post.product_id.is_not(None))
                              .group_by(Post.author_id)).all()
    assert cars and max(n for _author, n in cars) == 1
    from community.demo import corpus

    for _ in range(30):
        import random

        rng = random.Random(_)
        text = corpus.member_comment(rng, "trial", product_slug="es7", persona={"city": "成都", "car": "et5"},
                                     post_city="郑州")
        assert "同在" not in text or "同在郑州" in text


def test_staff_have_already_kept_house(app, seeded):
    """A seeded word list and merged duplicates, both in the audit log as staff actions."""
    from community.audit.models import AuditEntry
    from community.moderation.models import SensitiveWord

    assert count(SensitiveWord) == 6
    actions = dict(db.session.execute(sa.select(AuditEntry.action, sa.func.count()).group_by(AuditEntry.action)).all())
    assert actions.get("word.add") == 6
    merged = db.session.execute(sa.select(sa.func.count()).select_from(Post)
                                .where(Post.merged_into_id.is_not(None))).scalar_one()
    assert actions.get("triage.merge", 0) >= merged


def test_staff_merge_most_open_duplicates_and_leave_a_few(app, make):
    from community.demo.housekeeping import seed_staff_work

    w = make.world()
    make.user("admin")
    groups = [[make.post(w["member"], w["category"], title=f"无线 CarPlay 第{g}种断连") for _ in range(2)]
              for g in range(12)]
    db.session.commit()
    counts = seed_staff_work(clock.now(), 7)
    db.session.commit()
    merged_groups = sum(1 for first, second in groups if second.merged_into_id == first.id)
    assert counts["merged"] == merged_groups and 4 <= merged_groups <= 11  # most, not all
