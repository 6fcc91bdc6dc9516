"""Feedback statuses and the transitions staff may make between them."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

STATUS_LABELS = {
    # "New" is also a sort order (newest first): the context keeps the two translations apart.
    "new": lazy_pgettext("feedback status", "New"),
    "acknowledged": _l("Acknowledged"),
    "needs_info": _l("Needs info"),
    "in_progress": _l("In progress"),
    "resolved": _l("Resolved"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "duplicate": _l("Duplicate"),
    "closed": _l("Closed"),
}
STATUSES = tuple(STATUS_LABELS)

# Open items count towards a contact's load and the backlog.
OPEN_STATUSES = ("new", "acknowledged", "needs_info", "in_progress")
DONE_STATUSES = ("resolved", "accepted", "declined", "duplicate", "closed")

# Staff transitions. "duplicate" is reached only by merging; the author's own
# confirm/reopen on resolved items are separate operations.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"acknowledged", "needs_info", "in_progress", "resolved", "accepted", "declined", "closed"}),
    "acknowledged": frozenset({"needs_info", "in_progress", "resolved", "accepted", "declined", "closed"}),
    "needs_info": frozenset({"acknowledged", "in_progress", "resolved", "declined", "closed"}),
    "in_progress": frozenset({"needs_info", "resolved", "accepted", "declined", "closed"}),
    "resolved": frozenset({"in_progress", "closed"}),
    "accepted": frozenset({"in_progress", "resolved", "closed"}),
    "declined": frozenset({"acknowledged", "closed"}),
    "closed": frozenset({"acknowledged"}),
    "duplicate": frozenset(),
}
NOTE_REQUIRED = frozenset({"declined"})

TYPE_LABELS = {"bug": _l("Bug"), "suggestion": _l("Suggestion"), "complaint": _l("Complaint")}
KIND_LABELS = {"feedback": _l("Feedback"), "trial_report": _l("Trial report"), "discussion": _l("Discussion")}

RATING_DIMENSIONS = {
    "comfort": _l("Comfort"),
    "handling": _l("Handling"),
    "intelligence": _l("Smart features"),
    "range": _l("Range and charging"),
    "space": _l("Space"),
    "value": _l("Value for money"),
}


def allowed_transitions(status: str | None) -> frozenset[str]:
    return TRANSITIONS.get(status or "", frozenset())


def can_transition(from_status: str | None, to_status: str) -> bool:
    return to_status in allowed_transitions(from_status)


def status_change(previous: str | None, to_status: str, at: datetime,
                  status_changed_at: datetime | None) -> tuple[int | None, dict]:
    """The status-clock rule, pure (the services and the demo seeder apply it).

    Returns (seconds to add to the paused time, or None when the item was not waiting on its
    author; the fields to set). Waiting on the author (needs_info) does not count against
    response targets; resolving stamps resolved_at; done statuses stamp closed_at and open
    ones clear it.
    """
    paused = int((at - status_changed_at).total_seconds()) if previous == "needs_info" and status_changed_at else None
    fields: dict = {"status": to_status, "status_changed_at": at}
    if to_status == "resolved":
        fields["resolved_at"] = at
    if to_status in ("closed", "declined", "duplicate"):
        fields["closed_at"] = at
    elif to_status in OPEN_STATUSES:
        fields["closed_at"] = None
    return paused, fields
