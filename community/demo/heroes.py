"""Demo hero images for the product pages, drawn at seed time (no binary files in the repository):
a sky gradient in the product's colours and a simple car silhouette; the page overlays the text."""
from __future__ import annotations

import io

from PIL import Image, ImageDraw

SIZE = (1600, 900)
COLOURS = {  # sky top, sky bottom, body
    "es7": ((18, 52, 86), (92, 154, 196), (236, 240, 244)),
    "et5": ((58, 20, 76), (196, 110, 140), (30, 34, 40)),
    "es5": ((12, 70, 60), (120, 196, 170), (250, 250, 250)),
    "et7": ((20, 22, 30), (96, 104, 128), (176, 140, 90)),
    "em9": ((40, 60, 40), (170, 196, 150), (60, 66, 80)),
}


def hero_webp(slug: str, *, suv: bool) -> bytes:
    top, bottom, body = COLOURS.get(slug, COLOURS["es7"])
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    for y in range(height):
        t = y / (height - 1)
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    ground = int(height * 0.78)
    draw.rectangle([0, ground, width, height], fill=tuple(int(c * 0.45) for c in bottom))
    roof = ground - (330 if suv else 270)
    left, right = 330, 1330
    draw.polygon([(left, ground - 40), (left + 40, ground - 150), (left + 260, roof + 20), (left + 380, roof),
                  (right - 330, roof), (right - 170, ground - 170), (right - 10, ground - 130), (right, ground - 40)],
                 fill=body)
    window = tuple(min(255, int(c * 0.55 + 60)) for c in top)
    draw.polygon([(left + 290, roof + 35), (left + 395, roof + 18), (right - 345, roof + 18), (right - 215, ground - 175),
                  (left + 180, ground - 175)], fill=window)
    for x in (left + 190, right - 200):
        draw.ellipse([x - 95, ground - 140, x + 95, ground + 50], fill=(24, 24, 28))
        draw.ellipse([x - 50, ground - 95, x + 50, ground + 5], fill=(150, 154, 160))
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=80)
    return out.getvalue()
