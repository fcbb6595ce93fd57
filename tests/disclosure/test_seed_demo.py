"""`manage.py seed_demo`: the demo county `make run` serves, safe to run on every start."""

import re
from collections import Counter
from io import StringIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from wagtail.models import (
    GroupPagePermission,
    ModelLogEntry,
    Revision,
    Site,
    TaskState,
    WorkflowState,
)

import pytest

from disclosure import demo, pii, units
from disclosure import demo_lists as lists
from disclosure.catalogs import catalog_for, pending_changes
from disclosure.models import (
    POWER_TYPES,
    RISK_LEVELS,
    CatalogVersion,
    DisclosureCatalog,
    HomePage,
    ItemChange,
    NegativeListItem,
    PowerItem,
    ProcessStep,
    UnitGroup,
    UnitPage,
)
from disclosure.timelimits import parse_time_limit
from sunlight.models import GovernmentSiteSettings

Role = UnitGroup.Role
User = get_user_model()

#: A re-run only looks: home, units, settings, accounts, power items, 负面清单,
#: unit titles for the tables, whether results and ratings exist, which demo
#: reports exist, the demo 纪委 and its patrols (in a savepoint), the ledgers.
RERUN_QUERIES = 20


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def unit(code):
    return UnitPage.objects.get(code=code)


def counts():
    models = [
        UnitPage,
        User,
        Group,
        UnitGroup,
        GroupPagePermission,
        Revision,
        PowerItem,
        ProcessStep,
        NegativeListItem,
        WorkflowState,
        TaskState,
        CatalogVersion,
        ItemChange,
        ModelLogEntry,
    ]
    counted = {model.__name__: model.objects.count() for model in models}
    counted["workflow states"] = Counter(
        WorkflowState.objects.values_list("status", flat=True)
    )
    return counted


def users_in(code, role):
    return User.objects.filter(
        groups__unit_role__unit__code=code, groups__unit_role__role=role
    )


# The data themselves -------------------------------------------------------

UNIT_CODES = [spec.code for spec in demo.UNITS]


def test_unit_codes_are_unique_and_follow_the_contract_style():
    assert len(UNIT_CODES) == len(set(UNIT_CODES))
    for spec in demo.UNITS:
        if spec.parent is None:
            assert spec.code == "QS"
        else:
            assert spec.code.startswith(spec.parent + "-"), spec.code
            suffix = spec.code[len(spec.parent) + 1 :]
            assert re.fullmatch(r"[A-Z]|\d+|V\d+|J|P", suffix), spec.code


def test_parents_and_supervisors_come_before_the_units_that_name_them():
    seen = set()
    types = {spec.code: spec.unit_type for spec in demo.UNITS}
    for spec in demo.UNITS:
        assert spec.parent is None or spec.parent in seen, spec.code
        if spec.supervisor:
            assert spec.supervisor in seen, spec.code
            assert types[spec.supervisor] == units.COMMISSION
        seen.add(spec.code)


def test_units_use_the_contract_vocabulary_and_office_phones():
    for spec in demo.UNITS:
        assert spec.level in units.LEVELS
        assert spec.unit_type in units.UNIT_TYPES
        assert re.fullmatch(r"0818-\d{7}", spec.phone), spec.phone
        assert spec.duties and spec.address


def test_staff_accounts_point_at_demo_units_and_fitting_roles():
    types = {spec.code: spec.unit_type for spec in demo.UNITS}
    usernames = [spec.username for spec in demo.STAFF]
    assert len(usernames) == len(set(usernames))
    for spec in demo.STAFF:
        assert spec.unit in types, spec.username
        if spec.role == Role.COMMISSION:
            assert types[spec.unit] == units.COMMISSION, spec.username
        assert spec.last_name and spec.first_name


# The lists ------------------------------------------------------------------

ALL_LISTS = [*lists.POWER_LISTS, *(scenario.listing for scenario in lists.SCENARIOS)]
ALL_ITEMS = [(listing, item) for listing in ALL_LISTS for item in listing.items]
SCENARIO_UNITS = {scenario.unit: scenario for scenario in lists.SCENARIOS}


def test_item_codes_are_unique_per_unit_and_units_exist():
    codes = [(listing.unit, listing.code(item)) for listing, item in ALL_ITEMS]
    assert len(codes) == len(set(codes))
    assert {unit for unit, _ in codes} <= set(UNIT_CODES)
    assert all(code.startswith(unit + "-") for unit, code in codes)


