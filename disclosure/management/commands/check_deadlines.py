import datetime

from django.core.management.base import BaseCommand, CommandError

from disclosure.reminders import check_deadlines


class Command(BaseCommand):
    help = (
        "检查一事一公开结果的公开期限和公示异议的答复期限：即将到期和逾期的提醒录入员、"
        "单位主要领导，逾期的同时提醒监督纪委。每天运行一次（cron 或 systemd 定时器）；"
        "重复运行不会重复提醒。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="按指定日期检查（YYYY-MM-DD，默认今天），用于补跑。",
        )

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(
                    f"日期格式不正确：{date}（应为 YYYY-MM-DD）"
                ) from None
        summary = check_deadlines(today)
        self.stdout.write(
            f"逾期未公开 {summary.overdue} 条，即将到期 {summary.due_soon} 条；"
            f"待答复异议 {summary.objections_open} 条（即将到期或逾期）。"
        )
        for label, count in summary.other.items():
            self.stdout.write(f"{label} {count} 条（即将到期或逾期）。")
        self.stdout.write(
            f"本次新提醒 {summary.notices} 条，发送邮件 {summary.emails} 封"
            + ("。" if summary.notices else "（此前均已提醒过）。")
        )
        for failure in summary.failed:
            self.stderr.write(f"邮件未发出，下次运行时重试：{failure}")
        if summary.failed:
            raise CommandError(f"{len(summary.failed)} 封提醒邮件未能发出。")
