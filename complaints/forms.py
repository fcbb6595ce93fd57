"""The public forms: file a report, look one up, add to it, recover a lost 查询码.

Labels are the interface contract's. Every refusal says in Chinese what to change;
nothing is stored until the whole form is valid (DESIGN rule 8 and issue 8's list of
bad input). The 实名 fields are always in the page, so the form works without
JavaScript; they are required only when 实名举报 is chosen, and dropped unread when
匿名举报 is.
"""

import re

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from disclosure.models import UnitPage
from disclosure.pii import is_valid_id_number
from sunlight import pagecache
from sunlight.captcha import CaptchaField

from . import access
from .attachments import Refused, clean

ANONYMOUS, REAL_NAME = "anonymous", "real"
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript\s*:|on[a-z]+\s*=", re.I)
SQL = re.compile(
    r"\bunion\s+(?:all\s+)?select\b|;\s*(?:drop|delete|truncate|alter|insert|update)"
    r"\s+\w+|'\s*(?:or|and)\s+'?\w+'?\s*=\s*'?\w+|\bselect\b.+\bfrom\b.+\bwhere\b"
    r"|'\s*;\s*--|\bexec(?:ute)?\s+xp_|\bsleep\s*\(\s*\d+\s*\)",
    re.I | re.S,
)
NAME = re.compile(
    r"[\u4e00-\u9fa5A-Za-z][\u4e00-\u9fa5A-Za-z·• ]{0,28}[\u4e00-\u9fa5A-Za-z]"
)
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")


def plain_text(value, label):
    """Refuse markup and injection-looking text: a report is words, not code."""
    if MARKUP.search(value):
        raise forms.ValidationError(
            f"{label}不能包含网页代码（HTML 标签或脚本），请直接用文字描述。"
        )
    if SQL.search(value):
        raise forms.ValidationError(
            f"{label}含有类似数据库指令的内容，无法受理，请直接用文字描述。"
        )
    return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Any number of files up to the limits; cleaned into metadata-free files."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = (
            [f for f in (data or []) if f]
            if isinstance(data, list | tuple)
            else ([data] if data else [])
        )
        limit = settings.REPORT_ATTACHMENT_MAX_COUNT
        if len(uploads) > limit:
            raise forms.ValidationError(f"附件最多{limit}个。")
        each = settings.REPORT_ATTACHMENT_MAX_BYTES
        total = settings.REPORT_ATTACHMENTS_TOTAL_BYTES
        if sum(upload.size for upload in uploads) > total:
            raise forms.ValidationError(
                f"附件合计不能超过{total // (1024 * 1024)} MB，请压缩或分次补充。"
            )
        cleaned = []
        for position, upload in enumerate(uploads, start=1):
            label = f"第{position}个附件"
            if upload.size > each:
                raise forms.ValidationError(
                    f"{label}超过{each // (1024 * 1024)} MB，请压缩后上传。"
                )
            if upload.size == 0:
                raise forms.ValidationError(f"{label}是空文件。")
            try:
                cleaned.append(clean(upload.read(), label))
            except Refused as error:
                raise forms.ValidationError(str(error)) from error
        return cleaned


def attachment_help():
    mb = 1024 * 1024
    return (
        f"可选。图片（JPG、PNG、WEBP）、PDF、DOCX、XLSX，最多"
        f"{settings.REPORT_ATTACHMENT_MAX_COUNT}个，每个不超过"
        f"{settings.REPORT_ATTACHMENT_MAX_BYTES // mb} MB、合计不超过"
        f"{settings.REPORT_ATTACHMENTS_TOTAL_BYTES // mb} MB。"
        "系统会去除照片位置、文档作者等信息。"
    )


def unit_choices():
    return UnitPage.objects.live().order_by("path").only("pk", "title", "code")


