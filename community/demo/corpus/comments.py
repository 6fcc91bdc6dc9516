"""Member comments, official replies, status notes and status paths."""
from __future__ import annotations

import random

from community.demo.corpus.phrases import _APP_FIX_VERSIONS, _CAT, _FIX_VERSIONS, _context, _fill
from community.demo.corpus.reference import _DEPT_BY_SLUG, _PRODUCT_BY_SLUG, BRAND, FEEDBACK_TYPES, PRODUCTS, STATUSES

# ---------------------------------------------------------------------------
# Comments
# ---------------------------------------------------------------------------

_COMMENTS = {
    "bug": [
        "我也遇到了，{m} {ver} 同样的问题。",
        "+1，{city}这边也是，{freq}",
        "同款问题，已经在 App 里提交反馈了，坐等修复。",
        "我的车是{model}，{ver}，暂时没遇到，可能跟批次有关？",
        "顶一下，希望官方尽快处理。",
        "请问楼主是哪个月提的车？我是{month}月提的，好像没有这个问题。",
        "一样的情况，前后{n}次了，已经快习惯了……",
        "楼主描述得很清楚，建议把行车记录仪的视频也附上，官方处理会快一些。",
        "蹲一个官方回复。",
        "同问，我这边{m}也出现过一次，当时以为是偶发。",
    ],
    "suggestion": [
        "支持！这个功能太需要了。",
        "+1，{city}车主强烈支持。",
        "好建议，顶上去让产品经理看到。",
        "思路不错，不过最好做成可选项，不然有些人可能不习惯。",
        "这个其他品牌早就有了，希望尽快跟进。",
        "补充一点：最好还能在 App 里设置。",
        "我觉得优先级没那么高，先把现有的问题修好吧。",
        "已点赞，希望下个大版本能看到。",
        "完全同意，每天都会遇到这个场景。",
    ],
    "complaint": [
        "理解楼主的心情，我之前也是这样，后来找了区域经理才解决。",
        "同病相怜，{n}个月了还是老样子。",
        "抱抱楼主，建议直接在 App 里提工单，会有专人跟进。",
        "说句公道话，我这边{city}的服务中心还不错，可能跟门店有关。",
        "这个确实该吐槽，希望官方重视。",
        "别太生气，上次我反馈类似的问题，官方三天就回复了。",
        "支持楼主，顶上去。",
        "在社区发帖之后官方很快联系了我，楼主可以再等等看。",
    ],
    "trial": [
        "写得很详细，谢谢分享！正在纠结要不要下定。",
        "请问试驾的是哪个版本？{trim}吗？",
        "同在{city}，下周也约了试驾，参考一下。",
        "悬挂软硬这个很主观，我坐后排觉得还好。",
        "楼主最后下定了吗？",
        "感谢分享，缺点写得很真实，不像软文。",
        "续航那部分能不能补充一下具体的能耗数据？",
        "和我试驾的感受差不多，智能化确实是亮点。",
        "从{old_car}换过来的路过，感受基本一致。",
    ],
    "discussion": [
        "同问，蹲一个答案。",
        "学到了，收藏一下。",
        "感谢分享，很实用！",
        "mark 一下，回头试试。",
        "新车主表示很有帮助。",
        "{city}车主路过，我这边的情况也差不多。",
        "楼主说得挺中肯的，赞一个。",
        "这个我也想知道，坐等老车主解答。",
    ],
}
_COMMENT_FREQ = ["基本每天都会出现。", "一周两三次。", "冷车的时候特别明显。", "偶发，但挺烦人的。"]
_COMMENT_KIND_ALIASES = {
    "feedback": "feedback", "bug": "feedback", "suggestion": "feedback", "complaint": "feedback",
    "trial": "trial", "trial_report": "trial", "report": "trial",
    "discussion": "discussion", "thread": "discussion", "post": "discussion",
}


