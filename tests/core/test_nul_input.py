"""U+0000 in a path, query, form or JSON body: one clear 400 on both backends (PostgreSQL cannot store it)."""
from __future__ import annotations

import json


def test_nul_in_path_and_query_is_a_clear_400(client, make):
    make.world()
    for url in ("/c/%00", "/search?q=%E7%BB%AD%00", "/?sort=%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "请求中含有不允许的字符" in response.get_data(as_text=True)


def test_nul_in_a_form_keeps_the_data_untouched(client, make):
    w = make.world()
    client.login_as(w["member"])
    response = client.post_form(f"/posts/{w['post'].id}/comments", {"body": "蓝牙\x00断连"})
    assert response.status_code == 400 and "U+0000" in response.get_data(as_text=True)
    assert w["post"].comment_count == 0


def test_nul_in_json_is_invalid_value(client, make):
    w = make.world()
    client.login_as(w["member"])
    body = json.dumps({"body": "续航\u0000"})
    response = client.post(f"/api/v1/posts/{w['post'].id}/comments", data=body, content_type="application/json",
                           headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_value"
