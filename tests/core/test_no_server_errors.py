"""No input answers 500: every route, every path slot, query argument and form field, fed odd values.

The values are the classes a fuzz found: ids past the database's integer range, Unicode
digits, non-numbers, out-of-range dates, empty and repeated fields, controls. Each route is
asked as an anonymous visitor and as an administrator (who reaches every staff form).
"""
from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from community.extensions import db

PATH_VALUES = ("9223372036854775808", "2147483648", "99999999999999999999999", "²", "٣", "0", "-1", "1", "abc",
               "%00", "用户", "a" * 300)
QUERY_VARIANTS = (
    {"page": "²", "per_page": "٣", "after_id": "²", "category": "²", "product": "٣", "department": "²"},
    {"page": "9" * 30, "per_page": "9" * 30, "after_id": "9223372036854775808", "category": "9" * 30,
     "department": "2147483648", "assignee": "9" * 30, "comment": "9223372036854775808"},
    {"from": "9999-12-31", "to": "9999-12-31", "since": "0001-01-01", "until": "9999-99-99", "date": "２０２６-01-01"},
    {"q": "\x00\u202e" + "(" * 200, "sort": "\x00", "status": "x" * 500, "tab": "../../etc", "kind": "[]",
     "type": "{}", "tag": "%", "show": "all", "unread": "²", "next": "//evil.example"},
    "q=%ED%A0%80&title=%FF%FE&page=%00&from=%ED%A0%80",  # invalid UTF-8, raw
    {"page": "", "per_page": "", "q": "", "from": "", "to": ""},
)
FORM_FIELDS = ("action", "after_id", "body", "category", "category_ids", "comment", "current_password", "days",
               "department_id", "description", "display_name", "first_response_hours", "internal", "kind", "locale",
               "login", "name", "name_en", "new_password", "note", "note_body", "parent_id", "password", "product",
               "q", "reason", "remember", "remove", "resolution_days", "role", "scopes", "score", "slug", "status",
               "tags", "target_id", "title", "to_user", "type", "username", "word", "words", "token_id",
               "session_id", "ids", "post_ids", "flag_ids", "until", "outcome", "email", "assignee_id", "user_id",
               "hold_id", "expires_in_days", "rating_overall", "version", "pros", "cons", "feedback_type")
FORM_VALUES = ("9223372036854775808", "²", "abc", "", "-1", "9999-12-31", "\x00")
SKIP_POST = {"/logout"}


def _fill(rule, value: str) -> str:
    def slot(match):
        converter = match.group(1) or ""
        if converter.startswith("any("):
            return converter[4:-1].split(",")[0].strip().strip("'\"")
        return value

    return re.sub(r"<(?:([^:>]+):)?[^>]+>", slot, rule.rule)


def _rules(app, method):
    return [r for r in app.url_map.iter_rules()
            if method in r.methods and r.endpoint != "static" and not r.rule.startswith("/api/")]


@pytest.fixture
def callers(app, make):
    world = make.world()
    admin = make.user("admin")
    db.session.commit()
    return {"anonymous": app.test_client(), "admin": app.test_client().login_as(admin), "world": world}


def _assert_no_5xx(results):
    failures = [f"{status} {method} {url}" for method, url, status in results if status >= 500]
    assert not failures, "\n".join(failures[:40])


def test_every_get_route_survives_odd_path_values(app, callers):
    results = []
    for name in ("anonymous", "admin"):
        client = callers[name]
        for rule in _rules(app, "GET"):
            for value in PATH_VALUES if rule.arguments else ("",):
                url = _fill(rule, value)
                results.append(("GET", url, client.get(url).status_code))
    _assert_no_5xx(results)


def test_every_get_route_survives_odd_query_arguments(app, callers):
    results = []
    for name in ("anonymous", "admin"):
        client = callers[name]
        for rule in _rules(app, "GET"):
            url = _fill(rule, "1")
            for query in QUERY_VARIANTS:
                results.append(("GET", f"{url}?{query}", client.get(url, query_string=query).status_code))
    _assert_no_5xx(results)


def test_every_form_survives_odd_field_values(app, callers):
    client = callers["admin"]
    results = []
    for rule in _rules(app, "POST"):
        if rule.rule in SKIP_POST:
            continue
        for path_value in ("1", "2147483648"):
            url = _fill(rule, path_value)
            for value in FORM_VALUES:
                form = {field: value for field in FORM_FIELDS}
                results.append(("POST", f"{url} [{value!r}]", client.post_form(url, form).status_code))
            # Repeated fields (lists where one value is expected).
            form = MultiDict([(field, v) for field in FORM_FIELDS for v in ("1", "²")])
            form.add("csrf_token", client.csrf_token())
            results.append(("POST", f"{url} [repeated]", client.post(url, data=form).status_code))
    _assert_no_5xx(results)
