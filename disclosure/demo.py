"""The demo county 青山县 that `make run` serves: units, one account per role, footer.

The data are plain tuples so later issues can add power lists, results and records
next to them; `load_demo` only fills in what is missing (units by code, accounts by
username, blank footer fields), so it is safe and fast to run on every start and never
undoes what someone changed in the CMS — a changed password is never reset.
Codes follow the import contract's style: county QS, township QS-A, office QS-A-1,
village QS-A-V1, 纪委 QS-A-J.
"""

from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings

from wagtail.models import Site, WorkflowState

from sunlight.models import GovernmentSiteSettings

from . import demo_lists as lists
from . import demo_ratings, demo_results
from .catalogs import catalog_for
from .importing.powers import PowerRow, StepRow, apply_lists
from .models import (
    HomePage,
    NegativeListItem,
    PowerItem,
    ProcessStep,
    UnitGroup,
    UnitPage,
)
from .signals import deferred_unit_refresh

DEMO_PASSWORD = "Sunlight-Demo-2026"  # noqa: S105 - printed for the developer on purpose
Role = UnitGroup.Role

HOME_TITLE = "青山县阳光权力公开平台"
HOME_INTRO = (
    "本平台集中公开青山县县、乡、村各级单位的权力清单、流程清单、风险防控清单和负面清单，"
    "做到“全部权力进清单，清单之外无权力”。每项权力的行使结果一事一公开、一事一评议，"
    "接受群众监督；对公职人员违纪违法问题，可以向纪检监察机关举报。"
)

SITE_SETTINGS = {
    "sponsor": "青山县人民政府办公室",
    "organiser": "中共青山县纪律检查委员会　青山县监察委员会",
    "site_code": "5117990001",
    "icp_record": "蜀ICP备20269901号",
    "police_record": "川公网安备 51179902000118号",
    "contact": "联系电话：0818-7220100　地址：青山县城关镇政府街1号",
}


@dataclass(frozen=True)
class UnitSpec:
    """One unit; `parent` and `supervisor` are unit codes listed earlier.

    `supervisor` is the 指定监督纪委 (supervisor_override). The county's 派驻纪检监察组
    sits in the 民政局, which it supervises by position, and is named as supervisor
    of the other departments it covers (综合派驻).
    """

    code: str
    title: str
    parent: str | None
    level: str
    unit_type: str
    duties: str
    address: str
    phone: str
    supervisor: str | None = None


@dataclass(frozen=True)
class StaffSpec:
    username: str
    last_name: str
    first_name: str
    unit: str
    role: str


TOWNSHIP_GOVERNMENT_DUTIES = (
    "执行本级人民代表大会的决议和上级国家行政机关的决定和命令；管理本行政区域内的经济、"
    "教育、文化、卫生、财政、民政、司法行政等行政工作；保障农村集体经济组织的自主权，"
    "指导、支持和帮助村民委员会的工作。"
)
TOWNSHIP_PARTY_DUTIES = (
    "全面领导本乡镇各类组织和各项工作；讨论决定本乡镇经济社会发展、基层治理和党的建设"
    "重大问题，按照“三重一大”决策制度集体研究决定重大事项；落实全面从严治党主体责任，"
    "党政“一把手”实行“四个不直接分管”和末位表态发言。"
)
TOWNSHIP_COMMISSION_DUTIES = (
    "在乡镇党委和上级纪委双重领导下，监督检查本乡镇各单位、各村（社区）执行党的路线方针"
    "政策和决议情况；受理对本乡镇党组织、党员和公职人员的检举控告；开展权力运行日常巡查、"
    "督办和问责；负责村级小微权力运行监督。"
)
OFFICE_DUTIES = (
    "负责党委、政府日常运转，承办会议组织、文稿起草、公文处理、机要保密和档案管理；负责"
    "组织人事、党员教育管理和基层党组织建设；统筹政务公开和权力运行平台信息录入。"
)
SOCIAL_AFFAIRS_DUTIES = (
    "负责最低生活保障、特困人员供养、临时救助的受理、入户调查和初审公示；负责优抚安置、"
    "养老服务、残疾人服务和医疗救助；负责民政事务代办和社会事务公示。"
)
CONSTRUCTION_DUTIES = (
    "负责镇村规划的编制和实施管理，农村建房规划许可的受理和初审；负责农村危房改造、"
    "宅基地使用申请的现场踏勘；负责村镇基础设施建设、安全生产和环境保护的日常管理。"
)
FINANCE_DUTIES = (
    "负责乡镇财政预算编制与执行、国库集中支付和会计核算；负责惠民惠农财政补贴资金"
    "“一卡通”发放；负责村级财务委托代理服务和村集体资金监管。"
)
VILLAGE_DUTIES = (
    "依法办理本村公共事务和公益事业，调解民间纠纷，协助维护社会治安；管理本村集体所有的"
    "土地和其他财产；落实“四议两公开”和村级小微权力清单，按期公开村务、财务；协助镇"
    "人民政府办理社会救助、宅基地申请等事项。"
)


