"""Routing and the status workflow of a feedback item: assign, reassign, change status, resolve, reopen."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from community.accounts.models import User
from community.core import clock, events, permissions
from community.core.database import increment
from community.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from community.core.text import normalize
from community.extensions import db
from community.feedback.models import Post, TimelineEntry
from community.feedback.workflow import NOTE_REQUIRED, can_transition, status_change
from community.feedback.writing import NOTE_MAX, _require_writer, _timeline, actor_label
from community.routing.models import Contact, Department
from community.routing.services import choose_contact

# Routing -------------------------------------------------------------------------

def route_post(post: Post, *, actor) -> TimelineEntry:
    """Assign a new item to its department's least-loaded contact, or queue it there.

    `actor`: SYSTEM for the routing done on posting and on a reopen."""
    department = db.session.get(Department, post.department_id) if post.department_id else None
    if department is None:
        post.assignee_id = None
        entry = _timeline(post, "queued", actor)
        db.session.flush()
        events.post_routed.send(post, actor=actor, entry=entry, previous_assignee_id=None)
        return entry
    contact = choose_contact(department, post.category_id)
    previous = post.assignee_id
    if contact is None:
        post.assignee_id = None
        entry = _timeline(post, "queued", actor, department_id=department.id, department_name=department.name)
    else:
        post.assignee_id = contact.user_id
        contact.last_assigned_at = clock.now()
        entry = _timeline(post, "routed", actor, department_id=department.id, department_name=department.name,
                          to_assignee_id=contact.user_id, to_assignee_label=actor_label(contact.user))
    db.session.flush()
    events.post_routed.send(post, actor=actor, entry=entry, previous_assignee_id=previous)
    return entry


def reassign_post(actor, post: Post, *, reason: str, to_user: User | None = None,
                  to_department: Department | None = None) -> TimelineEntry:
    """Move an item to another contact or department; from, to and the reason are public."""
    _require_writer(actor)
    if not permissions.can_manage_post(actor, post):
        raise PermissionDenied()
    reason = normalize(reason)[:NOTE_MAX]
    if not reason:
        raise ValidationFailed(fields={"reason": _l("Say why the item is being reassigned.")})
    department = to_department or (db.session.get(Department, post.department_id) if post.department_id else None)
    if to_user is not None:
        if not to_user.is_staff or to_user.is_banned:
            raise ValidationFailed(fields={"to_user": _l("Items can only be assigned to staff.")})
        if to_department is None and to_user.departments:
            if department is None or department.id not in to_user.department_ids:
                department = to_user.departments[0]
        target_user = to_user
    elif department is not None:
        contact = choose_contact(department, post.category_id if department.id == post.department_id else None)
        target_user = contact.user if contact else None
        if contact:
            contact.last_assigned_at = clock.now()
    else:
        raise ValidationFailed(fields={"to_user": _l("Choose a person or a department.")})
    if department is not None and target_user is not None and department.id not in target_user.department_ids \
            and not target_user.is_moderator:
        raise ValidationFailed(fields={"to_user": _l("That person is not in the department.")})
    previous = post.assignee_id
    if target_user is not None and previous == target_user.id and (department and department.id) == post.department_id:
        raise Conflict(_l("The item is already assigned there."), code="already_assigned")
    post.department_id = department.id if department else None
    post.assignee_id = target_user.id if target_user else None
    increment(post, "reassign_count")
    entry = _timeline(post, "reassigned", actor, department_id=post.department_id,
                      department_name=department.name if department else "",
                      from_assignee_id=previous, to_assignee_id=post.assignee_id,
                      to_assignee_label=actor_label(target_user), note=reason)
    db.session.flush()
    events.post_routed.send(post, actor=actor, entry=entry, previous_assignee_id=previous)
    return entry


# Status workflow -----------------------------------------------------------------

def _set_status(post: Post, to_status: str) -> str:
    """Apply a status and its clocks; returns the previous status."""
    now = clock.now()
    previous = post.status
    paused, fields = status_change(previous, to_status, now, post.status_changed_at)
    if paused is not None:
        increment(post, "sla_paused_seconds", paused)  # atomic: two changes at once both count
    for name, value in fields.items():
        setattr(post, name, value)
    post.last_activity_at = now
    return previous


def change_status(actor, post: Post, to_status: str, *, note: str = "") -> TimelineEntry:
    _require_writer(actor)
    if not permissions.can_view_post(actor, post) or not permissions.can_manage_post(actor, post):
        raise PermissionDenied()
    if to_status == "duplicate":
        raise InvalidTransition(_l("Merge the item into another one to mark it as a duplicate."))
    if not can_transition(post.status, to_status):
        raise InvalidTransition()
    note = normalize(note)[:NOTE_MAX]
    if to_status in NOTE_REQUIRED and not note:
        raise ValidationFailed(fields={"note": _l("Give a reason for declining.")})
    from_status = _set_status(post, to_status)
    entry = _timeline(post, "status", actor, department_id=post.department_id,
                      department_name=post.department.name if post.department else "",
                      from_status=from_status, to_status=to_status, note=note)
    db.session.flush()
    events.post_status_changed.send(post, actor=actor, entry=entry, from_status=from_status, to_status=to_status)
    return entry


def record_external_entry(actor, post: Post, kind: str, *, to_status: str | None = None,
                          note: str = "") -> tuple[TimelineEntry, str | None]:
    """A rule of another domain changed this item (e.g. it was linked to a roadmap item): apply
    `to_status` if it differs and write a public entry of `kind`. Returns (entry, previous status,
    or None when the status stayed). The caller checked its own permission, and sends
    post_status_changed once it has recorded what the entry points at."""
    from_status = _set_status(post, to_status) if to_status and to_status != post.status else None
    entry = _timeline(post, kind, actor, department_id=post.department_id,
                      department_name=post.department.name if post.department else "",
                      from_status=from_status, to_status=to_status if from_status is not None else None,
                      note=normalize(note)[:NOTE_MAX])
    db.session.flush()
    return entry, from_status


def system_set_status(post: Post, to_status: str, *, note: str = "", label: str = "") -> TimelineEntry:
    """A status change made by the system (SLA job, escalation): SYSTEM acts, still on the public timeline.

    Callers are trusted jobs and listeners; the transition rules for staff do not apply.
    """
    from_status = _set_status(post, to_status)
    entry = _timeline(post, "status", permissions.SYSTEM, department_id=post.department_id,
                      department_name=post.department.name if post.department else "",
                      from_status=from_status, to_status=to_status, note=normalize(note)[:NOTE_MAX])
    entry.actor_label = label
    db.session.flush()
    events.post_status_changed.send(post, actor=permissions.SYSTEM, entry=entry, from_status=from_status,
                                    to_status=to_status)
    return entry


def system_assign(post: Post, to_user: User, *, note: str = "", label: str = "") -> TimelineEntry:
    """Assign by the system (e.g. escalation to the department lead); not counted as a reassignment."""
    previous = post.assignee_id
    post.assignee_id = to_user.id
    department = post.department
    entry = _timeline(post, "reassigned", permissions.SYSTEM, department_id=post.department_id,
                      department_name=department.name if department else "", from_assignee_id=previous,
                      to_assignee_id=to_user.id, to_assignee_label=actor_label(to_user), note=normalize(note)[:NOTE_MAX])
    entry.actor_label = label
    db.session.flush()
    events.post_routed.send(post, actor=permissions.SYSTEM, entry=entry, previous_assignee_id=previous)
    return entry


def confirm_resolution(actor, post: Post) -> TimelineEntry:
    """The author agrees the item is solved: resolved → closed."""
    _require_writer(actor)
    if not permissions.is_author(actor, post) or not permissions.can_view_post(actor, post):
        raise PermissionDenied()
    if post.status != "resolved":
        raise InvalidTransition()
    from_status = _set_status(post, "closed")
    entry = _timeline(post, "confirmed", actor, from_status=from_status, to_status="closed")
    db.session.flush()
    events.post_status_changed.send(post, actor=actor, entry=entry, from_status=from_status, to_status="closed")
    return entry


def reopen_post(actor, post: Post, *, reason: str) -> TimelineEntry:
    """The author reopens a resolved item within the window; it returns to its contact."""
    _require_writer(actor)
    if not permissions.is_author(actor, post) or not permissions.can_view_post(actor, post):
        raise PermissionDenied()
    if post.status != "resolved":
        raise InvalidTransition()
    window = timedelta(days=current_app.config["REOPEN_WINDOW_DAYS"])
    if post.resolved_at is None or clock.now() - post.resolved_at > window:
        message = _ln("Items can only be reopened within %(num)d day of being resolved.",
                      "Items can only be reopened within %(num)d days of being resolved.", window.days)
        raise InvalidTransition(message, code="reopen_window_passed")
    reason = normalize(reason)[:NOTE_MAX]
    if not reason:
        raise ValidationFailed(fields={"reason": _l("Tell the team what is still wrong.")})
    from_status = _set_status(post, "in_progress")
    increment(post, "reopen_count")
    entry = _timeline(post, "reopened", actor, from_status=from_status, to_status="in_progress", note=reason,
                      department_id=post.department_id, to_assignee_id=post.assignee_id)
    db.session.flush()
    assignee_still_contact = post.assignee_id and db.session.execute(
        sa.select(Contact.id).where(Contact.user_id == post.assignee_id, Contact.department_id == post.department_id,
                                    Contact.active.is_(True))).first()
    if not assignee_still_contact:
        route_post(post, actor=permissions.SYSTEM)
    events.post_status_changed.send(post, actor=actor, entry=entry, from_status=from_status, to_status="in_progress")
    return entry
