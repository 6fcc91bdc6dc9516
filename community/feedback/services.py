"""Feedback rules: posting, routing, the status workflow, official replies, votes, follows, merging.

Services take the acting user and plain values, check permissions, change objects,
flush and send a domain signal. They never commit: the caller (view, API, CLI) does.
The rules live in the modules below by concern; this module keeps every public name
importable from one place.
"""

from __future__ import annotations

from community.feedback.conversation import (  # noqa: F401
    add_comment,
    delete_comment,
    edit_comment,
    post_official_reply,
    set_follow,
    set_vote,
)
from community.feedback.lifecycle import (  # noqa: F401
    _set_status,
    change_status,
    confirm_resolution,
    reassign_post,
    record_external_entry,
    reopen_post,
    route_post,
    system_assign,
    system_set_status,
)
from community.feedback.merging import merge_posts  # noqa: F401
from community.feedback.posting import edit_post, submit_post  # noqa: F401
from community.feedback.queries import (  # noqa: F401
    PINNED_TTL_SECONDS,
    SORTS,
    ListPage,
    follower_ids,
    get_comment,
    get_post,
    get_product,
    has_voted,
    is_following,
    list_comments,
    list_posts,
    list_products,
    list_revisions,
    list_timeline,
    list_user_comments,
    list_user_votes,
    product_ratings,
    voted_post_ids,
)
from community.feedback.writing import (  # noqa: F401
    BODY_MAX,
    BODY_MIN,
    COMMENT_MAX,
    NOTE_MAX,
    TITLE_MAX,
    TITLE_MIN,
    _hot_score,
    actor_label,
    add_to_counter,
    refresh_hot_score,
)
