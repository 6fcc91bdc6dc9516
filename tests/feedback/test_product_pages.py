"""Product pages: hero, key specs, the trial-report scorecard and links; admins edit them (audited)."""
from __future__ import annotations

import io

from PIL import Image

from community.audit.models import AuditEntry
from community.extensions import db
from community.feedback import products


def _jpeg_with_gps(size=(2400, 1200)) -> bytes:
    image = Image.new("RGB", size, (10, 110, 80))
    exif = Image.Exif()
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPSInfo: latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_admin_edits_the_product_page_and_members_see_it(client, make):
    make.product(slug="es7", name="极光 ES7")
    admin, member = make.user("admin"), make.user()
    db.session.commit()
    client.login_as(member)
    assert client.get("/admin/products/es7").status_code == 404
    assert client.post_form("/admin/products/es7", {"tagline": "x"}).status_code == 404

    client.login_as(admin)
    bad = client.post_form("/admin/products/es7", {"tagline": "一台车，照顾一家人的远方", "specs": "座位数 only",
                                                    "hero": (io.BytesIO(b"<svg onload=alert(1)>"), "a.svg")},
                           content_type="multipart/form-data")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "一台车，照顾一家人的远方" in page  # the form keeps what was typed
    assert "Line 1" in page or "第 1 行" in page
    ok = client.post_form("/admin/products/es7", {
        "tagline": "一台车，照顾一家人的远方", "tagline_en": "One car for the family", "description": "中大型 SUV",
        "specs": "座位数 | Seats | 5 座\nCLTC 续航 | CLTC range | 660 km",
        "hero": (io.BytesIO(_jpeg_with_gps()), "hero.jpg")}, content_type="multipart/form-data")
    assert ok.status_code == 302
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "product.edit")).scalar_one()

    client.login_as(member)
    page = client.get("/p/es7").get_data(as_text=True)
    assert "一台车，照顾一家人的远方" in page and "660 km" in page and "座位数" in page
    assert "/p/es7/hero" in page and "/roadmap?product=es7" in page
    hero = client.get("/p/es7/hero")
    assert hero.status_code == 200 and hero.mimetype == "image/webp"
    with Image.open(io.BytesIO(hero.data)) as served:
        assert served.format == "WEBP" and served.width == products.HERO_MAX_SIDE
        assert not served.getexif()  # GPS and every other EXIF tag are gone
    client.set_cookie("locale", "en")
    english = client.get("/p/es7").get_data(as_text=True)
    assert "One car for the family" in english and "CLTC range" in english
    assert "product-thumb" in client.get("/products").get_data(as_text=True)


def test_a_product_without_profile_still_has_a_page(client, make):
    make.product(slug="et5", name="极光 ET5")
    db.session.commit()
    page = client.get("/p/et5").get_data(as_text=True)
    assert "极光 ET5" in page and "product-hero" in page and "Key specs" not in page and "关键参数" not in page
    assert client.get("/p/et5/hero").status_code == 404


def test_a_decompression_bomb_is_refused(app, make):
    from community.core.errors import ValidationFailed
    from community.core.images import clean_image

    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, format="PNG")  # tiny file, 144 megapixels
    try:
        clean_image(out.getvalue(), field="hero", max_bytes=8 * 2**20, max_side=1600)
    except ValidationFailed as exc:
        assert "hero" in exc.fields
    else:
        raise AssertionError("a 144-megapixel image was accepted")
