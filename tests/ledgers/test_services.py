"""Ledger operations on the database: locking, sign-offs, rectification, reports,
permissions, reminders, assessments and the demo."""

import datetime
import io
from decimal import Decimal

from django.core.management import call_command

import pytest
import time_machine

from disclosure.models import DeadlineNotice, UnitPage
from disclosure.pii import id_check_char
from ledgers import access, assessing, demo, rectification, services
from ledgers.models import (
    Assessment,
    Evidence,
    Problem,
    ProblemEvent,
    ResponsibilityList,
    SignOff,
    SignOffIsFinal,
    WorkReport,
)
from tests.factories import make_item, make_result

from .conftest import docx_with, png

pytestmark = pytest.mark.django_db
ID_NUMBER = "11010119900307123" + id_check_char("11010119900307123")
Subject = SignOff.Subject
ITEM = {
    "category": "first",
    "content": "重要工作亲自部署",
    "owner": "王书记",
    "owner_post": "党委书记",
    "due_on": datetime.date(2026, 12, 31),
}


def signed_list(c):
    ledger = services.create_list(
        c.clerk, c.party, 2026, ResponsibilityList.Kind.PRINCIPAL, "王书记"
    )
    services.save_item(c.clerk, ledger.pk, ITEM)
    services.sign(
        c.head,
        Subject.RESPONSIBILITY,
        unit=c.party,
        year=2026,
        target=ledger,
        opinion="同意",
    )
    return ledger


def test_a_signed_list_cannot_be_edited_until_revised(ledger_county):
    c = ledger_county
    ledger = signed_list(c)
    with pytest.raises(services.LedgerError, match="已于.*签字背书，不能直接修改"):
        services.save_item(c.clerk, ledger.pk, {**ITEM, "content": "改过的内容"})
    with pytest.raises(services.LedgerError, match="不能直接修改"):
        services.update_list(c.clerk, ledger.pk, "别人", "")
    assert ledger.items.get().content == ITEM["content"]

    services.reopen_list(c.clerk, ledger.pk)
    services.save_item(c.clerk, ledger.pk, {**ITEM, "content": "新增：廉政党课"})
    ledger.refresh_from_db()
    assert ledger.version == 2
    latest = SignOff.objects.get()
    state = services.list_sign_state(ledger, ledger.items.all(), latest)
    assert state.label == "签字后已有变更，需重新签字"

    second = services.sign(
        c.head,
        Subject.RESPONSIBILITY,
        unit=c.party,
        year=2026,
        target=ledger,
        opinion="修订后同意",
    )
    assert second.version == 2
    assert second.content_hash != latest.content_hash
    assert len(second.snapshot["items"]) == 2
    assert SignOff.objects.count() == 2


def test_progress_is_recorded_on_a_signed_list_without_breaking_the_signature(
    ledger_county,
):
    c = ledger_county
    ledger = signed_list(c)
    item = ledger.items.get()
    services.record_progress(
        c.clerk, item.pk, datetime.date(2026, 3, 1), "已部署", [png()]
    )
    latest = SignOff.objects.get()
    assert services.list_sign_state(ledger, ledger.items.all(), latest).is_signed
    assert Evidence.objects.get().item == item


def test_sign_offs_are_immutable_and_need_the_head(ledger_county):
    c = ledger_county
    ledger = services.create_list(
        c.clerk, c.party, 2026, ResponsibilityList.Kind.PRINCIPAL, "王书记"
    )
    services.save_item(c.clerk, ledger.pk, ITEM)
    with pytest.raises(services.LedgerError, match="主要负责人"):
        services.sign(
            c.clerk,
            Subject.RESPONSIBILITY,
            unit=c.party,
            year=2026,
            target=ledger,
            opinion="同意",
        )
    signoff = services.sign(
        c.head,
        Subject.RESPONSIBILITY,
        unit=c.party,
        year=2026,
        target=ledger,
        opinion="同意",
    )
    assert signoff.signer_name and signoff.signed_by == c.head
    with pytest.raises(services.signing.SigningError, match="无需重复签字"):
        services.sign(
            c.head,
            Subject.RESPONSIBILITY,
            unit=c.party,
            year=2026,
            target=ledger,
            opinion="再签",
        )
    signoff.opinion = "篡改"
    with pytest.raises(SignOffIsFinal):
        signoff.save()
    with pytest.raises(SignOffIsFinal):
        signoff.delete()
    assert SignOff.objects.get().opinion == "同意"


def test_list_kind_must_fit_the_unit(ledger_county):
    c = ledger_county
    with pytest.raises(services.LedgerError, match="只能为纪委"):
        services.create_list(c.clerk, c.party, 2026, "supervisory", "王书记")
    services.create_list(c.clerk, c.party, 2026, "principal", "王书记")
    with pytest.raises(services.LedgerError, match="已经建立"):
        services.create_list(c.clerk, c.party, 2026, "principal", "王书记")


