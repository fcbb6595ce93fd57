"""`manage.py seed_demo`: the demo county `make run` serves, safe to run on every start."""

import re
from io import StringIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from wagtail.models import GroupPagePermission, Revision, Site

from disclosure import demo, units
from disclosure.models import HomePage, UnitGroup, UnitPage
from sunlight.models import GovernmentSiteSettings

Role = UnitGroup.Role
User = get_user_model()

#: A re-run only looks: home, units, settings, accounts, logins table.
RERUN_QUERIES = 10


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def unit(code):
    return UnitPage.objects.get(code=code)


def counts():
    models = [UnitPage, User, Group, UnitGroup, GroupPagePermission, Revision]
    return {model.__name__: model.objects.count() for model in models}


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
