"""Roadmap pages: the public board and list, item pages, staff editing and feedback linking."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from community.accounts.models import User
from community.core import clock, permissions
from community.core.errors import NotFound, ValidationFailed
from community.core.forms import render_form
from community.core.limits import write_limited
from community.core.page_cache import anonymous_page_cache
from community.core.pagination import clamp_page
from community.core.unit_of_work import flash_error, unit_of_work
from community.core.urls import safe_next
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.products import register_product_link
from community.roadmap import announcements, forms, fourbox, polls, releases, services
from community.roadmap.models import RoadmapComment, RoadmapItem
from community.roadmap.workflow import (
    BOARD_STATUSES,
    CLOSED_STATUSES,
    SORT_LABELS,
    STATUS_LABELS,
    STATUSES,
    allowed_transitions,
)
from community.routing import services as routing

bp = Blueprint("roadmap", __name__)

ITEMS_PER_PAGE = 20


def _product_arg():
    slug = request.args.get("product") or ""
    if not slug:
        return None
    try:
        return feedback.get_product(slug)
    except NotFound:
        return None


def _filters() -> dict:
    product = _product_arg()
    area = (request.args.get("area") or "").strip().lower()[:services.AREA_MAX] or None
    return {"product": product, "area": area}


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


# Public pages --------------------------------------------------------------------

@bp.get("/roadmap")
@anonymous_page_cache
def board():
    f = _filters()
    product_id = f["product"].id if f["product"] else None
    columns = services.board(current_user, product_id=product_id, area=f["area"])
    shown = [i.id for c in columns for i in c.items]
    return render_template(
        "roadmap/board.html", columns=columns, filters=f, products=feedback.list_products(),
        areas=services.list_areas(current_user, product_id), community_ids=services.community_item_ids(shown),
        voted=services.voted_item_ids(current_user, shown),
        votes_left=services.votes_left(current_user, product_id) if product_id else None,
        vote_budget=services.vote_budget(product_id),
        can_configure=permissions.can_configure_roadmap(current_user))


@bp.get("/roadmap/list")
@anonymous_page_cache
def item_list():
    f = _filters()
    sort = request.args.get("sort", "demand")
    status = request.args.get("status") or None
    product_id = f["product"].id if f["product"] else None
    results = services.list_items(current_user, sort=sort if sort in SORT_LABELS else "demand",
                                  status=status if status in STATUSES else None, product_id=product_id,
                                  area=f["area"], page=clamp_page(request.args.get("page")), per_page=ITEMS_PER_PAGE)
    ids = [i.id for i in results.items]
    return render_template("roadmap/list.html", results=results, filters=f, sort=sort, status=status,
                           products=feedback.list_products(), areas=services.list_areas(current_user, product_id),
                           community_ids=services.community_item_ids(ids),
                           voted=services.voted_item_ids(current_user, ids))


def _item_context(item: RoadmapItem, **extra) -> dict:
    can_manage = permissions.can_manage_roadmap(current_user)
    context = {
        "item": item,
        "entries": services.list_entries(item),
        "linked": services.list_linked_posts(current_user, item),
        "voted": services.has_voted(current_user, item),
        "can_vote": permissions.can_write(current_user) and item.is_public and item.status not in CLOSED_STATUSES,
        "votes_left": services.votes_left(current_user, item.product_id),
        "can_manage": can_manage,
        "transitions": allowed_transitions(item.status) if can_manage else [],
        "from_community": services.from_community(item),
        "comments": services.list_comments(current_user, item),
        "segments": services.demand_by_segment(current_user, item) if permissions.is_staff(current_user) else None,
        "weighted": services.weighted_demand(item) if current_app.config.get("ROADMAP_WEIGHTED_DEMAND") else None,
        "weight_formula": services.WEIGHT_FORMULA,
        "errors": {},
        "form": {},
    }
    context.update(extra)
    return context


@bp.get("/roadmap/<int:item_id>")
@anonymous_page_cache
def show_item(item_id):
    item = services.get_item(current_user, item_id)
    return render_template("roadmap/item.html", **_item_context(item))


@bp.post("/roadmap/<int:item_id>/comments")
@login_required
@write_limited
def add_comment(item_id):
    item = services.get_item(current_user, item_id)
    with unit_of_work(flash_errors=False) as work:
        comment = services.add_comment(current_user, item, request.form.get("body", ""))
    if work.error:
        item = services.get_item(current_user, item_id)
        return render_template("roadmap/item.html", **_item_context(
            item, form={"body": request.form.get("body", "")}, errors=work.error.fields)), 422
    if comment.is_hidden:
        flash(_("Your comment is waiting for review; you can already see it."), "info")
    return redirect(url_for("roadmap.show_item", item_id=item.id, _anchor=f"rc-{comment.id}"))


@bp.post("/roadmap/comments/<int:comment_id>/delete")
@login_required
@write_limited
def delete_comment(comment_id):
    comment = db.session.get(RoadmapComment, comment_id)
    if comment is None:
        raise NotFound()
    item = services.get_item(current_user, comment.item_id)
    with unit_of_work(catch=()):
        services.delete_comment(current_user, comment)
    flash(_("Comment deleted."), "info")
    return redirect(url_for("roadmap.show_item", item_id=item.id, _anchor="comments"))


@bp.post("/roadmap/settings/<slug>")
@login_required
@write_limited
def vote_budget(slug):
    """Admin: the product's vote budget (empty: no budget)."""
    product = feedback.get_product(slug)
    with unit_of_work(success=_("Saved.")):
        services.set_vote_budget(current_user, product, request.form.get("vote_budget", "").strip())
    return redirect(url_for("roadmap.board", product=product.slug))


