"""Running a year's 量化考核: set indicators, confirm them, score (computed and
entered), finalise, publish within a scope. Each step checks its rule in
`ledgers.scoring`, changes rows in one transaction and is audited."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from wagtail.log_actions import log

from disclosure.permissions import _is_staff

from . import access, indicators, scoring
from .models import Assessment, Indicator, Score
from .services import LedgerError

State = Assessment.State
Scope = Assessment.Scope
ERRORS = (LedgerError, scoring.ScoringError)


def can_manage(user, assessment):
    if not _is_staff(user):
        return False
    return user.is_superuser or assessment.assessor_id in access.assessing_units(user)


def can_read(user, assessment):
    """Managers always; others only as far as the assessment was published."""
    if can_manage(user, assessment):
        return True
    if not _is_staff(user) or assessment.scope == Scope.NONE:
        return False
    if assessment.scope in (Scope.STAFF, Scope.PUBLIC):
        return access.has_access(user)
    assessed = {unit.pk for unit in assessment.units.all()}
    return bool(assessed & access.own_units(user))


def create(user, assessor, year, title, units):
    if not (user.is_superuser or assessor.pk in access.assessing_units(user)):
        raise LedgerError("只有考核机关（纪委）的人员可以建立考核。")
    if not units:
        raise LedgerError("请选择被考核单位。")
    supervised = access.supervising_units(user)
    outside = [
        u.title for u in units if not user.is_superuser and u.pk not in supervised
    ]
    if outside:
        raise LedgerError(f"以下单位不在您的监督范围内：{'、'.join(outside)}。")
    with transaction.atomic():
        assessment = Assessment.objects.create(
            assessor=assessor, year=year, title=title, created_by=user
        )
        assessment.units.set(units)
    log(assessment, "ledgers.assessment_created", user=user)
    return assessment


@dataclass
class IndicatorRow:
    name: str
    weight: int | None
    source: str = Indicator.Source.ENTERED
    deduction: Decimal = Decimal(10)
    note: str = ""
    pk: int | None = field(default=None)


def _locked(user, pk, *states):
    assessment = Assessment.objects.select_for_update().get(pk=pk)
    if not can_manage(user, assessment):
        raise LedgerError("只有考核机关的人员可以办理。")
    if states and assessment.state not in states:
        raise LedgerError(
            f"该考核当前为“{assessment.get_state_display()}”，不能办理此操作。"
        )
    return assessment


def save_indicators(user, pk, rows):
    """Replace the indicator table; refused unless the weights sum to 100."""
    scoring.check_weights(rows)
    with transaction.atomic():
        assessment = _locked(user, pk, State.DRAFT)
        assessment.indicators.all().delete()
        Indicator.objects.bulk_create(
            Indicator(
                assessment=assessment,
                sort_order=order,
                name=row.name.strip(),
                weight=row.weight,
                source=row.source,
                deduction=row.deduction,
                note=row.note,
            )
            for order, row in enumerate(rows, start=1)
        )
    log(assessment, "ledgers.indicators_set", user=user)


def confirm(user, pk):
    """年初确定指标: from here on indicators and weights cannot change."""
    with transaction.atomic():
        assessment = _locked(user, pk, State.DRAFT)
        scoring.check_weights(list(assessment.indicators.all()))
        assessment.state = State.SCORING
        assessment.save(update_fields=["state"])
    log(assessment, "ledgers.indicators_confirmed", user=user)


def compute_scores(user, pk, today=None):
    """Fill in the computed indicators from the system (rerun any time before
    finalising: the figures move as the year goes on)."""
    with transaction.atomic():
        assessment = _locked(user, pk, State.SCORING)
        units = list(assessment.units.all())
        computed = [i for i in assessment.indicators.all() if i.source != "entered"]
        values = indicators.compute(
            {i.source for i in computed}, units, assessment.year, today
        )
        rows = []
        for indicator in computed:
            for unit in units:
                value = values[indicator.source][unit.pk]
                score = value.score(indicator.deduction)
                rows.append(
                    Score(
                        indicator=indicator,
                        unit=unit,
                        raw=value.text,
                        score=score,
                        entered_by=user,
                    )
                )
        Score.objects.filter(indicator__in=computed).delete()
        Score.objects.bulk_create(rows)
    log(assessment, "ledgers.scores_computed", user=user)
    return len(rows)


def enter_scores(user, pk, entries):
    """Entered indicators: {(indicator id, unit id): (score, note)}."""
    with transaction.atomic():
        assessment = _locked(user, pk, State.SCORING)
        entered = {
            i.pk: i for i in assessment.indicators.all() if i.source == "entered"
        }
        units = {u.pk for u in assessment.units.all()}
        rows = []
        for (indicator_id, unit_id), (value, note) in entries.items():
            if indicator_id not in entered or unit_id not in units:
                raise LedgerError("评分表已变化，请刷新后重新填写。")
            if value is None:
                continue
            rows.append(
                Score(
                    indicator_id=indicator_id,
                    unit_id=unit_id,
                    score=scoring.check_entered(value),
                    note=note,
                    entered_by=user,
                )
            )
        Score.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["indicator", "unit"],
            update_fields=["score", "note", "entered_by", "updated_at"],
        )
    log(assessment, "ledgers.scores_entered", user=user)


def finalize(user, pk):
    with transaction.atomic():
        assessment = _locked(user, pk, State.SCORING)
        table = results(assessment)
        if table.missing:
            raise LedgerError(f"还有 {table.missing} 项得分未填写或未计算，不能定稿。")
        assessment.state = State.FINAL
        assessment.save(update_fields=["state"])
    log(assessment, "ledgers.assessment_finalized", user=user)


def publish(user, pk, scope):
    if scope not in Scope.values:
        raise LedgerError("请选择公布范围。")
    with transaction.atomic():
        assessment = _locked(user, pk, State.FINAL)
        assessment.scope = scope
        assessment.published_on = None if scope == Scope.NONE else timezone.localdate()
        assessment.save(update_fields=["scope", "published_on"])
    log(assessment, "ledgers.assessment_published", user=user, data={"scope": scope})


@dataclass
class Row:
    unit: object
    scores: list
    total: Decimal
    rank: int = 0


@dataclass
class Table:
    indicators: list
    rows: list
    missing: int


def results(assessment):
    """Scores per unit and indicator, weighted totals and ranking: three queries."""
    inds = list(assessment.indicators.all())
    units = list(assessment.units.order_by("path"))
    scores = {
        (s.indicator_id, s.unit_id): s
        for s in Score.objects.filter(indicator__assessment=assessment)
    }
    rows, missing = [], 0
    for unit in units:
        cells = [scores.get((i.pk, unit.pk)) for i in inds]
        missing += sum(cell is None for cell in cells)
        total = scoring.total(
            (i.weight, cell.score) for i, cell in zip(inds, cells, strict=True) if cell
        )
        rows.append(Row(unit, cells, total))
    ranks = scoring.rank({row.unit.pk: row.total for row in rows})
    for row in rows:
        row.rank = ranks[row.unit.pk]
    rows.sort(key=lambda row: (row.rank, row.unit.path))
    return Table(inds, rows, missing)
