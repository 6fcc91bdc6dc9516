"""JSON API: roadmap items, votes, feedback links, releases (/api/v1).

Thin adapters: read and type-check the input, call the service with the caller, commit,
serialize. Permissions, validation and 404-hiding live in roadmap.services and roadmap.releases.
"""
from __future__ import annotations

from flask import request, url_for
from flask_babel import lazy_gettext as _l

from community.accounts import services as accounts
from community.api import api_user, bp, on_off_switch, openapi
from community.api.inputs import Fields, json_object, query_choice, query_int, require_caller
from community.api.shapes import BOOL, INT, STR, obj, pagination
from community.core.errors import NotFound, ValidationFailed
from community.core.limits import write_limited
from community.core.pagination import MAX_PER_PAGE
from community.core.unit_of_work import commit_and_return
from community.extensions import db
from community.feedback import serializers as feedback_shapes
from community.feedback import services as feedback
from community.roadmap import fourbox, polls, releases, services
from community.roadmap.serializers import (
    FOURBOX_ROUND,
    POLL,
    RELEASE,
    RELEASE_DETAIL,
    ROADMAP_COMMENT,
    ROADMAP_ENTRY,
    ROADMAP_ITEM,
    ROADMAP_ITEM_DETAIL,
    STATUS,
    comment_shape,
    entry_shape,
    fourbox_shape,
    item_detail,
    item_shape,
    poll_shape,
    release_detail,
    release_shape,
)
from community.roadmap.workflow import SORTS, STATUSES
from community.routing.models import Department

TAGS = ["roadmap"]
RELEASE_TAGS = ["releases"]
ITEM_ID = openapi.path_param("item_id", "The roadmap item's id")
RELEASE_ID = openapi.path_param("release_id", "The release's id")


# Items --------------------------------------------------------------------------

def _product_filter(errors: dict):
    slug = request.args.get("product")
    if not slug:
        return None
    try:
        return feedback.get_product(slug).id
    except NotFound:
        errors["product"] = _l("No such product.")
        return None


@bp.get("/roadmap/items", endpoint="roadmap_list_items")
def list_items():
    viewer = api_user()
    errors: dict = {}
    sort = query_choice("sort", SORTS, errors) or "demand"
    status = query_choice("status", STATUSES, errors)
    product_id = _product_filter(errors)
    area = (request.args.get("area") or "").strip().lower() or None
    page = query_int("page", 1, minimum=1, maximum=10_000, errors=errors)
    per_page = query_int("per_page", 20, minimum=1, maximum=MAX_PER_PAGE, errors=errors)
    if errors:
        raise ValidationFailed(fields=errors)
    results = services.list_items(viewer, sort=sort, status=status, product_id=product_id, area=area, page=page,
                                  per_page=per_page)
    voted = services.voted_item_ids(viewer, [i.id for i in results.items])
    return {"items": [item_shape(i, voted=i.id in voted) for i in results.items],
            "pagination": pagination(results)}


openapi.document("/roadmap/items", "get", summary="List roadmap items", tags=TAGS, auth="optional", errors=(422,),
                 parameters=[
                     openapi.query_param("sort", {"type": "string", "enum": list(SORTS), "default": "demand"},
                                         "demand: most wanted; new: newest; eta: expected soonest"),
                     openapi.query_param("status", STATUS),
                     openapi.query_param("product", STR, "Product slug"),
                     openapi.query_param("area", STR),
                     openapi.query_param("page", {"type": "integer", "minimum": 1, "default": 1}),
                     openapi.query_param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                                      "default": 20}),
                 ], response=openapi.items_of(ROADMAP_ITEM, paginated=True),
                 description="Drafts appear to staff only.")


@bp.get("/roadmap/items/<int:item_id>", endpoint="roadmap_get_item")
def get_item(item_id):
    viewer = api_user()
    return item_detail(viewer, services.get_item(viewer, item_id))


openapi.document("/roadmap/items/{item_id}", "get", summary="One roadmap item with its public timeline", tags=TAGS,
                 auth="optional", parameters=[ITEM_ID], errors=(404,), response=ROADMAP_ITEM_DETAIL,
                 description="404 when it does not exist or is a draft the caller may not see.")


