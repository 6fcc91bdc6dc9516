"""JSON API: posts, comments, votes, follows, the staff workflow and products (/api/v1).

Thin adapters: read and type-check the input, call the service with the caller, commit,
serialize. Permissions, validation and 404-hiding live in feedback.services.
"""
from __future__ import annotations

from contextlib import contextmanager

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l

from community.accounts import services as accounts
from community.api import api_user, bp, on_off_switch, openapi
from community.api.inputs import Fields, json_object, query_choice, query_int, require_caller
from community.api.shapes import INT
from community.core.errors import NotFound, ValidationFailed
from community.core.limits import write_limited
from community.core.pagination import MAX_PER_PAGE
from community.core.unit_of_work import commit_and_return
from community.feedback import products, serializers, services
from community.feedback.models import FEEDBACK_TYPES, POST_KINDS
from community.feedback.workflow import RATING_DIMENSIONS, STATUSES
from community.routing import services as routing

TAGS = ["posts"]
POST_ID = openapi.path_param("post_id", "The post's id")


def _post(post_id):
    return services.get_post(api_user(), post_id)


# Reading ------------------------------------------------------------------------

LIST_PARAMETERS = [
    openapi.query_param("sort", {"type": "string", "enum": list(services.SORTS), "default": "hot"},
                        "unanswered: open feedback without an official reply yet"),
    openapi.query_param("category", {"type": "string"}, "Category slug"),
    openapi.query_param("product", {"type": "string"}, "Product slug"),
    openapi.query_param("status", {"type": "string", "enum": list(STATUSES)}),
    openapi.query_param("kind", {"type": "string", "enum": list(POST_KINDS)}),
    openapi.query_param("type", {"type": "string", "enum": list(FEEDBACK_TYPES)}, "Feedback type"),
    openapi.query_param("author", {"type": "string"}, "Author username"),
    openapi.query_param("page", {"type": "integer", "minimum": 1, "default": 1}),
    openapi.query_param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20}),
]


@bp.get("/posts", endpoint="feedback_list_posts")
def list_posts():
    viewer = api_user()
    errors: dict = {}
    sort = query_choice("sort", services.SORTS, errors) or "hot"
    filters = {
        "status": query_choice("status", STATUSES, errors),
        "kind": query_choice("kind", POST_KINDS, errors),
        "feedback_type": query_choice("type", FEEDBACK_TYPES, errors),
    }
    for arg, lookup, key in (("category", routing.get_category, "category_id"),
                             ("product", services.get_product, "product_id"),
                             ("author", accounts.get_user_by_username, "author_id")):
        if request.args.get(arg):
            try:
                filters[key] = lookup(request.args[arg]).id
            except NotFound:
                errors[arg] = _l("No such %(what)s.", what=arg)
    page = query_int("page", 1, minimum=1, maximum=10_000, errors=errors)
    per_page = query_int("per_page", current_app.config["POSTS_PER_PAGE"], minimum=1, maximum=MAX_PER_PAGE,
                         errors=errors)
    if errors:
        raise ValidationFailed(fields=errors)
    results = services.list_posts(viewer, sort=sort, page=page, per_page=per_page, **filters)
    return serializers.post_page(viewer, results)


openapi.document("/posts", "get", summary="List posts the caller may see", tags=TAGS, auth="optional",
                 parameters=LIST_PARAMETERS, errors=(422,),
                 response=openapi.items_of(serializers.POST_SUMMARY, paginated=True),
                 description="Hidden items appear only to their author and staff; merged duplicates never.")


@bp.get("/posts/<int:post_id>", endpoint="feedback_get_post")
def get_post(post_id):
    viewer = api_user()
    return serializers.post_detail(viewer, services.get_post(viewer, post_id))


openapi.document("/posts/{post_id}", "get", summary="One post with its public timeline", tags=TAGS,
                 auth="optional", parameters=[POST_ID], errors=(404,), response=serializers.POST_DETAIL,
                 description="404 when the post does not exist or the caller may not see it (hidden, deleted).")


