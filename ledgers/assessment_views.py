"""量化考核 in the admin (list, create, indicators, scores, publish, export) and the
public page of an assessment published 向社会公开."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from wagtail.log_actions import log

from disclosure.exports import CSV_TYPE, XLSX_TYPE, download, to_csv, to_xlsx
from disclosure.models import UnitPage

from . import access, assessing, forms
from .models import Assessment, Indicator
from .views import LedgerMixin

ASSESSMENTS = "ledgers_assessments"
ASSESSMENT = "ledgers_assessment"
Scope = Assessment.Scope
State = Assessment.State


def readable(user):
    """Assessments the user may open: one query (units checked in SQL)."""
    rows = Assessment.objects.select_related("assessor")
    if user.is_superuser:
        return rows
    condition = Q(assessor_id__in=access.assessing_units(user))
    if access.has_access(user):
        condition |= Q(scope__in=(Scope.STAFF, Scope.PUBLIC))
    condition |= Q(scope=Scope.UNITS, units__in=access.own_units(user))
    return rows.filter(condition).distinct()


class AssessmentsView(LedgerMixin, TemplateView):
    page_title = "量化考核"
    template_name = "ledgers/admin/assessments.html"

    def assessors(self):
        units = UnitPage.objects.filter(unit_type="纪委").order_by("path")
        user = self.request.user
        return (
            units
            if user.is_superuser
            else units.filter(pk__in=access.assessing_units(user))
        )

    def assessed_choices(self):
        user = self.request.user
        units = UnitPage.objects.exclude(unit_type="纪委").order_by("path")
        if user.is_superuser:
            return units
        return units.filter(pk__in=access.supervising_units(user))

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assessments"] = readable(self.request.user).order_by("-year", "-pk")
        if self.request.user.is_superuser or access.assessing_units(self.request.user):
            context["form"] = form or forms.AssessmentForm(
                assessors=self.assessors(), units=self.assessed_choices()
            )
        return context

    def post(self, request, *args, **kwargs):
        form = forms.AssessmentForm(
            request.POST, assessors=self.assessors(), units=self.assessed_choices()
        )
        if not form.is_valid():
            return self.refuse("请检查考核信息。", form=form)
        data = form.cleaned_data
        try:
            assessment = assessing.create(
                request.user,
                data["assessor"],
                data["year"],
                data["title"],
                list(data["units"]),
            )
        except assessing.ERRORS as error:
            return self.refuse(str(error), form=form)
        messages.success(request, "考核已建立，请设定考核指标和权重。")
        return redirect(ASSESSMENT, pk=assessment.pk)


#: Offered when an assessment is set up: (name, weight, source, deduction, note).
DEFAULT_INDICATORS = (
    ("主体责任清单落实", 20, Indicator.Source.ENTERED, 0, "按清单逐项检查评分"),
    ("问题整改按期完成", 20, Indicator.Source.RECTIFIED_ON_TIME, 0, "按期完成率"),
    (
        "一事一公开及时公开",
        15,
        Indicator.Source.OVERDUE_DISCLOSURES,
        10,
        "每逾期一次扣10分",
    ),
    ("群众评议", 15, Indicator.Source.NEGATIVE_RATINGS, 5, "每条负面评议扣5分"),
    ("督办事项按时办结", 15, Indicator.Source.ORDERS_ON_TIME, 0, "按时回复率"),
    ("责任报告按时报送", 15, Indicator.Source.REPORTS_ON_TIME, 0, "按时报送率"),
)


class AssessmentView(LedgerMixin, TemplateView):
    template_name = "ledgers/admin/assessment.html"

    @cached_property
    def assessment(self):
        assessment = get_object_or_404(
            Assessment.objects.select_related("assessor"), pk=self.kwargs["pk"]
        )
        if not assessing.can_read(self.request.user, assessment):
            raise Http404("考核不存在或未向您公布")
        return assessment

    def get_page_title(self):
        return self.assessment.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(ASSESSMENTS), "label": "量化考核"},
            {"url": "", "label": self.assessment.title},
        ]

    def get(self, request, *args, **kwargs):
        export = request.GET.get("format")
        if export in ("xlsx", "csv"):
            return self.export(export)
        return super().get(request, *args, **kwargs)

    def export(self, kind):
        assessment = self.assessment
        header, rows = table_rows(assessment, assessing.results(assessment))
        log(assessment, "ledgers.assessment_exported", user=self.request.user)
        name = f"{assessment.year}-assessment-{assessment.pk}"
        if kind == "csv":
            return download(
                to_csv(header, rows), CSV_TYPE, f"{assessment.title}.csv", f"{name}.csv"
            )
        content = to_xlsx([("考核结果", header, rows)], title=assessment.title)
        return download(content, XLSX_TYPE, f"{assessment.title}.xlsx", f"{name}.xlsx")

    def get_context_data(self, indicator_formset=None, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment, user = self.assessment, self.request.user
        manage = assessing.can_manage(user, assessment)
        table = assessing.results(assessment)
        context.update(
            assessment=assessment,
            table=table,
            manage=manage,
            units=assessment.units.order_by("path"),
        )
        if manage and assessment.state == State.DRAFT:
            initial = [
                {
                    "name": i.name,
                    "weight": i.weight,
                    "source": i.source,
                    "deduction": i.deduction,
                    "note": i.note,
                }
                for i in table.indicators
            ] or [
                {"name": n, "weight": w, "source": s, "deduction": d, "note": note}
                for n, w, s, d, note in DEFAULT_INDICATORS
            ]
            context["formset"] = indicator_formset or forms.IndicatorFormSet(
                initial=initial + [{}, {}], prefix="ind"
            )
        if manage and assessment.state == State.SCORING:
            context["entered"] = [
                i for i in table.indicators if i.source == Indicator.Source.ENTERED
            ]
        if manage and assessment.state == State.FINAL:
            context["publish_form"] = forms.PublishForm(
                initial={"scope": assessment.scope}
            )
        return context

    def post(self, request, *args, **kwargs):
        assessment, user = self.assessment, request.user
        action = request.POST.get("action")
        try:
            if action == "indicators":
                formset = forms.IndicatorFormSet(request.POST, prefix="ind")
                if not formset.is_valid():
                    return self.refuse("请检查考核指标。", indicator_formset=formset)
                rows = [
                    assessing.IndicatorRow(
                        name=f.cleaned_data["name"],
                        weight=f.cleaned_data["weight"],
                        source=f.cleaned_data["source"],
                        deduction=f.cleaned_data["deduction"] or Decimal(0),
                        note=f.cleaned_data["note"],
                    )
                    for f in formset
                    if f.cleaned_data.get("name") or f.cleaned_data.get("weight")
                ]
                try:
                    assessing.save_indicators(user, assessment.pk, rows)
                except assessing.ERRORS as error:
                    return self.refuse(str(error), indicator_formset=formset)
                done = "考核指标已保存。"
            elif action == "confirm":
                assessing.confirm(user, assessment.pk)
                done = "考核指标和权重已确定，不能再修改。"
            elif action == "compute":
                count = assessing.compute_scores(user, assessment.pk)
                done = f"已按系统数据计算 {count} 项得分。"
            elif action == "scores":
                assessing.enter_scores(user, assessment.pk, self._entries())
                done = "得分已保存。"
            elif action == "finalize":
                assessing.finalize(user, assessment.pk)
                done = "考核结果已定稿。"
            elif action == "publish":
                assessing.publish(user, assessment.pk, request.POST.get("scope", ""))
                done = "公布范围已保存。"
            else:
                raise Http404("未知操作")
        except assessing.ERRORS as error:
            return self.refuse(str(error))
        messages.success(request, done)
        return redirect(ASSESSMENT, pk=assessment.pk)

    def _entries(self):
        """{(indicator id, unit id): (score or None, note)} from `score-I-U` fields."""
        entries = {}
        for key, value in self.request.POST.items():
            if not key.startswith("score-"):
                continue
            try:
                _, indicator_id, unit_id = key.split("-")
                pair = (int(indicator_id), int(unit_id))
            except ValueError:
                raise assessing.LedgerError(
                    "评分表格式有误，请刷新后重新填写。"
                ) from None
            text = value.strip()
            try:
                score = Decimal(text) if text else None
            except InvalidOperation:
                raise assessing.LedgerError(f"得分“{text}”不是数字。") from None
            note = self.request.POST.get(f"note-{indicator_id}-{unit_id}", "")[:300]
            entries[pair] = (score, note)
        return entries


def table_rows(assessment, table):
    header = [
        "名次",
        "单位",
        *(f"{i.name}（权重{i.weight}）" for i in table.indicators),
        "总分",
    ]
    rows = []
    for row in table.rows:
        cells = [
            f"{cell.score}" + (f"（{cell.raw}）" if cell.raw else "") if cell else "—"
            for cell in row.scores
        ]
        rows.append([row.rank, row.unit.title, *cells, f"{row.total}"])
    return header, rows


def public_assessment(request, pk):
    """An assessment published 向社会公开: the ranked table only, no notes."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("assessor"), pk=pk, scope=Scope.PUBLIC
    )
    return render(
        request,
        "ledgers/assessment_public.html",
        {
            "assessment": assessment,
            "table": assessing.results(assessment),
            "today": timezone.localdate(),
        },
    )
