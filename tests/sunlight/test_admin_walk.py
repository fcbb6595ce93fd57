"""Every admin URL, walked by every role of one township, leaks nothing of another.

A county with two townships. Township A (东河镇) has data in every app: a draft
power item and a published one with a result, a rating whose comment carries a phone
number (kept encrypted as the 评议 original), an objection to its 公示, a real-name
report with an attachment about its office, a patrol finding with a 督办 order, a 问责
record, a 容错 case and a ledger problem. Township B (西山乡) has an office with a
录入员, 分管领导 and 主要领导, and its own 纪委. Each of those four and a staff user
who holds no role GET every admin URL pattern the resolver knows (Wagtail's own and
those the apps register through hooks), with path arguments filled with township
A's objects of the matching kind. No response may be a server error, and no body
may contain any of township A's distinctive strings.

Patterns whose arguments cannot be filled meaningfully are listed in SKIPPED with
the reason; the test fails if a new pattern appears that it neither walks nor skips.
"""

import datetime
import io
import re

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

import pytest
from PIL import Image

from complaints import attachments, intake
from complaints.models import Report
from disclosure import ratings
from disclosure.models import (
    DisclosureCatalog,
    NegativeListItem,
    Objection,
    Rating,
    UnitPage,
)
from ledgers import services as ledger_services
from supervision import notices, orders, patrols, tolerance
from supervision.models import FaultTolerance
from tests.factories import make_item, make_result, make_unit, staff

pytestmark = pytest.mark.django_db

# Township A's distinctive strings: none may reach a township B account.
SECRET_ITEM = "甲镇草稿事项鹬蚌"
SECRET_NEGATIVE = "甲镇负面清单鸬鹚"
SECRET_RESULT = "甲镇办理结果鹧鸪"
SECRET_ACCUSED = "钱鹈鹕"
SECRET_REPORTER = "孙鸾凤"
SECRET_REPORT = "甲镇举报内容鹡鸰"
SECRET_COMMENT = "甲镇评议原文鸺鹠"
SECRET_PHONE = "13912345678"
SECRET_OBJECTION = "甲镇公示异议鸱鸮"
SECRET_FINDING = "甲镇巡查发现鹪鹩"
SECRET_ORDER = "甲镇督办要求鸲鹆"
SECRET_ACCOUNTABILITY = "甲镇问责事实鹭鸶"
SECRET_CASE = "甲镇容错事由鸊鷉"
SECRET_PROBLEM = "甲镇台账问题鹁鸪"
SECRETS = [value for key, value in dict(globals()).items() if key.startswith("SECRET_")]

VALID_ID = "11010519491231002X"
PASSWORD = "Chaxun-2026-pass"

#: Patterns not walked, by route (regular expression), with the reason.
SKIPPED = {
    r"^admin/\^\.\*/\$$": "Wagtail 的兜底 404 路由，没有对象可查",
    r"^admin/failwhale/$": "Wagtail 故意抛出异常的错误页测试路由（仅测试 500 页面）",
    r"^admin/logout/$": "GET 会注销当前会话，后面的请求就无意义了",
    r"^admin/password_reset/confirm/": "需要有效的重置令牌；无令牌时只显示“链接无效”",
    r"/<int:uploaded_file_id>/": "上传中间态（UploadedFile）对象，本测试不创建",
    r"^admin/editing-sessions/": "编辑会话心跳，只接受 POST",
    r"/<int:session_id>/": "编辑会话对象，本测试不创建",
    r"<int:task_state_id>": "需要进行中的工作流任务状态；审批流程的权限由 "
    "tests/disclosure/test_catalog_workflow.py 覆盖",
    r"<int:workflow_state_id>": "同上，需要工作流状态对象",
    r"<int:task_id>": "同上，需要工作流任务对象",
}


