"""factory_boy factories and the page helper the tests share."""

from django.contrib.auth import get_user_model

import factory

from disclosure.models import HomePage, UnitGroup, UnitPage


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
