"""Domain signals → live pushes to item rooms, the public room, and forced disconnects.

Payloads are captured inside the transaction (plain dicts and pre-rendered HTML in every UI
language) and emitted only after it commits. Building a push never breaks the action.
"""
from __future__ import annotations

import functools
import logging

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from flask_login import user_logged_out

from community.core import events
from community.feedback.workflow import STATUS_LABELS
from community.realtime import services

log = logging.getLogger(__name__)


def best_effort(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            fn(*args, **kwargs)
        except Exception:
            log.exception("could not prepare live push %s", fn.__name__)

    return wrapper


def _render_each_locale(template: str, **context) -> dict[str, str]:
    """HTML in every UI language; the browser picks the one matching <html lang>."""
    def render():
        out = {}
        for locale in current_app.config["LANGUAGES"]:
            with force_locale(locale):
                out[locale] = render_template(template, **context)
        return out

    if has_request_context():
        return render()
    with current_app.test_request_context("/"):  # CLI and jobs: url_for needs a request
        return render()


def _post_rooms(post, *, staff_only: bool = False) -> list[str]:
    """Staff sockets sit in both rooms of a public item, so public content goes to the public room
    only (no duplicates); internal notes, held comments and hidden items go to the staff room."""
    if staff_only or not post.is_public:
        return [f"post:{post.id}:staff"]
    return [f"post:{post.id}"]


def _emit_to(rooms, event, payload) -> None:
    for room in rooms:
        services.emit_after_commit(event, payload, room=room)


def _entry_payload(post, entry) -> dict:
    return {"post_id": post.id, "entry_id": entry.id,
            "html": _render_each_locale("realtime/_timeline_entry.html", e=entry, STATUS_LABELS=STATUS_LABELS)}


@best_effort
def on_comment_created(comment, actor=None, **_):
    post = comment.post
    staff_only = comment.is_internal or comment.is_hidden or not post.is_public
    payload = {"post_id": post.id, "comment_id": comment.id, "parent_id": comment.parent_id,
               "internal": comment.is_internal, "staff_only": staff_only, "comment_count": post.comment_count,
               "html": _render_each_locale("realtime/_comment.html", c=comment, post=post)}
    _emit_to(_post_rooms(post, staff_only=staff_only), "comment.created", payload)
    if comment.is_official:
        services.refresh_public_counters_after_commit()


@best_effort
def on_official_reply(post, actor=None, comment=None, entry=None, **_):
    _emit_to(_post_rooms(post), "post.timeline", _entry_payload(post, entry))


@best_effort
def on_status_changed(post, actor=None, entry=None, to_status=None, **_):
    payload = _entry_payload(post, entry)
    payload["status"] = to_status
    payload["status_html"] = _render_each_locale("realtime/_status.html", status=to_status,
                                                 STATUS_LABELS=STATUS_LABELS)
    _emit_to(_post_rooms(post), "post.status", payload)


@best_effort
def on_routed(post, actor=None, entry=None, **_):
    if entry is not None:
        _emit_to(_post_rooms(post), "post.timeline", _entry_payload(post, entry))


@best_effort
def on_merged(post, actor=None, target=None, entry=None, **_):
    _emit_to(_post_rooms(post), "post.merged", {"post_id": post.id, "target_id": target.id})
    services.refresh_public_counters_after_commit()


@best_effort
def on_voted(post, actor=None, **_):
    _emit_to(_post_rooms(post), "post.votes", {"post_id": post.id, "vote_count": post.vote_count})


@best_effort
def on_post_created(post, actor=None, **_):
    services.refresh_public_counters_after_commit()


@best_effort
def on_visibility_changed(post, actor=None, **_):
    services.refresh_public_counters_after_commit()
    if not post.is_public:
        # Members who joined while it was visible are dropped; staff keep the staff room.
        room = f"post:{post.id}"
        services.run_after_commit(lambda: services.socketio.close_room(room, namespace="/"))


def _disconnect_later(user_id: int, reason: str, *, after_commit: bool) -> None:
    app = current_app._get_current_object()

    def job():
        with app.app_context():
            services.disconnect_user(user_id, reason)

    if after_commit:
        services.run_after_commit(job)
    else:
        services.dispatcher.submit(job, services.URGENT)


def on_sessions_revoked(user, reason=None, **_):
    _disconnect_later(user.id, reason or "revoked", after_commit=True)


def on_logged_out(app, user=None, **_):
    if user is not None and getattr(user, "is_authenticated", False):
        _disconnect_later(user.id, "logged_out", after_commit=False)


def connect() -> None:
    if getattr(connect, "_done", False):
        return
    events.comment_created.connect(on_comment_created)
    events.official_reply_posted.connect(on_official_reply)
    events.post_status_changed.connect(on_status_changed)
    events.post_routed.connect(on_routed)
    events.post_merged.connect(on_merged)
    events.post_voted.connect(on_voted)
    events.post_created.connect(on_post_created)
    events.post_visibility_changed.connect(on_visibility_changed)
    events.user_sessions_revoked.connect(on_sessions_revoked)
    user_logged_out.connect(on_logged_out)
    connect._done = True
