"""The roadmap's JSON shapes, each with its OpenAPI schema beside it.

Callers pass only what the viewer may see (services filter and 404); linked feedback and
release contents are filtered here through the same services.
"""
from __future__ import annotations

from flask import url_for

from community.accounts.serializers import user
from community.api import openapi
from community.api.shapes import BOOL, DATETIME, INT, NULLABLE_DATETIME, STR, iso, obj
from community.core import permissions
from community.feedback import serializers as feedback_shapes
from community.feedback import services as feedback
from community.roadmap import fourbox, polls, releases, services
from community.roadmap.models import ENTRY_KINDS
from community.roadmap.workflow import STATUSES, allowed_transitions
from community.routing.serializers import department_brief

STATUS = {"type": "string", "enum": list(STATUSES)}


ROADMAP_ITEM = openapi.schema("RoadmapItem", obj({
    "id": INT, "title": STR, "status": STATUS,
    "product": openapi.nullable(openapi.ref("Product")),
    "area": STR,
    "target_quarter": {"type": ["string", "null"], "description": "e.g. 2027Q1 (shown as 预计 2027 Q1)"},
    "vote_count": INT,
    "demand": {"type": "integer", "description": "Distinct members who voted for the item or for linked feedback, "
                                                 "or wrote linked feedback"},
    "linked_count": INT,
    "is_public": {"type": "boolean", "description": "false: a draft only staff can see"},
    "voted": {"type": "boolean", "description": "Whether the caller supports it (false when anonymous)"},
    "release_id": {"type": ["integer", "null"]},
    "url": STR,
    "created_at": DATETIME, "updated_at": DATETIME, "shipped_at": NULLABLE_DATETIME,
}))

ROADMAP_ENTRY = openapi.schema("RoadmapEntry", obj({
    "id": INT, "kind": {"type": "string", "enum": list(ENTRY_KINDS)},
    "actor_role": STR, "actor_label": STR, "department_name": STR,
    "from_status": {"type": ["string", "null"]}, "to_status": {"type": ["string", "null"]},
    "note": STR, "post_id": {"type": ["integer", "null"]}, "release_id": {"type": ["integer", "null"]},
    "created_at": DATETIME,
}))

ROADMAP_ITEM_DETAIL = openapi.schema("RoadmapItemDetail", {"allOf": [ROADMAP_ITEM, obj({
    "description": STR, "description_html": STR,
    "department": openapi.nullable(openapi.ref("DepartmentBrief")),
    "owner": openapi.nullable(openapi.ref("User")),
    "from_community": {"type": "boolean", "description": "来自社区: linked feedback written by members"},
    "votes_left": {"type": ["integer", "null"], "description": "The caller's unspent votes for the product when it "
                                                               "has a vote budget"},
    "transitions": {"type": "array", "items": STATUS, "description": "Statuses the caller may move it to"},
    "timeline": openapi.array_of(ROADMAP_ENTRY),
})]})


def item_shape(item, *, voted: bool) -> dict:
    return {"id": item.id, "title": item.title, "status": item.status,
            "product": feedback_shapes.product(item.product), "area": item.area,
            "target_quarter": item.target_quarter, "vote_count": item.vote_count, "demand": item.demand,
            "linked_count": item.linked_count, "is_public": item.is_public, "voted": voted,
            "release_id": item.release_id, "url": url_for("roadmap.show_item", item_id=item.id),
            "created_at": iso(item.created_at), "updated_at": iso(item.updated_at), "shipped_at": iso(item.shipped_at)}


def entry_shape(e) -> dict:
    return {"id": e.id, "kind": e.kind, "actor_role": e.actor_role, "actor_label": e.actor_label,
            "department_name": e.department_name, "from_status": e.from_status, "to_status": e.to_status,
            "note": e.note, "post_id": e.post_id, "release_id": e.release_id, "created_at": iso(e.created_at)}


def item_detail(viewer, item) -> dict:
    can_manage = permissions.can_manage_roadmap(viewer)
    return {**item_shape(item, voted=services.has_voted(viewer, item)),
            "description": item.description, "description_html": item.description_html,
            "department": department_brief(item.department), "owner": user(item.owner),
            "from_community": services.from_community(item),
            "votes_left": services.votes_left(viewer, item.product_id),
            "transitions": allowed_transitions(item.status) if can_manage else [],
            "timeline": [entry_shape(e) for e in services.list_entries(item)]}


RELEASE = openapi.schema("Release", obj({
    "id": INT, "version": STR, "title": STR, "product": openapi.nullable(openapi.ref("Product")),
    "released_on": {"type": "string", "format": "date"}, "is_published": BOOL,
    "published_at": NULLABLE_DATETIME, "notes_html": STR, "url": STR,
    "items": openapi.array_of(ROADMAP_ITEM),
}))
RELEASE_DETAIL = openapi.schema("ReleaseDetail", {"allOf": [RELEASE, obj({
    "notes": STR, "resolved_posts": openapi.array_of(feedback_shapes.POST_SUMMARY),
})]})


