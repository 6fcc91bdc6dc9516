"""Routing administration: admin pages, CLI, and who may use them."""
from __future__ import annotations

import pytest

from community.core.permissions import SYSTEM
from community.extensions import db
from community.routing.models import Category, Contact, Department


@pytest.mark.parametrize("role", [None, "member", "staff", "moderator"])
def test_routing_admin_is_invisible_to_non_admins(client, make, role):
    if role:
        client.login_as(make.user(role))
    r = client.get("/admin/routing/")
    assert r.status_code in (302, 404) and (role is None) == (r.status_code == 302)
    assert client.post_form("/admin/routing/", {"action": "create_department", "slug": "x", "name": "X"}).status_code in (302, 404)
    assert db.session.query(Department).count() == 0


def test_admin_manages_departments_categories_and_contacts(client, make):
    admin = make.user("admin")
    staffer = make.user("staff", title="王工")
    client.login_as(admin)
    assert client.post_form("/admin/routing/", {"action": "create_department", "slug": "chassis", "name": "底盘部",
                                                "first_response_hours": "12", "resolution_days": "7"}).status_code == 302
    dept = db.session.query(Department).filter_by(slug="chassis").one()
    assert (dept.first_response_hours, dept.resolution_days) == (12, 7)
    client.post_form("/admin/routing/", {"action": "create_category", "slug": "suspension", "name": "悬挂与底盘",
                                         "department_id": str(dept.id)})
    cat = db.session.query(Category).filter_by(slug="suspension").one()
    assert cat.department_id == dept.id
    client.post_form("/admin/routing/", {"action": "set_contact", "department_id": str(dept.id),
                                         "user_id": str(staffer.id), "category_ids": [str(cat.id)]})
    contact = db.session.query(Contact).one()
    assert contact.user_id == staffer.id and [c.id for c in contact.categories] == [cat.id]
    page = client.get("/admin/routing/").get_data(as_text=True)
    assert "底盘部" in page and "悬挂与底盘" in page and "王工" in page


def test_admin_form_errors_are_reported_not_lost(client, make):
    client.login_as(make.user("admin"))
    r = client.post_form("/admin/routing/", {"action": "create_department", "slug": "Bad Slug!", "name": "X"},
                         follow_redirects=True)
    assert r.status_code == 200 and "flash-error" in r.get_data(as_text=True)
    assert db.session.query(Department).count() == 0


def test_cli_builds_routing_and_lists_it(app, make):
    make.user("staff", username="zhanggong", title="张工")
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["routing", "add-department", "cabin", "车机软件部"]).exit_code == 0
    assert runner.invoke(args=["routing", "add-category", "ota", "车机与OTA", "cabin"]).exit_code == 0
    result = runner.invoke(args=["routing", "set-contact", "cabin", "zhanggong", "--category", "ota"])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["routing", "list"]).output
    assert "车机软件部" in listing and "contact zhanggong" in listing and "ota" in listing
    bad = runner.invoke(args=["routing", "set-contact", "cabin", "nobody"])
    assert bad.exit_code != 0


def test_members_cannot_become_contacts(make):
    from community.core.errors import ValidationFailed
    from community.routing.services import set_contact
    dept = make.department()
    with pytest.raises(ValidationFailed):
        set_contact(SYSTEM, dept, make.user("member"))


def test_admin_makes_a_member_staff_with_title_and_department(client, make):
    dept = make.department(name="智能驾驶部")
    member = make.user(username="lizong")
    client.login_as(make.user("admin"))
    client.post_form("/admin/routing/", {"action": "set_role", "username": "lizong", "role": "staff",
                                         "title": "李工", "department_id": str(dept.id)})
    db.session.expire_all()
    from community.accounts.models import User
    user = db.session.get(User, member.id)
    assert user.role == "staff" and user.public_badge == "智能驾驶部 · 李工"