def _township(code, name, kind, phone_prefix, offices, villages):
    """A township's units: government, 党委, 纪委, offices and villages."""
    seat = f"青山县{name}{kind}"
    units = [
        UnitSpec(
            code,
            f"{seat}人民政府",
            "QS",
            "乡",
            "政府",
            TOWNSHIP_GOVERNMENT_DUTIES,
            f"{seat}{name}街56号",
            f"{phone_prefix}001",
        ),
        UnitSpec(
            f"{code}-P",
            f"中共{name}{kind}委员会",
            code,
            "乡",
            "党委",
            TOWNSHIP_PARTY_DUTIES,
            f"{seat}{name}街56号",
            f"{phone_prefix}002",
        ),
        UnitSpec(
            f"{code}-J",
            f"中共{name}{kind}纪律检查委员会",
            code,
            "乡",
            "纪委",
            TOWNSHIP_COMMISSION_DUTIES,
            f"{seat}{name}街56号 便民服务中心二楼",
            f"{phone_prefix}012",
        ),
    ]
    for number, (office, duties) in enumerate(offices, start=1):
        units.append(
            UnitSpec(
                f"{code}-{number}",
                f"{name}{kind}{office}",
                code,
                "乡",
                "部门",
                duties,
                f"{seat}{name}街56号",
                f"{phone_prefix}{20 + number:03d}",
            )
        )
    for number, village in enumerate(villages, start=1):
        units.append(
            UnitSpec(
                f"{code}-V{number}",
                f"{name}{kind}{village}村民委员会",
                code,
                "村",
                "村(居)委会",
                VILLAGE_DUTIES,
                f"{seat}{village}村{number}组 村民委员会办公楼",
                f"{phone_prefix}{60 + number:03d}",
            )
        )
    return units


