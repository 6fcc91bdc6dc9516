"""Moderation pages: flag buttons, moderator actions, /staff/flags, /staff/held, /staff/audit,
/staff/words, /staff/users/<username>, and the member's own "my flags" list.

Thin: call a service, commit, flash, redirect. Services raise NotFound for members and
anonymous visitors on the staff pages and moderator actions, so those do not exist for them
(no login redirect that would reveal them).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from community.core.errors import Conflict, ValidationFailed
from community.core.forms import render_form
from community.core.limits import write_limited
from community.core.pagination import clamp_page
from community.core.unit_of_work import flash_error, unit_of_work
from community.core.urls import safe_next
from community.feedback import services as feedback
from community.moderation import audit_log, services
from community.moderation.models import WORD_ACTIONS

bp = Blueprint("moderation", __name__)

DONE_MESSAGES = {
    "hide": _l("Hidden from the public."), "unhide": _l("Visible again."), "lock": _l("Locked; no new comments."),
    "unlock": _l("Unlocked."), "pin": _l("Pinned."), "unpin": _l("Unpinned."), "delete": _l("Deleted (can be restored)."),
    "restore": _l("Restored."),
}


def _back(default: str):
    return redirect(safe_next(request.form.get("next"), default))


def _post_url(post_id: int, anchor: str = "") -> str:
    return url_for("feedback.show_post", post_id=post_id, no_redirect=1) + (f"#{anchor}" if anchor else "")


# Flags (members) ------------------------------------------------------------------------

def _flag(target_type: str, target_id: int):
    target = services.get_target(current_user, target_type, target_id)
    anchor = f"comment-{target.id}" if target_type == "comment" else ""
    with unit_of_work(catch=(ValidationFailed, Conflict),
                      success=_("Thanks. A moderator will review it; you can follow the outcome under My flags.")):
        services.flag_content(current_user, target_type, target_id, reason=request.form.get("reason", ""),
                              note=request.form.get("note", ""))
    return redirect(_post_url(target.post.id, anchor))


@bp.post("/posts/<int:post_id>/flag")
@login_required
@write_limited
def flag_post(post_id):
    return _flag("post", post_id)


@bp.post("/comments/<int:comment_id>/flag")
@login_required
@write_limited
def flag_comment(comment_id):
    return _flag("comment", comment_id)


@bp.get("/flags/mine")
@login_required
def my_flags():
    results = services.list_my_flags(current_user, page=clamp_page(request.args.get("page")))
    return render_template("moderation/my_flags.html", results=results)


# Moderator actions on the item page ----------------------------------------------------------

@bp.post("/posts/<int:post_id>/moderate")
@write_limited
def moderate_post(post_id):
    post = feedback.get_post(current_user, post_id)
    action = request.form.get("action", "")
    with unit_of_work(catch=(ValidationFailed, Conflict), success=DONE_MESSAGES.get(action)):
        services.moderate_post(current_user, post, action, reason=request.form.get("reason", ""))
    return _back(_post_url(post.id))


@bp.post("/comments/<int:comment_id>/moderate")
@write_limited
def moderate_comment(comment_id):
    comment = feedback.get_comment(current_user, comment_id)
    action = request.form.get("action", "")
    with unit_of_work(catch=(ValidationFailed, Conflict), success=DONE_MESSAGES.get(action)):
        services.moderate_comment(current_user, comment, action, reason=request.form.get("reason", ""))
    return _back(_post_url(comment.post_id, f"comment-{comment.id}"))


# /staff/flags ------------------------------------------------------------------------------

@bp.get("/staff/flags")
def flags():
    results = services.list_flag_queue(current_user, page=clamp_page(request.args.get("page")))
    return render_template("moderation/flags.html", results=results)


@bp.post("/staff/flags/resolve")
@write_limited
def resolve_flags():
    form = request.form
    with unit_of_work(catch=(ValidationFailed, Conflict),
                      success=_("Flags resolved; the members who flagged it can see the outcome.")):
        services.resolve_flags(current_user, form.get("target_type", ""), form.get("target_id"),
                               outcome=form.get("outcome", ""), note=form.get("note", ""),
                               body=form.get("body") or None, title=form.get("title") or None)
    return _back(url_for("moderation.flags"))


# /staff/held --------------------------------------------------------------------------------

@bp.get("/staff/held")
def held():
    status = request.args.get("status", "pending")
    results = services.list_holds(current_user, status=status, page=clamp_page(request.args.get("page")))
    return render_template("moderation/held.html", results=results, status=status)


@bp.post("/staff/held/<int:hold_id>/<any(approve, reject):decision>")
@write_limited
def decide_hold(hold_id, decision):
    hold = services.get_hold(current_user, hold_id)
    done = _("Approved; it is now public.") if decision == "approve" else _("Rejected; it stays hidden.")
    with unit_of_work(catch=(ValidationFailed, Conflict), success=done):
        services.decide_hold(current_user, hold, approve=decision == "approve", reason=request.form.get("reason", ""))
    return _back(url_for("moderation.held"))


# /staff/audit -------------------------------------------------------------------------------

AUDIT_FILTERS = ("actor", "action", "target_type", "target_id", "date_from", "date_to")


@bp.get("/staff/audit")
def audit():
    services.require_admin(current_user)
    args = {k: (request.args.get(k) or "").strip() for k in AUDIT_FILTERS}
    error = None
    try:
        results = services.search_audit(current_user, actor_name=args["actor"], action=args["action"],
                                        target_type=args["target_type"], target_id=args["target_id"] or None,
                                        date_from=args["date_from"], date_to=args["date_to"],
                                        page=clamp_page(request.args.get("page")))
    except ValidationFailed as exc:
        error, results = exc, None
    return render_form("moderation/audit.html", error=error, form=args, results=results,
                       described=audit_log.describe_entries(results.items, current_user) if results else [],
                       target_types=audit_log.TARGET_TYPE_LABELS, actions=services.audit_actions())


# /staff/words -------------------------------------------------------------------------------

@bp.route("/staff/words", methods=["GET", "POST"])
@write_limited
def words():
    services.require_admin(current_user)
    q = (request.args.get("q") or "").strip()
    form = {"word": "", "action": "replace"}
    error = None
    if request.method == "POST":
        form = {"word": request.form.get("word", ""), "action": request.form.get("action", "replace")}
        with unit_of_work(catch=(ValidationFailed, Conflict), flash_errors=False) as work:
            entry = services.add_word(current_user, form["word"], action=form["action"])
        if work.error is None:
            flash(_("Saved %(word)s.", word=entry.word), "success")
            return redirect(url_for("moderation.words"))
        error = work.error if isinstance(work.error, ValidationFailed) else ValidationFailed(
            fields={"word": work.error.message})
    results = services.list_words(current_user, q=q, page=clamp_page(request.args.get("page")))
    return render_form("moderation/words.html", error=error, form=form, results=results, q=q, actions=WORD_ACTIONS)


@bp.post("/staff/words/<int:word_id>/delete")
@write_limited
def delete_word(word_id):
    with unit_of_work(catch=()):
        services.remove_word(current_user, word_id)
    flash(_("Removed."), "info")
    return _back(url_for("moderation.words"))


@bp.post("/staff/words/import")
@write_limited
def import_words():
    services.require_admin(current_user)
    text = request.form.get("words", "")
    upload = request.files.get("file")
    if upload and upload.filename:
        text += "\n" + upload.read().decode("utf-8-sig", errors="replace")
    with unit_of_work() as work:
        result = services.import_words(current_user, text.splitlines(), action=request.form.get("action", "replace"))
    if work.error is None:
        flash(_("Added %(added)d words, skipped %(skipped)d.", **result), "success")
    return redirect(url_for("moderation.words"))


# /staff/users/<username> ------------------------------------------------------------------------

@bp.get("/staff/users/<username>")
def user(username):
    target = services.get_user(current_user, username)
    history = services.user_history(current_user, target)
    return render_template("moderation/user.html", user=target, history=history,
                           actions=audit_log.describe_entries(history["actions"], current_user), errors={}, form={})


@bp.post("/staff/users/<username>/<any(suspend, unsuspend, ban, unban):action>")
@write_limited
def restrict_user(username, action):
    target = services.get_user(current_user, username)
    reason = request.form.get("reason", "")
    with unit_of_work(catch=(ValidationFailed, Conflict), flash_errors=False) as work:
        if action == "suspend":
            services.suspend_user(current_user, target, days=request.form.get("days"), reason=reason)
        elif action == "unsuspend":
            services.lift_suspension(current_user, target, reason=reason)
        elif action == "ban":
            services.ban_user(current_user, target, reason=reason)
        else:
            services.unban_user(current_user, target, reason=reason)
    if isinstance(work.error, ValidationFailed):
        target = services.get_user(current_user, username)
        history = services.user_history(current_user, target)
        return render_template("moderation/user.html", user=target, errors=work.error.fields, form=request.form,
                               history=history, actions=audit_log.describe_entries(history["actions"], current_user),
                               failed_action=action), 422
    if work.error is not None:
        flash_error(work.error)
        return redirect(url_for("moderation.user", username=username))
    messages = {"suspend": _("Suspended; their sessions were ended."), "unsuspend": _("Suspension lifted."),
                "ban": _("Banned; their sessions were ended."), "unban": _("Ban lifted.")}
    flash(messages[action], "success")
    return redirect(url_for("moderation.user", username=username))
