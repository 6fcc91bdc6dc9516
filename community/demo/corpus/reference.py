"""Public reference data of the demo brand: departments, categories, products, rating dimensions."""
from __future__ import annotations

from community.feedback.workflow import STATUSES as WORKFLOW_STATUSES
from community.feedback.workflow import TYPE_LABELS

# ---------------------------------------------------------------------------
# Public reference data
# ---------------------------------------------------------------------------

BRAND = {"name": "极光汽车", "name_en": "Aurora Motors", "slug": "aurora"}

FEEDBACK_TYPES = tuple(TYPE_LABELS)

# The statuses a demo item can reach: every workflow status but the starting one and
# "duplicate" (the seeder merges nothing).
STATUSES = tuple(s for s in WORKFLOW_STATUSES if s not in ("new", "duplicate"))

DEPARTMENTS = [
    {"slug": "software", "name": "车机软件部", "name_en": "Infotainment Software",
     "first_response_hours": 24, "resolution_days": 21},
    {"slug": "adas", "name": "智能驾驶部", "name_en": "Driver Assistance",
     "first_response_hours": 24, "resolution_days": 30},
    {"slug": "vehicle", "name": "整车工程部", "name_en": "Vehicle Engineering",
     "first_response_hours": 48, "resolution_days": 30},
    {"slug": "energy", "name": "能源补能部", "name_en": "Energy & Charging",
     "first_response_hours": 24, "resolution_days": 14},
    {"slug": "service", "name": "用户服务部", "name_en": "Customer Service",
     "first_response_hours": 8, "resolution_days": 7},
    {"slug": "digital", "name": "数字产品部", "name_en": "Digital Products",
     "first_response_hours": 24, "resolution_days": 14},
]

CATEGORIES = [
    {"slug": "infotainment", "name": "车机与OTA", "name_en": "Infotainment & OTA",
     "description": "车机系统、语音助手、导航以及 OTA 升级相关的问题与建议。",
     "department": "software"},
    {"slug": "connectivity", "name": "蓝牙与手机互联", "name_en": "Bluetooth & Phone Connectivity",
     "description": "蓝牙连接、CarPlay、手机投屏和车内热点的使用反馈。",
     "department": "software"},
    {"slug": "adas", "name": "智能驾驶", "name_en": "Driver Assistance",
     "description": "领航辅助、自适应巡航、车道保持和自动泊车的体验交流。",
     "department": "adas"},
    {"slug": "chassis", "name": "底盘与悬挂", "name_en": "Chassis & Suspension",
     "description": "悬挂调校、转向手感、刹车与动能回收等驾驶质感相关的话题。",
     "department": "vehicle"},
    {"slug": "cabin", "name": "座舱与舒适", "name_en": "Cabin & Comfort",
     "description": "座椅通风加热、空调、音响和乘坐空间的舒适性反馈。",
     "department": "vehicle"},
    {"slug": "body", "name": "车身与做工", "name_en": "Body & Build Quality",
     "description": "漆面、门缝、风噪、车灯和外观件等做工品质问题。",
     "department": "vehicle"},
    {"slug": "battery", "name": "电池与续航", "name_en": "Battery & Range",
     "description": "续航表现、冬季能耗、电池健康和能耗显示相关的讨论。",
     "department": "energy"},
    {"slug": "charging", "name": "充电与补能", "name_en": "Charging",
     "description": "超充站、家充桩、第三方充电桩和预约充电的使用体验。",
     "department": "energy"},
    {"slug": "app-key", "name": "App与数字钥匙", "name_en": "App & Digital Key",
     "description": "极光 App、手机蓝牙钥匙、NFC 卡片钥匙和远程控制的问题与建议。",
     "department": "digital"},
    {"slug": "after-sales", "name": "售后与维保", "name_en": "After-sales & Maintenance",
     "description": "保养预约、维修、取送车、保险理赔等售后服务相关的反馈。",
     "department": "service"},
    {"slug": "delivery", "name": "购车与交付", "name_en": "Purchase & Delivery",
     "description": "下定、等车、验车提车、上牌和购车权益相关的交流。",
     "department": "service"},
    {"slug": "community", "name": "社区与活动", "name_en": "Community & Events",
     "description": "社区功能、积分商城、车友会活动和共创提案机制的建议。",
     "department": "digital"},
]

# Trial reports get their own board (not 购车与交付): members read them before they buy.
TRIAL_REPORT_CATEGORY = {"slug": "test-drive", "name": "试驾与体验报告", "name_en": "Test Drives & Reviews",
                         "description": "试驾和用车体验报告：评分、优点、不足，写给还在选车的朋友。",
                         "department": "service"}