def test_items_use_the_contract_vocabulary():
    for listing, item in ALL_ITEMS:
        where = listing.code(item)
        assert item.power_type in POWER_TYPES, where
        assert parse_time_limit(item.time_limit).text == item.time_limit, where
        assert item.name and item.basis and item.duties and item.accountability
        assert len(item.name) <= 255 and len(item.office or listing.office) <= 200
        assert 3 <= len(item.steps) <= 6, where
        for step in item.steps:
            assert len(step.name) <= 100 and len(step.post) <= 100, where
            assert len(step.branch) <= 200, where
            assert parse_time_limit(step.time_limit).text == step.time_limit, where
            assert bool(step.risk) == bool(step.level) == bool(step.prevention), where
            assert not step.level or step.level in RISK_LEVELS, where


def test_about_a_third_of_the_steps_carry_a_risk_point():
    steps = [step for _, item in ALL_ITEMS for step in item.steps]
    risky = [step for step in steps if step.risk]
    assert 0.28 <= len(risky) / len(steps) <= 0.4
    assert {step.level for step in risky} == set(RISK_LEVELS)
    assert sum(bool(step.branch) for step in steps) >= 20


def test_the_lists_hold_no_personal_data():
    texts = []
    for listing, item in ALL_ITEMS:
        texts += [*demo.item_values(listing, item).values()]
        texts += [value for step in item.steps for value in vars(step).values()]
    texts += [value for spec in lists.NEGATIVE_LIST for value in vars(spec).values()]
    texts += [scenario.note for scenario in lists.SCENARIOS]
    texts += [action.opinion for s in lists.SCENARIOS for action in (s.actions or ())]
    for text in texts:
        if isinstance(text, str):
            assert not pii.find_personal_data(text), text


def test_one_catalog_in_each_state_each_in_its_own_unit_with_its_own_staff():
    states = [scenario.state for scenario in lists.SCENARIOS]
    assert sorted(states) == sorted([*lists.STATES, lists.APPROVED])
    assert len(SCENARIO_UNITS) == len(lists.SCENARIOS)
    for scenario in lists.SCENARIOS:
        for role in (Role.CLERK, Role.LEADER, Role.HEAD):
            assert demo.staff_username(scenario.unit, role), (scenario.unit, role)
        assert all(action.opinion for action in scenario.actions or ())


# Loading -------------------------------------------------------------------


