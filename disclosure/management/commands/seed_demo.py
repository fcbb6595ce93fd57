import logging
import unicodedata
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from complaints import demo as report_demo
from disclosure import demo, demo_lists
from ledgers import demo as ledger_demo
from supervision import demo as supervision_demo

NOISY_LOGGERS = ("wagtail", "django_tasks")


class Command(BaseCommand):
    help = (
        "载入演示数据（青山县）：单位、各角色演示账号、网站信息、权力清单、负面清单和"
        "各审批状态的公开目录；可重复运行，只补齐缺少的部分。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="在生产配置（DEBUG=0）下也载入演示数据（仅用于压力测试的临时库）",
        )

    def handle(self, *args, verbosity=1, allow_production=False, **options):
        if is_production() and not allow_production:
            raise CommandError(
                "生产配置（DEBUG=0）下不载入演示数据：演示账号使用公开的演示口令。"
                "演示请用 make run（DEBUG=1）；确需在临时库中载入，加 --allow-production。"
            )
        with quiet_page_logs(verbosity):
            summary = demo.load_demo()
            reports = report_demo.load_demo()
            supervision = supervision_demo.load_demo()
            ledgers = ledger_demo.load_demo()
        if verbosity == 0:
            return
        self.stdout.write(self._summary_line(summary))
        if summary.items or summary.negatives:
            self.stdout.write(self._lists_line(summary))
        if summary.results and summary.results.results:
            found = summary.results
            self.stdout.write(
                f"一事一公开结果 {found.results} 条（未公开 {found.open_results} 条），"
                f"公示异议 {found.objections} 条，三重一大决策 {found.decisions} 条。"
            )
        if summary.ratings:
            self.stdout.write(
                f"一事一评议 {summary.ratings} 条（含待审核、已公开、不予公开的意见和"
                "已回复、待回复、逾期的不满意跟进）。"
            )
        self.stdout.write("")
        self.stdout.write("演示账号（密码相同；已修改过的密码不会被重置）：")
        rows = [
            (login.username, login.name, login.unit, login.role, demo.DEMO_PASSWORD)
            for login in summary.logins
        ]
        for line in table(("用户名", "姓名", "单位", "角色", "密码"), rows):
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write("公开目录审批演示（用下列账号登录后台处理）：")
        rows = [
            (demo.unit, demo.state, "、".join(demo.usernames) or "—")
            for demo in summary.catalog_demos
        ]
        for line in table(("单位", "公开目录状态", "下一步办理账号"), rows):
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(
            f"举报演示（{len(reports.created)} 件新建；查询密码均为 {demo.DEMO_PASSWORD}）："
            + "、".join(s.code for s in report_demo.SCENARIOS)
        )
        if ledgers.created:
            self.stdout.write(
                f"两个责任台账：责任清单 {ledgers.lists} 份，问题 {ledgers.problems} 个，"
                f"签字背书 {ledgers.signoffs} 次，量化考核 {ledgers.assessments} 项。"
            )
        self.stdout.write(supervision.line())
        admin_url = settings.WAGTAILADMIN_BASE_URL + reverse("wagtailadmin_home")
        self.stdout.write(f"管理后台：{admin_url}")

    def _summary_line(self, summary):
        if not summary.changed:
            return "演示数据已齐全，未作改动。"
        parts = [
            f"新建单位 {len(summary.units)} 个",
            f"新建账号 {len(summary.users)} 个",
        ]
        if summary.settings:
            parts.append(f"填写网站信息 {len(summary.settings)} 项")
        if summary.home:
            parts.append("设置首页标题和简介")
        return self.style.SUCCESS("演示数据：" + "，".join(parts) + "。")

    def _lists_line(self, summary):
        published = summary.items - summary.drafts
        states = [
            f"{state} {summary.catalogs[state]}"
            for state in (demo_lists.APPROVED, *demo_lists.STATES)
            if summary.catalogs[state]
        ]
        line = (
            f"权力事项：新建 {summary.items}（已发布 {published}，待审批 {summary.drafts}）；"
            f"负面清单：新建 {summary.negatives} 条"
        )
        if states:
            line += "；公开目录：" + "、".join(states)
        return self.style.SUCCESS(line + "。")


@contextmanager
def quiet_page_logs(verbosity):
    """Hide the per-page INFO lines (created, published, indexed) so the logins
    table stays readable under `make run`; `-v 2` shows them."""
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    levels = [logger.level for logger in loggers]
    if verbosity < 2:
        for logger in loggers:
            logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def table(header, rows):
    """Plain-text columns that line up in a terminal, where a Chinese character
    takes two cells."""
    widths = [
        max(_width(str(cell)) for cell in column)
        for column in zip(header, *rows, strict=True)
    ]
    lines = [_line(header, widths), "  ".join("-" * width for width in widths)]
    lines += [_line(row, widths) for row in rows]
    return lines


def _line(cells, widths):
    padded = [
        str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths, strict=True)
    ]
    return "  ".join(padded).rstrip()


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def is_production():
    """The production settings are in use (DEBUG=0 outside the tests)."""
    return settings.SETTINGS_MODULE == "sunlight.settings.production"
