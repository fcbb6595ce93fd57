"""量化考核 (seeds 001 第十三条（二）, 002 第二十一条): indicators with weights set
at the start of the year, scores at its end, a weighted total and a ranking.

Weights are whole numbers that sum to 100. Every indicator scores 0–100: entered
ones directly; counted ones lose `deduction` points per occurrence (overdue
disclosures, negative ratings); rates score their percentage (督办 and
rectifications finished on time, reports filed on time), and a unit with nothing
to rate keeps full marks. The total is Σ weight × score / 100. Pure functions.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FULL = Decimal(100)
TOTAL_WEIGHT = 100
ENTERED = "entered"
COUNT = "count"
RATE = "rate"


class ScoringError(ValueError):
    """Indicators or scores that do not fit; the message is for staff."""


@dataclass(frozen=True)
class Weighted:
    name: str
    weight: int


def check_weights(indicators):
    """Names given, weights whole and positive, summing to exactly 100."""
    if not indicators:
        raise ScoringError("请至少设置一项考核指标。")
    names = [indicator.name.strip() for indicator in indicators]
    if any(not name for name in names):
        raise ScoringError("每项指标都要有名称。")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ScoringError(f"指标名称重复：{'、'.join(duplicates)}。")
    if any(
        indicator.weight is None or indicator.weight <= 0 for indicator in indicators
    ):
        raise ScoringError("每项指标的权重应为正整数。")
    total = sum(indicator.weight for indicator in indicators)
    if total != TOTAL_WEIGHT:
        raise ScoringError(f"各项指标权重合计应为 100，当前合计为 {total}。")


def quantize(value):
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def count_score(count, deduction):
    """Full marks less `deduction` per occurrence, never below zero."""
    return quantize(max(Decimal(0), FULL - Decimal(deduction) * count))


def rate_score(done, total):
    """The percentage done; full marks when there was nothing to do."""
    if not total:
        return FULL
    return quantize(FULL * Decimal(done) / Decimal(total))


def check_entered(value):
    if value is None:
        raise ScoringError("请填写得分。")
    if not Decimal(0) <= Decimal(value) <= FULL:
        raise ScoringError("得分应在 0 到 100 之间。")
    return quantize(value)


def total(weights_and_scores):
    """Σ weight × score / 100 over (weight, score) pairs."""
    return quantize(
        sum(
            (Decimal(weight) * Decimal(score) for weight, score in weights_and_scores),
            Decimal(0),
        )
        / FULL
    )


def rank(totals):
    """{key: rank} by total, highest first; equal totals share a rank and the next
    rank skips (1, 2, 2, 4), as published 通报 do."""
    ordered = sorted(totals.items(), key=lambda pair: -pair[1])
    ranks, previous, position = {}, None, 0
    for index, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            position, previous = index, value
        ranks[key] = position
    return ranks
