"""What the demo's problem ledger (问题台账) is made of: the figures it reproduces, the
processes the heads walk, the kinds of problem each channel finds, the rules they led
to, and the problems with a story of their own.

The figures are those the city published for its year of supervising the business
environment: at city level 39 departments walked 87 processes and found 46 problems,
all rectified; in the counties 102 departments walked theirs and found 186; the
inspection round found 231 problems, 6 of them institutional, and 25 rules came of
it; the topic campaigns on the four environments produced 38 institutional results.
People and texts are invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qinqing.ledger.models import Category, DeadlineMode, Institutional, ReferralLevel

# --- the figures -------------------------------------------------------------------------

CITY_WALK_DEPARTMENTS = 39
CITY_WALKS = 87
CITY_WALK_PROBLEMS = 46
COUNTY_WALK_DEPARTMENTS = 102
COUNTY_WALK_PROBLEMS = 186
INSPECTION_PROBLEMS = 231
INSPECTION_INSTITUTIONAL = 6
INSPECTION_RULES = 25
TOPIC_RESULTS = 38

# The demo city has nine departments in each of its eleven districts and counties (99);
# the three county-level cities' administrative service centres make the 102 that walked.
EXTRA_COUNTY_DEPARTMENTS: list[tuple[str, str, str, str]] = [
    # (district code, code suffix, name suffix, English)
    ("jj", "xzfw", "行政服务中心管委会", "Administrative Service Centre"),
    ("ss", "xzfw", "行政服务中心管委会", "Administrative Service Centre"),
    ("na", "xzfw", "行政服务中心管委会", "Administrative Service Centre"),
]

# --- campaigns ---------------------------------------------------------------------------

CITY_WALK_CAMPAIGN = "“局长走流程、组长督整改”专项活动"
CITY_WALK_CAMPAIGN_TEXT = (
    "市直部门主要负责人以办事人身份亲身走一遍本部门审批服务流程，派驻纪检监察组组长跟进监督，"
    "对发现的问题建立台账、闭环督办，完善制度机制。"
)
COUNTY_WALK_CAMPAIGN = "{county}“局长走流程、组长督整改”专项活动"
COUNTY_WALK_CAMPAIGN_TEXT = "与市级同步开展，县直部门负责人走流程，派驻纪检监察组督促整改。"
INSPECTION_CAMPAIGN = "优化营商环境专项巡察"
INSPECTION_CAMPAIGN_TEXT = (
    "市、县两级上下联动，对市直部门和各县（市、区）开展优化营商环境专项巡察，"
    "发现的问题分立行立改和限期整改两类，逐项销号。"
)
TOPIC_CAMPAIGN = "营商环境“点题整治”"
TOPIC_CAMPAIGN_TEXT = (
    "聚焦政务、法治、市场、人文四个环境，通过下访、监测点和观察员收集突出问题，"
    "项目化推进、清单化管理，实行问题线索月报、工作进展季报和点评通报。"
)
# (title, category): one topic for each of the four environments.
TOPICS: list[tuple[str, str]] = [
    ("审批服务提速增效", Category.GOVERNMENT),
    ("涉企执法规范公正", Category.LEGAL),
    ("涉企收费与拖欠账款清理", Category.MARKET),
    ("企业诉求响应与亲清政商关系", Category.CULTURAL),
]
VISIT_CAMPAIGN = "纪检监察干部主动下访“捞”问题"
VISIT_CAMPAIGN_TEXT = "深入园区、企业和办事大厅，面对面听取企业意见，现场梳理问题线索。"

# --- processes the heads walk ------------------------------------------------------------

CITY_PROCESSES: dict[str, list[str]] = {
    "fgw": ["企业投资项目备案", "固定资产投资项目节能审查", "重点项目前期审批协调"],
    "gxj": ["工业企业技术改造项目备案", "工业企业增产增效奖励申报", "专精特新中小企业认定申报"],
    "swj": ["外商投资企业设立信息报告", "对外贸易经营者备案", "单用途商业预付卡备案"],
    "czj": ["政府采购供应商质疑投诉处理", "惠企资金直达拨付", "政府采购合同融资"],
    "zrzy": ["建设用地规划许可证核发", "企业间不动产转移登记", "建设工程规划许可证核发"],
    "zjj": ["建筑工程施工许可证核发", "建设工程消防验收", "商品房预售许可"],
    "scjg": ["企业开办“一件事”", "食品经营许可", "特种设备使用登记"],
    "wlj": ["旅行社设立许可", "营业性演出审批", "A级旅游景区评定申报"],
    "rsj": ["企业职工参保登记", "稳岗返还申领", "人力资源服务许可"],
    "sthj": ["建设项目环境影响评价审批", "排污许可证核发", "危险废物经营许可"],
    "jtj": ["道路货物运输经营许可", "公路超限运输许可", "涉路施工许可"],
    "slj": ["取水许可", "水土保持方案审批", "洪水影响评价审批"],
    "nyj": ["农作物种子生产经营许可", "设施农业用地备案", "兽药经营许可"],
    "kjj": ["高新技术企业认定申报", "科技型中小企业评价", "企业研发费用补助申报"],
    "sjj": ["政务数据共享申请", "公共数据开放申请", "“一网通办”事项上线"],
    "xzfw": ["综合窗口“一窗受理”", "工程建设项目联合审批", "帮办代办服务"],
    "gaj": ["外国人工作居留许可", "企业印章刻制备案", "危险化学品道路运输通行证"],
    "sfj": ["企业公证办理", "律师事务所设立许可", "司法鉴定机构登记"],
    "cgj": ["建筑垃圾处置核准", "户外广告设施设置许可", "占用城市道路施工许可"],
    "jyj": ["民办培训机构设立审批", "民办学校办学许可", "教师资格认定"],
    "mzj": ["社会组织成立登记", "养老机构备案", "地名命名审批"],
    "wjw": ["医疗机构执业登记", "公共场所卫生许可", "职业病危害项目申报"],
    "yjj": ["危险化学品经营许可", "非煤矿山安全生产许可", "建设项目安全设施设计审查"],
    "ybj": ["定点医药机构申请", "用人单位医保参保登记", "异地就医备案"],
    "tjj": ["规模以上企业入库申报", "统计调查项目审批", "企业统计数据更正"],
    "gzw": ["国有产权转让审批", "国有企业招标采购", "国有资产出租"],
    "jrj": ["企业上市挂牌扶持申报", "应急转贷资金申请", "地方金融组织设立审核"],
    "hyj": ["海域使用权审批", "渔业捕捞许可", "水产苗种生产许可"],
    "lyj": ["使用林地审核", "林木采伐许可", "野生植物采集许可"],
    "tyjrj": ["退役军人创业扶持申报", "退役军人就业补贴申领", "优抚对象认定"],
    "rfb": ["人防工程易地建设审批", "人防工程竣工验收备案", "人防警报设施拆除审批"],
    "gjj": ["单位住房公积金缴存登记", "住房公积金贷款", "单位缓缴住房公积金申请"],
    "tzcj": ["招商项目落地服务", "外资项目全程代办", "投资项目信息发布"],
    "xfj": ["企业信访事项办理", "网上信访受理", "信访事项复查"],
    "jgsw": ["公务用车服务采购", "机关会议场所对外服务", "办公用房调剂"],
    "swsj": ["增值税留抵退税办理", "企业注销清税", "发票领用"],
    "ssjt": ["工业用水报装", "供水管网接入", "临时用水申请"],
    "qxj": ["防雷装置设计审核", "防雷装置竣工验收", "升放气球活动许可"],
    "xfzd": ["公众聚集场所投入使用营业前消防安全检查", "消防技术服务机构执业", "大型群众性活动消防安全检查"],
}

COUNTY_PROCESSES: dict[str, list[str]] = {
    "fgj": ["企业投资项目备案", "固定资产投资项目节能审查"],
    "swj": ["对外贸易经营者备案", "成品油零售经营资格审批"],
    "scjg": ["企业开办“一件事”", "食品经营许可", "个体工商户登记"],
    "zjj": ["建筑工程施工许可证核发", "房屋建筑工程竣工验收备案"],
    "zrzy": ["不动产登记", "建设用地规划许可"],
    "spj": ["工程建设项目审批", "企业开办一窗通办", "“证照联办”"],
    "wlj": ["娱乐场所经营许可", "旅馆业开办"],
    "czj": ["惠企资金拨付", "政府采购"],
    "rsj": ["单位社保登记", "就业补贴申领"],
    "xzfw": ["综合窗口受理", "帮办代办服务"],
}

# What a head finds on the way: (the shortcoming, category, sub-type).
WALK_FINDINGS: list[tuple[str, str, str]] = [
    ("申请材料要求重复提交", Category.GOVERNMENT, "approval"),
    ("线上办理与窗口办理要求不一致", Category.GOVERNMENT, "online"),
    ("实际办理时间超过承诺时限", Category.GOVERNMENT, "efficiency"),
    ("部分环节仍需企业往返跑动", Category.GOVERNMENT, "efficiency"),
    ("办事指南未及时更新", Category.GOVERNMENT, "openness"),
    ("网上预约号源不足，现场排队时间长", Category.GOVERNMENT, "online"),
    ("前置审查串联办理，耗时偏长", Category.GOVERNMENT, "efficiency"),
    ("一次性告知不到位", Category.GOVERNMENT, "conduct"),
    ("系统之间数据不共享，需重复录入", Category.GOVERNMENT, "online"),
    ("窗口人员解答口径不一", Category.GOVERNMENT, "conduct"),
    ("现场踏勘安排周期长", Category.GOVERNMENT, "efficiency"),
    ("电子证照未能互认", Category.GOVERNMENT, "online"),
    ("中介服务收费标准不透明", Category.MARKET, "fees"),
]
WALK_DETAILS = [
    "局长以办事人身份全程体验，记录各环节用时，发现此问题。",
    "体验中对照办事指南逐项核对，企业需多次补充同类材料。",
    "随机选取在办企业陪同办理，企业反映此问题较为普遍。",
    "派驻纪检监察组组长同步跟进，现场督促列入问题台账。",
]
# Steps of a walk: (name, minutes at the least, minutes at the most).
WALK_STEPS: list[tuple[str, int, int]] = [
    ("网上预约", 5, 20),
    ("取号排队", 10, 60),
    ("窗口受理", 10, 40),
    ("材料审核", 20, 120),
    ("现场踏勘", 60, 240),
    ("审批决定", 15, 90),
    ("证照送达", 5, 30),
]

# --- what the inspection round finds -----------------------------------------------------

INSPECTION_FINDINGS: list[tuple[str, str, str]] = [
    ("涉企检查频次偏多，存在多头检查", Category.LEGAL, "enforcement"),
    ("惠企政策兑现不及时", Category.LEGAL, "contract"),
    ("拖欠企业账款清理进度慢", Category.MARKET, "arrears"),
    ("招标文件设置不合理门槛", Category.MARKET, "competition"),
    ("行政处罚自由裁量标准不统一", Category.LEGAL, "enforcement"),
    ("项目用地报批周期长", Category.MARKET, "factors"),
    ("政务服务“好差评”差评整改不到位", Category.GOVERNMENT, "conduct"),
    ("涉企保证金清退不及时", Category.MARKET, "fees"),
    ("政策宣传解读不到位，企业知晓率低", Category.GOVERNMENT, "openness"),
    ("企业融资需求对接机制不健全", Category.MARKET, "finance"),
    ("人才公寓分配周期长", Category.CULTURAL, "talent"),
    ("企业诉求答复不及时", Category.CULTURAL, "attitude"),
    ("信用修复办理渠道不畅", Category.CULTURAL, "credit"),
    ("园区公共服务配套不足", Category.CULTURAL, "public_services"),
    ("审批事项下放后承接不到位", Category.GOVERNMENT, "approval"),
]
INSPECTION_DETAILS = [
    "巡察组个别谈话和调阅资料中发现，已在巡察反馈会上反馈。",
    "巡察组走访服务对象时企业反映，经核实属实。",
    "巡察组抽查近一年办件档案发现，问题具有一定普遍性。",
]
# The round's institutional findings (体制性 / 机制性), and the rule each led to:
# (department code, title, category, sub-type, institutional, rule).
INSPECTION_INSTITUTIONAL_FINDINGS: list[tuple[str, str, str, str, str, str]] = [
    (
        "zrzy",
        "工业用地供应与规划审批职责交叉，项目落地协调无牵头单位",
        Category.MARKET,
        "factors",
        Institutional.STRUCTURAL,
        "工业项目用地“标准地”供应和规划审批协同办法",
    ),
    (
        "xzfw",
        "进驻事项“明进暗不进”，窗口无权受理须回原单位审批",
        Category.GOVERNMENT,
        "approval",
        Institutional.STRUCTURAL,
        "政务服务事项进驻大厅授权管理办法",
    ),
    (
        "czj",
        "惠企资金拨付缺少统一的时限约束和跟踪机制",
        Category.LEGAL,
        "contract",
        Institutional.MECHANISM,
        "惠企资金直达快享管理办法",
    ),
    (
        "scjg",
        "跨部门联合检查缺少统筹机制，同一企业一年内被多次检查",
        Category.LEGAL,
        "enforcement",
        Institutional.MECHANISM,
        "跨部门“双随机、一公开”联合抽查工作规程",
    ),
    (
        "gzw",
        "国有企业拖欠民营企业账款缺少预警和清偿机制",
        Category.MARKET,
        "arrears",
        Institutional.MECHANISM,
        "市属国有企业账款支付预警和清偿管理办法",
    ),
    (
        "zjj",
        "工程建设项目审批系统与不动产登记系统分设，数据不能互通",
        Category.GOVERNMENT,
        "online",
        Institutional.STRUCTURAL,
        "工程建设项目审批与不动产登记数据共享办法",
    ),
]
# Units the round inspected: city departments, then each county's departments by suffix.
INSPECTED_CITY_DEPARTMENTS = ["fgw", "gxj", "swj", "czj", "zrzy", "zjj", "scjg", "xzfw", "sthj", "gzw", "cgj"]
INSPECTED_COUNTY_SUFFIXES = ["spj", "scjg", "zjj", "zrzy", "fgj", "swj"]

# --- the topic campaigns -----------------------------------------------------------------

# Per topic: (shortcoming, sub-type) found under it.
TOPIC_FINDINGS: dict[str, list[tuple[str, str]]] = {
    Category.GOVERNMENT: [
        ("企业开办全程网办率偏低", "online"),
        ("工程建设项目审批“体外循环”", "approval"),
        ("窗口“推诿扯皮”“吃拿卡要”线索", "conduct"),
        ("审批中介超时办结", "efficiency"),
    ],
    Category.LEGAL: [
        ("涉企行政执法“一刀切”", "enforcement"),
        ("轻微违法首次不罚清单执行不到位", "enforcement"),
        ("政府承诺的招商优惠未兑现", "contract"),
        ("涉企案件执行周期长", "judicial"),
    ],
    Category.MARKET: [
        ("违规向企业收取费用", "fees"),
        ("机关事业单位拖欠中小企业账款", "arrears"),
        ("隐性设置市场准入条件", "access"),
        ("水电气报装环节多、费用高", "factors"),
    ],
    Category.CULTURAL: [
        ("企业诉求“转而不办”", "attitude"),
        ("政商交往“亲而不清”苗头", "attitude"),
        ("企业员工子女入学服务不到位", "public_services"),
        ("守信激励措施落实不到位", "credit"),
    ],
}
TOPIC_DETAILS = [
    "纪检监察干部主动下访时企业集中反映。",
    "营商环境监测点报送，经核实列入点题整治清单。",
    "营商环境观察员反映，经核实属实。",
    "从信访举报和12345热线中梳理发现。",
]
# Departments the topic campaign's problems go to, by topic.
TOPIC_DEPARTMENTS: dict[str, list[str]] = {
    Category.GOVERNMENT: ["xzfw", "scjg", "zjj", "sjj", "zrzy", "gaj"],
    Category.LEGAL: ["sfj", "scjg", "sthj", "cgj", "yjj", "tzcj"],
    Category.MARKET: ["czj", "gzw", "ssjt", "fgw", "swsj", "jrj"],
    Category.CULTURAL: ["xfj", "jyj", "rsj", "fgw", "gxj", "wlj"],
}
# Institutional results (制度成果) of the topic campaigns: (department, title, kind).
TOPIC_RESULT_SUBJECTS: list[str] = [
    "企业开办“一网通办”服务规范",
    "工程建设项目审批全流程线上运行管理办法",
    "窗口服务负面清单",
    "审批中介服务超时默认机制",
    "涉企行政执法“观察期”制度",
    "轻微违法行为免罚清单",
    "招商引资承诺兑现督办办法",
    "涉企案件执行协调联动机制",
    "涉企收费目录清单动态管理办法",
    "清理拖欠中小企业账款长效机制",
    "市场准入隐性壁垒排查清理办法",
    "水电气报装“一件事”联办规程",
    "企业诉求“接诉即办”工作规程",
    "政商交往正面清单",
    "企业员工子女入学服务保障办法",
    "守信激励措施清单",
]

# --- the inspection round's rules (建章立制) -----------------------------------------------

INSPECTION_RULE_SUBJECTS: list[str] = [
    "涉企检查计划统筹管理办法",
    "惠企政策兑现时限规定",
    "账款支付台账管理办法",
    "招标文件公平竞争审查细则",
    "行政处罚裁量基准",
    "项目用地报批并联审查规程",
    "政务服务差评整改回访制度",
    "涉企保证金清退工作规程",
    "惠企政策“免申即享”工作办法",
    "政银企融资对接工作机制",
    "人才公寓配租管理办法",
    "企业诉求限时办结制度",
    "信用修复“一站式”办理规程",
]
RULE_NUMBER = "{abbr}〔{year}〕{n}号"
# Short names for document numbers (文号).
ABBREVIATIONS: dict[str, str] = {
    "fgw": "泉发改",
    "gxj": "泉工信",
    "swj": "泉商务",
    "czj": "泉财",
    "zrzy": "泉资规",
    "zjj": "泉建",
    "scjg": "泉市监",
    "wlj": "泉文旅",
    "rsj": "泉人社",
    "sthj": "泉环",
    "jtj": "泉交",
    "slj": "泉水",
    "nyj": "泉农",
    "kjj": "泉科",
    "sjj": "泉数据",
    "xzfw": "泉行服",
    "gaj": "泉公",
    "sfj": "泉司",
    "cgj": "泉城管",
    "jyj": "泉教",
    "mzj": "泉民",
    "wjw": "泉卫健",
    "yjj": "泉应急",
    "ybj": "泉医保",
    "tjj": "泉统",
    "gzw": "泉国资",
    "jrj": "泉金融",
    "hyj": "泉海渔",
    "lyj": "泉林",
    "tyjrj": "泉退役",
    "rfb": "泉人防",
    "gjj": "泉公积金",
    "tzcj": "泉投促",
    "xfj": "泉信访",
    "jgsw": "泉机关",
    "swsj": "泉税",
    "ssjt": "泉水务",
    "qxj": "泉气",
    "xfzd": "泉消",
}

# --- the problems with a story of their own ----------------------------------------------

# Fates: the status each story problem stands in today.
REGISTERED = "registered"
ASSIGNED = "assigned"
RECTIFYING = "rectifying"
SUBMITTED = "submitted"
VERIFIED = "verified"
CLOSED = "closed"
WITHDRAWAL_REQUESTED = "withdrawal_requested"
WITHDRAWN = "withdrawn"
REFERRED = "referred"
MERGED = "merged"


@dataclass(frozen=True)
class Story:
    """A problem with its own text and fate.

    `via`: "complaint:<who>" (an enterprise user: qiye, libang, yuanfeng, chuangguan, or
    "region:<district>" for a generated enterprise there), "observer", "point:<key>",
    "region:<district>[:<n>]" for the n-th generated enterprise there), "complaint-topic:
    <who>:<category>" (an enterprise reporting under a topic), "observer", "point:<key>",
    "visit" (the commission's people), "visit-own:<code>" (the department's own visit),
    "inspection", "topic:<category>". `department`: a department's code, or "~<suffix>"
    for that department of the reporting enterprise's own county."""

    key: str
    via: str
    department: str
    title: str
    description: str
    category: str
    subcategory: str
    fate: str
    days_ago: int  # working days before today it was reported
    deadline_mode: str = DeadlineMode.WORKING_DAYS
    deadline_days: int = 10
    fix: int = 6  # working days from assignment to the (first) submission
    score: int = 5
    send_back: bool = False
    partly: bool = False
    not_fixed_at_visit: bool = False
    reopen: bool = False
    withdrawal: str = ""  # "refused": asked by the department, refused by the reporter; "pending"
    withdraw: bool = False  # the reporter withdraws it
    merge_into: str = ""
    refer: tuple[str, str, str] | None = None  # (level, to whom, why)
    institutional: str = ""
    location: str = ""
    comment: str = ""  # the reporter's word at the return visit
    notes: list[str] = field(default_factory=list)  # progress reports


