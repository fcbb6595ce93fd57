"""Power items in the admin: a unit's staff see and edit their own unit's items only,
nobody publishes an item outside the catalog workflow, personal data never gets in,
a 纪委 reads what it supervises, and 报备 records reach the unit they were filed with
(DESIGN: people and roles, rules 1–2; issue 4 items 1, 3, 5, 6)."""

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest

from disclosure.models import (
    CatalogVersion,
    NegativeListItem,
    PowerItem,
    ProcessStep,
    UnitGroup,
    UnitPage,
)
from tests.factories import UserFactory, staff

Role = UnitGroup.Role
ID_NUMBER = "11010519491231002X"
ID_MASKED = "110105********002X"
#: Upper bound for the item listing, whatever the number of items or units.
LISTING_QUERIES = 24


def unit(code):
    return UnitPage.objects.get(code=code)


def url(model, view, *args):
    return reverse(f"wagtailsnippets_disclosure_{model}:{view}", args=args)


def item_url(view, *args):
    return url("poweritem", view, *args)


def draft_item(office, code, name="城乡最低生活保障对象审核确认", **fields):
    """A never-published item with a draft revision, as an editor leaves it."""
    item = PowerItem(
        unit=office,
        code=code,
        name=name,
        power_type="行政确认",
        basis="《社会救助暂行办法》第十一条",
        office="社会事务办公室",
        live=False,
        **fields,
    )
    item.steps = [ProcessStep(name="申请受理", post="窗口", time_limit="1个工作日")]
    item.save()
    item.save_revision()
    return item


def published(item):
    item.save_revision().publish(skip_permission_checks=True)
    return PowerItem.objects.get(pk=item.pk)


def assert_denied(response):
    """Wagtail sends a forbidden request back to the dashboard with a message."""
    assert response.status_code == 302, response.status_code
    assert response.url == reverse("wagtailadmin_home")


def form_data(office, **overrides):
    """What the add/edit form posts for an item with two steps, one with a risk."""
    data = {
        "unit": office.pk,
        "code": "Q-100",
        "power_type": "行政给付",
        "name": "临时救助金发放",
        "basis": "《社会救助暂行办法》第四十七条",
        "conditions": "因意外事件导致基本生活暂时出现严重困难的家庭",
        "office": "社会事务办公室",
        "time_limit": "即办",
        "duties": "受理、审批、发放",
        "responsible": "东河镇人民政府",
        "accountability": "虚报冒领、拖延发放的",
        "disclosed": "on",
        "withheld_reason": "",
        "steps": inline_formset(
            [
                {
                    "name": "申请受理",
                    "post": "社会事务办窗口",
                    "time_limit": "1个工作日",
                    "branch": "不予受理——一次性书面告知理由",
                    "risk": "",
                    "risk_level": "",
                    "prevention": "",
                },
                {
                    "name": "审批发放",
                    "post": "分管领导",
                    "time_limit": "即办",
                    "branch": "",
                    "risk": "优亲厚友、虚报冒领",
                    "risk_level": "一级",
                    "prevention": "公示发放名单，资金直达到户",
                },
            ]
        ),
    }
    data.update(overrides)
    return nested_form_data(data)


@pytest.fixture
def office(county):
    """Unit A: 东河镇社会事务办公室."""
    return unit("T01-A-1")


@pytest.fixture
def sibling(county):
    """Unit B: 东河镇村镇建设办公室, beside unit A in the same township."""
    return unit("T01-A-2")


@pytest.fixture
def clerk(office):
    return staff(office, Role.CLERK)


@pytest.fixture
def items(office, sibling, county):
    return {
        "own": draft_item(office, "Q-001", name="城乡最低生活保障对象审核确认"),
        "sibling": draft_item(sibling, "J-001", name="乡村建设规划许可初审"),
        "county": draft_item(county, "X-001", name="县级行政事业性收费"),
    }


# Seeing and editing one's own unit ---------------------------------------------------


