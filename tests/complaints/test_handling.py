"""Handling in the admin: only the handling 纪委, recusals, every step audited."""

import datetime
import io

from django.contrib.auth import get_user_model

from wagtail.models import ModelLogEntry

import pytest
from openpyxl import load_workbook
from PIL import Image

from complaints import handling, intake
from complaints.models import Report
from disclosure.models import UnitPage
from tests.factories import UserFactory, staff

from .conftest import PASSWORD, VALID_ID

pytestmark = pytest.mark.django_db


def unit(code):
    return UnitPage.objects.get(code=code)


def file(code="T01-A-1", *, person="吴某某", post="工作人员", anonymous=True, **extra):
    submission = intake.Submission(
        accused_person=person,
        accused_post=post,
        accused_unit=unit(code),
        content="吴某某在高龄津贴审核中索要好处。",
        password=PASSWORD,
        anonymous=anonymous,
        name="" if anonymous else "钟启明",
        id_number="" if anonymous else VALID_ID,
        phone="" if anonymous else "13800138000",
        **extra,
    )
    return intake.file_report(submission).report


@pytest.fixture
def officers(county):
    return {
        "township": staff(unit("T01-A-J"), "commission", "township_jiwei"),
        "county": staff(unit("T01-J"), "commission", "county_jiwei"),
    }


def actions(report, action):
    return ModelLogEntry.objects.filter(
        object_id=str(report.pk), action=f"complaints.{action}"
    )


def test_only_the_handling_commission_sees_a_report(officers):
    report = file()
    township, upper = officers["township"], officers["county"]
    clerk = staff(unit("T01-A-1"), "clerk")
    admin = UserFactory(username="root", is_superuser=True)
    assert handling.can_view(township, report)
    assert list(handling.visible_reports(township)) == [report]
    for user in (upper, clerk, admin):
        assert not handling.can_view(user, report)
        assert not handling.visible_reports(user).exists()


def test_a_handler_in_the_accused_unit_or_named_never_sees_it(officers):
    report = file()
    insider = staff(unit("T01-A-J"), "commission", "insider")
    insider.groups.add(unit("T01-A-1").staff_groups.get(role="clerk").group)
    named = staff(unit("T01-A-J"), "commission", "named")
    named.last_name, named.first_name = "孙", "立"
    named.save()
    about_named = file(person="孙立（社会事务办主任）")
    assert not handling.can_view(insider, report)
    assert not handling.visible_reports(insider).filter(pk=report.pk).exists()
    assert not handling.can_view(named, about_named)
    assert not handling.visible_reports(named).filter(pk=about_named.pk).exists()
    assert handling.can_view(named, report)


def test_admin_list_and_detail_for_the_handler(
    client, officers, django_assert_max_num_queries
):
    for _ in range(3):
        file()
    client.force_login(officers["township"])
    with django_assert_max_num_queries(25):
        response = client.get("/admin/complaints/?show=all")
    assert response.status_code == 200
    assert response.content.decode().count("/admin/complaints/") >= 3
    report = Report.objects.first()
    assert client.get(f"/admin/complaints/{report.pk}/").status_code == 200
    client.force_login(officers["county"])
    assert client.get(f"/admin/complaints/{report.pk}/").status_code == 404


