"""Tests for the deterministic demo content generator (community.demo.corpus)."""

from __future__ import annotations

import collections
import random
import re

import pytest

from community.demo import corpus
from community.demo.corpus import phrases

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # "\n" is allowed in bodies only
TITLE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
VERSION = re.compile(r"v\d+\.\d+(\.\d+)?")
HAN = re.compile(r"[\u4e00-\u9fff]")
USERNAME = re.compile(r"^[a-z0-9_]{3,40}$")

CATEGORY_SLUGS = [c["slug"] for c in corpus.CATEGORIES]
DEPARTMENT_SLUGS = [d["slug"] for d in corpus.DEPARTMENTS]
PRODUCT_SLUGS = [p["slug"] for p in corpus.PRODUCTS]
ALLOWED_STATUSES = {"acknowledged", "needs_info", "in_progress", "resolved", "accepted", "declined", "closed"}


def check_title(title: str) -> None:
    assert isinstance(title, str)
    assert 8 <= len(title) <= 40, title
    assert not TITLE_CONTROL.search(title), repr(title)
    assert "{" not in title and "}" not in title, title
    assert HAN.search(title), title


def check_text(text: str) -> None:
    assert isinstance(text, str) and text.strip(), repr(text)
    assert not CONTROL.search(text), repr(text)
    assert "{" not in text and "}" not in text, text
    assert "None" not in text, text
    assert text == text.strip(), repr(text)


def bundle(seed: int) -> list:
    """A little of everything, generated from one seed."""
    rng = random.Random(seed)
    out: list = [corpus.staff_people(rng), corpus.member_people(rng, 50)]
    for slug in CATEGORY_SLUGS:
        for kind in corpus.FEEDBACK_TYPES:
            out.append(corpus.feedback_post(rng, slug, kind))
            out.append(corpus.member_comment(rng, "feedback", kind, category_slug=slug))
            out.append(corpus.sample_status_path(rng, kind))
        out.append(corpus.discussion_post(rng, slug))
        out.append(corpus.member_comment(rng, "discussion"))
    for slug in PRODUCT_SLUGS:
        out.append(corpus.trial_report(rng, slug))
        out.append(corpus.member_comment(rng, "trial", product_slug=slug))
    for dept in DEPARTMENT_SLUGS:
        for status in sorted(ALLOWED_STATUSES):
            out.append(corpus.official_reply(rng, dept, status))
            out.append(corpus.status_note(rng, status))
    return out


# ---------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------

def test_brand():
    assert corpus.BRAND == {"name": "极光汽车", "name_en": "Aurora Motors", "slug": "aurora"}


def test_departments():
    assert len(corpus.DEPARTMENTS) == 6
    assert len(set(DEPARTMENT_SLUGS)) == 6
    for d in corpus.DEPARTMENTS:
        assert set(d) == {"slug", "name", "name_en", "first_response_hours", "resolution_days"}
        assert HAN.search(d["name"]) and d["name_en"].isascii()
        assert isinstance(d["first_response_hours"], int) and d["first_response_hours"] > 0
        assert isinstance(d["resolution_days"], int) and d["resolution_days"] > 0


def test_categories_point_at_existing_departments():
    assert len(corpus.CATEGORIES) == 12
    assert len(set(CATEGORY_SLUGS)) == 12
    for c in corpus.CATEGORIES:
        assert set(c) == {"slug", "name", "name_en", "description", "department"}
        assert c["department"] in DEPARTMENT_SLUGS
        assert HAN.search(c["name"]) and HAN.search(c["description"])
        assert c["description"].endswith("。")
    # every department owns at least one category
    assert {c["department"] for c in corpus.CATEGORIES} == set(DEPARTMENT_SLUGS)


