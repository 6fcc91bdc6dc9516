"""URL converters bounded to what the database can store, so no id in a path reaches SQL out of range.

`<int:…>` on every route means: ASCII digits only (no "²" or "٣"), 1 … 2**31 − 1 (PostgreSQL
INTEGER; SQLite raises OverflowError past 2**63). Anything else does not match the route: 404,
the same answer as an id that does not exist.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        upper = DB_INT_MAX if max is None or max > DB_INT_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=0 if min is None else min, max=upper, signed=False)


def parse_db_id(value) -> int | None:
    """An id from a form field or query string: a plain ASCII integer in the database's range, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= DB_INT_MAX else None
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= DB_INT_MAX else None


def install(app) -> None:
    """Before any blueprint registers its routes."""
    app.url_map.converters["int"] = DatabaseIdConverter