# The county ---------------------------------------------------------------------


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def world(county, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    units = {unit.code: unit for unit in UnitPage.objects.all()}
    a_town, a_office, a_jiwei = units["T01-A"], units["T01-A-1"], units["T01-A-J"]
    county_jiwei = staff(units["T01-J"], "commission", "county_jiwei")
    a_party = make_unit(
        a_town, code="T01-A-P", title="中共东河镇委员会", unit_type="党委"
    )
    b_town = make_unit(county, code="T01-B", title="测试县西山乡人民政府")
    b_jiwei = make_unit(
        b_town, code="T01-B-J", title="中共西山乡纪律检查委员会", unit_type="纪委"
    )
    b_office = make_unit(
        b_town, code="T01-B-1", title="西山乡社会事务办公室", unit_type="部门"
    )
    make_item(b_office, "B-001", name="西山乡低保审核")

    # Township A's records, one of each kind.
    a_office.save_revision()
    a_clerk = staff(a_office, "clerk", "a_clerk")
    a_head = staff(a_town, "head", "a_head")
    a_town_clerk = staff(a_town, "clerk", "a_town_clerk")
    a_commission = staff(a_jiwei, "commission", "a_jiwei")
    draft = make_item(a_office, "A-DRAFT", name=SECRET_ITEM, live=False)
    draft.save_revision(user=a_clerk)
    item = make_item(a_office, "A-001", name="东河镇临时救助审批")
    negative = NegativeListItem(
        unit=a_office, post="窗口受理岗", act=SECRET_NEGATIVE, consequence="依规追责"
    )
    negative.live = False
    negative.save()
    negative.save_revision(user=a_clerk)
    result = make_result(
        item,
        title=SECRET_RESULT,
        publicity_days=7,
    )
    rating = ratings.submit(
        result, 1, f"{SECRET_COMMENT}，请回电 {SECRET_PHONE}", token="walker"
    )
    objection = Objection.objects.create(
        result=result,
        content=SECRET_OBJECTION,
        answer_due=timezone.localdate() + datetime.timedelta(days=7),
    )
    report = intake.file_report(
        intake.Submission(
            accused_person=SECRET_ACCUSED,
            accused_post="社会事务办主任",
            accused_unit=a_office,
            content=SECRET_REPORT,
            password=PASSWORD,
            anonymous=False,
            name=SECRET_REPORTER,
            id_number=VALID_ID,
            phone="13800138000",
            files=[attachments.clean(png_bytes())],
        )
    ).report
    patrol = patrols.log_patrol(a_commission, a_jiwei, timezone.localdate(), "am")
    finding = patrols.add_finding(
        a_commission, patrol, a_office, "late_disclosure", SECRET_FINDING
    )
    order = orders.issue(a_commission, a_jiwei, a_office, SECRET_ORDER, finding)
    entry = notices.record(
        a_commission,
        a_jiwei,
        a_office,
        person="吴某",
        post="社会事务办副主任",
        circumstance="8-3",
        method="通报批评",
        decided_on=timezone.localdate(),
        basis="《权力运行监督问责办法（试行）》第八条第（三）项",
        facts=SECRET_ACCOUNTABILITY,
    )
    case = tolerance.register(
        a_commission,
        a_jiwei,
        a_office,
        "赵某",
        "主任",
        FaultTolerance.Origin.APPLICATION,
        SECRET_CASE,
        ["2"],
        timezone.localdate(),
    )
    year = timezone.localdate().year
    ledger = ledger_services.create_list(
        a_town_clerk, a_party, year, "principal", "王书记"
    )
    problem = ledger_services.record_problem(
        county_jiwei,
        a_party,
        {
            "source": "patrol",
            "description": SECRET_PROBLEM,
            "found_on": timezone.localdate(),
        },
    )
    ledger_services.act(
        a_head, problem.pk, "plan", {"plan": "整改", "owner": "张", "working_days": 5}
    )
    ledger_services.ensure_reports(year, [a_party])

    # Township B's people, and a staff account with no role anywhere.
    loner = staff_without_role()
    people = {
        "clerk": staff(b_office, "clerk", "b_clerk"),
        "leader": staff(b_office, "leader", "b_leader"),
        "head": staff(b_office, "head", "b_head"),
        "commission": staff(b_jiwei, "commission", "b_jiwei"),
        "no_role": loner,
    }
    objects = {
        "page": a_office,
        "destination": a_town,
        "poweritem": draft,
        "negativelistitem": negative,
        "result": result,
        "rating": rating,
        "objection": objection,
        "report": report,
        "attachment": report.attachments.get(),
        "patrol": patrol,
        "order": order,
        "accountability": entry,
        "case": case,
        "ledger_unit": a_party,
        "ledger": ledger,
        "problem": problem,
        "user": a_clerk,
        "group": a_clerk.groups.get(),
        "year": year,
    }
    catalog = DisclosureCatalog.objects.filter(unit=a_office).first()
    if catalog is not None:
        catalog.save_revision(user=a_clerk)
        objects["disclosurecatalog"] = catalog
    from ledgers.models import WorkReport

    work_report = WorkReport.objects.filter(unit=a_party).first()
    if work_report is not None:
        objects["work_report"] = work_report
    assert Report.objects.get(pk=report.pk).identity
    assert Rating.objects.get(pk=rating.pk).comment_original
    return people, objects


def staff_without_role():
    from tests.factories import UserFactory

    user = UserFactory(username="no_role")
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    )
    return user


# The URL patterns ---------------------------------------------------------------


def admin_patterns():
    """(route, converters) for every pattern below /admin/, hooks' URLs included."""

    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                yield route

    return [r for r in walk(get_resolver().url_patterns, "") if r.startswith("admin/")]


def revision_of(obj):
    revision = getattr(obj, "latest_revision", None)
    if revision is None and hasattr(obj, "revisions"):
        revision = obj.revisions.order_by("-pk").first()
    return revision


