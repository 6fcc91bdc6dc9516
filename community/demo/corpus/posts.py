"""Feedback posts, discussions and trial reports."""
from __future__ import annotations

import random

from community.demo.corpus.phrases import (
    _BUG_TITLES,
    _BUG_TITLES_SERVICE,
    _BUG_TITLES_VER,
    _CLOSERS,
    _COMPLAINT_COMPARISONS,
    _COMPLAINT_COUNTS,
    _COMPLAINT_DEMANDS,
    _COMPLAINT_FEELINGS,
    _COMPLAINT_OPENERS,
    _COMPLAINT_TITLES,
    _COMPLAINT_TITLES_SERVICE,
    _FREQUENCY,
    _NO_EFFECT,
    _OWNER_OPENERS,
    _Q_CLOSINGS,
    _S_CLOSINGS,
    _SUGGESTION_BENEFITS,
    _SUGGESTION_CLOSINGS,
    _SUGGESTION_TITLES,
    _TITLE_MAX,
    _USAGES,
    _car_intro,
    _category,
    _clamp_title,
    _context,
    _fill,
    _product_for,
    _title,
)
from community.demo.corpus.reference import _PRODUCT_BY_SLUG, _PRODUCT_EXTRA, RATING_DIMENSIONS

# ---------------------------------------------------------------------------
# Feedback posts
# ---------------------------------------------------------------------------

def _persona_product(rng: random.Random, category_slug: str, persona: dict | None) -> dict | None:
    """The car a post is about: the writer's own when the topic is about a car and they have one."""
    product = _product_for(rng, category_slug)
    if product is not None and persona and persona.get("car"):
        return _PRODUCT_BY_SLUG[persona["car"]]
    return product


def feedback_post(rng: random.Random, category_slug: str, feedback_type: str, *, persona: dict | None = None) -> dict:
    """A bug report, suggestion or complaint that fits the category's topic (`persona`: the writer's
    {"city", "car"}, so a member never writes from three cities about three cars)."""
    cat = _category(category_slug)
    product = _persona_product(rng, category_slug, persona)
    ctx = _context(rng, product, category_slug, city=(persona or {}).get("city"))
    if feedback_type == "bug":
        title, body = _bug(rng, cat, product, ctx)
    elif feedback_type == "suggestion":
        title, body = _suggestion(rng, cat, product, ctx)
    elif feedback_type == "complaint":
        title, body = _complaint(rng, cat, product, ctx)
    else:
        raise ValueError(f"unknown feedback type: {feedback_type!r}")
    return {"title": title, "body": body, "product": product["slug"] if product else None}


def _bug(rng, cat, product, ctx):
    short, detail, steps, ota = rng.choice(cat["problems"])
    ctx["short"] = _fill(short, ctx)
    if cat["profile"] == "service":
        templates = _BUG_TITLES_SERVICE
    elif cat["ver_kind"] == "app":
        templates = _BUG_TITLES + ["App {appver}：{short}", "更新 App {appver} 后{short}", "{short}（App {appver}）"]
    elif cat["ver_kind"] == "os" and ota:
        templates = _BUG_TITLES + _BUG_TITLES_VER
    else:
        templates = _BUG_TITLES
    title = _title(rng, templates, ctx, "反馈：" + ctx["short"])

    profile = cat["profile"]
    paragraphs = [_car_intro(rng, cat, product, ctx)]
    paragraphs.append(rng.choice(["问题描述：", "具体情况：", ""]) + _fill(detail, ctx) + "。"
                      + rng.choice(_FREQUENCY[profile]))
    step_lines = "\n".join("- " + _fill(s, ctx) for s in steps)
    paragraphs.append(cat["steps_label"] + "：\n" + step_lines)
    tried = rng.sample(cat["tried"], 2)
    closers = _CLOSERS[profile] + cat.get("closers", [])
    paragraphs.append(f"已经试过{tried[0]}，也试过{tried[1]}，{rng.choice(_NO_EFFECT[profile])}。"
                      + rng.choice(closers))
    return title, "\n\n".join(paragraphs)


