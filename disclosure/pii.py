"""The personal-data guard (DESIGN rule 2): ID numbers, mobile phones and bank cards
are never published. Pure functions: find, describe and mask matches in text.

Resident ID numbers follow GB 11643-1999 (17 digits, a valid birth date and an
ISO 7064 MOD 11-2 check character); bank card numbers pass the Luhn check; mobile
numbers are 11 digits starting 13–19. Digits inside longer digit runs never match.
"""

import datetime
import re
from dataclasses import dataclass

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
KIND_LABELS = {"id_number": "身份证号", "mobile": "手机号码", "bank_card": "银行卡号"}

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)")
_CARD = re.compile(r"(?<![\d-])((?:\d[ -]?){15,18}\d)(?![\d-])")


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    masked: str

    @property
    def label(self):
        return KIND_LABELS[self.kind]


def id_check_char(first17):
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True)
    )
    return ID_CHECK[total % 11]


def is_valid_id_number(value):
    """An 18-character resident ID with a real birth date and the right check character."""
    value = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if not datetime.date(1900, 1, 1) <= birth <= datetime.date.today():
        return False
    return id_check_char(value[:17]) == value[17]


def passes_luhn(digits):
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def mask(value, keep_start, keep_end):
    """Keep the first and last characters, star out the middle."""
    compact = re.sub(r"[ -]", "", value)
    hidden = len(compact) - keep_start - keep_end
    return (
        compact[:keep_start] + "*" * max(hidden, 0) + compact[len(compact) - keep_end :]
    )


def find_personal_data(text):
    """Every ID number, mobile number and bank card number in `text`, in order."""
    if not text:
        return []
    findings: list[Finding] = []
    taken: list[range] = []

    def add(kind, match, masked):
        span = range(match.start(1), match.end(1))
        if any(span.start < other.stop and other.start < span.stop for other in taken):
            return
        taken.append(span)
        findings.append(Finding(kind, span.start, span.stop, masked))

    for match in _ID.finditer(text):
        if is_valid_id_number(match.group(1)):
            add("id_number", match, mask(match.group(1).upper(), 6, 4))
    for match in _MOBILE.finditer(text):
        add("mobile", match, mask(match.group(1), 3, 4))
    for match in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", match.group(1))
        if 16 <= len(digits) <= 19 and passes_luhn(digits):
            add("bank_card", match, mask(digits, 4, 4))
    return sorted(findings, key=lambda finding: finding.start)


def redact(text):
    """`text` with every finding replaced by its masked form (for comments, exports)."""
    findings = find_personal_data(text)
    for finding in reversed(findings):
        text = text[: finding.start] + finding.masked + text[finding.end :]
    return text


def describe(field_label, findings):
    """A message naming where personal data was found, with masked matches only."""
    parts = "、".join(f"{finding.label}“{finding.masked}”" for finding in findings)
    return f"“{field_label}”中含有个人信息：{parts}。请删除后再发布。"
