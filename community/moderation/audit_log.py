"""The audit log read by people: each entry as a sentence in the UI's locale ("张工 把 #1234 的状态
从 已受理 改为 处理中"), names instead of ids, readable before/after values, local times. The raw
record stays one click away for admins (the page is admin-only)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from babel.lists import format_list
from flask import url_for
from flask_babel import format_datetime, format_timedelta, get_locale, lazy_pgettext, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from community.accounts.models import User
from community.core.permissions import can_view_post, is_moderator
from community.extensions import db
from community.feedback.models import Post
from community.feedback.workflow import STATUS_LABELS
from community.moderation.content import held_kind
from community.routing.models import Department

SENTENCES = {
    "triage.status": _l("%(actor)s changed the status of %(target)s from %(from)s to %(to)s"),
    "triage.assign": _l("%(actor)s assigned %(target)s to %(to)s"),
    "triage.merge": _l("%(actor)s merged %(target)s into %(into)s"),
    "triage.official_reply": _l("%(actor)s posted an official reply on %(target)s"),
    "triage.internal_note": _l("%(actor)s added an internal note on %(target)s"),
    "triage.rating": _l("The author rated the handling of %(target)s %(score)s/5"),
    "triage.tag": _l("%(actor)s tagged %(target)s"),
    "triage.untag": _l("%(actor)s removed a tag from %(target)s"),
    "triage.supervise": _l("%(target)s went to the department lead for supervision"),
    "triage.sla_breach": _l("%(target)s missed its response target"),
    "triage.auto_close": _l("%(target)s was closed automatically"),
    "post.hide": _l("%(actor)s hid %(target)s"),
    "post.unhide": _l("%(actor)s made %(target)s visible again"),
    "post.lock": _l("%(actor)s locked %(target)s"),
    "post.unlock": _l("%(actor)s unlocked %(target)s"),
    "post.pin": _l("%(actor)s pinned %(target)s"),
    "post.unpin": _l("%(actor)s unpinned %(target)s"),
    "post.delete": _l("%(actor)s deleted %(target)s"),
    "post.restore": _l("%(actor)s restored %(target)s"),
    "post.edit": _l("%(actor)s edited %(target)s"),
    "comment.hide": _l("%(actor)s hid %(target)s"),
    "comment.unhide": _l("%(actor)s made %(target)s visible again"),
    "comment.delete": _l("%(actor)s deleted %(target)s"),
    "comment.restore": _l("%(actor)s restored %(target)s"),
    "comment.edit": _l("%(actor)s edited %(target)s"),
    "user.ban": _l("%(actor)s banned %(target)s"),
    "user.unban": _l("%(actor)s lifted the ban on %(target)s"),
    "user.suspend": _l("%(actor)s suspended %(target)s"),
    "user.unsuspend": _l("%(actor)s lifted the suspension of %(target)s"),
    "word.add": _l("%(actor)s added the sensitive word %(target)s"),
    "word.remove": _l("%(actor)s removed the sensitive word %(target)s"),
    "word.update": _l("%(actor)s changed how %(target)s is handled"),
    "flag.resolve": _l("%(actor)s handled the flags on %(target)s"),
    "hold.approve": _l("%(actor)s approved %(target)s, held for review"),
    "hold.reject": _l("%(actor)s rejected %(target)s, held for review"),
    "brand.update": _l("%(actor)s changed the brand settings"),
}

FIELD_LABELS = {
    "status": _l("Status"), "assignee_id": _l("Assignee"), "department_id": _l("Department"),
    "lead_id": _l("Department lead"), "escalated_to": _l("Escalated to"), "merged_into_id": _l("Merged into"),
    "tags": _l("Tags"), "is_hidden": _l("Hidden"), "is_locked": _l("Locked"), "is_pinned": _l("Pinned"),
    "deleted_at": _l("Deleted"), "title": _l("Title"), "body": _l("Text"), "score": _l("Rating"),
    "outcome": _l("Outcome"), "action": _l("Handling"), "word": _l("Word"), "suspended_until": _l("Suspended until"),
    "banned_at": _l("Banned"), "ban_reason": _l("Ban reason"), "overdue_seconds": _l("Overdue by"),
    "target": _l("Target"), "supervision": _l("Reason"), "open_flags": _l("Open flags"),
    "name": _l("Community name (Chinese)"), "name_en": _l("Community name (English)"),
    "primary_color": _l("Primary colour"), "footer_links": _l("Links"),
}
VALUE_LABELS = {
    "replace": _l("mask each character with *"), "hold": _l("hold for review"), "first_response": _l("first response"),
    "resolution": _l("resolution"), "reassigned": _l("passed on repeatedly"), "reopened": _l("reopened repeatedly"),
    "low_rating": _l("low rating"), "approved": _l("approved"), "rejected": _l("rejected"),
    "confirmed": _l("confirmed"), "reopen": _l("reopened"), "closed": STATUS_LABELS["closed"],
    "hidden": _l("hidden"), "dismissed": _l("dismissed"), "pending": _l("pending"),
}
# "Post" is also the button that publishes: the context keeps the noun apart.
TARGET_TYPE_LABELS = {"post": lazy_pgettext("noun", "Post"), "comment": lazy_pgettext("noun", "Comment"),
                      "user": _l("User"), "sensitive_word": _l("Sensitive word"), "brand": _l("Brand")}
USER_KEYS = ("assignee_id", "lead_id", "escalated_to")
TIME_KEYS = ("deleted_at", "suspended_until", "banned_at")
HIDDEN_KEYS = ("comment_id", "flag_ids")  # ids nobody reads; the raw record keeps them


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class DescribedEntry:
    entry: object
    sentence: Markup
    changes: list[Change]
    raw: str


def describe_entries(entries, viewer) -> list[DescribedEntry]:
    """Sentences for `viewer`: a post they may not see (deleted, for plain staff) shows only its id."""
    names = _Names(entries, viewer)
    return [DescribedEntry(e, _sentence(e, names), _changes(e, names), _raw(e)) for e in entries]


class _Names:
    """Everything a page of entries refers to, loaded in one query per kind."""

    def __init__(self, entries, viewer):
        self.viewer = viewer
        user_ids, department_ids, post_ids = set(), set(), set()
        for e in entries:
            for state in (e.before or {}, e.after or {}):
                user_ids |= {state[k] for k in USER_KEYS if isinstance(state.get(k), int)}
                if isinstance(state.get("department_id"), int):
                    department_ids.add(state["department_id"])
                if isinstance(state.get("merged_into_id"), int):
                    post_ids.add(state["merged_into_id"])
            if e.target_type == "post" and e.target_id:
                post_ids.add(e.target_id)
            if e.target_type == "user" and e.target_id:
                user_ids.add(e.target_id)
        self.users = _by_id(User, user_ids)
        self.departments = _by_id(Department, department_ids)
        self.posts = _by_id(Post, post_ids)
        self.may_read_texts = is_moderator(viewer)  # old texts may belong to deleted content

    def user(self, user_id) -> str:
        user = self.users.get(user_id)
        return user.name if user is not None else (_("nobody") if user_id is None else f"#{user_id}")

    def department(self, department_id) -> str:
        department = self.departments.get(department_id)
        return department.local_name if department is not None else ("—" if department_id is None else
                                                                      f"#{department_id}")

    def post_link(self, post_id) -> Markup:
        post = self.posts.get(post_id)
        visible = post is not None and can_view_post(self.viewer, post)
        title = f"#{post_id} “{post.title}”" if visible else f"#{post_id}"
        href = url_for("feedback.show_post", post_id=post_id, no_redirect=1)
        return Markup('<a href="%s">%s</a>') % (href, title)


def _by_id(model, ids) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in db.session.execute(sa.select(model).where(model.id.in_(ids))).scalars()}


def _target(e, names) -> Markup:
    state = {**(e.before or {}), **(e.after or {})}
    if e.target_type == "post" and e.target_id:
        return names.post_link(e.target_id)
    if e.target_type == "comment" and e.target_id:
        return escape(_("comment #%(id)d", id=e.target_id))
    if e.target_type == "user" and e.target_id:
        return escape(names.user(e.target_id))
    if e.target_type == "sensitive_word":
        return escape(f"“{state.get('word', '')}”")
    kind = held_kind(e.target_type)
    label = TARGET_TYPE_LABELS.get(e.target_type) or (kind.label if kind else e.target_type)
    return escape(f"{label} #{e.target_id}" if e.target_id else str(label))


def _sentence(e, names) -> Markup:
    actor = escape(e.actor_label if e.actor_id is not None and e.actor_label != "system" else _("System"))
    before, after = e.before or {}, e.after or {}
    if e.action == "word.import":
        return escape(ngettext("%(actor)s imported %(num)d sensitive word", "%(actor)s imported %(num)d sensitive words",
                               int(after.get("added", 0)), actor=str(actor)))
    template = SENTENCES.get(e.action)
    if template is None:
        return escape(_("%(actor)s: %(action)s on %(target)s", actor=str(actor), action=e.action,
                        target=str(_target(e, names))))
    params = {
        "actor": actor, "target": _target(e, names),
        "from": escape(_status(before.get("status"))), "to": escape(_status(after.get("status"))),
        "score": escape(after.get("score", "")), "into": names.post_link(after["merged_into_id"])
        if isinstance(after.get("merged_into_id"), int) else "",
    }
    if e.action == "triage.assign":
        to = names.user(after.get("assignee_id")) if after.get("assignee_id") else \
            _("the %(dept)s queue", dept=names.department(after.get("department_id")))
        params["to"] = escape(to)
    return Markup(escape(str(template))) % params


def _status(code) -> str:
    return str(STATUS_LABELS.get(code, code or "—"))


def _changes(e, names) -> list[Change]:
    before, after = e.before or {}, e.after or {}
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key in HIDDEN_KEYS or before.get(key) == after.get(key):
            continue
        label = str(FIELD_LABELS.get(key, key))
        changes.append(Change(label, _value(key, before.get(key), names) if key in before else "",
                              _value(key, after.get(key), names) if key in after else ""))
    return changes


def _value(key, value, names) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if key == "status":
        return _status(value)
    if key in USER_KEYS:
        return names.user(value)
    if key == "department_id":
        return names.department(value)
    if key == "merged_into_id":
        return f"#{value}"
    if key in TIME_KEYS and isinstance(value, str):
        try:
            return format_datetime(datetime.fromisoformat(value.removesuffix("Z")), "short")
        except ValueError:
            return value
    if key == "overdue_seconds" and isinstance(value, (int, float)):
        return format_timedelta(timedelta(seconds=value), threshold=1.0, granularity="minute")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return format_list([str(v) for v in value], locale=get_locale() or "zh_CN")
    if key == "score":
        return f"{value}/5"
    if key in ("title", "body") and isinstance(value, str):
        if not names.may_read_texts:
            return "…"
        return value if len(value) <= 120 else value[:120] + "…"
    if isinstance(value, str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _raw(e) -> str:
    """The stored record itself, readable (no \\uXXXX escapes)."""
    record = {"id": e.id, "created_at": e.created_at.isoformat() + "Z", "actor_id": e.actor_id,
              "actor_label": e.actor_label, "action": e.action, "target_type": e.target_type,
              "target_id": e.target_id, "before": e.before, "after": e.after, "reason": e.reason}
    return json.dumps(record, ensure_ascii=False, indent=2)
