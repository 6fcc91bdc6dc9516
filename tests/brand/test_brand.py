"""An admin gives the community the brand's own name, colour, logo, icon and footer links."""
from __future__ import annotations

import io

from community.extensions import db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _save(client, **fields):
    data = {"name": "极光车友社区", "name_en": "Aurora Owners", "primary_color": "#1d4ed8",
            "footer_links": "官网 | https://aurora.example\n隐私政策 | https://aurora.example/privacy"}
    data.update(fields)
    return client.post_form("/admin/brand", data, content_type="multipart/form-data")


def test_an_admin_sets_the_brand_and_every_page_uses_it(client, make):
    admin = make.user("admin")
    db.session.commit()
    client.login_as(admin)
    r = _save(client, logo=(io.BytesIO(PNG), "logo.png"), favicon=(io.BytesIO(PNG), "icon.png"))
    assert r.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "<title>首页 · 极光车友社区</title>" in html
    assert 'class="brand-logo" src="/brand/logo?v=' in html and 'rel="icon" href="/brand/favicon?v=' in html
    assert '<a href="https://aurora.example/privacy" rel="noopener">隐私政策</a>' in html
    css_url = html.split('<link rel="stylesheet" href="/brand/theme.css')[1].split('"')[0]
    css = client.get("/brand/theme.css" + css_url.replace("&amp;", "&")).get_data(as_text=True)
    assert "--brand: #1d4ed8" in css
    logo = client.get("/brand/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data == PNG
    client.set_cookie("locale", "en")
    assert "<title>Home · Aurora Owners</title>" in client.get("/").get_data(as_text=True)
    audit = client.get("/staff/audit").get_data(as_text=True)
    assert "修改了品牌设置" in audit or "changed the brand settings" in audit


def test_a_colour_too_light_for_white_text_is_refused_with_the_input_kept(client, make):
    admin = make.user("admin")
    db.session.commit()
    client.login_as(admin)
    r = _save(client, primary_color="#ffe680")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "这个颜色太浅" in html and "4.5:1" in html and 'value="极光车友社区"' in html


def test_svg_or_unknown_images_are_refused(client, make):
    admin = make.user("admin")
    db.session.commit()
    client.login_as(admin)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    r = _save(client, logo=(io.BytesIO(svg), "logo.svg"))
    assert r.status_code == 422 and "PNG" in r.get_data(as_text=True)
    assert client.get("/brand/logo").status_code == 404


def test_only_admins_see_the_brand_settings(client, make):
    for role in ("member", "staff", "moderator"):
        client.login_as(make.user(role))
        db.session.commit()
        assert client.get("/admin/brand").status_code == 404
        assert _save(client).status_code == 404


def test_the_demo_brand_uses_its_own_look(app):
    from community.brand.services import current_brand
    from community.demo.seed import _brand_look

    _brand_look()
    db.session.commit()
    brand = current_brand()
    assert brand.name == "极光车友社区" and brand.primary_color == "#1447a6" and len(brand.footer_links) == 3
