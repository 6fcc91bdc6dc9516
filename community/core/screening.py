"""Content screening hook: moderation registers screeners; feedback services call screen().

A screener may rewrite text (e.g. replace sensitive words) or ask to hold the content for
review. Held content is saved hidden (the author still sees it), never lost.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Screening:
    kind: str                      # "post" or "comment"
    fields: dict[str, str]         # text fields, e.g. {"title": ..., "body": ...}; screeners may rewrite
    hold_reasons: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return bool(self.hold_reasons)


Screener = Callable[[object, Screening], None]
_screeners: list[Screener] = []


def register_screener(fn: Screener) -> Screener:
    if fn not in _screeners:
        _screeners.append(fn)
    return fn


def screen(actor, kind: str, fields: dict[str, str]) -> Screening:
    result = Screening(kind=kind, fields=dict(fields))
    for screener in _screeners:
        screener(actor, result)
    return result
