"""Brand settings: read once per request, changed by admins only, colours checked for contrast."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from community.audit.services import record_audit
from community.brand.models import BrandSettings
from community.core import clock, permissions
from community.core.errors import NotFound, ValidationFailed
from community.core.text import normalize
from community.extensions import db
from community.i18n import localized_name

DEFAULT_COLOR = "#0b6e4f"
MAX_IMAGE_BYTES = 512 * 1024
MAX_FOOTER_LINKS = 8
# Sniffed from the bytes, never from the upload's name or claimed type (no SVG: it can carry script).
IMAGE_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
                    (b"\x00\x00\x01\x00", "image/x-icon"), (b"RIFF", "image/webp"))
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass
class Brand:
    name: str = ""
    name_en: str = ""
    primary_color: str = DEFAULT_COLOR
    footer_links: list = field(default_factory=list)
    has_logo: bool = False
    has_favicon: bool = False
    version: str = "0"

    @property
    def local_name(self) -> str:
        return localized_name(self.name, self.name_en)

    @property
    def primary_dark(self) -> str:
        return shade(self.primary_color, 0.8)


def current_brand() -> Brand:
    if has_request_context() and "brand" in g:
        return g.brand
    row = db.session.get(BrandSettings, 1)
    brand = Brand() if row is None else Brand(
        name=row.name, name_en=row.name_en, primary_color=row.primary_color or DEFAULT_COLOR,
        footer_links=list(row.footer_links or []), has_logo=bool(row.logo), has_favicon=bool(row.favicon),
        version=str(int(row.updated_at.timestamp())))
    if has_request_context():
        g.brand = brand
    return brand


def brand_image(kind: str) -> tuple[bytes, str] | None:
    row = db.session.get(BrandSettings, 1)
    data = getattr(row, kind, None) if row is not None else None
    return (data, getattr(row, f"{kind}_type")) if data else None


# Contrast (WCAG 2.x relative luminance) -------------------------------------------------------

def _luminance(color: str) -> float:
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def shade(color: str, factor: float) -> str:
    return "#" + "".join(f"{int(int(color[i:i + 2], 16) * factor):02x}" for i in (1, 3, 5))


# Changes ----------------------------------------------------------------------------------------

def update_brand(actor, *, name: str, name_en: str, primary_color: str, footer_links: str,
                 logo: bytes | None = None, favicon: bytes | None = None, remove_logo: bool = False,
                 remove_favicon: bool = False) -> BrandSettings:
    """Admins only. `footer_links` is one "label | https://…" per line."""
    if not permissions.is_admin(actor):
        raise NotFound()
    errors = {}
    name, name_en = normalize(name or "")[:40], normalize(name_en or "")[:40]
    color = (primary_color or "").strip() or DEFAULT_COLOR
    if not _HEX.match(color):
        errors["primary_color"] = _l("Use a colour like #0b6e4f.")
    elif contrast_ratio(color, "#ffffff") < 4.5 or contrast_ratio(color, "#f6f7f9") < 4.5:
        # Buttons show white text on it, and links show it on the light page background.
        errors["primary_color"] = _l("This colour is too light: white text on it and links in it would be hard "
                                     "to read (contrast %(ratio).1f:1, at least 4.5:1 is needed). Choose a darker one.",
                                     ratio=contrast_ratio(color, "#ffffff"))
    links = []
    for number, line in enumerate((footer_links or "").splitlines(), 1):
        if not line.strip():
            continue
        label, _sep, url = line.partition("|")
        label, url = normalize(label)[:40], url.strip()
        parts = urlsplit(url)
        if not label or parts.scheme not in ("https", "http") or not parts.netloc:
            errors["footer_links"] = _l("Line %(line)d: write “label | https://…”.", line=number)
            break
        links.append({"label": label, "url": url[:300]})
    if len(links) > MAX_FOOTER_LINKS:
        errors["footer_links"] = _ln("At most %(num)d link.", "At most %(num)d links.", MAX_FOOTER_LINKS)
    images = {}
    for kind, data in (("logo", logo), ("favicon", favicon)):
        if data:
            content_type = next((t for sig, t in IMAGE_SIGNATURES if data.startswith(sig)), None)
            if content_type is None:
                errors[kind] = _l("Upload a PNG, JPEG, WebP or ICO image.")
            elif len(data) > MAX_IMAGE_BYTES:
                errors[kind] = _l("Images can be at most 512 KB.")
            else:
                images[kind] = (data, content_type)
    if errors:
        raise ValidationFailed(fields=errors)
    row = db.session.get(BrandSettings, 1) or BrandSettings(id=1)
    before = {"name": row.name, "name_en": row.name_en, "primary_color": row.primary_color,
              "footer_links": row.footer_links}
    row.name, row.name_en, row.primary_color, row.footer_links = name, name_en, color, links
    for kind, (data, content_type) in images.items():
        setattr(row, kind, data)
        setattr(row, f"{kind}_type", content_type)
    for kind, remove in (("logo", remove_logo), ("favicon", remove_favicon)):
        if remove and kind not in images:
            setattr(row, kind, None)
            setattr(row, f"{kind}_type", "")
    row.updated_at = clock.now()
    db.session.add(row)
    db.session.flush()
    record_audit(actor, "brand.update", "brand", 1, before=before,
                 after={"name": name, "name_en": name_en, "primary_color": color, "footer_links": links})
    if has_request_context():
        g.pop("brand", None)
    return row
