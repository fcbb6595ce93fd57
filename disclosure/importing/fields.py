"""Field rules shared by every list: codes, fixed choices, lengths.

Codes are typed by hand in Excel, often with a Chinese input method on, so full-width
letters and digits (Ｓ０１) are folded to ASCII (NFKC) before anything compares them.
"""

import unicodedata
from collections.abc import Sequence

CODE_MAX_LENGTH = 32
REQUIRED = "必填，不能为空。"


def normalise_code(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def normalise_choice(text: str) -> str:
    """Choices are compared after NFKC too: 村（居）委会 is 村(居)委会."""
    return unicodedata.normalize("NFKC", text).strip()


def code_problem(code: str) -> str | None:
    if len(code) > CODE_MAX_LENGTH:
        return (
            f"编码“{code}”过长（{len(code)} 个字符），最多 {CODE_MAX_LENGTH} 个字符。"
        )
    if any(char.isspace() for char in code):
        return f"编码“{code}”不能含有空格等空白字符。"
    return None


def choice_problem(value: str, allowed: Sequence[str], label: str) -> str | None:
    if value in allowed:
        return None
    return f"{label}“{value}”无效，应为：{'、'.join(allowed)}。"


def length_problem(text: str, limit: int) -> str | None:
    if len(text) <= limit:
        return None
    return f"内容过长（{len(text)} 个字符），最多 {limit} 个字符。"
