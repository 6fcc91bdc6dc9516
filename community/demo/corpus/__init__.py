"""Deterministic generator of realistic Chinese community content.

The demo data set is about a fictional EV brand, 极光汽车 (Aurora Motors),
whose owners report bugs, make suggestions, complain, write trial reports and
chat with each other. Every generator takes a ``random.Random`` instance so
the caller fully controls determinism: nothing here touches global random
state, the clock or any external resource. Its status and type keys are the feedback
workflow's (community.feedback.workflow).

Content is assembled from fragment pools (problem descriptions, scenarios,
versions, car models, cities, feelings, requests ...). Fragments are written
as complete clauses so that every combination stays grammatical Chinese.

The package: `reference` (brand, departments, categories, products), `phrases` (fragment
pools and title templates), `people`, `posts` (feedback, discussions, trial reports) and
`comments` (member comments, official replies, status notes and paths).
"""

from __future__ import annotations

from community.demo.corpus.comments import (
    member_comment,
    official_reply,
    reassign_reason,
    sample_status_path,
    status_note,
)
from community.demo.corpus.people import member_people, staff_people
from community.demo.corpus.posts import discussion_post, feedback_post, trial_report
from community.demo.corpus.reference import (
    BRAND,
    CATEGORIES,
    DEPARTMENTS,
    FEEDBACK_TYPES,
    PRODUCTS,
    RATING_DIMENSIONS,
    STATUSES,
    TRIAL_REPORT_CATEGORY,
)

__all__ = [
    "BRAND",
    "DEPARTMENTS",
    "CATEGORIES",
    "PRODUCTS",
    "TRIAL_REPORT_CATEGORY",
    "RATING_DIMENSIONS",
    "FEEDBACK_TYPES",
    "STATUSES",
    "staff_people",
    "member_people",
    "feedback_post",
    "trial_report",
    "discussion_post",
    "member_comment",
    "official_reply",
    "reassign_reason",
    "status_note",
    "sample_status_path",
]