ITEM_INPUT_PROPERTIES = {
    "title": {"type": "string", "minLength": services.TITLE_MIN, "maxLength": services.TITLE_MAX},
    "description": {"type": "string", "description": "Markdown"},
    "product": {"type": ["string", "null"], "description": "Product slug"},
    "area": {"type": "string", "maxLength": services.AREA_MAX},
    "target_quarter": {"type": ["string", "null"], "description": "e.g. 2027 Q1"},
    "owner": {"type": ["string", "null"], "description": "Staff username"},
    "department_id": {"type": ["integer", "null"]},
    "is_public": {"type": "boolean", "default": True},
}
NEW_ITEM = openapi.schema("NewRoadmapItem", {"type": "object", "required": ["title"], "properties": {
    **ITEM_INPUT_PROPERTIES, "status": {"type": "string", "enum": ["considering", "planned"], "default": "considering"},
    "note": STR}})
ITEM_EDIT = openapi.schema("RoadmapItemEdit", {"type": "object", "properties": ITEM_INPUT_PROPERTIES})


def _item_fields(fields: Fields, item=None) -> dict:
    values = {
        "title": fields.text("title", item.title if item else ""),
        "description": fields.text("description", item.description if item else ""),
        "area": fields.text("area", item.area if item else ""),
        "target_quarter": fields.text("target_quarter", item.quarter_label if item else ""),
        "is_public": fields.boolean("is_public", item.is_public if item else True),
    }
    product_slug = fields.text("product", item.product.slug if item and item.product else "")
    owner_name = fields.text("owner")
    department_id = fields.integer("department_id")
    values["product"] = values["owner"] = values["department"] = None
    if product_slug:
        try:
            values["product"] = feedback.get_product(product_slug)
        except NotFound:
            fields.errors["product"] = _l("No such product.")
    if owner_name:
        try:
            values["owner"] = accounts.get_user_by_username(owner_name)
        except NotFound:
            fields.errors["owner"] = _l("No such user.")
    if department_id is not None:
        values["department"] = db.session.get(Department, department_id)
        if values["department"] is None:
            fields.errors["department_id"] = _l("No such department.")
    return values


@bp.post("/roadmap/items", endpoint="roadmap_create_item")
@write_limited
def create_item():
    caller = require_caller()
    services.require_roadmap_staff(caller)
    fields = Fields(json_object())
    values = _item_fields(fields)
    status = fields.text("status", "considering")
    note = fields.text("note")
    fields.check()
    item = services.create_item(caller, status=status, note=note, **values)
    payload = item_detail(caller, item)
    return commit_and_return(payload, 201, {"Location": url_for("api.roadmap_get_item", item_id=item.id)})


openapi.document("/roadmap/items", "post", summary="Create a roadmap item (staff)", tags=TAGS, auth=True,
                 status=201, request_body=NEW_ITEM, response=ROADMAP_ITEM_DETAIL,
                 errors=(400, 401, 403, 413, 422, 429))


@bp.patch("/roadmap/items/<int:item_id>", endpoint="roadmap_edit_item")
@write_limited
def edit_item(item_id):
    caller = require_caller()
    item = services.get_item(caller, item_id)
    services.require_roadmap_staff(caller)
    fields = Fields(json_object())
    values = _item_fields(fields, item)
    fields.check()
    services.edit_item(caller, item, **values)
    return commit_and_return(item_detail(caller, item))


openapi.document("/roadmap/items/{item_id}", "patch", summary="Edit a roadmap item (staff)", tags=TAGS, auth=True,
                 parameters=[ITEM_ID], request_body=ITEM_EDIT, response=ROADMAP_ITEM_DETAIL,
                 errors=openapi.WRITE_ERRORS)


STATUS_CHANGE = openapi.schema("RoadmapStatusChange", {"type": "object", "required": ["status"], "properties": {
    "status": STATUS, "note": {"type": "string", "description": "Public; required for not_planned"}}})


@bp.post("/roadmap/items/<int:item_id>/status", endpoint="roadmap_change_status")
@write_limited
def change_status(item_id):
    caller = require_caller()
    item = services.get_item(caller, item_id)
    fields = Fields(json_object())
    status, note = fields.text("status"), fields.text("note")
    fields.check()
    services.change_status(caller, item, status, note=note)
    return commit_and_return(item_detail(caller, item))


