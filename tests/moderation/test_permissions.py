"""The permission matrix of docs/permissions.md, role × action × channel (page and JSON API).

Expected answers: "ok" (the action happened), 404 (the thing does not exist for this role),
403 (visible but not allowed), 401 (needs an account: pages redirect to the login page).
The staff console answers 404 to anonymous visitors too, without a login redirect that would
reveal it; the JSON API answers 401 to every anonymous write before looking at anything.
"""
from __future__ import annotations

import pytest

from community.audit.models import AuditEntry
from community.core.errors import PermissionDenied
from community.extensions import db
from community.feedback import services as feedback
from community.moderation import services
from community.moderation.models import Flag, SensitiveWord
from tests.api.conftest import ApiClient

ROLES = ("anonymous", "member", "staff_own", "staff_other", "moderator", "admin")


@pytest.fixture
def m(make):
    """Every role gets its own flagged post and its own victim, so one test can try all roles in turn."""
    w = make.world()
    other_dept = make.department(slug="chassis", name="底盘部")
    make.category(other_dept, slug="chassis-ride", name="底盘与驾乘")
    roles = {"anonymous": None, "member": make.user(), "staff_own": w["contact"],
             "staff_other": make.staff(other_dept, title="李工"), "moderator": make.user("moderator"),
             "admin": make.user("admin")}
    reporter = make.user()
    posts, victims = {}, {}
    for role in ROLES:
        posts[role] = make.post(w["member"], w["category"], title=f"{role} 的测试帖子")
        victims[role] = make.user()
        services.flag_content(reporter, "post", posts[role].id, reason="spam")
    hidden = make.post(w["member"], w["category"], title="被隐藏的帖子标题")
    locked = make.post(w["member"], w["category"], title="被锁定的帖子标题")
    services.moderate_post(roles["admin"], hidden, "hide")
    services.moderate_post(roles["admin"], locked, "lock")
    db.session.commit()
    return {"posts": posts, "hidden": hidden, "locked": locked, "victims": victims, "roles": roles}


MOD = {"anonymous": 404, "member": 404, "staff_own": 403, "staff_other": 403, "moderator": "ok", "admin": "ok"}
STAFF_READ = {"anonymous": 404, "member": 404, "staff_own": "ok", "staff_other": "ok", "moderator": "ok", "admin": "ok"}
ADMIN_ONLY = {"anonymous": 404, "member": 404, "staff_own": 404, "staff_other": 404, "moderator": 404, "admin": "ok"}
WRITERS = {"anonymous": 401, "member": "ok", "staff_own": "ok", "staff_other": "ok", "moderator": "ok", "admin": "ok"}
SEE_HIDDEN = {"anonymous": 404, "member": 404, "staff_own": "ok", "staff_other": "ok", "moderator": "ok", "admin": "ok"}
LOCKED_COMMENT = {"anonymous": 401, "member": 403, "staff_own": 403, "staff_other": 403, "moderator": "ok",
                  "admin": "ok"}

# action → (expected by role, page request, API request); a request is (method, url, data) with {post} etc.
ACTIONS = {
    "flag": (WRITERS, ("POST", "/posts/{post}/flag", {"reason": "abuse"}),
             ("POST", "/posts/{post}/flags", {"reason": "abuse"})),
    "hide": (MOD, ("POST", "/posts/{post}/moderate", {"action": "hide"}),
             ("POST", "/posts/{post}/moderation", {"action": "hide"})),
    "lock": (MOD, ("POST", "/posts/{post}/moderate", {"action": "lock"}),
             ("POST", "/posts/{post}/moderation", {"action": "lock"})),
    "pin": (MOD, ("POST", "/posts/{post}/moderate", {"action": "pin"}),
            ("POST", "/posts/{post}/moderation", {"action": "pin"})),
    "delete": (MOD, ("POST", "/posts/{post}/moderate", {"action": "delete"}),
               ("POST", "/posts/{post}/moderation", {"action": "delete"})),
    "resolve_flag": (MOD, ("POST", "/staff/flags/resolve", {"target_type": "post", "target_id": "{post}", "outcome": "keep"}),
                     ("POST", "/moderation/flags/resolve", {"target_type": "post", "target_id": "{post}", "outcome": "keep"})),
    "suspend": (MOD, ("POST", "/staff/users/{victim}/suspend", {"days": "2", "reason": "违规"}),
                ("POST", "/users/{victim}/suspension", {"days": 2, "reason": "违规"})),
    "ban": (MOD, ("POST", "/staff/users/{victim}/ban", {"reason": "违规"}),
            ("POST", "/users/{victim}/ban", {"reason": "违规"})),
    "view_flag_queue": (STAFF_READ, ("GET", "/staff/flags", None), ("GET", "/moderation/flags", None)),
    "view_held_queue": (STAFF_READ, ("GET", "/staff/held", None), ("GET", "/moderation/holds", None)),
    "view_user_history": (STAFF_READ, ("GET", "/staff/users/{victim}", None), None),
    "read_audit": (ADMIN_ONLY, ("GET", "/staff/audit", None), None),
    "edit_words": (ADMIN_ONLY, ("POST", "/staff/words", {"word": "测试词", "action": "replace"}), None),
    "view_hidden_post": (SEE_HIDDEN, ("GET", "/posts/{hidden}", None), ("GET", "/posts/{hidden}", None)),
    "comment_on_locked": (LOCKED_COMMENT, ("POST", "/posts/{locked}/comments", {"body": "还能评论吗"}),
                          ("POST", "/posts/{locked}/comments", {"body": "还能评论吗"})),
}


