import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tqdm import tqdm

from disclosure.importing import ImportFailed, NotApprover, import_lists

#: Rows from which a progress bar is worth drawing.
PROGRESS_FROM = 100


class Command(BaseCommand):
    help = "导入单位清单、权力事项清单和流程清单，文件为 UTF-8 CSV 或 XLSX。"

    def add_arguments(self, parser):
        parser.add_argument("--units", metavar="文件", help="单位清单")
        parser.add_argument("--powers", metavar="文件", help="权力事项清单")
        parser.add_argument("--steps", metavar="文件", help="流程清单")
        parser.add_argument(
            "--approved-by", metavar="用户名", help="审定人：导入记在此用户名下"
        )

    def handle(self, *args, units, powers, steps, approved_by, **options):
        if not (units or powers or steps):
            raise CommandError("请至少指定一个文件：--units、--powers 或 --steps。")
        user = self.approver(approved_by) if approved_by else None
        try:
            summary = import_lists(
                units=units,
                powers=powers,
                steps=steps,
                user=user,
                progress=self.progress,
            )
        except ImportFailed as failed:
            for line in failed.problems.lines():
                self.stderr.write(line)
            for refused in failed.refused:
                self.stderr.write(f"{refused}（涉密，不予录入）")
            raise CommandError(str(failed)) from None
        except NotApprover as error:
            raise CommandError(f"{error}未导入任何数据。") from None
        for line in summary.lines():
            self.stdout.write(line)

    def approver(self, username):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"用户“{username}”不存在，未导入任何数据。") from None
        if not user.is_active:
            raise CommandError(f"用户“{username}”已停用，未导入任何数据。")
        return user

    def progress(self, rows):
        return tqdm(
            rows,
            desc="写入",
            unit="行",
            file=sys.stderr,
            disable=len(rows) < PROGRESS_FROM,
        )
