#!/usr/bin/env python
"""Django's command-line utility; finds the project package in site/ by itself."""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))
    from sunlight import settings_module  # noqa: E402

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