openapi.document("/roadmap/items/{item_id}/status", "post", summary="Move a roadmap item along the workflow (staff)",
                 tags=TAGS, auth=True, parameters=[ITEM_ID], request_body=STATUS_CHANGE,
                 response=ROADMAP_ITEM_DETAIL, errors=openapi.WRITE_ERRORS,
                 description="409 invalid_transition for a move the workflow does not allow. Shipping resolves "
                             "linked feedback and tells each interested member once (vote_shipped).")


@bp.get("/roadmap/items/<int:item_id>/timeline", endpoint="roadmap_timeline")
def timeline(item_id):
    item = services.get_item(api_user(), item_id)
    return {"items": [entry_shape(e) for e in services.list_entries(item)]}


openapi.document("/roadmap/items/{item_id}/timeline", "get", summary="The item's public timeline", tags=TAGS,
                 auth="optional", parameters=[ITEM_ID], errors=(404,), response=openapi.items_of(ROADMAP_ENTRY))


VOTE_STATE = openapi.schema("RoadmapVoteState", obj({
    "voted": BOOL, "vote_count": INT, "demand": INT,
    "votes_left": {"type": ["integer", "null"], "description": "Unspent votes for the product, when it has a budget"},
}))


def _set_vote(item_id, voted: bool):
    caller = require_caller()
    item = services.get_item(caller, item_id)
    voted, count, demand = services.set_vote(caller, item, voted)
    return commit_and_return({"voted": voted, "vote_count": count, "demand": demand,
                              "votes_left": services.votes_left(caller, item.product_id)})


on_off_switch("/roadmap/items/<int:item_id>/vote", _set_vote, endpoints=("roadmap_vote", "roadmap_unvote"),
              summaries=("Support a roadmap item (idempotent)", "Withdraw support (idempotent)"),
              tags=TAGS, auth=True, parameters=[ITEM_ID], response=VOTE_STATE, errors=(401, 403, 404, 409, 429),
              body_required=False,
              description="409 vote_budget_spent when the product's vote budget is used up; 403 "
                          "cannot_vote on shipped or declined items.")


@bp.get("/roadmap/items/<int:item_id>/links", endpoint="roadmap_links")
def links(item_id):
    viewer = api_user()
    posts = services.list_linked_posts(viewer, services.get_item(viewer, item_id))
    voted = feedback.voted_post_ids(viewer, [p.id for p in posts])
    return {"items": [feedback_shapes.post_summary(p, voted=p.id in voted) for p in posts]}


openapi.document("/roadmap/items/{item_id}/links", "get", summary="Linked feedback the caller may see", tags=TAGS,
                 auth="optional", parameters=[ITEM_ID], errors=(404,),
                 response=openapi.items_of(feedback_shapes.POST_SUMMARY))

NEW_LINKS = openapi.schema("NewRoadmapLinks", {"type": "object", "required": ["post_ids"], "properties": {
    "post_ids": {"type": "array", "items": INT, "minItems": 1, "maxItems": 100}}})
LINK_RESULTS = openapi.schema("RoadmapLinkResults", openapi.items_of(obj({
    "post_id": INT, "ok": BOOL, "code": STR, "message": STR})))


@bp.post("/roadmap/items/<int:item_id>/links", endpoint="roadmap_add_links")
@write_limited
def add_links(item_id):
    caller = require_caller()
    item = services.get_item(caller, item_id)
    data = json_object()
    post_ids = data.get("post_ids")
    if not isinstance(post_ids, list) or not post_ids or len(post_ids) > 100 or \
            not all(isinstance(i, int) and not isinstance(i, bool) for i in post_ids):
        raise ValidationFailed(fields={"post_ids": _l("Send a list of 1 to 100 feedback ids.")})
    results = services.bulk_link(caller, item, post_ids)
    return commit_and_return({"items": [{"post_id": r.post_id, "ok": r.ok, "code": r.code, "message": r.message}
                              for r in results]})


openapi.document("/roadmap/items/{item_id}/links", "post", summary="Link feedback items (staff)", tags=TAGS,
                 auth=True, parameters=[ITEM_ID], request_body=NEW_LINKS, response=LINK_RESULTS,
                 errors=openapi.WRITE_ERRORS,
                 description="Each linked item moves to 已采纳 with a timeline entry. A feedback item links to at "
                             "most one roadmap item: others answer ok=false, code linked_elsewhere.")