@bp.get("/posts/<int:post_id>/comments", endpoint="feedback_list_comments")
def list_comments(post_id):
    viewer = api_user()
    post = services.get_post(viewer, post_id)
    return {"items": [serializers.comment(c) for c in services.list_comments(viewer, post)]}


openapi.document("/posts/{post_id}/comments", "get", summary="Comments in thread order", tags=TAGS,
                 auth="optional", parameters=[POST_ID], errors=(404,),
                 response=openapi.items_of(serializers.COMMENT),
                 description="Each top-level comment is followed by its replies. Internal notes are included "
                             "for staff only.")


@bp.get("/posts/<int:post_id>/timeline", endpoint="feedback_timeline")
def timeline(post_id):
    post = _post(post_id)
    return {"items": [serializers.timeline_entry(e) for e in services.list_timeline(post)]}


openapi.document("/posts/{post_id}/timeline", "get", summary="The public status timeline (处理进度)", tags=TAGS,
                 auth="optional", parameters=[POST_ID], errors=(404,),
                 response=openapi.items_of(serializers.TIMELINE_ENTRY))


@bp.get("/posts/<int:post_id>/revisions", endpoint="feedback_revisions")
def revisions(post_id):
    viewer = api_user()
    post = services.get_post(viewer, post_id)
    comment = None
    errors: dict = {}
    comment_id = query_int("comment_id", 0, minimum=1, maximum=2**62, errors=errors)
    if errors:
        raise ValidationFailed(fields=errors)
    if comment_id:
        comment = services.get_comment(viewer, comment_id)
    return {"items": [serializers.revision(r) for r in services.list_revisions(viewer, post, comment)]}


openapi.document("/posts/{post_id}/revisions", "get", summary="Edit history of a post, or of one of its comments",
                 tags=TAGS, auth="optional", errors=(404, 422), response=openapi.items_of(serializers.REVISION),
                 parameters=[POST_ID, openapi.query_param("comment_id", {"type": "integer", "minimum": 1},
                                                          "A comment of this post; omit for the post itself")],
                 description="Newest first; each entry holds the text before that edit.")


# Posting and editing ----------------------------------------------------------------

# Service field names that the API spells differently.
_FIELD_NAMES = {"feedback_type": "type", **{f"rating_{key}": f"trial.ratings.{key}" for key in RATING_DIMENSIONS},
                "pros": "trial.pros", "cons": "trial.cons", "parent": "parent_id", "target": "target_id"}


@contextmanager
def _api_field_names():
    """Name validation errors after the request's JSON fields."""
    try:
        yield
    except ValidationFailed as exc:
        exc.fields = {_FIELD_NAMES.get(k, k): v for k, v in exc.fields.items()}
        raise


NEW_POST = openapi.schema("NewPost", {
    "type": "object", "required": ["kind", "title", "body", "category"],
    "properties": {
        "kind": serializers.KIND,
        "title": {"type": "string", "minLength": services.TITLE_MIN, "maxLength": services.TITLE_MAX},
        "body": {"type": "string", "minLength": services.BODY_MIN, "maxLength": services.BODY_MAX,
                 "description": "Markdown"},
        "category": {"type": "string", "description": "Category slug"},
        "type": {"type": "string", "enum": list(FEEDBACK_TYPES), "description": "Required for feedback"},
        "product": {"type": "string", "description": "Product slug; required for trial reports"},
        "trial": {"type": "object", "description": "Trial reports only", "properties": {
            "version": {"type": "string", "maxLength": 64}, "pros": {"type": "string", "maxLength": 2000},
            "cons": {"type": "string", "maxLength": 2000},
            "ratings": {"type": "object", "description": "Every dimension, 1–5",
                        "properties": {k: {"type": "integer", "minimum": 1, "maximum": 5} for k in RATING_DIMENSIONS}},
        }},
    },
})


