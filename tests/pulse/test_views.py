"""The public dashboard through the HTTP client and the Socket.IO test client."""
from __future__ import annotations

import re

from community.core import clock
from community.extensions import db
from community.feedback import services as feedback
from tests.pulse.conftest import T0
from tests.realtime.conftest import live  # noqa: F401  (the Socket.IO client fixture)


def test_pulse_page_shows_counters_scoreboard_charts_and_tables(client, dataset):
    with clock.frozen(T0):
        html = client.get("/pulse").get_data(as_text=True)
    assert "成长看板" in html and "今日收到反馈" in html
    assert 'data-pulse-counter="received_all_time">5<' in html
    shown = re.findall(r'data-pulse-counter="replied_within_24h_30d">[^<]*<', html)
    assert shown == ['data-pulse-counter="replied_within_24h_30d">50%<'], shown
    assert "车机软件部" in html and "售后服务部" in html
    assert "数据更新于" in html
    assert "vendor/chart.umd.min.js" in html and "js/pulse.js" in html
    assert html.count("<caption>") == 2  # an accessible table beneath each chart
    assert "较前 30 天上升" in html  # the backlog's arrow says so in words


def test_scoreboard_sorts_and_product_page_filters(client, dataset):
    with clock.frozen(T0):
        html = client.get("/pulse?sort=open_backlog&order=desc").get_data(as_text=True)
        assert html.index("车机软件部", html.index("pulse-table")) < html.index("售后服务部", html.index("pulse-table"))
        assert 'aria-sort="descending"' in html
        html = client.get("/pulse/products/es7").get_data(as_text=True)
        assert 'data-pulse-counter="received_all_time">1<' in html
        assert client.get("/pulse/products/no-such-car").status_code == 404
        assert client.get("/pulse?sort=%3Cscript%3E").status_code == 200


def test_chart_json_and_api(client, dataset):
    with clock.frozen(T0):
        weekly = client.get("/pulse/charts/weekly.json").get_json()["items"]
        times = client.get("/pulse/charts/response-times.json?product=es7").get_json()["items"]
        api = client.get("/api/v1/pulse").get_json()
        assert client.get("/api/v1/pulse?product=nope").status_code == 404
    assert len(weekly) == 12 and weekly[-1] == {"week": "2026-03-02", "received": 2, "resolved": 1}
    assert sum(w["received"] for w in weekly) == 5
    assert times[-1] == {"week": "2026-03-02", "p50_seconds": 1800, "p90_seconds": 1800}
    assert api["counters"]["received_all_time"] == 5
    assert {d["name"] for d in api["departments"]} == {"车机软件部", "售后服务部"}
    assert api["counters"]["computed_at"].endswith("Z")
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "/pulse" in doc["paths"]


def test_nav_links_the_dashboard_and_home_shows_its_summary(client, dataset):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/pulse"' in html and "pulse-summary" in html


def test_an_official_reply_pushes_the_new_counters_to_the_public_room(app, client, dataset, live):  # noqa: F811
    sock = live(app.test_client())
    assert sock.join("public")["ok"]
    sock.received()  # drop anything earlier
    c = dataset["items"]["c"]
    feedback.post_official_reply(dataset["contact"], c, "我们来看看")
    db.session.commit()
    pushes = [e["args"][0] for e in sock.received("pulse.counters")]
    assert pushes, "no pulse.counters push"
    assert pushes[-1]["official_replies_today"] >= 1
    assert pushes[-1]["display"]["zh_CN"]["received_all_time"] == "5"
    assert set(pushes[-1]["display"]) == {"zh_CN", "en"}
