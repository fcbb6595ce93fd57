"""One-file backups of everything Sunlight stores, and restoring them.

An archive (``sunlight-YYYYMMDD-HHMMSS.tar.gz``, mode 0600) holds:

- ``manifest.json``: when, which database engine, the applied Django migrations, the
  fingerprints of the field-encryption keys in use, and a SHA-256 and size for every
  other member;
- ``database.dump`` (PostgreSQL, ``pg_dump -Fc``, uncompressed inside so the secret
  scan below sees the data; the tar is gzipped) or ``database.sqlite3`` (SQLite's
  online backup API);
- ``media/…``: MEDIA_ROOT (images, documents); ``private/…``: PRIVATE_STORAGE_ROOT
  (report attachments, never served).

What is never inside: SECRET_KEY and FIELD_ENCRYPTION_KEYS live in the environment,
not in the database or the upload folders; every member is scanned for them while it
is hashed, and a backup that would contain one is abandoned. Reporters' identities
stay ciphertext in the dump, readable only with the keys kept elsewhere.

Restoring checks the archive first (known members only, no paths leaving the
folder, every checksum, the engine, no migrations this code does not know), then
replaces the database in one transaction (PostgreSQL: every table dropped and the
dump loaded by ``pg_restore | psql --single-transaction``; SQLite: the backup API
copies the saved file over the live one) and swaps in the two folders.
"""

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "sunlight-backup/1"
MANIFEST = "manifest.json"
PG_DUMP_NAME = "database.dump"
SQLITE_NAME = "database.sqlite3"
FOLDERS = {"media": "MEDIA_ROOT", "private": "PRIVATE_STORAGE_ROOT"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Why a backup or restore cannot go on; the message is for the operator."""


@dataclass
class Verified:
    """An archive that passed every check, unpacked in `workdir`."""

    path: Path
    workdir: Path
    manifest: dict

    @property
    def unknown_migrations(self):
        return sorted(set(self.manifest["migrations"]) - _known_migrations())

    @property
    def pending_migrations(self):
        return sorted(_known_migrations() - set(self.manifest["migrations"]))

    def count(self, folder):
        return sum(
            1 for name in self.manifest["files"] if name.startswith(folder + "/")
        )


# Helpers --------------------------------------------------------------------------


def _connection():
    return connections["default"]


def engine():
    vendor = _connection().vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"不支持备份 {vendor} 数据库，只支持 PostgreSQL 和 SQLite。")
    return vendor


def _applied_migrations():
    recorder = MigrationRecorder(_connection())
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _known_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def _key_ids():
    from sunlight import crypto

    try:
        return [key.id for key in crypto.keys()]
    except Exception:  # noqa: BLE001 - no keys configured is not a backup error
        return []


def secret_patterns():
    """Byte strings that must never appear in a backup: SECRET_KEY and each field
    key, raw and in the base64 spellings an environment file would hold."""
    patterns = set()
    secret = getattr(settings, "SECRET_KEY", "") or ""
    if len(secret) >= 8:
        patterns.add(secret.encode())
    for raw in getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or []:
        raw = bytes(raw)
        patterns.add(raw)
        for encode in (base64.urlsafe_b64encode, base64.b64encode):
            text = encode(raw)
            patterns.update({text, text.rstrip(b"=")})
    return sorted(patterns, key=len)


class _Scanner:
    """SHA-256 of a stream and whether any secret pattern occurs in it."""

    def __init__(self, patterns):
        self.patterns = patterns
        self.keep = max((len(p) for p in patterns), default=1) - 1
        self.digest = hashlib.sha256()
        self.size = 0
        self.tail = b""
        self.found = False

    def update(self, chunk):
        self.digest.update(chunk)
        self.size += len(chunk)
        if self.patterns and not self.found:
            window = self.tail + chunk
            self.found = any(pattern in window for pattern in self.patterns)
            self.tail = window[-self.keep :] if self.keep else b""


def _scan(path, patterns):
    scanner = _Scanner(patterns)
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            scanner.update(chunk)
    return scanner


def _sha256(path):
    return _scan(path, []).digest.hexdigest()


def _pg_environment():
    """libpq variables for the default database: no password on a command line."""
    conf = _connection().settings_dict
    env = os.environ.copy()
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if conf.get(key):
            env[variable] = str(conf[key])
    options = conf.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _tool(name):
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"找不到 {name}：请安装与数据库版本相同的 PostgreSQL 客户端"
            "（Debian：apt-get install postgresql-client）。"
        )
    return found


def _folder_files(root):
    """(relative POSIX name, path) of every regular file under `root`; symlinks are
    not followed (nothing outside the folder ends up in the backup)."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            if path.is_symlink() or not path.is_file():
                continue
            found.append((path.relative_to(root).as_posix(), path))
    return found


# Backup ---------------------------------------------------------------------------


def _dump_database(workdir):
    kind = engine()
    if kind == "postgresql":
        target = workdir / PG_DUMP_NAME
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [
                _tool("pg_dump"),
                "--format=custom",
                "--compress=0",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
            ],
            env=_pg_environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
        return target
    target = workdir / SQLITE_NAME
    connection = _connection()
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
    return target


def default_directory():
    return Path(settings.BASE_DIR) / "var" / "backups"


def create_backup(output=None):
    """Write a backup archive; its path. `output` is a folder or a file name."""
    now = timezone.localtime()
    name = f"sunlight-{now:%Y%m%d-%H%M%S}.tar.gz"
    output = Path(output) if output else default_directory()
    if output.suffixes[-2:] != [".tar", ".gz"]:
        output = output / name
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.exists():
        raise BackupError(f"{output} 已存在，不会覆盖。")
    patterns = secret_patterns()
    with tempfile.TemporaryDirectory(prefix="sunlight-backup-") as tmp:
        workdir = Path(tmp)
        database = _dump_database(workdir)
        members = [(database.name, database)]
        for folder, setting in FOLDERS.items():
            root = getattr(settings, setting, None)
            members += [
                (f"{folder}/{relative}", path)
                for relative, path in _folder_files(root or "")
            ]
        files = {}
        for arcname, path in members:
            scanned = _scan(path, patterns)
            if scanned.found:
                raise BackupError(
                    f"{arcname} 中含有 SECRET_KEY 或 FIELD_ENCRYPTION_KEYS 的密钥，"
                    "备份已中止，未生成文件：请把密钥移出数据库和上传目录。"
                )
            files[arcname] = {
                "sha256": scanned.digest.hexdigest(),
                "size": scanned.size,
            }
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "engine": engine(),
            "database": database.name,
            "django": django.get_version(),
            "migrations": _applied_migrations(),
            "encryption_key_ids": _key_ids(),
            "files": files,
        }
        manifest_path = workdir / MANIFEST
        manifest_path.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        partial = output.with_name(f".{output.name}.partial")
        try:
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with (
                os.fdopen(descriptor, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w:gz") as archive,
            ):
                archive.add(manifest_path, arcname=MANIFEST, recursive=False)
                for arcname, path in members:
                    archive.add(path, arcname=arcname, recursive=False)
            # Files changed while being archived would not match their checksums.
            _check_sizes(partial, files)
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    return output, manifest


def _check_sizes(archive_path, files):
    with tarfile.open(archive_path, "r:gz") as archive:
        sizes = {m.name: m.size for m in archive.getmembers() if m.isfile()}
    changed = [name for name, meta in files.items() if sizes.get(name) != meta["size"]]
    if changed:
        raise BackupError(
            f"备份过程中有文件被修改（{', '.join(changed[:3])}），请重新运行备份。"
        )


# Restore --------------------------------------------------------------------------


def _allowed(name):
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return False
    return name in (MANIFEST, PG_DUMP_NAME, SQLITE_NAME) or (
        path.parts[0] in FOLDERS and len(path.parts) > 1
    )


def verify(path, workdir):
    """Unpack the archive at `path` into `workdir` and check it all; a Verified."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"找不到备份文件：{path}")
    workdir = Path(workdir)
    try:
        with tarfile.open(path, "r:*") as archive:
            members = archive.getmembers()
            for member in members:
                if not _allowed(member.name) or not (member.isfile() or member.isdir()):
                    raise BackupError(
                        f"备份文件含有不允许的条目 {member.name!r}，拒绝恢复。"
                    )
            archive.extractall(workdir, filter="data")
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as error:
        raise BackupError(
            f"备份文件已损坏或不是阳光权力的备份：{path}（{type(error).__name__}）"
        ) from error
    manifest = _read_manifest(workdir)
    listed = set(manifest["files"])
    present = {
        p.relative_to(workdir).as_posix() for p in workdir.rglob("*") if p.is_file()
    }
    present.discard(MANIFEST)
    if present - listed:
        raise BackupError(
            f"备份文件含有清单以外的文件（{sorted(present - listed)[0]}），拒绝恢复。"
        )
    for name, meta in sorted(manifest["files"].items()):
        member = workdir / name
        if not member.is_file():
            raise BackupError(f"备份文件不完整：缺少 {name}。")
        if _sha256(member) != meta.get("sha256") or member.stat().st_size != meta.get(
            "size"
        ):
            raise BackupError(f"备份文件校验失败：{name} 的校验和不符，文件已损坏。")
    if manifest["database"] not in listed:
        raise BackupError("备份文件不完整：清单中没有数据库。")
    verified = Verified(path=path, workdir=workdir, manifest=manifest)
    current = engine()
    if manifest["engine"] != current:
        raise BackupError(
            f"这份备份来自 {manifest['engine']} 数据库，当前配置的是 {current}，"
            "不能直接恢复。"
        )
    if verified.unknown_migrations:
        raise BackupError(
            "这份备份来自更新的程序版本（含本程序没有的数据库迁移 "
            f"{', '.join(verified.unknown_migrations[:3])}）：请先部署相应版本再恢复。"
        )
    return verified


def _read_manifest(workdir):
    try:
        manifest = json.loads((workdir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError("备份文件缺少清单 manifest.json 或清单已损坏。") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("不认识的备份格式：这不是阳光权力 backup 命令生成的文件。")
    files = manifest.get("files")
    if (
        not isinstance(files, dict)
        or not isinstance(manifest.get("migrations"), list)
        or manifest.get("database") not in (PG_DUMP_NAME, SQLITE_NAME)
        or not all(
            isinstance(meta, dict) and _allowed(name) for name, meta in files.items()
        )
    ):
        raise BackupError("备份清单内容不完整或格式不对，拒绝恢复。")
    return manifest


DROP_EVERYTHING = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT matviewname AS name FROM pg_matviews WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP MATERIALIZED VIEW IF EXISTS %I CASCADE', r.name);
  END LOOP;
  FOR r IN SELECT viewname AS name FROM pg_views WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP VIEW IF EXISTS %I CASCADE', r.name);
  END LOOP;
  FOR r IN SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.name);
  END LOOP;
  FOR r IN SELECT sequence_name AS name FROM information_schema.sequences
           WHERE sequence_schema = current_schema() LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', r.name);
  END LOOP;
  -- Functions and types the migrations created (not those of an extension).
  FOR r IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = current_schema() AND NOT EXISTS (
             SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', r.signature);
  END LOOP;
  FOR r IN SELECT t.typname AS name FROM pg_type t
           JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd')
             AND NOT EXISTS (
               SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e') LOOP
    EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.name);
  END LOOP;
END $$;
"""


def _restore_postgresql(dump):
    env = _pg_environment()
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    connections.close_all()
    with tempfile.TemporaryFile() as errors:
        loader = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [
                psql,
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                "--file=-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=env,
        )
        reader = subprocess.Popen(  # noqa: S603
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dump)],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        try:
            loader.stdin.write(DROP_EVERYTHING.encode())
            while chunk := reader.stdout.read(CHUNK):
                loader.stdin.write(chunk)
        except BrokenPipeError:
            pass
        finally:
            reader.stdout.close()
            try:
                loader.stdin.close()
            except BrokenPipeError:
                pass
        read_status, load_status = reader.wait(), loader.wait()
        errors.seek(0)
        detail = errors.read().decode("utf-8", "replace").strip()
    if read_status or load_status:
        raise BackupError(
            f"数据库恢复失败，已整体回滚，现有数据未改动：{detail[-2000:]}"
        )


