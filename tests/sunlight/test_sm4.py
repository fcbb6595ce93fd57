"""国密 field encryption (密码应用安全性评估): FIELD_ENCRYPTION_CIPHER=sm4-gcm
encrypts a real-name reporter's identity with SM4-GCM and finds it again by an
HMAC-SM3 digest; `rotate_keys` moves everything encrypted with AES — identities
and the originals of masked 评议 comments — to SM4, so the old key can go.

tests/sunlight/test_crypto.py has the cipher itself (both algorithms, nonces,
binding, tampering); tests/complaints/test_commands.py a rotation of key and
cipher together."""

import io

from django.core.management import call_command

import pytest

from complaints import access, handling, intake
from complaints.models import IDENTITY_CONTEXT, Report, identity_key
from disclosure import ratings
from disclosure.models import Rating, UnitPage
from sunlight import crypto
from tests.factories import make_item, make_result, staff

pytestmark = pytest.mark.django_db

OLD, NEW = b"o" * 32, b"n" * 32
NAME, ID_NUMBER, PHONE = "钟启明", "11010519491231002X", "13800138000"


def real_name_report():
    return intake.file_report(
        intake.Submission(
            accused_person="某某",
            accused_post="",
            accused_unit=UnitPage.objects.get(code="T01-A-1"),
            content="举报内容",
            password="Chaxun-2026-pass",
            anonymous=False,
            name=NAME,
            id_number=ID_NUMBER,
            phone=PHONE,
        )
    ).report


def masked_rating():
    office = UnitPage.objects.get(code="T01-A-1")
    result = make_result(make_item(office, "SM4-1"))
    return ratings.submit(result, 2, f"经办人电话 {PHONE} 打不通", "sm4-browser-1")


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_sm4_round_trips_a_real_name_identity(county, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    settings.FIELD_ENCRYPTION_CIPHER = crypto.SM4_GCM
    report = real_name_report()
    stored = Report.objects.values("identity", "identity_digest").get(pk=report.pk)
    assert stored["identity"].startswith("f1.sm4-gcm.")
    assert NAME not in stored["identity"] and ID_NUMBER not in stored["identity"]
    # The lookup digest is HMAC-SM3 under the SM4 configuration.
    assert stored["identity_digest"] == crypto._mac(
        crypto.keys()[0], "sm3", identity_key(NAME, ID_NUMBER, PHONE)
    )
    jiwei = staff(UnitPage.objects.get(code="T01-A-J"), "commission")
    identity = handling.reveal_identity(Report.objects.get(pk=report.pk), jiwei)
    assert identity == {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}
    assert access.reports_of_identity(NAME, ID_NUMBER, PHONE) == [report]
    # The same token under AES's name does not open: the algorithm is bound.
    forged = stored["identity"].replace(".sm4-gcm.", ".aes-gcm.", 1)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(forged, IDENTITY_CONTEXT)


def test_rotate_keys_moves_aes_tokens_to_sm4(county, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    settings.FIELD_ENCRYPTION_CIPHER = crypto.AES_GCM
    report, rating = real_name_report(), masked_rating()
    assert ".aes-gcm." in report.identity and ".aes-gcm." in rating.comment_original

    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    settings.FIELD_ENCRYPTION_CIPHER = crypto.SM4_GCM
    dry = run("rotate_keys", "--dry-run")
    assert "需要重新加密的实名举报：1 件" in dry
    assert "需要重新加密的评议意见原文：1 条" in dry
    assert "已重新加密 1 件实名举报的身份信息、1 条评议意见原文" in run("rotate_keys")

    report.refresh_from_db()
    rating = Rating.objects.get(pk=rating.pk)
    assert report.identity.startswith("f1.sm4-gcm.")
    assert rating.comment_original.startswith("f1.sm4-gcm.")
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old AES key is gone
    assert report.read_identity()["name"] == NAME
    assert PHONE in rating.original_comment
    assert access.reports_of_identity(NAME, ID_NUMBER, PHONE) == [report]
    assert "已重新加密 0 件实名举报的身份信息、0 条" in run("rotate_keys")


def test_the_commission_reads_a_rotated_original_in_the_admin(client, county, settings):
    """Before rotate_keys covered ratings, dropping the old key made this page fail."""
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    settings.FIELD_ENCRYPTION_CIPHER = crypto.AES_GCM
    rating = masked_rating()
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    settings.FIELD_ENCRYPTION_CIPHER = crypto.SM4_GCM
    run("rotate_keys")
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    client.force_login(staff(UnitPage.objects.get(code="T01-A-J"), "commission"))
    response = client.get(f"/admin/results/ratings/edit/{rating.pk}/")
    assert response.status_code == 200
    assert PHONE in response.content.decode()