def record(c, user=None, found_on=datetime.date(2026, 1, 5)):
    return services.record_problem(
        user or c.county_jiwei,
        c.party,
        {
            "source": "patrol",
            "description": "低保公示未上传",
            "requirement": "补齐",
            "found_on": found_on,
        },
    )


@time_machine.travel(datetime.datetime(2026, 3, 10, 10, 0), tick=False)
def test_the_rectification_flow(ledger_county):
    c = ledger_county
    problem = record(c)
    plan = {"plan": "补齐公示", "owner": "张副镇长", "working_days": 10}
    problem = services.act(c.head, problem.pk, "plan", plan)
    assert problem.due == datetime.date(2026, 3, 24)
    assert problem.state == rectification.PLANNED

    with pytest.raises(rectification.RectificationError, match="至少一份整改佐证材料"):
        services.act(c.head, problem.pk, "submit", {"note": "已完成"})
    problem.refresh_from_db()
    assert problem.state == rectification.PLANNED and not problem.submitted_on

    with pytest.raises(services.EvidenceError, match="身份证号"):
        services.act(
            c.head,
            problem.pk,
            "submit",
            {"note": "已完成"},
            [docx_with(f"户主 {ID_NUMBER} 已核实")],
        )
    assert not Evidence.objects.exists()

    services.act(c.head, problem.pk, "submit", {"note": "已完成"}, [png()])
    with pytest.raises(rectification.RectificationError, match="上级"):
        services.act(c.head, problem.pk, "accept", {"note": ""})
    services.act(c.county_jiwei, problem.pk, "return", {"note": "材料不全"})
    services.act(c.clerk, problem.pk, "submit", {"note": "已补充"})
    problem = services.act(c.county_jiwei, problem.pk, "accept", {"note": "同意销号"})
    assert problem.state == rectification.ACCEPTED
    assert problem.accepted_on == datetime.date(2026, 3, 10)
    assert list(ProblemEvent.objects.values_list("action", flat=True)) == [
        "recorded",
        "plan",
        "submit",
        "return",
        "submit",
        "accept",
    ]
    evidence = Evidence.objects.get()
    assert evidence.name == "整改照片.png"
    assert "private" in evidence.file.path


def test_only_the_level_above_records_problems(ledger_county):
    c = ledger_county
    with pytest.raises(services.LedgerError, match="只有上级"):
        record(c, c.head)
    with pytest.raises(services.LedgerError, match="只有上级"):
        record(c, c.other_head)
    record(c, c.town_jiwei)
    assert Problem.objects.count() == 1


def test_who_sees_what(ledger_county):
    c = ledger_county
    party = c.party.pk
    assert access.side_of(c.head, party) == rectification.UNIT
    assert access.side_of(c.county_jiwei, party) == rectification.ABOVE
    assert access.side_of(c.other_head, party) is None
    assert not access.can_view(c.other_head, party)
    assert access.can_view(c.town_jiwei, party)
    # A 纪委 keeps its own ledgers and is supervised from the county.
    assert access.side_of(c.town_jiwei, c.commission.pk) == rectification.UNIT
    assert access.side_of(c.county_jiwei, c.commission.pk) == rectification.ABOVE
    assert access.can_sign(c.head, party) and not access.can_sign(c.clerk, party)


@time_machine.travel(datetime.datetime(2026, 5, 6, 10, 0), tick=False)
def test_reports_for_the_wrong_period_change_nothing(ledger_county):
    c = ledger_county
    services.ensure_reports(2026, [c.party, c.commission])
    before = list(WorkReport.objects.values_list("pk", "submitted_on", "content"))
    for kind, period, message in (
        ("month", 4, "党委单位不报送月度报告"),
        ("annual_principal", 0, "尚未结束"),
        ("annual_principal", 3, "没有这个报告期"),
    ):
        with pytest.raises(services.cadence.PeriodError, match=message):
            services.file_report(c.clerk, c.party, kind, 2026, period, "", "正文")
    assert (
        list(WorkReport.objects.values_list("pk", "submitted_on", "content")) == before
    )
    report = services.file_report(
        c.town_jiwei, c.commission, "month", 2026, 4, "", "4月无问题"
    )
    assert report.submitted_on == datetime.date(2026, 5, 6)
    assert not report.late and report.due == datetime.date(2026, 5, 11)


def test_ensure_reports_is_idempotent(ledger_county):
    """Only units keeping a list that year owe reports; rerunning adds nothing."""
    c = ledger_county
    assert not services.reporting_units(2026).exists()
    services.create_list(c.clerk, c.party, 2026, "principal", "王书记")
    assert list(services.reporting_units(2026)) == [c.party]
    assert services.ensure_reports(2026, [c.party, c.commission]) == 20
    services.ensure_reports(2026, [c.party, c.commission])
    assert WorkReport.objects.count() == 20


