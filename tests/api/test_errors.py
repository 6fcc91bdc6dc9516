"""Every error under /api/ is a JSON body {"error": {"code", "message", "fields"?}} with the right status."""
from __future__ import annotations


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


def test_unknown_api_path_is_a_json_404(api):
    _error(api().get("/no-such-thing"), 404, "not_found")
    _error(api().get("/posts/999999"), 404, "not_found")


def test_wrong_method_is_a_json_405(api):
    _error(api().request("DELETE", "/categories"), 405, "method_not_allowed")


def test_malformed_json_is_a_json_400(api, world, token_for):
    client = api(token=token_for(world["member"]))
    r = client.post("/posts", data="{not json", headers={"Content-Type": "application/json"})
    _error(r, 400, "invalid_json")
    _error(client.post("/posts", [1, 2, 3]), 400, "invalid_json")  # JSON, but not an object


def test_forbidden_is_a_json_403(api, world):
    _error(api(world["member"]).post(f"/posts/{world['post'].id}/status", {"status": "resolved"}), 403, "forbidden")


def test_conflict_is_a_json_409(api, world):
    r = api(world["member"]).post(f"/posts/{world['post'].id}/confirm")
    _error(r, 409, "invalid_transition")  # the author can only confirm a resolved item


def test_validation_is_a_json_422_with_fields(api, world):
    client = api(world["member"])
    error = _error(client.post("/posts", {"kind": "feedback", "title": ["x"], "body": 42}), 422, "invalid")
    assert set(error["fields"]) == {"title", "body"}  # wrong JSON types, named per field
    error = _error(client.post("/posts", {"kind": "feedback", "title": "", "body": "短"}), 422, "invalid")
    assert set(error["fields"]) == {"title", "body", "category", "type"}  # every rule at once


def test_too_large_body_is_a_json_413(app, api, world, token_for):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    for client in (api(token=token_for(world["member"])), api(world["member"])):  # token, then session + CSRF
        r = client.post("/posts", {"kind": "discussion", "title": "很长的帖子", "body": "长" * 5000,
                                   "category": world["category"].slug})
        _error(r, 413, "too_large")


def test_unexpected_failure_is_a_json_500_without_a_trace(api, world, monkeypatch):
    from community.routing import services

    def broken():
        raise RuntimeError("database exploded: secret details")

    monkeypatch.setattr(services, "list_categories", broken)
    r = api().get("/categories")
    error = _error(r, 500, "server_error")
    assert "secret details" not in r.get_data(as_text=True) and "Traceback" not in error["message"]


def test_error_messages_follow_the_callers_language(api):
    message = api().get("/me", headers={"Accept-Language": "en"}).get_json()["error"]["message"]
    assert message == "Please log in first."
