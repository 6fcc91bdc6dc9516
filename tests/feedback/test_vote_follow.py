"""A vote follows the item, and says so: in the JSON the vote button reads and, without
scripts, on the page the form lands on."""
from __future__ import annotations

JSON = {"Accept": "application/json"}


def test_the_vote_answer_tells_whether_it_followed_the_item(client, make):
    w = make.world()
    client.login_as(make.user())
    url = f"/posts/{w['post'].id}/vote"
    first = client.post_form(url, {"state": "on"}, headers=JSON).get_json()
    assert first == {"voted": True, "vote_count": 1, "following": True, "auto_followed": True}
    off = client.post_form(url, {"state": "off"}, headers=JSON).get_json()
    assert off["voted"] is False and off["vote_count"] == 0 and off["auto_followed"] is False
    again = client.post_form(url, {"state": "on"}, headers=JSON).get_json()
    assert again["following"] is True and again["auto_followed"] is False  # already followed: nothing new


def test_without_scripts_the_page_after_a_vote_says_it_followed(client, make):
    w = make.world()
    client.login_as(make.user())
    page = client.post_form(f"/posts/{w['post'].id}/vote", {"state": "on"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "已自动关注" in html
    assert 'data-follow-form' in html and "取消关注" in html


def test_the_old_field_name_still_counts(client, make):
    """Pages rendered before the rename post `action`; they still vote and unvote."""
    w = make.world()
    client.login_as(make.user())
    url = f"/posts/{w['post'].id}/vote"
    assert client.post_form(url, {"action": "on"}, headers=JSON).get_json()["voted"] is True
    assert client.post_form(url, {"action": "off"}, headers=JSON).get_json()["voted"] is False
