"""Who may do what: one module every channel asks (page, API, search, socket, notification).

Predicates take the acting user (or None / an anonymous user) and the object.
CLI commands and jobs act as SYSTEM, explicitly: None is an anonymous viewer, never trusted.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core.errors import NotAuthenticated, PermissionDenied


class SystemActor:
    """The trusted actor of CLI commands and jobs: administration without a person behind it.

    It is not a signed-in user (member-facing predicates answer False for it); services that
    the command line may run check `is_system(actor)` before the admin predicate. Timeline
    entries and audit rows record it as "system", with no user id.
    """

    id = None
    role = "system"
    name = "system"
    public_badge = ""
    is_authenticated = False
    is_anonymous = False

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return actor is SYSTEM


def recorded_actor(actor):
    """The actor a timeline entry or signal records: a person, or SYSTEM for jobs and the CLI.

    None is refused: it would record an anonymous "system" act that nobody chose to make.
    """
    if actor is None:
        raise TypeError("a recorded act needs an actor: a user, or permissions.SYSTEM for jobs and the CLI")
    return actor


def _authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_staff(user) -> bool:
    return _authenticated(user) and user.is_staff


def is_moderator(user) -> bool:
    return _authenticated(user) and user.is_moderator


def is_admin(user) -> bool:
    return _authenticated(user) and user.is_admin


def can_write(user) -> bool:
    """Logged in, not banned and not suspended: the one test of what a suspension blocks.

    Every write a member makes (posts, comments, votes, follows, flags, settings, display
    name, tokens) goes through `require_writer`; reading and logging out stay possible.
    """
    return _authenticated(user) and user.can_write


def require_writer(user) -> None:
    """Raise unless `user` may write at all (401 anonymous, 403 account_restricted)."""
    if not _authenticated(user):
        raise NotAuthenticated()
    if not user.can_write:
        raise PermissionDenied(_l("Your account cannot post right now."), code="account_restricted")


def in_department(user, department_id) -> bool:
    return _authenticated(user) and department_id is not None and department_id in user.department_ids


# Posts -----------------------------------------------------------------------

def can_view_post(user, post) -> bool:
    if post is None:
        return False
    if post.is_deleted:
        return is_moderator(user)
    if post.is_hidden:
        return is_staff(user) or (_authenticated(user) and user.id == post.author_id)
    return True


@dataclass(frozen=True)
class PostScope:
    """can_view_post as data, for the channels that filter many posts at once: the SQL twin
    below (lists, counts, feeds) and the search index's filter (search.services.visibility_for)."""

    deleted: bool = False  # moderators see deleted posts
    hidden: bool = False  # staff see hidden (held) posts
    own_hidden_author_id: int | None = None  # a member still sees their own hidden posts


def post_scope(user) -> PostScope:
    if is_moderator(user):
        return PostScope(deleted=True, hidden=True)
    if is_staff(user):
        return PostScope(hidden=True)
    if _authenticated(user):
        return PostScope(own_hidden_author_id=user.id)
    return PostScope()


def visible_posts_clause(user, Post, *, include_merged: bool = False):
    """SQL filter matching can_view_post for lists and counts (merged items excluded unless
    `include_merged`: a notification or a rating still belongs to a post merged since)."""
    scope = post_scope(user)
    clauses = [] if include_merged else [Post.merged_into_id.is_(None)]
    if not scope.deleted:
        clauses.append(Post.deleted_at.is_(None))
    if not scope.hidden:
        if scope.own_hidden_author_id is not None:
            clauses.append(sa.or_(Post.is_hidden.is_(False), Post.author_id == scope.own_hidden_author_id))
        else:
            clauses.append(Post.is_hidden.is_(False))
    return sa.and_(sa.true(), *clauses)


def public_posts_clause(Post):
    """What a visitor sees (not hidden, not deleted), merged duplicates included: public counts."""
    return visible_posts_clause(None, Post, include_merged=True)


def can_manage_post(user, post) -> bool:
    """Triage: status changes, assignment, official replies. Own department, or moderator."""
    if not can_write(user) or not post.is_feedback:
        return False
    return is_moderator(user) or (is_staff(user) and in_department(user, post.department_id))


def can_reply_officially(user, post) -> bool:
    if not can_write(user) or not is_staff(user):
        return False
    return is_admin(user) or in_department(user, post.department_id) or (
        not post.department_id and is_moderator(user)
    )


