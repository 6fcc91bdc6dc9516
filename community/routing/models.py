"""Routing: departments own categories; contacts (部门接口人) receive their items."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core import clock
from community.extensions import db
from community.i18n import LocalizedName

department_members = sa.Table(
    "department_members",
    db.metadata,
    sa.Column("department_id", sa.ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

contact_categories = sa.Table(
    "contact_categories",
    db.metadata,
    sa.Column("contact_id", sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category_id", sa.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


# Response targets (SLA) of a department unless it sets its own; items without a department
# are held to them too (community.triage.sla).
DEFAULT_FIRST_RESPONSE_HOURS = 24
DEFAULT_RESOLUTION_DAYS = 14


class Department(LocalizedName, db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    name_en: Mapped[str] = mapped_column(sa.String(64), default="")
    lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Response targets (SLA): first official response and resolution.
    first_response_hours: Mapped[int] = mapped_column(default=DEFAULT_FIRST_RESPONSE_HOURS)
    resolution_days: Mapped[int] = mapped_column(default=DEFAULT_RESOLUTION_DAYS)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    lead = relationship("User", foreign_keys=[lead_id])
    members = relationship("User", secondary=department_members, back_populates="departments")
    categories = relationship("Category", back_populates="department", order_by="Category.position")
    contacts = relationship("Contact", back_populates="department", cascade="all, delete-orphan")


class Category(LocalizedName, db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    name_en: Mapped[str] = mapped_column(sa.String(64), default="")
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    department = relationship(Department, back_populates="categories")


class Contact(db.Model):
    """A staff member receiving a department's items, optionally only some categories."""

    __tablename__ = "contacts"
    __table_args__ = (sa.UniqueConstraint("department_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Round-robin among equally loaded contacts: the one assigned longest ago wins.
    last_assigned_at: Mapped[datetime | None] = mapped_column()

    department = relationship(Department, back_populates="contacts")
    user = relationship("User", lazy="joined")
    categories = relationship("Category", secondary=contact_categories, lazy="selectin")

    def covers(self, category_id: int | None) -> bool:
        """No categories listed means the whole department."""
        return not self.categories or any(c.id == category_id for c in self.categories)