class SeededCountyTests(TestCase):
    """One seeding for the whole class (it takes seconds); each test rolls back."""

    @classmethod
    def setUpTestData(cls):
        cls.output = seed()

    def test_seed_demo_twice_changes_nothing_and_only_reads(self):
        before = counts()

        with CaptureQueriesContext(connection) as queries:
            output = seed()

        assert counts() == before
        assert before["UnitPage"] == len(demo.UNITS)
        assert "演示数据已齐全" in output
        assert len(queries) <= RERUN_QUERIES, [q["sql"] for q in queries]

    def test_every_unit_is_published_through_wagtail(self):
        for each in UnitPage.objects.all():
            assert each.live and each.last_published_at, each.code
            assert not each.has_unpublished_changes, each.code
            assert each.revisions.exists(), each.code

    def test_every_role_has_a_demo_user(self):
        townships = UnitPage.objects.filter(level="乡", unit_type="政府")
        assert townships.count() == 2
        for code in [*townships.values_list("code", flat=True), "QS-1", "QS-A-V1"]:
            for role in (Role.CLERK, Role.LEADER, Role.HEAD):
                assert users_in(code, role).exists(), (code, role)
        for commission in UnitPage.objects.filter(unit_type="纪委"):
            assert users_in(commission.code, Role.COMMISSION).exists(), commission
        assert User.objects.get(username="admin").is_superuser
        for user in User.objects.all():
            assert user.check_password(demo.DEMO_PASSWORD), user.username
            assert user.last_name and user.first_name, user.username

    def test_each_township_has_its_commission(self):
        for township in UnitPage.objects.filter(level="乡", unit_type="政府"):
            commissions = UnitPage.objects.child_of(township).filter(unit_type="纪委")
            assert commissions.count() == 1, township.code
            assert township.supervisor == commissions.get()

    def test_supervision_follows_the_tree_and_the_overrides(self):
        expected = {
            "QS": "QS-J",
            "QS-J": None,
            "QS-1": "QS-1-J",
            "QS-1-J": "QS-J",
            "QS-2": "QS-1-J",
            "QS-4": "QS-J",
            "QS-A-J": "QS-J",
            "QS-A-3": "QS-A-J",
            "QS-B-V2": "QS-B-J",
        }
        found = dict(
            UnitPage.objects.filter(code__in=expected).values_list(
                "code", "supervisor__code"
            )
        )
        assert found == expected

    def test_footer_settings_are_filled_and_shown(self):
        info = GovernmentSiteSettings.for_site(Site.objects.get(is_default_site=True))

        for name, value in demo.SITE_SETTINGS.items():
            assert getattr(info, name) == value
        html = self.client.get("/").content.decode()
        assert "青山县人民政府办公室" in html
        assert info.icp_record in html
        assert info.police_record in html
        assert info.site_code in html

    def test_home_page_has_the_county_title_and_lists_units(self):
        home = HomePage.objects.get()
        assert home.title == demo.HOME_TITLE
        assert home.intro == demo.HOME_INTRO

        response = self.client.get("/")

        assert response.status_code == 200
        html = response.content.decode()
        for code in ("QS", "QS-A", "QS-B"):
            assert unit(code).title in html
            assert unit(code).url in html

    def test_output_lists_every_login_and_the_admin_url(self):
        for spec in [*demo.STAFF, demo.ADMIN]:
            assert re.search(rf"^{spec.username}\s", self.output, re.MULTILINE)
        assert "何晓燕" in self.output
        assert "青山县柳溪镇人民政府" in self.output
        assert "录入员" in self.output
        assert demo.DEMO_PASSWORD in self.output
        assert "http://testserver/admin/" in self.output

    def test_a_changed_password_is_never_reset(self):
        clerk = User.objects.get(username="liuxi_clerk")
        clerk.set_password("Changed-By-Clerk-2026")
        clerk.save()

        seed()

        clerk.refresh_from_db()
        assert clerk.check_password("Changed-By-Clerk-2026")
        assert not clerk.check_password(demo.DEMO_PASSWORD)

    def test_edited_content_and_settings_are_kept(self):
        township = unit("QS-A")
        township.duties = "经调整后的职责。"
        township.save_revision().publish()
        info = GovernmentSiteSettings.for_site(Site.objects.get(is_default_site=True))
        info.sponsor = "青山县大数据中心"
        info.save()
        home = HomePage.objects.get()
        home.title = "自定义标题"
        home.save_revision().publish()

        seed()

        assert unit("QS-A").duties == "经调整后的职责。"
        info.refresh_from_db()
        assert info.sponsor == "青山县大数据中心"
        assert HomePage.objects.get().title == "自定义标题"

    def test_missing_pieces_are_filled_in(self):
        User.objects.filter(username="shiqiao_jiwei").delete()
        unit("QS-B-V2").delete()

        output = seed()

        assert "新建单位 1 个" in output
        assert "新建账号 1 个" in output
        assert unit("QS-B-V2").supervisor.code == "QS-B-J"
        shiqiao = users_in("QS-B-J", Role.COMMISSION)
        assert shiqiao.filter(username="shiqiao_jiwei").exists()