# Staff: creating and editing -------------------------------------------------------

def _editor_context(form, item=None, error=None) -> dict:
    staff = db.session.execute(sa.select(User).where(User.role != "member", User.banned_at.is_(None))
                               .order_by(User.username)).scalars().all()
    return {"form": form, "item": item, "error": error, "products": feedback.list_products(),
            "departments": routing.list_departments(), "staff_users": staff}


def _save(item=None):
    form = forms.item_form(request.form)
    with unit_of_work(success=_("Saved."), flash_errors=False) as work:
        if item is None:
            item = services.create_item(current_user, **forms.create_fields(form))
        else:
            services.edit_item(current_user, item, **forms.item_fields(form))
    if work.error:
        return render_form("roadmap/edit.html", **_editor_context(form, item, work.error))
    return redirect(url_for("roadmap.show_item", item_id=item.id))


@bp.route("/roadmap/new", methods=["GET", "POST"])
@login_required
@write_limited
def new_item():
    services.require_roadmap_staff(current_user)
    if request.method == "POST":
        return _save()
    form = {"status": "considering", "is_public": True, "product": request.args.get("product", "")}
    return render_form("roadmap/edit.html", **_editor_context(form))


@bp.route("/roadmap/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
@write_limited
def edit_item(item_id):
    services.require_roadmap_staff(current_user)
    item = services.get_item(current_user, item_id)
    if request.method == "POST":
        return _save(item)
    return render_form("roadmap/edit.html", **_editor_context(forms.form_from_item(item), item))


@bp.post("/roadmap/<int:item_id>/status")
@login_required
@write_limited
def change_status(item_id):
    item = services.get_item(current_user, item_id)
    with unit_of_work(success=_("Status updated.")):
        services.change_status(current_user, item, request.form.get("status", ""), note=request.form.get("note", ""))
    return redirect(url_for("roadmap.show_item", item_id=item.id, _anchor="timeline"))


# Votes ------------------------------------------------------------------------------

@bp.post("/roadmap/<int:item_id>/vote")
@login_required
@write_limited
def vote(item_id):
    item = services.get_item(current_user, item_id)
    with unit_of_work(catch=()):
        voted, count, demand = services.set_vote(current_user, item, request.form.get("action", "on") != "off")
        left = services.votes_left(current_user, item.product_id)
    if _wants_json():
        return jsonify({"voted": voted, "vote_count": count, "demand": demand, "votes_left": left})
    return redirect(url_for("roadmap.show_item", item_id=item.id))


# Linking feedback -----------------------------------------------------------------

@bp.post("/roadmap/<int:item_id>/links")
@login_required
@write_limited
def add_links(item_id):
    item = services.get_item(current_user, item_id)
    ids = services.parse_post_ids(request.form.get("post_ids", "").replace(",", " ").split())
    with unit_of_work() as work:
        results = services.bulk_link(current_user, item, ids)
    if not work.error:
        _flash_results(results)
    return redirect(url_for("roadmap.show_item", item_id=item.id, _anchor="linked"))


@bp.post("/roadmap/<int:item_id>/links/<int:post_id>/delete")
@login_required
@write_limited
def remove_link(item_id, post_id):
    item = services.get_item(current_user, item_id)
    post = feedback.get_post(current_user, post_id)
    if (services.item_for_post(current_user, post) or item).id != item.id:
        raise NotFound()
    with unit_of_work(catch=()):
        services.unlink_feedback(current_user, post, note=request.form.get("note", ""))
    flash(_("Unlinked #%(id)d.", id=post.id), "info")
    return redirect(url_for("roadmap.show_item", item_id=item.id, _anchor="linked"))


@bp.post("/roadmap/link")
@login_required
@write_limited
def link_from_feedback():
    """From the feedback item's staff panel: link it to the chosen roadmap item."""
    post = feedback.get_post(current_user, request.form.get("post_id"))
    with unit_of_work(catch=(ValidationFailed, NotFound)) as work:
        item = services.get_item(current_user, request.form.get("item_id"))
        services.link_feedback(current_user, item, post)
    if not work.error:
        flash(_("Linked to the roadmap item “%(title)s”.", title=item.title), "success")
    return redirect(url_for("feedback.show_post", post_id=post.id, _anchor="timeline"))


@bp.post("/roadmap/unlink")
@login_required
@write_limited
def unlink_from_feedback():
    post = feedback.get_post(current_user, request.form.get("post_id"))
    with unit_of_work(catch=()):
        services.unlink_feedback(current_user, post, note=request.form.get("note", ""))
    flash(_("Unlinked from the roadmap."), "info")
    return redirect(url_for("feedback.show_post", post_id=post.id, _anchor="timeline"))


def _flash_results(results) -> None:
    done = [r for r in results if r.ok]
    if done:
        flash(ngettext("%(num)d item linked.", "%(num)d items linked.", len(done)), "success")
    for r in results:
        if not r.ok:
            flash(_("#%(id)d was not changed: %(reason)s", id=r.post_id, reason=r.message), "error")


@bp.post("/roadmap/bulk-link")
@login_required
@write_limited
def bulk_link():
    """From the triage console's bulk form: link the selected feedback to one roadmap item."""
    back = safe_next(request.form.get("next"), url_for("triage.queue", name="mine"))
    with unit_of_work(catch=(ValidationFailed, NotFound), flash_errors=False) as work:
        item = services.get_item(current_user, request.form.get("roadmap_item_id"))
        results = services.bulk_link(current_user, item, request.form.getlist("ids"))
    if isinstance(work.error, NotFound):
        flash_error(ValidationFailed(fields={"roadmap_item_id": _("Choose a roadmap item.")}))
    elif work.error:
        flash_error(work.error)
    else:
        _flash_results(results)
    return redirect(back)


# Releases and the changelog ---------------------------------------------------------

@bp.get("/changelog")
def changelog():
    product = _product_arg()
    staff_view = permissions.is_staff(current_user)
    results = releases.list_releases(current_user, product_id=product.id if product else None,
                                     page=clamp_page(request.args.get("page")), include_drafts=staff_view)
    return render_template("roadmap/changelog.html", results=results, product=product,
                           products=feedback.list_products())


def _atom(product):
    results = releases.list_releases(None, product_id=product.id if product else None, per_page=50)
    xml = render_template("roadmap/changelog.atom.xml", releases=results.items, product=product,
                          updated=max((r.published_at or r.created_at for r in results.items), default=None))
    return Response(xml, mimetype="application/atom+xml")


@bp.get("/changelog.atom")
def changelog_feed():
    return _atom(None)


@bp.get("/changelog/<slug>.atom")
def product_changelog_feed(slug):
    return _atom(feedback.get_product(slug))


@bp.get("/releases/<int:release_id>")
def show_release(release_id):
    release = releases.get_release(current_user, release_id)
    return render_template("roadmap/release.html", release=release,
                           items=releases.shipped_items(current_user, release),
                           posts=releases.resolved_posts(current_user, release),
                           can_manage=permissions.can_manage_roadmap(current_user))


def _release_editor(form, release=None, error=None):
    return render_form("roadmap/release_edit.html", form=form, release=release, error=error,
                       products=feedback.list_products(), open_items=open_items_for_linking())


def _save_release(release=None):
    form = forms.release_form(request.form)
    with unit_of_work(success=_("Saved."), flash_errors=False) as work:
        fields = forms.release_fields(form)
        if release is None:
            release = releases.create_release(current_user, **fields)
        else:
            releases.edit_release(current_user, release, **fields)
    if work.error:
        return _release_editor(form, release, work.error)
    return redirect(url_for("roadmap.show_release", release_id=release.id))


@bp.route("/releases/new", methods=["GET", "POST"])
@login_required
@write_limited
def new_release():
    services.require_roadmap_staff(current_user)
    if request.method == "POST":
        return _save_release()
    return _release_editor({"product": request.args.get("product", ""), "released_on": clock.now().date().isoformat()})


@bp.route("/releases/<int:release_id>/edit", methods=["GET", "POST"])
@login_required
@write_limited
def edit_release(release_id):
    services.require_roadmap_staff(current_user)
    release = releases.get_release(current_user, release_id)
    if request.method == "POST":
        return _save_release(release)
    return _release_editor(forms.form_from_release(release), release)


@bp.post("/releases/<int:release_id>/publish")
@login_required
@write_limited
def publish_release(release_id):
    release = releases.get_release(current_user, release_id)
    with unit_of_work(catch=()):
        shipped = releases.publish_release(current_user, release)
    flash(ngettext("Published; %(num)d roadmap item shipped.", "Published; %(num)d roadmap items shipped.",
                   len(shipped)), "success")
    return redirect(url_for("roadmap.show_release", release_id=release.id))


# Co-creation polls -------------------------------------------------------------------

@bp.get("/polls")
def poll_list():
    state = request.args.get("state") if request.args.get("state") in ("open", "closed") else None
    results = polls.list_polls(current_user, state=state, page=clamp_page(request.args.get("page")))
    return render_template("roadmap/polls.html", results=results, state=state)


def _poll_context(poll, **extra) -> dict:
    context = {"poll": poll, "tally": polls.tally(current_user, poll), "mine": polls.my_choices(current_user, poll),
               "is_open": polls.is_open(poll), "is_closed": polls.is_closed(poll),
               "eligible": polls.is_eligible(current_user, poll), "can_manage": permissions.can_manage_roadmap(
                   current_user), "eligibility_labels": polls.ELIGIBILITY_LABELS, "errors": {}}
    context.update(extra)
    return context


@bp.get("/polls/<int:poll_id>")
def show_poll(poll_id):
    return render_template("roadmap/poll.html", **_poll_context(polls.get_poll(current_user, poll_id)))


@bp.post("/polls/<int:poll_id>/ballot")
@login_required
@write_limited
def cast_ballot(poll_id):
    poll = polls.get_poll(current_user, poll_id)
    with unit_of_work(success=_("Your vote is in. You can change it until the poll closes."),
                      flash_errors=False) as work:
        polls.cast_ballot(current_user, poll, request.form.getlist("option_id"))
    if work.error:
        poll = polls.get_poll(current_user, poll_id)
        return render_template("roadmap/poll.html", **_poll_context(poll, errors=work.error.fields)), 422
    return redirect(url_for("roadmap.show_poll", poll_id=poll.id))


def _poll_editor(form, error=None):
    return render_form("roadmap/poll_edit.html", form=form, error=error, products=feedback.list_products(),
                       eligibility_labels=polls.ELIGIBILITY_LABELS)


@bp.route("/polls/new", methods=["GET", "POST"])
@login_required
@write_limited
def new_poll():
    services.require_roadmap_staff(current_user)
    if request.method == "GET":
        return _poll_editor({"item_id": request.args.get("item", ""), "product": request.args.get("product", ""),
                             "kind": "choice", "results": "after_close", "eligibility": "everyone", "days": "7"})
    form = forms.poll_form(request.form)
    with unit_of_work(success=_("The poll is open."), flash_errors=False) as work:
        images = {position: polls.store_option_image(current_user, data) for position, data in _option_uploads()}
        poll = polls.create_poll(current_user, **forms.poll_fields(form, images))
    if work.error:
        return _poll_editor(form, work.error)
    return redirect(url_for("roadmap.show_poll", poll_id=poll.id))


OPTION_IMAGE_INPUTS = 8


def _option_uploads():
    """(position, bytes) for each option picture the form carries (inputs option_image_1…8)."""
    for position in range(1, OPTION_IMAGE_INPUTS + 1):
        upload = request.files.get(f"option_image_{position}")
        if upload and upload.filename:
            yield position, upload.read(polls.IMAGE_MAX_BYTES + 1)


@bp.get("/roadmap/images/<int:image_id>")
def option_image(image_id):
    found = polls.option_image(image_id)
    if found is None:
        abort(404)
    data, content_type = found
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"  # an upload never changes
    return response


@bp.post("/polls/<int:poll_id>/close")
@login_required
@write_limited
def close_poll(poll_id):
    poll = polls.get_poll(current_user, poll_id)
    with unit_of_work(catch=()):
        polls.close_poll(current_user, poll)
    flash(_("The poll is closed; its results are public."), "info")
    return redirect(url_for("roadmap.show_poll", poll_id=poll.id))


@bp.post("/polls/<int:poll_id>/decision")
@login_required
@write_limited
def post_decision(poll_id):
    poll = polls.get_poll(current_user, poll_id)
    with unit_of_work():
        polls.post_decision(current_user, poll, request.form.get("decision", ""))
    return redirect(url_for("roadmap.show_poll", poll_id=poll.id))


# Four-box rounds ------------------------------------------------------------------

@bp.get("/fourbox")
def fourbox_list():
    return render_template("roadmap/fourbox_list.html",
                           results=fourbox.list_rounds(current_user, page=clamp_page(request.args.get("page"))))


def _fourbox_context(round_, **extra) -> dict:
    context = {"round": round_, "is_open": fourbox.is_open(round_), "boxes": fourbox.BOXES,
               "mine": fourbox.my_answer(current_user, round_), "wanted": fourbox.tally(round_),
               "can_manage": permissions.can_manage_roadmap(current_user), "categories": routing.list_categories(),
               "form": {}, "errors": {}}
    context.update(extra)
    return context


@bp.get("/fourbox/<int:round_id>")
def show_fourbox(round_id):
    return render_template("roadmap/fourbox.html", **_fourbox_context(fourbox.get_round(current_user, round_id)))


@bp.post("/fourbox/<int:round_id>/answer")
@login_required
@write_limited
def fourbox_answer(round_id):
    round_ = fourbox.get_round(current_user, round_id)
    form = {k: request.form.get(k, "") for k in fourbox.BOXES}
    with unit_of_work(success=_("Thanks! Your four boxes are saved; you can change them until the round closes."),
                      flash_errors=False) as work:
        fourbox.submit_answer(current_user, round_, form)
    if work.error:
        round_ = fourbox.get_round(current_user, round_id)
        return render_template("roadmap/fourbox.html", **_fourbox_context(
            round_, form=form, errors=work.error.fields)), 422
    return redirect(url_for("roadmap.show_fourbox", round_id=round_.id))


@bp.post("/fourbox/<int:round_id>/bug")
@login_required
@write_limited
def fourbox_bug(round_id):
    round_ = fourbox.get_round(current_user, round_id)
    answer = fourbox.my_answer(current_user, round_)
    if answer is None:
        raise NotFound()
    category = routing.get_category(request.form.get("category", ""))
    with unit_of_work(catch=()):
        post = fourbox.bug_to_post(current_user, answer, category=category, title=request.form.get("title", ""))
    flash(_("Your bug is posted as feedback and on its way to the team."), "success")
    return redirect(url_for("feedback.show_post", post_id=post.id))


@bp.post("/fourbox/<int:round_id>/to-roadmap")
@login_required
@write_limited
def fourbox_to_roadmap(round_id):
    round_ = fourbox.get_round(current_user, round_id)
    with unit_of_work(catch=()):
        item = fourbox.line_to_item(current_user, round_, request.form.get("answer_ids", "").split())
    flash(_("Added to the roadmap; the members who asked count as its demand."), "success")
    return redirect(url_for("roadmap.show_item", item_id=item.id))


@bp.route("/fourbox/new", methods=["GET", "POST"])
@login_required
@write_limited
def new_fourbox():
    services.require_roadmap_staff(current_user)
    form = {"title": "", "product": request.args.get("product", ""), "days": "7"}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("title", "product", "days")}
        with unit_of_work(flash_errors=False) as work:
            round_ = fourbox.open_round(current_user, title=form["title"], days=form["days"],
                                        product=forms.product_or_none(form["product"]))
        if work.error:
            return render_form("roadmap/fourbox_edit.html", form=form, error=work.error,
                               products=feedback.list_products())
        return redirect(url_for("roadmap.show_fourbox", round_id=round_.id))
    return render_form("roadmap/fourbox_edit.html", form=form, products=feedback.list_products())


