"""Staff console pages under /staff (404 for everyone but staff) and the author's rating page."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from community.accounts.models import STAFF_ROLES, User
from community.core import clock, permissions
from community.core.errors import NotFound
from community.core.forms import render_form
from community.core.limits import write_limited
from community.core.pagination import clamp_page
from community.core.unit_of_work import unit_of_work
from community.core.urls import safe_next
from community.core.web import duration
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Product
from community.feedback.workflow import STATUS_LABELS, STATUSES, TYPE_LABELS, allowed_transitions
from community.routing import services as routing
from community.triage import services, sla
from community.triage.forms import department_by_id, filters_from, int_arg, sort_from, user_by_username

bp = Blueprint("triage", __name__)


@bp.before_request
def _staff_only():
    # Members and anonymous visitors get the same 404 as for a page that does not exist.
    if request.path.startswith("/staff"):
        services.require_staff(current_user)


def _staff_users() -> list[User]:
    return list(db.session.execute(sa.select(User).where(User.role.in_(STAFF_ROLES), User.banned_at.is_(None))
                                   .order_by(User.username).limit(500)).scalars())


def _console_context() -> dict:
    return {"queues": services.QUEUES, "counts": services.queue_counts(current_user),
            "can_moderate": permissions.can_moderate(current_user),
            "can_read_audit": permissions.can_read_audit(current_user),
            "can_edit_words": permissions.can_edit_words(current_user)}


# Queues ----------------------------------------------------------------------------

@bp.get("/staff")
@bp.get("/staff/")
def index():
    return redirect(url_for("triage.queue", name="mine"))


@bp.get("/staff/queues/<name>")
def queue(name):
    if name not in services.QUEUES:
        raise NotFound()
    filters = filters_from(request.args)
    sort = sort_from(request.args)
    results = services.list_queue(current_user, name, filters=filters, sort=sort,
                                  page=clamp_page(request.args.get("page")))
    return render_template(
        "triage/queue.html", name=name, results=results, filters=filters, sort=sort, sorts=services.QUEUE_SORTS,
        departments=routing.list_departments(), categories=routing.list_categories(),
        products=list(db.session.execute(sa.select(Product).order_by(Product.id)).scalars()),
        statuses=STATUS_LABELS, types=TYPE_LABELS, staff_users=_staff_users(),
        **_console_context())


@bp.post("/staff/bulk")
@login_required
@write_limited
def bulk():
    back = safe_next(request.form.get("next"), url_for("triage.queue", name="mine"))
    form = request.form
    with unit_of_work() as work:
        to_user = user_by_username(form["to_user"]) if form.get("to_user", "").strip() else None
        results = services.bulk_action(
            current_user, form.get("action", ""), form.getlist("ids"), reason=form.get("reason", ""),
            note=form.get("note", ""), to_user=to_user, to_department=department_by_id(form.get("department_id")),
            status=form.get("status", ""), tags=form.get("tags", ""), target_id=form.get("target_id"))
    if work.error:
        return redirect(back)
    done = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    if done:
        flash(ngettext("%(num)d item updated.", "%(num)d items updated.", len(done)), "success")
    for r in failed:
        flash(_("#%(id)d was not changed: %(reason)s", id=r.post_id, reason=r.message), "error")
    return redirect(back)


# One item: the staff side panel ------------------------------------------------------------

def _item_context(post, **extra):
    rows = services.build_rows([post])
    history, history_total = services.author_history(current_user, post)
    context = {
        "post": post, "row": rows[0], "comments": feedback.list_comments(current_user, post),
        "timeline": feedback.list_timeline(post), "supervisions": services.list_supervisions(post),
        "rating": services.rating_for_current_resolution(post),
        "history": history, "history_total": history_total,
        "can_manage": permissions.can_manage_post(current_user, post),
        "can_reply": permissions.can_reply_officially(current_user, post),
        "can_note": permissions.can_see_internal_notes(current_user) and permissions.can_write(current_user),
        "transitions": sorted(allowed_transitions(post.status), key=STATUSES.index) if post.is_feedback else [],
        "departments": routing.list_departments(), "staff_users": _staff_users(), "statuses": STATUS_LABELS,
        "form": {}, "errors": {},
    }
    context.update(_console_context())
    context.update(extra)
    return context


@bp.get("/staff/items/<int:post_id>")
def item(post_id):
    post = services.get_item(current_user, post_id)
    return render_template("triage/item.html", **_item_context(post))


def _item_action(post_id, action, *, success: str, field: str):
    """Run one staff action on an item; on bad input re-render the panel with the input kept (422)."""
    post = services.get_item(current_user, post_id)
    with unit_of_work(success=success, flash_errors=False) as work:
        action(post)
    if work.error:
        post = services.get_item(current_user, post_id)
        form = {k: v for k, v in request.form.items() if k != "csrf_token"}
        form["_panel"] = field
        context = _item_context(post)
        del context["form"], context["errors"]  # render_form supplies both
        return render_form("triage/item.html", error=work.error, form=form, **context)
    return redirect(url_for("triage.item", post_id=post_id))


@bp.post("/staff/items/<int:post_id>/assign")
@login_required
@write_limited
def item_assign(post_id):
    def act(post):
        to_user = user_by_username(request.form["to_user"]) if request.form.get("to_user", "").strip() else None
        services.assign_item(current_user, post, reason=request.form.get("reason", ""), to_user=to_user,
                             to_department=department_by_id(request.form.get("department_id")))
    return _item_action(post_id, act, success=_("Reassigned."), field="assign")


@bp.post("/staff/items/<int:post_id>/status")
@login_required
@write_limited
def item_status(post_id):
    return _item_action(post_id, lambda post: services.set_item_status(
        current_user, post, request.form.get("status", ""), note=request.form.get("note", "")),
        success=_("Status updated."), field="status")


@bp.post("/staff/items/<int:post_id>/reply")
@login_required
@write_limited
def item_reply(post_id):
    return _item_action(post_id, lambda post: services.reply_to_item(
        current_user, post, request.form.get("body", ""), to_status=request.form.get("status") or None),
        success=_("Official reply posted."), field="reply")


@bp.post("/staff/items/<int:post_id>/note")
@login_required
@write_limited
def item_note(post_id):
    return _item_action(post_id, lambda post: services.add_internal_note(current_user, post, request.form.get("note_body", "")),
                        success=_("Internal note added."), field="note")


@bp.post("/staff/items/<int:post_id>/tags")
@login_required
@write_limited
def item_tags(post_id):
    def act(post):
        if request.form.get("remove"):
            services.remove_tag(current_user, post, request.form["remove"])
        else:
            services.add_tags(current_user, post, request.form.get("tags", ""))
    return _item_action(post_id, act, success=_("Tags saved."), field="tags")


# Figures ---------------------------------------------------------------------------------

@bp.get("/staff/figures")
def figures():
    days = int_arg(request.args, "days") or 90
    days = min(max(days, 1), 3650)
    rows = services.department_figures(since=clock.now() - timedelta(days=days))
    return render_template("triage/figures.html", rows=rows, days=days, **_console_context())


# The author's rating (一事一评) -------------------------------------------------------------

@bp.route("/posts/<int:post_id>/rate", methods=["GET", "POST"])
@login_required
@write_limited
def rate(post_id):
    post = feedback.get_post(current_user, post_id)
    if not permissions.is_author(current_user, post):
        raise NotFound()
    if request.method == "GET":
        return render_form("triage/rate.html", post=post, can_rate=services.can_rate(current_user, post),
                           rating=services.rating_for_current_resolution(post))
    form = {"score": request.form.get("score", ""), "comment": request.form.get("comment", "")}
    with unit_of_work(flash_errors=False) as work:
        rating = services.rate_resolution(current_user, post, form["score"], form["comment"])
    if work.error:
        post = feedback.get_post(current_user, post_id)
        return render_form("triage/rate.html", error=work.error, form=form, post=post, can_rate=True, rating=None)
    if rating.score <= 2:
        flash(_("Thank you. We are sorry it was not solved well: the department lead now follows it up."), "info")
    else:
        flash(_("Thank you for rating!"), "success")
    return redirect(url_for("feedback.show_post", post_id=post.id))


def post_badges(post) -> dict:
    """For the include on the public item page: 督办 mark and whether to ask for a rating."""
    if post is None or not post.is_feedback:
        return {"supervised": False, "ask_rating": False}
    return {"supervised": bool(services.supervised_ids([post.id])),
            "ask_rating": services.can_rate(current_user, post)}


def clock_text(clk: sla.Clock | None) -> str:
    """Time left or overdue, in words, so the colour is never the only signal."""
    if clk is None:
        return ""
    label = _("First response") if clk.target == sla.FIRST_RESPONSE else _("Resolution")
    if clk.stopped:
        return _("%(label)s: met", label=label) if clk.state == "met" else _("%(label)s: missed", label=label)
    if clk.remaining_seconds < 0:
        text = _("%(label)s overdue by %(d)s", label=label, d=duration(-clk.remaining_seconds))
    else:
        text = _("%(label)s: %(d)s left", label=label, d=duration(clk.remaining_seconds))
    if clk.paused:
        text += " · " + _("paused (waiting for the author)")
    return text


@bp.app_template_filter("sla_text")
def _sla_text_filter(clk):
    return clock_text(clk)
