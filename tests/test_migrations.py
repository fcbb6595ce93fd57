from io import StringIO

from django.core.management import call_command

import pytest


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:
        pytest.fail("missing migrations:\n" + out.getvalue())