@bp.delete("/roadmap/items/<int:item_id>/links/<int:post_id>", endpoint="roadmap_remove_link")
@write_limited
def remove_link(item_id, post_id):
    caller = require_caller()
    item = services.get_item(caller, item_id)
    post = feedback.get_post(caller, post_id)
    linked = services.item_for_post(caller, post)
    if linked is None or linked.id != item.id:
        raise NotFound()
    services.unlink_feedback(caller, post, note=request.args.get("note", ""))
    return commit_and_return(item_detail(caller, item))


openapi.document("/roadmap/items/{item_id}/links/{post_id}", "delete", summary="Unlink a feedback item (staff)",
                 tags=TAGS, auth=True, parameters=[ITEM_ID, openapi.path_param("post_id", "The feedback item"),
                                                   openapi.query_param("note", STR, "Public reason")],
                 response=ROADMAP_ITEM_DETAIL, errors=(401, 403, 404, 409, 429), body_required=False)


# Vote budgets ---------------------------------------------------------------------

VOTE_BUDGET = openapi.schema("VoteBudget", {"type": "object", "properties": {
    "product": STR, "vote_budget": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000,
                                    "description": "Active votes a member may hold for the product; null: no budget"},
    "votes_left": {"type": ["integer", "null"], "description": "The caller's unspent votes, when there is a budget"}}})
PRODUCT_SLUG = openapi.path_param("slug", "The product's slug", type_="string")


def _budget_shape(viewer, product) -> dict:
    return {"product": product.slug, "vote_budget": services.vote_budget(product.id),
            "votes_left": services.votes_left(viewer, product.id)}


@bp.get("/products/<slug>/vote-budget", endpoint="roadmap_get_vote_budget")
def get_vote_budget(slug):
    return _budget_shape(api_user(), feedback.get_product(slug))


@bp.put("/products/<slug>/vote-budget", endpoint="roadmap_set_vote_budget")
@write_limited
def set_vote_budget(slug):
    caller = require_caller()
    product = feedback.get_product(slug)
    data = json_object()
    budget = data.get("vote_budget")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int)):
        raise ValidationFailed(fields={"vote_budget": _l("Must be an integer.")})
    services.set_vote_budget(caller, product, budget)
    return commit_and_return(_budget_shape(caller, product))


openapi.document("/products/{slug}/vote-budget", "get", summary="A product's roadmap vote budget", tags=TAGS,
                 auth="optional", parameters=[PRODUCT_SLUG], response=VOTE_BUDGET, errors=(404,))
openapi.document("/products/{slug}/vote-budget", "put", summary="Set or clear a product's vote budget (admin)",
                 tags=TAGS, auth=True, parameters=[PRODUCT_SLUG], response=VOTE_BUDGET,
                 request_body={"type": "object", "required": ["vote_budget"], "properties": {
                     "vote_budget": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000}}},
                 errors=(400, 401, 403, 404, 422, 429),
                 description="A vote returns to the member's budget when the item ships or is declined.")


# Releases -----------------------------------------------------------------------

@bp.get("/releases", endpoint="roadmap_list_releases")
def list_releases():
    viewer = api_user()
    errors: dict = {}
    product_id = _product_filter(errors)
    page = query_int("page", 1, minimum=1, maximum=10_000, errors=errors)
    per_page = query_int("per_page", 20, minimum=1, maximum=MAX_PER_PAGE, errors=errors)
    if errors:
        raise ValidationFailed(fields=errors)
    results = releases.list_releases(viewer, product_id=product_id, page=page, per_page=per_page)
    return {"items": [release_shape(viewer, r) for r in results.items],
            "pagination": pagination(results)}


openapi.document("/releases", "get", summary="The public changelog: published releases, newest first",
                 tags=RELEASE_TAGS, errors=(422,), auth="optional",
                 parameters=[openapi.query_param("product", STR, "Product slug"),
                             openapi.query_param("page", {"type": "integer", "minimum": 1, "default": 1}),
                             openapi.query_param("per_page", {"type": "integer", "minimum": 1,
                                                              "maximum": MAX_PER_PAGE, "default": 20})],
                 response=openapi.items_of(RELEASE, paginated=True),
                 description="Also as Atom: /changelog.atom and /changelog/<product>.atom.")