def _suggestion(rng, cat, product, ctx):
    short, why, detail = rng.choice(cat["ideas"])
    ctx["short"] = _fill(short, ctx)
    ctx["topic"] = cat["topic"]
    title = _title(rng, _SUGGESTION_TITLES, ctx, "建议" + ctx["short"])

    if product is None:
        intro = _fill(rng.choice([
            "我是{city}的车主，用车{months}个月了，平时主要是{usage}。",
            "坐标{city}，平时主要是{usage}，有个想法想和大家聊聊。",
        ]), {**ctx, "usage": rng.choice(_USAGES)})
    else:
        intro = _fill(rng.choice([
            "我是{city}的{m}车主，提车{months}个月，平时主要是{usage}。",
            "{model} {trim}车主，用车{months}个月，整体很满意，不过有个小想法。",
            "开了{months}个月{m}，平时主要是{usage}，想提一个建议。",
        ]), {**ctx, "usage": rng.choice(_USAGES)})
    paragraphs = [
        intro,
        rng.choice(["使用场景：", "", "遇到的情况："]) + _fill(why, ctx),
        rng.choice(["我的想法是：", ""] if detail.startswith("建议") else ["具体建议：", "我的想法是：", ""])
        + _fill(detail, ctx),
        rng.choice(_SUGGESTION_BENEFITS) + rng.choice(_SUGGESTION_CLOSINGS),
    ]
    return title, "\n\n".join(paragraphs)


def _complaint(rng, cat, product, ctx):
    short, detail, _steps, _ota = rng.choice(cat["problems"])
    ctx["short"] = _fill(short, ctx)
    templates = _COMPLAINT_TITLES if cat["profile"] == "car" else _COMPLAINT_TITLES_SERVICE
    title = _title(rng, templates, ctx, "吐槽：" + ctx["short"])
    openers = _COMPLAINT_OPENERS if not cat.get("owner", True) else _COMPLAINT_OPENERS + _OWNER_OPENERS

    if cat["profile"] == "service":
        scene = rng.choice(["坐标{city}。", "{city}车主，说说最近的经历。", ""])
    else:
        scene = rng.choice(["最近一次是{when}。", "坐标{city}，最近一次遇到是{when}。", "{when}又遇到了。"])
    paragraphs = [
        _fill(rng.choice(openers), ctx),
        _fill(scene, ctx) + _fill(detail, ctx) + "。" + _fill(rng.choice(_COMPLAINT_COUNTS), ctx),
        _fill(rng.choice(_COMPLAINT_FEELINGS), ctx) + _fill(rng.choice(_COMPLAINT_COMPARISONS), ctx),
        rng.choice(_COMPLAINT_DEMANDS),
    ]
    if rng.random() < 0.4:
        tried = rng.choice(cat["tried"])
        paragraphs.insert(3, f"之前也试过{tried}，{rng.choice(_NO_EFFECT[cat['profile']])}。")
    return title, "\n\n".join(paragraphs)


# ---------------------------------------------------------------------------
# Discussions
# ---------------------------------------------------------------------------

_THREAD_PREFIX = {"q": ["", "", "【求助】", "【提问】", "新手求问："], "s": ["", "", "【分享】", "【经验】"]}

