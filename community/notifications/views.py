"""The notification feed, marking read, and per-kind preferences."""
from __future__ import annotations

from itertools import groupby

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, to_user_timezone
from flask_login import current_user, login_required

from community.core import clock
from community.core.limits import write_limited
from community.core.pagination import clamp_page
from community.core.unit_of_work import unit_of_work
from community.notifications import services
from community.notifications.kinds import KINDS, kinds_for, text_for

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def bell_context() -> dict:
    """For the header bell: unread count and the newest id (where live sync starts)."""
    if not current_user.is_authenticated:
        return {"unread": 0, "latest_id": 0}
    return {"unread": services.unread_count(current_user), "latest_id": services.latest_id(current_user)}


def _by_day(rows):
    return [(day, list(items)) for day, items in groupby(rows, key=lambda n: to_user_timezone(n.created_at).date())]


@bp.get("")
@login_required
def feed():
    show = request.args.get("show", "all")
    show = show if show in ("all", "unread") else "all"
    results = services.list_feed(current_user, unread_only=show == "unread", page=clamp_page(request.args.get("page")))
    return render_template("notifications/feed.html", results=results, days=_by_day(results.items), show=show,
                           text_for=text_for, link_for=services.link_for, kinds=KINDS, today=to_user_timezone(_now()).date())


def _now():
    return clock.now()


@bp.post("/<int:notification_id>/open")
@login_required
def open_notification(notification_id):
    """Mark read and go to the exact comment or timeline entry."""
    with unit_of_work(catch=()):
        row = services.mark_read(current_user, notification_id)
    return redirect(services.link_for(row))


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id):
    with unit_of_work(catch=()):
        services.mark_read(current_user, notification_id)
    return _back_to_feed()


@bp.post("/read-all")
@login_required
@write_limited
def mark_all_read():
    with unit_of_work(catch=()):
        count = services.mark_all_read(current_user)
    flash(ngettext("Marked %(num)d notification as read.", "Marked %(num)d notifications as read.", count), "success")
    return _back_to_feed()


def _back_to_feed():
    show = request.form.get("show")
    page = clamp_page(request.form.get("page"))
    return redirect(url_for("notifications.feed", show=show if show == "unread" else None,
                            page=page if page > 1 else None))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    if request.method == "POST":
        with unit_of_work(catch=(), success=_("Notification settings saved.")):
            services.set_preferences(current_user, request.form.getlist("kind"))
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", kinds=kinds_for(current_user),
                           disabled=services.disabled_kinds(current_user))