def _restore_sqlite(copy):
    connection = _connection()
    connection.close()
    connection.ensure_connection()
    with closing(sqlite3.connect(copy)) as source:
        source.backup(connection.connection)
    connection.close()


def _replace_folder(source, target):
    """Make `target` hold exactly what `source` holds (empty when it is absent)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}-restore-", dir=target.parent)
    )
    try:
        fresh = staging / "new"
        if source.is_dir():
            shutil.copytree(source, fresh)
        else:
            fresh.mkdir()
        if target.exists():
            try:
                target.rename(staging / "old")
            except OSError:
                # A mount point cannot be renamed: empty it and copy in instead.
                for child in target.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
                shutil.copytree(fresh, target, dirs_exist_ok=True)
                return
        fresh.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def restore(verified):
    """Replace the database and both folders with the verified archive's."""
    database = verified.workdir / verified.manifest["database"]
    if verified.manifest["engine"] == "postgresql":
        _restore_postgresql(database)
    else:
        _restore_sqlite(database)
    for folder, setting in FOLDERS.items():
        root = getattr(settings, setting, None)
        if root:
            _replace_folder(verified.workdir / folder, root)
    for cache in caches.all():
        cache.clear()
    connections.close_all()


def key_warning(manifest):
    """A warning when none of the keys the backup was made with is configured."""
    made_with = set(manifest.get("encryption_key_ids") or [])
    if made_with and not made_with & set(_key_ids()):
        return (
            "注意：备份时使用的加密密钥（指纹 "
            f"{', '.join(sorted(made_with))}）不在当前 FIELD_ENCRYPTION_KEYS 中，"
            "实名举报人身份等加密字段将无法解密。"
        )
    return ""
