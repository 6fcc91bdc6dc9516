"""The OpenAPI document: valid OpenAPI 3.1, and in step with the routes that exist."""
from __future__ import annotations

from openapi_spec_validator import validate

from tests.api.conftest import PREFIX, openapi_paths

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def test_openapi_document_is_valid_openapi_3_1(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    document = r.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema and reference rules


def test_every_api_route_is_documented_and_every_documented_operation_exists(app, client):
    routes = {
        (path, method.lower())
        for rule in app.url_map.iter_rules() if rule.rule.startswith(PREFIX + "/")
        for path in openapi_paths(rule.rule)
        for method in rule.methods - IGNORED_METHODS
    }
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert routes - documented == set(), "routes missing from openapi.json"
    assert documented - routes == set(), "documented operations without a route"
    assert len(routes) >= 25


def test_route_paths_translate_to_openapi_paths():
    assert openapi_paths("/api/v1/posts/<int:post_id>/vote") == ["/posts/{post_id}/vote"]
    assert sorted(openapi_paths("/api/v1/holds/<int:hold_id>/<any(approve, reject):decision>")) == [
        "/holds/{hold_id}/approve", "/holds/{hold_id}/reject"]


def test_operations_have_unique_ids_and_describe_their_responses(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    for op in operations:
        success = [code for code in op["responses"] if code.startswith("2")]
        assert len(success) == 1, op["operationId"]
        assert "401" in op["responses"] and "500" in op["responses"]
        if "requestBody" in op:
            assert "422" in op["responses"] or "400" in op["responses"], op["operationId"]
