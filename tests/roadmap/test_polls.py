"""Co-creation polls: creation rules, eligibility, changing a ballot, closing, results and decisions."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from community.core import clock
from community.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from community.extensions import db
from community.feedback.workflow import RATING_DIMENSIONS
from community.roadmap import polls, services
from tests.api.conftest import ApiClient

COLOURS = [{"label": "星云灰"}, {"label": "极光绿", "description": "新色"}, {"label": "曜石黑"}]
PRICES = [{"label": "入门", "price_min": 1000, "price_max": 2000},
          {"label": "主流", "price_min": 2000, "price_max": 3000},
          {"label": "高配", "price_min": 3000, "price_max": 5000}]


def _poll(rw, **kw):
    values = {"question": "新车色选哪一个？", "item": rw["item"], "days": 7, "options": COLOURS}
    values.update(kw)
    poll = polls.create_poll(rw["pm"], **values)
    db.session.commit()
    return poll


def test_only_staff_open_polls_and_options_are_checked(rw):
    with pytest.raises(PermissionDenied):
        polls.create_poll(rw["members"][0], question="新车色选哪一个？", item=rw["item"], days=7, options=COLOURS)
    with pytest.raises(ValidationFailed) as exc:
        polls.create_poll(rw["pm"], question="?", days=0, options=[{"label": "唯一"}], kind="bogus")
    assert {"question", "days", "options", "kind", "item_id"} <= set(exc.value.fields)
    with pytest.raises(ValidationFailed) as exc:
        polls.create_poll(rw["pm"], question="定价区间？", product=rw["product"], days=7, kind="price",
                          options=[{"label": "便宜"}, {"label": "贵"}])
    assert "options" in exc.value.fields
    with pytest.raises(ValidationFailed):
        polls.create_poll(rw["pm"], question="哪个方案？", item=rw["item"], days=7,
                          options=[{"label": "A", "image_url": "https://evil.example/a.png"}, {"label": "B"}])


def test_single_choice_ballot_can_change_until_close(rw):
    poll = _poll(rw)
    member = rw["members"][0]
    a, b, c = (o.id for o in poll.options)
    assert polls.cast_ballot(member, poll, [a]) == {a}
    assert polls.cast_ballot(member, poll, [b]) == {b}  # changed, still one ballot
    assert poll.ballot_count == 1
    with pytest.raises(ValidationFailed):
        polls.cast_ballot(member, poll, [a, b])
    with pytest.raises(ValidationFailed):
        polls.cast_ballot(member, poll, [999])
    polls.cast_ballot(rw["members"][1], poll, [b])
    polls.close_poll(rw["pm"], poll)
    with pytest.raises(Conflict):
        polls.cast_ballot(member, poll, [c])
    result = polls.tally(None, poll)
    assert result["ballots"] == 2 and [r["count"] for r in result["options"]] == [0, 2, 0]
    assert result["options"][1]["share"] == 100.0


def test_multiple_choice(rw):
    poll = _poll(rw, multiple=True)
    ids = [o.id for o in poll.options]
    assert polls.cast_ballot(rw["members"][0], poll, ids[:2]) == set(ids[:2])
    assert poll.ballot_count == 1


def test_results_hidden_until_close_unless_live(rw):
    hidden = _poll(rw)
    live = _poll(rw, results="live", question="哪个内饰方案更好？")
    member = rw["members"][0]
    polls.cast_ballot(member, hidden, [hidden.options[0].id])
    assert polls.tally(member, hidden) is None and polls.tally(None, hidden) is None
    assert polls.tally(rw["pm"], hidden)["ballots"] == 1  # staff preview
    assert polls.tally(None, live) is not None
    polls.close_poll(rw["pm"], hidden)
    assert polls.tally(None, hidden)["ballots"] == 1


def test_a_poll_past_its_close_time_is_closed(rw):
    poll = _poll(rw)
    poll.closes_at = clock.now() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(Conflict):
        polls.cast_ballot(rw["members"][0], poll, [poll.options[0].id])
    assert polls.tally(None, poll) is not None


def test_owner_eligibility(rw, make):
    poll = _poll(rw, eligibility="owners")
    member, owner = rw["members"][0], rw["members"][1]
    make.post(owner, rw["category"], kind="trial_report", title="极光 ES7 一个月体验", product=rw["product"],
              body="开了一个月，整体满意，续航比预期好。",
              trial={"version": "长续航版", "ratings": dict.fromkeys(RATING_DIMENSIONS, 4)})
    db.session.commit()
    with pytest.raises(PermissionDenied) as exc:
        polls.cast_ballot(member, poll, [poll.options[0].id])
    assert exc.value.code == "not_eligible"
    polls.cast_ballot(owner, poll, [poll.options[0].id])
    assert not polls.is_eligible(member, poll) and polls.is_eligible(owner, poll)


def test_price_poll_shows_a_distribution_and_median_band(rw):
    poll = _poll(rw, kind="price", question="你能接受的选装包价格？", options=PRICES)
    low, mid, high = (o.id for o in poll.options)
    for member, choice in zip(rw["members"] + [rw["member"]], (low, mid, mid, high)):
        polls.cast_ballot(member, poll, [choice])
    polls.close_poll(rw["pm"], poll)
    result = polls.tally(None, poll)
    assert [r["share"] for r in result["options"]] == [25.0, 50.0, 25.0]
    assert result["median_option_id"] == mid


def test_decision_goes_on_the_item_timeline(rw):
    poll = _poll(rw)
    with pytest.raises(Conflict):
        polls.post_decision(rw["pm"], poll, "采用极光绿")
    polls.close_poll(rw["pm"], poll)
    with pytest.raises(PermissionDenied):
        polls.post_decision(rw["members"][0], poll, "采用极光绿")
    polls.post_decision(rw["pm"], poll, "采用极光绿，2027 Q1 上市")
    db.session.commit()
    entry = services.list_entries(rw["item"])[-1]
    assert (entry.kind, entry.poll_id, entry.note) == ("decision", poll.id, "采用极光绿，2027 Q1 上市")


def test_polls_on_drafts_are_hidden(rw):
    draft = services.create_item(rw["pm"], title="内部评估中的项目", is_public=False)
    poll = _poll(rw, item=draft)
    with pytest.raises(NotFound):
        polls.get_poll(rw["members"][0], poll.id)
    assert poll.id not in [p.id for p in polls.list_polls(None).items]


# HTTP and API -------------------------------------------------------------------

def test_poll_pages(client, rw):
    poll = _poll(rw)
    client.login_as(rw["members"][0])
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "新车色选哪一个？" in page and "投票结束后公布结果" in page
    response = client.post_form(f"/polls/{poll.id}/ballot", {"option_id": poll.options[1].id})
    assert response.status_code == 302
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "修改我的投票" in page
    bad = client.post_form(f"/polls/{poll.id}/ballot", {"option_id": "nope"})
    assert bad.status_code == 422
    assert "新车色选哪一个？" in client.get("/polls?state=open").get_data(as_text=True)
    assert "新车色选哪一个？" in client.get(f"/roadmap/{rw['item'].id}").get_data(as_text=True)
    assert client.post_form(f"/polls/{poll.id}/close").status_code == 403


def test_staff_open_a_poll_from_the_form(client, rw):
    client.login_as(rw["pm"])
    bad = client.post_form("/polls/new", {"question": "定价？", "kind": "price", "days": "7",
                                          "options": "便宜\n贵", "item_id": rw["item"].id})
    assert bad.status_code == 422 and "便宜" in bad.get_data(as_text=True)
    ok = client.post_form("/polls/new", {"question": "选装包定价区间？", "kind": "price", "days": "7",
                                         "options": "入门 | 1000-2000\n高配 | 3000~5000 | 含座椅通风",
                                         "item_id": rw["item"].id, "results": "live"})
    assert ok.status_code == 302
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "¥3000–5000" in page and "含座椅通风" in page


def test_poll_api(app, rw):
    poll = _poll(rw)
    member = ApiClient(app, rw["members"][0])
    shape = member.get(f"/polls/{poll.id}").get_json()
    assert shape["is_open"] and shape["eligible"] and shape["tally"] is None
    ids = [o["id"] for o in shape["options"]]
    voted = member.put(f"/polls/{poll.id}/ballot", {"option_ids": [ids[2]]}).get_json()
    assert voted["my_choices"] == [ids[2]] and voted["ballot_count"] == 1
    assert member.put(f"/polls/{poll.id}/ballot", {"option_ids": "x"}).status_code == 422
    assert member.post(f"/polls/{poll.id}/close").status_code == 403
    staff = ApiClient(app, rw["pm"])
    closed = staff.post(f"/polls/{poll.id}/close").get_json()
    assert closed["tally"]["ballots"] == 1
    assert member.put(f"/polls/{poll.id}/ballot", {"option_ids": [ids[0]]}).status_code == 409
    decided = staff.post(f"/polls/{poll.id}/decision", {"decision": "采用曜石黑"}).get_json()
    assert decided["decision"] == "采用曜石黑"
    assert ApiClient(app).get("/polls?state=closed").get_json()["items"][0]["tally"]["options"][2]["count"] == 1
    created = staff.post("/polls", {"question": "哪个内饰方案更好？", "product": "es7", "days": 3,
                                    "options": [{"label": "A"}, {"label": "B"}]})
    assert created.status_code == 201 and created.get_json()["product"]["slug"] == "es7"
    assert staff.post("/polls", {"question": "哪个？", "options": "A,B"}).status_code == 422


def _png(colour, size=(2000, 1000)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def test_staff_upload_pictures_for_the_options(client, rw):
    import io

    client.login_as(rw["pm"])
    ok = client.post_form("/polls/new", {
        "question": "新车色选哪一个？", "kind": "choice", "days": "7", "item_id": rw["item"].id,
        "options": "极光绿 | 清新\n星夜黑 | 沉稳",
        "option_image_1": (io.BytesIO(_png((20, 120, 80))), "green.png"),
        "option_image_2": (io.BytesIO(_png((10, 10, 20))), "black.png")}, content_type="multipart/form-data")
    assert ok.status_code == 302, ok.get_data(as_text=True)[:500]
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    paths = sorted(set(re.findall(r'src="(/roadmap/images/\d+)"', page)))
    assert len(paths) == 2
    client.login_as(rw["members"][0])
    image = client.get(paths[0])
    assert image.status_code == 200 and image.mimetype == "image/webp" and "immutable" in image.headers["Cache-Control"]
    # A file that is no image, or a picture for a line that does not exist: the form says so, nothing is kept.
    client.login_as(rw["pm"])
    for files in ({"option_image_1": (io.BytesIO(b"GIF89a not really"), "x.gif")},
                  {"option_image_5": (io.BytesIO(_png((1, 2, 3), (40, 40))), "x.png")}):
        bad = client.post_form("/polls/new", {"question": "内饰选哪个？", "kind": "choice", "days": "7",
                                              "options": "浅色\n深色", **files}, content_type="multipart/form-data")
        assert bad.status_code == 422 and "内饰选哪个？" in bad.get_data(as_text=True)
    assert client.get("/roadmap/images/999999").status_code == 404
