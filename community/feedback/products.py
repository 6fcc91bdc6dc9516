"""A product's public profile: tagline, key specs and hero image, edited by admins (audited)."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.audit.services import record_audit
from community.core import clock, permissions
from community.core.database import insert_ignore
from community.core.errors import NotFound, ValidationFailed
from community.core.images import clean_image
from community.core.text import normalize
from community.extensions import db
from community.feedback.models import Product, ProductFollow
from community.i18n import localized_name

HERO_MAX_BYTES = 8 * 2**20
HERO_MAX_SIDE = 1600
MAX_SPECS = 12
DESCRIPTION_MAX, TAGLINE_MAX, SPEC_PART_MAX = 500, 120, 40


_product_links: list[tuple[object, Callable[[Product], str]]] = []


def register_product_link(label, url_for_product: Callable[[Product], str]) -> None:
    """Higher domains add their page about a product (roadmap, growth dashboard) to its page."""
    if all(existing is not url_for_product for _label, existing in _product_links):
        _product_links.append((label, url_for_product))


def product_links(product: Product) -> list[tuple[str, str]]:
    return [(str(label), link(product)) for label, link in _product_links]


def local_specs(product: Product) -> list[tuple[str, str]]:
    """(label, value) in the viewer's language."""
    return [(localized_name(s.get("label", ""), s.get("label_en", "")), s.get("value", "")) for s in product.specs or []]


def specs_text(product: Product) -> str:
    return "\n".join(f"{s.get('label', '')} | {s.get('label_en', '')} | {s.get('value', '')}"
                     for s in product.specs or [])


def parse_specs(text: str) -> list[dict]:
    """One "标签 | English label | value" per line (the English label may be left empty)."""
    specs = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [normalize(p) for p in line.split("|")]
        if len(parts) == 2:
            parts.insert(1, "")
        if len(parts) != 3 or not parts[0] or not parts[2] or any(len(p) > SPEC_PART_MAX for p in parts):
            raise ValidationFailed(fields={"specs": _l(
                "Line %(line)d: write “标签 | English label | value”, each part at most %(max)d characters.",
                line=number, max=SPEC_PART_MAX)})
        specs.append({"label": parts[0], "label_en": parts[1], "value": parts[2]})
    if len(specs) > MAX_SPECS:
        raise ValidationFailed(fields={"specs": _l("At most %(limit)d specs.", limit=MAX_SPECS)})
    return specs


def update_profile(actor, product: Product, *, description: str, tagline: str, tagline_en: str, specs: str,
                   hero: bytes | None = None, remove_hero: bool = False) -> Product:
    """Admins only (everyone else: 404, as for every admin page)."""
    if not permissions.is_admin(actor):
        raise NotFound()
    errors = {}
    values = {}
    for name, value, limit in (("description", description, DESCRIPTION_MAX), ("tagline", tagline, TAGLINE_MAX),
                               ("tagline_en", tagline_en, TAGLINE_MAX)):
        values[name] = normalize(value or "")
        if len(values[name]) > limit:
            errors[name] = _l("At most %(limit)d characters.", limit=limit)
    try:
        values["specs"] = parse_specs(specs)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    image = None
    if hero:
        try:
            image = clean_image(hero, field="hero", max_bytes=HERO_MAX_BYTES, max_side=HERO_MAX_SIDE)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    before = {"description": product.description, "tagline": product.tagline, "specs": product.specs,
              "hero": bool(product.hero_image)}
    for name, value in values.items():
        setattr(product, name, value)
    if image is not None:
        product.hero_image, product.hero_type = image.data, image.content_type
    elif remove_hero:
        product.hero_image, product.hero_type = None, ""
    product.updated_at = clock.now()
    db.session.flush()
    record_audit(actor, "product.edit", "product", product.id, before=before,
                 after={"description": product.description, "tagline": product.tagline, "specs": product.specs,
                        "hero": bool(product.hero_image)})
    return product


def hero_image(product: Product) -> tuple[bytes, str] | None:
    return (product.hero_image, product.hero_type) if product.hero_image else None


# 关注产品 -------------------------------------------------------------------------

def set_product_follow(actor, product: Product, following: bool = True) -> bool:
    """Idempotent: repeating it (or racing it) changes nothing."""
    permissions.require_writer(actor)
    if following:
        db.session.execute(insert_ignore(ProductFollow).values(product_id=product.id, user_id=actor.id,
                                                               created_at=clock.now()))
    else:
        db.session.execute(sa.delete(ProductFollow).where(ProductFollow.product_id == product.id,
                                                          ProductFollow.user_id == actor.id))
    db.session.flush()
    return following


def follows_product(actor, product: Product) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return db.session.get(ProductFollow, (product.id, actor.id)) is not None


def product_follower_ids_query(product_id: int):
    return sa.select(ProductFollow.user_id).where(ProductFollow.product_id == product_id)
