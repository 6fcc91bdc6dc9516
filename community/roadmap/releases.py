"""Releases (版本发布) and the changelog: publishing a release ships its roadmap items.

A release is a draft (staff only) until published; publishing ships every attached roadmap
item (each tells everyone who asked, once) and resolves the feedback listed as fixed in it.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core import clock, events, permissions
from community.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from community.core.pagination import MAX_PER_PAGE, Page, paginate
from community.core.text import clean_text, normalize, render_markdown
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Post, Product
from community.feedback.workflow import can_transition as can_transition_feedback
from community.roadmap import services
from community.roadmap.models import Release, ReleasePost, RoadmapItem, RoadmapLink

VERSION_MAX = 40
NOTES_MAX = 50_000
# Items a release can ship; considering and not_planned items are not ready.
SHIPPABLE_STATUSES = ("planned", "in_development", "in_beta", "shipped")

release_published = events.domain.signal("release.published")  # sender: Release; actor


def get_release(actor, release_id) -> Release:
    try:
        release = db.session.get(Release, int(release_id))
    except (TypeError, ValueError, OverflowError):
        release = None
    if release is None or not (release.is_published or permissions.is_staff(actor)):
        raise NotFound()
    return release


def list_releases(actor, *, product_id=None, page: int = 1, per_page: int = 20,
                  include_drafts: bool = False) -> Page:
    stmt = sa.select(Release)
    if not (include_drafts and permissions.is_staff(actor)):
        stmt = stmt.where(Release.is_published.is_(True))
    if product_id:
        stmt = stmt.where(Release.product_id == product_id)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    return paginate(stmt.order_by(Release.released_on.desc(), Release.id.desc()), page, per_page)


def shipped_items(actor, release: Release) -> list[RoadmapItem]:
    return [i for i in release.items if permissions.can_view_roadmap_item(actor, i)]


def listed_post_ids(release: Release) -> list[int]:
    """The feedback listed on the release itself (not what its items carry)."""
    return list(db.session.execute(sa.select(ReleasePost.post_id).where(ReleasePost.release_id == release.id)
                                   .order_by(ReleasePost.post_id)).scalars())


def resolved_posts(actor, release: Release) -> list[Post]:
    """Feedback fixed in the release: listed ones, and those linked to its items, that the viewer may see."""
    via_items = (sa.select(RoadmapLink.post_id).join(RoadmapItem, RoadmapItem.id == RoadmapLink.item_id)
                 .where(RoadmapItem.release_id == release.id, RoadmapItem.is_public.is_(True)))
    listed = sa.select(ReleasePost.post_id).where(ReleasePost.release_id == release.id)
    return list(db.session.execute(
        sa.select(Post).where(sa.or_(Post.id.in_(listed), Post.id.in_(via_items)),
                              permissions.visible_posts_clause(actor, Post))
        .order_by(Post.id)).scalars())


def _parse_date(value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(fields={"released_on": _l("Enter a date like 2027-01-31.")}) from None


def _clean(*, version, title, notes, released_on) -> dict:
    errors, values = {}, {}
    try:
        values["version"] = clean_text(version, field="version", label=_l("Version"), min_len=1,
                                       max_len=VERSION_MAX, multiline=False)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        values["title"] = services.optional_text(title, field="title", label=_l("Title"), min_len=0, max_len=120,
                                     multiline=False)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        values["notes"] = services.optional_text(notes, field="notes", label=_l("Release notes"), min_len=0,
                                     max_len=NOTES_MAX, multiline=True)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        values["released_on"] = _parse_date(released_on)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    return values


def _attach(actor, release: Release, item_ids, post_ids) -> None:
    errors = {}
    items = []
    for item_id in services.parse_post_ids(item_ids):
        item = db.session.get(RoadmapItem, item_id)
        if item is None:
            errors["item_ids"] = _l("No roadmap item #%(id)d.", id=item_id)
        elif item.status not in SHIPPABLE_STATUSES or (item.release_id and item.release_id != release.id):
            errors["item_ids"] = _l("Roadmap item #%(id)d cannot ship in this release.", id=item_id)
        elif release.product_id and item.product_id and item.product_id != release.product_id:
            errors["item_ids"] = _l("Roadmap item #%(id)d is about another product.", id=item_id)
        else:
            items.append(item)
    posts = []
    for post_id in services.parse_post_ids(post_ids):
        try:
            post = feedback.get_post(actor, post_id)
        except NotFound:
            errors["post_ids"] = _l("No feedback item #%(id)d.", id=post_id)
            continue
        if not post.is_feedback:
            errors["post_ids"] = _l("#%(id)d is not a feedback item.", id=post_id)
        else:
            posts.append(post)
    if errors:
        raise ValidationFailed(fields=errors)
    for item in list(release.items):
        if item not in items and item.status != "shipped":
            item.release = None
    for item in items:
        item.release = release
    db.session.execute(sa.delete(ReleasePost).where(ReleasePost.release_id == release.id))
    for post in posts:
        db.session.add(ReleasePost(release_id=release.id, post_id=post.id))


def create_release(actor, *, product: Product | None, version, released_on, title="", notes="", item_ids=(),
                   post_ids=()) -> Release:
    services.require_roadmap_staff(actor)
    values = _clean(version=version, title=title, notes=notes, released_on=released_on)
    _unique(product, values["version"])
    release = Release(product_id=product.id if product else None, notes_html=str(render_markdown(values["notes"])),
                      created_by_id=actor.id, created_at=clock.now(), updated_at=clock.now(), **values)
    db.session.add(release)
    db.session.flush()
    _attach(actor, release, item_ids, post_ids)
    db.session.flush()
    return release


def _unique(product, version, release_id=None) -> None:
    same_product = Release.product_id.is_(None) if product is None else Release.product_id == product.id
    stmt = sa.select(Release.id).where(Release.version == version, same_product)
    if release_id:
        stmt = stmt.where(Release.id != release_id)
    if db.session.execute(stmt).first():
        raise ValidationFailed(fields={"version": _l("This product already has a release %(v)s.", v=version)})


def edit_release(actor, release: Release, *, product: Product | None, version, released_on, title="", notes="",
                 item_ids=(), post_ids=()) -> Release:
    services.require_roadmap_staff(actor)
    values = _clean(version=version, title=title, notes=notes, released_on=released_on)
    if release.is_published and (product.id if product else None) != release.product_id:
        raise ValidationFailed(fields={"product": _l("A published release keeps its product.")})
    _unique(product, values["version"], release.id)
    for key, value in values.items():
        setattr(release, key, value)
    release.product_id = product.id if product else None
    release.notes_html = str(render_markdown(values["notes"]))
    release.updated_at = clock.now()
    _attach(actor, release, item_ids, post_ids)
    db.session.flush()
    return release


def publish_release(actor, release: Release, *, note: str = "") -> list[RoadmapItem]:
    """Publish: ship each attached item (notices go out once per member per item) and resolve the
    feedback listed as fixed, with entries that link the release."""
    services.require_roadmap_staff(actor)
    if release.is_published:
        raise Conflict(_l("This release is already published."), code="already_published")
    release.is_published = True
    release.published_at = clock.now()
    shipped = []
    attached = db.session.execute(sa.select(RoadmapItem).where(RoadmapItem.release_id == release.id)
                                  .order_by(RoadmapItem.id)).scalars().all()
    for item in attached:
        if item.status == "shipped":
            continue
        if item.status not in SHIPPABLE_STATUSES:
            raise InvalidTransition(_l("“%(title)s” is not ready to ship.", title=item.title))
        if item.status == "planned":  # on the record: planned work goes through development
            services.change_status(actor, item, "in_development")
        services.change_status(actor, item, "shipped", note=normalize(note) or "", release=release)
        shipped.append(item)
    fixed = db.session.execute(
        sa.select(Post).join(ReleasePost, ReleasePost.post_id == Post.id).where(ReleasePost.release_id == release.id)
    ).scalars().all()
    for post in fixed:
        if can_transition_feedback(post.status, "resolved"):
            entry, from_status = feedback.record_external_entry(actor, post, "roadmap_shipped", to_status="resolved")
            services.add_release_ref(entry, release)
            events.post_status_changed.send(post, actor=actor, entry=entry, from_status=from_status,
                                            to_status="resolved")
    db.session.flush()
    release_published.send(release, actor=actor)
    return shipped
