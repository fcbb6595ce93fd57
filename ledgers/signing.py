"""签字背书 (seeds 001 第十一条（三）, 002): the principal leader reviews a list or
report, writes an opinion and signs; the sign-off is the basis of assessment and
accountability, so it records exactly what was signed.

A sign-off keeps a snapshot of the content and its SHA-256 over a canonical JSON
form. The content stays signed while its hash is unchanged; any later edit changes
the hash, so the sign-off no longer covers it and a new one is needed. Pure
functions: the services build the snapshot from rows.
"""

import hashlib
import json
from dataclasses import dataclass

SIGNED = "signed"
OUTDATED = "outdated"
UNSIGNED = "unsigned"
STATE_LABELS = {
    SIGNED: "已签字背书",
    OUTDATED: "签字后已有变更，需重新签字",
    UNSIGNED: "待签字",
}


class SigningError(ValueError):
    """A sign-off that cannot be made; the message is for staff."""


def canonical(snapshot) -> str:
    """One text for the same content, whatever the key order."""
    return json.dumps(
        snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )


def content_hash(snapshot) -> str:
    return hashlib.sha256(canonical(snapshot).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SignState:
    state: str
    latest: object = None  # the latest sign-off, if any

    @property
    def label(self):
        return STATE_LABELS[self.state]

    @property
    def is_signed(self):
        return self.state == SIGNED


def state_of(current_hash, latest_signoff):
    """Whether the newest sign-off still covers content hashing to `current_hash`."""
    if latest_signoff is None:
        return SignState(UNSIGNED)
    if latest_signoff.content_hash == current_hash:
        return SignState(SIGNED, latest_signoff)
    return SignState(OUTDATED, latest_signoff)


def check_sign(current_hash, latest_signoff, opinion, item_count):
    """Refuse an empty opinion, an empty list and a second signature on content
    already signed unchanged."""
    if not opinion.strip():
        raise SigningError("请填写审阅意见后再签字。")
    if item_count == 0:
        raise SigningError("清单还没有内容，不能签字背书。")
    if latest_signoff is not None and latest_signoff.content_hash == current_hash:
        raise SigningError("该内容已签字背书且此后没有变更，无需重复签字。")