@bp.get("/releases/<int:release_id>", endpoint="roadmap_get_release")
def get_release(release_id):
    viewer = api_user()
    return release_detail(viewer, releases.get_release(viewer, release_id))


openapi.document("/releases/{release_id}", "get", summary="One release", tags=RELEASE_TAGS, auth="optional",
                 parameters=[RELEASE_ID], errors=(404,), response=RELEASE_DETAIL,
                 description="Drafts answer 404 to everyone but staff.")

NEW_RELEASE_PROPERTIES = {
    "product": {"type": ["string", "null"], "description": "Product slug"},
    "version": {"type": "string", "minLength": 1, "maxLength": releases.VERSION_MAX},
    "title": STR, "released_on": {"type": "string", "format": "date"}, "notes": {"type": "string"},
    "item_ids": {"type": "array", "items": INT, "description": "Roadmap items shipped in it"},
    "post_ids": {"type": "array", "items": INT, "description": "Other feedback fixed in it"},
}
NEW_RELEASE = openapi.schema("NewRelease", {"type": "object", "required": ["version", "released_on"],
                                            "properties": NEW_RELEASE_PROPERTIES})


def _release_fields(fields: Fields, release=None) -> dict:
    """The release body; on an edit, what is left out keeps its value."""
    def keep(name, current):
        return fields.text(name, current) if release is not None else fields.text(name)

    values = {"version": keep("version", release and release.version), "title": keep("title", release and release.title),
              "released_on": keep("released_on", release and release.released_on.isoformat()),
              "notes": keep("notes", release and release.notes)}
    for name, current in (("item_ids", [i.id for i in release.items] if release else []),
                          ("post_ids", releases.listed_post_ids(release) if release else [])):
        values[name] = fields.id_list(name) if name in fields.data else current
    product_slug = fields.text("product", release.product.slug if release and release.product else "")
    values["product"] = None
    if product_slug:
        try:
            values["product"] = feedback.get_product(product_slug)
        except NotFound:
            fields.errors["product"] = _l("No such product.")
    fields.check()
    return values


@bp.post("/releases", endpoint="roadmap_create_release")
@write_limited
def create_release():
    caller = require_caller()
    services.require_roadmap_staff(caller)
    release = releases.create_release(caller, **_release_fields(Fields(json_object())))
    payload = release_detail(caller, release)
    return commit_and_return(payload, 201, {"Location": url_for("api.roadmap_get_release", release_id=release.id)})


openapi.document("/releases", "post", summary="Create a draft release (staff)", tags=RELEASE_TAGS, auth=True,
                 status=201, request_body=NEW_RELEASE, response=RELEASE_DETAIL,
                 errors=(400, 401, 403, 413, 422, 429))


@bp.patch("/releases/<int:release_id>", endpoint="roadmap_edit_release")
@write_limited
def edit_release(release_id):
    caller = require_caller()
    release = releases.get_release(caller, release_id)
    services.require_roadmap_staff(caller)
    releases.edit_release(caller, release, **_release_fields(Fields(json_object()), release))
    return commit_and_return(release_detail(caller, release))


openapi.document("/releases/{release_id}", "patch", summary="Edit a release (staff)", tags=RELEASE_TAGS, auth=True,
                 parameters=[RELEASE_ID], request_body=openapi.schema("ReleaseEdit", {
                     "type": "object", "properties": NEW_RELEASE_PROPERTIES}),
                 response=RELEASE_DETAIL, errors=(400, 401, 403, 404, 409, 413, 422, 429),
                 description="Fields left out keep their value; item_ids and post_ids replace the lists. "
                             "A published release keeps its product.")


@bp.post("/releases/<int:release_id>/publish", endpoint="roadmap_publish_release")
@write_limited
def publish_release(release_id):
    caller = require_caller()
    release = releases.get_release(caller, release_id)
    releases.publish_release(caller, release)
    return commit_and_return(release_detail(caller, release))


openapi.document("/releases/{release_id}/publish", "post", summary="Publish a release and ship its items (staff)",
                 tags=RELEASE_TAGS, auth=True, parameters=[RELEASE_ID], response=RELEASE_DETAIL,
                 errors=(401, 403, 404, 409, 429), body_required=False,
                 description="Each attached roadmap item ships (everyone who asked is told once, naming the "
                             "version); feedback fixed in it moves to 已解决 with an entry linking the release.")


