"""Access logging that keeps reporters anonymous (DESIGN rule 9).

Access logs are kept (网络安全法: six months) but requests to the report pages carry
no client address, forwarded-for chain or user agent — in Django's own log records and
in gunicorn's access log alike.
"""

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

PRIVATE_PATH_PREFIXES = ("/report",)
IDENTIFYING_HEADERS = (
    "user-agent",
    "forwarded",
    "x-forwarded-for",
    "x-real-ip",
    "referer",
    "remote-addr",
    "remote-host",
)
IP_PATTERN = re.compile(
    r"\b(?:\d{1,3}\.){3}\d{1,3}\b|\b(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\b",
    re.IGNORECASE,
)


def is_private_path(path):
    return any(
        path == prefix or path.startswith(prefix + "/")
        for prefix in PRIVATE_PATH_PREFIXES
    )


def scrub_access_atoms(atoms, path):
    """Gunicorn's log atoms with every identifying value blanked on private paths."""
    if not is_private_path(path):
        return atoms
    scrubbed = dict(atoms)
    scrubbed["h"] = "-"
    scrubbed["a"] = "-"
    scrubbed["f"] = "-"
    for key in atoms:
        if not key.startswith("{"):
            continue
        # Header atoms ({user-agent}i) and environ atoms ({http_user_agent}e,
        # {remote_addr}e) alike.
        name = key[1:].rsplit("}", 1)[0].lower().replace("_", "-")
        if any(header in name for header in IDENTIFYING_HEADERS):
            scrubbed[key] = "-"
    return scrubbed


class PrivacyAccessLogger(GunicornLogger):
    """gunicorn `logger_class` (see gunicorn.conf.py)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return scrub_access_atoms(atoms, environ.get("PATH_INFO", ""))


class PrivatePathFilter(logging.Filter):
    """Strips addresses and the request object from records about private paths."""

    def filter(self, record):
        message = record.getMessage()
        request = getattr(record, "request", None)
        path = getattr(request, "path", "") or ""
        if not (
            is_private_path(path)
            or any(p + "/" in message for p in PRIVATE_PATH_PREFIXES)
        ):
            return True
        record.msg = IP_PATTERN.sub("-", message)
        record.args = ()
        if request is not None:
            record.request = None
        return True
