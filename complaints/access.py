"""The reporter's key to a report: a 查询码 and a 查询密码 they choose (DESIGN rule 6,
contract: 16 digits).

The code comes from `secrets` (10^16 possibilities); the password is stored only as
an Argon2id hash. Django's default PBKDF2 takes about half a second on the servers
this runs on, which no intake load survives, so the cost is set in
REPORT_PASSWORD_ARGON2 and tuned to tens of milliseconds (see README for the
measurement). Parameters live in each hash, so retuning never breaks old hashes.
"""

import hashlib
import secrets
from functools import lru_cache

from django.conf import settings

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

CODE_DIGITS = 16
#: Verified against when a 查询码 is unknown, so timing does not reveal which exist.
_DUMMY = {}


def new_code():
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalise_code(text):
    """Digits only: the code may be typed grouped by spaces or hyphens."""
    return "".join(ch for ch in (text or "") if ch.isdigit())


@lru_cache(maxsize=4)
def _hasher(time_cost, memory_cost, parallelism):
    return PasswordHasher(
        time_cost=time_cost,
        memory_cost=memory_cost,
        parallelism=parallelism,
        type=Type.ID,
    )


def hasher():
    params = settings.REPORT_PASSWORD_ARGON2
    return _hasher(params["time_cost"], params["memory_cost"], params["parallelism"])


def hash_password(password):
    return hasher().hash(password)


def check_password(password, encoded):
    """Whether `password` matches; with `encoded` None, spend the same time and
    answer False."""
    if encoded is None:
        if "hash" not in _DUMMY:
            _DUMMY["hash"] = hash_password(secrets.token_urlsafe(16))
        encoded = _DUMMY["hash"]
        password = password + "\0"
    try:
        return hasher().verify(encoded, password)
    except (VerificationError, InvalidHashError):
        return False


def submission_key(token):
    """What is stored for a form's one-time token: its digest, so a resubmission is
    recognised without the token itself being kept."""
    return hashlib.sha256(f"report-form:{token}".encode()).hexdigest()


def new_form_token():
    return secrets.token_urlsafe(24)


def reports_of_identity(name, id_number, phone):
    """Real-name reports filed with exactly this identity, found by its keyed
    digest (under every configured key) — the identity itself is never searched."""
    from sunlight import crypto

    from .models import Report, identity_key

    digests = crypto.lookup_candidates(identity_key(name, id_number, phone))
    return list(
        Report.objects.filter(anonymous=False, identity_digest__in=digests).order_by(
            "received_on", "pk"
        )
    )


def reset_password(reports, password):
    """A new 查询密码 for reports whose reporter proved their identity."""
    from django.db import transaction

    from .models import Report, ReportEvent, coarse_now

    encoded = hash_password(password)
    with transaction.atomic():
        Report.objects.filter(pk__in=[r.pk for r in reports]).update(
            password_hash=encoded
        )
        ReportEvent.objects.bulk_create(
            ReportEvent(
                report=report,
                kind=ReportEvent.Kind.PASSWORD_RESET,
                note="举报人核验身份后找回查询码并重设查询密码。",
                created_at=coarse_now(),
            )
            for report in reports
        )