def can_edit_post(user, post) -> bool:
    if not can_write(user):
        return False
    if is_moderator(user):
        return True
    return user.id == post.author_id and not post.is_locked and not post.is_hidden


def can_comment(user, post) -> bool:
    if not can_write(user) or not can_view_post(user, post) or post.merged_into_id:
        return False
    return not post.is_locked or is_moderator(user)


def can_vote(user, post) -> bool:
    return (
        can_write(user)
        and post.is_feedback
        and post.is_public
        and not post.merged_into_id
    )


def can_follow(user, post) -> bool:
    return _authenticated(user) and can_view_post(user, post)


def is_author(user, post) -> bool:
    return _authenticated(user) and user.id == post.author_id


# Comments --------------------------------------------------------------------

def can_view_comment(user, comment) -> bool:
    if comment.is_internal:
        return is_staff(user)
    if comment.is_hidden:
        return is_staff(user) or (_authenticated(user) and user.id == comment.author_id)
    return True


def visible_comments_clause(user, Comment):
    """SQL twin of can_view_comment (deleted comments stay as placeholders: filter them apart)."""
    if is_staff(user):
        return sa.true()
    hidden = Comment.is_hidden.is_(False)
    if _authenticated(user):
        hidden = sa.or_(hidden, Comment.author_id == user.id)
    return sa.and_(Comment.is_internal.is_(False), hidden)


def public_comments_clause(Comment):
    """Comments anyone may read: not internal, not hidden, not deleted (the index, public counts)."""
    return sa.and_(visible_comments_clause(None, Comment), Comment.deleted_at.is_(None))


def can_view_content(user, obj, post) -> bool:
    """A post, or a comment with its post, as staff lists show them (flags, holds, a user's page):
    the same predicates as the item page, so deleted content stays with moderators."""
    if obj is None or post is None or not can_view_post(user, post):
        return False
    if obj is post:
        return True
    if obj.is_deleted and not is_moderator(user):
        return False
    return can_view_comment(user, obj)


def can_see_internal_notes(user) -> bool:
    return is_staff(user)


def can_edit_comment(user, comment) -> bool:
    if not can_write(user) or comment.is_deleted:
        return False
    return is_moderator(user) or user.id == comment.author_id


def can_view_comment_history(user, comment) -> bool:
    """A comment's earlier texts (its edit history): for whoever may see the comment; once the
    comment is deleted, for moderators only (the placeholder stays public, the old text does not)."""
    if comment.is_deleted:
        return is_moderator(user)
    return can_view_comment(user, comment)


# Administration ----------------------------------------------------------------

def can_manage_routing(user) -> bool:
    return is_admin(user)


# Moderation ----------------------------------------------------------------------

def can_flag(user, author_id) -> bool:
    """Members (anyone who can write) flag what they can see, except their own content."""
    return can_write(user) and user.id != author_id


def can_moderate(user) -> bool:
    """Hide/lock/pin/delete, resolve flags, decide held content."""
    return can_write(user) and is_moderator(user)


def can_restrict_user(user, target) -> bool:
    """Suspend or ban: moderators act on members and staff; only admins on moderators; nobody on admins or self."""
    if not can_moderate(user) or target is None or user.id == target.id or target.is_admin:
        return False
    return is_admin(user) or not target.is_moderator


def can_edit_words(user) -> bool:
    return is_admin(user)


def can_read_audit(user) -> bool:
    return is_admin(user)


# Roadmap, releases and polls -------------------------------------------------------

def can_manage_roadmap(user) -> bool:
    """Create and change roadmap items, link feedback, publish releases, run polls: staff only."""
    return can_write(user) and is_staff(user)


def can_view_roadmap_item(user, item) -> bool:
    """Drafts (not public) are for staff; everyone else gets 404."""
    return item is not None and (item.is_public or is_staff(user))


def visible_roadmap_clause(user, RoadmapItem):
    return sa.true() if is_staff(user) else RoadmapItem.is_public.is_(True)


def visible_roadmap_comments_clause(user, RoadmapComment):
    """Roadmap comments as the item page lists them: not deleted; held ones for staff and their author."""
    clauses = [RoadmapComment.deleted_at.is_(None)]
    if not is_staff(user):
        clauses.append(sa.or_(RoadmapComment.is_hidden.is_(False), RoadmapComment.author_id == user.id)
                       if _authenticated(user) else RoadmapComment.is_hidden.is_(False))
    return sa.and_(*clauses)


def can_configure_roadmap(user) -> bool:
    """Per-product settings such as the vote budget."""
    return can_write(user) and is_admin(user)
