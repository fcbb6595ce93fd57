"""manage.py backup / restore (issue 11 item 4): a round trip brings every page,
rating, report, audit entry and file back; the keys are never in the archive, and
identities decrypt only with them; broken archives are refused in Chinese."""

import base64
import gzip
import io
import json
import os
import tarfile
from pathlib import Path

from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from wagtail.documents.models import Document
from wagtail.models import ModelLogEntry, Page, PageLogEntry

import pytest

from complaints import handling, intake
from complaints.models import Report
from disclosure import ratings
from disclosure.models import Rating, UnitPage
from sunlight import crypto
from tests.complaints.conftest import PASSWORD, VALID_ID
from tests.factories import home_page, make_item, make_result, make_unit, staff

# Committed data: pg_dump runs in another process and sees only what is committed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ON_POSTGRESQL = connection.vendor == "postgresql"
NAME, PHONE = "钟启明", "13800138000"


@pytest.fixture
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return tmp_path


def backup(tmp_path):
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    assert "备份完成" in out.getvalue()
    (archive,) = (tmp_path / "backups").glob("sunlight-*.tar.gz")
    return archive


def restore(archive, *flags):
    out = io.StringIO()
    call_command("restore", str(archive), *flags, stdout=out, stderr=out)
    return out.getvalue()


def members(archive):
    with tarfile.open(archive, "r:gz") as tar:
        return {
            member.name: tar.extractfile(member).read()
            for member in tar.getmembers()
            if member.isfile()
        }


def forbidden_strings():
    """SECRET_KEY and the field keys in every spelling an operator might keep."""
    found = [django_settings.SECRET_KEY.encode()]
    for key in django_settings.FIELD_ENCRYPTION_KEYS:
        key = bytes(key)
        found += [key, base64.b64encode(key), base64.urlsafe_b64encode(key)]
        found += [base64.urlsafe_b64encode(key).rstrip(b"=")]
    return found


def wipe_database():
    """Drop every table, as a lost server would leave it (worse than a flush)."""
    tables = connection.introspection.table_names(include_views=False)
    with connection.cursor() as cursor:
        if ON_POSTGRESQL:
            cursor.execute(
                "DROP TABLE {} CASCADE".format(
                    ", ".join(connection.ops.quote_name(t) for t in tables)
                )
            )
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                if not table.startswith("sqlite_"):
                    cursor.execute(
                        f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}"
                    )
    assert connection.introspection.table_names() in ([], ["sqlite_sequence"])


def seed():
    """Pages, two ratings (one with a masked comment), a real-name report whose
    identity a 纪委 member viewed (audited), a document and a report attachment."""
    county = make_unit(code="B01", title="备份县人民政府", level="县")
    make_unit(county, code="B01-J", title="中共备份县纪律检查委员会", unit_type="纪委")
    office = make_unit(county, code="B01-1", title="备份县民政局", unit_type="部门")
    result = make_result(make_item(office, "B-1", name="临时救助审批"))
    ratings.submit(result, 5, "", "token-0001-abcdefghijkl")
    ratings.submit(
        result, 4, "经办人电话13912345678一直不接", "token-0002-abcdefghijkl"
    )
    report = intake.file_report(
        intake.Submission(
            accused_person="某某",
            accused_post="工作人员",
            accused_unit=office,
            content="举报内容：索要好处费。",
            password=PASSWORD,
            anonymous=False,
            name=NAME,
            id_number=VALID_ID,
            phone=PHONE,
        )
    ).report
    officer = staff(report.handler, "commission", username="backup-jiwei")
    assert handling.reveal_identity(report, officer)["name"] == NAME
    Document.objects.create(
        title="公开文件", file=ContentFile(b"%PDF-1.4 public", name="notice.pdf")
    )
    private = Path(django_settings.PRIVATE_STORAGE_ROOT) / "reports" / "2026"
    private.mkdir(parents=True)
    (private / "a1b2c3.bin").write_bytes(b"attachment bytes")
    return report


def snapshot():
    return {
        "pages": list(Page.objects.order_by("pk").values_list("pk", "title", "path")),
        "ratings": list(
            Rating.objects.order_by("pk").values_list(
                "pk", "level", "comment", "comment_original", "voter"
            )
        ),
        "reports": list(
            Report.objects.order_by("pk").values_list(
                "pk", "code", "identity", "identity_digest", "password_hash", "state"
            )
        ),
        "audit": list(
            ModelLogEntry.objects.order_by("pk").values_list(
                "pk", "action", "object_id", "user_id"
            )
        )
        + list(PageLogEntry.objects.order_by("pk").values_list("pk", "action", "page")),
        "files": {
            path.relative_to(root).as_posix(): path.read_bytes()
            for root in (
                Path(django_settings.MEDIA_ROOT),
                Path(django_settings.PRIVATE_STORAGE_ROOT),
            )
            for path in sorted(root.rglob("*"))
            if path.is_file()
        },
    }


