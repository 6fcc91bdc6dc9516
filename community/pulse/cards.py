"""Share cards: a 1200×630 PNG per growth moment (Open Graph's size), drawn with Pillow.

Chinese text needs a CJK font: PULSE_CARD_FONT, else the first of FONT_CANDIDATES present
(Debian: fonts-wqy-microhei or fonts-noto-cjk). Without one the card is drawn without text
rather than with boxes for every character.
"""
from __future__ import annotations

import io
import logging
import os
import threading
from collections import OrderedDict
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

SIZE = (1200, 630)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
MAX_CACHED = 256
_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()


@lru_cache(maxsize=8)
def _font_path(configured: str | None) -> str | None:
    for path in ((configured,) if configured else ()) + FONT_CANDIDATES:
        if path and os.path.exists(path):
            return path
    log.warning("no CJK font found for share cards; they are drawn without text")
    return None


def _font(path: str | None, size: int):
    return ImageFont.truetype(path, size) if path else None


def _wrap(draw, text: str, font, width: int, max_lines: int) -> list[str]:
    """Break by characters (Chinese has no spaces), keeping Latin words whole when they fit."""
    lines, line = [], ""
    for ch in text:
        trial = line + ch
        if draw.textlength(trial, font=font) <= width:
            line = trial
            continue
        if " " in line and not ch.isspace() and ch.isascii():
            head, _sep, tail = line.rpartition(" ")
            lines.append(head)
            line = tail + ch
        else:
            lines.append(line)
            line = ch.lstrip()
        if len(lines) == max_lines:
            break
    if len(lines) < max_lines and line:
        lines.append(line)
    if len(lines) == max_lines and "".join(lines) != text.replace("\n", ""):
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _hex(color: str, fallback=(22, 119, 255)) -> tuple[int, int, int]:
    try:
        value = color.lstrip("#")
        return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))
    except (ValueError, AttributeError):
        return fallback


def render(title: str, description: str, site_name: str, *, color: str = "#1677ff",
           font_path: str | None = None) -> bytes:
    key = (title, description, site_name, color, font_path)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = _draw(title, description, site_name, _hex(color), _font_path(font_path))
    with _lock:
        _cache[key] = data
        while len(_cache) > MAX_CACHED:
            _cache.popitem(last=False)
    return data


def _draw(title, description, site_name, rgb, path) -> bytes:
    image = Image.new("RGB", SIZE, (250, 251, 253))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, SIZE[0], 24], fill=rgb)
    draw.rectangle([0, SIZE[1] - 12, SIZE[0], SIZE[1]], fill=rgb)
    # A rising bar chart: the dashboard's "growing" motif, drawn whatever the font.
    for i, height in enumerate((60, 95, 130, 175, 230)):
        x = SIZE[0] - 330 + i * 58
        draw.rounded_rectangle([x, SIZE[1] - 70 - height, x + 40, SIZE[1] - 70], radius=6, fill=rgb)
    if path:
        title_font, body_font, small_font = _font(path, 64), _font(path, 34), _font(path, 30)
        y = 80
        for line in _wrap(draw, title, title_font, 1040, 3):
            draw.text((80, y), line, font=title_font, fill=(20, 24, 31))
            y += 84
        y += 16
        for line in _wrap(draw, description, body_font, 700, 3):
            draw.text((80, y), line, font=body_font, fill=(75, 85, 99))
            y += 48
        draw.text((80, SIZE[1] - 90), site_name, font=small_font, fill=rgb)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