# Sharing threads whose title promises something specific get their own body
# points (keyed by the title template); others draw from the category pool.
_THREAD_POINTS = {
    "晒一下我的{m}车机桌面布局": [
        "左边一栏放了导航和音乐两张大卡片，开车最常用的都在手边。",
        "空调和座椅加热做成了快捷按钮，放在最下面一排，不用再进二级菜单。",
        "不常用的应用全部收进了应用抽屉，桌面看着清爽很多。",
    ],
    "{ver} 更新内容整理，附个人体验": [
        "车机部分：开机速度更快了，地图缩放和页面切换明显顺滑。",
        "辅助驾驶部分：领航辅助的变道更果断，匝道前的减速也柔和了一些。",
        "其他方面：座椅记忆和空调偏好现在会跟着账号走了，换人开车方便不少。",
    ],
    "换了一套静音胎，说说前后对比": [
        "换胎之后在水泥路上的胎噪明显小了，80 公里时速下跟后排说话不用提高音量。",
        "代价是能耗涨了一点，百公里大概多了 0.5 度电。",
        "抓地力和原厂胎差不多，雨天刹车也挺稳。",
    ],
    "山路跑了一趟，{m}的操控比想象中好": [
        "运动模式下方向盘变沉，指向很精准，连续弯道不用频繁修方向。",
        "车身侧倾比预想中小，家里人坐着也没有晕车。",
        "下坡时动能回收很好用，基本不用怎么踩刹车。",
    ],
    "分享一下我的{m}音响调校参数": [
        "低音调到 +3，中音保持 0，高音 +2，人声听起来更饱满。",
        "环绕模式关掉，声场聚焦在主驾，听流行歌效果最好。",
        "音量超过 25 之后车门会有点共振，建议日常开到 20 左右。",
    ],
    "冬天座舱预热攻略，北方车主来交流": [
        "出门前二十分钟插着家充桩用 App 开启预热，座舱和电池一起加热，基本不耗路上的电。",
        "座椅加热和方向盘加热先开，暖风温度设 20 度就够了。",
        "室外停车的话，前一晚把充电上限调到 90%，第二天预热完电量也不紧张。",
    ],
    "贴了隐形车衣，说说效果和价格": [
        "选的是一家做了很多年的老店，全车 TPU 加门边包边，一共花了九千多。",
        "施工用了两天，交车的时候仔细检查了边角，没有气泡和翘边。",
        "贴完之后漆面亮度提升挺明显，在小区里被剐蹭也不那么心疼了。",
    ],
    "{m}换了 21 寸轮毂，聊聊改装过程": [
        "选的是锻造轮毂，单只比原厂轻了两公斤左右。",
        "换完之后能耗基本没变，但胎噪稍微大了一点。",
        "安装前问了服务中心，只要规格符合就不影响保修。",
    ],
    "{city}冬季续航实测，零下{temp}度能跑多少？": [
        "早上冷车出发，前十公里的能耗能到每百公里 25 度电以上，之后慢慢降到 18 度左右。",
        "暖风开 20 度加座椅加热，比单开暖风 24 度省了不少。",
        "插着枪提前预热半小时，通勤的续航损失能少三成左右。",
    ],
    "{m}满电跑了一趟高速，说说真实续航": [
        "全程定速 110，空调 24 度，平均能耗大概每百公里 17 度电。",
        "满电出发，跑了三百二十公里还剩 18%，中途在服务区补了一次电。",
        "超充站基本没排队，从 15% 充到 80% 用了 32 分钟。",
    ],
    "第三方充电桩兼容性汇总，欢迎补充": [
        "几家大的运营商基本都能正常充，功率也能跑满。",
        "一些老旧的桩会提示通讯异常，拔枪等一分钟再插大多能解决。",
        "商场里的桩要注意停车费，有的按小时收，不一定划算。",
    ],
    "分享一个远程开空调的小技巧": [
        "先在 App 里刷新一下车辆状态，确认车辆在线再下指令。",
        "地库信号差的时候用预约出行代替远程开空调，车会按时自己启动。",
        "提示超时别着急重复点，等一两分钟再看，大多数时候空调其实已经开了。",
    ],
    "App {appver} 体验如何？": [
        "首页改成了卡片式布局，电量和续航一眼就能看到。",
        "远程控制的响应快了不少，开空调基本几秒钟就有反馈。",
        "不太习惯的是充电设置藏得更深了，要点两层才能找到。",
    ],
    "记录一次出险理赔的全过程": [
        "出事后第一时间在 App 里报案，十分钟左右就有保险专员打电话过来。",
        "定损是在授权钣喷中心做的，配件和工时都列得很清楚。",
        "维修期间给安排了代步车，整体流程比想象中顺利。",
    ],
    "给{city}的服务中心点个赞": [
        "预约的时候只说了个大概，顾问当天就安排技师做了检查。",
        "问题找到以后，维修过程全程拍视频发给我看。",
        "取车的时候车还被洗得干干净净，体验真的很好。",
    ],
    "终于提车了！记录一下等车的两个月": [
        "锁单后的第三周分配到了车辆，之后每周都能在 App 里看到新的节点。",
        "中间因为配件短缺延迟了十来天，交付专员主动打电话来说明了情况。",
        "提车那天验得很仔细，漆面、门缝都没问题，总算没白等。",
    ],
    "{city}车友会周末露营活动回顾": [
        "一共来了二十多台车，大家在营地门口集合后统一入场。",
        "晚上用车辆的对外放电功能接了电磁炉和灯串，一晚上用了不到 10% 的电。",
        "第二天一起去附近的超充站补电，错峰排队，基本没等。",
    ],
    "共创提案被采纳了，分享一下心得": [
        "先把使用场景写清楚：什么时候、在哪里、遇到了什么麻烦。",
        "再说自己的方案，最好附上其他产品的参考，产品经理更容易理解。",
        "发出去之后积极回复大家的讨论，支持的人多了官方自然会重视。",
    ],
    "社区新人报到，{m}车主一枚": [
        "之前开的是{old_car}，这次第一次开电车，很多地方还在摸索。",
        "目前最喜欢的是{topic_like}，最不习惯的是动能回收，还在适应。",
        "以后用车遇到问题，还请各位前辈多多指教。",
    ],
}
_THREAD_POINTS["国庆自驾去{city}，一路充电体验分享"] = [
    "一路上用的都是高速服务区和城区的超充站，平均每次充电二十五分钟左右。",
    "出发前在导航里规划好补能点，到站前电池会自动预热，功率基本都能跑到 100 kW 以上。",
    "节假日服务区排队比较严重，我都是提前下高速去城区的站补电。",
]
_THREAD_POINTS["提车验车要注意哪些地方？整理了一份清单"] = [
    "漆面一定要在白天自然光下看，晚上在灯光下很多问题看不出来。",
    "门缝可以用硬币对比左右两边，差异明显的话交付前就提出来。",
    "轮胎和玻璃的生产日期都看一下，和车辆的出厂时间别差太多。",
    "最后把车机系统版本和 App 绑定都确认一遍。",
]
_GENERIC_SHARE_TITLES = [
    "提车{months}个月，聊聊{topic}方面的几点心得",
    "{m}车主的{topic}经验分享",
    "关于{topic}，说几点我的体会",
]
_GENERIC_SHARE_OPENINGS = [
    "用车{months}个月，{topic}这块踩过一些坑，也攒了一点经验，简单整理一下。",
    "经常在社区看大家的经验贴，这次也来分享一点自己在{topic}方面的体会。",
]
_Q_CONTEXT = [
    "在论坛搜了一圈，大家的说法不太一样。",
    "问了销售，回答得比较含糊。",
    "车友群里问过，众说纷纭。",
    "看了说明书也没找到明确的说法。",
]
_TOPIC_LIKES = ["座椅通风", "车机的流畅度", "领航辅助", "手机钥匙", "后排空间", "静谧性"]


