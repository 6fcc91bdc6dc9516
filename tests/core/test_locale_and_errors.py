"""Locale choice and error pages in the user's language, as HTML and as JSON."""
from __future__ import annotations

import pytest


def test_chinese_is_the_default_locale(client):
    html = client.get("/").get_data(as_text=True)
    assert 'lang="zh-CN"' in html


def test_english_from_accept_language_and_cookie_switch(client):
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    r = client.get("/locale?locale=en&next=/products")
    assert r.status_code == 302 and r.headers["Location"] == "/products"
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    r = client.get("/locale?locale=zh_CN&next=//evil.example")
    assert r.headers["Location"] == "/"
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)


def test_account_language_setting_applies_and_the_switch_overrides_it(client, make):
    client.login_as(make.user())
    client.post_form("/settings", {"action": "profile", "display_name": "老王", "locale": "en"})
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    client.get("/locale?locale=zh_CN&next=/")
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("path,status", [("/no/such/page", 404), ("/posts/abc", 404), ("/api/v1/nothing", 404)])
def test_not_found_pages(client, path, status):
    r = client.get(path)
    assert r.status_code == status
    if path.startswith("/api/"):
        assert r.get_json()["error"]["code"] == "not_found"
    else:
        assert "<html" in r.get_data(as_text=True)


def test_too_large_request_is_a_413_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    r = client.post("/login", data={"login": "x" * 5000, "password": "y"})
    assert r.status_code == 413 and "<html" in r.get_data(as_text=True)


def test_unexpected_errors_become_a_friendly_500(app, client):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret internals")

    r = client.get("/boom-for-test")
    body = r.get_data(as_text=True)
    assert r.status_code == 500 and "secret internals" not in body and "Traceback" not in body


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"


def test_template_translations_follow_force_locale(app):
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        template = "{{ _('Home') }}"
        assert render_template_string(template) == "首页"
        with force_locale("en"):
            assert render_template_string(template) == "Home"
        assert render_template_string(template) == "首页"
