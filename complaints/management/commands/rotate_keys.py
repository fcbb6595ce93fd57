from django.core.management.base import BaseCommand
from django.db import transaction

from complaints.models import Report
from disclosure.models import Rating
from disclosure.models.ratings import COMMENT_CONTEXT
from sunlight import crypto


class Command(BaseCommand):
    help = (
        "用 FIELD_ENCRYPTION_KEYS 的第一个密钥和当前算法（FIELD_ENCRYPTION_CIPHER）"
        "重新加密实名举报人身份（并重算身份查找摘要）和评议意见原文。先把新密钥加在"
        "最前面、保留旧密钥运行本命令，完成后才能移除旧密钥。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="只统计需要轮换的记录，不修改"
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        reports = Report.objects.exclude(identity="").only("pk", "identity")
        stale = [r.pk for r in reports.iterator() if crypto.needs_rotation(r.identity)]
        comments = Rating.objects.exclude(comment_original="").only(
            "pk", "comment_original"
        )
        stale_comments = [
            r.pk
            for r in comments.iterator()
            if crypto.needs_rotation(r.comment_original)
        ]
        if dry_run:
            self.stdout.write(f"需要重新加密的实名举报：{len(stale)} 件。")
            self.stdout.write(f"需要重新加密的评议意见原文：{len(stale_comments)} 条。")
            return
        done = 0
        for pk in stale:
            with transaction.atomic():
                report = Report.objects.select_for_update().get(pk=pk)
                identity = report.read_identity()
                report.set_identity(
                    identity["name"], identity["id_number"], identity["phone"]
                )
                report.save(update_fields=["identity", "identity_digest"])
            done += 1
        for pk in stale_comments:
            with transaction.atomic():
                rating = Rating.objects.select_for_update().get(pk=pk)
                rating.comment_original = crypto.encrypt(
                    rating.original_comment, COMMENT_CONTEXT
                )
                rating.save(update_fields=["comment_original"])
        self.stdout.write(
            self.style.SUCCESS(
                f"已重新加密 {done} 件实名举报的身份信息、{len(stale_comments)} 条"
                f"评议意见原文（当前算法 {crypto.current_cipher()}）。"
            )
        )