# Announcements -------------------------------------------------------------------

@bp.get("/announcements")
def announcement_list():
    return render_template("roadmap/announcements.html", rows=announcements.recent(),
                           now_active={a.id for a in announcements.active(limit=100)})


@bp.route("/announcements/new", methods=["GET", "POST"])
@login_required
@write_limited
def new_announcement():
    services.require_roadmap_staff(current_user)
    keys = ("title", "body", "product", "release_id", "item_id", "days")
    form = {k: request.values.get(k, "") for k in keys}
    form["days"] = form["days"] or "7"
    if request.method == "POST":
        with unit_of_work(success=_("Announced."), flash_errors=False) as work:
            row = announcements.publish(current_user, **forms.announcement_fields(current_user, form))
        if work.error:
            return render_form("roadmap/announcement_edit.html", form=form, error=work.error,
                               products=feedback.list_products())
        return redirect(url_for("roadmap.announcement_list", _anchor=f"announcement-{row.id}"))
    return render_form("roadmap/announcement_edit.html", form=form, products=feedback.list_products())


@bp.post("/announcements/<int:announcement_id>/end")
@login_required
@write_limited
def end_announcement(announcement_id):
    with unit_of_work(catch=()):
        announcements.end(current_user, announcement_id)
    flash(_("The announcement no longer shows."), "info")
    return redirect(url_for("roadmap.announcement_list"))