def member_comment(rng: random.Random, post_kind: str, feedback_type: str | None = None,
                   category_slug: str | None = None, product_slug: str | None = None, *,
                   persona: dict | None = None, post_city: str | None = None) -> str:
    """A member's reply to a post.

    ``post_kind`` is "feedback", "trial" or "discussion" (a few aliases such
    as "trial_report" are accepted; anything else is treated as a discussion).
    ``category_slug`` (optional) makes tips match the post's topic and
    ``product_slug`` (optional) makes trial-report questions match the car. ``persona`` is the
    commenter's {"city", "car"}; ``post_city`` is where a trial report was tried (同在 that city).
    """
    kind = _COMMENT_KIND_ALIASES.get(post_kind, "discussion")
    if kind == "feedback":
        if feedback_type is None and post_kind in FEEDBACK_TYPES:
            feedback_type = post_kind
        pool_key = feedback_type if feedback_type in FEEDBACK_TYPES else "bug"
    else:
        pool_key = kind
    persona = persona or {}
    if pool_key == "trial":
        # Questions about a report must match the reviewed car, and 同在 its city.
        product = _PRODUCT_BY_SLUG.get(product_slug) if product_slug else None
        city = post_city or persona.get("city")
    else:
        drawn = rng.choice(PRODUCTS)
        product = _PRODUCT_BY_SLUG[persona["car"]] if persona.get("car") else drawn  # the commenter's own car
        city = persona.get("city")
    ctx = _context(rng, product, city=city)
    ctx["freq"] = rng.choice(_COMMENT_FREQ)
    ctx["month"] = rng.randint(1, 12)
    cat = _CAT.get(category_slug) if category_slug else None
    if cat is not None and pool_key in ("bug", "discussion") and rng.random() < 0.3:
        lead = "提供一个临时办法：" if pool_key == "bug" else "分享一下我的经验："
        return lead + rng.choice(cat["points"])
    return _fill(rng.choice(_COMMENTS[pool_key]), ctx)


# ---------------------------------------------------------------------------
# Official replies and status notes
# ---------------------------------------------------------------------------