def discussion_post(rng: random.Random, category_slug: str, *, persona: dict | None = None) -> dict:
    """A free-form discussion thread (question or experience sharing)."""
    cat = _category(category_slug)
    product = _persona_product(rng, category_slug, persona)
    ctx = _context(rng, product, category_slug, city=(persona or {}).get("city"))
    ctx["topic"] = cat["topic"]
    ctx["topic_like"] = rng.choice(_TOPIC_LIKES)
    if rng.random() < 0.2:
        title_t = rng.choice(_GENERIC_SHARE_TITLES)
        opening, kind = rng.choice(_GENERIC_SHARE_OPENINGS), "s"
    else:
        title_t, opening, kind = rng.choice(cat["threads"])
    base_title = _fill(title_t, ctx)
    prefix = rng.choice(_THREAD_PREFIX[kind])
    title = prefix + base_title if len(prefix + base_title) <= _TITLE_MAX else base_title
    title = _clamp_title(title)

    paragraphs = [_fill(opening, ctx)]
    if kind == "q":
        if product is not None and cat["profile"] == "car":
            info = "我的车是{model} {trim}"
            if cat["ver_kind"] == "os":
                info += "，系统版本 {ver}"
            paragraphs.append(_fill(info + "，提车{months}个月。", ctx))
        if rng.random() < 0.5:
            paragraphs.append(rng.choice(_Q_CONTEXT))
        paragraphs.append(rng.choice(_Q_CLOSINGS))
    else:
        specific = _THREAD_POINTS.get(title_t)
        if specific is not None:
            # Written as a sequence already; keep them in order, unlabelled.
            points = [_fill(p, ctx) for p in specific]
            labels = ("", "", "", "")
        else:
            points = rng.sample(cat["points"], rng.randint(2, 3))
            labels = rng.choice([("第一，", "第二，", "第三，", "第四，"), ("", "", "", ""),
                                 ("先说一点：", "另外，", "还有，", "最后，")])
        paragraphs.extend(labels[i] + p for i, p in enumerate(points))
        paragraphs.append(rng.choice(_S_CLOSINGS))
    return {"title": title, "body": "\n\n".join(paragraphs)}