# Template helpers ------------------------------------------------------------------

def open_items_for_linking() -> list[RoadmapItem]:
    """Items staff can link feedback to, for the staff panel and the console."""
    return list(db.session.execute(
        sa.select(RoadmapItem).where(RoadmapItem.status.not_in(("shipped", "not_planned")))
        .order_by(RoadmapItem.title).limit(500)).scalars())


def _product_roadmap(product) -> str:
    return url_for("roadmap.board", product=product.slug)


def install_template_helpers(app) -> None:
    register_product_link(_l("Roadmap"), _product_roadmap)
    app.jinja_env.globals.update(
        ROADMAP_STATUS_LABELS=STATUS_LABELS, ROADMAP_BOARD_STATUSES=BOARD_STATUSES, ROADMAP_SORT_LABELS=SORT_LABELS,
        roadmap_item_for=lambda post: services.item_for_post(current_user, post),
        roadmap_ref=services.feedback_ref,
        roadmap_open_items=open_items_for_linking,
        can_manage_roadmap=lambda: permissions.can_manage_roadmap(current_user),
        roadmap_polls_for=lambda item: polls.list_polls(current_user, item=item, per_page=50).items,
        roadmap_announcements=lambda product=None: announcements.active(product_id=product.id if product else None),
        roadmap_announcement_link=announcements.link_for,
    )
