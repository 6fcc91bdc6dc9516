"""Staff and member profiles."""
from __future__ import annotations

import random

from community.demo.corpus.phrases import _CITIES
from community.demo.corpus.reference import _PRODUCT_EXTRA, DEPARTMENTS, PRODUCTS

# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------

_SURNAMES = [
    ("张", "zhang"), ("王", "wang"), ("李", "li"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"),
    ("胡", "hu"), ("朱", "zhu"), ("高", "gao"), ("林", "lin"), ("何", "he"), ("郭", "guo"),
    ("马", "ma"), ("罗", "luo"), ("梁", "liang"), ("宋", "song"), ("郑", "zheng"), ("谢", "xie"),
    ("韩", "han"), ("唐", "tang"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("彭", "peng"),
    ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("潘", "pan"), ("袁", "yuan"),
    ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"), ("叶", "ye"), ("程", "cheng"),
    ("魏", "wei"), ("苏", "su"), ("丁", "ding"), ("沈", "shen"), ("姚", "yao"), ("崔", "cui"),
    ("钟", "zhong"), ("谭", "tan"), ("陆", "lu"), ("范", "fan"), ("金", "jin"), ("石", "shi"),
    ("廖", "liao"), ("贾", "jia"), ("夏", "xia"), ("方", "fang"), ("白", "bai"), ("邹", "zou"),
    ("孟", "meng"), ("熊", "xiong"), ("秦", "qin"), ("邱", "qiu"), ("江", "jiang"), ("尹", "yin"),
    ("薛", "xue"), ("段", "duan"), ("雷", "lei"), ("侯", "hou"), ("龙", "long"), ("陶", "tao"),
    ("贺", "he"), ("顾", "gu"), ("毛", "mao"), ("郝", "hao"), ("邵", "shao"), ("钱", "qian"),
]
_GIVEN = [
    ("伟", "wei"), ("芳", "fang"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
    ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("杰", "jie"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("霞", "xia"), ("平", "ping"), ("子", "zi"), ("涵", "han"),
    ("宇", "yu"), ("轩", "xuan"), ("浩", "hao"), ("然", "ran"), ("欣", "xin"), ("怡", "yi"),
    ("佳", "jia"), ("琪", "qi"), ("晨", "chen"), ("思", "si"), ("雨", "yu"), ("博", "bo"),
    ("文", "wen"), ("嘉", "jia"), ("俊", "jun"), ("晓", "xiao"), ("婷", "ting"), ("鹏", "peng"),
    ("飞", "fei"), ("凯", "kai"), ("昊", "hao"), ("天", "tian"), ("一", "yi"), ("诺", "nuo"),
    ("睿", "rui"), ("泽", "ze"), ("瑶", "yao"), ("雪", "xue"), ("海", "hai"), ("波", "bo"),
    ("健", "jian"), ("斌", "bin"), ("辉", "hui"), ("丹", "dan"), ("颖", "ying"), ("倩", "qian"),
    ("琳", "lin"), ("立", "li"), ("志", "zhi"), ("远", "yuan"), ("航", "hang"), ("亮", "liang"),
    ("峰", "feng"), ("逸", "yi"), ("彤", "tong"), ("蕾", "lei"), ("楠", "nan"), ("帆", "fan"),
    ("越", "yue"), ("阳", "yang"), ("梦", "meng"), ("晴", "qing"), ("安", "an"), ("乐", "le"),
]

_STAFF_TITLES = {
    "software": ["车机产品经理", "OTA 项目经理", "高级软件工程师", "系统测试工程师", "HMI 设计师", "语音交互产品经理"],
    "adas": ["智驾产品经理", "感知算法工程师", "规控算法工程师", "智驾测试工程师", "泊车功能负责工程师"],
    "vehicle": ["底盘调校工程师", "NVH 工程师", "座舱产品经理", "质量工程师", "车身工程师", "热管理工程师"],
    "energy": ["电池系统工程师", "BMS 软件工程师", "补能网络运营经理", "充电产品经理", "家充服务经理"],
    "service": ["用户服务专员", "售后技术专家", "服务运营经理", "交付体验经理", "区域服务经理"],
    "digital": ["App 产品经理", "社区运营", "数字钥匙工程师", "用户运营经理", "iOS 开发工程师", "积分商城运营"],
}


def _chinese_name(rng: random.Random) -> tuple[str, str]:
    surname, s_py = rng.choice(_SURNAMES)
    if rng.random() < 0.75:
        (g1, p1), (g2, p2) = rng.choice(_GIVEN), rng.choice(_GIVEN)
        if g1 == g2:
            return surname + g1, s_py + p1
        return surname + g1 + g2, s_py + p1 + p2
    g, p = rng.choice(_GIVEN)
    return surname + g, s_py + p


def staff_people(rng: random.Random, n: int = 20) -> list[dict]:
    """Brand staff, at least two per department, grouped by department.

    The first person of each department has ``lead=True`` and a lead title.
    Usernames all start with ``aurora_`` so they never collide with members.
    """
    per_dept = len(DEPARTMENTS) * 2
    if n < per_dept:
        raise ValueError(f"need at least {per_dept} staff to cover every department twice")
    counts = {d["slug"]: 2 for d in DEPARTMENTS}
    offset = rng.randrange(len(DEPARTMENTS))
    for i in range(n - per_dept):
        counts[DEPARTMENTS[(offset + i) % len(DEPARTMENTS)]["slug"]] += 1

    people: list[dict] = []
    used_names: set[str] = set()
    used_usernames: set[str] = set()
    for dept in DEPARTMENTS:
        titles = _STAFF_TITLES[dept["slug"]][:]
        rng.shuffle(titles)
        for i in range(counts[dept["slug"]]):
            for _ in range(50):
                name, py = _chinese_name(rng)
                if name not in used_names:
                    break
            else:  # pragma: no cover - only for absurdly large n
                name, py = name + str(len(used_names)), py + str(len(used_names))
            used_names.add(name)
            username = "aurora_" + py
            suffix = 2
            while username in used_usernames:
                username = f"aurora_{py}{suffix}"
                suffix += 1
            used_usernames.add(username)
            lead = i == 0
            title = dept["name"] + "负责人" if lead else titles[(i - 1) % len(titles)]
            people.append({
                "username": username,
                "display_name": name,
                "title": title,
                "department": dept["slug"],
                "lead": lead,
            })
    return people


_MEMBER_NICKS = [
    ("老王", "laowang"), ("小李", "xiaoli"), ("阿杰", "ajie"), ("大刘", "daliu"), ("老张", "laozhang"),
    ("小陈", "xiaochen"), ("阿伟", "awei"), ("老周", "laozhou"), ("小宋", "xiaosong"), ("老赵", "laozhao"),
    ("小马", "xiaoma"), ("阿飞", "afei"), ("老孙", "laosun"), ("小鹿", "xiaolu"), ("大熊", "daxiong"),
    ("老胡", "laohu"), ("小唐", "xiaotang"), ("阿瑶", "ayao"), ("老郑", "laozheng"), ("小何", "xiaohe"),
]
_MEMBER_ROLES = [
    ("奶爸", "naiba"), ("宝妈", "baoma"), ("程序员", "coder"), ("老司机", "driver"), ("小白", "xiaobai"),
    ("打工人", "worker"), ("设计师", "designer"), ("摄影师", "photo"), ("老师", "teacher"),
    ("医生", "doctor"), ("露营党", "camper"), ("钓鱼佬", "angler"), ("跑友", "runner"),
    ("骑行党", "cyclist"), ("产品经理", "pm"), ("退休大叔", "dashu"), ("工程师", "engineer"),
    ("咖啡控", "coffee"), ("小哥", "xiaoge"), ("姑娘", "guniang"), ("猫奴", "catlover"), ("铲屎官", "petdad"),
]
_MEMBER_HANDLES = [
    ("电车小白", "ev_newbie"), ("续航焦虑患者", "range_anxiety"), ("充电桩猎人", "charger_hunter"),
    ("周末露营党", "weekend_camper"), ("爱折腾的理工男", "tinkerer"), ("佛系车主", "chill_driver"),
    ("秋名山小电驴", "akina_ev"), ("OTA尝鲜党", "ota_early"), ("不吃香菜", "no_cilantro"),
    ("夜跑的猫", "night_cat"), ("山路小旋风", "mountain_breeze"), ("奶茶续命", "milktea_fan"),
    ("一路向西", "go_west"), ("慢慢开别着急", "slow_down"), ("电动爹", "ev_dad"), ("早八人", "early_bird"),
    ("代码写累了", "tired_coder"), ("追光的人", "light_chaser"), ("星空露营", "stargazer"),
    ("雨天不开车", "rainy_day"), ("北漂十年", "beipiao"), ("海边的风", "sea_breeze"),
    ("懒得起名", "no_name"), ("智驾观察员", "adas_watcher"), ("能耗控", "efficiency_nerd"),
]
_MEMBER_ADJ = [
    ("快乐的", "happy"), ("安静的", "quiet"), ("爱吃辣的", "spicy"), ("早起的", "early"),
    ("熬夜的", "nightowl"), ("认真的", "serious"), ("路过的", "passing"), ("佛系的", "chill"),
    ("努力的", "busy"), ("慢吞吞的", "slow"), ("爱旅行的", "travel"), ("不睡觉的", "sleepless"),
]
_MEMBER_NOUNS = [
    ("小熊猫", "panda"), ("橘猫", "orange_cat"), ("柴犬", "shiba"), ("考拉", "koala"), ("企鹅", "penguin"),
    ("程序员", "coder"), ("摄影师", "shooter"), ("骑手", "rider"), ("仓鼠", "hamster"), ("水獭", "otter"),
    ("鲸鱼", "whale"), ("刺猬", "hedgehog"), ("兔子", "bunny"), ("狐狸", "fox"),
]


def member_people(rng: random.Random, n: int = 300) -> list[dict]:
    """Forum members with unique ASCII usernames and Chinese nicknames."""
    people: list[dict] = []
    used_names: set[str] = set()
    used_usernames: set[str] = set()
    shorts = [(_PRODUCT_EXTRA[p["slug"]]["short"], p["slug"]) for p in PRODUCTS]
    for idx in range(n):
        city = car = None  # what the nickname says, if anything
        for attempt in range(12):
            city = car = None
            style = rng.random()
            if style < 0.2:
                (m, m_py), (nick, nick_py) = rng.choice(shorts), rng.choice(_MEMBER_NICKS)
                display, base, car = f"极光{m}车主_{nick}", f"{nick_py}_{m_py}", m_py
            elif style < 0.45:
                (city, c_py), (role, r_py) = rng.choice(_CITIES), rng.choice(_MEMBER_ROLES)
                display, base = city + role, f"{c_py}_{r_py}"
            elif style < 0.6:
                display, base = rng.choice(_MEMBER_HANDLES)
                if attempt > 0 or rng.random() < 0.5:
                    year = rng.randint(2019, 2025)
                    display, base = f"{display}{year}", f"{base}{year}"
            elif style < 0.75:
                (adj, a_py), (noun, n_py) = rng.choice(_MEMBER_ADJ), rng.choice(_MEMBER_NOUNS)
                display, base = adj + noun, f"{a_py}_{n_py}"
            elif style < 0.88:
                (city, c_py), (m, m_py) = rng.choice(_CITIES), rng.choice(shorts)
                display, base, car = f"{city}{m}车主", f"{m_py}_{c_py}", m_py
            else:
                display, base = _chinese_name(rng)
            if display not in used_names:
                break
        else:
            display = f"{display}_{idx}"
        used_names.add(display)

        if base[-1].isdigit() or rng.random() < 0.4:
            username = base
        else:
            username = f"{base}{rng.randint(1, 9999)}"
        while username in used_usernames:
            username = f"{base}{rng.randint(1, 99999)}"
        used_usernames.add(username)
        # One story per member: a home city and one car (owned, or for about a third the one they are
        # choosing), both as the nickname says when it says so; posts and replies are written from them.
        city = city or rng.choice(_CITIES)[0]
        owner = car is not None or rng.random() < 0.65
        car = car or rng.choice(shorts)[1]
        people.append({"username": username, "display_name": display, "city": city, "car": car, "owner": owner})
    return people
