"""Seeds 000 公开办法: a catalog goes 提出 → 会审 → 审定 → 报备, and only then are its
items public. Each step records who, when and the opinion."""

from wagtail.models import TaskState, Workflow, WorkflowState

import pytest

from disclosure.catalogs import catalog_for
from disclosure.models import (
    CatalogVersion,
    DisclosureCatalog,
    ItemChange,
    PowerItem,
    ProcessStep,
    UnitPage,
)
from disclosure.permissions import CatalogPermissionPolicy
from tests.factories import staff


def unit(code):
    return UnitPage.objects.get(code=code)


def draft_item(office, code="Q-1", **fields):
    values = {
        "name": "城乡最低生活保障对象审核确认",
        "power_type": "行政确认",
        "basis": "《社会救助暂行办法》第十一条",
        "office": "社会事务办公室",
        "time_limit": "20个工作日",
        "disclosed": True,
    }
    values.update(fields)
    item = PowerItem(unit=office, code=code, live=False, **values)
    item.steps = [
        ProcessStep(name="申请受理", post="窗口", time_limit="1个工作日"),
        ProcessStep(
            name="入户调查",
            post="经办人",
            risk="优亲厚友",
            risk_level="一级",
            prevention="两人入户",
        ),
    ]
    item.save()
    item.save_revision()
    return item


@pytest.fixture
def people(county):
    office = unit("T01-A-1")
    return {
        "office": office,
        "clerk": staff(office, "clerk"),
        "leader": staff(office, "leader"),
        "head": staff(office, "head"),
        "other_leader": staff(unit("T01-A-2"), "leader"),
    }


def submit(catalog, user, note="新增低保审核确认事项"):
    catalog.note = note
    catalog.save_revision(user=user)
    return Workflow.objects.get(name="公开目录四步审批").start(catalog, user)


def current_task(catalog):
    state = WorkflowState.objects.for_instance(catalog).get(status="in_progress")
    return state.current_task_state


def act(catalog, user, action="approve", **data):
    task_state = current_task(catalog)
    task = task_state.task.specific
    assert task.get_actions(catalog, user), f"{user} cannot act on {task}"
    task.on_action(task_state, user, action, **data)


def run_all_steps(people, catalog):
    submit(catalog, people["clerk"])
    act(catalog, people["leader"], comment="同意提交")
    act(
        catalog,
        people["leader"],
        comment="依据充分，可以公开",
        legality=True,
        confidentiality=True,
        privacy=True,
    )
    act(catalog, people["head"], comment="同意公开")


@pytest.mark.django_db
def test_every_unit_has_a_catalog_on_the_workflow(people):
    catalog = DisclosureCatalog.objects.get(unit=people["office"])
    assert catalog.get_workflow().name == "公开目录四步审批"
    names = [task.name for task in catalog.get_workflow().tasks]
    assert names == [
        "提出（分管领导审核）",
        "会审（合法性与保密审查）",
        "审定（主要领导）",
        "报备（上级公开机构，抄送纪委）",
    ]


@pytest.mark.django_db
def test_a_draft_item_is_not_public_until_the_catalog_is_approved(people):
    item = draft_item(people["office"])
    catalog = catalog_for(people["office"])
    submit(catalog, people["clerk"])
    item.refresh_from_db()
    assert not item.live

    act(catalog, people["leader"], comment="同意提交")
    act(
        catalog,
        people["leader"],
        comment="可以公开",
        legality=True,
        confidentiality=True,
        privacy=True,
    )
    item.refresh_from_db()
    assert not item.live

    act(catalog, people["head"], comment="同意公开")
    item.refresh_from_db()
    assert item.live and item.is_public
    assert item.index_number == f"T01-A-1-{item.first_published_at.year}-0001"
    assert item.catalog_version == 1
    assert item.steps.count() == 2


@pytest.mark.django_db
def test_the_filing_records_every_step_and_goes_up_and_to_the_commission(people):
    draft_item(people["office"])
    catalog = catalog_for(people["office"])
    run_all_steps(people, catalog)

    version = CatalogVersion.objects.get(unit=people["office"])
    assert version.number == 1
    assert version.filed_to == unit("T01-A")
    assert version.copied_to == unit("T01-A-J")
    assert version.approved_by == people["head"]
    steps = [(step["step"], step["user"], step["opinion"]) for step in version.steps]
    assert steps[0] == ("提出", people["clerk"].username, "新增低保审核确认事项")
    assert steps[1][1:] == (people["leader"].username, "同意提交")
    assert steps[2][0] == "会审（合法性与保密审查）"
    assert "合法性审查、保密审查、个人信息审查" in steps[2][2]
    assert steps[3][1:] == (people["head"].username, "同意公开")
    assert steps[4][0].startswith("报备")
    assert all(step["at"] for step in version.steps)
    assert version.summary == {"created": 1, "changed": 0, "withheld": 0}


@pytest.mark.django_db
def test_review_without_the_checklist_cannot_approve(people):
    from disclosure.models.catalog import ReviewForm

    form = ReviewForm(data={"comment": "同意", "legality": "on"})
    assert not form.is_valid()
    assert "保密审查" in str(form.errors)
    form = ReviewForm(
        data={"comment": "", "legality": "on", "confidentiality": "on", "privacy": "on"}
    )
    assert not form.is_valid()


@pytest.mark.django_db
def test_rejection_returns_to_the_clerk_with_the_opinion(people):
    item = draft_item(people["office"])
    catalog = catalog_for(people["office"])
    submit(catalog, people["clerk"])
    act(catalog, people["leader"], "reject", comment="行使依据条款有误，请核对")

    state = WorkflowState.objects.for_instance(catalog).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    rejected = TaskState.objects.get(workflow_state=state, status="rejected")
    assert rejected.comment == "行使依据条款有误，请核对"
    assert rejected.finished_by == people["leader"]
    item.refresh_from_db()
    assert not item.live


