from io import StringIO
from pathlib import Path

from django.core.management import call_command

import pytest

from tests.factories import UserFactory

SAMPLE = Path(__file__).resolve().parent.parent / "disclosure" / "data"


@pytest.fixture
def sample_import(db):
    """The contract's sample lists, imported as an approved catalog."""
    admin = UserFactory(username="contract-admin", is_superuser=True, is_staff=True)
    call_command(
        "import_lists",
        "--units",
        str(SAMPLE / "units.csv"),
        "--powers",
        str(SAMPLE / "powers.csv"),
        "--steps",
        str(SAMPLE / "steps.csv"),
        "--approved-by",
        admin.username,
        stdout=StringIO(),
        stderr=StringIO(),
    )
