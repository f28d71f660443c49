"""The demo meeting, modelled on the source's worked example: a community panel reviews 31
households of 59 persons in one sitting (晋屏社区, 城关镇). Names and findings are fictional."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from sqlalchemy import select

from ..domain.ballot import BallotClosed
from ..domain.categories import ApplicationType, AssistanceKind, Recommendation
from ..domain.eligibility import entitled_voters
from ..domain.errors import DomainError
from ..domain.findings import FindingHeading
from ..domain.messages import msg
from ..domain.phases import Phase
from ..domain.roles import Role
from ..domain.tally import Choice
from ..extensions import db
from ..store import ballot_box
from ..store.models import Household, Meeting, PanelMember
from .counting import close_if_complete
from .hearing_steps import hearing_at, panel, recused_ids
from .setup import HouseholdDetails, new_household, new_member
from .staff import create_staff, staff_named
from .unit_of_work import meeting_change, meeting_created

DEMO_TITLE = "晋屏社区城镇低保民主评议听证会（演示）"
DEMO_PLACE = "城关镇晋屏社区居委会会议室"
DEMO_NOTICE_ISSUER = "城关镇晋屏社区居民委员会"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-hearing"
ACTOR = "demo"

REPRESENTATIVES = [
    "张秀英",
    "王桂兰",
    "李建华",
    "刘志强",
    "陈淑珍",
    "杨玉梅",
    "赵国庆",
    "黄丽娟",
    "周德明",
    "吴秀云",
    "徐长林",
    "孙凤英",
    "马振华",
    "朱玉兰",
    "胡建平",
    "郭春梅",
    "何永福",
    "高翠花",
]
CADRES = ["林卫东", "罗红霞", "梁国栋", "宋晓燕", "郑海涛"]
STAFF_ROLES = [
    ("韩文静", Role.HOST),
    ("唐志远", Role.SECRETARY),
    ("冯建军", Role.INVESTIGATOR),
    ("曹丽萍", Role.INVESTIGATOR),
]
# 31 heads of household; persons per household add up to 59 (13 x 1, 10 x 2, 6 x 3, 2 x 4)
HEADS = [
    "贾宝山",
    "邓桂芳",
    "许来福",
    "傅秀兰",
    "沈金生",
    "曾凤琴",
    "彭德旺",
    "吕玉珍",
    "苏长顺",
    "卢桂英",
    "蒋春生",
    "蔡秀芝",
    "魏满仓",
    "薛翠兰",
    "叶有才",
    "阎淑英",
    "余德胜",
    "潘桂香",
    "杜长贵",
    "戴玉英",
    "夏宝林",
    "钟秀珍",
    "汪金凤",
    "田福海",
    "任淑兰",
    "姜有财",
    "范秀英",
    "方永安",
    "石凤兰",
    "姚德海",
    "谭桂珍",
]
PERSONS = [1] * 13 + [2] * 10 + [3] * 6 + [4] * 2
STREETS = ["东街一组", "东街二组", "西街一组", "西街三组", "南关组", "北关组", "新村组"]

# Findings for a household that looks eligible and for one that does not, per heading.
LIKELY = {
    FindingHeading.HOUSING: [
        "两间砖木平房，年久失修，冬季漏风",
        "租住公房一间，约20平方米",
        "与子女合住旧楼一套，本人无房产",
    ],
    FindingHeading.GOODS: [
        "家具陈旧，仅有旧电视一台",
        "无冰箱、洗衣机等家电",
        "生活用品简单，被褥陈旧",
    ],
    FindingHeading.SPENDING: ["日常开支靠邻里接济", "月均生活开支约600元", "无大额消费记录"],
    FindingHeading.HEALTH: [
        "本人患慢性心脏病，长期服药",
        "丧偶，本人腿部残疾（三级）",
        "年过七十，高血压，行动不便",
    ],
    FindingHeading.INCOME: [
        "无固定收入，靠打零工月入约500元",
        "仅有少量养老金，月均380元",
        "家庭月人均收入低于本县城市低保标准",
    ],
    FindingHeading.HIDDEN_INCOME: ["未发现隐性收入", "银行流水无异常", "无车辆、无经营性收入"],
    FindingHeading.EMPLOYMENT: ["无劳动能力", "下岗多年，未再就业", "照顾患病家属，无法外出务工"],
    FindingHeading.CHILDREN: ["无子女", "子女在读，尚无收入", "子女外出务工，收入微薄，无力赡养"],
    FindingHeading.TOWNSHIP_CADRES: ["镇民政办反映情况属实", "镇干部认为家庭确有困难"],
    FindingHeading.VILLAGE_CADRES: ["社区干部反映家庭困难多年", "社区干部认为符合条件"],
    FindingHeading.NEIGHBOURS: ["邻居反映生活确实困难", "邻居称很少见其添置物品"],
    FindingHeading.RELATIVES: ["亲属偶尔接济，无固定资助", "亲友称其生活拮据"],
}
UNLIKELY = {
    FindingHeading.HOUSING: [
        "住房为2018年新购商品房，约110平方米",
        "自建两层楼房一栋，装修较好",
        "另有门面房一间出租",
    ],
    FindingHeading.GOODS: [
        "家电齐全，有新购大屏电视",
        "家中有小轿车一辆",
        "家具较新，生活用品齐全",
    ],
    FindingHeading.SPENDING: [
        "经常外出就餐，消费水平较高",
        "子女在外地就读私立学校",
        "月均手机通讯费较高",
    ],
    FindingHeading.HEALTH: ["身体健康，有劳动能力", "家庭成员身体状况良好"],
    FindingHeading.INCOME: ["家庭月人均收入高于本县城市低保标准", "有稳定工资收入，月约2800元"],
    FindingHeading.HIDDEN_INCOME: [
        "经营小卖部，收入未申报",
        "门面房出租，年租金约1.2万元",
        "在外承包工程，收入未申报",
    ],
    FindingHeading.EMPLOYMENT: ["在企业务工，收入稳定", "本人从事个体经营"],
    FindingHeading.CHILDREN: ["子女均已工作，收入较高，有赡养能力", "儿子在县城开店，经济条件较好"],
    FindingHeading.TOWNSHIP_CADRES: ["镇干部反映家庭经济条件一般", "镇民政办认为不宜纳入"],
    FindingHeading.VILLAGE_CADRES: ["社区干部反映其有经营收入", "社区干部认为不符合条件"],
    FindingHeading.NEIGHBOURS: ["邻居反映其家中常有车辆出入", "邻居称其生活水平中等偏上"],
    FindingHeading.RELATIVES: ["亲属称其子女经常寄钱", "亲友称其有存款"],
}


def ensure_demo() -> tuple[Meeting, bool]:
    """The demo meeting and whether it was just made; also the demo staff account."""
    if staff_named(DEMO_USERNAME) is None:
        create_staff(DEMO_USERNAME, DEMO_PASSWORD, "演示主持人")
    existing = db.session.scalar(select(Meeting).where(Meeting.is_demo.is_(True)).limit(1))
    if existing is not None:
        return existing, False
    return build_demo_meeting(), True


def build_demo_meeting(held_on: dt.date | None = None) -> Meeting:
    """Create the demo meeting: 18 representatives, 5 cadres, host, secretary, two
    investigators, 31 households of 59 persons with home-visit findings."""
    rng = random.Random(2026)  # the same demo every time
    # one transaction: an interrupted build leaves nothing, and the next run starts afresh
    meeting = Meeting(
        title=DEMO_TITLE,
        place=DEMO_PLACE,
        held_on=held_on or dt.date.today(),
        kind=AssistanceKind.URBAN_MINIMUM_LIVING,
        is_demo=True,
        notice_issuer=DEMO_NOTICE_ISSUER,
    )
    with meeting_created(meeting, ACTOR) as change:
        change.log("meeting.created", title=DEMO_TITLE, demo=True)
        for name in REPRESENTATIVES:
            new_member(change, name, Role.REPRESENTATIVE)
        for name in CADRES:
            new_member(change, name, Role.CADRE)
        investigators: list[PanelMember] = []
        for name, role in STAFF_ROLES:
            member = new_member(change, name, role)
            if role is Role.INVESTIGATOR:
                investigators.append(member)
        persons = PERSONS[:]
        rng.shuffle(persons)
        for index, (head, count) in enumerate(zip(HEADS, persons, strict=True)):
            # about half look not eligible, as in the source (27 of 59 persons not eligible)
            likely = rng.random() < 0.55
            pool = LIKELY if likely else UNLIKELY
            new_household(
                change,
                HouseholdDetails(
                    head_name=head,
                    persons=count,
                    address=rng.choice(STREETS),
                    category=AssistanceKind.URBAN_MINIMUM_LIVING,
                    application_type=(
                        ApplicationType.RENEWAL if index % 4 == 3 else ApplicationType.NEW
                    ),
                    investigator_id=investigators[index % 2].id,
                    recommendation=(
                        Recommendation.ELIGIBLE if likely else Recommendation.NOT_ELIGIBLE
                    ),
                    proposed_tier=rng.choice(["A", "B", "C"]) if likely else None,
                    findings={heading: rng.choice(texts) for heading, texts in pool.items()},
                ),
            )
    return meeting


def bot_votes(meeting_id: int, position: int, actor: str) -> int:
    """Demo meetings only: every entitled member without a phone, and not on paper, votes at
    random, so that one person with one laptop can see a whole ballot. How many voted."""
    with meeting_change(meeting_id, actor) as change:
        if not change.meeting.is_demo:
            raise DomainError(msg("Automatic votes are only for the demo meeting."))
        hearing = hearing_at(change, position, refusal=BallotClosed)
        if hearing.phase is not Phase.VOTING:
            raise BallotClosed(msg("The ballot for this household is not open."))
        sitting = panel(change)
        voted = ballot_box.voted_ids(change.session, hearing.id)
        entitled = entitled_voters((m.voter for m in sitting), recused_ids(change, hearing))
        bots = [
            m
            for m in sitting
            if m.id in entitled and m.id not in voted and m.device_hash is None and not m.on_paper
        ]
        if not bots:
            return 0
        chance = secrets.SystemRandom()
        tiers = [t.code for t in change.rules.tiers]
        proposed = change.session.scalar(
            select(Household.proposed_tier).where(Household.id == hearing.household_id)
        )
        for member in bots:
            choice = chance.choices(
                [Choice.ELIGIBLE, Choice.NOT_ELIGIBLE, Choice.ABSTAIN], weights=[7, 2, 1]
            )[0]
            tier = None
            if choice is Choice.ELIGIBLE:
                tier = (
                    proposed
                    if proposed in tiers and chance.random() < 0.7
                    else chance.choice(tiers)
                )
            ballot_box.put_receipt(change.session, hearing.id, member.id, on_paper=False)
            ballot_box.put_ballot(
                change.session,
                hearing.id,
                choice,
                tier,
                ballot_box.free_tracker(change.session, hearing.id),
            )
        change.log("ballot.demo_bots", household_id=hearing.household_id)
        close_if_complete(change, hearing)
    return len(bots)
