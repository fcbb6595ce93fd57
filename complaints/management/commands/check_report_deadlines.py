from django.core.management.base import BaseCommand
from django.utils import timezone

from complaints import handling
from complaints.models import Report


class Command(BaseCommand):
    help = (
        "每日运行（cron 或 systemd 定时器）：节假日安排录入后重算暂定的受理、移送期限，"
        "并列出各纪委逾期未受理的举报件数。"
    )

    def handle(self, *args, **options):
        changed = handling.refresh_deadlines()
        today = timezone.localdate()
        overdue = (
            Report.objects.filter(
                state__in=handling.AWAITING, acknowledge_due__lt=today
            )
            .values_list("handler__title", flat=True)
            .order_by("handler__title")
        )
        counts = {}
        for title in overdue:
            counts[title] = counts.get(title, 0) + 1
        self.stdout.write(f"重算期限：{changed} 件。")
        if not counts:
            self.stdout.write("没有逾期未受理的举报。")
        for title, count in counts.items():
            self.stdout.write(self.style.WARNING(f"{title}：逾期未受理 {count} 件"))
