"""The CMS upload of the import contract (DESIGN: Import, "also offered as an upload
with preview in the CMS").

Step 1 (预览) runs the real import inside a transaction that is always rolled back,
so the clerk sees exactly what would happen — counts, refused 涉密 rows, or every
problem with its line and column — and nothing changes. The files wait in a private
folder, named by a random token kept in the clerk's session, for step 2 (确认导入),
which runs the import for real and deletes them. Imports by anyone but a 主要领导
(or a superuser) land as drafts in the catalog workflow.
"""

import hmac
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sunlight.menus import MenuItemFor

from .forms import ImportForm
from .importing import (
    ImportFailed,
    NotApprover,
    Problem,
    Problems,
    Summary,
    import_lists,
)
from .importing.fields import normalise_code
from .importing.powers import POWER_COLUMNS, STEP_COLUMNS
from .importing.reader import read_table
from .models import UnitGroup, UnitPage
from .permissions import EDITOR_ROLES, direct_units, unit_scope

IMPORT_URL_NAME = "disclosure_import"
CONFIRM_URL_NAME = "disclosure_import_confirm"
SESSION_KEY = "disclosure_import"
STASH_FOLDER = "import-uploads"
#: How long a preview may wait for its confirmation.
STASH_MAX_AGE = 60 * 60
#: Problems shown on one page; the rest are counted.
PROBLEMS_SHOWN = 500
FILE_COLUMNS = {"powers": POWER_COLUMNS, "steps": STEP_COLUMNS}


def can_import(user):
    """录入员, 分管领导 and 主要领导 of any unit, and superusers."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or bool(direct_units(user, EDITOR_ROLES))


def can_approve(user):
    """Who may import an already-approved catalog: 主要领导 (审定) and superusers.
    The importer still checks 审定 rights on every unit in the files."""
    return user.is_superuser or bool(direct_units(user, [UnitGroup.Role.HEAD]))


# Running an import -------------------------------------------------------------


@dataclass
class Outcome:
    summary: Summary | None = None
    problems: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    error: str = ""

    @property
    def ok(self):
        return self.summary is not None

    @property
    def shown_problems(self):
        return self.problems[:PROBLEMS_SHOWN]

    @property
    def hidden_problems(self):
        return max(len(self.problems) - PROBLEMS_SHOWN, 0)


class _Rollback(Exception):
    """Raised with the summary to undo a preview's writes."""

    def __init__(self, summary):
        super().__init__()
        self.summary = summary


def run_import(files, user, *, approved, dry_run):
    """Check scope, then import `files` ({kind: (name, bytes)}); with `dry_run` the
    whole import is rolled back after it has computed its summary."""
    problems = out_of_scope_rows(files, user)
    if problems:
        return Outcome(problems=problems)
    sources = {
        kind: ContentFile(data, name=name) for kind, (name, data) in files.items()
    }
    approver = user if approved else None
    try:
        if dry_run:
            summary = _rolled_back(sources, approver)
        else:
            summary = import_lists(**sources, user=approver)
    except ImportFailed as failed:
        return Outcome(problems=list(failed.problems), refused=failed.refused)
    except NotApprover as error:
        return Outcome(error=f"{error}未导入任何数据。")
    return Outcome(summary=summary, refused=summary.refused)


def _rolled_back(sources, approver):
    try:
        with transaction.atomic():
            raise _Rollback(import_lists(**sources, user=approver))
    except _Rollback as rollback:
        return rollback.summary


def out_of_scope_rows(files, user):
    """Rows naming an existing unit the user does not work for: refused up front,
    whatever else the files hold (unknown units are left to the importer)."""
    if user.is_superuser:
        return []
    allowed = set(
        UnitPage.objects.filter(pk__in=unit_scope(user, EDITOR_ROLES)).values_list(
            "code", flat=True
        )
    )
    known = set(UnitPage.objects.values_list("code", flat=True))
    problems = []
    for kind, columns in FILE_COLUMNS.items():
        if kind not in files:
            continue
        name, data = files[kind]
        table = read_table(ContentFile(data, name=name), columns, Problems())
        for row in table.rows if table else ():
            code = normalise_code(row["单位编码"])
            if code in known and code not in allowed:
                problems.append(
                    Problem(
                        table.name,
                        row.line,
                        "单位编码",
                        f"单位“{code}”不在您的管理范围内：只能导入本单位及下级单位的清单。",
                    )
                )
    return problems


