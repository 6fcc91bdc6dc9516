"""Factories that build real rows through the services (and flush, never commit)."""
from __future__ import annotations

import itertools

from community.accounts import services as accounts
from community.core.permissions import SYSTEM
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Product
from community.routing import services as routing

_seq = itertools.count(1)
PASSWORD = "correct-horse-9"


def user(role: str = "member", *, departments=(), title: str = "", username: str | None = None, **kw):
    n = next(_seq)
    u = accounts.register_user(username or f"user{n}", f"user{n}@example.test", PASSWORD,
                               display_name=kw.get("display_name", f"用户{n}"), role=role)
    u.title = title
    for dept in departments:
        routing.add_department_member(SYSTEM, dept, u)
    db.session.flush()
    return u


def staff(department, *, contact: bool = True, categories=None, title: str = "张工", role: str = "staff"):
    u = user(role, departments=[department], title=title)
    if contact:
        routing.set_contact(SYSTEM, department, u, categories=categories)
    return u


def department(slug: str | None = None, name: str | None = None, **kw):
    n = next(_seq)
    return routing.create_department(SYSTEM, slug=slug or f"dept-{n}", name=name or f"部门{n}", **kw)


def category(department=None, slug: str | None = None, name: str | None = None):
    n = next(_seq)
    return routing.create_category(SYSTEM, slug=slug or f"cat-{n}", name=name or f"分类{n}", department=department)


def product(slug: str | None = None, name: str = "极光 ES7"):
    p = Product(slug=slug or f"prod-{next(_seq)}", name=name)
    db.session.add(p)
    db.session.flush()
    return p


def post(author, category, *, kind: str = "feedback", feedback_type: str = "bug", title: str = "车机蓝牙经常断连",
         body: str = "升级到 v2.3.1 之后，蓝牙每天断好几次。", **kw):
    return feedback.submit_post(author, kind=kind, title=title, body=body, category=category,
                                feedback_type=feedback_type if kind == "feedback" else None, **kw)


def world():
    """A department with one contact, a category routed to it, a member and a post."""
    dept = department(slug="cabin-software", name="车机软件部")
    cat = category(dept, slug="cabin-ota", name="车机与OTA")
    contact = staff(dept)
    member = user()
    item = post(member, cat)
    db.session.commit()
    return {"dept": dept, "category": cat, "contact": contact, "member": member, "post": item}