@bp.post("/posts", endpoint="feedback_create_post")
@write_limited
def create_post():
    caller = require_caller()
    fields = Fields(json_object())
    kind = fields.text("kind")
    title, body = fields.text("title"), fields.text("body")
    category_slug, product_slug = fields.text("category"), fields.text("product")
    feedback_type = fields.text("type") or None
    trial = fields.obj("trial")
    trial_fields = Fields(trial)
    trial_data = {"version": trial_fields.text("version"), "pros": trial_fields.text("pros"),
                  "cons": trial_fields.text("cons"), "ratings": trial_fields.obj("ratings")}
    fields.errors.update({f"trial.{k}": v for k, v in trial_fields.errors.items()})
    category = product = None
    if category_slug:
        try:
            category = routing.get_category(category_slug)
        except NotFound:
            fields.errors["category"] = _l("No such category.")
    if product_slug:
        try:
            product = services.get_product(product_slug)
        except NotFound:
            fields.errors["product"] = _l("No such product.")
    fields.check()
    with _api_field_names():
        post = services.submit_post(caller, kind=kind, title=title, body=body, category=category,
                                    feedback_type=feedback_type, product=product, trial=trial_data)
    payload = serializers.post_detail(caller, post)
    return commit_and_return(payload, 201, {"Location": url_for("api.feedback_get_post", post_id=post.id)})


openapi.document("/posts", "post", summary="Create feedback, a trial report or a discussion", tags=TAGS, auth=True,
                 status=201, request_body=NEW_POST, response=serializers.POST_DETAIL,
                 errors=(400, 401, 403, 413, 422, 429),
                 description="Feedback is routed at once to its department's contact; the author follows the "
                             "post. Validation errors answer 422 with error.fields keyed by these field names "
                             "(trial fields as trial.ratings.<dimension>).")


EDIT_POST = openapi.schema("PostEdit", {
    "type": "object",
    "properties": {"title": {"type": "string"}, "body": {"type": "string"},
                   "reason": {"type": "string", "description": "Required when a moderator edits someone else's post; "
                                                               "shown publicly"}},
})


@bp.patch("/posts/<int:post_id>", endpoint="feedback_edit_post")
@write_limited
def edit_post(post_id):
    caller = require_caller()
    post = services.get_post(caller, post_id)
    fields = Fields(json_object())
    title, body = fields.text("title", post.title), fields.text("body", post.body)
    reason = fields.text("reason")
    fields.check()
    services.edit_post(caller, post, title=title, body=body, reason=reason)
    return commit_and_return(serializers.post_detail(caller, post))


openapi.document("/posts/{post_id}", "patch", summary="Edit a post's title and body (kept in the edit history)",
                 tags=TAGS, auth=True, parameters=[POST_ID], request_body=EDIT_POST,
                 response=serializers.POST_DETAIL, errors=openapi.WRITE_ERRORS)


# Comments -----------------------------------------------------------------------

NEW_COMMENT = openapi.schema("NewComment", {
    "type": "object", "required": ["body"],
    "properties": {
        "body": {"type": "string", "minLength": 1, "maxLength": services.COMMENT_MAX, "description": "Markdown"},
        "parent_id": {"type": ["integer", "null"], "description": "Reply to this comment (one level of replies)"},
        "internal": {"type": "boolean", "default": False, "description": "Staff only: an internal note"},
    },
})


@bp.post("/posts/<int:post_id>/comments", endpoint="feedback_add_comment")
@write_limited
def add_comment(post_id):
    caller = require_caller()
    post = services.get_post(caller, post_id)
    fields = Fields(json_object())
    body = fields.text("body")
    parent_id = fields.integer("parent_id")
    internal = fields.boolean("internal")
    fields.check()
    parent = services.get_comment(caller, parent_id) if parent_id is not None else None
    with _api_field_names():
        comment = services.add_comment(caller, post, body, parent=parent, internal=internal)
    return commit_and_return(serializers.comment(comment), 201)


openapi.document("/posts/{post_id}/comments", "post", summary="Comment, reply, or (staff) add an internal note",
                 tags=TAGS, auth=True, status=201, parameters=[POST_ID], request_body=NEW_COMMENT,
                 response=serializers.COMMENT, errors=openapi.WRITE_ERRORS,
                 description="A parent_id the caller cannot see answers 404, like a missing one.")


