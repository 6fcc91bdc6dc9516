"""One row of brand settings (id 1); images are stored in the row, so a backup carries them."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from community.core import clock
from community.extensions import db


class BrandSettings(db.Model):
    __tablename__ = "brand_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), default="")
    name_en: Mapped[str] = mapped_column(sa.String(40), default="")
    primary_color: Mapped[str] = mapped_column(sa.String(7), default="")
    footer_links: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{"label": …, "url": …}]
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    logo_type: Mapped[str] = mapped_column(sa.String(32), default="")
    favicon: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    favicon_type: Mapped[str] = mapped_column(sa.String(32), default="")
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