UNITS: tuple[UnitSpec, ...] = (
    UnitSpec(
        "QS",
        "青山县人民政府",
        None,
        "县",
        "政府",
        "执行县人民代表大会及其常务委员会的决议和上级国家行政机关的决定、命令；编制和执行"
        "国民经济和社会发展计划、预算；管理全县经济、教育、科学、文化、卫生、城乡建设、"
        "财政、民政、司法行政等行政工作；领导县政府工作部门和乡镇人民政府的工作。",
        "青山县城关镇政府街1号",
        "0818-7220001",
    ),
    UnitSpec(
        "QS-P",
        "中共青山县委员会",
        "QS",
        "县",
        "党委",
        "把方向、管大局、作决策、保落实，领导全县经济社会发展和党的建设；按照“三重一大”"
        "决策制度集体决定重大事项、重要干部任免、重大项目安排和大额资金使用；领导和支持"
        "人大、政府、政协、监察机关、审判机关、检察机关依法依章程履行职责。",
        "青山县城关镇政府街1号",
        "0818-7220002",
    ),
    UnitSpec(
        "QS-J",
        "中共青山县纪律检查委员会",
        "QS",
        "县",
        "纪委",
        "维护党的章程和其他党内法规，检查党的路线方针政策和决议的执行情况，协助县委推进"
        "全面从严治党、加强党风建设和组织协调反腐败工作；依法对全县行使公权力的公职人员"
        "进行监察，调查职务违法和职务犯罪；受理检举控告，开展权力运行监督和问责。",
        "青山县城关镇清风路8号",
        "0818-7221200",
    ),
    UnitSpec(
        "QS-1",
        "青山县民政局",
        "QS",
        "县",
        "部门",
        "贯彻执行民政工作方针政策和法律法规；负责最低生活保障、特困人员救助供养、临时救助"
        "等社会救助工作；负责养老服务、儿童福利、殡葬管理、婚姻登记和社会组织登记管理；"
        "指导城乡社区治理和村（居）民委员会建设。",
        "青山县城关镇民生路12号",
        "0818-7223115",
    ),
    UnitSpec(
        "QS-1-J",
        "青山县纪委监委派驻第一纪检监察组",
        "QS-1",
        "县",
        "纪委",
        "对驻在部门（县民政局、县自然资源局、县农业农村局）领导班子及其成员和其他行使"
        "公权力的公职人员进行监督检查；受理涉及驻在部门的检举控告，开展审查调查；"
        "向县纪委监委报告工作。",
        "青山县城关镇民生路12号 县民政局五楼",
        "0818-7221260",
    ),
    UnitSpec(
        "QS-2",
        "青山县自然资源局",
        "QS",
        "县",
        "部门",
        "履行全民所有土地、矿产、森林等自然资源资产所有者职责和国土空间用途管制职责；"
        "负责国土空间规划的编制和监督实施；负责不动产统一登记、耕地保护和农村宅基地用地"
        "审批的自然资源管理事项；查处自然资源违法行为。",
        "青山县城关镇建设路66号",
        "0818-7225032",
        supervisor="QS-1-J",
    ),
    UnitSpec(
        "QS-3",
        "青山县农业农村局",
        "QS",
        "县",
        "部门",
        "统筹研究和组织实施农业农村发展规划和政策；负责粮食生产、高标准农田建设和农产品"
        "质量安全监管；指导农村集体资产管理和农村宅基地管理；负责强农惠农补贴资金的"
        "发放管理和监督。",
        "青山县城关镇丰收路20号",
        "0818-7226218",
        supervisor="QS-1-J",
    ),
    UnitSpec(
        "QS-4",
        "青山县住房和城乡建设局",
        "QS",
        "县",
        "部门",
        "负责全县住房保障、农村危房改造和城乡建设管理；负责建筑工程施工许可、建筑市场和"
        "工程质量安全监管；指导乡镇村镇建设和农房建设管理。",
        "青山县城关镇建设路70号",
        "0818-7227305",
    ),
    *_township(
        "QS-A",
        "柳溪",
        "镇",
        "0818-7410",
        [
            ("党政办公室", OFFICE_DUTIES),
            ("社会事务办公室", SOCIAL_AFFAIRS_DUTIES),
            ("村镇建设办公室", CONSTRUCTION_DUTIES),
            ("财政所", FINANCE_DUTIES),
        ],
        ["白果", "金竹", "双河"],
    ),
    *_township(
        "QS-B",
        "石桥",
        "乡",
        "0818-7530",
        [
            ("党政办公室", OFFICE_DUTIES),
            ("社会事务办公室", SOCIAL_AFFAIRS_DUTIES),
            ("村镇建设办公室", CONSTRUCTION_DUTIES),
        ],
        ["龙潭", "石门"],
    ),
)

STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("liuxi_clerk", "何", "晓燕", "QS-A", Role.CLERK),
    StaffSpec("liuxi_leader", "张", "建国", "QS-A", Role.LEADER),
    StaffSpec("liuxi_head", "李", "明辉", "QS-A", Role.HEAD),
    StaffSpec("liuxi_jiwei", "刘", "芳", "QS-A-J", Role.COMMISSION),
    StaffSpec("shiqiao_clerk", "罗", "婷", "QS-B", Role.CLERK),
    StaffSpec("shiqiao_leader", "杨", "志强", "QS-B", Role.LEADER),
    StaffSpec("shiqiao_head", "陈", "国平", "QS-B", Role.HEAD),
    StaffSpec("shiqiao_jiwei", "周", "敏", "QS-B-J", Role.COMMISSION),
    StaffSpec("minzheng_clerk", "唐", "静", "QS-1", Role.CLERK),
    StaffSpec("minzheng_leader", "吴", "德华", "QS-1", Role.LEADER),
    StaffSpec("minzheng_head", "赵", "永福", "QS-1", Role.HEAD),
    StaffSpec("liuxi_shehui_clerk", "王", "丽萍", "QS-A-2", Role.CLERK),
    StaffSpec("liuxi_shehui_leader", "钟", "国强", "QS-A-2", Role.LEADER),
    StaffSpec("liuxi_shehui_head", "彭", "志刚", "QS-A-2", Role.HEAD),
    StaffSpec("liuxi_cunzhen_clerk", "冯", "雪梅", "QS-A-3", Role.CLERK),
    StaffSpec("liuxi_cunzhen_leader", "曾", "庆华", "QS-A-3", Role.LEADER),
    StaffSpec("liuxi_cunzhen_head", "秦", "海涛", "QS-A-3", Role.HEAD),
    StaffSpec("baiguo_clerk", "蒋", "小红", "QS-A-V1", Role.CLERK),
    StaffSpec("baiguo_leader", "胡", "大勇", "QS-A-V1", Role.LEADER),
    StaffSpec("baiguo_head", "黄", "德明", "QS-A-V1", Role.HEAD),
    StaffSpec("ziran_clerk", "许", "佳", "QS-2", Role.CLERK),
    StaffSpec("ziran_leader", "潘", "建军", "QS-2", Role.LEADER),
    StaffSpec("ziran_head", "董", "立新", "QS-2", Role.HEAD),
    StaffSpec("county_jiwei", "邓", "文彬", "QS-J", Role.COMMISSION),
    StaffSpec("paizhu_jiwei", "谢", "雨涵", "QS-1-J", Role.COMMISSION),
)