def test_products_and_rating_dimensions():
    assert 4 <= len(corpus.PRODUCTS) <= 5
    assert len(set(PRODUCT_SLUGS)) == len(PRODUCT_SLUGS)
    for p in corpus.PRODUCTS:
        assert set(p) == {"slug", "name", "name_en", "description", "trims", "tagline", "tagline_en", "seats",
                          "range_km", "specs"}
        assert p["name"].startswith("极光")
        # One story per product: the trims, the specs and the description agree on the seats.
        seats = next(value for label, _en, value in p["specs"] if label == "座位数")
        assert seats.startswith(f"{p['seats']} 座"), p["slug"]
        trim_seats = {n for trim in p["trims"] for n, numeral in enumerate("一二三四五六七八九", 1) if f"{numeral}座" in trim}
        assert trim_seats <= {p["seats"]}, (p["slug"], p["trims"])
        assert f"{p['range_km']}" in next(value for label, _en, value in p["specs"] if label == "CLTC 续航")
        assert p["trims"] and all(HAN.search(t) for t in p["trims"])
    assert 5 <= len(corpus.RATING_DIMENSIONS) <= 6
    keys = [d["key"] for d in corpus.RATING_DIMENSIONS]
    assert len(set(keys)) == len(keys)
    for d in corpus.RATING_DIMENSIONS:
        assert set(d) == {"key", "name", "name_en"} and HAN.search(d["name"])


# ---------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------

def test_same_seed_same_output():
    assert bundle(42) == bundle(42)


def test_different_seed_different_output():
    assert bundle(1) != bundle(2)


def test_global_random_state_untouched():
    random.seed(1234)
    state = random.getstate()
    bundle(7)
    assert random.getstate() == state


# ---------------------------------------------------------------------------
# Feedback
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("category_slug", CATEGORY_SLUGS)
def test_feedback_posts_fit_type_and_category(category_slug):
    rng = random.Random(category_slug)
    ver_kind = phrases._CAT[category_slug]["ver_kind"]
    for _ in range(60):
        for kind in corpus.FEEDBACK_TYPES:
            post = corpus.feedback_post(rng, category_slug, kind)
            assert set(post) == {"title", "body", "product"}
            check_title(post["title"])
            check_text(post["body"])
            assert post["product"] is None or post["product"] in PRODUCT_SLUGS
            paragraphs = post["body"].split("\n\n")
            if kind == "bug":
                assert "\n- " in post["body"]  # reproduction steps / timeline as a list
                assert len(paragraphs) >= 4
                if ver_kind is not None:
                    assert VERSION.search(post["body"]), post["body"]
            elif kind == "suggestion":
                assert re.search("建议|希望|能否|提案|想法", post["title"]), post["title"]
                assert "\n- " not in post["body"]
            else:
                assert "\n- " not in post["body"]
                assert len(paragraphs) >= 4


def test_car_categories_always_name_a_product():
    rng = random.Random(5)
    for slug in ("infotainment", "adas", "chassis", "battery"):
        for _ in range(50):
            assert corpus.feedback_post(rng, slug, "bug")["product"] in PRODUCT_SLUGS


def test_feedback_titles_are_varied():
    rng = random.Random(2024)
    titles = []
    for _ in range(2000):
        slug = rng.choice(CATEGORY_SLUGS)
        kind = rng.choice(corpus.FEEDBACK_TYPES)
        titles.append(corpus.feedback_post(rng, slug, kind)["title"])
    assert len(set(titles)) / len(titles) >= 0.6
    # bodies should be even more varied than titles
    rng = random.Random(99)
    bodies = [corpus.feedback_post(rng, "infotainment", "bug")["body"] for _ in range(500)]
    assert len(set(bodies)) >= 450


def test_unknown_arguments_raise():
    rng = random.Random(0)
    with pytest.raises(ValueError):
        corpus.feedback_post(rng, "no-such-category", "bug")
    with pytest.raises(ValueError):
        corpus.feedback_post(rng, "adas", "praise")
    with pytest.raises(ValueError):
        corpus.discussion_post(rng, "no-such-category")
    with pytest.raises(ValueError):
        corpus.trial_report(rng, "model-x")
    with pytest.raises(ValueError):
        corpus.official_reply(rng, "marketing", "resolved")
    with pytest.raises(ValueError):
        corpus.official_reply(rng, "software", "new")
    with pytest.raises(ValueError):
        corpus.status_note(rng, "wontfix")
    with pytest.raises(ValueError):
        corpus.sample_status_path(rng, "praise")