# Polls --------------------------------------------------------------------------

POLL_TAGS = ["polls"]
POLL_ID = openapi.path_param("poll_id", "The poll's id")


@bp.get("/polls", endpoint="roadmap_list_polls")
def list_polls():
    viewer = api_user()
    errors: dict = {}
    state = query_choice("state", ("open", "closed"), errors)
    product_id = _product_filter(errors)
    page = query_int("page", 1, minimum=1, maximum=10_000, errors=errors)
    if errors:
        raise ValidationFailed(fields=errors)
    results = polls.list_polls(viewer, state=state, product_id=product_id, page=page)
    return {"items": [poll_shape(viewer, p) for p in results.items], "pagination": pagination(results)}


openapi.document("/polls", "get", summary="Co-creation polls", tags=POLL_TAGS, auth="optional", errors=(422,),
                 parameters=[openapi.query_param("state", {"type": "string", "enum": ["open", "closed"]}),
                             openapi.query_param("product", STR, "Product slug"),
                             openapi.query_param("page", {"type": "integer", "minimum": 1, "default": 1})],
                 response=openapi.items_of(POLL, paginated=True),
                 description="Polls on draft roadmap items appear to staff only.")


@bp.get("/polls/<int:poll_id>", endpoint="roadmap_get_poll")
def get_poll(poll_id):
    viewer = api_user()
    return poll_shape(viewer, polls.get_poll(viewer, poll_id))


openapi.document("/polls/{poll_id}", "get", summary="One poll; its tally when the caller may see it", tags=POLL_TAGS,
                 auth="optional", parameters=[POLL_ID], errors=(404,), response=POLL,
                 description="tally is null while results are hidden until close (staff always see it).")

NEW_POLL = openapi.schema("NewPoll", {"type": "object", "required": ["question", "options"], "properties": {
    "question": {"type": "string", "minLength": polls.QUESTION_MIN, "maxLength": polls.QUESTION_MAX},
    "description": STR, "item_id": {"type": ["integer", "null"]},
    "product": {"type": ["string", "null"], "description": "Product slug (when not on a roadmap item)"},
    "kind": {"type": "string", "enum": ["choice", "price"], "default": "choice"},
    "multiple": {"type": "boolean", "default": False},
    "results": {"type": "string", "enum": ["live", "after_close"], "default": "after_close"},
    "eligibility": {"type": "string", "default": "everyone", "description": "everyone or owners"},
    "days": {"type": "integer", "minimum": 1, "maximum": polls.MAX_DAYS, "default": 7},
    "options": {"type": "array", "minItems": polls.OPTIONS_MIN, "maxItems": polls.OPTIONS_MAX, "items": {
        "type": "object", "required": ["label"], "properties": {
            "label": STR, "description": STR, "image_url": {"type": "string", "description": "A path on this site"},
            "price_min": INT, "price_max": INT}}},
}})


@bp.post("/polls", endpoint="roadmap_create_poll")
@write_limited
def create_poll():
    caller = require_caller()
    services.require_roadmap_staff(caller)
    data = json_object()
    fields = Fields(data)
    values = {"question": fields.text("question"), "description": fields.text("description"),
              "kind": fields.text("kind", "choice"), "multiple": fields.boolean("multiple"),
              "results": fields.text("results", "after_close"), "eligibility": fields.text("eligibility", "everyone"),
              "days": fields.integer("days") or 7}
    item_id, product_slug = fields.integer("item_id"), fields.text("product")
    options = data.get("options")
    if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
        fields.errors["options"] = _l("Send a list of options.")
    values["item"] = values["product"] = None
    if item_id is not None:
        try:
            values["item"] = services.get_item(caller, item_id)
        except NotFound:
            fields.errors["item_id"] = _l("No roadmap item #%(id)d.", id=item_id)
    if product_slug:
        try:
            values["product"] = feedback.get_product(product_slug)
        except NotFound:
            fields.errors["product"] = _l("No such product.")
    fields.check()
    poll = polls.create_poll(caller, options=options, **values)
    payload = poll_shape(caller, poll)
    return commit_and_return(payload, 201, {"Location": url_for("api.roadmap_get_poll", poll_id=poll.id)})


