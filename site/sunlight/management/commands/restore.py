"""manage.py restore FILE --yes: replace the database and the upload folders with a
backup made by `manage.py backup` (see sunlight.backups)."""

import tempfile

from django.core.management.base import BaseCommand, CommandError

from sunlight import backups


class Command(BaseCommand):
    help = (
        "从 backup 命令生成的备份恢复：先校验清单和校验和，再清空并替换当前数据库、"
        "上传文件和举报附件。须加 --yes 确认。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（.tar.gz）")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="确认清空当前数据库和上传文件并用备份替换",
        )

    def handle(self, *args, file, yes=False, **options):
        try:
            with tempfile.TemporaryDirectory(prefix="sunlight-restore-") as workdir:
                verified = backups.verify(file, workdir)
                manifest = verified.manifest
                summary = (
                    f"备份时间 {manifest['created_at']}，数据库 {manifest['engine']}，"
                    f"上传文件 {verified.count('media')} 个，"
                    f"举报附件 {verified.count('private')} 个"
                )
                self.stdout.write(f"备份文件校验通过：{summary}。")
                if warning := backups.key_warning(manifest):
                    self.stderr.write(warning)
                if not yes:
                    raise CommandError(
                        "恢复会清空当前数据库、上传文件和举报附件，并用备份内容替换。"
                        "请先停止网站服务，确认无误后加 --yes 重新运行（make restore 则加 YES=1）。"
                    )
                backups.restore(verified)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"恢复完成：{summary}。缓存已清空。")
        if verified.pending_migrations:
            self.stdout.write(
                f"备份之后程序新增了 {len(verified.pending_migrations)} 个数据库迁移："
                "请运行 manage.py migrate，再启动网站服务。"
            )
