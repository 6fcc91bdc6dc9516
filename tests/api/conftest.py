"""API test helpers: a JSON client that checks every answer against the OpenAPI document."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from openapi_schema_validator import OAS31Validator, oas31_format_checker

from community.accounts import services as accounts
from community.api import openapi
from community.core.database import write_intent
from community.extensions import db

PREFIX = "/api/v1"


def openapi_paths(rule: str) -> list[str]:
    """/api/v1/posts/<int:post_id> → [/posts/{post_id}]; an any(a, b) converter gives one path per literal."""
    choice = re.compile(r"<any\(([^)]*)\):[^>]+>")
    pending, done = [rule[len(PREFIX):]], []
    while pending:
        path = pending.pop()
        match = choice.search(path)
        if match is None:
            done.append(re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", path))
            continue
        for literal in match.group(1).split(","):
            pending.append(path[:match.start()] + literal.strip().strip("'\"") + path[match.end():])
    return done


def openapi_path(rule: str, url: str) -> str:
    """The documented path of `rule` that `url` matches (for any() converters, the literal used)."""
    candidates = openapi_paths(rule)
    if len(candidates) == 1:
        return candidates[0]
    tail = url[len(PREFIX):].split("?")[0].split("/")
    return next(c for c in candidates
                if all(a == b or a.startswith("{") for a, b in zip(c.split("/"), tail)))


class ApiClient:
    """Sends JSON (session with X-CSRFToken, or a bearer token) and validates the response.

    Each answer must be documented for its path, method and status, and its body must match
    the documented schema: the serializers and openapi.json cannot drift apart.
    """

    def __init__(self, app, user=None, *, token: str | None = None):
        self.app = app
        self.client = app.test_client()
        self.token = token
        self.user = user
        if user is not None and token is None:
            self.client.login_as(user)

    def request(self, method: str, url: str, json=None, *, csrf: bool = True, headers=None, data=None):
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif csrf and method not in ("GET", "HEAD") and self.user is not None:
            headers["X-CSRFToken"] = self.client.csrf_token()
        kwargs = {"json": json} if data is None else {"data": data}
        response = self.client.open(PREFIX + url, method=method, headers=headers, **kwargs)
        check_documented(self.app, method, PREFIX + url, response)
        return response

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def post(self, url, json=None, **kw):
        return self.request("POST", url, json, **kw)

    def put(self, url, json=None, **kw):
        return self.request("PUT", url, json, **kw)

    def patch(self, url, json=None, **kw):
        return self.request("PATCH", url, json, **kw)

    def delete(self, url, **kw):
        return self.request("DELETE", url, **kw)


def check_documented(app, method: str, url: str, response) -> None:
    from werkzeug.exceptions import HTTPException

    path = url.split("?")[0]
    try:
        rule, _args = app.url_map.bind("localhost").match(path, method=method, return_rule=True)
    except HTTPException:
        return  # unknown path or method: nothing documented to compare with
    document = openapi.build()
    operation = document["paths"][openapi_path(rule.rule, url)][method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, (
        f"{method} {rule.rule} answered {response.status_code}, which its OpenAPI entry does not list: "
        f"{response.get_data(as_text=True)[:300]}")
    schema = documented.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        assert not response.get_data(), "undocumented body"
        return
    root = {**schema, "components": document["components"]}
    OAS31Validator(root, format_checker=oas31_format_checker).validate(response.get_json())


@contextmanager
def writing():
    """Write from the test thread like a request does: BEGIN IMMEDIATE, queueing on the busy timeout.

    The app fixture's session reads without the write lock; a read snapshot that later writes
    fails at once if a background job (search, live counters) committed meanwhile.
    """
    db.session.commit()
    token = write_intent.set(True)
    try:
        yield
        db.session.commit()
    finally:
        write_intent.reset(token)


@pytest.fixture
def api(app):
    """api(user=None, token=None) → ApiClient; a fresh client per caller."""
    def make_client(user=None, *, token=None):
        return ApiClient(app, user, token=token)
    return make_client


@pytest.fixture
def token_for(app):
    def create(user, name="test"):
        with writing():
            _row, raw = accounts.create_api_token(user, name)
        return raw
    return create


@pytest.fixture
def world(make):
    """Two departments, each with a category and a contact; a member's feedback in the first."""
    with writing():
        w = make.world()
        other_dept = make.department(slug="chassis", name="底盘部")
        w["other_category"] = make.category(other_dept, slug="chassis-ride", name="底盘与驾乘")
        w["other_dept"] = other_dept
        w["other_staff"] = make.staff(other_dept, title="李工")
        w["moderator"] = make.user("moderator")
        w["product"] = make.product(slug="es7", name="极光 ES7")
    return w