STORIES: list[Story] = [
    Story(
        key="xiefangcheng",
        via="inspection",
        department="jj-swj",
        title="晋江国际鞋纺城跨境通关服务有待加强",
        description=(
            "巡察组走访鞋纺城商户了解到：市场采购贸易出口货物只能在个别口岸通关，"
            "商户需自行安排转关，物流成本高、时间长。列入立行立改问题。"
        ),
        category=Category.MARKET,
        subcategory="access",
        fate=CLOSED,
        days_ago=150,
        deadline_mode=DeadlineMode.IMMEDIATE,
        fix=2,
        location="晋江国际鞋纺城",
        notes=["已会同海关对接市场采购贸易通关一体化改革，厦门关区所有口岸均可通关。"],
        comment="现在从哪个口岸出货都能通关，省了不少转关费用。",
    ),
    Story(
        key="libang-water",
        via="visit-own:fgw",
        department="fgw",
        title="立邦新型材料公司二期厂房临近完工，自来水管道未接通",
        description=(
            "走访企业时得知：受园区道路施工和供水管道铺设进度影响，二期厂房及配套设施"
            "即将完工却无法供水，企业试生产受阻。"
        ),
        category=Category.MARKET,
        subcategory="factors",
        fate=CLOSED,
        days_ago=60,
        deadline_mode=DeadlineMode.IMMEDIATE,
        fix=2,
        location="泉州开发区官桥园区",
        notes=["已协调调整道路施工方案，临时管线先行接入。"],
        comment="三天就通水了，感谢！",
    ),
    Story(
        key="baxian-signs",
        via="complaint:qiye",
        department="jtj",
        title="景区旅游交通指引标识设置申请迟迟没有答复",
        description="我司景区评上3A后按要求申请在国道路口设置旅游交通指引标识，提交申请一个多月没有答复。",
        category=Category.GOVERNMENT,
        subcategory="efficiency",
        fate=CLOSED,
        days_ago=40,
        deadline_days=10,
        fix=7,
        score=5,
        notes=["已完成现场勘查，标识设置方案报市公路事业发展中心。"],
        comment="指引牌已经立起来了。",
    ),
    Story(
        key="libang-road",
        via="complaint:libang",
        department="~zjj",
        title="园区道路施工封闭，厂区货车绕行十余公里",
        description="园区主干道施工全封闭，未设置临时便道，我司原料和成品运输车辆每天需绕行十余公里。",
        category=Category.MARKET,
        subcategory="factors",
        fate=CLOSED,
        days_ago=75,
        deadline_days=8,
        fix=5,
        score=4,
        comment="临时便道已开通，希望施工能按期完成。",
    ),
    Story(
        key="power-cuts",
        via="complaint:region:na",
        department="~fgj",
        title="工业园区近一个月计划外停电四次",
        description="园区近一个月计划外停电四次，每次停电均无提前通知，生产线停机造成原料报废。",
        category=Category.MARKET,
        subcategory="factors",
        fate=RECTIFYING,
        days_ago=14,
        deadline_days=15,
        fix=30,
        notes=["已约谈供电公司，排查园区线路老化问题，制定改造计划。"],
    ),
    Story(
        key="power-cuts-again",
        via="complaint:region:na:1",
        department="~fgj",
        title="园区频繁停电且不提前通知",
        description="园区停电频繁，且停电前没有任何通知，影响正常生产。",
        category=Category.MARKET,
        subcategory="factors",
        fate=MERGED,
        days_ago=12,
        merge_into="power-cuts",
    ),
    Story(
        key="rail-siding",
        via="complaint:region:qg",
        department="~fgj",
        title="石化园区铁路专用线接轨审批跨省协调难",
        description="园区企业铁路专用线接轨涉及国家铁路集团和省外路局审批，企业多次申请无进展。",
        category=Category.MARKET,
        subcategory="factors",
        fate=REFERRED,
        days_ago=30,
        refer=(
            ReferralLevel.PROVINCE,
            "福建省发展和改革委员会",
            "接轨审批权限在国家铁路集团及所属路局，需由省级层面协调。",
        ),
    ),
    Story(
        key="withdrawn-by-reporter",
        via="complaint:region:fz",
        department="~scjg",
        title="商标变更登记进度查询不到",
        description="我司提交商标变更登记后，在网上查不到办理进度。",
        category=Category.GOVERNMENT,
        subcategory="online",
        fate=WITHDRAWN,
        days_ago=20,
        withdraw=True,
    ),
    Story(
        key="just-in",
        via="complaint:region:jj",
        department="~spj",
        title="厂房扩建项目联合验收要求重复提交图纸",
        description="扩建项目申请联合验收，规划、消防、人防各要求提交一套纸质图纸，内容完全相同。",
        category=Category.GOVERNMENT,
        subcategory="approval",
        fate=REGISTERED,
        days_ago=1,
    ),
    Story(
        key="assigned-yesterday",
        via="complaint:region:dh",
        department="~rsj",
        title="陶瓷企业新招员工社保登记无法线上办理",
        description="新招员工社保登记需到窗口办理，线上系统提示“身份信息核验失败”。",
        category=Category.GOVERNMENT,
        subcategory="online",
        fate=ASSIGNED,
        days_ago=3,
    ),
    Story(
        key="withdrawal-refused",
        via="complaint:chuangguan",
        department="~zrzy",
        title="垃圾焚烧发电项目扩建用地预审久拖未决",
        description="扩建项目用地预审材料已齐全，三个月未出具预审意见，也未告知原因。",
        category=Category.MARKET,
        subcategory="factors",
        fate=RECTIFYING,
        days_ago=35,
        deadline_days=20,
        withdrawal="refused",
        notes=["已组织现场踏勘，正在核实扩建用地是否涉及生态保护红线。"],
    ),
    Story(
        key="withdrawal-pending",
        via="observer",
        department="scjg",
        title="个体工商户年报被错误列入经营异常名录",
        description="多名个体工商户按时报送年报，却被列入经营异常名录，移出需跑两个窗口。",
        category=Category.LEGAL,
        subcategory="enforcement",
        fate=WITHDRAWAL_REQUESTED,
        days_ago=16,
        deadline_days=15,
        withdrawal="pending",
    ),
    Story(
        key="reopened",
        via="complaint:region:ss",
        department="~zjj",
        title="厂区周边市政排水管网堵塞，雨天厂房进水",
        description="厂区外市政排水管网长期堵塞，每逢下雨厂区积水倒灌进车间。",
        category=Category.CULTURAL,
        subcategory="public_services",
        fate=RECTIFYING,
        days_ago=45,
        deadline_days=10,
        fix=6,
        score=4,
        reopen=True,
        comment="疏通后暂时没有积水。",
    ),
    Story(
        key="not-fixed-at-visit",
        via="point:guanqiao",
        department="cgj",
        title="园区夜间渣土车扬尘严重",
        description="园区周边夜间渣土车未覆盖篷布，道路扬尘严重，企业车间需长期关窗。",
        category=Category.CULTURAL,
        subcategory="public_services",
        fate=CLOSED,
        days_ago=70,
        deadline_days=10,
        fix=5,
        score=4,
        not_fixed_at_visit=True,
        comment="加装冲洗设施后好多了。",
    ),
    Story(
        key="partly-fixed",
        via="point:xiefangcheng",
        department="jtj",
        title="鞋纺城周边货车停靠区不足，装卸占道",
        description="鞋纺城周边缺少货车停靠区，商户装卸货只能占道，常被处罚。",
        category=Category.MARKET,
        subcategory="factors",
        fate=CLOSED,
        days_ago=90,
        deadline_days=20,
        fix=15,
        score=3,
        partly=True,
        comment="新增了临时停靠区，但车位还是不够。",
    ),
    Story(
        key="overdue-arrears",
        via="topic:market",
        department="gzw",
        title="市属国企拖欠民营施工企业工程款",
        description="某市属国企承建项目竣工结算已完成半年，仍拖欠分包民营企业工程款。",
        category=Category.MARKET,
        subcategory="arrears",
        fate=RECTIFYING,
        days_ago=40,
        deadline_days=15,
        fix=60,
        notes=["已督促企业制定还款计划，首笔款项正在走内部审批。"],
    ),
    Story(
        key="overdue-permit",
        via="visit",
        department="yc-spj",
        title="食品生产许可延续审查超期",
        description="下访中企业反映，食品生产许可延续申请已超过法定审查期限仍未办结。",
        category=Category.GOVERNMENT,
        subcategory="efficiency",
        fate=RECTIFYING,
        days_ago=30,
        deadline_days=10,
        fix=60,
    ),
    Story(
        key="sent-back-point",
        via="point:guanqiao",
        department="ssjt",
        title="园区新建厂房工业用水报装周期长",
        description="新建厂房申请工业用水报装，两个月仍未完成接水。",
        category=Category.MARKET,
        subcategory="factors",
        fate=CLOSED,
        days_ago=110,
        deadline_days=15,
        fix=10,
        send_back=True,
        score=4,
    ),
    Story(
        key="observer-closed",
        via="observer",
        department="xzfw",
        title="行政服务中心午间不能办理企业登记",
        description="行政服务中心午休时间企业登记窗口全部暂停，外地来办事的企业需等待两小时。",
        category=Category.GOVERNMENT,
        subcategory="efficiency",
        fate=CLOSED,
        days_ago=95,
        deadline_days=10,
        fix=6,
        score=4,
        comment="已实行午间延时服务，办事方便了。",
    ),
    Story(
        key="observer-verified",
        via="observer",
        department="swsj",
        title="出口退税申报系统在月初频繁卡顿",
        description="每月征期前几天出口退税申报系统频繁卡顿，企业需反复提交。",
        category=Category.GOVERNMENT,
        subcategory="online",
        fate=VERIFIED,
        days_ago=20,
        deadline_days=10,
        fix=6,
    ),
    Story(
        key="observer-rectifying",
        via="observer",
        department="zjj",
        title="小型工程施工许可仍要求提供非必要的证明材料",
        description="投资额较小的厂房改造工程申请施工许可，仍被要求提供已取消的证明材料。",
        category=Category.GOVERNMENT,
        subcategory="approval",
        fate=RECTIFYING,
        days_ago=8,
        deadline_days=15,
        fix=30,
        notes=["已梳理施工许可申请材料清单，拟删除三项证明材料。"],
    ),
    Story(
        key="zjj-submitted",
        via="complaint:region:lc",
        department="zjj",
        title="商品房预售资金监管账户解冻手续繁琐",
        description="项目达到节点后申请解冻预售监管资金，需逐级签字，耗时近一个月。",
        category=Category.MARKET,
        subcategory="finance",
        fate=SUBMITTED,
        days_ago=14,
        deadline_days=15,
        fix=8,
    ),
    Story(
        key="zjj-rectifying",
        via="complaint:region:fz",
        department="zjj",
        title="施工图审查意见反复修改，一次性告知不到位",
        description="施工图审查先后三轮提出意见，每轮都有上一轮未提到的新问题。",
        category=Category.GOVERNMENT,
        subcategory="conduct",
        fate=RECTIFYING,
        days_ago=6,
        deadline_days=10,
        fix=30,
    ),
    Story(
        key="visit-closed",
        via="visit",
        department="dh-scjg",
        title="个体户食品经营许可现场核查预约难",
        description="下访中个体户反映，食品经营许可现场核查需排队预约，等待两周以上。",
        category=Category.GOVERNMENT,
        subcategory="efficiency",
        fate=CLOSED,
        days_ago=85,
        deadline_days=10,
        fix=6,
        score=5,
    ),
    Story(
        key="topic-enterprise",
        via="complaint-topic:libang:legal",
        department="sthj",
        title="环保检查同一事项一个月内被查三次",
        description="环保部门和第三方机构一个月内三次检查同一排污口，每次要求提供相同台账。",
        category=Category.LEGAL,
        subcategory="enforcement",
        fate=CLOSED,
        days_ago=100,
        deadline_days=10,
        fix=7,
        score=5,
        comment="现在检查前会统一告知，次数少了。",
    ),
]

# --- people --------------------------------------------------------------------------------

SURNAMES = "陈林黄张吴王李郑蔡刘杨许洪苏庄曾施柯傅骆卢丁董尤颜潘江方何叶彭谢肖余罗高宋郭温"

# The commission's staff who register inspection findings (the inspection office works
# under the city's party committee; in the demo tree it sits with the commission).
INSPECTION_OFFICE = ("xuncha", "市委巡察办")

# Monitoring points: (key, name, appointing commission's district or "" for the city's,
# enterprise, address).
MONITORING_POINTS: list[tuple[str, str, str, str, str]] = [
    ("xiefangcheng", "晋江国际鞋纺城营商环境监测点", "", "yuanfeng", "晋江国际鞋纺城"),
    ("guanqiao", "泉州开发区官桥园区营商环境监测点", "", "libang", "泉州开发区官桥园区"),
    ("chengxiang", "安溪县城厢镇营商环境监测点", "ax", "chuangguan", "安溪县城厢镇"),
]
OBSERVER_AFFILIATION = "泉州市工商业联合会（总商会）"