COMMENT_ID = openapi.path_param("comment_id", "The comment's id")
EDIT_COMMENT = openapi.schema("CommentEdit", {
    "type": "object", "required": ["body"],
    "properties": {"body": {"type": "string"},
                   "reason": {"type": "string", "description": "Required for a moderator's edit; shown publicly"}},
})


@bp.patch("/comments/<int:comment_id>", endpoint="feedback_edit_comment")
@write_limited
def edit_comment(comment_id):
    caller = require_caller()
    comment = services.get_comment(caller, comment_id)
    fields = Fields(json_object())
    body, reason = fields.text("body"), fields.text("reason")
    fields.check()
    services.edit_comment(caller, comment, body, reason=reason)
    return commit_and_return(serializers.comment(comment))


openapi.document("/comments/{comment_id}", "patch", summary="Edit a comment (kept in the edit history)",
                 tags=["comments"], auth=True, parameters=[COMMENT_ID], request_body=EDIT_COMMENT,
                 response=serializers.COMMENT, errors=openapi.WRITE_ERRORS)


@bp.delete("/comments/<int:comment_id>", endpoint="feedback_delete_comment")
@write_limited
def delete_comment(comment_id):
    caller = require_caller()
    services.delete_comment(caller, services.get_comment(caller, comment_id))
    return commit_and_return("", 204)


openapi.document("/comments/{comment_id}", "delete", summary="Delete a comment (soft: a placeholder stays)",
                 tags=["comments"], auth=True, status=204, parameters=[COMMENT_ID],
                 errors=(400, 401, 403, 404, 429))


# Votes and follows ------------------------------------------------------------------

VOTE_STATE = openapi.schema("VoteState", {
    "type": "object", "required": ["voted", "vote_count"],
    "properties": {"voted": {"type": "boolean"}, "vote_count": INT},
})
FOLLOW_STATE = openapi.schema("FollowState", {
    "type": "object", "required": ["following"], "properties": {"following": {"type": "boolean"}},
})


def _set_vote(post_id, voted: bool):
    caller = require_caller()
    voted, count = services.set_vote(caller, services.get_post(caller, post_id), voted)
    return commit_and_return({"voted": voted, "vote_count": count})


on_off_switch("/posts/<int:post_id>/vote", _set_vote, endpoints=("feedback_vote", "feedback_unvote"),
              summaries=("Vote 我也遇到 / +1 (idempotent)", "Retract the caller's vote (idempotent)"),
              tags=TAGS, auth=True, parameters=[POST_ID], response=VOTE_STATE, errors=(400, 401, 403, 404, 429),
              description="Open feedback only (403 cannot_vote otherwise). Repeating the request changes "
                          "nothing; concurrent repeats count once.")


def _set_follow(post_id, following: bool):
    caller = require_caller()
    following = services.set_follow(caller, services.get_post(caller, post_id), following)
    return commit_and_return({"following": following})


on_off_switch("/posts/<int:post_id>/follow", _set_follow, endpoints=("feedback_follow", "feedback_unfollow"),
              summaries=("Follow the item (idempotent)", "Stop following (idempotent)"),
              tags=TAGS, auth=True, parameters=[POST_ID], response=FOLLOW_STATE, errors=(400, 401, 404, 429))


def _set_product_follow(slug, following: bool):
    caller = require_caller()
    following = products.set_product_follow(caller, services.get_product(slug), following)
    return commit_and_return({"following": following})


on_off_switch("/products/<slug>/follow", _set_product_follow,
              endpoints=("feedback_follow_product", "feedback_unfollow_product"),
              summaries=("Follow a product: its announcements reach the caller (idempotent)",
                         "Stop following a product (idempotent)"),
              tags=["products"], auth=True, parameters=[openapi.path_param("slug", "Product slug", type_="string")],
              response=FOLLOW_STATE, errors=(400, 401, 403, 404, 429))


