"""Routing rules: category → department → the least-loaded active contact."""
from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.core import clock
from community.core.errors import NotFound, PermissionDenied, ValidationFailed
from community.core.permissions import can_manage_routing, is_system
from community.core.text import clean_text, normalize
from community.extensions import db
from community.routing.models import (
    DEFAULT_FIRST_RESPONSE_HOURS,
    DEFAULT_RESOLUTION_DAYS,
    Category,
    Contact,
    Department,
)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _require_admin(actor) -> None:
    if not is_system(actor) and not can_manage_routing(actor):
        raise PermissionDenied()


def _slug(value: str) -> str:
    value = normalize(value).lower()
    if not SLUG_RE.match(value):
        raise ValidationFailed(fields={"slug": _l("Lowercase letters, digits and hyphens.")})
    return value


# Queries ---------------------------------------------------------------------

def list_departments() -> list[Department]:
    return list(db.session.execute(sa.select(Department).order_by(Department.id)).scalars())


def list_categories() -> list[Category]:
    # Pages show each category with its department: load them together (no N+1).
    return list(db.session.execute(
        sa.select(Category).options(joinedload(Category.department)).order_by(Category.position, Category.id)
    ).scalars())


def get_category(slug: str) -> Category:
    category = db.session.execute(sa.select(Category).where(Category.slug == slug)).scalar_one_or_none()
    if category is None:
        raise NotFound()
    return category


def get_department(slug_or_id) -> Department:
    if isinstance(slug_or_id, int) and not 0 < slug_or_id < 2**31:
        raise NotFound()
    column = Department.id if isinstance(slug_or_id, int) else Department.slug
    dept = db.session.execute(sa.select(Department).where(column == slug_or_id)).scalar_one_or_none()
    if dept is None:
        raise NotFound()
    return dept


# How many open items each user holds is answered by the domain that owns the items
# (feedback registers it in its init_app), so routing never imports what it routes.
_load_query: Callable[[list[int]], dict[int, int]] | None = None


def register_load_query(query: Callable[[list[int]], dict[int, int]]) -> None:
    global _load_query
    _load_query = query


def open_load(user_ids) -> dict[int, int]:
    """Open items assigned to each user (users without any are absent)."""
    if not user_ids or _load_query is None:
        return {}
    return _load_query(list(user_ids))


def choose_contact(department: Department, category_id: int | None) -> Contact | None:
    """Active contact covering the category with the fewest open items; ties go round-robin."""
    candidates = [
        c for c in department.contacts
        if c.active and c.user.is_staff and not c.user.is_banned and c.covers(category_id)
    ]
    if not candidates:
        return None
    load = open_load([c.user_id for c in candidates])
    never = clock.now().replace(year=1970)
    return min(candidates, key=lambda c: (load.get(c.user_id, 0), c.last_assigned_at or never, c.id))


# Administration ------------------------------------------------------------------

def create_department(actor, *, slug: str, name: str, name_en: str = "",
                      first_response_hours: int = DEFAULT_FIRST_RESPONSE_HOURS,
                      resolution_days: int = DEFAULT_RESOLUTION_DAYS, lead: User | None = None) -> Department:
    _require_admin(actor)
    slug = _slug(slug)
    if db.session.execute(sa.select(Department.id).where(Department.slug == slug)).first():
        raise ValidationFailed(fields={"slug": _l("That identifier is taken.")})
    dept = Department(
        slug=slug,
        name=clean_text(name, field="name", label=_l("Name"), min_len=1, max_len=64, multiline=False),
        name_en=normalize(name_en)[:64],
        first_response_hours=_positive(first_response_hours, "first_response_hours"),
        resolution_days=_positive(resolution_days, "resolution_days"),
        lead_id=lead.id if lead else None,
    )
    db.session.add(dept)
    db.session.flush()
    return dept


def update_department(actor, dept: Department, *, name=None, name_en=None, first_response_hours=None,
                      resolution_days=None, lead: User | None | bool = False) -> Department:
    _require_admin(actor)
    if name is not None:
        dept.name = clean_text(name, field="name", label=_l("Name"), min_len=1, max_len=64, multiline=False)
    if name_en is not None:
        dept.name_en = normalize(name_en)[:64]
    if first_response_hours is not None:
        dept.first_response_hours = _positive(first_response_hours, "first_response_hours")
    if resolution_days is not None:
        dept.resolution_days = _positive(resolution_days, "resolution_days")
    if lead is not False:
        if lead is not None and not lead.is_staff:
            raise ValidationFailed(fields={"lead": _l("The lead must be a staff member.")})
        dept.lead_id = lead.id if lead else None
    db.session.flush()
    return dept


def _positive(value, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        number = 0
    if number < 1 or number > 10_000:
        raise ValidationFailed(fields={field: _l("Enter a whole number from 1 to 10000.")})
    return number


def create_category(actor, *, slug: str, name: str, department: Department | None, name_en: str = "",
                    description: str = "", position: int = 0) -> Category:
    _require_admin(actor)
    slug = _slug(slug)
    if db.session.execute(sa.select(Category.id).where(Category.slug == slug)).first():
        raise ValidationFailed(fields={"slug": _l("That identifier is taken.")})
    category = Category(
        slug=slug,
        name=clean_text(name, field="name", label=_l("Name"), min_len=1, max_len=64, multiline=False),
        name_en=normalize(name_en)[:64],
        description=normalize(description)[:500],
        department_id=department.id if department else None,
        position=position,
    )
    db.session.add(category)
    db.session.flush()
    return category


def move_category(actor, category: Category, department: Department | None) -> Category:
    """Routes new items of the category elsewhere; existing items keep their route."""
    _require_admin(actor)
    category.department_id = department.id if department else None
    db.session.flush()
    return category


def add_department_member(actor, department: Department, user: User) -> None:
    _require_admin(actor)
    if not user.is_staff:
        raise ValidationFailed(fields={"user": _l("Only staff can join a department.")})
    if department not in user.departments:
        user.departments.append(department)
    db.session.flush()


def set_contact(actor, department: Department, user: User, *, categories: list[Category] | None = None,
                active: bool = True) -> Contact:
    """Make `user` a contact of `department` (covering `categories`, or all when empty)."""
    _require_admin(actor)
    if not user.is_staff:
        raise ValidationFailed(fields={"user": _l("Only staff can be contacts.")})
    for category in categories or ():
        if category.department_id != department.id:
            raise ValidationFailed(fields={"categories": _l("A contact can only cover the department's own categories.")})
    if department not in user.departments:
        user.departments.append(department)
    contact = db.session.execute(
        sa.select(Contact).where(Contact.department_id == department.id, Contact.user_id == user.id)
    ).scalar_one_or_none()
    if contact is None:
        contact = Contact(department_id=department.id, user_id=user.id)
        db.session.add(contact)
    contact.active = active
    contact.categories = list(categories or [])
    db.session.flush()
    db.session.refresh(department, ["contacts"])
    return contact


def set_contact_active(actor, contact: Contact, active: bool) -> Contact:
    _require_admin(actor)
    contact.active = active
    db.session.flush()
    return contact


def remove_contact(actor, contact: Contact) -> None:
    _require_admin(actor)
    db.session.delete(contact)
    db.session.flush()