@time_machine.travel(datetime.datetime(2026, 2, 3, 9, 0), tick=False)
def test_check_deadlines_reminds_of_reports_and_rectifications_once(ledger_county):
    c = ledger_county
    services.create_list(c.town_jiwei, c.commission, 2025, "supervisory", "刘书记")
    problem = record(c)
    services.act(
        c.head, problem.pk, "plan", {"plan": "补齐", "owner": "张", "working_days": 1}
    )
    Problem.objects.filter(pk=problem.pk).update(due=datetime.date(2026, 2, 1))
    out = io.StringIO()
    call_command("check_deadlines", stdout=out)
    text = out.getvalue()
    assert "未报送的责任报告" in text and "未完成的问题整改 1 条" in text
    kinds = set(
        DeadlineNotice.objects.values_list("kind", "stage", "recipient__username")
    )
    assert ("rectify", "overdue", "town_head") in kinds
    assert ("rectify", "overdue", "town_jiwei") in kinds
    assert ("work_report", "overdue", "county_jiwei") in {
        (k, s, u) for k, s, u in kinds if k == "work_report"
    }
    count = DeadlineNotice.objects.count()
    call_command("check_deadlines", stdout=io.StringIO())
    assert DeadlineNotice.objects.count() == count


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0), tick=False)
def test_assessment_weights_computed_indicators_and_ranking(ledger_county):
    c = ledger_county
    assessment = assessing.create(
        c.county_jiwei, c.county_commission, 2026, "2026年度考核", [c.township, c.other]
    )
    rows = [
        assessing.IndicatorRow("逾期公开", 50, "overdue_disclosures", Decimal(10)),
        assessing.IndicatorRow("主体责任", 45),
    ]
    with pytest.raises(assessing.scoring.ScoringError, match="当前合计为 95"):
        assessing.save_indicators(c.county_jiwei, assessment.pk, rows)
    assert not assessment.indicators.exists()
    rows[1].weight = 50
    assessing.save_indicators(c.county_jiwei, assessment.pk, rows)
    assessing.confirm(c.county_jiwei, assessment.pk)
    with pytest.raises(services.LedgerError, match="不能办理"):
        assessing.save_indicators(c.county_jiwei, assessment.pk, rows)

    office = UnitPage.objects.get(code="T01-A-1")
    item = make_item(office, "X1")
    late = make_result(
        item,
        publish=False,
        act_date=datetime.date(2026, 5, 29),
        result_date=datetime.date(2026, 6, 1),
    )
    assert late.disclosure_due < datetime.date(2026, 11, 20)
    assessing.compute_scores(c.county_jiwei, assessment.pk)
    entered = assessment.indicators.get(name="主体责任")
    with pytest.raises(services.LedgerError, match="未填写或未计算"):
        assessing.finalize(c.county_jiwei, assessment.pk)
    assessing.enter_scores(
        c.county_jiwei,
        assessment.pk,
        {
            (entered.pk, c.township.pk): (Decimal(90), ""),
            (entered.pk, c.other.pk): (Decimal(80), ""),
        },
    )
    table = assessing.results(assessment)
    by_unit = {row.unit.pk: row for row in table.rows}
    assert by_unit[c.township.pk].scores[0].raw == "1 次"
    assert by_unit[c.township.pk].total == Decimal("90.00")  # 50×0.9 + 50×0.9
    assert by_unit[c.other.pk].total == Decimal("90.00")  # 50×1 + 50×0.8
    assert {row.rank for row in table.rows} == {1}
    assessing.finalize(c.county_jiwei, assessment.pk)
    assert not assessing.can_read(c.head, Assessment.objects.get())
    assessing.publish(c.county_jiwei, assessment.pk, "units")
    assert assessing.can_read(c.head, Assessment.objects.get())


def test_assessed_units_must_be_supervised(ledger_county):
    c = ledger_county
    with pytest.raises(services.LedgerError, match="考核机关"):
        assessing.create(c.head, c.county_commission, 2026, "考核", [c.township])
    with pytest.raises(services.LedgerError, match="不在您的监督范围内"):
        assessing.create(c.town_jiwei, c.commission, 2026, "考核", [c.other])


def test_demo_loads_once(db):
    call_command("seed_demo", verbosity=0)
    counts = (
        Problem.objects.count(),
        SignOff.objects.count(),
        WorkReport.objects.count(),
    )
    states = set(Problem.objects.values_list("state", flat=True))
    assert states == set(rectification.STATE_LABELS)
    assert counts[0] >= 7 and counts[1] >= 4
    assert demo.load_demo().created is False
    assert (
        Problem.objects.count(),
        SignOff.objects.count(),
        WorkReport.objects.count(),
    ) == counts