def round_trip(settings, tmp_path):
    report = seed()
    before = snapshot()
    assert before["ratings"] and before["reports"] and before["files"]
    actions = {row[1] for row in before["audit"]}
    assert {"complaints.identity_viewed", "wagtail.publish"} <= actions

    archive = backup(tmp_path)
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    content = members(archive)
    manifest = json.loads(content["manifest.json"])
    assert manifest["migrations"] and manifest["created_at"]
    assert manifest["engine"] == connection.vendor
    for blob in content.values():
        for secret in forbidden_strings():
            assert secret not in blob
        # The identity is in the dump only as ciphertext.
        assert NAME.encode() not in blob and VALID_ID.encode() not in blob

    # Life goes on after the backup: a new unit, a new file, a rating removed...
    make_unit(home_page(), code="B99", title="备份后新增的单位")
    (Path(settings.MEDIA_ROOT) / "after.txt").write_text("备份之后")
    Rating.objects.filter(level=5).delete()
    # ...then the server is lost: every table and both folders gone.
    wipe_database()
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_STORAGE_ROOT):
        for path in sorted(Path(root).rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()

    output = restore(archive, "--yes")
    assert "恢复完成" in output
    assert snapshot() == before
    assert not UnitPage.objects.filter(code="B99").exists()

    restored = Report.objects.get(pk=report.pk)
    assert restored.read_identity() == {
        "name": NAME,
        "id_number": VALID_ID,
        "phone": PHONE,
    }
    masked = Rating.objects.exclude(comment_original="").get()
    assert "13912345678" in masked.original_comment
    # Another key (the backup alone, without the operator's key) opens nothing.
    settings.FIELD_ENCRYPTION_KEYS = [os.urandom(32)]
    with pytest.raises(crypto.DecryptionError):
        restored.read_identity()
    with pytest.raises(crypto.DecryptionError):
        _ = masked.original_comment


@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="往返测试需要 PostgreSQL：DATABASE_URL 不是 postgres://（CI 的第二轮用 PostgreSQL 运行）",
)
def test_round_trip_on_postgresql(settings, folders):
    round_trip(settings, folders)


@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite 的往返测试只在 SQLite 轮次运行")
def test_round_trip_on_sqlite(settings, folders):
    round_trip(settings, folders)


def test_restore_warns_when_the_backup_key_is_not_configured(settings, folders):
    archive = backup(folders)
    settings.FIELD_ENCRYPTION_KEYS = [os.urandom(32)]
    out = io.StringIO()
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive), stdout=out, stderr=out)
    assert "校验通过" in out.getvalue()
    assert "不在当前 FIELD_ENCRYPTION_KEYS 中" in out.getvalue()


def test_a_key_in_the_folders_or_the_data_stops_the_backup(settings, folders):
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True)
    (media / "sunlight.env").write_text(f"SECRET_KEY={settings.SECRET_KEY}\n")
    with pytest.raises(CommandError, match="media/sunlight.env 中含有 SECRET_KEY"):
        backup(folders)
    (media / "sunlight.env").unlink()
    key = base64.urlsafe_b64encode(bytes(settings.FIELD_ENCRYPTION_KEYS[0])).decode()
    make_unit(code="K01", title=f"误存的密钥 {key}")
    with pytest.raises(CommandError, match="database.* 中含有 SECRET_KEY"):
        backup(folders)
    assert not list((folders / "backups").iterdir())  # nothing half-written left


def test_restore_asks_for_yes_and_changes_nothing_without_it(folders):
    archive = backup(folders)
    make_unit(code="Y01", title="不应被删除")
    with pytest.raises(CommandError, match="加 --yes"):
        restore(archive)
    assert UnitPage.objects.filter(code="Y01").exists()


def rewrite(archive, target, change):
    """A copy of `archive` with its members passed through `change(dict)`."""
    content = members(archive)
    change(content)
    with tarfile.open(target, "w:gz") as tar:
        for name, blob in content.items():
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return target


def edit_manifest(**fields):
    def change(content):
        manifest = json.loads(content["manifest.json"])
        manifest.update(fields)
        content["manifest.json"] = json.dumps(manifest).encode()

    return change


def test_broken_archives_are_refused_and_nothing_is_touched(folders):
    archive = backup(folders)
    make_unit(code="Z01", title="恢复失败时应保留")
    database = "database.dump" if ON_POSTGRESQL else "database.sqlite3"
    blob = archive.read_bytes()
    garbage = folders / "garbage.tar.gz"
    garbage.write_bytes(b"not a backup at all")
    truncated = folders / "truncated.tar.gz"
    truncated.write_bytes(blob[: len(blob) // 2])
    plain_gzip = folders / "plain.tar.gz"
    plain_gzip.write_bytes(gzip.compress(b"hello"))

    def flip(content):
        data = bytearray(content[database])
        data[len(data) // 2] ^= 0xFF
        content[database] = bytes(data)

    cases = {
        folders / "missing.tar.gz": "找不到备份文件",
        garbage: "已损坏或不是阳光权力的备份",
        truncated: "已损坏或不是阳光权力的备份",
        plain_gzip: "已损坏或不是阳光权力的备份",
        rewrite(archive, folders / "tampered.tar.gz", flip): "校验和不符",
        rewrite(
            archive,
            folders / "escape.tar.gz",
            lambda content: content.update({"../escape.txt": b"x"}),
        ): "不允许的条目",
        rewrite(
            archive,
            folders / "extra.tar.gz",
            lambda content: content.update({"media/extra.txt": b"x"}),
        ): "清单以外的文件",
        rewrite(
            archive,
            folders / "no-manifest.tar.gz",
            lambda content: content.pop("manifest.json"),
        ): "缺少清单",
        rewrite(
            archive, folders / "format.tar.gz", edit_manifest(format="other/1")
        ): "不认识的备份格式",
        rewrite(
            archive,
            folders / "newer.tar.gz",
            edit_manifest(migrations=["disclosure.9999_from_the_future"]),
        ): "更新的程序版本",
        rewrite(
            archive,
            folders / "engine.tar.gz",
            edit_manifest(engine="sqlite" if ON_POSTGRESQL else "postgresql"),
        ): "不能直接恢复",
    }
    for path, message in cases.items():
        with pytest.raises(CommandError, match=message):
            restore(path, "--yes")
    assert UnitPage.objects.filter(code="Z01").exists()
