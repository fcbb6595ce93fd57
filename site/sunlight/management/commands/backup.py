"""manage.py backup: the database, MEDIA_ROOT and the report attachments in one file
(see sunlight.backups); never the keys."""

from django.core.management.base import BaseCommand, CommandError

from sunlight import backups


class Command(BaseCommand):
    help = (
        "备份数据库、上传文件和举报附件到一个 .tar.gz 文件（含清单和校验和）；"
        "SECRET_KEY 和 FIELD_ENCRYPTION_KEYS 不会写入备份，须另行保管。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="备份保存到的目录或 .tar.gz 文件名（默认 var/backups/）",
        )

    def handle(self, *args, output=None, **options):
        try:
            path, manifest = backups.create_backup(output)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        private = sum(1 for name in manifest["files"] if name.startswith("private/"))
        self.stdout.write(
            f"备份完成：{path}（{size / 1024 / 1024:.1f} MB；数据库 {manifest['engine']}，"
            f"{len(manifest['migrations'])} 个迁移；上传文件 {media} 个，举报附件 {private} 个）。"
        )
        self.stdout.write(
            "备份中没有 SECRET_KEY 和 FIELD_ENCRYPTION_KEYS：请把它们另行妥善保管，"
            "恢复后要用同一组加密密钥才能读出实名举报人身份。"
        )
