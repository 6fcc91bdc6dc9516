"""The embeddable widget's settings: which origins may frame /pulse/embed (admin only)."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from community.core import clock, permissions
from community.core.errors import PermissionDenied, ValidationFailed
from community.extensions import db
from community.pulse.models import PulseSettings

MAX_ORIGINS = 20
# scheme://host[:port], nothing after: what CSP frame-ancestors compares against.
ORIGIN = re.compile(r"^https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                    r"(?::[0-9]{1,5})?$")


def _settings() -> PulseSettings | None:
    return db.session.get(PulseSettings, 1)


def embed_origins() -> list[str]:
    row = _settings()
    return [o for o in (row.embed_origins.split() if row else []) if ORIGIN.match(o)]


def parse_origins(text: str) -> list[str]:
    origins, bad = [], []
    for raw in (text or "").replace(",", "\n").split():
        origin = raw.strip().rstrip("/").lower()
        if not origin:
            continue
        host = origin.split("://", 1)[-1]
        if not ORIGIN.match(origin) or (":" in host and int(host.rsplit(":", 1)[1]) > 65535):
            bad.append(raw[:80])
        elif origin not in origins:
            origins.append(origin)
    if bad:
        raise ValidationFailed(fields={"embed_origins": _l(
            "Not an origin: %(bad)s. Write one like https://www.example.com (no path, no wildcard).",
            bad=", ".join(bad[:3]))})
    if len(origins) > MAX_ORIGINS:
        raise ValidationFailed(fields={"embed_origins": _l("List at most 20 origins.")})
    return origins


def set_embed_origins(actor, text: str) -> list[str]:
    if not permissions.is_admin(actor):
        raise PermissionDenied()
    origins = parse_origins(text)
    row = _settings()
    if row is None:
        row = PulseSettings(id=1)
        db.session.add(row)
    row.embed_origins = "\n".join(origins)
    row.updated_at = clock.now()
    db.session.flush()
    return origins


def frame_ancestors() -> str:
    origins = embed_origins()
    return " ".join(["'self'", *origins])