class UnitSelect(forms.Select):
    """The 被举报单位 picker: a county's ~1,000 units, grouped under the township or
    department they belong to (village names repeat across townships). Rendered
    in Python from one query (Django's per-option template cost ~0.2 ms an option)
    and, with the page cache on, kept between publications."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        field = self.choices.field
        if value in (None, ""):
            # The same for everyone until a unit is published, moved or renamed.
            options = pagecache.fragment(
                "report-unit-options", lambda: _options(field, None)
            )
        else:
            options = _options(field, value)  # a form sent back with its errors
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


def _options(field, value):
    groups = [(None, [_option("", field.empty_label or "", value)])]
    top = None
    for pk, title, depth in field.queryset.values_list("pk", "title", "depth"):
        top = depth if top is None else top
        if depth == top + 1:
            groups.append((title, []))
        elif depth == top and groups[-1][0] is not None:
            groups.append((None, []))
        groups[-1][1].append(_option(pk, title, value))
    return format_html_join("", "{}", ((_group(*group),) for group in groups))


def _group(label, options):
    inner = format_html_join("", "{}", ((option,) for option in options))
    if label is None:
        return inner
    return format_html('<optgroup label="{}">{}</optgroup>', label, inner)


def _option(pk, title, selected):
    chosen = selected not in (None, "") and str(pk) == str(selected)
    return format_html(
        '<option value="{}"{}>{}</option>', pk, " selected" if chosen else "", title
    )


class UnitChoiceField(forms.ModelChoiceField):
    widget = UnitSelect

    def label_from_instance(self, obj):
        return obj.title


class PasswordPair(forms.Form):
    password = forms.CharField(
        label="查询密码",
        min_length=8,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={
            "required": "请设置查询密码。",
            "min_length": "查询密码至少8位。",
            "max_length": "查询密码不能超过128位。",
        },
    )
    password_confirm = forms.CharField(
        label="确认查询密码",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "请再次输入查询密码。"},
    )

    def clean_password_confirm(self):
        confirm = self.cleaned_data["password_confirm"]
        if confirm != self.cleaned_data.get("password", confirm):
            raise forms.ValidationError("两次输入的查询密码不一致。")
        return confirm


class IdentityFields(forms.Form):
    name = forms.CharField(label="姓名", max_length=30, required=False)
    id_number = forms.CharField(
        label="身份证号", max_length=18, required=False, help_text="18位居民身份证号码"
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        help_text="手机号或带区号的座机号，仅用于核实情况",
    )

    def clean_identity(self, required=True):
        data = self.cleaned_data
        name = "".join((data.get("name") or "").split())
        id_number = (data.get("id_number") or "").strip().upper()
        phone = "".join((data.get("phone") or "").split())
        if not name:
            self.add_error("name", "实名举报须填写姓名。")
        elif not NAME.fullmatch(name):
            self.add_error("name", "姓名只能包含汉字或字母（2至30个字）。")
        if not id_number:
            self.add_error("id_number", "实名举报须填写身份证号。")
        elif not is_valid_id_number(id_number):
            self.add_error(
                "id_number", "身份证号不正确（校验位或出生日期有误），请核对18位号码。"
            )
        if not phone:
            self.add_error("phone", "实名举报须填写联系电话。")
        elif not re.fullmatch(r"[\d-]+", phone):
            self.add_error("phone", "联系电话只能包含数字（座机可用“-”分隔区号）。")
        elif not PHONE.fullmatch(phone):
            self.add_error(
                "phone", "联系电话格式不正确：请填写11位手机号或带区号的座机号。"
            )
        data.update(name=name, id_number=id_number, phone=phone)


class ReportFields(IdentityFields):
    """What every report holds, however it arrived: the accused, the content and
    attachments, and the reporter's identity when it is 实名 (the online form and
    the staff registration of 来信/来电/来访 share these rules). Subclasses say
    whether the report is `anonymous`."""

    accused_person = forms.CharField(
        label="被举报人",
        max_length=100,
        help_text="姓名或称呼，如“张某某”",
        error_messages={
            "required": "请填写被举报人（姓名或称呼，如“张某某”）。",
            "max_length": "被举报人不能超过100字。",
        },
    )
    accused_post = forms.CharField(
        label="被举报人职务",
        max_length=100,
        required=False,
        help_text="如“镇长”“村委会主任”“社会事务办工作人员”；"
        "举报单位主要负责人的，由上一级纪委办理",
        error_messages={"max_length": "被举报人职务不能超过100字。"},
    )
    accused_unit = UnitChoiceField(
        label="被举报单位",
        queryset=UnitPage.objects.none(),
        empty_label="请选择单位",
        error_messages={
            "required": "请选择被举报单位。",
            "invalid_choice": "所选被举报单位不存在，请从列表中选择。",
        },
    )
    content = forms.CharField(
        label="举报内容",
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "举报内容不能为空，请写明问题的具体情况。"},
    )
    attachments = AttachmentsField(label="附件")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accused_unit"].queryset = unit_choices()
        limit = settings.REPORT_CONTENT_MAX_CHARS
        content = self.fields["content"]
        content.max_length = limit
        content.widget.attrs["maxlength"] = limit
        content.validators.append(forms.CharField(max_length=limit).validators[0])
        content.error_messages["max_length"] = (
            f"举报内容不能超过{limit}字，超出部分可作为附件上传。"
        )
        content.help_text = (
            f"请写明问题发生的时间、地点和经过，不超过{limit}字；更多材料可作为附件上传"
        )
        self.fields["attachments"].help_text = attachment_help()

    def clean_accused_person(self):
        return plain_text(self.cleaned_data["accused_person"], "被举报人")

    def clean_accused_post(self):
        return plain_text(self.cleaned_data["accused_post"], "被举报人职务")

    def clean_content(self):
        return plain_text(self.cleaned_data["content"], "举报内容")

    def clean(self):
        data = super().clean()
        if self.anonymous:
            data.update(name="", id_number="", phone="")
        else:
            self.clean_identity()
        return data


class ReportForm(ReportFields, PasswordPair):
    """举报 online: fields in the contract's order; see the module docstring."""

    mode = forms.ChoiceField(
        label="举报方式",
        choices=[(ANONYMOUS, "匿名举报"), (REAL_NAME, "实名举报")],
        widget=forms.RadioSelect,
        initial=ANONYMOUS,
        error_messages={"required": "请选择实名举报或匿名举报。"},
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    captcha = CaptchaField(help_text="请输入图中的5位数字")

    field_order = [
        "mode",
        "accused_person",
        "accused_post",
        "accused_unit",
        "content",
        "attachments",
        "name",
        "id_number",
        "phone",
        "password",
        "password_confirm",
        "captcha",
        "token",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", access.new_form_token())

    @property
    def anonymous(self):
        return self.cleaned_data.get("mode") != REAL_NAME


class StatusForm(forms.Form):
    code = forms.CharField(
        label="查询码",
        max_length=40,
        help_text="16位数字，可带空格",
        error_messages={"required": "请输入16位查询码。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    password = forms.CharField(
        label="查询密码",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "请输入查询密码。"},
    )

    def clean_code(self):
        code = access.normalise_code(self.cleaned_data["code"])
        if len(code) != access.CODE_DIGITS:
            raise forms.ValidationError("查询码应为16位数字，请核对。")
        return code


class SupplementForm(forms.Form):
    text = forms.CharField(
        label="补充内容",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    attachments = AttachmentsField(label="补充附件")
    access_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.REPORT_CONTENT_MAX_CHARS
        self.fields["text"].max_length = limit
        self.fields["text"].validators.append(
            forms.CharField(max_length=limit).validators[0]
        )
        self.fields["text"].error_messages["max_length"] = (
            f"补充内容不能超过{limit}字。"
        )
        self.fields["attachments"].help_text = attachment_help()

    def clean_text(self):
        return plain_text(self.cleaned_data["text"], "补充内容")

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("text") or data.get("attachments")):
            raise forms.ValidationError("请填写补充内容或上传补充附件。")
        return data


class RecoverForm(IdentityFields, PasswordPair):
    """找回查询码: prove the identity given with a real-name report, set a new
    查询密码, and see the codes of one's reports."""

    captcha = CaptchaField(help_text="请输入图中的5位数字")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = "至少8位"
        self.fields["password"].label = "新查询密码"
        self.fields["password_confirm"].label = "确认新查询密码"

    def clean(self):
        data = super().clean()
        self.clean_identity()
        return data
