"""Reading API requests: the signed-in caller, the JSON body and typed fields.

Type checks only (a title must be a string, an id an integer); the business rules stay in
the services. Field errors are collected into one dict so a client sees them all at once.
"""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from community.api.caller import api_user
from community.core.converters import DB_INT_MAX, parse_db_id
from community.core.errors import DomainError, NotAuthenticated, ValidationFailed


def require_caller():
    """The authenticated caller, or 401."""
    user = api_user()
    if not getattr(user, "is_authenticated", False):
        raise NotAuthenticated()
    return user


MAX_JSON_DEPTH = 32


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in `raw` (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def refuse_deep_json() -> None:
    """400 invalid_json for a body nested deeper than MAX_JSON_DEPTH: the parser would recurse that deep."""
    if not request.is_json:
        return
    raw = request.get_data(cache=True)
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and json_depth(raw) > MAX_JSON_DEPTH:
        raise DomainError(_l("The JSON body is nested too deeply."), code="invalid_json")


def json_object(*, optional: bool = False) -> dict:
    """The request body as a JSON object; 400 invalid_json otherwise (an empty body counts as {} if optional)."""
    if optional and not request.get_data(cache=True):
        return {}
    refuse_deep_json()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError(_l("Send a JSON object with Content-Type: application/json."), code="invalid_json")
    return data


class Fields:
    """Typed access to a JSON object that records an error per bad field."""

    def __init__(self, data: dict):
        self.data = data
        self.errors: dict = {}

    def text(self, name: str, default: str = "") -> str:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            self.errors[name] = _l("Must be a string.")
            return default
        return value

    def integer(self, name: str) -> int | None:
        """An integer that fits the database's 32-bit columns (ids, days, counts); else a field error."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors[name] = _l("Must be an integer.")
            return None
        if not -DB_INT_MAX - 1 <= value <= DB_INT_MAX:
            self.errors[name] = _l("This number is out of range.")
            return None
        return value

    def id_list(self, name: str) -> list[int]:
        """A list of ids (each 1…2³¹−1); anything else is a field error and an empty list."""
        value = self.data.get(name) or []
        ids = [parse_db_id(i) if isinstance(i, int) else None for i in value] if isinstance(value, list) else [None]
        if None in ids:
            self.errors[name] = _l("Send a list of ids.")
            return []
        return ids

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.errors[name] = _l("Must be true or false.")
            return default
        return value

    def obj(self, name: str) -> dict:
        value = self.data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.errors[name] = _l("Must be an object.")
            return {}
        return value

    def check(self) -> None:
        if self.errors:
            raise ValidationFailed(fields=self.errors)


def query_int(name: str, default: int, *, minimum: int, maximum: int, errors: dict) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not minimum <= value <= maximum:
        errors[name] = _l("Enter a whole number from %(lo)d to %(hi)d.", lo=minimum, hi=maximum)
        return default
    return value


def query_choice(name: str, choices, errors: dict) -> str | None:
    value = request.args.get(name) or None
    if value is not None and value not in choices:
        errors[name] = _l("Choose one of: %(choices)s.", choices=", ".join(choices))
        return None
    return value
