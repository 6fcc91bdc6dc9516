"""Domain signals → roadmap demand and the "shipped" notices.

Feedback votes, merges and hiding change who counts towards a linked roadmap item's demand;
shipping tells everyone who asked, once each, in the shipping transaction (rows first,
live pushes after commit, as every notification).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from community.core import events, page_cache
from community.extensions import db
from community.moderation.services import HeldKind, register_held_kind
from community.notifications.kinds import Kind, register
from community.notifications.services import notify
from community.realtime import services as realtime
from community.roadmap import services
from community.roadmap.announcements import announcement_published, link_for
from community.roadmap.models import RoadmapComment, RoadmapItem


def on_post_voted(post, **_):
    services.refresh_demand_for_post(post.id)


def on_post_merged(post, target=None, **_):
    services.refresh_demand_for_post(post.id)
    if target is not None:
        services.refresh_demand_for_post(target.id)


def on_visibility_changed(post, **_):
    services.refresh_demand_for_post(post.id)


def on_item_shipped(item, actor=None, release=None, told=(), **_):
    # A plain path: CLI commands and the demo seed ship items outside any request.
    data = {"roadmap_item_id": item.id, "url": f"/roadmap/{item.id}"}
    if release is not None:
        data.update(version=release.version, release_id=release.id)
    notify(told, "vote_shipped", actor=actor, title=item.title, data=data, once_key=f"roadmap_shipped:{item.id}")


def on_announcement(announcement, actor=None, told=(), **_):
    notify(told, "announcement", actor=actor, title=announcement.title,
           data={"url": link_for(announcement), "announcement_id": announcement.id},
           once_key=f"announcement:{announcement.id}")


def _register_kind() -> None:
    register(Kind("announcement", _l("Announcements about products I follow"),
                  lambda n: _("Announcement: “%(title)s”", title=n.post_title), icon="megaphone"))


def on_demand_changed(item_id, **_):
    """Live 支持 and demand counts on the board and item pages: public items only, read after the
    commit (so a burst of votes in one transaction pushes once, with the final numbers)."""
    app = current_app._get_current_object()

    def job():
        with app.app_context():
            row = realtime.read_committed(lambda conn: conn.execute(
                sa.select(RoadmapItem.vote_count, RoadmapItem.demand, RoadmapItem.linked_count, RoadmapItem.is_public)
                .where(RoadmapItem.id == item_id)).first())
        if row is not None and row.is_public:
            realtime.emit("roadmap.demand", {"item_id": item_id, "vote_count": row.vote_count, "demand": row.demand,
                                             "linked_count": row.linked_count}, room="public")

    realtime.run_after_commit(job, key=f"roadmap.demand:{item_id}")
    events.after_commit(page_cache.clear, key="page_cache.clear")  # votes are plain SQL: no flush sees them


def _comment_link(comment: RoadmapComment) -> tuple[str, str]:
    item = db.session.get(RoadmapItem, comment.item_id)
    return item.title, url_for("roadmap.show_item", item_id=comment.item_id, _anchor=f"rc-{comment.id}")


def _register_held_comments() -> None:
    """Held roadmap comments wait in /staff/held beside posts and comments."""
    register_held_kind(HeldKind("roadmap_comment", RoadmapComment, _l("Roadmap comment"), _comment_link,
                                post_id=lambda _comment: None, can_view=services.held_comment_visible,
                                release=services.release_held_comment, reject=services.reject_held_comment))


def connect() -> None:
    if getattr(connect, "_done", False):
        return
    _register_kind()
    _register_held_comments()
    announcement_published.connect(on_announcement)
    events.post_voted.connect(on_post_voted)
    events.post_merged.connect(on_post_merged)
    events.post_visibility_changed.connect(on_visibility_changed)
    services.roadmap_item_shipped.connect(on_item_shipped)
    services.roadmap_demand_changed.connect(on_demand_changed)
    connect._done = True