# ---------------------------------------------------------------------------
# Trial reports
# ---------------------------------------------------------------------------

_DIM_TEXT = {
    "comfort": {
        "lead": ["先说大家最关心的舒适性。", "市区路段主要体验了一下舒适性。", "家里人坐在后排，全程帮我感受了一下舒适性。"],
        "good": [
            "舒适模式下悬挂滤震细腻，过减速带很从容", "座椅包裹性好，坐久了也不累",
            "隔音做得不错，高速上聊天不用提高音量", "底盘的余震收得很干脆，后排不晕车",
        ],
        "bad": [
            "悬挂偏硬，过连续减速带时后排颠得明显", "高速上风噪和胎噪偏大",
            "座椅坐垫偏短，长途时腿部支撑不够", "动能回收偏强，后排乘客容易晕车",
        ],
    },
    "handling": {
        "lead": ["操控方面，找了一段弯道比较多的路认真开了一下。", "动力和操控是我比较在意的部分。", "接着上了一段山路。"],
        "good": [
            "转向精准，指哪打哪", "加速线性，超车非常轻松",
            "车身侧倾控制得好，连续弯道开起来很有信心", "刹车脚感线性，很容易踩准",
        ],
        "bad": [
            "方向盘虚位稍大，高速上修方向不够跟手", "车身偏重，连续弯道时侧倾比较明显",
            "刹车前段太灵敏，一不小心就点头", "低速时方向盘偏沉，停车的时候有点累",
        ],
    },
    "intelligence": {
        "lead": ["智能化是这次试驾的重点。", "上了高架后试了一下领航辅助。", "车机和辅助驾驶这块花了不少时间体验。"],
        "good": [
            "车机流畅，语音识别准确率很高", "领航辅助上下匝道很顺，变道也果断",
            "自动泊车成功率高，速度也快", "手机钥匙和 App 联动做得很好，走近就解锁",
        ],
        "bad": [
            "车机偶尔卡顿，冷启动要等一会儿", "领航辅助变道偏犹豫，车流大的时候基本变不过去",
            "语音助手不支持连续对话，每次都要重新唤醒", "无线 CarPlay 连接不太稳定",
        ],
    },
    "range": {
        "lead": ["续航和补能方面也专门关注了一下。", "这次专门留意了一下能耗。", "试驾结束前去超充站体验了一下充电。"],
        "good": [
            "续航达成率高，市区能跑到标称的八成以上", "超充速度快，从 20% 充到 80% 只要半小时左右",
            "能耗控制得好，市区百公里十几度电", "官方超充站覆盖不错，常去的地方基本都有",
        ],
        "bad": [
            "高速续航打折明显，跑长途得好好规划", "冬季掉电比较快，北方车主要有心理准备",
            "三四线城市的补能网络覆盖一般", "表显续航偶尔跳变，不太好估算",
        ],
    },
    "space": {
        "lead": ["空间是家里人最关心的部分。", "最后仔细看了一下空间和储物。", "带着儿童座椅去的，顺便测了一下空间。"],
        "good": [
            "后排腿部空间宽裕，地板也是纯平的", "后备箱很能装，还有一个前备箱",
            "车内储物格多，细节很贴心", "儿童座椅安装方便，后排再坐一个大人也不挤",
        ],
        "bad": [
            "后排头部空间偏紧，一米八的人坐着有点压头", "后备箱开口偏小，大件不太好放",
            "后排中间位置有点窄，只适合短途", "前排储物空间偏少，手机没地方放",
        ],
    },
    "value": {
        "lead": [],
        "good": [
            "同价位配置很足，座椅通风、空悬这些都有", "权益给得多，送家充桩和免费超充额度",
            "这个价格能买到这套智驾，很划算",
        ],
        "bad": [
            "选装包价格偏贵，想要的配置都集中在高配", "落地价比预期高了不少",
            "保险费用偏高，第一年的保费有点肉疼",
        ],
    },
}
_HOOKS = {
    "comfort": ["舒适性超出预期", "后排老人坐着很舒服", "过减速带很从容"],
    "handling": ["操控比想象中好", "开起来很有驾驶乐趣", "动力和操控都很扎实"],
    "intelligence": ["智能化是最大亮点", "领航辅助惊艳到我了", "车机体验很流畅"],
    "range": ["续航很扎实", "续航达成率不错", "补能体验很省心"],
    "space": ["空间是最大亮点", "二胎家庭完全够用", "后备箱真的能装"],
    "value": ["这个价位很有竞争力", "性价比很高", "配置给得很足"],
}
_NEUTRAL_HOOKS = ["优缺点都很明显", "不吹不黑说说感受", "有惊喜也有遗憾", "说说真实感受"]
_TRIAL_TITLES = [
    "{model} {trim}试驾报告：{hook}",
    "{city}试驾{model}，{hook}",
    "{old_car}车主试驾{model}：{hook}",
    "深度试驾{model} {trim}，说说优缺点",
    "带全家试驾{model}，{hook}",
    "试驾{model}两小时，{hook}",
    "{model}试驾体验：{hook}",
    "{model} {trim}深度试驾，{hook}",
]
_TRIAL_INTROS = [
    "先介绍一下背景：家里现在开的是一台{old_car}，开了{years}年，最近打算换一台纯电{kind}，主要用途是{usage}。上周末在{city}的极光中心约了{model} {trim}的试驾，{duration}。",
    "本人坐标{city}，{family}，之前一直开{old_car}。这次试驾的是{model} {trim}，{duration}，路线包括{route}。",
    "作为一个{persona}，这次终于约上了{model}的深度试驾。试驾车是{trim}，{color}车身，{duration}，路线包括{route}。",
    "最近在看{price_band} 万左右的纯电{kind}，{model}是重点考虑对象之一。周末带着家人去{city}的极光中心试驾了{trim}，{duration}。",
]
_DURATIONS = [
    "整个试驾大概两个小时", "前后试驾了将近一个半小时", "销售很爽快地让我开了四十多公里",
    "官方给了 24 小时的深度试驾，还能开回家体验一晚",
]
_ROUTES = ["市区道路、一段高架和十几公里高速", "城区拥堵路段加一段山路", "市区、快速路和地库停车", "绕城高速加市区通勤路线"]
_FAMILIES = ["二胎奶爸", "刚结婚不久", "家里有老人和一个上小学的孩子", "一个人住，周末喜欢自驾"]
_PERSONAS = ["开了十年油车的老司机", "科技爱好者", "纯电车新手", "二胎家庭的奶爸"]
_COLORS = ["星河灰", "极光绿", "冰川白", "曜石黑", "暮光紫", "深海蓝"]
_CONNECT_MIXED = ["不过", "但是", "美中不足的是", "唯一的遗憾是"]