_DEPT_REPLY = {
    "software": {
        "ack": ["我们已经拉取了您车辆近期的系统日志，正在和研发同事一起分析原因。",
                "问题已同步给车机软件团队，我们会尽快确认是否为共性问题。"],
        "progress": ["研发同事已经在内部测试车上复现了该问题，目前正在修复，预计会随 {fix_ver} 版本一起推送。",
                     "初步定位是系统资源调度策略导致的，修复方案正在验证中，计划在 {fix_ver} 中解决。"],
        "resolved": ["该问题已在 {fix_ver} 版本中修复，OTA 正在分批推送，您可以在“设置-系统升级”中检查更新。",
                     "{fix_ver} 已针对此问题优化了相关模块，升级后如仍有异常，欢迎继续在本帖反馈。"],
        "accepted": ["您的建议已纳入车机 {fix_ver} 版本的需求规划，具体上线时间以 OTA 推送为准。",
                     "产品团队评审后认为这个需求很有价值，已排入 {fix_ver} 的开发计划。"],
        "decline": ["该功能涉及行车安全相关的交互规范，行驶中不宜开放更多屏幕操作",
                    "当前车机芯片的算力无法在不影响流畅度的前提下支持该功能",
                    "系统回退涉及数据兼容与安全校验，暂不具备向用户开放的条件"],
        "info": ["车架号（VIN）后六位", "当前的系统版本号", "问题发生的大致时间（精确到分钟更好）", "如方便，请提供屏幕录像或照片"],
    },
    "adas": {
        "ack": ["我们会结合您反馈的路段信息和车辆数据进行回溯分析。",
                "问题已转交智能驾驶团队，会有专门的工程师跟进分析。"],
        "progress": ["工程师已经完成数据回溯，确认是特定场景下的目标识别存在误判，正在优化算法，预计 {fix_ver} 版本推送。",
                     "相关场景已加入我们的测试用例库，规控策略的优化正在仿真验证中，计划随 {fix_ver} 上线。"],
        "resolved": ["{fix_ver} 版本已优化该场景下的决策策略，升级后可以在相同路段再次体验，欢迎继续反馈。",
                     "该问题已在 {fix_ver} 中修复，新版本同时提升了对施工路段和大型车辆的识别能力。"],
        "accepted": ["您的建议已被采纳，将在 {fix_ver} 或后续版本中以可选项的形式提供。",
                     "这个需求我们已经立项，计划随 {fix_ver} 版本推送，届时会在社区同步说明。"],
        "decline": ["该功能目前受辅助驾驶相关法规对功能边界的限制，暂时无法开放",
                    "出于安全考虑，系统需要保留足够的接管提示冗余，暂不调整该策略",
                    "该场景对传感器硬件有更高的要求，当前车型暂无法可靠支持"],
        "info": ["问题发生的日期、时间和大致路段", "当时是否开启了领航辅助或自适应巡航", "行车记录仪视频（如有）", "车架号后六位"],
    },
    "vehicle": {
        "ack": ["我们已安排质量工程师跟进，会先确认是否为同批次车辆的共性问题。",
                "感谢您的细致描述，问题已转交整车工程团队评估。"],
        "progress": ["工程团队已经确认了问题原因，目前正在验证改进方案，相关调校参数预计随 {fix_ver} 推送。",
                     "我们已联系您所在城市的服务中心安排技师检测，零部件改进方案也在同步验证中，软件侧优化计划在 {fix_ver} 上线。"],
        "resolved": ["相关调校优化已在 {fix_ver} 版本中推送，新批次车辆也已更换改进后的零件，老车主可预约到店免费检测更换。",
                     "{fix_ver} 版本已优化相关控制策略，对应零部件的改进也已在产线落地，如仍有异常请联系服务中心处理。"],
        "accepted": ["您的建议已纳入后续的改进需求，其中可以通过软件实现的部分计划在 {fix_ver} 中上线。",
                     "这个建议很实用，工程团队已完成可行性评估，计划随 {fix_ver} 版本推送。"],
        "decline": ["该调整会影响车辆的安全认证和碰撞测试结果，暂时无法实施",
                    "现有硬件结构不支持这项改动，我们会在后续车型中考虑",
                    "经过多轮评估，当前设定是在舒适性与稳定性之间的最佳平衡"],
        "info": ["车架号后六位和当前里程", "问题出现时的车速和路况", "异响的录音或视频", "是否有过改装或更换轮胎"],
    },
    "energy": {
        "ack": ["我们会联合电池与补能团队一起排查，需要一点时间分析充电和能耗数据。",
                "问题已同步给能源补能团队，会结合车辆的电池数据进行分析。"],
        "progress": ["工程师已定位到是低温下电池热管理策略偏保守，优化方案正在测试，预计随 {fix_ver} 版本推送。",
                     "相关充电站的设备问题已派运维同事处理，车端兼容性优化也在 {fix_ver} 中同步进行。"],
        "resolved": ["{fix_ver} 版本已优化能耗估算和热管理策略，升级后续航显示会更贴近实际。",
                     "该问题已在 {fix_ver} 中修复，对应充电站的设备也已完成维护，欢迎再次体验。"],
        "accepted": ["您的建议已被采纳，计划在 {fix_ver} 版本中上线，后续也会同步到家充桩和 App。",
                     "补能团队已将该需求排入 {fix_ver} 的开发计划，上线后会第一时间通知。"],
        "decline": ["出于电池安全和使用寿命的考虑，该参数不便开放给用户调节",
                    "第三方充电设备的通信协议各不相同，暂时无法全部适配",
                    "该站点的建设受场地和电网容量的限制，短期内无法落地"],
        "info": ["车架号后六位", "充电站名称和充电桩编号", "充电开始和结束的时间", "当时的环境温度和电池电量"],
    },
    "service": {
        "ack": ["已将您的情况转给所在区域的服务经理，会在 24 小时内电话联系您。",
                "我们非常重视您的反馈，已经安排专人跟进。"],
        "progress": ["区域服务经理已和门店核实情况，目前正在协调配件和工位，会尽快给您一个明确的时间。",
                     "我们已联系您所在的服务中心，正在安排技术专家一起复查车辆。"],
        "resolved": ["问题已处理完毕，我们也针对这次的情况对门店做了服务流程复盘；另外 App {app_fix} 已上线维修进度实时查看功能。",
                     "配件已到店并完成维修，相关服务流程已随 App {app_fix} 更新，之后您可以在 App 里随时查看进度。"],
        "accepted": ["您的建议已被采纳，相关功能会在 App {app_fix} 中上线。",
                     "服务团队已经开始试点这项改进，预计随 App {app_fix} 在全国推开。"],
        "decline": ["出于车辆安全和责任认定的需要，该项服务暂时无法上门完成",
                    "该政策由全国统一制定，暂时无法针对个别门店调整",
                    "您所在区域的服务网络仍在建设中，短期内无法覆盖"],
        "info": ["订单号或工单号", "服务中心名称和接待顾问姓名", "方便联系的时间段", "相关票据或聊天记录截图"],
    },
    "digital": {
        "ack": ["问题已转交 App 与数字钥匙团队，我们会尽快排查。",
                "感谢反馈，我们已经记录了您的手机型号和 App 版本信息，正在排查兼容性。"],
        "progress": ["已经定位到问题原因，修复版本正在测试中，预计随 App {app_fix} 发布。",
                     "我们正在和手机厂商一起排查兼容性问题，修复会在 App {app_fix} 中推送。"],
        "resolved": ["该问题已在 App {app_fix} 中修复，请在应用商店更新到最新版本。",
                     "App {app_fix} 已修复此问题，车端的配合优化也已随 {fix_ver} 推送。"],
        "accepted": ["您的建议已被采纳，计划在 App {app_fix} 中上线，敬请期待。",
                     "产品团队已经开始设计这个功能，预计随 App {app_fix} 和大家见面。"],
        "decline": ["出于账户与车辆安全的考虑，该权限暂不开放",
                    "该功能依赖手机系统的开放接口，目前部分机型无法支持",
                    "经过评估，该需求的使用场景较少，近期版本暂不排期"],
        "info": ["手机型号和系统版本", "App 版本号", "问题发生的时间", "App 内“我的-反馈”中上传的日志编号"],
    },
}
_GREETINGS = [
    "您好，感谢您的反馈！", "感谢您的耐心反馈。", "您好，非常感谢您花时间整理这些信息。",
    "车主您好，感谢您对极光汽车的支持。", "您好，收到您的反馈，感谢！",
]
_CLOSED_LINES = [
    "该问题已处理完毕，本帖先行关闭。如后续仍有异常，欢迎重新发帖反馈。",
    "由于长时间未收到补充信息，本帖暂时关闭，您补充信息后可以随时重新打开。",
    "此问题与另一篇反馈重复，已合并处理，本帖关闭，后续进展请关注主帖。",
]


