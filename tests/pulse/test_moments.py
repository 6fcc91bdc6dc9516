"""美好时刻, share pages and cards, the embeddable widget and its admin-only settings."""
from __future__ import annotations

import io

from PIL import Image

from community.core import clock
from community.extensions import db
from community.feedback import services as feedback
from community.pulse import cards, moments
from community.roadmap import services as roadmap
from tests.pulse.conftest import T0


def _good_news(dataset, make):
    admin = make.user("admin")
    items = dataset["items"]
    with clock.frozen(T0):
        for voter in [make.user() for _ in range(3)]:
            feedback.set_vote(voter, items["b"], True)  # b is resolved this week
        item = roadmap.create_item(admin, title="车机支持无线 CarPlay", status="planned")
        roadmap.link_feedback(admin, item, items["c"])
        roadmap.change_status(admin, item, "in_development")
        roadmap.change_status(admin, item, "shipped")
        db.session.commit()
    return admin, item


def test_moments_feed_and_share_pages(app, client, dataset, make):
    app.config["PULSE_MOMENT_MIN_VOTES"] = 3
    admin, item = _good_news(dataset, make)
    with clock.frozen(T0):
        feed = moments.recent_moments()
        html = client.get("/pulse").get_data(as_text=True)
        share = client.get(f"/pulse/moments/shipped/{item.id}").get_data(as_text=True)
        resolved = client.get(f"/pulse/moments/resolved/{dataset['items']['b'].id}")
        png = client.get(f"/pulse/moments/shipped/{item.id}.png")
        assert client.get(f"/pulse/moments/resolved/{dataset['items']['e'].id}").status_code == 404  # not resolved
        assert client.get(f"/pulse/moments/resolved/{dataset['items']['f'].id}").status_code == 404  # hidden
        assert client.get("/pulse/moments/replied/100").status_code == 404  # not reached yet
        assert client.get("/pulse/moments/nope/1").status_code == 404
    assert {m.kind for m in feed} == {"shipped", "resolved"}
    assert "美好时刻" in html and "车机支持无线 CarPlay" in html
    assert '<meta property="og:image" content="http://localhost/pulse/moments/shipped/' in share
    assert 'property="og:title" content="用户建议已上线：车机支持无线 CarPlay' in share
    assert resolved.status_code == 200 and "已解决" in resolved.get_data(as_text=True)
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert Image.open(io.BytesIO(png.data), formats=["PNG"]).size == (1200, 630)


def test_milestones_count_answered_items(app, dataset, monkeypatch):
    monkeypatch.setattr(moments, "MILESTONES", (2, 3, 10))
    with clock.frozen(T0):
        feed = {m.kind: m for m in moments.recent_moments()}
        assert moments.get_moment("replied", 3).title == "第 3 条反馈已获官方回复"
    assert feed["replied"].key == 3 and feed["received"].key == 3  # 4 answered, 5 received: 3 is the last reached


def test_share_card_without_a_cjk_font_is_still_a_card(monkeypatch):
    monkeypatch.setattr(cards, "FONT_CANDIDATES", ())
    cards._font_path.cache_clear()
    try:
        png = cards.render("没有字体也能画", "描述", "共创社区", font_path="/nonexistent.ttf")
    finally:
        cards._font_path.cache_clear()
    assert Image.open(io.BytesIO(png), formats=["PNG"]).size == (1200, 630)


def test_embed_widget_may_be_framed_only_by_listed_origins(client, dataset, make):
    admin = make.user("admin")
    member = dataset["member"]
    db.session.commit()
    response = client.get("/pulse/embed")
    assert response.status_code == 200 and "X-Frame-Options" not in response.headers
    assert "frame-ancestors 'self';" in response.headers["Content-Security-Policy"]
    assert client.get("/pulse").headers["X-Frame-Options"] == "DENY"  # other pages stay unframeable

    assert client.get("/pulse/settings").status_code == 404  # anonymous
    client.login_as(member)
    assert client.get("/pulse/settings").status_code == 404
    admin_client = client.application.test_client()
    admin_client.login_as(admin)
    assert admin_client.get("/pulse/settings").status_code == 200
    assert admin_client.post("/pulse/settings", data={"embed_origins": "https://www.example.com"}).status_code == 400
    bad = admin_client.post_form("/pulse/settings", data={"embed_origins": "https://ok.example.com\njavascript:alert(1)"})
    assert bad.status_code == 422 and "javascript:alert(1)" in bad.get_data(as_text=True)
    ok = admin_client.post_form("/pulse/settings",
                                data={"embed_origins": "https://www.Example.com/\nhttp://localhost:8080"})
    assert ok.status_code == 302
    csp = admin_client.get("/pulse/embed").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.example.com http://localhost:8080;" in csp
