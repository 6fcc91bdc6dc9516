"""Content screening hook: moderation registers screeners; every service that stores text a member
wrote calls screen(), on create and on edit (posts, comments, trial-report fields, profile fields).

A screener may rewrite text (e.g. replace sensitive words) or ask to hold the content for
review. Held content is saved hidden (the author still sees it), never lost. An edit is
screened like a new text (`is_edit`: a rate limit on new contributions does not apply).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Screening:
    kind: str                      # "post", "comment" or "profile"
    fields: dict[str, str]         # text fields, e.g. {"title": ..., "body": ...}; screeners may rewrite
    hold_reasons: list[str] = field(default_factory=list)
    is_edit: bool = False

    @property
    def held(self) -> bool:
        return bool(self.hold_reasons)


Screener = Callable[[object, Screening], None]
_screeners: list[Screener] = []


def register_screener(fn: Screener) -> Screener:
    if fn not in _screeners:
        _screeners.append(fn)
    return fn


def screen(actor, kind: str, fields: dict[str, str], *, is_edit: bool = False) -> Screening:
    result = Screening(kind=kind, fields={k: v for k, v in fields.items() if v is not None}, is_edit=is_edit)
    for screener in _screeners:
        screener(actor, result)
    return result
