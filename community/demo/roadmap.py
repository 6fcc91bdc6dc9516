"""The demo roadmap: about 40 items across statuses, linked to the seeded feedback, two published
releases (so shipped notices are already delivered), one open and one closed poll, and one
open four-box round with answers.

Built through the roadmap services, under a frozen clock that walks forward from before the
anchor, so the same seed and anchor give the same rows.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from community.accounts.models import User
from community.core import clock
from community.extensions import db
from community.feedback.models import Post, Product, TimelineEntry
from community.roadmap import fourbox, polls, releases, services

# (product slug, area, title, description, final status, target quarter)
ITEMS = [
    ("es7", "车机", "无线 CarPlay 与 CarLife", "支持 iPhone 无线 CarPlay 和百度 CarLife，上车自动连接。", "shipped", "2026Q4"),
    ("es7", "车机", "蓝牙连接稳定性优化", "解决部分手机在 v2.3 后频繁断连的问题。", "shipped", "2026Q4"),
    ("es7", "车机", "车机桌面卡片自定义", "桌面卡片可以自由增删、排序。", "shipped", "2026Q4"),
    ("es7", "智驾", "领航辅助支持城市快速路", "领航辅助覆盖城市快速路匝道和汇入。", "shipped", "2027Q1"),
    ("et5", "车机", "语音助手连续对话", "一次唤醒，连续说多个指令。", "shipped", "2026Q4"),
    ("et5", "补能", "充电桩实时空闲状态", "地图上显示合作充电桩的实时空闲数量。", "shipped", "2027Q1"),
    ("es7", "舒适", "座椅通风分级调节", "通风由两档增加到三档，并支持记忆。", "in_beta", "2027Q1"),
    ("es7", "App", "App 远程预约空调带温度", "远程开空调时可以直接设定目标温度。", "in_beta", "2027Q1"),
    ("et5", "智驾", "自动泊车识别更多车位线", "支持斜列车位和模糊车位线。", "in_beta", "2027Q1"),
    ("es5", "车机", "儿童锁状态显示在仪表", "儿童锁开关状态在仪表上一目了然。", "in_development", "2027Q1"),
    ("es5", "舒适", "后排出风口独立温控", "后排乘客可以独立调节温度。", "in_development", "2027Q2"),
    ("es7", "补能", "电池预热与导航联动", "导航去超充站时提前预热电池，缩短充电时间。", "in_development", "2027Q1"),
    ("et7", "车机", "音响均衡器自定义", "开放十段均衡器，支持保存多个音效配置。", "in_development", "2027Q2"),
    ("em9", "舒适", "二排座椅一键放倒", "后备厢按钮一键放倒二排座椅。", "in_development", "2027Q2"),
    ("es7", "App", "数字钥匙分享给家人", "通过 App 把数字钥匙临时分享给家人，可设时段。", "in_development", "2027Q1"),
    ("et5", "车机", "仪表导航地图全屏", "仪表盘可显示全屏导航地图。", "planned", "2027Q2"),
    ("es7", "智驾", "自适应巡航跟车距离更细分", "跟车距离从三档增加到五档。", "planned", "2027Q2"),
    ("es5", "补能", "充电限流按时段设置", "家充可以按谷电时段自动开始充电。", "planned", "2027Q2"),
    ("et7", "舒适", "香氛浓度自动调节", "根据车内人数自动调节香氛浓度。", "planned", "2027Q3"),
    ("em9", "车机", "后排娱乐屏投屏", "后排屏幕支持手机投屏和独立蓝牙耳机。", "planned", "2027Q3"),
    ("es7", "服务", "保养预约可选时间段", "预约保养时可选具体时间段，到店不用等。", "planned", "2027Q2"),
    ("et5", "App", "App 小组件显示续航", "手机桌面小组件显示剩余续航和充电进度。", "planned", "2027Q2"),
    ("es7", "车机", "车机支持第三方音乐 App", "开放更多音乐 App 上车。", "considering", None),
    ("es7", "舒适", "方向盘加热自动开启", "低温时上车自动开启方向盘加热。", "considering", None),
    ("et5", "智驾", "哨兵模式低功耗版本", "哨兵模式更省电，停车一周耗电不超过 5%。", "considering", None),
    ("es5", "车机", "HUD 显示转向灯提示", "抬头显示上同步显示转向灯和盲区提醒。", "considering", None),
    ("et7", "补能", "V2L 对外放电功率提升", "对外放电功率由 3.3kW 提升到 6.6kW。", "considering", None),
    ("em9", "舒适", "三排座椅加热", "三排也配备座椅加热。", "considering", None),
    ("es7", "服务", "道路救援进度实时查看", "在 App 上实时查看救援车辆位置。", "considering", None),
    ("et5", "车机", "车机浏览器", "停车时可以用车机浏览网页。", "considering", None),
    ("es5", "App", "用车报告月度汇总", "每月推送能耗、里程和驾驶习惯报告。", "considering", None),
    ("et7", "智驾", "记忆泊车支持多个车库", "记忆泊车支持保存多个常用车库。", "considering", None),
    ("es7", "车机", "车内 KTV 模式", "支持麦克风和车内 K 歌。", "not_planned", None),
    ("et5", "舒适", "电动尾翼", "运动模式下自动升起尾翼。", "not_planned", None),
    ("es5", "智驾", "全自动驾驶订阅", "按月订阅的全自动驾驶功能。", "not_planned", None),
    ("em9", "服务", "上门洗车服务", "在 App 下单，服务人员上门洗车。", "considering", None),
    ("es7", "App", "App 车辆位置分享", "把车辆实时位置分享给家人。", "considering", None),
    ("et5", "补能", "超充站排队提醒", "导航到超充站前提示预计排队时间。", "planned", "2027Q3"),
    ("es7", "智驾", "拥堵辅助支持变道", "拥堵时辅助驾驶可以自动变道。", "considering", None),
    ("et7", "车机", "多用户账号切换", "每位家庭成员有自己的车机账号和偏好。", "planned", "2027Q2"),
]
NOT_PLANNED_REASON = "评估后暂不考虑：与安全法规或整车定位冲突，我们会持续关注大家的讨论。"
PATHS = {"considering": [], "planned": ["planned"], "in_development": ["planned", "in_development"],
         "in_beta": ["planned", "in_development", "in_beta"],
         "shipped": ["planned", "in_development"], "not_planned": ["not_planned"]}


def seed_roadmap(anchor: datetime, seed: int) -> dict:
    """Seed the roadmap once the posts exist; returns counts. Callers commit."""
    rng = random.Random(seed + 13)
    staff = list(db.session.execute(sa.select(User).where(User.role == "staff").order_by(User.id)).scalars())
    members = list(db.session.execute(sa.select(User.id).where(User.role == "member").order_by(User.id)).scalars())
    products = {p.slug: p for p in db.session.execute(sa.select(Product)).scalars()}
    suggestions = list(db.session.execute(
        sa.select(Post).where(Post.kind == "feedback", Post.feedback_type == "suggestion",
                              Post.is_hidden.is_(False), Post.merged_into_id.is_(None),
                              Post.status.in_(("new", "acknowledged", "in_progress")))
        .order_by(Post.id).limit(120)).scalars())
    if not staff or not members:
        return {}
    last_entry = dict(db.session.execute(
        sa.select(TimelineEntry.post_id, sa.func.max(TimelineEntry.created_at))
        .where(TimelineEntry.post_id.in_([p.id for p in suggestions])).group_by(TimelineEntry.post_id)).all())
    member_users = {u.id: u for u in db.session.execute(
        sa.select(User).where(User.id.in_(members[:400]))).scalars()}
    counts = {"roadmap_items": 0, "roadmap_links": 0, "roadmap_votes": 0, "releases": 0, "polls": 0}
    shipped_by_product: dict[str, list] = {}
    with clock.frozen(anchor - timedelta(days=60)) as advance:
        for n, (slug, area, title, description, final, quarter) in enumerate(ITEMS):
            pm = staff[n % len(staff)]
            product = products.get(slug)
            item = services.create_item(pm, title=title, description=description, product=product, area=area,
                                        target_quarter=quarter)
            counts["roadmap_items"] += 1
            advance(hours=2)
            for _ in range(rng.randint(0, 3)):
                # Only feedback whose own history is over by now, so every timeline stays in order.
                post = next((p for p in suggestions if last_entry.get(p.id, p.created_at) < clock.now()), None)
                if post is None:
                    break
                suggestions.remove(post)
                services.link_feedback(pm, item, post)
                counts["roadmap_links"] += 1
            for user_id in rng.sample(list(member_users), k=min(len(member_users), rng.randint(2, 30))):
                if final != "not_planned":
                    services.set_vote(member_users[user_id], item, True)
                    counts["roadmap_votes"] += 1
            for status in PATHS[final]:
                advance(hours=rng.randint(2, 12))
                services.change_status(pm, item, status, note=NOT_PLANNED_REASON if status == "not_planned" else "")
            if final == "shipped":
                shipped_by_product.setdefault(slug, []).append((pm, item))
        # Two releases: each publishes and ships its items (notices go out to everyone who asked).
        for slug, version, days_ago in (("es7", "v2.4", 20), ("et5", "v1.8", 6)):
            pairs = shipped_by_product.get(slug, [])
            if not pairs or slug not in products:
                continue
            advance(days=2)
            pm = pairs[0][0]
            release = releases.create_release(
                pm, product=products[slug], version=version, released_on=(anchor - timedelta(days=days_ago)).date(),
                title="春季 OTA" if slug == "es7" else "冬季 OTA",
                notes="本次更新来自社区的建议：\n\n" + "\n".join(f"- {item.title}" for _pm, item in pairs),
                item_ids=[item.id for _pm, item in pairs])
            releases.publish_release(pm, release)
            counts["releases"] += 1
        # One closed colour poll with a decision, one open price poll.
        colour_item = db.session.execute(sa.select(services.RoadmapItem).where(
            services.RoadmapItem.title == "车机桌面卡片自定义")).scalar_one_or_none()
        pm = staff[0]
        if colour_item is not None:
            closed = polls.create_poll(pm, question="车机桌面默认主题选哪一个？", item=colour_item, days=7,
                                       options=[{"label": "极光绿", "description": "品牌色，偏亮"},
                                                {"label": "星云灰", "description": "低调耐看"},
                                                {"label": "曜石黑", "description": "夜间友好"}])
            for user_id in list(member_users)[:60]:
                polls.cast_ballot(member_users[user_id], closed, [closed.options[rng.choice((0, 1, 1, 2))].id])
            advance(days=8)
            polls.close_poll(pm, closed)
            polls.post_decision(pm, closed, "星云灰得票最多，v2.4 起作为默认主题；极光绿和曜石黑可在设置中切换。")
            counts["polls"] += 1
    # What is open now opens just before the anchor, so it is still open when a newcomer looks.
    with clock.frozen(anchor - timedelta(days=2)):
        seat_item = db.session.execute(sa.select(services.RoadmapItem).where(
            services.RoadmapItem.title == "座椅通风分级调节")).scalar_one_or_none()
        voters = rng.sample(list(member_users), k=min(len(member_users), 40))
        if seat_item is not None:
            open_poll = polls.create_poll(
                pm, question="座椅舒适包（通风 + 按摩）你能接受的价格？", item=seat_item, kind="price", days=60,
                results="live", options=[{"label": "基础", "price_min": 3000, "price_max": 5000},
                                         {"label": "进阶", "price_min": 5000, "price_max": 8000},
                                         {"label": "全配", "price_min": 8000, "price_max": 12000}])
            for user_id in voters[: len(voters) // 2]:
                polls.cast_ballot(member_users[user_id], open_poll, [open_poll.options[rng.choice((0, 0, 1, 2))].id])
            counts["polls"] += 1
        # One open four-box round for the latest ES7 release.
        round_ = fourbox.open_round(pm, title="v2.4 第 1 周", product=products.get("es7"), days=fourbox.MAX_DAYS)
        for user_id in voters:
            boxes = {key: rng.choice(texts) for key, texts in FOURBOX_TEXTS.items()}
            fourbox.submit_answer(member_users[user_id], round_, boxes)
        counts["fourbox_answers"] = round_.answer_count
    db.session.flush()
    return counts


FOURBOX_TEXTS = {
    "most_satisfied": ["无线 CarPlay 终于来了", "桌面卡片可以自己排了", "蓝牙连接稳定多了", "语音连续对话很方便"],
    "least_satisfied": ["升级后第一次开机有点慢", "导航偶尔卡顿", "空调记忆没生效", ""],
    "most_wanted": ["希望增加座椅通风三档", "想要座椅通风更强一点", "后排出风口独立温控", "希望支持第三方音乐 App",
                    "第三方音乐 App 上车", "哨兵模式更省电", "希望哨兵模式省电一些", "HUD 显示盲区提醒"],
    "bug": ["", "", "倒车影像偶尔黑屏", "蓝牙电话偶尔没声音"],
}