ADMIN = StaffSpec("admin", "孙", "磊", "", "")


@dataclass(frozen=True)
class Login:
    username: str
    name: str
    unit: str
    role: str


@dataclass(frozen=True)
class CatalogDemo:
    """Where the demo shows a 公开目录 in one workflow state, and who acts next."""

    unit: str
    state: str
    usernames: tuple[str, ...]


@dataclass
class Summary:
    """What one run added, and the demo logins to show the developer."""

    units: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    home: bool = False
    items: int = 0
    drafts: int = 0
    negatives: int = 0
    catalogs: Counter = field(default_factory=Counter)
    logins: list[Login] = field(default_factory=list)
    catalog_demos: list[CatalogDemo] = field(default_factory=list)
    results: "demo_results.Summary | None" = None
    ratings: int = 0

    @property
    def changed(self):
        return bool(
            self.units
            or self.users
            or self.settings
            or self.home
            or self.items
            or self.negatives
            or (self.results and self.results.results)
            or self.ratings
        )


@transaction.atomic
def load_demo() -> Summary:
    summary = Summary()
    home = HomePage.objects.get()
    summary.home = seed_home(home)
    with deferred_unit_refresh():
        summary.units = seed_units(home, UNITS)
    summary.settings = seed_site_settings(home)
    summary.users = seed_staff(STAFF)
    with demo_mail_off():
        seed_lists(summary)
        users = get_user_model().objects.in_bulk(
            [spec.username for spec in STAFF], field_name="username"
        )
        summary.results = demo_results.load(users)
        summary.ratings = demo_ratings.load(users)
    titles = unit_titles({spec.unit for spec in STAFF})
    summary.logins = logins(STAFF, titles)
    summary.catalog_demos = catalog_demos(titles)
    return summary


def seed_home(home):
    """Give the portal its county title, unless someone already wrote an intro."""
    if home.intro:
        return False
    home.title = HOME_TITLE
    home.draft_title = HOME_TITLE
    home.intro = HOME_INTRO
    home.save_revision().publish()
    return True


def seed_units(home, specs):
    """Create the missing units, parents first, through Wagtail as an editor would;
    groups and supervisors follow once the caller's deferred refresh ends."""
    codes = [spec.code for spec in specs]
    pages = {unit.code: unit for unit in UnitPage.objects.filter(code__in=codes)}
    created = []
    for spec in specs:
        if spec.code in pages:
            continue
        parent = home if spec.parent is None else _unit(pages, spec.parent)
        override = _unit(pages, spec.supervisor) if spec.supervisor else None
        unit = UnitPage(
            title=spec.title,
            slug=spec.code.lower(),
            code=spec.code,
            level=spec.level,
            unit_type=spec.unit_type,
            duties=spec.duties,
            address=spec.address,
            phone=spec.phone,
            supervisor_override=override,
        )
        parent.add_child(instance=unit)
        unit.save_revision().publish()
        pages[spec.code] = unit
        created.append(spec.code)
    return created


def _unit(pages, code):
    if code not in pages:
        pages[code] = UnitPage.objects.get(code=code)
    return pages[code]


