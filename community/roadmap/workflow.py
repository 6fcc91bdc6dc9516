"""Roadmap statuses and the transitions staff may make between them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "considering": _l("Under consideration"),
    "planned": _l("Planned"),
    "in_development": _l("In development"),
    "in_beta": _l("In beta"),
    "shipped": _l("Shipped"),
    "not_planned": _l("Not planned"),
}
STATUSES = tuple(STATUS_LABELS)

# Board columns, left to right; not_planned items are listed apart.
BOARD_STATUSES = ("considering", "planned", "in_development", "in_beta", "shipped")
# Votes on items in these statuses are spent: they return to the member's vote budget.
CLOSED_STATUSES = frozenset({"shipped", "not_planned"})

TRANSITIONS: dict[str, frozenset[str]] = {
    "considering": frozenset({"planned", "not_planned"}),
    "planned": frozenset({"considering", "in_development", "not_planned"}),
    "in_development": frozenset({"planned", "in_beta", "shipped", "not_planned"}),
    "in_beta": frozenset({"in_development", "shipped", "not_planned"}),
    "shipped": frozenset(),
    "not_planned": frozenset({"considering"}),
}
# A public reason is required to decline.
NOTE_REQUIRED = frozenset({"not_planned"})

SORT_LABELS = {"demand": _l("Most wanted"), "new": _l("Newest"), "eta": _l("Expected soonest")}
SORTS = tuple(SORT_LABELS)


def allowed_transitions(status: str | None) -> list[str]:
    allowed = TRANSITIONS.get(status or "", frozenset())
    return [s for s in STATUSES if s in allowed]


def can_transition(from_status: str | None, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status or "", frozenset())
