"""Forms the 纪委 uses in the admin: one per handling step, and registering a report
received by letter, call or visit (DESIGN rule 11)."""

from django import forms
from django.utils import timezone

from disclosure.models import UnitPage

from .forms import ReportFields
from .models import Report

TEXTAREA = forms.Textarea(attrs={"rows": 4})


class AcceptForm(forms.Form):
    category = forms.ChoiceField(
        label="问题类别", choices=[("", "——")] + Report.Category.choices, required=False
    )
    message = forms.CharField(
        label="告知举报人（可选）",
        widget=TEXTAREA,
        required=False,
        help_text="举报人在查询页可见；留空则显示“您的举报已受理”。",
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label="不予受理理由（内部）", widget=TEXTAREA)
    message = forms.CharField(
        label="告知举报人",
        widget=TEXTAREA,
        help_text="举报人在查询页可见，请勿写入他人信息。",
    )


class TransferForm(forms.Form):
    to_unit = forms.ModelChoiceField(
        label="移送至", queryset=UnitPage.objects.none(), empty_label="请选择纪委"
    )
    reason = forms.CharField(label="移送理由", widget=TEXTAREA)
    message = forms.CharField(
        label="告知举报人（可选）",
        widget=TEXTAREA,
        required=False,
        help_text="留空则显示“您的举报已按管理权限移送某纪委办理”。",
    )

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        commissions = UnitPage.objects.filter(unit_type="纪委").order_by("path")
        if report is not None:
            commissions = commissions.exclude(pk=report.handler_id)
        self.fields["to_unit"].queryset = commissions


class InvestigateForm(forms.Form):
    note = forms.CharField(label="核查安排（内部）", widget=TEXTAREA, required=False)


class CloseForm(forms.Form):
    result = forms.CharField(
        label="办理结果",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="实名举报：原文反馈给举报人（查询页可见）。匿名举报：内部留存。",
    )
    scope = forms.ChoiceField(
        label="通报范围（匿名举报）",
        choices=[("", "——")] + Report.Announcement.choices,
        required=False,
    )
    announcement = forms.CharField(
        label="通报内容（匿名举报）",
        widget=TEXTAREA,
        required=False,
        help_text="选择“公开通报”时，匿名举报人可在查询页看到通报内容。",
    )


class ReplyForm(forms.Form):
    message = forms.CharField(
        label="答复举报人", widget=TEXTAREA, help_text="举报人在查询页可见。"
    )


class PrincipalForm(forms.Form):
    reason = forms.CharField(
        label="认定依据",
        widget=TEXTAREA,
        help_text="认定被举报人为单位主要负责人后，举报将按规定转由上一级纪委办理。",
    )


class RegisterForm(ReportFields):
    """来信/来电/来访: the public form's fields and rules, entered by staff."""

    channel = forms.ChoiceField(
        label="来源",
        choices=[c for c in Report.Channel.choices if c[0] != Report.Channel.ONLINE],
    )
    received_on = forms.DateField(
        label="收到日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="受理、移送时限从收到日期次日起算。",
    )
    mode = forms.ChoiceField(
        label="举报方式",
        choices=[("1", "匿名举报"), ("0", "实名举报")],
        widget=forms.RadioSelect,
        initial="1",
    )
    password = forms.CharField(
        label="查询密码（可选）",
        required=False,
        min_length=8,
        max_length=128,
        help_text="举报人当面或电话中设定的密码；留空则随机生成，连同查询码一并告知举报人。",
    )

    field_order = [
        "channel",
        "received_on",
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
    ]

    @property
    def anonymous(self):
        return self.cleaned_data.get("mode") != "0"

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("收到日期不能晚于今天。")
        return day