# ---------------------------------------------------------------------------
# Trial reports, discussions, comments
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("product_slug", PRODUCT_SLUGS)
def test_trial_reports(product_slug):
    rng = random.Random(product_slug)
    product = next(p for p in corpus.PRODUCTS if p["slug"] == product_slug)
    dim_keys = {d["key"] for d in corpus.RATING_DIMENSIONS}
    titles = set()
    for _ in range(80):
        report = corpus.trial_report(rng, product_slug)
        assert set(report) == {"title", "body", "version", "city", "pros", "cons", "ratings"}
        check_title(report["title"])
        titles.add(report["title"])
        check_text(report["body"])
        assert 3 <= len(report["body"].split("\n\n")) <= 6
        assert product["name"] in report["body"]
        assert report["version"] in product["trims"]
        for field in ("pros", "cons"):
            check_text(report[field])
            assert len(report[field].splitlines()) >= 2
        assert set(report["ratings"]) == dim_keys
        assert all(isinstance(v, int) and 1 <= v <= 5 for v in report["ratings"].values())
    assert len(titles) >= 30


def test_trial_ratings_follow_product_character():
    # The EM9 is the big family car: its average space rating beats the ET5 sedan's.
    def avg_space(slug):
        rng = random.Random(slug + "space")
        return sum(corpus.trial_report(rng, slug)["ratings"]["space"] for _ in range(200)) / 200
    assert avg_space("em9") > avg_space("et5")


@pytest.mark.parametrize("category_slug", CATEGORY_SLUGS)
def test_discussion_posts(category_slug):
    rng = random.Random("d" + category_slug)
    titles = set()
    for _ in range(60):
        post = corpus.discussion_post(rng, category_slug)
        assert set(post) == {"title", "body"}
        check_title(post["title"])
        check_text(post["body"])
        assert len(post["body"].split("\n\n")) >= 2
        titles.add(post["title"])
    assert len(titles) >= 10


def test_member_comments():
    rng = random.Random(8)
    cases = [("feedback", t) for t in corpus.FEEDBACK_TYPES] + [("trial", None), ("discussion", None),
                                                               ("trial_report", None)]
    for kind, ftype in cases:
        texts = set()
        for i in range(100):
            text = corpus.member_comment(rng, kind, ftype, category_slug=CATEGORY_SLUGS[i % 12],
                                         product_slug=PRODUCT_SLUGS[i % 5])
            check_text(text)
            assert "\n" not in text
            texts.add(text)
        assert len(texts) >= 8, (kind, ftype)
    # positional-only usage from the documented signature keeps working
    check_text(corpus.member_comment(rng, "feedback", "bug"))
    check_text(corpus.member_comment(rng, "discussion"))


# ---------------------------------------------------------------------------
# Staff replies, status notes and status paths
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("department_slug", DEPARTMENT_SLUGS)
def test_official_replies(department_slug):
    rng = random.Random(department_slug)
    dept = next(d for d in corpus.DEPARTMENTS if d["slug"] == department_slug)
    for status in sorted(ALLOWED_STATUSES):
        for _ in range(20):
            text = corpus.official_reply(rng, department_slug, status)
            check_text(text)
            assert text.endswith(dept["name"])
            if status in ("resolved", "accepted"):
                assert VERSION.search(text), text
            if status == "declined":
                assert "原因" in text
            if status == "needs_info":
                assert "\n- " in text


def test_status_notes():
    rng = random.Random(3)
    for status in sorted(ALLOWED_STATUSES):
        for _ in range(30):
            note = corpus.status_note(rng, status)
            check_text(note)
            assert "\n" not in note and len(note) <= 60
            if status == "declined":
                assert "原因" in note