def object_for(route, objects):
    """Township A's object that `<pk>` means in `route`, or None."""
    kinds = [
        (r"^admin/snippets/(choose/)?disclosure/(?P<model>\w+)/", None),
        (r"^admin/api/main/\^pages/", "page"),
        (r"^admin/pages/", "page"),
        (r"^admin/supervision/", "page"),
        (r"^admin/results/objections/", "objection"),
        (r"^admin/results/ratings/", "rating"),
        (r"^admin/complaints/", "report"),
        (r"^admin/jiwei/patrols/", "patrol"),
        (r"^admin/jiwei/orders/", "order"),
        (r"^admin/jiwei/accountability/", "accountability"),
        (r"^admin/jiwei/tolerance/", "case"),
        (r"^admin/ledgers/units/", "ledger_unit"),
        (r"^admin/ledgers/lists/", "ledger"),
        (r"^admin/ledgers/problems/", "problem"),
        (r"^admin/ledgers/reports/", "work_report"),
        (r"^admin/users/", "user"),
        (r"^admin/groups/", "group"),
    ]
    for pattern, kind in kinds:
        match = re.match(pattern, route)
        if match:
            kind = kind or match.group("model")
            return objects.get(kind)
    return None


CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def fill(route, objects):
    """The path for `route` with township A's objects, or (None, reason)."""
    for pattern, reason in SKIPPED.items():
        if re.search(pattern, route):
            return None, reason
    target = object_for(route, objects)
    values = {}

    def value(name):
        if name in ("page_id", "parent_page_id", "page_to_move_id", "page_pk"):
            return objects["page"].pk
        if name == "destination_id":
            return objects["destination"].pk
        if name in ("pk", "object_id"):
            return target.pk if target is not None else None
        if name == "revision_id":
            revision = revision_of(target) if target is not None else None
            return revision.pk if revision else None
        if name == "revision_id_a":
            return "earliest"
        if name == "revision_id_b":
            return "latest"
        if name == "attachment_pk":
            return objects["attachment"].pk
        if name == "user_id":
            return objects["user"].pk
        if name == "year":
            return objects["year"]
        if name == "subject":
            return "rectifications"
        if name in ("content_type_app_name", "app_label", "app_name"):
            return "disclosure"
        if name in ("content_type_model_name", "model_name"):
            return "unitpage" if "pages/" in route else "poweritem"
        if name == "action":
            return "delete"
        if name == "action_name":
            return "approve"
        if name == "filter_spec":
            return "original"
        return None

    def substitute(match):
        name = match.group("name")
        result = value(name)
        if result is None:
            values.setdefault("missing", name)
            return ""
        return str(result)

    path = CONVERTER.sub(substitute, route)
    path = REGEX_GROUP.sub(substitute, path)
    if "missing" in values:
        return None, f"没有与参数 {values['missing']} 对应的甲镇对象"
    path = "/" + path.replace("^", "").replace("$", "")
    if re.search(r"^/admin/bulk/", path):
        path += f"?id={objects['poweritem'].pk}"
    return path, None


# The walk ---------------------------------------------------------------------


def walk(user, paths):
    client = Client()
    client.force_login(user)
    problems = []
    for path in paths:
        try:
            response = client.get(path)
        except Exception as error:  # noqa: BLE001 - every failure is reported
            problems.append(f"{path}: 异常 {error!r}")
            continue
        if response.status_code >= 500:
            problems.append(f"{path}: {response.status_code}")
            continue
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        leaked = [secret for secret in SECRETS if secret in text]
        if leaked:
            problems.append(f"{path}: 泄露 {leaked}")
    assert client.get("/admin/").status_code == 200, "会话在巡查中被注销"
    return problems


@pytest.mark.parametrize("role", ["clerk", "leader", "head", "commission", "no_role"])
def test_no_admin_url_leaks_township_a_to_township_b(world, role):
    people, objects = world
    paths, skipped = [], {}
    for route in admin_patterns():
        path, reason = fill(route, objects)
        if path is None:
            skipped[route] = reason
        else:
            paths.append(path)
    assert len(paths) > 250, "the walk lost most of the admin"
    problems = walk(people[role], paths)
    assert not problems, "\n".join(problems)


def test_the_walk_fills_every_object_kind(world):
    """Every detail route of the apps' own views is walked with a real object, so a
    skipped route is a decision recorded in SKIPPED, never an accident."""
    _, objects = world
    unexpected = {}
    for route in admin_patterns():
        path, reason = fill(route, objects)
        if path is None and not any(re.search(p, route) for p in SKIPPED):
            unexpected[route] = reason
    # Wagtail's own media, collections, workflows, sites, redirects and forms hold
    # nothing of a unit: their detail routes have no township A object.
    unit_data = {
        route: reason
        for route, reason in unexpected.items()
        if not re.match(
            r"^admin/(images|documents|collections|workflows|sites|redirects|forms|"
            r"api/main/\^(documents|images))/|^admin/snippets/(choose/)?"
            r"(search/synonym|disclosure/(calendaryear|decision))/|"
            r"^admin/filings/|^admin/ledgers/(evidence|assessments)/|"
            r"^admin/settings/|^admin/tag-autocomplete/",
            route,
        )
    }
    assert not unit_data, unit_data
