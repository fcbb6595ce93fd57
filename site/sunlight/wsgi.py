"""WSGI entry point: `gunicorn sunlight.wsgi` (gunicorn.conf.py puts site/ on the path)."""

import os

from sunlight import settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
