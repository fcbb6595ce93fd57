"""The search page's filters (issue 6, part 5): unit (with its subtree), 权力类型, kind
and year, and the order.

The FilterSet declares and validates what the reader asked for; the search backend
applies it, so `qs` is never used. A value that does not validate is dropped and
named in a notice: the page never fails on a hand-edited address. The options and
their counts come from the backend's facets once the search has run (`facets`).
"""

from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.utils.http import urlencode

import django_filters

from disclosure.models import POWER_TYPES, UnitPage
from search.models import SearchDocument

ORDERS = {"relevance": "相关度", "date": "时间"}
FIRST_YEAR, LAST_YEAR = 1949, 2100
YEAR_MESSAGE = "应为四位数字的年份"


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


class SearchFilter(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        label="单位",
        queryset=UnitPage.objects.live().only("id", "title", "code"),
        to_field_name="code",
        error_messages={"invalid_choice": "没有这个单位编码"},
    )
    power_type = django_filters.ChoiceFilter(
        label="权力类型",
        choices=[(value, value) for value in POWER_TYPES],
        error_messages={"invalid_choice": "没有这种权力类型"},
    )
    kind = django_filters.ChoiceFilter(
        label="类别",
        choices=SearchDocument.Kind.choices,
        error_messages={"invalid_choice": "没有这个类别"},
    )
    year = YearFilter(
        label="年份",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "invalid": YEAR_MESSAGE,
            "min_value": YEAR_MESSAGE,
            "max_value": YEAR_MESSAGE,
        },
    )
    order = django_filters.ChoiceFilter(
        label="排序",
        choices=list(ORDERS.items()),
        error_messages={"invalid_choice": "只能按相关度或时间排序"},
    )

    class Meta:
        model = SearchDocument
        fields = []  # every filter is declared above

    FACETS = ("unit", "power_type", "kind", "year")

    @cached_property
    def cleaned(self):
        """The valid, non-empty values by name."""
        form = self.form
        form.is_valid()
        return {
            name: value
            for name, value in form.cleaned_data.items()
            if name not in form.errors and value not in (None, "")
        }

    @property
    def notices(self):
        """One sentence per value that was dropped."""
        return [
            f"筛选条件“{self.form.fields[name].label}”有误（{'；'.join(errors)}），已忽略。"
            for name, errors in self.form.errors.items()
        ]

    @property
    def active(self):
        """True when a facet narrows the results (the order does not)."""
        return any(name in self.cleaned for name in self.FACETS)

    @property
    def sort(self):
        """The order asked for: relevance unless a valid other one was given."""
        return self.cleaned.get("order", "relevance")

    def search_arguments(self):
        """Keyword arguments for `search.service.search`."""
        values = self.cleaned
        unit = values.get("unit")
        return {
            "unit_code": unit.code if unit else None,
            "power_type": values.get("power_type"),
            "kind": values.get("kind"),
            "year": values.get("year"),
            "order": self.sort,
        }

    def params(self, text):
        """The address of this search, valid values only: facet and order links
        start from it, so a bad value in the address is not carried along."""
        values = self.cleaned
        params = {"q": text}
        for name in self.FACETS:
            if name in values:
                value = values[name]
                params[name] = value.code if name == "unit" else str(value)
        params["order"] = self.sort
        return params


@dataclass
class Option:
    label: str
    url: str
    count: int | None = None
    selected: bool = False


@dataclass
class FacetGroup:
    name: str
    label: str
    options: list
    selected: str = ""  # the label of the chosen value, if any
    clear_url: str = ""


def link(params, **changes):
    """A query string for `params` with `changes` applied (None removes a key);
    the default order is left out, so the plainest address stays the usual one."""
    query = {**params, **changes}
    if query.get("order") == "relevance":
        del query["order"]
    return "?" + urlencode({k: v for k, v in query.items() if v not in (None, "")})


def facet_groups(filterset, params, results, units):
    """The facet groups to show, each option a link that keeps the query, the other
    filters and the order. A chosen value comes first, counting every result (the
    unit facet's own entry for a chosen unit counts only its own documents);
    `units` maps unit codes to units, for their names."""
    values = filterset.cleaned
    kinds = dict(SearchDocument.Kind.choices)
    labels = {
        "unit": lambda code: units[code].title if code in units else code,
        "power_type": str,
        "kind": lambda value: kinds.get(value, value),
        "year": lambda value: f"{value}年",
    }
    groups = []
    for name in SearchFilter.FACETS:
        chosen = values.get(name)
        chosen = str(chosen.code if name == "unit" else chosen) if chosen else ""
        label = labels[name]
        options = [
            Option(label(value), link(params, **{name: value}), count)
            for value, count in results.facets.get(name, [])
            if count and str(value) != chosen
        ]
        if chosen:
            options.insert(
                0, Option(label(chosen), link(params), results.total, selected=True)
            )
        if options:
            groups.append(
                FacetGroup(
                    name=name,
                    label=filterset.form.fields[name].label,
                    options=options,
                    selected=label(chosen) if chosen else "",
                    clear_url=link(params, **{name: None}),
                )
            )
    return groups


def order_options(params, current):
    return [
        Option(label, link(params, order=value), selected=value == current)
        for value, label in ORDERS.items()
    ]
