"""Fields read from roadmap forms (validation rules live in roadmap.services)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.accounts.services import find_user_by_username
from community.core.converters import parse_db_id
from community.core.errors import NotFound, ValidationFailed
from community.extensions import db
from community.feedback import services as feedback
from community.roadmap import releases, services
from community.roadmap.models import ReleasePost
from community.routing.models import Department

ITEM_FIELDS = ("title", "description", "product", "area", "target_quarter", "owner", "department_id", "status", "note")


def item_form(values) -> dict:
    form = {k: values.get(k, "") for k in ITEM_FIELDS}
    form["is_public"] = values.get("is_public") == "1"
    return form


def form_from_item(item) -> dict:
    return {"title": item.title, "description": item.description, "product": item.product.slug if item.product else "",
            "area": item.area, "target_quarter": item.quarter_label, "owner": item.owner.username if item.owner else "",
            "department_id": str(item.department_id or ""), "status": item.status, "is_public": item.is_public,
            "note": ""}


def item_fields(form: dict) -> dict:
    """Service keyword arguments from the form; unknown product, owner or department is a field error."""
    errors = {}
    product = owner = department = None
    if form.get("product"):
        try:
            product = feedback.get_product(form["product"])
        except NotFound:
            errors["product"] = _l("No such product.")
    if form.get("owner"):
        owner = find_user_by_username(form["owner"].strip())
        if owner is None:
            errors["owner"] = _l("No such user.")
    department_id = parse_db_id(form.get("department_id"))  # "²" or 2**63 is no department, not a 500
    if department_id is not None:
        department = db.session.get(Department, department_id)
    if errors:
        raise ValidationFailed(fields=errors)
    return {"title": form.get("title", ""), "description": form.get("description", ""), "product": product,
              "area": form.get("area", ""), "target_quarter": form.get("target_quarter", ""), "owner": owner,
              "department": department, "is_public": bool(form.get("is_public"))}


def create_fields(form: dict) -> dict:
    return {**item_fields(form), "status": form.get("status") or "considering", "note": form.get("note", "")}


RELEASE_FIELDS = ("product", "version", "title", "released_on", "notes", "item_ids", "post_ids")


def release_form(values) -> dict:
    return {k: values.get(k, "") for k in RELEASE_FIELDS}


def form_from_release(release) -> dict:
    post_ids = db.session.execute(sa.select(ReleasePost.post_id).where(ReleasePost.release_id == release.id)).scalars()
    return {"product": release.product.slug if release.product else "", "version": release.version,
            "title": release.title, "released_on": release.released_on.isoformat(), "notes": release.notes,
            "item_ids": " ".join(str(i.id) for i in release.items), "post_ids": " ".join(str(i) for i in post_ids)}


def id_list(text) -> list[str]:
    return str(text or "").replace(",", " ").replace("#", " ").split()


def release_fields(form: dict) -> dict:
    product = None
    if form.get("product"):
        try:
            product = feedback.get_product(form["product"])
        except NotFound:
            raise ValidationFailed(fields={"product": _l("No such product.")}) from None
    return {"product": product, "version": form.get("version", ""), "title": form.get("title", ""),
            "released_on": form.get("released_on", ""), "notes": form.get("notes", ""),
            "item_ids": id_list(form.get("item_ids")), "post_ids": id_list(form.get("post_ids"))}


POLL_FIELDS = ("question", "description", "kind", "results", "eligibility", "days", "options", "item_id", "product")


def poll_form(values) -> dict:
    form = {k: values.get(k, "") for k in POLL_FIELDS}
    form["multiple"] = values.get("multiple") == "1"
    return form


def parse_option_lines(text) -> list[dict]:
    """One option a line: "label | description | 2000-3000 | /static/image.png" (all but the label optional).

    A part that looks like a price band goes to the band, one that starts with / to the image."""
    options = []
    for line in str(text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        option = {"label": parts[0], "description": "", "image_url": "", "price_min": None, "price_max": None}
        for part in parts[1:]:
            band = part.replace(" ", "").replace("¥", "").replace("～", "-").replace("~", "-")
            low, _sep, high = band.partition("-")
            if low.isdigit() and high.isdigit():
                option["price_min"], option["price_max"] = int(low), int(high)
            elif part.startswith("/"):
                option["image_url"] = part
            elif part:
                option["description"] = part
        options.append(option)
    return options


def poll_fields(form: dict, images: dict[int, str] | None = None) -> dict:
    """`images`: uploaded pictures by option position (1-based), replacing a typed path."""
    item = product = None
    if str(form.get("item_id") or "").isdigit():
        item = db.session.get(services.RoadmapItem, int(form["item_id"]))
    if form.get("product"):
        try:
            product = feedback.get_product(form["product"])
        except NotFound:
            raise ValidationFailed(fields={"product": _l("No such product.")}) from None
    return {"question": form.get("question", ""), "description": form.get("description", ""), "item": item,
            "product": product, "kind": form.get("kind") or "choice", "multiple": bool(form.get("multiple")),
            "results": form.get("results") or "after_close", "eligibility": form.get("eligibility") or "everyone",
            "days": form.get("days"), "options": _with_images(parse_option_lines(form.get("options")), images or {})}


def _with_images(options: list[dict], images: dict[int, str]) -> list[dict]:
    for position, url in images.items():
        if 1 <= position <= len(options):
            options[position - 1]["image_url"] = url
        else:
            raise ValidationFailed(fields={"options": _l("There is an image for option %(position)d, but no such option.",
                                                         position=position)})
    return options


def product_or_none(slug):
    if not slug:
        return None
    try:
        return feedback.get_product(slug)
    except NotFound:
        raise ValidationFailed(fields={"product": _l("No such product.")}) from None


def announcement_fields(actor, form: dict) -> dict:
    """Service keyword arguments: what the announcement is about (a release, a roadmap item, a product)."""
    release = item = None
    try:
        if str(form.get("release_id") or "").strip().lstrip("#").isdigit():
            release = releases.get_release(actor, form["release_id"].strip().lstrip("#"))
        if str(form.get("item_id") or "").strip().lstrip("#").isdigit():
            item = services.get_item(actor, form["item_id"].strip().lstrip("#"))
    except NotFound:
        raise ValidationFailed(fields={"item_id": _l("No such release or roadmap item.")}) from None
    return {"title": form.get("title", ""), "body": form.get("body", ""), "days": form.get("days"),
            "product": product_or_none(form.get("product")), "release": release, "item": item}