class SeededListsTests(TestCase):
    """Power lists, 负面清单 and the catalog in each workflow state, as seeded."""

    @classmethod
    def setUpTestData(cls):
        cls.output = seed()

    def test_about_a_hundred_public_items_with_steps_and_risks(self):
        public = PowerItem.objects.filter(live=True, disclosed=True)
        assert 90 <= public.count() <= 110
        assert not public.filter(has_unpublished_changes=True).exclude(
            unit__code__in=SCENARIO_UNITS
        )
        for item in PowerItem.objects.filter(live=True).prefetch_related("steps"):
            assert 3 <= len(item.steps.all()) <= 6, item.code
            assert item.index_number and item.catalog_version, item.code
            assert item.live_revision_id, item.code
        steps = ProcessStep.objects.filter(item__live=True)
        assert steps.exclude(risk="").count() / steps.count() >= 0.28
        assert steps.filter(branch__startswith="不予受理").exists()
        levels = set(steps.exclude(risk="").values_list("risk_level", flat=True))
        assert levels == set(RISK_LEVELS)

    def test_items_cover_townships_village_and_county_departments(self):
        live = Counter(
            PowerItem.objects.filter(live=True).values_list("unit__code", flat=True)
        )
        for code in ("QS-A-1", "QS-A-2", "QS-A-3", "QS-A-4", "QS-1", "QS-2", "QS-3"):
            assert live[code] >= 5, code
        assert live["QS-A-V1"] >= 10
        types = set(PowerItem.objects.values_list("power_type", flat=True))
        assert {"行政许可", "行政处罚", "行政检查", "行政给付"} <= types

    def test_withheld_items_give_their_reason(self):
        withheld = PowerItem.objects.filter(live=True, disclosed=False)
        assert withheld.count() >= 3
        for item in withheld:
            assert "不予公开" in item.withheld_reason, item.code

    def test_the_village_has_its_small_powers_list(self):
        names = list(
            PowerItem.objects.filter(unit__code="QS-A-V1", live=True).values_list(
                "name", flat=True
            )
        )
        for word in (
            "四议两公开",
            "工程项目",
            "采购",
            "发包",
            "宅基地",
            "最低生活保障",
        ):
            assert any(word in name for name in names), word
        assert any("补贴" in name for name in names)
        assert any("证明" in name for name in names)
        decision = PowerItem.objects.get(code="QS-A-V1-001")
        assert [step.name for step in decision.steps.all()][:4] == [
            "村党组织提议",
            "村“两委”联席会议商议",
            "党员大会审议",
            "村民（代表）会议决议",
        ]

    def test_each_unit_catalog_was_approved_by_its_head(self):
        version = CatalogVersion.objects.get(unit__code="QS-A-2", number=1)
        assert version.approved_by.username == "liuxi_shehui_head"
        assert version.summary["created"] == 12
        assert version.filed_to.code == "QS-A"
        assert version.copied_to.code == "QS-A-J"
        admin_approved = CatalogVersion.objects.get(unit__code="QS-3")
        assert admin_approved.approved_by.username == "admin"

    def test_negative_list_is_published(self):
        entries = NegativeListItem.objects.all()
        assert entries.count() == len(lists.NEGATIVE_LIST)
        assert len({entry.unit_id for entry in entries}) >= 5
        for entry in entries:
            assert entry.live and entry.live_revision_id, entry
            assert not entry.has_unpublished_changes, entry
            assert entry.consequence
        window = entries.filter(unit__code="QS-A-2", post="窗口工作人员")
        assert window.filter(act__contains="优亲厚友").exists()
        assert window.filter(act__contains="好处").exists()

    def test_a_draft_catalog_waits_for_its_clerk(self):
        unit = UnitPage.objects.get(code="QS-A-3")
        catalog = catalog_for(unit)
        assert not WorkflowState.objects.for_instance(catalog).exists()
        pending = pending_changes(unit)["items"]
        new = PowerItem.objects.get(code="QS-A-3-010")
        changed = PowerItem.objects.get(code="QS-A-3-001")
        assert set(pending) == {str(new.pk), str(changed.pk)}
        assert not new.live
        assert changed.live and changed.time_limit == "20个工作日"
        assert changed.latest_revision.content["time_limit"] == "15个工作日"
        assert changed.latest_revision.user.username == "liuxi_cunzhen_clerk"

    def test_catalogs_wait_at_each_step_for_the_right_people(self):
        expected = {
            "QS-A-2": ("提出（分管领导审核）", ["liuxi_shehui_leader"]),
            "QS-1": ("会审（合法性与保密审查）", ["minzheng_leader", "minzheng_head"]),
            "QS-A-V1": ("审定（主要领导）", ["baiguo_head"]),
        }
        for code, (task_name, actors) in expected.items():
            catalog = DisclosureCatalog.objects.get(unit__code=code)
            state = WorkflowState.objects.for_instance(catalog).get()
            assert state.status == WorkflowState.STATUS_IN_PROGRESS, code
            assert state.requested_by.username == demo.staff_username(code, "clerk")
            task_state = state.current_task_state
            task = task_state.task.specific
            assert task.name == task_name, code
            staff = User.objects.filter(groups__unit_role__unit__code=code)
            assert staff.count() == 3, code
            for user in staff:
                can_act = bool(task.get_actions(catalog, user))
                assert can_act == (user.username in actors), (code, user.username)
                waiting = task.get_task_states_user_can_moderate(user)
                assert waiting.filter(pk=task_state.pk).exists() == can_act
            assert set(catalog.latest_revision.content["pending"]["items"]) == {
                str(pk)
                for pk in PowerItem.objects.filter(
                    unit__code=code, has_unpublished_changes=True
                ).values_list("pk", flat=True)
            }

    def test_a_rejected_catalog_carries_the_opinion_back_to_the_clerk(self):
        catalog = DisclosureCatalog.objects.get(unit__code="QS-2")
        state = WorkflowState.objects.for_instance(catalog).get()
        assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
        rejected = state.task_states.get(status=TaskState.STATUS_REJECTED)
        assert rejected.task.name == "会审（合法性与保密审查）"
        assert rejected.finished_by.username == "ziran_leader"
        assert "第五十七条" in rejected.comment
        assert state.requested_by.username == "ziran_clerk"
        assert not PowerItem.objects.get(code="QS-2-010").live

    def test_one_catalog_went_through_all_four_steps(self):
        catalog = DisclosureCatalog.objects.get(unit__code="QS-B")
        state = WorkflowState.objects.for_instance(catalog).get()
        assert state.status == WorkflowState.STATUS_APPROVED
        version = CatalogVersion.objects.get(unit__code="QS-B")
        assert version.approved_by.username == "shiqiao_head"
        steps = [step["step"] for step in version.steps]
        assert steps[0] == "提出" and steps[-1].startswith("报备")
        assert "合法性审查" in version.steps[2]["opinion"]
        assert PowerItem.objects.filter(unit__code="QS-B", live=True).count() == 3

    def test_workflow_states_are_exactly_one_of_each(self):
        statuses = Counter(WorkflowState.objects.values_list("status", flat=True))
        assert statuses == {
            WorkflowState.STATUS_IN_PROGRESS: 3,
            WorkflowState.STATUS_NEEDS_CHANGES: 1,
            WorkflowState.STATUS_APPROVED: 1,
        }
        drafts = PowerItem.objects.filter(live=False)
        assert set(drafts.values_list("unit__code", flat=True)) == set(
            SCENARIO_UNITS
        ) - {"QS-B"}

    def test_no_stored_text_contains_personal_data(self):
        for model in (PowerItem, ProcessStep, NegativeListItem, DisclosureCatalog):
            names = [
                field.name
                for field in model._meta.concrete_fields
                if field.get_internal_type() in ("CharField", "TextField")
            ]
            for row in model.objects.values_list(*names):
                for text in row:
                    assert not pii.find_personal_data(text or ""), text

    def test_output_summarises_the_lists_and_who_acts_next(self):
        assert "权力事项：新建 106（已发布 101，待审批 5）" in self.output
        assert f"负面清单：新建 {len(lists.NEGATIVE_LIST)} 条" in self.output
        assert "草稿 1、待提出审核 1、待会审 1、待审定 1、已退回 1" in self.output
        assert re.search(r"青山县民政局\s+待会审\s+minzheng_leader", self.output)
        assert re.search(r"柳溪镇白果村民委员会\s+待审定\s+baiguo_head", self.output)

    def test_ratings_and_comments_are_in_every_state(self):
        from django.utils import timezone

        from disclosure import ratings
        from disclosure.models import Rating, RatingTally, Result

        today = timezone.localdate()
        states = set(Rating.objects.values_list("moderation", flat=True))
        assert states == {"none", "pending", "shown", "hidden"}
        follow_ups = Rating.objects.filter(reply_due__isnull=False)
        assert follow_ups.filter(replied_at__isnull=False).exists()
        assert follow_ups.filter(replied_at__isnull=True, reply_due__lt=today).exists()
        assert follow_ups.filter(replied_at__isnull=True, reply_due__gte=today).exists()
        assert not Rating.objects.filter(result__disclosed_on__isnull=True).exists()
        hidden = Rating.objects.filter(moderation="hidden")
        assert all(rating.moderation_reason for rating in hidden)
        # The stored aggregates agree with the ratings themselves.
        stored = {(t.scope, t.object_id): t.counts() for t in RatingTally.objects.all()}
        totals = dict(Result.objects.values_list("pk", "rating_total"))
        ratings.recount()
        assert stored == {
            (t.scope, t.object_id): t.counts() for t in RatingTally.objects.all()
        }
        assert totals == dict(Result.objects.values_list("pk", "rating_total"))
        assert "一事一评议" in self.output

    def test_a_rerun_keeps_edits_and_restores_deleted_items(self):
        PowerItem.objects.filter(code="QS-3-001").update(name="农药经营许可（调整）")
        NegativeListItem.objects.filter(unit__code="QS-A-2").first().delete()
        gone = PowerItem.objects.get(code="QS-3-002")
        gone.delete()

        output = seed()

        assert PowerItem.objects.get(code="QS-3-001").name == "农药经营许可（调整）"
        assert NegativeListItem.objects.filter(unit__code="QS-A-2").count() == 4
        back = PowerItem.objects.get(code="QS-3-002")
        assert back.live and back.steps.count() == len(lists.AGRICULTURE[1].steps)
        assert back.catalog_version == 2
        assert "权力事项：新建 1（已发布 1，待审批 0）" in output
        assert WorkflowState.objects.count() == 5


@pytest.mark.django_db
def test_seed_demo_refuses_the_production_settings(settings):
    """Demo accounts use a published password: never on a production instance."""
    from django.core.management.base import CommandError

    settings.SETTINGS_MODULE = "sunlight.settings.production"
    with pytest.raises(CommandError, match="生产配置"):
        call_command("seed_demo", verbosity=0)
    assert not UnitPage.objects.exists()
    assert not get_user_model().objects.exists()
