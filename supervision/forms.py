"""Forms of the 纪委 workspace and of a unit's 督办 reply. Rules live in the service
modules (patrols, orders, notices, tolerance); these forms only parse input."""

from django import forms
from django.utils import timezone

from disclosure.models import PowerItem, UnitPage

from . import circumstances
from .models import Accountability, FaultTolerance, Finding, Patrol

TEXTAREA = forms.Textarea(attrs={"rows": 4})
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommissionFormMixin:
    """A 纪委 field when the user acts for more than one; otherwise the one."""

    def __init__(self, *args, commissions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if commissions is None:
            return
        commissions = commissions.order_by("path")
        field = self.fields["commission"]
        field.queryset = commissions
        if len(commissions) == 1:
            field.initial = commissions[0].pk
            field.widget = forms.HiddenInput()


class PatrolForm(CommissionFormMixin, forms.Form):
    commission = forms.ModelChoiceField(
        label="纪委", queryset=UnitPage.objects.none(), empty_label="请选择纪委"
    )
    date = forms.DateField(label="巡查日期", widget=DATE)
    session = forms.ChoiceField(
        label="时段", choices=Patrol.Session.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label="巡查情况",
        widget=TEXTAREA,
        required=False,
        help_text="巡查了哪些单位、哪些事项；发现的问题在保存后逐条登记。",
    )


class FindingForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="单位", queryset=UnitPage.objects.none(), empty_label="请选择单位"
    )
    item_code = forms.CharField(
        label="事项编码",
        required=False,
        max_length=64,
        help_text="涉及具体权力事项时填写其事项编码，如 QS-A-2-001；可留空。",
    )
    problem_type = forms.ChoiceField(
        label="问题类型", choices=Finding.ProblemType.choices
    )
    description = forms.CharField(label="问题描述", widget=TEXTAREA)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units.order_by("path")

    def clean(self):
        data = super().clean()
        code = (data.get("item_code") or "").strip()
        unit = data.get("unit")
        data["item"] = None
        if code and unit is not None:
            data["item"] = PowerItem.objects.filter(unit=unit, code=code).first()
            if data["item"] is None:
                self.add_error(
                    "item_code", f"{unit.title}没有事项编码为“{code}”的权力事项。"
                )
        return data


class OrderForm(forms.Form):
    requirement = forms.CharField(
        label="督办事项及整改要求",
        widget=TEXTAREA,
        help_text="被督办单位应在10个工作日内整改并反馈（次日起算）。",
    )


class ReplyForm(forms.Form):
    content = forms.CharField(
        label="整改情况",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="写明采取的整改措施和结果；回复后由纪委审核办结或再次督办。",
    )


class CloseForm(forms.Form):
    note = forms.CharField(label="审核意见", widget=TEXTAREA, required=False)


class ReorderForm(forms.Form):
    requirement = forms.CharField(
        label="再次督办的整改要求",
        widget=TEXTAREA,
        help_text="原督办标记为“已再次督办”，新督办重新计算10个工作日期限。",
    )


class AccountabilityForm(CommissionFormMixin, forms.ModelForm):
    commission = forms.ModelChoiceField(
        label="问责机关（纪委）", queryset=UnitPage.objects.none()
    )
    unit = forms.ModelChoiceField(
        label="所在单位", queryset=UnitPage.objects.none(), empty_label="请选择单位"
    )

    class Meta:
        model = Accountability
        fields = [
            "commission",
            "unit",
            "person",
            "post",
            "circumstance",
            "method",
            "decided_on",
            "basis",
            "facts",
        ]
        widgets = {
            "decided_on": DATE,
            "basis": forms.Textarea(attrs={"rows": 2}),
            "facts": TEXTAREA,
        }

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units.order_by("path")
        self.fields["circumstance"].choices = [
            ("", "请选择问责情形"),
            *circumstances.ACCOUNTABILITY_CHOICES,
        ]


class ToleranceForm(CommissionFormMixin, forms.Form):
    commission = forms.ModelChoiceField(
        label="承办纪委", queryset=UnitPage.objects.none()
    )
    unit = forms.ModelChoiceField(
        label="当事人单位", queryset=UnitPage.objects.none(), empty_label="请选择单位"
    )
    person = forms.CharField(label="当事人", max_length=50)
    post = forms.CharField(label="职务", max_length=100)
    origin = forms.ChoiceField(
        label="来源", choices=FaultTolerance.Origin.choices, widget=forms.RadioSelect
    )
    referred_by = forms.CharField(
        label="报送单位", max_length=100, required=False, help_text="报送的案件填写。"
    )
    matter = forms.CharField(label="履职事项及问题", widget=TEXTAREA)
    circumstances = forms.MultipleChoiceField(
        label="适用容错情形",
        choices=circumstances.TOLERANCE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="从《实施意见》所列免责或减轻、从轻问责的20种情形中选择。",
    )
    received_on = forms.DateField(label="收到日期", widget=DATE)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units.order_by("path")


def _today():
    return timezone.localdate()


class AcceptForm(forms.Form):
    on = forms.DateField(label="受理日期", widget=DATE, initial=_today)


class RefuseForm(forms.Form):
    on = forms.DateField(label="决定日期", widget=DATE, initial=_today)
    reason = forms.CharField(label="不予受理理由", widget=TEXTAREA)


class ExtendForm(forms.Form):
    new_due = forms.DateField(label="延长至", widget=DATE)
    reason = forms.CharField(
        label="延长理由", widget=TEXTAREA, help_text="须经容错调查工作小组研究同意。"
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="认定结论", choices=FaultTolerance.Decision.choices
    )
    reason = forms.CharField(label="认定意见", widget=TEXTAREA)
    on = forms.DateField(label="决定日期", widget=DATE, initial=_today)


class FileForm(forms.Form):
    on = forms.DateField(label="报备日期", widget=DATE, initial=_today)
    filed_to = forms.CharField(
        label="报备机关", max_length=100, required=False, help_text="留空则为上级纪委。"
    )


class FeedbackForm(forms.Form):
    on = forms.DateField(label="反馈日期", widget=DATE, initial=_today)
    text = forms.CharField(label="反馈申请人意见", widget=TEXTAREA)


class ClarifyForm(forms.Form):
    text = forms.CharField(
        label="澄清正名内容",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="在网站“澄清正名”栏目公开；不得写入身份证号、电话等个人信息。",
    )
