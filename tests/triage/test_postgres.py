"""The SQL side of the SLA rule and the figures on a real PostgreSQL (skipped when unreachable)."""
from __future__ import annotations

from datetime import datetime

import pytest

from community.core import clock
from community.extensions import db
from community.feedback import services as feedback
from community.triage import services
from tests.core.test_postgres import make, pg_app  # noqa: F401 - fixtures

pytestmark = pytest.mark.scaled

T0 = datetime(2026, 3, 2, 8, 0, 0)


def test_queues_tick_and_figures_on_postgres(pg_app, make):  # noqa: F811
    dept = make.department(first_response_hours=10)
    cat = make.category(dept)
    lead = make.staff(dept, contact=False)
    dept.lead_id = lead.id
    contact = make.staff(dept)
    member = make.user()
    with clock.frozen(T0) as advance:
        old = make.post(member, cat, title="很早以前的问题")
        advance(hours=3)
        soon = make.post(member, cat, title="快到期的问题")
        advance(hours=8)  # old: 11 h of 10 (overdue), soon: 8 h (80%)
        answered = make.post(member, cat, title="已经回复的问题")
        advance(hours=1)
        feedback.post_official_reply(contact, answered, "一小时内回复")
        assert [r.post.id for r in services.list_queue(lead, "overdue").items] == [old.id]
        assert [r.post.id for r in services.list_queue(lead, "due_soon").items] == [soon.id]
        counts = services.queue_counts(lead)
        assert (counts["overdue"], counts["due_soon"], counts["all"]) == (1, 1, 3)
        report = services.tick_sla()
        assert (report.breaches, report.warnings) == (1, 1)
        again = services.tick_sla()
        assert (again.breaches, again.warnings) == (0, 0)
        figures = services.department_figures([dept.id], now=clock.now())[0]
    assert figures.median_first_response_seconds == 3600 and figures.open_backlog == 3
    assert (figures.within_sla, figures.missed_sla) == (1, 1)  # old is past its target; soon is not yet
    db.session.commit()
