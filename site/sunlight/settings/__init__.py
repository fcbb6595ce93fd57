"""Picks the settings from the environment: DEBUG=1 means development, else production.

Nobody has to set DJANGO_SETTINGS_MODULE: manage.py and wsgi point here.
"""

from .env import env_bool

if env_bool("DEBUG", default=False):
    from .dev import *  # noqa: F403
else:
    from .production import *  # noqa: F403