def trial_report(rng: random.Random, product_slug: str, *, persona: dict | None = None) -> dict:
    """A test-drive report with coherent ratings, pros and cons; `city` in the result is where it was
    tried (the writer's city), so replies can say 同在 that city."""
    try:
        product = _PRODUCT_BY_SLUG[product_slug]
    except KeyError:
        raise ValueError(f"unknown product slug: {product_slug!r}") from None
    extra = _PRODUCT_EXTRA[product_slug]
    ctx = _context(rng, product, city=(persona or {}).get("city"))
    ctx.update(
        kind=extra["kind"], usage=rng.choice(_USAGES), duration=rng.choice(_DURATIONS),
        route=rng.choice(_ROUTES), family=rng.choice(_FAMILIES), persona=rng.choice(_PERSONAS),
        color=rng.choice(_COLORS),
        price_band=int(round(float(extra["price"]) / 5) * 5),
    )

    ratings = {}
    for dim in RATING_DIMENSIONS:
        key = dim["key"]
        score = extra["base"][key] + rng.choice((-2, -1, -1, 0, 0, 0, 0, 1))
        ratings[key] = max(1, min(5, score))

    ranked = sorted(ratings, key=lambda k: (-ratings[k], k))
    best = ranked[0]
    ctx["hook"] = rng.choice(_HOOKS[best]) if ratings[best] >= 4 else rng.choice(_NEUTRAL_HOOKS)
    title = _title(rng, _TRIAL_TITLES, ctx, f"{product['name']}试驾报告")

    # Body: intro, 1-4 aspect paragraphs, summary -> 3 to 6 paragraphs.
    aspects = [k for k in ("comfort", "handling", "intelligence", "range", "space")]
    chosen = rng.sample(aspects, rng.randint(1, 4))
    chosen.sort(key=aspects.index)
    paragraphs = [_fill(rng.choice(_TRIAL_INTROS), ctx)]
    for key in chosen:
        text = _DIM_TEXT[key]
        score = ratings[key]
        if score >= 4:
            a, b = rng.sample(text["good"], 2)
            body = f"{a}，{b}。"
        elif score <= 2:
            a, b = rng.sample(text["bad"], 2)
            body = f"{a}，而且{b}。"
        else:
            body = f"{rng.choice(text['good'])}，{rng.choice(_CONNECT_MIXED)}{rng.choice(text['bad'])}。"
        paragraphs.append(rng.choice(text["lead"]) + body)
    avg = sum(ratings.values()) / len(ratings)
    if avg >= 4:
        verdict = "是一台完成度很高的车，{price}万这个价位很有竞争力，我已经在认真考虑下定了"
    elif avg >= 3:
        verdict = "整体表现不错，但也有一些需要改进的地方，我会再对比一下同价位的其他车型"
    else:
        verdict = "还有不少短板，短期内我应该不会考虑"
    value_line = rng.choice(_DIM_TEXT["value"]["good" if ratings["value"] >= 4 else "bad"])
    paragraphs.append(_fill("总结一下，{model}" + verdict + "。", ctx)
                      + f"价格方面，{value_line}。" + rng.choice(["以上是个人主观感受，仅供参考。", "欢迎准车主交流。", ""]))

    pros = _pro_con_lines(rng, ratings, ranked, good=True)
    cons = _pro_con_lines(rng, ratings, list(reversed(ranked)), good=False)
    return {
        "title": title,
        "body": "\n\n".join(paragraphs),
        "version": ctx["trim"],
        "city": ctx["city"],
        "pros": "\n".join(pros),
        "cons": "\n".join(cons),
        "ratings": ratings,
    }


def _pro_con_lines(rng, ratings, ordered, good: bool) -> list[str]:
    """2-4 lines; strongest (or weakest) dimensions first."""
    pool_key = "good" if good else "bad"
    if good:
        keys = [k for k in ordered if ratings[k] >= 4]
    else:
        keys = [k for k in ordered if ratings[k] <= 3]
    if len(keys) < 2:
        keys = ordered[:2]
    keys = keys[:4]
    lines = [rng.choice(_DIM_TEXT[k][pool_key]) for k in keys]
    return lines
