"""Admin forms for the power lists (a unit field limited to the editor's own units,
the upload form of the CMS import) and the text check of the public forms."""

from django import forms

from wagtail.admin.forms import WagtailAdminModelForm

#: Per file, as the issue asks; larger lists go through `manage.py import_lists`.
MAX_IMPORT_FILE_SIZE = 20 * 1024 * 1024
IMPORT_FILE_TYPES = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def refuse_control_characters(text, label):
    """Public text fields: line breaks and tabs are text, other control characters
    are refused with the field named (they cannot be shown, and PostgreSQL refuses
    NUL)."""
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        raise forms.ValidationError(
            f"{label}含有无法识别的控制字符，请删除后重新提交。"
        )
    return text


def unit_choice_label(unit):
    return f"{unit.code} {unit.title}"


class UnitScopedAdminForm(WagtailAdminModelForm):
    """The `unit` field offers only the units the editor may write to (a plain
    select in tree order: the page chooser would browse the whole site)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("unit")
        if field is None or self.for_user is None:
            return
        from .permissions import editable_units

        field.widget = forms.Select()
        field.queryset = editable_units(self.for_user).order_by("path")
        field.label_from_instance = unit_choice_label
        if self.instance.pk is None and not self.is_bound:
            only = list(field.queryset[:2])
            if len(only) == 1:
                self.initial.setdefault("unit", only[0].pk)


class ImportForm(forms.Form):
    """The three lists of the import contract; at least one file is needed."""

    units = forms.FileField(
        label="单位清单",
        required=False,
        help_text="表头：单位编码,单位名称,上级单位编码,层级,单位类型（仅系统管理员）。",
    )
    powers = forms.FileField(
        label="权力事项清单",
        required=False,
        help_text=(
            "表头：单位编码,事项编码,事项名称,权力类型,行使依据,行使条件,承办机构,"
            "办理时限,责任事项,责任主体,追责情形,是否公开,不公开理由,涉密。"
        ),
    )
    steps = forms.FileField(
        label="流程清单",
        required=False,
        help_text=(
            "表头：单位编码,事项编码,步骤序号,环节名称,办理岗位,办理时限,风险点,"
            "风险等级,防控措施。"
        ),
    )
    approved = forms.BooleanField(
        label="作为已审定目录直接发布",
        required=False,
        help_text=(
            "仅用于已在线下完成提出、会审、审定的清单：导入即发布，记为本人审定并报备。"
            "不勾选时，事项作为草稿进入本单位公开目录的审批流程。"
        ),
    )

    FILE_FIELDS = ("units", "powers", "steps")

    def __init__(self, *args, allow_units=False, allow_approval=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_units:
            del self.fields["units"]
        if not allow_approval:
            del self.fields["approved"]
        for name in self.FILE_FIELDS:
            if name in self.fields:
                self.fields[name].widget.attrs["accept"] = IMPORT_FILE_TYPES

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in self.FILE_FIELDS):
            raise forms.ValidationError("请至少选择一个要导入的文件。")
        return data

    def clean_units(self):
        return self._checked_size("units")

    def clean_powers(self):
        return self._checked_size("powers")

    def clean_steps(self):
        return self._checked_size("steps")

    def _checked_size(self, name):
        upload = self.cleaned_data.get(name)
        if upload and upload.size > MAX_IMPORT_FILE_SIZE:
            raise forms.ValidationError(
                f"文件“{upload.name}”超过 20 MB，请拆分后分批导入，"
                "或由系统管理员使用 import_lists 命令导入。"
            )
        return upload

    def uploads(self):
        """{kind: (file name, bytes)} for the files given."""
        return {
            name: (upload.name, upload.read())
            for name in self.FILE_FIELDS
            if (upload := self.cleaned_data.get(name))
        }


def _attachment_problems(formset, label="附件"):
    """Personal data found in the text of attached documents (DESIGN rule 2)."""
    from .documents import UnreadableDocument, check_document

    problems = []
    for form in getattr(formset, "forms", []):
        data = getattr(form, "cleaned_data", None) or {}
        document = data.get("document")
        if document is None or data.get("DELETE") or data.get("public") is False:
            continue
        try:
            with document.file.open("rb") as handle:
                check = check_document(handle.read())
        except UnreadableDocument as error:
            problems.append(f"{label}“{document.title}”无法读取：{error}")
            continue
        except OSError:
            problems.append(f"{label}“{document.title}”的文件已丢失，请重新上传。")
            continue
        if check.findings:
            problems.append(check.message(f"{label}“{document.title}”"))
    return problems


#: The member fields the meeting rules read, with their blank values.
MEMBER_FIELDS = {
    "name": "",
    "present": False,
    "speaking_order": None,
    "vote": "",
    "reason": "",
    "written_opinion": "",
    "is_head": False,
    "is_reporter": False,
}


def _member_personal_data(form):
    from . import pii

    data = getattr(form, "cleaned_data", None) or {}
    name = data.get("name", "")
    return [
        f"{name}：" + pii.describe(label, findings)
        for field, label in (("reason", "理由"), ("written_opinion", "书面意见"))
        if (findings := pii.find_personal_data(data.get(field, "") or ""))
    ]


class ResultAdminForm(UnitScopedAdminForm):
    """A result's unit and item come from the editor's own units; attachments are
    read for personal data before the record is saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("item")
        if field is None or self.for_user is None:
            return
        from .models import PowerItem

        field.widget = forms.Select()
        field.queryset = (
            PowerItem.objects.filter(
                unit__in=self.fields["unit"].queryset, live=True, disclosed=True
            )
            .select_related("unit")
            .only("code", "name", "unit__code")
            .order_by("unit__path", "code")
        )
        field.label_from_instance = lambda item: (
            f"{item.unit.code} · {item.name}（{item.code}）"
        )

    def clean(self):
        data = super().clean()
        for problem in _attachment_problems(self.formsets.get("attachments")):
            self.add_error(None, problem)
        return data

    def save(self, commit=True):
        if self.instance.pk is None and self.for_user is not None:
            self.instance.entered_by = self.for_user
        return super().save(commit=commit)


class DecisionAdminForm(UnitScopedAdminForm):
    """Checks the meeting against the 三重一大 rules (quorum, the head speaks last,
    absent members do not vote) before the record can be saved."""

    def clean(self):
        from . import voting
        from .models import DecisionMember

        data = super().clean()
        members = self.formsets.get("members")
        if members is not None and all(form.is_valid() for form in members.forms):
            present = [
                DecisionMember(
                    **{
                        name: form.cleaned_data.get(name, default)
                        for name, default in MEMBER_FIELDS.items()
                    }
                ).as_voting()
                for form in members.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
            for problem in voting.problems(present):
                self.add_error(None, problem)
            for form in members.forms:
                for problem in _member_personal_data(form):
                    self.add_error(None, problem)
        for problem in _attachment_problems(self.formsets.get("attachments")):
            self.add_error(None, problem)
        return data
