"""The search outbox: which documents to re-index, durable in the writer's own transaction."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from community.core import clock
from community.extensions import db


class SearchOutbox(db.Model):
    """One row per changed post or comment key, inserted in the same transaction as the change.

    The indexer deletes the rows it has written. A process killed between commit and indexing
    (kill -9 loses the in-memory queue) leaves them here; the next drain (at server start and
    periodically) indexes them, so the index never silently drifts.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