def _fill(value, m, role):
    names = {"post": m["posts"][role].id, "hidden": m["hidden"].id, "locked": m["locked"].id,
             "victim": m["victims"][role].username}
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _fill(v, m, role) for k, v in value.items()}
    return value


def _state(m) -> tuple:
    db.session.expire_all()
    return (db.session.query(AuditEntry).count(), db.session.query(Flag).count(),
            db.session.query(SensitiveWord).count(), len(feedback.list_comments(None, m["locked"])))


@pytest.mark.parametrize("action", list(ACTIONS))
def test_page_channel(app, m, action):
    expectations, (method, url_template, data_template), _api = ACTIONS[action]
    for role in ROLES:  # one app per action; each role acts on its own post and victim
        expected = expectations[role]
        client = app.test_client()
        user = m["roles"][role]
        if user is not None:
            client.login_as(user)
        before = _state(m)
        url, data = _fill(url_template, m, role), _fill(data_template, m, role)
        response = client.get(url) if method == "GET" else client.post_form(url, data)
        if expected == 401:
            assert response.status_code == 302 and "/login" in response.headers["Location"], role
        elif expected == "ok":
            assert response.status_code in (200, 302), (role, response.get_data(as_text=True)[:500])
            if method == "POST":
                assert _state(m) != before, role  # something was recorded
        else:
            assert response.status_code == expected, role
        if expected != "ok":
            assert _state(m) == before, role


@pytest.mark.parametrize("action", [a for a, spec in ACTIONS.items() if spec[2]])
def test_api_channel(app, m, action):
    expectations, _page, (method, url_template, data_template) = ACTIONS[action]
    for role in ROLES:
        expected = expectations[role]
        api = ApiClient(app, m["roles"][role])
        if role == "anonymous" and method == "POST":
            expected = 401
        before = _state(m)
        response = api.request(method, _fill(url_template, m, role), _fill(data_template, m, role))
        if expected == "ok":
            assert response.status_code in (200, 201), (role, response.get_data(as_text=True)[:500])
            if method == "POST":
                assert _state(m) != before, role
        else:
            assert response.status_code == expected, (role, response.get_data(as_text=True)[:300])
            assert response.get_json()["error"]["code"]
            assert _state(m) == before, role


def test_suspended_accounts_cannot_write_through_the_api(app, m, make):
    post = m["posts"]["member"]
    user = m["roles"]["member"]
    api = ApiClient(app, user)  # logged in before the suspension
    assert api.get("/flags/mine").status_code == 200
    from community.accounts import services as accounts

    _row, raw = accounts.create_api_token(user, "before-suspension")
    services.suspend_user(m["roles"]["moderator"], user, days=1, reason="禁言")
    db.session.commit()
    before = _state(m)
    flag = api.post(f"/posts/{post.id}/flags", {"reason": "spam"})
    comment = api.post(f"/posts/{post.id}/comments", {"body": "被禁言时发的评论"})
    # The session was cut by the suspension: the session-authenticated API sees an anonymous caller.
    assert flag.status_code == 401 and comment.status_code == 401
    with pytest.raises(PermissionDenied):  # a suspension blocks minting tokens too
        accounts.create_api_token(user, "after-suspension")
    db.session.rollback()
    token_api = ApiClient(app, token=raw)
    flag = token_api.post(f"/posts/{post.id}/flags", {"reason": "spam"})
    comment = token_api.post(f"/posts/{post.id}/comments", {"body": "被禁言时发的评论"})
    assert flag.status_code == 403 and flag.get_json()["error"]["code"] == "account_restricted"
    assert comment.status_code == 403
    assert token_api.get(f"/posts/{post.id}").status_code == 200  # reading still works
    assert _state(m) == before
