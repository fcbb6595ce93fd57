"""Filters of a unit's public lists: 权力类型 and 承办机构 (issue 4, part 4).

The choices come from the unit's own public items, each with the number of items it
would show. One grouped query (`facets`) yields every count the page needs — options,
tabs and result totals — so the page's query count does not grow with the number of
items or offices.
"""

from collections import Counter
from typing import NamedTuple

from django import forms
from django.db.models import Count, Q

import django_filters

from disclosure.models import POWER_TYPES, PowerItem, UnitPage


class Facet(NamedTuple):
    """How many items, and risk points on their steps, share a type and an office."""

    power_type: str
    office: str
    items: int
    risks: int


def facets(items):
    """[Facet] for `items`, in one query."""
    rows = (
        items.order_by()
        .values_list("power_type", "office")
        .annotate(
            item_total=Count("pk", distinct=True),
            risk_total=Count("steps", filter=~Q(steps__risk="")),
        )
        .values_list("power_type", "office", "item_total", "risk_total")
    )
    return [Facet(*row) for row in rows]


def matching(rows, power_type="", office=""):
    """The facets a selection keeps (an empty value keeps everything)."""
    return [
        row
        for row in rows
        if (not power_type or row.power_type == power_type)
        and (not office or row.office == office)
    ]


def option_counts(rows, power_type="", office=""):
    """Items per option, each facet narrowed by the other one's selection (so an
    option's count is what choosing it would show)."""
    types, offices = Counter(), Counter()
    for row in matching(rows, office=office):
        types[row.power_type] += row.items
    for row in matching(rows, power_type=power_type):
        offices[row.office] += row.items
    return types, offices


class PowerItemFilter(django_filters.FilterSet):
    """GET filters for the item lists; `rows` are the unit's `facets`."""

    power_type = django_filters.ChoiceFilter(label="权力类型")
    office = django_filters.ChoiceFilter(label="承办机构")

    class Meta:
        model = PowerItem
        fields = ["power_type", "office"]

    def __init__(self, data=None, queryset=None, *, rows=(), **kwargs):
        super().__init__(data, queryset, **kwargs)
        all_types = {row.power_type for row in rows}
        all_offices = {row.office for row in rows}
        self.selected = {
            "power_type": self._selected("power_type", all_types),
            "office": self._selected("office", all_offices),
        }
        self.matching = matching(rows, **self.selected)
        types, offices = option_counts(rows, **self.selected)
        type_order = [t for t in POWER_TYPES if t in all_types]
        type_order += sorted(all_types - set(type_order))
        self._offer("power_type", type_order, types)
        self._offer("office", sorted(all_offices), offices)

    def _selected(self, name, known):
        value = (self.data or {}).get(name, "")
        return value if value in known else ""

    def _offer(self, name, values, counts):
        extra = self.filters[name].extra
        extra["choices"] = [(value, f"{value}（{counts[value]}）") for value in values]
        extra["empty_label"] = f"全部（{counts.total()}）"

    @property
    def active(self):
        """True when the reader has narrowed the lists with a valid choice."""
        return any(self.selected.values())


class ResultFilter(django_filters.FilterSet):
    """Filters of the public result lists: unit (with the units below it), 权力类型,
    事项 (on a unit's own list) and the disclosure date range. Invalid values are
    reported beside the field and ignored, never an error page."""

    unit = django_filters.ChoiceFilter(label="单位（含下级单位）", method="in_subtree")
    item = django_filters.ChoiceFilter(label="权力事项", field_name="item__code")
    power_type = django_filters.ChoiceFilter(
        label="权力类型",
        field_name="item__power_type",
        choices=[(t, t) for t in POWER_TYPES],
        empty_label="全部",
    )
    date_from = django_filters.DateFilter(
        label="公开日期从", field_name="disclosed_on", lookup_expr="gte"
    )
    date_to = django_filters.DateFilter(
        label="至", field_name="disclosed_on", lookup_expr="lte"
    )

    def __init__(self, data=None, queryset=None, *, unit=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if unit is None:
            del self.filters["item"]
            self.filters["unit"].extra.update(
                choices=_unit_choices(), empty_label="全部单位"
            )
        else:
            del self.filters["unit"]
            self.filters["item"].extra.update(
                choices=_item_choices(unit), empty_label="全部事项"
            )
        for name in ("date_from", "date_to"):
            self.filters[name].extra["widget"] = forms.DateInput(attrs={"type": "date"})

    def in_subtree(self, queryset, name, value):
        unit = UnitPage.objects.filter(code=value).only("path").first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)

    @property
    def active(self):
        return any((self.data or {}).get(name) for name in self.filters)


def _unit_choices():
    from disclosure.api import public_units

    units = public_units().only("code", "title", "depth").order_by("path")
    return [
        (unit.code, "\u3000" * max(unit.depth - 3, 0) + unit.title) for unit in units
    ]


def _item_choices(unit):
    items = PowerItem.objects.filter(unit=unit, live=True, disclosed=True)
    return [
        (code, f"{name}（{code}）")
        for code, name in items.order_by("code").values_list("code", "name")
    ]