def seed_site_settings(home):
    """Fill the footer fields a government site must show, leaving edited ones alone."""
    site = Site.objects.filter(root_page=home).first() or Site.objects.get(
        is_default_site=True
    )
    info = GovernmentSiteSettings.for_site(site)
    blank = [name for name, value in SITE_SETTINGS.items() if not getattr(info, name)]
    if not blank:
        return []
    for name in blank:
        setattr(info, name, SITE_SETTINGS[name])
    info.save(update_fields=blank)
    return blank


def seed_staff(specs):
    """Create missing accounts with the shared demo password, each in its unit's
    role group; existing accounts are left exactly as they are."""
    User = get_user_model()
    wanted = [*specs, ADMIN]
    existing = set(
        User.objects.filter(username__in=[s.username for s in wanted]).values_list(
            "username", flat=True
        )
    )
    missing = [spec for spec in wanted if spec.username not in existing]
    if not missing:
        return []
    password = make_password(DEMO_PASSWORD)
    groups = {
        (link.unit.code, link.role): link.group
        for link in UnitGroup.objects.filter(
            unit__code__in={spec.unit for spec in missing}
        ).select_related("unit", "group")
    }
    for spec in missing:
        user = User(
            username=spec.username,
            last_name=spec.last_name,
            first_name=spec.first_name,
            email=f"{spec.username}@example.org",
            password=password,
        )
        if spec is ADMIN:
            user.is_staff = user.is_superuser = True
        user.save()
        if spec is not ADMIN:
            user.groups.add(groups[(spec.unit, spec.role)])
    return [spec.username for spec in missing]


def unit_titles(codes):
    return dict(UnitPage.objects.filter(code__in=codes).values_list("code", "title"))


def logins(specs, titles):
    rows = [
        Login(
            spec.username,
            spec.last_name + spec.first_name,
            titles.get(spec.unit, spec.unit),
            Role(spec.role).label,
        )
        for spec in specs
    ]
    rows.append(
        Login(ADMIN.username, ADMIN.last_name + ADMIN.first_name, "—", "网站管理员")
    )
    return rows


def catalog_demos(titles):
    return [
        CatalogDemo(
            titles.get(scenario.unit, scenario.unit),
            scenario.state,
            tuple(staff_username(scenario.unit, role) for role in scenario.next_roles),
        )
        for scenario in lists.SCENARIOS
    ]


def staff_username(unit, role):
    return next(
        (spec.username for spec in STAFF if spec.unit == unit and spec.role == role),
        None,
    )


# Power lists, 负面清单 and catalogs ------------------------------------------------

REVIEW_CHECKS = {"legality": True, "confidentiality": True, "privacy": True}


def seed_lists(summary):
    """Fill in missing power items (by unit and 事项编码), the 负面清单 of units that
    have none, and stage each catalog scenario whose items are not there yet; items
    that exist are never touched, so edits made in the CMS survive."""
    scenarios = lists.SCENARIOS
    listings = [*lists.POWER_LISTS, *(scenario.listing for scenario in scenarios)]
    existing = set(
        PowerItem.objects.filter(
            unit__code__in={listing.unit for listing in listings}
        ).values_list("unit__code", "code")
    )
    negative_units = {spec.unit for spec in lists.NEGATIVE_LIST}
    listed = set(
        NegativeListItem.objects.filter(unit__code__in=negative_units).values_list(
            "unit__code", flat=True
        )
    )
    missing = [
        (listing, item)
        for listing in lists.POWER_LISTS
        for item in listing.items
        if (listing.unit, listing.code(item)) not in existing
    ]
    negatives = [spec for spec in lists.NEGATIVE_LIST if spec.unit not in listed]
    staged = [
        scenario
        for scenario in scenarios
        if not any(
            (scenario.unit, scenario.listing.code(item)) in existing
            for item in scenario.items
        )
    ]
    if not (missing or negatives or staged):
        return
    units = UnitPage.objects.in_bulk(
        {listing.unit for listing in listings} | negative_units, field_name="code"
    )
    users = get_user_model().objects.in_bulk(
        [spec.username for spec in (*STAFF, ADMIN)], field_name="username"
    )
    published_units = publish_lists(missing, units, users)
    summary.items += sum(published_units.values())
    summary.catalogs[lists.APPROVED] += len(published_units)
    summary.negatives = publish_negatives(negatives, units, users)
    for scenario in staged:
        if stage_scenario(scenario, units[scenario.unit], users):
            summary.items += len(scenario.items)
            if scenario.state != lists.APPROVED:
                summary.drafts += len(scenario.items)
            summary.catalogs[scenario.state] += 1


