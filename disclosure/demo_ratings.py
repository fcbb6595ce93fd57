"""Demo 一事一评议: ratings of the demo results with comments in every state —
waiting for moderation, shown, withheld with a reason — and follow-ups of negative
ones replied to, waiting and overdue. Repeatable (a fixed seed) and loaded once."""

import datetime
import random

from django.utils import timezone

from . import ratings
from .models import Rating, Result
from .workdays import start_of_day

SEED = 20261125
LEVEL_WEIGHTS = ((5, 40), (4, 30), (3, 15), (2, 10), (1, 5))
PRAISE = (
    "办理很快，工作人员态度很好。",
    "材料一次性告知，没有来回跑。",
    "公开及时，结果清楚。",
    "窗口人员耐心解释政策，满意。",
)
CRITICISM = (
    "前后跑了三趟才办好，希望一次性告知所需材料。",
    "电话一直没人接，办理进度也查不到。",
    "等了很久才公开结果，建议加快。",
    "经办人说话态度生硬，请改进。",
)
WITHHELD = ("代办各类证件，联系微信 abc123", "与本事项无关的广告")
REPLIES = (
    "已约谈经办人员并在科室会上通报，今后材料清单一次性告知。",
    "已安排专人接听办事电话，并在公开栏公布办理进度查询方式。",
)


def load(users):
    """Rate the demo results (once); returns how many ratings were made."""
    if Rating.objects.exists():
        return 0
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not secrets
    today = timezone.localdate()
    results = list(
        Result.objects.filter(live=True, disclosed_on__isnull=False)
        .select_related("unit")
        .order_by("pk")
    )
    levels = [level for level, _ in LEVEL_WEIGHTS]
    weights = [weight for _, weight in LEVEL_WEIGHTS]
    made = []
    for result in results:
        for voter in range(rng.randint(0, 5)):
            level = rng.choices(levels, weights)[0]
            comment = _comment(rng, level)
            days = max(0, (today - result.disclosed_on).days)
            rated_on = result.disclosed_on + datetime.timedelta(
                days=rng.randint(0, days)
            )
            when = start_of_day(rated_on) + datetime.timedelta(hours=rng.randint(8, 20))
            token = f"demo-rater-{result.pk:06d}-{voter:02d}-{SEED}"
            made.append(ratings.submit(result, level, comment, token, now=when))
    _moderate_and_reply(rng, made, users)
    return len(made)


def _comment(rng, level):
    if rng.random() < 0.5:
        return ""
    if level <= 2:
        return rng.choice(CRITICISM)
    if rng.random() < 0.1:
        return rng.choice(WITHHELD)
    return rng.choice(PRAISE)


def _moderate_and_reply(rng, made, users):
    """The older comments are decided (most shown, the adverts withheld), the newest
    still wait; older follow-ups are mostly replied, some left overdue."""
    from .demo import staff_username
    from .models import UnitPage

    commissions = dict(
        UnitPage.objects.filter(pk__in={rating.unit_id for rating in made}).values_list(
            "pk", "supervisor__code"
        )
    )
    codes = dict(UnitPage.objects.values_list("pk", "code"))
    recent = timezone.now() - datetime.timedelta(days=5)
    for rating in sorted(made, key=lambda r: r.created_at):
        if rating.moderation == Rating.Moderation.NONE:
            continue
        moderator = users.get(
            staff_username(commissions.get(rating.unit_id) or "", "commission")
        )
        if rating.created_at < recent:
            withhold = rating.comment in WITHHELD
            ratings.moderate(
                rating,
                not withhold,
                "含广告或与评议事项无关的内容" if withhold else "",
                moderator,
            )
        if rating.needs_reply and rating.created_at < recent and rng.random() < 0.6:
            clerk = users.get(staff_username(codes[rating.unit_id], "clerk"))
            ratings.reply(rating, rng.choice(REPLIES), clerk)