def release_shape(viewer, release) -> dict:
    items = releases.shipped_items(viewer, release)
    voted = services.voted_item_ids(viewer, [i.id for i in items])
    return {"id": release.id, "version": release.version, "title": release.title,
            "product": feedback_shapes.product(release.product), "released_on": release.released_on.isoformat(),
            "is_published": release.is_published, "published_at": iso(release.published_at),
            "notes_html": release.notes_html, "url": url_for("roadmap.show_release", release_id=release.id),
            "items": [item_shape(i, voted=i.id in voted) for i in items]}


def release_detail(viewer, release) -> dict:
    posts = releases.resolved_posts(viewer, release)
    voted = feedback.voted_post_ids(viewer, [p.id for p in posts])
    return {**release_shape(viewer, release), "notes": release.notes,
            "resolved_posts": [feedback_shapes.post_summary(p, voted=p.id in voted) for p in posts]}


POLL_OPTION = openapi.schema("PollOption", obj({
    "id": INT, "label": STR, "description": STR, "image_url": STR,
    "price_min": {"type": ["integer", "null"]}, "price_max": {"type": ["integer", "null"]},
}))
POLL_TALLY = openapi.schema("PollTally", obj({
    "ballots": INT,
    "options": openapi.array_of(obj({"option_id": INT, "label": STR, "count": INT, "share": {"type": "number"}})),
    "median_option_id": {"type": ["integer", "null"], "description": "Price polls: the band where half the "
                                                                     "ballots are at or below"},
}))
POLL = openapi.schema("Poll", obj({
    "id": INT, "question": STR, "description_html": STR,
    "kind": {"type": "string", "enum": ["choice", "price"]}, "multiple": BOOL,
    "results": {"type": "string", "enum": ["live", "after_close"]}, "eligibility": STR,
    "item_id": {"type": ["integer", "null"]}, "product": openapi.nullable(openapi.ref("Product")),
    "opens_at": DATETIME, "closes_at": DATETIME, "closed_at": NULLABLE_DATETIME,
    "is_open": BOOL, "ballot_count": INT,
    "options": openapi.array_of(POLL_OPTION),
    "my_choices": {"type": "array", "items": INT, "description": "The caller's current ballot"},
    "eligible": {"type": "boolean", "description": "Whether the caller may vote"},
    "tally": openapi.nullable(POLL_TALLY),
    "decision": STR, "decided_at": NULLABLE_DATETIME,
}))


def poll_shape(viewer, poll) -> dict:
    return {"id": poll.id, "question": poll.question, "description_html": poll.description_html, "kind": poll.kind,
            "multiple": poll.multiple, "results": poll.results, "eligibility": poll.eligibility,
            "item_id": poll.item_id, "product": feedback_shapes.product(poll.product),
            "opens_at": iso(poll.opens_at), "closes_at": iso(poll.closes_at), "closed_at": iso(poll.closed_at),
            "is_open": polls.is_open(poll), "ballot_count": poll.ballot_count,
            "options": [{"id": o.id, "label": o.label, "description": o.description, "image_url": o.image_url,
                         "price_min": o.price_min, "price_max": o.price_max} for o in poll.options],
            "my_choices": sorted(polls.my_choices(viewer, poll)), "eligible": polls.is_eligible(viewer, poll),
            "tally": polls.tally(viewer, poll), "decision": poll.decision, "decided_at": iso(poll.decided_at)}


FOURBOX_ROUND = openapi.schema("FourBoxRound", obj({
    "id": INT, "title": STR, "product": openapi.nullable(openapi.ref("Product")),
    "opens_at": DATETIME, "closes_at": DATETIME, "is_open": BOOL, "answer_count": INT,
    "most_wanted": openapi.array_of(obj({
        "label": STR, "count": INT, "answer_ids": openapi.array_of(INT),
        "item_id": {"type": ["integer", "null"], "description": "The roadmap item the line became"}})),
    "my_answer": openapi.nullable(obj({"most_satisfied": STR, "least_satisfied": STR, "most_wanted": STR, "bug": STR,
                                       "bug_post_id": {"type": ["integer", "null"]}})),
}))


def fourbox_shape(viewer, round_) -> dict:
    mine = fourbox.my_answer(viewer, round_)
    return {"id": round_.id, "title": round_.title, "product": feedback_shapes.product(round_.product),
            "opens_at": iso(round_.opens_at), "closes_at": iso(round_.closes_at), "is_open": fourbox.is_open(round_),
            "answer_count": round_.answer_count,
            "most_wanted": [{"label": line.label, "count": line.count, "answer_ids": line.answer_ids,
                             "item_id": line.item_id} for line in fourbox.tally(round_)],
            "my_answer": None if mine is None else {
                "most_satisfied": mine.most_satisfied, "least_satisfied": mine.least_satisfied,
                "most_wanted": mine.most_wanted, "bug": mine.bug, "bug_post_id": mine.bug_post_id}}


ROADMAP_COMMENT = openapi.schema("RoadmapComment", obj({
    "id": INT, "author": openapi.ref("User"), "body": STR, "body_html": STR,
    "is_hidden": {"type": "boolean", "description": "Held for review: shown to its author and staff only"},
    "created_at": DATETIME,
}))


def comment_shape(c) -> dict:
    return {"id": c.id, "author": user(c.author), "body": c.body, "body_html": c.body_html, "is_hidden": c.is_hidden,
            "created_at": iso(c.created_at)}