def approver(unit, users):
    """The unit's 主要领导 among the demo accounts, else the site admin."""
    username = staff_username(unit, Role.HEAD)
    return users.get(username) or users[ADMIN.username]


def item_values(listing, item):
    return {
        "name": item.name,
        "power_type": item.power_type,
        "basis": item.basis,
        "conditions": item.conditions,
        "office": item.office or listing.office,
        "time_limit": item.time_limit,
        "duties": item.duties,
        "responsible": item.responsible or listing.responsible,
        "accountability": item.accountability,
        "disclosed": not item.withheld,
        "withheld_reason": item.withheld,
    }


def step_values(step):
    return {
        "name": step.name,
        "post": step.post,
        "time_limit": step.time_limit,
        "branch": step.branch,
        "risk": step.risk,
        "risk_level": step.level,
        "prevention": step.prevention,
    }


def publish_lists(pairs, units, users):
    """Publish items as already-approved catalogs (the `import_lists --approved-by`
    path), each unit approved by its own head where the demo has one.
    Returns the number of items published per unit."""
    by_approver = defaultdict(list)
    for listing, item in pairs:
        by_approver[approver(listing.unit, users)].append((listing, item))
    published = Counter()
    for user, members in by_approver.items():
        rows, steps = [], {}
        for listing, item in members:
            code = listing.code(item)
            rows.append(PowerRow(0, listing.unit, code, item_values(listing, item)))
            steps[(listing.unit, code)] = [
                StepRow(0, listing.unit, code, number, step_values(step))
                for number, step in enumerate(item.steps, start=1)
            ]
            published[listing.unit] += 1
        unit_ids = {code: units[code].pk for code in {row.unit_code for row in rows}}
        apply_lists(rows, steps, unit_ids, user=user)
    return published


def publish_negatives(specs, units, users):
    """Each entry saved, revised and published, approved by the unit's head."""
    order = Counter()
    for spec in specs:
        order[spec.unit] += 10
        entry = NegativeListItem(
            unit=units[spec.unit],
            post=spec.post,
            act=spec.act,
            consequence=spec.consequence,
            sort_order=order[spec.unit],
        )
        entry.save()
        user = approver(spec.unit, users)
        entry.save_revision(user=user).publish(user=user, skip_permission_checks=True)
    return len(specs)


def stage_scenario(scenario, unit, users):
    """Draft the scenario's items and changes as the unit's clerk, then take the
    catalog through the scenario's steps. A catalog that has been through any
    workflow already is someone's real work and is left alone."""
    catalog = catalog_for(unit)
    if WorkflowState.objects.for_instance(catalog).exists():
        return False
    staff = {
        role: users[staff_username(scenario.unit, role)]
        for role in (Role.CLERK, Role.LEADER, Role.HEAD)
    }
    clerk = staff[Role.CLERK]
    listing = scenario.listing
    for item in scenario.items:
        draft = PowerItem(
            unit=unit, code=listing.code(item), live=False, **item_values(listing, item)
        )
        draft.steps = [ProcessStep(**step_values(step)) for step in item.steps]
        draft.save()
        draft.save_revision(user=clerk)
    for edit in scenario.edits:
        draft_edit(unit, lists.item_code(scenario.unit, edit.serial), edit, clerk)
    if scenario.actions is None:
        return True
    catalog.note = scenario.note
    catalog.save_revision(user=clerk)
    state = catalog.get_workflow().start(catalog, clerk)
    for step in scenario.actions:
        task_state = state.current_task_state
        task = task_state.task.specific
        checks = REVIEW_CHECKS if task.checklist and step.action == "approve" else {}
        task.on_action(
            task_state, staff[step.role], step.action, comment=step.opinion, **checks
        )
        state.refresh_from_db()
    return True


def draft_edit(unit, code, edit, clerk):
    """A draft change to a published item, unless it already has one pending."""
    item = PowerItem.objects.filter(unit=unit, code=code).first()
    if item is None or not item.live or item.has_unpublished_changes:
        return
    for name, value in edit.changes:
        setattr(item, name, value)
    item.save_revision(user=clerk)


@contextmanager
def demo_mail_off():
    """Staging the demo catalogs submits, approves and rejects them, and Wagtail
    would email each step to the demo accounts' example.org addresses."""
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"
    ):
        yield
