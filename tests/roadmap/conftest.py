"""Roadmap fixtures: a department, a product, staff who manage the roadmap and members who ask."""
from __future__ import annotations

import pytest

from community.extensions import db
from community.roadmap import services


@pytest.fixture
def rw(make):
    """A roadmap world: staff, three members, a product, a feedback item and a roadmap item."""
    w = make.world()
    product = make.product(slug="es7", name="极光 ES7")
    pm = make.staff(w["dept"], title="产品经理")
    members = [make.user() for _ in range(3)]
    item = services.create_item(pm, title="车机支持 CarPlay", description="**无线** CarPlay", product=product,
                                area="cabin", target_quarter="2027 Q1")
    db.session.commit()
    return {**w, "product": product, "pm": pm, "members": members, "item": item}