openapi.document("/polls", "post", summary="Open a poll on a roadmap item or a product (staff)", tags=POLL_TAGS,
                 auth=True, status=201, request_body=NEW_POLL, response=POLL, errors=(400, 401, 403, 413, 422, 429))

BALLOT = openapi.schema("Ballot", {"type": "object", "required": ["option_ids"], "properties": {
    "option_ids": {"type": "array", "items": INT, "minItems": 1}}})


@bp.put("/polls/<int:poll_id>/ballot", endpoint="roadmap_cast_ballot")
@write_limited
def cast_ballot(poll_id):
    caller = require_caller()
    poll = polls.get_poll(caller, poll_id)
    data = json_object()
    option_ids = data.get("option_ids")
    if not isinstance(option_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                   for i in option_ids):
        raise ValidationFailed(fields={"option_ids": _l("Send a list of ids.")})
    polls.cast_ballot(caller, poll, option_ids)
    return commit_and_return(poll_shape(caller, poll))


openapi.document("/polls/{poll_id}/ballot", "put", summary="Cast or change your ballot until the poll closes",
                 tags=POLL_TAGS, auth=True, parameters=[POLL_ID], request_body=BALLOT, response=POLL,
                 errors=openapi.WRITE_ERRORS,
                 description="409 poll_closed after closing; 403 not_eligible when the poll is for owners.")


@bp.post("/polls/<int:poll_id>/close", endpoint="roadmap_close_poll")
@write_limited
def close_poll(poll_id):
    caller = require_caller()
    poll = polls.get_poll(caller, poll_id)
    polls.close_poll(caller, poll)
    return commit_and_return(poll_shape(caller, poll))


openapi.document("/polls/{poll_id}/close", "post", summary="Close a poll now (staff)", tags=POLL_TAGS, auth=True,
                 parameters=[POLL_ID], response=POLL, errors=(401, 403, 404, 409, 429), body_required=False)

DECISION = openapi.schema("PollDecision", {"type": "object", "required": ["decision"], "properties": {
    "decision": {"type": "string", "minLength": 2, "maxLength": polls.DECISION_MAX}}})


@bp.post("/polls/<int:poll_id>/decision", endpoint="roadmap_poll_decision")
@write_limited
def post_decision(poll_id):
    caller = require_caller()
    poll = polls.get_poll(caller, poll_id)
    fields = Fields(json_object())
    decision = fields.text("decision")
    fields.check()
    polls.post_decision(caller, poll, decision)
    return commit_and_return(poll_shape(caller, poll))


openapi.document("/polls/{poll_id}/decision", "post", summary="Post the decision that followed a closed poll (staff)",
                 tags=POLL_TAGS, auth=True, parameters=[POLL_ID], request_body=DECISION, response=POLL,
                 errors=openapi.WRITE_ERRORS,
                 description="On a roadmap item's poll the decision also lands on the item's public timeline.")


# Four-box rounds ------------------------------------------------------------------

FOURBOX_TAGS = ["fourbox"]
ROUND_ID = openapi.path_param("round_id", "The four-box round's id")


@bp.get("/fourbox/<int:round_id>", endpoint="roadmap_get_fourbox")
def get_fourbox(round_id):
    viewer = api_user()
    return fourbox_shape(viewer, fourbox.get_round(viewer, round_id))


openapi.document("/fourbox/{round_id}", "get", summary="A four-box round with its public “most wanted” tally",
                 tags=FOURBOX_TAGS, auth="optional", parameters=[ROUND_ID], errors=(404,), response=FOURBOX_ROUND)

FOURBOX_ANSWER = openapi.schema("FourBoxAnswer", {"type": "object", "properties": {
    key: {"type": "string", "maxLength": fourbox.BOX_MAX} for key in fourbox.BOXES}})


@bp.put("/fourbox/<int:round_id>/answer", endpoint="roadmap_fourbox_answer")
@write_limited
def fourbox_answer(round_id):
    caller = require_caller()
    round_ = fourbox.get_round(caller, round_id)
    fields = Fields(json_object())
    boxes = {key: fields.text(key) for key in fourbox.BOXES}
    fields.check()
    fourbox.submit_answer(caller, round_, boxes)
    return commit_and_return(fourbox_shape(caller, round_))


