"""Escalation rules that follow the feedback workflow: 踢皮球 (passing the buck) goes to the lead,
supervision ends when the item is closed, and resolved items ask the author for a rating."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from community.core import events, permissions
from community.notifications.kinds import KINDS, Kind, register
from community.triage import services


def on_routed(post, actor=None, entry=None, previous_assignee_id=None, **_):
    if permissions.is_system(actor) or not post.is_feedback:
        return  # routing and escalations by the system are not passing the buck
    limit = current_app.config.get("TRIAGE_SUPERVISE_REASSIGNS", 3)
    if post.reassign_count >= limit:
        services.supervise_post(post, "reassigned", count=post.reassign_count)


def on_status_changed(post, actor=None, entry=None, from_status=None, to_status=None, **_):
    if not post.is_feedback:
        return
    if entry is not None and entry.kind == "reopened":
        limit = current_app.config.get("TRIAGE_SUPERVISE_REOPENS", 2)
        if post.reopen_count >= limit:
            services.supervise_post(post, "reopened", count=post.reopen_count)
    if to_status in ("closed", "declined", "duplicate"):
        services.end_supervision(post)
    if to_status == "resolved":
        services.request_rating(post)


def _register_notification_kind() -> None:
    if "rating_request" not in KINDS:
        register(Kind("rating_request", _l("Requests to rate how my items were handled"),
                      lambda n: _("“%(title)s” was resolved. How was it handled? Rate it from 1 to 5.",
                                  title=n.post_title), icon="star"))


def connect() -> None:
    events.post_routed.connect(on_routed)
    events.post_status_changed.connect(on_status_changed)
    _register_notification_kind()
