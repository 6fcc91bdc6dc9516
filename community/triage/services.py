"""Triage rules: staff queues, bulk actions, tags, SLA warnings, supervision (督办), case ratings.

Like every service here: take the actor, check permissions, change, flush, never commit.
Every staff action is written to the audit log in the same transaction. The rules live in
the modules below by concern; this module keeps every public name importable from one place.
"""

from __future__ import annotations

from community.triage.escalation import (  # noqa: F401
    TickReport,
    end_supervision,
    list_supervisions,
    overdue_marks,
    supervise_post,
    supervised_ids,
    supervision_note,
    tick_sla,
)
from community.triage.figures import DepartmentFigures, department_figures, departments_for_filters  # noqa: F401
from community.triage.queues import (  # noqa: F401
    BULK_ACTIONS,
    COUNT_CAP,
    QUEUE_SORTS,
    QUEUES,
    TAG_MAX,
    TAGS_PER_ITEM,
    BulkResult,
    QueueFilters,
    QueueRow,
    add_internal_note,
    add_tags,
    assign_item,
    author_history,
    build_rows,
    bulk_action,
    get_item,
    list_queue,
    merge_items,
    parse_ids,
    parse_tags,
    queue_counts,
    remove_tag,
    reply_to_item,
    require_staff,
    set_item_status,
    tags_for,
)
from community.triage.ratings import (  # noqa: F401
    RATING_COMMENT_MAX,
    can_rate,
    rate_resolution,
    rating_for_current_resolution,
    request_rating,
)