openapi.document("/fourbox/{round_id}/answer", "put", summary="Fill or change your four boxes while the round is open",
                 tags=FOURBOX_TAGS, auth=True, parameters=[ROUND_ID], request_body=FOURBOX_ANSWER,
                 response=FOURBOX_ROUND, errors=openapi.WRITE_ERRORS,
                 description="409 round_closed after the round closes; 422 when every box is empty.")

NEW_ROUND = openapi.schema("NewFourBoxRound", {"type": "object", "required": ["title"], "properties": {
    "title": STR, "product": {"type": ["string", "null"]},
    "days": {"type": "integer", "minimum": 1, "maximum": fourbox.MAX_DAYS, "default": 7}}})


@bp.post("/fourbox", endpoint="roadmap_open_fourbox")
@write_limited
def open_fourbox():
    caller = require_caller()
    services.require_roadmap_staff(caller)
    fields = Fields(json_object())
    title, slug, days = fields.text("title"), fields.text("product"), fields.integer("days") or 7
    product = None
    if slug:
        try:
            product = feedback.get_product(slug)
        except NotFound:
            fields.errors["product"] = _l("No such product.")
    fields.check()
    round_ = fourbox.open_round(caller, title=title, product=product, days=days)
    return commit_and_return(fourbox_shape(caller, round_), 201)


openapi.document("/fourbox", "post", summary="Open a four-box round (staff)", tags=FOURBOX_TAGS, auth=True,
                 status=201, request_body=NEW_ROUND, response=FOURBOX_ROUND, errors=(400, 401, 403, 413, 422, 429))

TO_ROADMAP = openapi.schema("FourBoxToRoadmap", {"type": "object", "required": ["answer_ids"], "properties": {
    "answer_ids": {"type": "array", "items": INT, "minItems": 1}, "title": STR}})


@bp.post("/fourbox/<int:round_id>/to-roadmap", endpoint="roadmap_fourbox_to_roadmap")
@write_limited
def fourbox_to_roadmap(round_id):
    caller = require_caller()
    round_ = fourbox.get_round(caller, round_id)
    data = json_object()
    fields = Fields(data)
    answer_ids = fields.id_list("answer_ids")
    fields.check()
    title = data.get("title") if isinstance(data.get("title"), str) else None
    item = fourbox.line_to_item(caller, round_, answer_ids, title=title)
    return commit_and_return(item_detail(caller, item), 201)


openapi.document("/fourbox/{round_id}/to-roadmap", "post", summary="Turn a tally line into a roadmap item (staff)",
                 tags=FOURBOX_TAGS, auth=True, parameters=[ROUND_ID], request_body=TO_ROADMAP, status=201,
                 response=ROADMAP_ITEM_DETAIL, errors=openapi.WRITE_ERRORS,
                 description="The answers' authors count towards the new item's demand and hear when it ships.")


# Comments on items ----------------------------------------------------------------

@bp.get("/roadmap/items/<int:item_id>/comments", endpoint="roadmap_list_comments")
def list_comments(item_id):
    viewer = api_user()
    item = services.get_item(viewer, item_id)
    return {"items": [comment_shape(c) for c in services.list_comments(viewer, item)]}


openapi.document("/roadmap/items/{item_id}/comments", "get", summary="Comments on a roadmap item", tags=TAGS,
                 auth="optional", parameters=[ITEM_ID], errors=(404,), response=openapi.items_of(ROADMAP_COMMENT))

NEW_ROADMAP_COMMENT = openapi.schema("NewRoadmapComment", {"type": "object", "required": ["body"], "properties": {
    "body": {"type": "string", "minLength": 1, "maxLength": services.COMMENT_MAX, "description": "Markdown"}}})


@bp.post("/roadmap/items/<int:item_id>/comments", endpoint="roadmap_add_comment")
@write_limited
def add_comment(item_id):
    caller = require_caller()
    item = services.get_item(caller, item_id)
    fields = Fields(json_object())
    body = fields.text("body")
    fields.check()
    comment = services.add_comment(caller, item, body)
    return commit_and_return(comment_shape(comment), 201)


openapi.document("/roadmap/items/{item_id}/comments", "post", summary="Comment on a roadmap item", tags=TAGS,
                 auth=True, parameters=[ITEM_ID], request_body=NEW_ROADMAP_COMMENT, status=201,
                 response=ROADMAP_COMMENT, errors=openapi.WRITE_ERRORS)
