"""WSGI entry point: `gunicorn sunlight.wsgi` from the repository root or anywhere else."""

import os
import sys
from pathlib import Path

SITE_DIR = Path(__file__).resolve().parent.parent
if str(SITE_DIR) not in sys.path:
    sys.path.insert(0, str(SITE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
