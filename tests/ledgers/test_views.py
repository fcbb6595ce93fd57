"""The admin pages: bad input answers 400 with a Chinese message and changes
nothing; every page reads the same number of queries at two data sizes."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
import time_machine

from ledgers import assessing, services
from ledgers.models import Assessment, Problem, ResponsibilityList, SignOff, WorkReport

from .conftest import png

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen"),
]


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0), tick=False):
        yield


def add_data(c, n):
    """n problems in assorted states, a list with n items, an assessment."""
    ledger = ResponsibilityList.objects.filter(unit=c.party, year=2026).first()
    if ledger is None:
        ledger = services.create_list(c.clerk, c.party, 2026, "principal", "王书记")
    for i in range(n):
        services.save_item(
            c.clerk,
            ledger.pk,
            {
                "category": "member",
                "content": f"事项{i}",
                "owner": "张",
                "owner_post": "",
                "due_on": None,
            },
        )
        problem = services.record_problem(
            c.county_jiwei,
            c.party,
            {
                "source": "patrol",
                "description": f"问题{i}",
                "found_on": datetime.date(2026, 3, 1),
            },
        )
        if i % 2:
            services.act(
                c.head,
                problem.pk,
                "plan",
                {"plan": "改", "owner": "张", "working_days": 5},
            )
        if i % 4 == 1:
            services.act(c.head, problem.pk, "submit", {"note": "完成"}, [png()])
    services.ensure_reports(2026, [c.party, c.commission])
    assessment = Assessment.objects.first() or assessing.create(
        c.county_jiwei, c.county_commission, 2026, "考核", [c.township, c.other]
    )
    return ledger, assessment


def pages(c, ledger, assessment):
    problem = Problem.objects.filter(unit=c.party).first()
    report = WorkReport.objects.filter(unit=c.party).first()
    return [
        reverse("ledgers_index"),
        reverse("ledgers_unit", args=[c.party.pk, 2026]),
        reverse("ledgers_sign", args=[c.party.pk, 2026, "rectifications"]),
        reverse("ledgers_list", args=[ledger.pk]),
        reverse("ledgers_problem", args=[problem.pk]),
        reverse("ledgers_reports") + "?show=all",
        reverse("ledgers_report", args=[report.pk]),
        reverse("ledgers_assessments"),
        reverse("ledgers_assessment", args=[assessment.pk]),
    ]


@pytest.mark.parametrize("who", ["county_jiwei", "head"])
def test_query_counts_do_not_grow_with_the_data(client, ledger_county, who):
    c = ledger_county
    client.force_login(getattr(c, who))
    ledger, assessment = add_data(c, 2)
    urls = pages(c, ledger, assessment)
    first = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code in (200, 404), url
        first[url] = len(queries)
    add_data(c, 8)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert len(queries) == first[url], (url, [q["sql"] for q in queries])


def test_dashboard_shows_the_ledgers_to_a_superuser(admin_client, ledger_county):
    text = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    for word in ("主体责任", "问题清单", "整改"):
        assert word in text


def test_editing_a_signed_list_is_refused_with_a_message(client, ledger_county):
    c = ledger_county
    ledger, _ = add_data(c, 1)
    services.sign(
        c.head,
        SignOff.Subject.RESPONSIBILITY,
        unit=c.party,
        year=2026,
        target=ledger,
        opinion="同意",
    )
    client.force_login(c.clerk)
    item = ledger.items.get()
    response = client.post(
        reverse("ledgers_list", args=[ledger.pk]),
        {
            "action": "item",
            "item": item.pk,
            "item-category": "member",
            "item-content": "改",
            "item-owner": "张",
        },
    )
    assert response.status_code == 400
    assert "签字背书，不能直接修改" in response.content.decode()
    assert ledger.items.get().content == "事项0"


def test_completion_without_evidence_is_refused(client, ledger_county):
    c = ledger_county
    add_data(c, 4)
    problem = Problem.objects.get(state="planned")
    client.force_login(c.head)
    response = client.post(
        reverse("ledgers_problem", args=[problem.pk]),
        {"action": "submit", "submit-note": "已完成"},
    )
    assert response.status_code == 400
    assert "至少一份整改佐证材料" in response.content.decode()
    problem.refresh_from_db()
    assert problem.state == "planned"


def test_the_wrong_side_and_garbage_get_no_500(client, ledger_county):
    c = ledger_county
    add_data(c, 4)
    problem = Problem.objects.get(state="planned")
    client.force_login(c.head)
    url = reverse("ledgers_problem", args=[problem.pk])
    response = client.post(url, {"action": "accept", "accept-note": "自己验收"})
    assert response.status_code == 400
    assert "不能验收销号" in response.content.decode()
    assert client.post(url, {"action": "explode"}).status_code == 404
    client.force_login(c.other_head)
    assert client.get(url).status_code == 404


def test_weights_not_summing_to_100_are_refused(client, ledger_county):
    c = ledger_county
    _, assessment = add_data(c, 1)
    client.force_login(c.county_jiwei)
    data = {"action": "indicators", "ind-TOTAL_FORMS": "2", "ind-INITIAL_FORMS": "0"}
    for i, (name, weight) in enumerate((("甲", 60), ("乙", 30))):
        data.update(
            {
                f"ind-{i}-name": name,
                f"ind-{i}-weight": weight,
                f"ind-{i}-source": "entered",
                f"ind-{i}-deduction": "10",
            }
        )
    response = client.post(reverse("ledgers_assessment", args=[assessment.pk]), data)
    assert response.status_code == 400
    assert "权重合计应为 100，当前合计为 90" in response.content.decode()
    assert not assessment.indicators.exists()


def test_a_report_for_the_wrong_period_is_refused(client, ledger_county):
    c = ledger_county
    add_data(c, 1)
    report = WorkReport.objects.get(unit=c.party, year=2026)
    client.force_login(c.clerk)
    response = client.post(
        reverse("ledgers_report", args=[report.pk]),
        {
            "action": "file",
            "kind": "month",
            "year": "2026",
            "period": "11",
            "content": "正文",
        },
    )
    assert response.status_code == 400
    assert "党委单位不报送月度报告" in response.content.decode()
    response = client.post(
        reverse("ledgers_report", args=[report.pk]),
        {
            "action": "file",
            "kind": report.kind,
            "year": "2026",
            "period": "0",
            "content": "正文",
        },
    )
    assert response.status_code == 400
    assert "尚未结束" in response.content.decode()
    assert not WorkReport.objects.filter(submitted_on__isnull=False).exists()


def test_only_a_public_assessment_has_a_public_page(client, ledger_county):
    c = ledger_county
    _, assessment = add_data(c, 1)
    url = reverse("ledgers_public_assessment", args=[assessment.pk])
    assert client.get(url).status_code == 404
    Assessment.objects.filter(pk=assessment.pk).update(
        state="final", scope="public", published_on=datetime.date(2026, 11, 20)
    )
    assert "考核结果" in client.get(url).content.decode()