# Staff workflow ------------------------------------------------------------------

STATUS_CHANGE = openapi.schema("StatusChange", {
    "type": "object", "required": ["status"],
    "properties": {"status": {"type": "string", "enum": [s for s in STATUSES if s != "duplicate"]},
                   "note": {"type": "string", "description": "Public; required when declining"}},
})


@bp.post("/posts/<int:post_id>/status", endpoint="feedback_change_status")
@write_limited
def change_status(post_id):
    caller = require_caller()
    post = services.get_post(caller, post_id)
    fields = Fields(json_object())
    status, note = fields.text("status"), fields.text("note")
    if "status" not in fields.errors and status not in STATUSES:
        fields.errors["status"] = _l("Choose one of: %(choices)s.", choices=", ".join(STATUSES))
    fields.check()
    services.change_status(caller, post, status, note=note)
    return commit_and_return(serializers.post_detail(caller, post))


openapi.document("/posts/{post_id}/status", "post", summary="Staff: change the status (public timeline entry)",
                 tags=["workflow"], auth=True, parameters=[POST_ID], request_body=STATUS_CHANGE,
                 response=serializers.POST_DETAIL, errors=openapi.WRITE_ERRORS,
                 description="Staff of the item's department or moderators. Disallowed transitions answer 409 "
                             "invalid_transition; duplicate is reached only by merging.")


OFFICIAL_REPLY = openapi.schema("OfficialReply", {
    "type": "object", "required": ["body"],
    "properties": {"body": {"type": "string", "minLength": 1, "maxLength": services.COMMENT_MAX},
                   "status": {"type": "string", "enum": [s for s in STATUSES if s != "duplicate"],
                              "description": "Optionally change the status in the same step"},
                   "note": {"type": "string"}},
})


@bp.post("/posts/<int:post_id>/official-replies", endpoint="feedback_official_reply")
@write_limited
def official_reply(post_id):
    caller = require_caller()
    post = services.get_post(caller, post_id)
    fields = Fields(json_object())
    body, status, note = fields.text("body"), fields.text("status") or None, fields.text("note")
    if status is not None and status not in STATUSES:
        fields.errors["status"] = _l("Choose one of: %(choices)s.", choices=", ".join(STATUSES))
    fields.check()
    comment = services.post_official_reply(caller, post, body, to_status=status, note=note)
    return commit_and_return(serializers.comment(comment), 201)


openapi.document("/posts/{post_id}/official-replies", "post", summary="Staff: post an official reply (官方回复)",
                 tags=["workflow"], auth=True, status=201, parameters=[POST_ID], request_body=OFFICIAL_REPLY,
                 response=serializers.COMMENT, errors=openapi.WRITE_ERRORS,
                 description="Staff of the item's department (or admins). The first one sets the item's "
                             "first-response time.")


REASSIGN = openapi.schema("Reassignment", {
    "type": "object", "required": ["reason"],
    "properties": {"reason": {"type": "string", "description": "Public"},
                   "to_user": {"type": "string", "description": "Username of a staff member"},
                   "department": {"type": "string", "description": "Department slug; its least-loaded contact "
                                                                   "receives the item when to_user is absent"}},
})


@bp.post("/posts/<int:post_id>/reassign", endpoint="feedback_reassign")
@write_limited
def reassign(post_id):
    caller = require_caller()
    post = services.get_post(caller, post_id)
    fields = Fields(json_object())
    reason, username, department_slug = fields.text("reason"), fields.text("to_user"), fields.text("department")
    to_user = to_department = None
    if username:
        try:
            to_user = accounts.get_user_by_username(username)
        except NotFound:
            fields.errors["to_user"] = _l("No such user.")
    if department_slug:
        try:
            to_department = routing.get_department(department_slug)
        except NotFound:
            fields.errors["department"] = _l("No such department.")
    fields.check()
    services.reassign_post(caller, post, reason=reason, to_user=to_user, to_department=to_department)
    return commit_and_return(serializers.post_detail(caller, post))


