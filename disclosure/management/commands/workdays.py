import datetime

from django.core.management.base import BaseCommand, CommandError

from disclosure import workdays


class Command(BaseCommand):
    help = "显示某日之后第 N 个工作日（次日起算）及计算过程。"

    def add_arguments(self, parser):
        parser.add_argument("start", help="起算日期，格式 YYYY-MM-DD")
        parser.add_argument("n", help="工作日数")

    def handle(self, *args, start, n, **options):
        try:
            start_date = datetime.date.fromisoformat(start)
        except ValueError as error:
            raise CommandError(
                f"起算日期“{start}”无效，应为 YYYY-MM-DD 格式。"
            ) from error
        try:
            count = int(n)
        except ValueError as error:
            raise CommandError(f"工作日数“{n}”无效，应为非负整数。") from error
        if not 0 <= count <= 3650:
            raise CommandError("工作日数应在 0 到 3650 之间。")
        deadline = workdays.due_date(start_date, count)
        self.stdout.write(deadline.due.isoformat())
        self.stdout.write(deadline.explanation)
