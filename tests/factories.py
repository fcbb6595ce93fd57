"""factory_boy factories and the page helper the tests share."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

import factory

from disclosure.models import HomePage, PowerItem, ProcessStep, UnitGroup, UnitPage


def add_page(parent, instance):
    """Add `instance` under `parent` as Wagtail does, and return it fresh."""
    parent.add_child(instance=instance)
    return instance.__class__.objects.get(pk=instance.pk)


def home_page():
    return HomePage.objects.get()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("Staff-Pass-2026!")


def make_unit(parent=None, *, code, title=None, level="乡", unit_type="政府", **fields):
    """A published unit page under `parent` (the home page by default)."""
    unit = UnitPage(
        title=title or f"单位{code}",
        slug=code.lower(),
        code=code,
        level=level,
        unit_type=unit_type,
        **fields,
    )
    return add_page(parent or home_page(), unit)


def staff(unit, role, username=None):
    """A user in the unit's group for `role` (a UnitGroup.Role value)."""
    user = UserFactory(username=username or f"{unit.code.lower()}-{role}")
    link = UnitGroup.objects.get(unit=unit, role=role)
    user.groups.add(link.group)
    return user


def make_item(unit, code, *, steps=(), live=True, **fields):
    """A power item of `unit`, published (live) unless `live=False`, with `steps`
    given as dicts of ProcessStep fields in order."""
    values = {
        "name": f"事项{code}",
        "power_type": "行政确认",
        "basis": "《测试条例》第一条",
        "office": "党政办公室",
        "last_published_at": timezone.now() if live else None,
        **fields,
    }
    item = PowerItem.objects.create(unit=unit, code=code, live=live, **values)
    ProcessStep.objects.bulk_create(
        ProcessStep(item=item, sort_order=order, **step)
        for order, step in enumerate(steps)
    )
    return item


def make_result(item, *, publish=True, user=None, **fields):
    """A result of `item`, saved as a draft revision and, unless `publish=False`,
    published as the workflow's approval would (system dates set on publish)."""
    from disclosure.models import Result

    today = timezone.localdate()
    values = {
        "title": f"{item.name}办理结果",
        "act_date": today - datetime.timedelta(days=3),
        "result_date": today - datetime.timedelta(days=2),
        "outcome": "准予办理。",
        "handling_post": "窗口受理岗",
        **fields,
    }
    result = Result(unit=item.unit, item=item, live=False, entered_by=user, **values)
    result.save()
    revision = result.save_revision(user=user)
    if publish:
        revision.publish(user=user, skip_permission_checks=True)
    return Result.objects.get(pk=result.pk)