openapi.document("/posts/{post_id}/reassign", "post", summary="Staff: reassign to a person or a department",
                 tags=["workflow"], auth=True, parameters=[POST_ID], request_body=REASSIGN,
                 response=serializers.POST_DETAIL, errors=openapi.WRITE_ERRORS)


MERGE = openapi.schema("Merge", {
    "type": "object", "required": ["target_id"],
    "properties": {"target_id": {"type": "integer", "description": "The item this one duplicates"},
                   "note": {"type": "string"}},
})


@bp.post("/posts/<int:post_id>/merge", endpoint="feedback_merge")
@write_limited
def merge(post_id):
    caller = require_caller()
    post = services.get_post(caller, post_id)
    fields = Fields(json_object())
    target_id, note = fields.integer("target_id"), fields.text("note")
    if target_id is None and "target_id" not in fields.errors:
        fields.errors["target_id"] = _l("Choose the item to merge into.")
    fields.check()
    try:
        target = services.get_post(caller, target_id)
    except NotFound:  # missing or invisible: the same answer, about the field
        raise ValidationFailed(fields={"target_id": _l("Choose another open feedback item to merge into.")}) from None
    with _api_field_names():
        services.merge_posts(caller, post, target, note=note)
    return commit_and_return(serializers.post_detail(caller, post))


openapi.document("/posts/{post_id}/merge", "post", summary="Staff: merge this item into another as a duplicate",
                 tags=["workflow"], auth=True, parameters=[POST_ID], request_body=MERGE,
                 response=serializers.POST_DETAIL, errors=openapi.WRITE_ERRORS,
                 description="Moves votes and followers to the target; this item gets status duplicate and "
                             "merged_into_id.")


@bp.post("/posts/<int:post_id>/confirm", endpoint="feedback_confirm")
@write_limited
def confirm(post_id):
    caller = require_caller()
    post = services.get_post(caller, post_id)
    services.confirm_resolution(caller, post)
    return commit_and_return(serializers.post_detail(caller, post))


openapi.document("/posts/{post_id}/confirm", "post", summary="Author: confirm a resolved item is solved (→ closed)",
                 tags=["workflow"], auth=True, parameters=[POST_ID], response=serializers.POST_DETAIL,
                 errors=(400, 401, 403, 404, 409, 429))


REOPEN = openapi.schema("Reopen", {
    "type": "object", "required": ["reason"],
    "properties": {"reason": {"type": "string", "description": "What is still wrong; public"}},
})


@bp.post("/posts/<int:post_id>/reopen", endpoint="feedback_reopen")
@write_limited
def reopen(post_id):
    caller = require_caller()
    post = services.get_post(caller, post_id)
    fields = Fields(json_object())
    reason = fields.text("reason")
    fields.check()
    services.reopen_post(caller, post, reason=reason)
    return commit_and_return(serializers.post_detail(caller, post))


openapi.document("/posts/{post_id}/reopen", "post", summary="Author: reopen a resolved item within the window",
                 tags=["workflow"], auth=True, parameters=[POST_ID], request_body=REOPEN,
                 response=serializers.POST_DETAIL, errors=openapi.WRITE_ERRORS,
                 description="Within REOPEN_WINDOW_DAYS (14) of resolution; later answers 409 reopen_window_passed.")


# Products ------------------------------------------------------------------------

@bp.get("/products", endpoint="feedback_products")
def list_products():
    return {"items": [serializers.product(p) for p in services.list_products()]}


openapi.document("/products", "get", summary="List products", tags=["products"], errors=(),
                 response=openapi.items_of(serializers.PRODUCT))


@bp.get("/products/<slug>/ratings", endpoint="feedback_product_ratings")
def product_ratings(slug):
    product = services.get_product(slug)
    return serializers.product_ratings(product, services.product_ratings(product))


openapi.document("/products/{slug}/ratings", "get", summary="A product's average trial-report ratings",
                 tags=["products"], parameters=[openapi.path_param("slug", "Product slug", type_="string")],
                 errors=(404,), response=serializers.PRODUCT_RATINGS)