# Keeping the files between preview and confirmation ----------------------------


def _stash_root():
    return Path(settings.PRIVATE_STORAGE_ROOT) / STASH_FOLDER


def stash(request, files, approved):
    """Keep the uploaded files for the confirmation; one pending import per session."""
    discard(request)
    _sweep()
    token = secrets.token_hex(16)
    folder = _stash_root() / token
    folder.mkdir(parents=True, mode=0o700)
    for kind, (_, data) in files.items():
        (folder / kind).write_bytes(data)
    request.session[SESSION_KEY] = {
        "token": token,
        "names": {kind: name for kind, (name, _) in files.items()},
        "approved": approved,
        "created": time.time(),
    }
    return token


def unstash(request, token):
    """The files kept under `token`, or None when the preview is gone or expired."""
    pending = request.session.get(SESSION_KEY)
    if not pending or not hmac.compare_digest(
        str(token).encode(), pending["token"].encode()
    ):
        return None
    if time.time() - pending["created"] > STASH_MAX_AGE:
        discard(request)
        return None
    folder = _stash_root() / pending["token"]
    try:
        files = {
            kind: (name, (folder / kind).read_bytes())
            for kind, name in pending["names"].items()
        }
    except FileNotFoundError:
        discard(request)
        return None
    return files, pending["approved"]


def discard(request):
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        shutil.rmtree(_stash_root() / pending["token"], ignore_errors=True)


def _sweep():
    """Delete what abandoned previews left behind."""
    root = _stash_root()
    if not root.is_dir():
        return
    cutoff = time.time() - STASH_MAX_AGE
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


# Views -------------------------------------------------------------------------


class ImportAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ImportBaseView(ImportAccessMixin, WagtailAdminTemplateMixin, View):
    page_title = "批量导入权力清单"
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": "", "label": self.page_title, "sublabel": self.page_subtitle},
        ]

    def render(self, template, subtitle="", **context):
        self.page_subtitle = subtitle
        return TemplateResponse(
            self.request,
            f"disclosure/admin/{template}",
            self.get_context_data(**context),
        )


class ImportView(ImportBaseView):
    """Upload the files; the answer is the preview."""

    def make_form(self, *args):
        user = self.request.user
        return ImportForm(
            *args, allow_units=user.is_superuser, allow_approval=can_approve(user)
        )

    def get(self, request):
        return self.render("import_form.html", form=self.make_form())

    def post(self, request):
        form = self.make_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render("import_form.html", form=form)
        files = form.uploads()
        approved = bool(form.cleaned_data.get("approved"))
        outcome = run_import(files, request.user, approved=approved, dry_run=True)
        token = stash(request, files, approved) if outcome.ok else ""
        return self.render(
            "import_preview.html",
            outcome=outcome,
            token=token,
            approved=approved,
            file_names=[name for name, _ in files.values()],
            subtitle="预览（尚未导入）",
        )


class ConfirmImportView(ImportBaseView):
    """Run the previewed import for real."""

    http_method_names = ["post"]

    def post(self, request):
        kept = unstash(request, request.POST.get("token", ""))
        if kept is None:
            messages.error(request, "导入预览已过期或已经确认过，请重新上传文件。")
            return redirect(IMPORT_URL_NAME)
        files, approved = kept
        approved = approved and can_approve(request.user)
        outcome = run_import(files, request.user, approved=approved, dry_run=False)
        discard(request)
        template = "import_done.html" if outcome.ok else "import_preview.html"
        return self.render(
            template,
            outcome=outcome,
            token="",
            approved=approved,
            file_names=[name for name, _ in files.values()],
            subtitle="导入结果" if outcome.ok else "未导入",
        )


def import_menu_item():
    return MenuItemFor(
        "批量导入",
        reverse(IMPORT_URL_NAME),
        name="power-lists-import",
        icon_name="upload",
        order=900,
        shown_to=can_import,
    )