@pytest.mark.parametrize("feedback_type", ["bug", "suggestion", "complaint"])
def test_status_paths(feedback_type):
    rng = random.Random(feedback_type)
    n = 4000
    paths = [corpus.sample_status_path(rng, feedback_type) for _ in range(n)]
    stay_new = sum(1 for p in paths if not p) / n
    assert 0.2 <= stay_new <= 0.3
    assert len({tuple(p) for p in paths}) >= 5
    for path in paths:
        assert isinstance(path, list)
        assert set(path) <= ALLOWED_STATUSES
        assert "new" not in path
        assert all(a != b for a, b in zip(path, path[1:]))
        for i, status in enumerate(path):
            if status == "declined":
                assert i > 0 and path[i - 1] == "acknowledged", path
            if status == "resolved":
                assert "in_progress" in path[:i], path
            if status == "closed":
                assert i == len(path) - 1, path
        if feedback_type != "suggestion":
            assert "accepted" not in path


def test_status_path_returns_fresh_lists():
    rng = random.Random(0)
    path = next(p for p in (corpus.sample_status_path(rng, "bug") for _ in range(100)) if p)
    path.append("mutated")
    rng = random.Random(0)
    for _ in range(200):
        assert "mutated" not in corpus.sample_status_path(rng, "bug")


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("n", [12, 20, 45])
def test_staff_people(n):
    staff = corpus.staff_people(random.Random(n), n)
    assert len(staff) == n
    per_dept = collections.defaultdict(list)
    for person in staff:
        assert {"username", "display_name", "title", "department", "lead"} <= set(person)
        assert USERNAME.match(person["username"]), person["username"]
        assert HAN.search(person["display_name"]) and HAN.search(person["title"])
        per_dept[person["department"]].append(person)
    assert set(per_dept) == set(DEPARTMENT_SLUGS)
    for dept, people in per_dept.items():
        assert len(people) >= 2
        assert people[0]["lead"] is True
        assert all(p["lead"] is False for p in people[1:])
    assert len({p["username"] for p in staff}) == n
    assert len({p["display_name"] for p in staff}) == n


def test_staff_default_size_and_minimum():
    assert len(corpus.staff_people(random.Random(1))) == 20
    with pytest.raises(ValueError):
        corpus.staff_people(random.Random(1), 11)


@pytest.mark.parametrize("n", [300, 3000])
def test_member_people(n):
    rng = random.Random(n)
    members = corpus.member_people(rng, n)
    assert len(members) == n
    usernames = [m["username"] for m in members]
    assert len(set(usernames)) == n
    assert all(USERNAME.match(u) for u in usernames), [u for u in usernames if not USERNAME.match(u)][:5]
    assert len({m["display_name"] for m in members}) == n
    for m in members:
        assert set(m) == {"username", "display_name", "city", "car", "owner"}
        check_text(m["display_name"])
        assert 2 <= len(m["display_name"]) <= 24
    assert sum(1 for m in members if HAN.search(m["display_name"])) == n
    staff = corpus.staff_people(rng)
    assert not set(usernames) & {s["username"] for s in staff}


def test_member_default_size():
    assert len(corpus.member_people(random.Random(0))) == 300


# ---------------------------------------------------------------------------
# Speed
# ---------------------------------------------------------------------------

def test_every_generator_runs_across_all_categories_and_products():
    """Speed is measured by `flask demo seed --posts 100000` (bench/README.md), not asserted here."""
    rng = random.Random(5_000)
    for i in range(5_000):
        slug = CATEGORY_SLUGS[i % 12]
        r = i % 10
        if r < 6:
            kind = corpus.FEEDBACK_TYPES[i % 3]
            post = corpus.feedback_post(rng, slug, kind)
            assert post["title"] and post["body"]
            corpus.sample_status_path(rng, kind)
            assert corpus.member_comment(rng, "feedback", kind)
        elif r < 9:
            assert corpus.discussion_post(rng, slug)["title"]
            assert corpus.member_comment(rng, "discussion")
        else:
            assert set(corpus.trial_report(rng, PRODUCT_SLUGS[i % 5])["ratings"]) == {
                d["key"] for d in corpus.RATING_DIMENSIONS}
