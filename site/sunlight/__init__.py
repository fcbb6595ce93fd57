import os


def settings_module(environ=None):
    """DEBUG=1 means the development settings; anything else is production.

    manage.py and wsgi call this, so nobody has to set DJANGO_SETTINGS_MODULE.
    """
    from sunlight.settings.env import env_bool

    debug = env_bool(
        "DEBUG", default=False, environ=os.environ if environ is None else environ
    )
    return "sunlight.settings.dev" if debug else "sunlight.settings.production"
