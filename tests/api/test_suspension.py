"""One predicate says what a suspension blocks, and every write asks it."""
from __future__ import annotations

from community.accounts.models import User
from community.extensions import db
from community.feedback.models import Follow
from community.moderation import services as moderation
from community.notifications.models import NotificationPreference
from tests.api.conftest import writing
from tests.factories import PASSWORD


def test_a_suspended_member_cannot_follow_change_settings_name_or_tokens(app, api, world, token_for):
    member, post = world["member"], world["post"]
    raw = token_for(member)  # made before the suspension, with the write scope
    with writing():
        moderation.suspend_user(world["moderator"], member, days=1, reason="刷屏")
        db.session.execute(Follow.__table__.delete().where(Follow.user_id == member.id))
    token = api(token=raw)
    follow = token.put(f"/posts/{post.id}/follow")
    assert follow.status_code == 403 and follow.get_json()["error"]["code"] == "account_restricted"
    prefs = token.put("/notifications/preferences", {"enabled": []})
    assert prefs.status_code == 403
    assert db.session.query(Follow).filter_by(user_id=member.id).count() == 0
    assert db.session.query(NotificationPreference).filter_by(user_id=member.id).count() == 0

    # Logged in again during the suspension (reading is allowed), the settings page refuses writes.
    browser = app.test_client()
    assert browser.post_form("/login", {"login": member.username, "password": PASSWORD}).status_code == 302
    assert browser.post_form("/settings", {"action": "profile", "display_name": "官方客服"}).status_code == 403
    assert browser.post_form("/settings", {"action": "create_token", "name": "x"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, member.id).display_name != "官方客服"
    # Keeping the same name while switching the language is not a public write.
    same = browser.post_form("/settings", {"action": "profile", "display_name": member.display_name, "locale": "en"})
    assert same.status_code == 302
    assert token.get(f"/posts/{post.id}").status_code == 200  # reading still works
