import io

from django.core.management import call_command

import pytest

from complaints import access, intake
from complaints.models import Report
from disclosure.models import UnitPage
from sunlight import crypto

from .conftest import PASSWORD, VALID_ID

pytestmark = pytest.mark.django_db
OLD, NEW = b"o" * 32, b"n" * 16


def real_name_report():
    return intake.file_report(
        intake.Submission(
            accused_person="某某",
            accused_post="",
            accused_unit=UnitPage.objects.get(code="T01-A-1"),
            content="举报内容",
            password=PASSWORD,
            anonymous=False,
            name="钟启明",
            id_number=VALID_ID,
            phone="13800138000",
        )
    ).report


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_rotate_keys_reencrypts_and_keeps_recovery_working(county, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    report = real_name_report()
    before = report.identity
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    settings.FIELD_ENCRYPTION_CIPHER = crypto.SM4_GCM
    # Between adding the key and rotating, recovery still finds the report.
    assert access.reports_of_identity("钟启明", VALID_ID, "13800138000") == [report]
    assert "需要重新加密的实名举报：1 件" in run("rotate_keys", "--dry-run")
    assert "已重新加密 1 件" in run("rotate_keys")
    report.refresh_from_db()
    assert report.identity != before and ".sm4-gcm." in report.identity
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key can now go
    assert report.read_identity()["name"] == "钟启明"
    assert access.reports_of_identity("钟启明", VALID_ID, "13800138000") == [report]
    assert "已重新加密 0 件" in run("rotate_keys")


def test_check_report_deadlines_lists_overdue(county):
    report = real_name_report()
    Report.objects.filter(pk=report.pk).update(
        acknowledge_due="2020-01-01", received_on="2019-12-01"
    )
    out = run("check_report_deadlines")
    assert "中共东河镇纪律检查委员会：逾期未受理 1 件" in out