def official_reply(rng: random.Random, department_slug: str, status: str) -> str:
    """A staff reply posted together with a move to ``status``."""
    dept = _DEPT_BY_SLUG.get(department_slug)
    if dept is None:
        raise ValueError(f"unknown department slug: {department_slug!r}")
    if status not in STATUSES:
        raise ValueError(f"unknown status: {status!r}")
    pools = _DEPT_REPLY[department_slug]
    ctx = {"fix_ver": rng.choice(_FIX_VERSIONS), "app_fix": rng.choice(_APP_FIX_VERSIONS)}
    greeting = rng.choice(_GREETINGS)
    if status == "acknowledged":
        text = greeting + rng.choice(pools["ack"]) + "有进展会第一时间在帖子里同步。"
    elif status == "needs_info":
        items = rng.sample(pools["info"], 3)
        text = (greeting + "为了更快定位问题，麻烦您补充以下信息：\n"
                + "\n".join("- " + item for item in items)
                + "\n\n可以直接回复在本帖，也可以通过 App 私信发给我们。")
    elif status == "in_progress":
        text = greeting + rng.choice(pools["progress"]) + "给您带来的不便，深表歉意。"
    elif status == "resolved":
        text = greeting + rng.choice(pools["resolved"]) + "感谢您的耐心等待。"
    elif status == "accepted":
        text = greeting + "您的建议非常有价值。" + rng.choice(pools["accepted"]) + "也欢迎继续提出更多想法。"
    elif status == "declined":
        text = (greeting + "经过团队评估，这次暂时无法按您的期望处理，原因是" + rng.choice(pools["decline"])
                + "。我们理解这可能让您有些失望，如果后续条件变化，会在社区同步。")
    else:  # closed
        text = greeting + rng.choice(_CLOSED_LINES)
    return _fill(text, ctx) + f"\n\n—— {BRAND['name']}{dept['name']}"