@pytest.mark.django_db
def test_only_the_units_own_role_holders_can_act(people):
    draft_item(people["office"])
    catalog = catalog_for(people["office"])
    submit(catalog, people["clerk"])
    task = current_task(catalog).task.specific
    assert task.get_actions(catalog, people["clerk"]) == []
    assert task.get_actions(catalog, people["other_leader"]) == []
    assert task.get_actions(catalog, people["head"]) == []
    assert task.get_actions(catalog, people["leader"])


@pytest.mark.django_db
def test_nobody_may_publish_a_catalog_outside_the_workflow(people):
    policy = CatalogPermissionPolicy(DisclosureCatalog)
    catalog = catalog_for(people["office"])
    for role in ("clerk", "leader", "head"):
        assert not policy.user_has_permission_for_instance(
            people[role], "publish", catalog
        )
    assert policy.user_has_permission_for_instance(people["clerk"], "change", catalog)
    assert not policy.user_has_permission_for_instance(
        people["other_leader"], "change", catalog
    )


@pytest.mark.django_db
def test_a_change_to_a_published_item_waits_for_the_next_approval(people):
    item = draft_item(people["office"])
    catalog = catalog_for(people["office"])
    run_all_steps(people, catalog)

    item = PowerItem.objects.get(pk=item.pk)
    item.time_limit = "15个工作日"
    item.save_revision(user=people["clerk"])
    live = PowerItem.objects.get(pk=item.pk)
    assert live.time_limit == "20个工作日"
    assert live.has_unpublished_changes

    run_all_steps(people, catalog)
    live = PowerItem.objects.get(pk=item.pk)
    assert live.time_limit == "15个工作日"
    assert live.catalog_version == 2
    changes = list(ItemChange.objects.filter(item=item).order_by("version"))
    assert [c.version for c in changes] == [1, 2]
    assert changes[0].description == "新增事项"
    assert changes[1].description == "修改：办理时限"


@pytest.mark.django_db
def test_an_edit_made_after_submission_is_not_published_with_it(people):
    item = draft_item(people["office"])
    catalog = catalog_for(people["office"])
    submit(catalog, people["clerk"])
    late = PowerItem.objects.get(pk=item.pk)
    late.name = "提交后才改的名称"
    late.save_revision(user=people["clerk"])

    act(catalog, people["leader"], comment="同意")
    act(
        catalog,
        people["leader"],
        comment="可以",
        legality=True,
        confidentiality=True,
        privacy=True,
    )
    act(catalog, people["head"], comment="同意")

    live = PowerItem.objects.get(pk=item.pk)
    assert live.live
    assert live.name == "城乡最低生活保障对象审核确认"
    assert live.has_unpublished_changes


def admin_url(name, **kwargs):
    from django.urls import reverse

    return reverse(DisclosureCatalog.snippet_viewset.get_url_name(name), kwargs=kwargs)


@pytest.mark.django_db
def test_the_four_steps_through_the_admin(client, people):
    item = draft_item(people["office"])
    catalog = catalog_for(people["office"])
    edit = admin_url("edit", pk=catalog.pk)

    client.force_login(people["clerk"])
    page = client.get(edit).content.decode()
    assert "另有 1 项修改尚未包含在本次提交中" in page
    response = client.post(edit, {"note": "新增低保事项", "action-submit": "提交"})
    assert response.status_code == 302
    state = WorkflowState.objects.for_instance(catalog).get()
    assert state.status == "in_progress"

    for user, data in [
        (people["leader"], {"comment": "同意提交"}),
        (
            people["leader"],
            {
                "comment": "依据充分",
                "legality": "on",
                "confidentiality": "on",
                "privacy": "on",
            },
        ),
        (people["head"], {"comment": "同意公开"}),
    ]:
        client.force_login(user)
        page = client.get(edit).content.decode()
        assert item.name in page, "the reviewer sees what the submission covers"
        task_state = current_task(catalog)
        url = admin_url(
            "workflow_action",
            pk=catalog.pk,
            action_name="approve",
            task_state_id=task_state.pk,
        )
        response = client.post(url, data)
        assert response.status_code in (200, 302), response.content[:300]
        assert TaskState.objects.get(pk=task_state.pk).status == "approved"

    item.refresh_from_db()
    assert item.is_public
    assert (
        CatalogVersion.objects.get(unit=people["office"]).approved_by == people["head"]
    )


@pytest.mark.django_db
def test_a_clerk_cannot_approve_through_the_admin(client, people):
    draft_item(people["office"])
    catalog = catalog_for(people["office"])
    submit(catalog, people["clerk"])
    client.force_login(people["clerk"])
    task_state = current_task(catalog)
    url = admin_url(
        "workflow_action",
        pk=catalog.pk,
        action_name="approve",
        task_state_id=task_state.pk,
    )
    client.post(url, {"comment": "自己批准"})
    assert TaskState.objects.get(pk=task_state.pk).status == "in_progress"


@pytest.mark.django_db
def test_the_review_step_refuses_approval_without_the_checklist_in_the_admin(
    client, people
):
    draft_item(people["office"])
    catalog = catalog_for(people["office"])
    submit(catalog, people["clerk"])
    act(catalog, people["leader"], comment="同意提交")
    client.force_login(people["leader"])
    task_state = current_task(catalog)
    url = admin_url(
        "workflow_action",
        pk=catalog.pk,
        action_name="approve",
        task_state_id=task_state.pk,
    )
    client.post(url, {"comment": "同意", "legality": "on"})
    assert TaskState.objects.get(pk=task_state.pk).status == "in_progress"
