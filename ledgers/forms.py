"""Admin forms for the ledgers: fields and their Chinese labels only; the rules
live in the services, which raise the messages shown next to the form."""

from django import forms
from django.utils import timezone

from disclosure.models import UnitPage

from . import rectification
from .models import (
    Assessment,
    Indicator,
    Interview,
    Problem,
    ResponsibilityItem,
    ResponsibilityList,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ListForm(forms.ModelForm):
    class Meta:
        model = ResponsibilityList
        fields = ["kind", "first_responsible", "basis"]
        widgets = {"basis": forms.Textarea(attrs={"rows": 2})}


class ListHeaderForm(forms.ModelForm):
    class Meta:
        model = ResponsibilityList
        fields = ["first_responsible", "basis"]
        widgets = {"basis": forms.Textarea(attrs={"rows": 2})}


class ItemForm(forms.ModelForm):
    class Meta:
        model = ResponsibilityItem
        fields = ["category", "content", "owner", "owner_post", "due_on"]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "due_on": date_input(),
        }


class ProgressForm(forms.Form):
    done_on = forms.DateField(label="完成日期", required=False, widget=date_input())
    progress = forms.CharField(
        label="履责情况", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    files = EvidenceField(
        label="佐证材料",
        required=False,
        help_text="图片、PDF、DOCX 或 XLSX，每个不超过 10 MB。",
    )


class ProblemForm(forms.Form):
    source = forms.ChoiceField(label="问题来源", choices=Problem.Source.choices)
    description = forms.CharField(
        label="问题描述", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    requirement = forms.CharField(
        label="整改要求",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    found_on = forms.DateField(label="发现日期", widget=date_input())
    report = forms.ModelChoiceField(
        label="关联举报",
        queryset=None,
        required=False,
        help_text="问题来自信访举报的，选择对应的举报（仅列出监督范围内的）。",
    )

    finding = forms.ModelChoiceField(
        label="关联巡查发现",
        queryset=None,
        required=False,
        help_text="问题来自纪委日常巡查的，选择对应的巡查发现。",
    )

    def __init__(self, *args, reports=None, findings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["found_on"].initial = timezone.localdate()
        self.fields["finding"].queryset = findings
        self.fields["finding"].label_from_instance = lambda f: (
            f"{f.created_at:%Y-%m-%d} {f.description[:30]}"
        )
        self.fields["report"].queryset = reports
        self.fields["report"].label_from_instance = lambda r: (
            f"{r.grouped_code}（{r.received_on:%Y-%m-%d}）"
        )


class PlanForm(forms.Form):
    plan = forms.CharField(
        label="整改措施", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    owner = forms.CharField(label="整改责任人", max_length=100)
    working_days = forms.IntegerField(
        label="整改时限（工作日）",
        min_value=1,
        max_value=rectification.MAX_WORKING_DAYS,
        initial=20,
        help_text="自报送方案次日起算，按法定工作日计算。",
    )


class SubmitForm(forms.Form):
    note = forms.CharField(
        label="整改完成情况",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    files = EvidenceField(
        label="整改佐证材料",
        required=False,
        help_text="至少一份；图片、PDF、DOCX 或 XLSX，每个不超过 10 MB，个人信息须打码。",
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="验收意见", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label="退回理由", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


ACTION_FORMS = {
    "plan": PlanForm,
    "submit": SubmitForm,
    "accept": ReviewForm,
    "return": ReturnForm,
}


class SignForm(forms.Form):
    opinion = forms.CharField(
        label="审阅意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    confirm = forms.BooleanField(
        label="本人已审阅上述内容，同意签字背书",
        required=True,
        error_messages={"required": "请确认已审阅上述内容。"},
    )


class ReportForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200, required=False)
    content = forms.CharField(
        label="报告正文", widget=forms.Textarea(attrs={"rows": 10}), required=False
    )


class InterviewForm(forms.ModelForm):
    class Meta:
        model = Interview
        fields = [
            "held_on",
            "interviewer",
            "interviewees",
            "trigger",
            "problem",
            "finding",
            "reason",
            "outcome",
        ]
        widgets = {
            "held_on": date_input(),
            "reason": forms.Textarea(attrs={"rows": 2}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, problems=None, findings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = problems
        self.fields["finding"].queryset = findings
        self.fields["finding"].label_from_instance = lambda f: (
            f"{f.created_at:%Y-%m-%d} {f.description[:30]}"
        )
        self.fields["problem"].label_from_instance = lambda p: p.description[:40]
        self.fields["held_on"].initial = timezone.localdate()


class AssessmentForm(forms.Form):
    title = forms.CharField(label="考核名称", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    assessor = forms.ModelChoiceField(label="考核机关", queryset=None)
    units = forms.ModelMultipleChoiceField(
        label="被考核单位", queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, assessors=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = assessors
        self.fields["units"].queryset = units
        self.fields["year"].initial = timezone.localdate().year


class IndicatorForm(forms.Form):
    name = forms.CharField(label="指标名称", max_length=100, required=False)
    weight = forms.IntegerField(
        label="权重", required=False, min_value=0, max_value=100
    )
    source = forms.ChoiceField(label="评分方式", choices=Indicator.Source.choices)
    deduction = forms.DecimalField(
        label="每次扣分", initial=10, min_value=0, max_value=100, decimal_places=2
    )
    note = forms.CharField(label="评分标准", max_length=300, required=False)


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=0, max_num=30)


class PublishForm(forms.Form):
    scope = forms.ChoiceField(label="公布范围", choices=Assessment.Scope.choices)


def supervised_unit_choices(unit_ids):
    units = UnitPage.objects.order_by("path")
    return units if unit_ids is None else units.filter(pk__in=unit_ids)