_STATUS_NOTES = {
    "acknowledged": ["已确认收到，转交相关团队评估。", "问题已登记，等待研发评估。", "已同步给产品团队。", "已确认，进入评估流程。"],
    "needs_info": ["需要补充车架号后六位和系统版本。", "请补充问题发生的时间和视频。", "信息不足，已请车主补充。", "等待车主补充日志。"],
    "in_progress": ["研发排查中。", "已复现，修复中。", "方案评审通过，开发中。", "已联系门店跟进处理。"],
    "resolved": ["已在 {fix_ver} 修复。", "{fix_ver} 版本已修复，OTA 分批推送中。", "已处理完毕，车主确认解决。",
                 "修复已随 App {app_fix} 发布。"],
    "accepted": ["建议已采纳，纳入下季度规划。", "已纳入 {fix_ver} 需求池。", "采纳，排期中。"],
    "declined": ["暂不采纳，原因：受法规限制暂无法实现。", "暂不采纳，原因：现有硬件不支持。",
                 "暂不采纳，原因：与安全策略冲突。", "暂不采纳，原因：经评估属于设计预期。",
                 "暂不采纳，原因：使用场景较少，近期不排期。"],
    "closed": ["问题已解决，关闭。", "长时间未收到补充信息，先行关闭。", "重复反馈，已合并到主帖。", "车主确认无需继续跟进，关闭。"],
}


def status_note(rng: random.Random, status: str) -> str:
    """A short internal-style note recorded with a status change."""
    if status not in _STATUS_NOTES:
        raise ValueError(f"unknown status: {status!r}")
    ctx = {"fix_ver": rng.choice(_FIX_VERSIONS), "app_fix": rng.choice(_APP_FIX_VERSIONS)}
    return _fill(rng.choice(_STATUS_NOTES[status]), ctx)


_REASSIGN_REASONS = ["这个问题更适合由同事跟进。", "转给负责该车型的同事处理。", "涉及其他模块，转交相关同事。",
                     "我这边排期已满，请同事协助处理。", "需要硬件同事先排查，转交。"]


def reassign_reason(rng: random.Random) -> str:
    """Why a contact passed an item to a colleague (踢皮球 leaves a reason on the record)."""
    return rng.choice(_REASSIGN_REASONS)


# (path, weight); declined only ever directly follows acknowledged.
_STATUS_PATHS = {
    "bug": [
        (("acknowledged",), 15), (("acknowledged", "in_progress"), 15),
        (("acknowledged", "in_progress", "resolved"), 25),
        (("acknowledged", "in_progress", "resolved", "closed"), 10),
        (("needs_info",), 5), (("acknowledged", "needs_info"), 6),
        (("acknowledged", "needs_info", "in_progress", "resolved"), 8),
        (("needs_info", "closed"), 5),
        (("acknowledged", "declined"), 4), (("acknowledged", "declined", "closed"), 2),
    ],
    "suggestion": [
        (("acknowledged",), 25), (("acknowledged", "accepted"), 20),
        (("acknowledged", "accepted", "in_progress"), 12),
        (("acknowledged", "accepted", "in_progress", "resolved"), 10),
        (("acknowledged", "accepted", "in_progress", "resolved", "closed"), 3),
        (("acknowledged", "declined"), 15), (("acknowledged", "declined", "closed"), 5),
        (("acknowledged", "needs_info"), 5),
    ],
    "complaint": [
        (("acknowledged",), 20), (("acknowledged", "in_progress"), 15),
        (("acknowledged", "in_progress", "resolved"), 25),
        (("acknowledged", "in_progress", "resolved", "closed"), 10),
        (("needs_info",), 8), (("acknowledged", "needs_info", "in_progress", "resolved"), 8),
        (("acknowledged", "closed"), 6), (("acknowledged", "declined", "closed"), 3),
    ],
}
_STATUS_PATH_CHOICES = {
    k: ([p for p, _ in v], [w for _, w in v]) for k, v in _STATUS_PATHS.items()
}
_STAY_NEW = 0.25


def sample_status_path(rng: random.Random, feedback_type: str) -> list[str]:
    """Statuses a feedback item went through after "new" ([] = still new)."""
    if feedback_type not in _STATUS_PATH_CHOICES:
        raise ValueError(f"unknown feedback type: {feedback_type!r}")
    if rng.random() < _STAY_NEW:
        return []
    paths, weights = _STATUS_PATH_CHOICES[feedback_type]
    return list(rng.choices(paths, weights=weights, k=1)[0])