def test_clerk_lists_only_their_own_units_items(client, clerk, items):
    client.force_login(clerk)

    response = client.get(item_url("list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "城乡最低生活保障对象审核确认" in html
    assert "乡村建设规划许可初审" not in html
    assert "县级行政事业性收费" not in html
    units = response.context["filters"].form.fields["unit"].queryset
    assert list(units.values_list("code", flat=True)) == ["T01-A-1"]


def test_township_staff_also_work_on_the_units_below(client, county, items):
    township_clerk = staff(unit("T01-A"), Role.CLERK)
    client.force_login(township_clerk)

    html = client.get(item_url("list")).content.decode()

    assert "城乡最低生活保障对象审核确认" in html
    assert "乡村建设规划许可初审" in html
    assert "县级行政事业性收费" not in html
    assert client.get(item_url("edit", items["sibling"].pk)).status_code == 200
    assert_denied(client.get(item_url("edit", items["county"].pk)))


def test_listing_search_finds_chinese_substrings(client, clerk, items, office):
    draft_item(office, "Q-002", name="特困人员救助供养审核")
    client.force_login(clerk)

    html = client.get(item_url("list"), {"q": "救助供养"}).content.decode()

    assert "特困人员救助供养审核" in html
    assert "城乡最低生活保障对象审核确认" not in html


def test_unit_filter_narrows_within_scope_and_ignores_other_units(
    client, county, items
):
    client.force_login(staff(unit("T01-A"), Role.CLERK))

    narrowed = client.get(item_url("list"), {"unit": unit("T01-A-2").pk})
    foreign = client.get(item_url("list"), {"unit": county.pk})

    html = narrowed.content.decode()
    assert "乡村建设规划许可初审" in html
    assert "城乡最低生活保障对象审核确认" not in html
    assert "县级行政事业性收费" not in foreign.content.decode()


def test_bulk_delete_shows_only_the_users_own_items(client, clerk, items):
    client.force_login(clerk)
    bulk = reverse("wagtail_bulk_action", args=["disclosure", "poweritem", "delete"])

    everything = client.get(bulk, {"id": "all"})
    other = client.get(bulk, {"id": items["sibling"].pk})
    client.post(f"{bulk}?id={items['sibling'].pk}")

    html = everything.content.decode()
    assert "城乡最低生活保障对象审核确认" in html
    assert "乡村建设规划许可初审" not in html
    assert "县级行政事业性收费" not in html
    assert other.status_code == 404
    assert PowerItem.objects.filter(pk=items["sibling"].pk).exists()


def test_listing_takes_a_fixed_number_of_queries(
    client, clerk, office, django_assert_max_num_queries
):
    for number in range(40):
        draft_item(office, f"Q-{number:03d}")
    client.force_login(clerk)
    client.get(item_url("list"))

    with django_assert_max_num_queries(LISTING_QUERIES):
        response = client.get(item_url("list"))

    assert response.content.decode().count("Q-0") >= 40


@pytest.mark.parametrize(
    ("view", "method"),
    [
        ("edit", "get"),
        ("edit", "post"),
        ("inspect", "get"),
        ("history", "get"),
        ("usage", "get"),
        ("delete", "get"),
        ("delete", "post"),
        ("preview_on_edit", "get"),
        ("preview_on_edit", "post"),
        ("copy", "get"),
    ],
)
def test_clerk_is_denied_another_units_item(client, clerk, items, view, method):
    other = items["sibling"]
    client.force_login(clerk)

    response = getattr(client, method)(item_url(view, other.pk), {"name": "篡改"})

    assert_denied(response)
    assert "乡村建设规划许可初审" not in response.content.decode()
    assert PowerItem.objects.get(pk=other.pk).name == "乡村建设规划许可初审"


def test_clerk_is_denied_another_units_revisions(client, clerk, items):
    other = items["sibling"]
    revision = other.latest_revision
    client.force_login(clerk)

    for view_url in (
        item_url("revisions_view", other.pk, revision.pk),
        item_url("revisions_revert", other.pk, revision.pk),
        item_url("revisions_compare", other.pk, "earliest", "latest"),
        item_url("lock", other.pk),
    ):
        response = client.get(view_url)
        assert response.status_code in (302, 405), view_url
        if response.status_code == 302:
            assert_denied(response)


def test_clerk_creates_an_item_with_steps_and_risks_as_a_draft(client, clerk, office):
    client.force_login(clerk)

    response = client.post(item_url("add"), form_data(office))

    assert response.status_code == 302
    item = PowerItem.objects.get(unit=office, code="Q-100")
    assert not item.live
    assert item.has_unpublished_changes
    steps = list(item.steps.all())
    assert [step.name for step in steps] == ["申请受理", "审批发放"]
    assert steps[1].risk_level == "一级"
    assert steps[1].prevention == "公示发放名单，资金直达到户"
    assert item.latest_revision is not None


def test_the_unit_field_offers_only_the_clerks_units(client, clerk, office, sibling):
    client.force_login(clerk)

    form = client.get(item_url("add")).context["form"]
    response = client.post(item_url("add"), form_data(sibling))

    assert list(form.fields["unit"].queryset) == [office]
    assert form.initial["unit"] == office.pk
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not PowerItem.objects.filter(code="Q-100").exists()


def test_clerk_has_no_publish_action(client, clerk, office, items):
    client.force_login(clerk)

    for page in (item_url("add"), item_url("edit", items["own"].pk)):
        html = client.get(page).content.decode()
        assert 'name="action-publish"' not in html
        assert 'name="action-unpublish"' not in html


def test_posting_publish_saves_a_draft_only(client, clerk, office, items):
    client.force_login(clerk)

    client.post(item_url("add"), {**form_data(office), "action-publish": "publish"})
    client.post(
        item_url("edit", items["own"].pk),
        {
            **form_data(office, code="Q-001", name="改名后发布"),
            "action-publish": "publish",
        },
    )

    created = PowerItem.objects.get(code="Q-100")
    edited = PowerItem.objects.get(pk=items["own"].pk)
    assert not created.live and created.live_revision is None
    assert not edited.live and edited.live_revision is None
    assert edited.get_latest_revision_as_object().name == "改名后发布"


def test_only_a_superuser_may_publish_an_item_directly(office):
    from wagtail.permissions import policy_registry

    policy = policy_registry.get_by_type(PowerItem)
    head = staff(office, Role.HEAD)
    root = UserFactory(username="root", is_superuser=True)

    assert not policy.user_has_permission(head, "publish")
    assert policy.user_has_permission(root, "publish")


def test_a_withheld_item_needs_its_reason(client, clerk, office):
    client.force_login(clerk)

    data = form_data(office)
    del data["disclosed"]
    response = client.post(item_url("add"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["withheld_reason"] == ["不公开的事项必须填写不公开理由。"]
    assert not PowerItem.objects.filter(code="Q-100").exists()


def test_a_withheld_item_with_its_reason_is_saved(client, clerk, office):
    client.force_login(clerk)

    data = form_data(office, withheld_reason="涉及个人隐私，依申请公开")
    del data["disclosed"]
    client.post(item_url("add"), data)

    item = PowerItem.objects.get(code="Q-100")
    assert not item.disclosed
    assert item.withheld_reason == "涉及个人隐私，依申请公开"


def test_personal_data_in_an_item_field_blocks_saving(client, clerk, office):
    client.force_login(clerk)

    response = client.post(
        item_url("add"),
        form_data(office, conditions=f"如申请人王某（身份证号{ID_NUMBER}）"),
    )

    assert response.status_code == 200
    message = response.context["form"].errors["conditions"][0]
    assert "“行使条件”中含有个人信息" in message
    assert ID_MASKED in message
    html = response.content.decode()
    assert ID_MASKED in html
    assert not PowerItem.objects.filter(code="Q-100").exists()


def test_personal_data_in_a_step_blocks_saving(client, clerk, office):
    client.force_login(clerk)
    data = form_data(office)
    data["steps-1-prevention"] = "有异议请拨打经办人电话13800138000"

    response = client.post(item_url("add"), data)

    assert response.status_code == 200
    step_form = response.context["form"].formsets["steps"].forms[1]
    message = step_form.errors["prevention"][0]
    assert "“防控措施”中含有个人信息" in message
    assert "138****8000" in message
    assert "13800138000" not in message
    assert not PowerItem.objects.filter(code="Q-100").exists()


def test_personal_data_blocks_a_negative_list_entry(client, clerk, office):
    client.force_login(clerk)

    response = client.post(
        url("negativelistitem", "add"),
        {
            "unit": office.pk,
            "post": "出纳",
            "act": "不得将公款转入个人账户 6222021001116245702",
            "consequence": "给予党纪政务处分",
            "sort_order": "0",
        },
    )

    assert response.status_code == 200
    assert "“禁止行为”中含有个人信息" in response.context["form"].errors["act"][0]
    assert not NegativeListItem.objects.exists()


def test_preview_of_a_draft_item_works(client, clerk, office, items):
    item = items["own"]
    client.force_login(clerk)
    preview = item_url("preview_on_edit", item.pk)

    state = client.post(preview, form_data(office, code="Q-001", name="预览中的名称"))
    response = client.get(preview)

    assert state.json() == {"is_valid": True, "is_available": True}
    assert response.status_code == 200
    assert "预览中的名称" in response.content.decode()


# Deleting -----------------------------------------------------------------------------


def test_unit_head_may_delete_a_never_published_item(client, office, items):
    client.force_login(staff(office, Role.HEAD))

    response = client.post(item_url("delete", items["own"].pk))

    assert response.status_code == 302
    assert not PowerItem.objects.filter(pk=items["own"].pk).exists()


def test_a_clerk_may_not_delete(client, clerk, items):
    client.force_login(clerk)

    assert_denied(client.post(item_url("delete", items["own"].pk)))
    assert PowerItem.objects.filter(pk=items["own"].pk).exists()


def test_a_published_item_is_withdrawn_through_the_catalog_not_deleted(
    client, office, items
):
    item = published(items["own"])
    client.force_login(staff(office, Role.HEAD))

    response = client.post(item_url("delete", item.pk), follow=True)

    assert PowerItem.objects.filter(pk=item.pk).exists()
    assert "已发布的事项不能删除" in response.content.decode()


# 纪委 ----------------------------------------------------------------------------------


@pytest.fixture
def commission(county):
    """东河镇纪委: supervises the township's units, not the county's."""
    return staff(unit("T01-A-J"), Role.COMMISSION, username="donghe-jiwei")


def test_commission_lists_and_inspects_supervised_items(client, commission, items):
    item = items["own"]
    item.name = "草稿中的新名称"
    item.save_revision()
    client.force_login(commission)

    listing = client.get(item_url("list")).content.decode()
    inspect = client.get(item_url("inspect", item.pk))

    assert "城乡最低生活保障对象审核确认" in listing
    assert "乡村建设规划许可初审" in listing
    assert "县级行政事业性收费" not in listing
    assert item_url("edit", item.pk) not in listing
    assert item_url("inspect", item.pk) in listing
    assert inspect.status_code == 200
    html = inspect.content.decode()
    assert "草稿中的新名称" in html
    assert "申请受理" in html
    assert item_url("edit", item.pk) not in html


def test_commission_cannot_edit_add_or_inspect_outside_its_scope(
    client, commission, items, office
):
    client.force_login(commission)

    assert_denied(client.get(item_url("edit", items["own"].pk)))
    assert_denied(client.post(item_url("edit", items["own"].pk), form_data(office)))
    assert_denied(client.get(item_url("add")))
    assert_denied(client.get(item_url("inspect", items["county"].pk)))
    assert PowerItem.objects.get(pk=items["own"].pk).name == (
        "城乡最低生活保障对象审核确认"
    )


def test_staff_without_a_unit_role_see_no_items(client, items):
    user = UserFactory(username="admin-only")
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    )
    client.force_login(user)

    assert_denied(client.get(item_url("list")))
    assert_denied(client.get(item_url("inspect", items["own"].pk)))


# 报备记录 -----------------------------------------------------------------------------


@pytest.fixture
def filings(county, office):
    township = unit("T01-A")
    approved = timezone.now()
    return {
        "office": CatalogVersion.objects.create(
            unit=office,
            number=1,
            approved_at=approved,
            steps=[{"step": "审定", "user": "张三", "at": approved.isoformat()}],
            summary={"created": 3, "changed": 0, "withheld": 1},
            filed_to=township,
            copied_to=unit("T01-A-J"),
        ),
        "township": CatalogVersion.objects.create(
            unit=township,
            number=1,
            approved_at=approved,
            filed_to=county,
            copied_to=unit("T01-J"),
        ),
    }


FILINGS = reverse_lazy("filings:index")


def listed(client, user):
    client.force_login(user)
    html = client.get(FILINGS).content.decode()
    return {
        name
        for name, title in (
            ("office", "东河镇社会事务办公室公开目录 第1版"),
            ("township", "测试县东河镇人民政府公开目录 第1版"),
        )
        if title in html
    }


def test_filings_are_seen_by_the_receiving_unit_and_the_copied_commission(
    client, county, filings
):
    township_clerk = staff(unit("T01-A"), Role.CLERK)
    county_clerk = staff(county, Role.CLERK)
    township_commission = staff(unit("T01-A-J"), Role.COMMISSION)
    filing_clerk = staff(unit("T01-A-1"), Role.CLERK)

    assert listed(client, township_clerk) == {"office"}
    assert listed(client, county_clerk) == {"township"}
    assert listed(client, township_commission) == {"office"}
    assert listed(client, filing_clerk) == set()


def test_receiving_unit_acknowledges_a_filing(client, filings):
    version = filings["office"]
    township_clerk = staff(unit("T01-A"), Role.CLERK)
    client.force_login(township_clerk)
    inspect = reverse("filings:inspect", args=[version.pk])

    page = client.get(inspect).content.decode()
    response = client.post(reverse("filings:acknowledge", args=[version.pk]))

    assert reverse("filings:acknowledge", args=[version.pk]) in page
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.acknowledged_by == township_clerk
    assert version.acknowledged_at is not None
    entry = ModelLogEntry.objects.get(action="sunlight.filing_acknowledged")
    assert entry.user == township_clerk
    assert entry.object_id == str(version.pk)
    assert "已签收" in client.get(inspect).content.decode()


def test_acknowledging_twice_keeps_the_first_signature(client, filings):
    version = filings["office"]
    first, second = (
        staff(unit("T01-A"), Role.CLERK),
        staff(unit("T01-A"), Role.HEAD),
    )
    client.force_login(first)
    client.post(reverse("filings:acknowledge", args=[version.pk]))
    client.force_login(second)
    client.post(reverse("filings:acknowledge", args=[version.pk]))

    version.refresh_from_db()
    assert version.acknowledged_by == first
    assert (
        ModelLogEntry.objects.filter(action="sunlight.filing_acknowledged").count() == 1
    )


def test_only_the_receiving_unit_may_acknowledge(client, county, filings):
    version = filings["office"]
    acknowledge = reverse("filings:acknowledge", args=[version.pk])

    for user in (
        staff(unit("T01-A-J"), Role.COMMISSION),
        staff(county, Role.HEAD),
        staff(unit("T01-A-1"), Role.HEAD),
    ):
        client.force_login(user)
        assert_denied(client.post(acknowledge))

    client.force_login(staff(unit("T01-A"), Role.CLERK))
    assert client.get(acknowledge).status_code == 405
    version.refresh_from_db()
    assert version.acknowledged_at is None


def test_acknowledging_needs_the_csrf_token(filings):
    version = filings["office"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff(unit("T01-A"), Role.CLERK))

    response = client.post(reverse("filings:acknowledge", args=[version.pk]))

    assert response.status_code == 403
    version.refresh_from_db()
    assert version.acknowledged_at is None


def test_filings_of_other_units_cannot_be_inspected(client, county, filings):
    client.force_login(staff(county, Role.CLERK))

    assert_denied(client.get(reverse("filings:inspect", args=[filings["office"].pk])))


@pytest.mark.django_db
def test_the_dashboard_shows_filings_waiting_for_acknowledgement(client, county):
    from django.utils import timezone

    from disclosure.models import CatalogVersion, UnitPage

    township = UnitPage.objects.get(code="T01-A")
    office = UnitPage.objects.get(code="T01-A-1")
    CatalogVersion.objects.create(
        unit=office,
        number=1,
        approved_at=timezone.now(),
        filed_to=township,
        copied_to=UnitPage.objects.get(code="T01-A-J"),
    )
    client.force_login(staff(township, "clerk", username="township-clerk"))
    page = client.get("/admin/").content.decode()
    assert "待签收" in page and "东河镇社会事务办公室公开目录 第1版" in page

    client.force_login(
        staff(UnitPage.objects.get(code="T01-A-J"), "commission", username="jw")
    )
    page = client.get("/admin/").content.decode()
    assert "抄送本纪委" in page

    client.force_login(
        staff(UnitPage.objects.get(code="T01-A-2"), "clerk", username="other")
    )
    page = client.get("/admin/").content.decode()
    assert "第1版" not in page and "暂无待处理的报备" in page
