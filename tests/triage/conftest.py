"""A department with a lead, two contacts, a member, and a staff member of another department."""
from __future__ import annotations

import pytest

from community.extensions import db


@pytest.fixture
def desk(make):
    dept = make.department(slug="cabin", name="车机软件部", first_response_hours=24, resolution_days=14)
    cat = make.category(dept, slug="ota", name="车机与OTA")
    lead = make.staff(dept, contact=False, title="部门负责人")
    dept.lead_id = lead.id
    contact = make.staff(dept)
    other_dept = make.department(slug="service", name="售后服务部")
    other_cat = make.category(other_dept, slug="repair", name="维修保养")
    outsider = make.staff(other_dept, title="李工")
    member = make.user()
    db.session.commit()
    return {"dept": dept, "category": cat, "lead": lead, "contact": contact, "other_dept": other_dept,
            "other_category": other_cat, "outsider": outsider, "member": member}