# The one place for product facts: the product pages (tagline, specs) and the text generator
# (trims, seats, range) both read them, so a post never contradicts the page.
PRODUCTS = [
    {"slug": "es7", "name": "极光 ES7", "name_en": "Aurora ES7",
     "description": "中大型智能纯电 SUV，CLTC 续航最高 660 公里，标配空气悬挂和极光领航辅助。",
     "tagline": "一台车，照顾一家人的远方", "tagline_en": "One car for the whole family's long trips",
     "trims": ["标准续航版", "长续航版", "性能版"], "seats": 5, "range_km": 660,
     "specs": [("座位数", "Seats", "5 座"), ("CLTC 续航", "CLTC range", "最高 660 km"),
               ("百公里加速", "0–100 km/h", "3.9 s（性能版）"), ("悬挂", "Suspension", "空气悬挂"),
               ("快充 10–80%", "Fast charge 10–80%", "28 分钟"), ("指导价", "From", "32.98 万元起")]},
    {"slug": "et5", "name": "极光 ET5", "name_en": "Aurora ET5",
     "description": "中型纯电轿车，溜背造型，风阻系数 0.23，兼顾日常通勤和驾驶乐趣。",
     "tagline": "通勤有趣，周末更有趣", "tagline_en": "Fun on the commute, more fun at the weekend",
     "trims": ["标准续航版", "长续航版", "首发纪念版"], "seats": 5, "range_km": 710,
     "specs": [("座位数", "Seats", "5 座"), ("CLTC 续航", "CLTC range", "最高 710 km"),
               ("风阻系数", "Drag coefficient", "0.23 Cd"), ("百公里加速", "0–100 km/h", "4.3 s"),
               ("快充 10–80%", "Fast charge 10–80%", "26 分钟"), ("指导价", "From", "26.98 万元起")]},
    {"slug": "es5", "name": "极光 ES5", "name_en": "Aurora ES5",
     "description": "紧凑型纯电 SUV，空间灵活、价格亲民，是很多家庭的第一台电车。",
     "tagline": "第一台电车，就选省心的", "tagline_en": "A worry-free first EV",
     "trims": ["后驱标准版", "四驱长续航版", "Pro 版"], "seats": 5, "range_km": 560,
     "specs": [("座位数", "Seats", "5 座"), ("CLTC 续航", "CLTC range", "最高 560 km"),
               ("后备箱", "Boot", "520 L"), ("驱动", "Drive", "后驱 / 四驱"),
               ("快充 10–80%", "Fast charge 10–80%", "32 分钟"), ("指导价", "From", "21.98 万元起")]},
    {"slug": "et7", "name": "极光 ET7", "name_en": "Aurora ET7",
     "description": "旗舰纯电轿车，配备 900V 高压平台、后轮转向和 23 扬声器音响系统。",
     "tagline": "旗舰的从容，来自每一处细节", "tagline_en": "Flagship calm, in every detail",
     "trims": ["长续航版", "行政版", "签名版"], "seats": 5, "range_km": 750,
     "specs": [("座位数", "Seats", "5 座"), ("CLTC 续航", "CLTC range", "最高 750 km"),
               ("高压平台", "Platform", "900V"), ("后轮转向", "Rear-wheel steering", "±5°"),
               ("音响", "Audio", "23 扬声器"), ("指导价", "From", "45.80 万元起")]},
    {"slug": "em9", "name": "极光 EM9", "name_en": "Aurora EM9",
     "description": "六座大型纯电 SUV，二排独立座椅，主打多孩家庭和长途出行。",
     "tagline": "六个座位，每个都是头等舱", "tagline_en": "Six seats, every one first class",
     "trims": ["六座旗舰版", "六座行政版"], "seats": 6, "range_km": 620,
     "specs": [("座位数", "Seats", "6 座（2+2+2）"), ("CLTC 续航", "CLTC range", "最高 620 km"),
               ("二排", "Second row", "独立航空座椅"), ("轴距", "Wheelbase", "3,130 mm"),
               ("快充 10–80%", "Fast charge 10–80%", "30 分钟"), ("指导价", "From", "49.98 万元起")]},
]

RATING_DIMENSIONS = [
    {"key": "comfort", "name": "舒适性", "name_en": "Comfort"},
    {"key": "handling", "name": "操控", "name_en": "Handling"},
    {"key": "intelligence", "name": "智能化", "name_en": "Smart Features"},
    {"key": "range", "name": "续航与补能", "name_en": "Range & Charging"},
    {"key": "space", "name": "空间实用性", "name_en": "Space & Practicality"},
    {"key": "value", "name": "性价比", "name_en": "Value for Money"},
]

_DEPT_BY_SLUG = {d["slug"]: d for d in DEPARTMENTS}
_PRODUCT_BY_SLUG = {p["slug"]: p for p in PRODUCTS}

# Extra per-product facts used by the generators (kept out of PRODUCTS so the
# public dicts only carry the documented keys).
_PRODUCT_EXTRA = {
    "es7": {"short": "ES7", "kind": "SUV", "price": "32.98",
            "base": {"comfort": 4, "handling": 4, "intelligence": 5, "range": 4, "space": 4, "value": 3}},
    "et5": {"short": "ET5", "kind": "轿车", "price": "26.98",
            "base": {"comfort": 3, "handling": 5, "intelligence": 4, "range": 4, "space": 3, "value": 4}},
    "es5": {"short": "ES5", "kind": "SUV", "price": "21.98",
            "base": {"comfort": 3, "handling": 3, "intelligence": 4, "range": 3, "space": 4, "value": 5}},
    "et7": {"short": "ET7", "kind": "轿车", "price": "45.80",
            "base": {"comfort": 5, "handling": 4, "intelligence": 5, "range": 4, "space": 4, "value": 3}},
    "em9": {"short": "EM9", "kind": "SUV", "price": "49.98",
            "base": {"comfort": 5, "handling": 3, "intelligence": 4, "range": 3, "space": 5, "value": 3}},
}
