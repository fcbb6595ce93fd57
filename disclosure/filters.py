"""Filters of a unit's public lists: 权力类型 and 承办机构 (issue 4, part 4).

The choices come from the unit's own public items, each with the number of items it
would show. One grouped query (`facets`) yields every count the page needs — options,
tabs and result totals — so the page's query count does not grow with the number of
items or offices.
"""

from collections import Counter
from typing import NamedTuple

from django.db.models import Count, Q

import django_filters

from disclosure.models import POWER_TYPES, PowerItem


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
