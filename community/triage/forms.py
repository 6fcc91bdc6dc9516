"""Request parsing shared by the console pages and the triage API: queue filters, sorts, people, departments."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from community.accounts.models import User
from community.accounts.services import find_user_by_username
from community.core.converters import parse_db_id
from community.core.errors import NotFound, ValidationFailed
from community.feedback.workflow import STATUSES, TYPE_LABELS
from community.routing import services as routing
from community.triage import services


def int_arg(args, name):
    return parse_db_id(args.get(name))  # "²", "abc" or 2**63: no filter, never a 500


def _date_arg(args, name):
    try:
        return date.fromisoformat((args.get(name) or "").strip())
    except ValueError:
        return None


def filters_from(args) -> services.QueueFilters:
    status = args.get("status") or None
    feedback_type = args.get("type") or None
    return services.QueueFilters(
        department_id=int_arg(args, "department"), category_id=int_arg(args, "category"),
        status=status if status in STATUSES else None,
        feedback_type=feedback_type if feedback_type in TYPE_LABELS else None,
        product_id=int_arg(args, "product"), created_from=_date_arg(args, "from"), created_to=_date_arg(args, "to"),
        tag=(args.get("tag") or "").strip()[:services.TAG_MAX] or None,
    )


def sort_from(args) -> str:
    sort = args.get("sort", "sla")
    return sort if sort in services.QUEUE_SORTS else "sla"


def user_by_username(username: str) -> User:
    user = find_user_by_username(username.strip() if isinstance(username, str) else "")
    if user is None:
        raise ValidationFailed(fields={"to_user": _("No such user.")})
    return user


def department_by_id(value) -> object | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = parse_db_id(value)
    if number is None:
        raise ValidationFailed(fields={"department_id": _("Choose a department.")})
    try:
        return routing.get_department(number)
    except NotFound:
        raise ValidationFailed(fields={"department_id": _("Choose a department.")}) from None
