"""The one source of "now" (naive UTC), freezable in tests and SLA jobs."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def now() -> datetime:
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def frozen(at: datetime):
    """Freeze now() at `at`; yields a function that moves the clock forward."""
    global _frozen
    previous = _frozen
    _frozen = at

    def advance(**delta) -> datetime:
        global _frozen
        _frozen = _frozen + timedelta(**delta)
        return _frozen

    try:
        yield advance
    finally:
        _frozen = previous
