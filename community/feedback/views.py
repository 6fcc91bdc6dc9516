"""Feedback pages: lists, item page with timeline, posting, comments, votes and staff actions."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user, login_required

from community.accounts.services import find_user_by_username, get_user_by_username
from community.core import permissions
from community.core.converters import parse_db_id
from community.core.errors import DomainError
from community.core.forms import render_form
from community.core.limits import write_limited
from community.core.page_cache import anonymous_page_cache, shared_fragment
from community.core.pagination import clamp_page
from community.core.text import render_markdown
from community.core.unit_of_work import unit_of_work
from community.extensions import db
from community.feedback import forms, services
from community.feedback import products as product_pages
from community.feedback.workflow import (
    KIND_LABELS,
    RATING_DIMENSIONS,
    STATUS_LABELS,
    STATUSES,
    TYPE_LABELS,
    allowed_transitions,
)
from community.routing import services as routing
from community.routing.models import Category

bp = Blueprint("feedback", __name__)

SORT_LABELS = {"hot": _l("Hot"), "new": lazy_pgettext("sort order", "New"), "votes": _l("Most voted"),
               "unanswered": _l("Unanswered"), "active": lazy_pgettext("sort order", "Active")}


def _list_args() -> dict:
    sort = request.args.get("sort", "hot")
    status = request.args.get("status") or None
    kind = request.args.get("kind") or None
    feedback_type = request.args.get("type") or None
    return {
        "sort": sort if sort in services.SORTS else "hot",
        "status": status if status in STATUSES else None,
        "kind": kind if kind in KIND_LABELS else None,
        "feedback_type": feedback_type if feedback_type in TYPE_LABELS else None,
        "page": clamp_page(request.args.get("page")),
    }


def _render_list(template: str, empty_message: str, **context):
    args = _list_args()

    def render_section() -> str:
        results = services.list_posts(current_user, category_id=context.get("category_id"),
                                      product_id=context.get("product_id"), **args)
        return render_template("feedback/_list_section.html", results=results, args=args,
                               empty_message=empty_message)

    # Members see the public list, as anonymous visitors do; staff lists include hidden items.
    if permissions.is_staff(current_user):
        audience = None
    else:
        audience = "member" if current_user.is_authenticated else "anonymous"
    return render_template(template, list_section=shared_fragment(audience, render_section),
                           categories=routing.list_categories(), **context)


@bp.get("/")
@anonymous_page_cache
def home():
    return _render_list("feedback/home.html", _("Nothing here yet."))


@bp.get("/c/<slug>")
@anonymous_page_cache
def category(slug):
    cat = routing.get_category(slug)
    return _render_list("feedback/category.html", _("No posts in this category yet."), category=cat,
                        category_id=cat.id)


@bp.get("/products")
@anonymous_page_cache
def products():
    return render_template("feedback/products.html", products=services.list_products())


@bp.get("/p/<slug>")
@anonymous_page_cache
def product(slug):
    prod = services.get_product(slug)
    return _render_list("feedback/product.html", _("No posts about this product yet."), product=prod,
                        product_id=prod.id, specs=product_pages.local_specs(prod), links=product_pages.product_links(prod),
                        following=product_pages.follows_product(current_user, prod),
                        ratings=services.product_ratings(prod))


@bp.post("/p/<slug>/follow")
@login_required
@write_limited
def follow_product(slug):
    prod = services.get_product(slug)
    with unit_of_work(catch=()):
        following = product_pages.set_product_follow(current_user, prod, _on_off(request.form))
    if _wants_json():
        return jsonify({"following": following})
    flash(_("You follow %(name)s: its announcements reach you.", name=prod.local_name) if following
          else _("You no longer follow %(name)s.", name=prod.local_name), "info")
    return redirect(url_for("feedback.product", slug=prod.slug))


@bp.get("/p/<slug>/hero")
def product_hero(slug):
    found = product_pages.hero_image(services.get_product(slug))
    if found is None:
        abort(404)
    data, content_type = found
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = "public, max-age=86400"  # the page's URL carries ?v=updated_at
    return response


@bp.route("/admin/products/<slug>", methods=["GET", "POST"])
@write_limited
def edit_product(slug):
    if not permissions.is_admin(current_user):
        abort(404)
    prod = services.get_product(slug)
    form = {"description": prod.description, "tagline": prod.tagline, "tagline_en": prod.tagline_en,
            "specs": product_pages.specs_text(prod)}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in form}
        upload = request.files.get("hero")
        hero = upload.read(product_pages.HERO_MAX_BYTES + 1) if upload and upload.filename else None
        with unit_of_work(success=_("Saved."), flash_errors=False) as work:
            product_pages.update_profile(current_user, prod, **form, hero=hero,
                                    remove_hero=bool(request.form.get("remove_hero")))
        if work.error:
            return render_form("feedback/product_edit.html", product=prod, form=form, error=work.error)
        return redirect(url_for("feedback.product", slug=prod.slug))
    return render_form("feedback/product_edit.html", product=prod, form=form)


# Posting ------------------------------------------------------------------------

def _compose_context(form):
    return {"categories": routing.list_categories(), "products": services.list_products(),
            "kinds": KIND_LABELS, "types": TYPE_LABELS, "dimensions": RATING_DIMENSIONS, "form": form}


@bp.route("/posts/new", methods=["GET", "POST"])
@login_required
@write_limited
def new_post():
    if request.method == "GET":
        form = {"kind": request.args.get("kind", "feedback"), "category": request.args.get("category", ""),
                "feedback_type": request.args.get("type", "bug"), "product": request.args.get("product", ""),
                "ratings": {}}
        return render_form("feedback/compose.html", **_compose_context(form))
    form = forms.post_form()
    category = db.session.execute(sa.select(Category).where(Category.slug == form["category"])).scalar_one_or_none()
    product = None
    if form["product"]:
        try:
            product = services.get_product(form["product"])
        except DomainError:
            product = None
    with unit_of_work(success=_("Posted. Thank you!"), flash_errors=False) as work:
        post = services.submit_post(current_user, kind=form["kind"], title=form["title"], body=form["body"],
                                    category=category, feedback_type=form["feedback_type"] or None,
                                    product=product, trial=forms.trial_fields(form))
    if work.error:
        context = _compose_context(form)
        context.pop("form")
        return render_form("feedback/compose.html", error=work.error, form=form, **context)
    return redirect(url_for("feedback.show_post", post_id=post.id))


@bp.post("/preview")
@login_required
def preview():
    """Markdown preview, rendered by the same sanitizing path as saved posts."""
    return jsonify({"html": str(render_markdown(request.form.get("body", "")[:services.BODY_MAX]))})


# The item page -------------------------------------------------------------------

def _item_context(post, **extra):
    comments = services.list_comments(current_user, post)
    context = {
        "post": post,
        "comments": comments,
        "timeline": services.list_timeline(post),
        "voted": services.has_voted(current_user, post),
        "following": services.is_following(current_user, post),
        "can_manage": permissions.can_manage_post(current_user, post),
        "can_reply_officially": permissions.can_reply_officially(current_user, post),
        "can_comment": permissions.can_comment(current_user, post),
        "can_edit": permissions.can_edit_post(current_user, post),
        "can_vote": permissions.can_vote(current_user, post),
        "can_see_internal": permissions.can_see_internal_notes(current_user),
        "is_author": permissions.is_author(current_user, post),
        "transitions": sorted(allowed_transitions(post.status), key=STATUSES.index) if post.is_feedback else [],
        "status_labels": STATUS_LABELS,
        "dimensions": RATING_DIMENSIONS,
        "departments": routing.list_departments() if permissions.can_manage_post(current_user, post) else [],
        "form": {},
        "errors": {},
    }
    context.update(extra)
    return context


@bp.get("/posts/<int:post_id>")
@anonymous_page_cache
def show_post(post_id):
    post = services.get_post(current_user, post_id)
    if post.merged_into_id and not request.args.get("no_redirect"):
        return redirect(url_for("feedback.show_post", post_id=post.merged_into_id, merged_from=post.id), 301)
    return render_template("feedback/post.html", **_item_context(post))


@bp.get("/posts/<int:post_id>/history")
def post_history(post_id):
    post = services.get_post(current_user, post_id)
    comment = None
    if request.args.get("comment"):
        comment = services.get_comment(current_user, request.args["comment"])
    return render_template("feedback/history.html", post=post, comment=comment,
                           revisions=services.list_revisions(current_user, post, comment))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
@write_limited
def edit_post(post_id):
    post = services.get_post(current_user, post_id)
    if not permissions.can_edit_post(current_user, post):
        abort(403)
    form = {"title": post.title, "body": post.body, "reason": ""}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("title", "body", "reason")}
        with unit_of_work(success=_("Saved."), flash_errors=False) as work:
            services.edit_post(current_user, post, title=form["title"], body=form["body"], reason=form["reason"])
        if work.error:
            return render_form("feedback/edit.html", post=post, form=form, error=work.error)
        return redirect(url_for("feedback.show_post", post_id=post.id))
    return render_form("feedback/edit.html", post=post, form=form)


def _back_to(post, anchor: str = ""):
    return redirect(url_for("feedback.show_post", post_id=post.id, no_redirect=1 if post.merged_into_id else None)
                    + (f"#{anchor}" if anchor else ""))


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/posts/<int:post_id>/comments")
@login_required
@write_limited
def add_comment(post_id):
    post = services.get_post(current_user, post_id)
    body = request.form.get("body", "")
    internal = request.form.get("internal") == "1"
    parent = services.get_comment(current_user, request.form["parent_id"]) if request.form.get("parent_id") else None
    with unit_of_work(flash_errors=False) as work:
        comment = services.add_comment(current_user, post, body, parent=parent, internal=internal)
    if work.error:
        post = services.get_post(current_user, post_id)
        return render_template("feedback/post.html", **_item_context(
            post, form={"body": body, "parent_id": request.form.get("parent_id", "")}, errors=work.error.fields)), 422
    if comment.is_hidden:  # held by the screeners: it is saved, but others see it only once approved
        flash(_("Your comment was saved and waits for review; until a moderator approves it, only you can see it."),
              "info")
    return _back_to(post, f"comment-{comment.id}")


@bp.post("/posts/<int:post_id>/reply")
@login_required
@write_limited
def official_reply(post_id):
    post = services.get_post(current_user, post_id)
    body = request.form.get("body", "")
    with unit_of_work(flash_errors=False) as work:
        comment = services.post_official_reply(current_user, post, body, to_status=request.form.get("status") or None,
                                               note=request.form.get("note", ""))
    if work.error:
        post = services.get_post(current_user, post_id)
        return render_template("feedback/post.html", **_item_context(
            post, form={"official_body": body}, errors=work.error.fields)), 422
    return _back_to(post, f"comment-{comment.id}")


@bp.post("/comments/<int:comment_id>/edit")
@login_required
@write_limited
def edit_comment(comment_id):
    comment = services.get_comment(current_user, comment_id)
    with unit_of_work():
        services.edit_comment(current_user, comment, request.form.get("body", ""), reason=request.form.get("reason", ""))
    return redirect(url_for("feedback.show_post", post_id=comment.post_id) + f"#comment-{comment.id}")


@bp.post("/comments/<int:comment_id>/delete")
@login_required
@write_limited
def delete_comment(comment_id):
    comment = services.get_comment(current_user, comment_id)
    with unit_of_work(catch=()):
        services.delete_comment(current_user, comment)
    flash(_("Comment deleted."), "info")
    return redirect(url_for("feedback.show_post", post_id=comment.post_id))


@bp.post("/posts/<int:post_id>/vote")
@login_required
@write_limited
def vote(post_id):
    post = services.get_post(current_user, post_id)
    was_following = services.is_following(current_user, post)
    with unit_of_work(catch=()):
        voted, count = services.set_vote(current_user, post, _on_off(request.form))
    # A vote follows the item; say so, or a later press on 关注 would unfollow by surprise.
    auto_followed = voted and not was_following
    if _wants_json():
        return jsonify({"voted": voted, "vote_count": count, "following": was_following or voted,
                        "auto_followed": auto_followed})
    if auto_followed:
        flash(_("Followed automatically"), "info")
    return _back_to(post)


def _on_off(form) -> bool:
    """The on/off field of the vote and follow forms. It is `state`, never `action`: a control
    named `action` hides `form.action` from scripts (old pages may still send `action`)."""
    return form.get("state", form.get("action", "on")) != "off"


@bp.post("/posts/<int:post_id>/follow")
@login_required
@write_limited
def follow(post_id):
    post = services.get_post(current_user, post_id)
    with unit_of_work(catch=()):
        following = services.set_follow(current_user, post, _on_off(request.form))
    if _wants_json():
        return jsonify({"following": following})
    flash(_("You follow this item.") if following else _("You no longer follow this item."), "info")
    return _back_to(post)


# Staff and author actions ---------------------------------------------------------

@bp.post("/posts/<int:post_id>/status")
@login_required
@write_limited
def change_status(post_id):
    post = services.get_post(current_user, post_id)
    with unit_of_work(success=_("Status updated.")):
        services.change_status(current_user, post, request.form.get("status", ""), note=request.form.get("note", ""))
    return _back_to(post, "timeline")


@bp.post("/posts/<int:post_id>/reassign")
@login_required
@write_limited
def reassign(post_id):
    post = services.get_post(current_user, post_id)
    to_user = None
    if request.form.get("to_user"):
        to_user = find_user_by_username(request.form["to_user"])
        if to_user is None:
            flash(_("No such user."), "error")
            return _back_to(post)
    department_id = parse_db_id(request.form.get("department_id"))
    to_department = routing.get_department(department_id) if department_id else None
    with unit_of_work(success=_("Reassigned.")):
        services.reassign_post(current_user, post, reason=request.form.get("reason", ""), to_user=to_user,
                               to_department=to_department)
    return _back_to(post, "timeline")


@bp.post("/posts/<int:post_id>/merge")
@login_required
@write_limited
def merge(post_id):
    post = services.get_post(current_user, post_id)
    with unit_of_work() as work:
        target = services.get_post(current_user, request.form.get("target_id", "").lstrip("#"))
        services.merge_posts(current_user, post, target, note=request.form.get("note", ""))
    if work.error:
        return _back_to(post)
    flash(_("Merged into #%(id)d.", id=target.id), "success")
    return redirect(url_for("feedback.show_post", post_id=target.id))


@bp.post("/posts/<int:post_id>/confirm")
@login_required
@write_limited
def confirm(post_id):
    post = services.get_post(current_user, post_id)
    with unit_of_work(catch=(), success=_("Thanks for confirming!")):
        services.confirm_resolution(current_user, post)
    return _back_to(post, "timeline")


@bp.post("/posts/<int:post_id>/reopen")
@login_required
@write_limited
def reopen(post_id):
    post = services.get_post(current_user, post_id)
    with unit_of_work(success=_("Reopened; it is back with the team.")):
        services.reopen_post(current_user, post, reason=request.form.get("reason", ""))
    return _back_to(post, "timeline")


# Profiles ------------------------------------------------------------------------

@bp.get("/u/<username>")
def profile(username):
    """A member's public page: what they posted, commented and voted for (feedback's content)."""
    user = get_user_by_username(username)
    tab = request.args.get("tab", "posts")
    page = clamp_page(request.args.get("page"))
    if tab == "comments":
        results = services.list_user_comments(current_user, user, page)
    elif tab == "votes":
        results = services.list_user_votes(current_user, user, page)
    else:
        tab = "posts"
        results = services.list_posts(current_user, sort="new", author_id=user.id, page=page)
    return render_template("feedback/profile.html", user=user, tab=tab, results=results)