def test_staff_without_a_commission_role_get_403(client, county):
    clerk = staff(unit("T01-A-1"), "clerk")
    client.force_login(clerk)
    response = client.get("/admin/complaints/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_accept_investigate_close_through_the_admin(client, officers):
    report = file(anonymous=False)
    client.force_login(officers["township"])
    url = f"/admin/complaints/{report.pk}/"
    client.post(url, {"action": "accept", "accept-category": "integrity"})
    client.post(url, {"action": "investigate", "investigate-note": "调取台账"})
    response = client.post(
        url, {"action": "close", "close-result": "问题属实，已处理。"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.CLOSED and report.result == "问题属实，已处理。"
    assert report.category == "integrity"
    for action in ("accepted", "investigating", "closed"):
        assert actions(report, action).exists()


def test_closing_an_anonymous_report_needs_a_scope(client, officers):
    report = file()
    handling.accept(report, officers["township"])
    client.force_login(officers["township"])
    response = client.post(
        f"/admin/complaints/{report.pk}/", {"action": "close", "close-result": "属实"}
    )
    assert response.status_code == 400
    assert "须选择通报范围" in response.content.decode()
    response = client.post(
        f"/admin/complaints/{report.pk}/",
        {
            "action": "close",
            "close-result": "属实",
            "close-scope": "public",
            "close-announcement": "已通报",
        },
    )
    report.refresh_from_db()
    assert report.announcement_scope == "public" and report.announced_on


def test_transfer_moves_the_report_and_its_timers(client, officers):
    report = file()
    client.force_login(officers["township"])
    response = client.post(
        f"/admin/complaints/{report.pk}/",
        {
            "action": "transfer",
            "transfer-to_unit": unit("T01-J").pk,
            "transfer-reason": "涉及镇领导，报县纪委",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/admin/complaints/"
    report.refresh_from_db()
    assert report.state == Report.State.TRANSFERRED and report.handler.code == "T01-J"
    assert not handling.can_view(officers["township"], report)
    assert handling.can_view(officers["county"], report)
    handling.accept(report, officers["county"])  # the receiving 纪委 takes it on


def test_transfer_needs_a_reason(client, officers):
    report = file()
    client.force_login(officers["township"])
    response = client.post(
        f"/admin/complaints/{report.pk}/",
        {"action": "transfer", "transfer-to_unit": unit("T01-J").pk},
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.state == Report.State.PENDING


def test_marking_the_principal_leader_sends_it_one_level_up(officers):
    report = file("T01-A", person="某某", post="")
    assert report.handler.code == "T01-A-J" and not report.principal
    target = handling.mark_principal(report, officers["township"], "主持全面工作")
    report.refresh_from_db()
    assert target.code == "T01-J" and report.handler.code == "T01-J"
    assert report.principal and report.principal_marked
    assert report.state == Report.State.TRANSFERRED


def test_impossible_steps_are_refused(officers):
    report = file()
    with pytest.raises(handling.HandlingError):
        handling.investigate(report, officers["township"])
    handling.reject(report, officers["township"], "不属受理范围", "不属于纪委受理范围")
    with pytest.raises(handling.HandlingError):
        handling.accept(report, officers["township"])


def test_viewing_identity_is_audited(client, officers):
    report = file(anonymous=False)
    client.force_login(officers["township"])
    page = client.get(f"/admin/complaints/{report.pk}/").content.decode()
    assert "钟启明" not in page
    response = client.post(f"/admin/complaints/{report.pk}/", {"action": "identity"})
    assert (
        "钟启明" in response.content.decode() and VALID_ID in response.content.decode()
    )
    entry = actions(report, "identity_viewed").get()
    assert entry.user == officers["township"] and "钟启明" not in entry.label


def test_attachment_download_only_for_the_handler_and_audited(
    client, officers, private_root
):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    from complaints.attachments import clean

    report = file(files=[clean(buffer.getvalue())])
    attachment = report.attachments.get()
    url = f"/admin/complaints/{report.pk}/attachments/{attachment.pk}/"
    client.force_login(officers["county"])
    assert client.get(url).status_code == 404
    client.force_login(officers["township"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert actions(report, "attachment_downloaded").count() == 1


def test_registering_a_letter_follows_the_same_routing(client, officers):
    client.force_login(officers["county"])
    response = client.post(
        "/admin/complaints/register/",
        {
            "channel": "letter",
            "received_on": "2026-11-02",
            "mode": "0",
            "accused_person": "某某",
            "accused_post": "镇长",
            "accused_unit": unit("T01-A").pk,
            "content": "来信反映镇长违规插手工程。",
            "name": "钟启明",
            "id_number": VALID_ID,
            "phone": "13800138000",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "查询密码" in body
    report = Report.objects.get()
    assert report.channel == "letter" and report.handler.code == "T01-J"
    assert report.received_on == datetime.date(2026, 11, 2)
    assert report.grouped_code in body and "钟启明" not in report.identity
    assert report.registered_by == officers["county"]
    assert actions(report, "registered").exists()


def test_overdue_and_provisional_flags():
    report = Report(
        state=Report.State.PENDING,
        received_on=datetime.date(2026, 10, 1),
        acknowledge_due=datetime.date(2026, 10, 28),
        transfer_due=datetime.date(2026, 10, 14),
    )
    assert handling.overdue_flags(report, datetime.date(2026, 10, 20)) == [
        "已过移送时限"
    ]
    assert handling.overdue_flags(report, datetime.date(2026, 10, 29)) == ["逾期未受理"]
    report.state = Report.State.ACCEPTED
    assert handling.overdue_flags(report, datetime.date(2026, 12, 1)) == []


def test_deadlines_into_an_unknown_year_are_provisional(officers):
    report = file(received_on=datetime.date(2026, 12, 18))
    assert report.due_provisional
    assert report.acknowledge_due.year == 2027
    assert handling.refresh_deadlines() == 0  # still unknown: nothing to change


def test_quarterly_analysis_and_export(client, officers):
    today = datetime.date.today()
    file(received_on=today)
    file(received_on=today)
    file("T01-A", person="某某", post="镇长", received_on=today)
    client.force_login(officers["township"])
    page = client.get("/admin/complaints/analysis/").content.decode()
    assert "举报总数" in page and "重复举报对象" in page
    client.force_login(officers["county"])
    response = client.get("/admin/complaints/analysis/?format=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    overview = workbook["概况"]
    assert [c.value for c in overview[2]] == ["举报总数", 1]
    assert [c.value for c in overview[3]] == ["其中：举报单位主要负责人（一把手）", 1]
    client.force_login(officers["township"])
    workbook = load_workbook(
        io.BytesIO(client.get("/admin/complaints/analysis/?format=xlsx").content)
    )
    repeat = list(workbook["重复举报对象"].values)
    assert repeat[1] == ("吴某某", "东河镇社会事务办公室", 2)


def test_admin_menu_shows_reports_to_handlers_only(client, officers):
    client.force_login(officers["township"])
    assert "/admin/complaints/" in client.get("/admin/").content.decode()
    clerk = staff(unit("T01-A-1"), "clerk")
    client.force_login(clerk)
    assert "/admin/complaints/" not in client.get("/admin/").content.decode()
    assert get_user_model().objects.filter(username="township_jiwei").exists()


def test_dashboard_panel_counts_awaiting_and_overdue(client, officers):
    file(received_on=datetime.date(2026, 1, 5))
    file()
    client.force_login(officers["township"])
    page = client.get("/admin/").content.decode()
    assert "举报办理" in page
    assert "待受理（含移送来的）：" in page and ">2 件<" in page
    assert "<strong>1 件</strong>" in page
    client.force_login(officers["county"])
    assert "complaints-panel-heading" in client.get("/admin/").content.decode()
    clerk = staff(unit("T01-A-1"), "clerk")
    client.force_login(clerk)
    assert "complaints-panel-heading" not in client.get("/admin/").content.decode()
