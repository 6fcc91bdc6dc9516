"""API authentication: personal access tokens, the session with CSRF, and token management."""
from __future__ import annotations

from community.accounts import services as accounts
from community.accounts.models import ApiToken
from community.core import clock
from community.extensions import db
from community.feedback.models import Vote
from tests.api.conftest import ApiClient, writing


def test_a_valid_token_authenticates_and_a_wrong_or_revoked_one_is_refused(api, make, token_for):
    with writing():
        member = make.user()
    raw = token_for(member)
    me = api(token=raw).get("/me")
    assert me.status_code == 200 and me.get_json()["username"] == member.username
    assert "Set-Cookie" not in me.headers  # a token request never turns into a session

    wrong = api(token="ccp_not-a-real-token").get("/me")
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "invalid_token"
    assert api(token="garbage").get("/posts").status_code == 401  # even on public reads: a bad token is an error

    with writing():
        accounts.revoke_api_token(member, db.session.query(ApiToken).one().id)
    revoked = api(token=raw).get("/me")
    assert revoked.status_code == 401 and revoked.get_json()["error"]["code"] == "invalid_token"


def test_a_banned_users_token_stops_working(api, make, token_for):
    with writing():
        member = make.user()
    raw = token_for(member)
    with writing():
        member.banned_at = clock.now()
    assert api(token=raw).get("/me").status_code == 401


def test_me_needs_credentials(api, make):
    r = api().get("/me")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "login_required"
    with writing():
        member = make.user()
    body = api(member).get("/me").get_json()
    assert body["email"] == member.email and body["role"] == "member" and body["can_write"] is True


def test_session_writes_need_the_csrf_header(api, world):
    member = world["member"]
    post_id = world["post"].id
    voter = api(member)
    refused = voter.put(f"/posts/{post_id}/vote", csrf=False)
    assert refused.status_code == 400
    assert refused.is_json and refused.get_json()["error"]["code"] == "csrf_failed"
    assert db.session.query(Vote).count() == 0

    ok = voter.put(f"/posts/{post_id}/vote")
    assert ok.status_code == 200 and ok.get_json() == {"voted": True, "vote_count": 1}


def test_token_writes_need_no_csrf_header(api, world, token_for):
    r = api(token=token_for(world["member"])).put(f"/posts/{world['post'].id}/vote")
    assert r.status_code == 200 and r.get_json()["voted"] is True


def test_anonymous_writes_answer_401_not_csrf_failed(api, world):
    r = api().put(f"/posts/{world['post'].id}/vote")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "login_required"


def test_tokens_are_created_from_a_session_listed_and_revoked(api, make):
    with writing():
        member, other = make.user(), make.user()
    session = api(member)
    created = session.post("/me/tokens", {"name": "ci bot"})
    assert created.status_code == 201
    body = created.get_json()
    secret = body["token"]
    assert secret.startswith("ccp_") and body["name"] == "ci bot" and secret.startswith(body["prefix"])
    assert db.session.query(ApiToken).one().token_hash != secret  # only the hash is stored

    with_token = api(token=secret)
    listed = with_token.get("/me/tokens").get_json()["items"]
    assert [t["name"] for t in listed] == ["ci bot"] and "token" not in listed[0]

    # A token cannot mint more tokens: that needs the signed-in session.
    minted = with_token.post("/me/tokens", {"name": "successor"})
    assert minted.status_code == 403 and minted.get_json()["error"]["code"] == "session_required"

    # Nobody else's token can be revoked; the owner's can, even with the token itself.
    assert api(other).delete(f"/me/tokens/{body['id']}").status_code == 404
    assert with_token.delete(f"/me/tokens/{body['id']}").status_code == 204
    assert with_token.get("/me").status_code == 401
    assert session.get("/me/tokens").get_json()["items"] == []


def test_token_requests_are_the_token_users_for_rate_limits_too(make, token_for, tmp_path, migrated_db):
    """With a token, limits count per user, not per address (current_user is the token's user)."""
    import shutil

    from tests.conftest import build_app

    # A separate app with limits on: its own database copy, and it must not leave its context pushed.
    folder = tmp_path / "limited"
    folder.mkdir()
    shutil.copy(migrated_db, folder / "community.db")
    limited = build_app(folder, RATELIMIT_ENABLED=True, RATE_LIMIT_WRITE="2 per minute")

    with limited.app_context():
        with writing():
            w = make.world()
            first, second = make.user(), make.user()
        first_token, second_token = token_for(first), token_for(second)
        post_id = w["post"].id
        a, b = ApiClient(limited, token=first_token), ApiClient(limited, token=second_token)
        assert [a.put(f"/posts/{post_id}/vote").status_code for _ in range(3)] == [200, 200, 429]
        limited_body = a.put(f"/posts/{post_id}/vote").get_json()
        assert limited_body["error"]["code"] == "rate_limited"
        assert b.put(f"/posts/{post_id}/vote").status_code == 200  # same address, another user
        db.session.remove()
        db.engine.dispose()
