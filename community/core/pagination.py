"""Offset pagination shared by pages and the API."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import func, select

from community.extensions import db

MAX_PER_PAGE = 100


def clamp_page(value, default: int = 1) -> int:
    try:
        page = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return max(1, min(page, 10_000))


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, size: int = 2):
        """Page numbers to show around the current one, with None for gaps."""
        shown, last = [], 0
        for n in range(1, self.pages + 1):
            if n <= 1 or n > self.pages - 1 or abs(n - self.page) <= size:
                if last and n - last > 1:
                    shown.append(None)
                shown.append(n)
                last = n
        return shown


def paginate(stmt, page: int, per_page: int, *, count_stmt=None) -> Page:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    if count_stmt is None:
        count_stmt = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = db.session.execute(count_stmt).scalar_one()
    items = list(db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).scalars())
    return Page(items=items, page=page, per_page=per_page, total=total)
