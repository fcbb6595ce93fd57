"""A power item's 流程清单 drawn as an SVG flowchart, server-side (issue 4, part 2).

A pure function of the steps: no request, no template, no database, so the drawing is
tested on its own and works without JavaScript. Every text from the steps is XML
escaped and only ever placed in text nodes, never in attributes. Risk levels differ
by border shape and by a written label, not by colour alone (WCAG 2.1 1.4.1): 一级 a
double border, 二级 dashed, 三级 dotted. The chart is one image to assistive
technology (`role="img"` with `<title>` and `<desc>`); the page always shows the same
content as an ordered list beside it.
"""

import re
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT_SIZE = 15
TITLE_SIZE = 16
LINE_HEIGHT = 22
PADDING = 12
MARGIN = 16
MAIN_WIDTH = 440
SIDE_GAP = 56
SIDE_WIDTH = 220
ARROW_GAP = 36
TERMINAL_WIDTH = 120
TERMINAL_HEIGHT = 36
BADGE_WIDTH = 84
BADGE_HEIGHT = 26
INK = "#1a1a1a"
FONT_FAMILY = (
    "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
)


@dataclass(frozen=True)
class Border:
    """How a step box is outlined; colours keep at least 3:1 against white."""

    css: str
    colour: str
    width: float = 1.5
    dashes: str = ""
    double: bool = False


PLAIN = Border("step", INK)
#: 风险等级 → border: 一级 double, 二级 dashed, 三级 dotted.
RISK_BORDERS = {
    "一级": Border("step risk-1", "#a31515", 2.5, double=True),
    "二级": Border("step risk-2", "#a34a00", 2.5, dashes="8 4"),
    "三级": Border("step risk-3", "#6b5d00", 2.5, dashes="1 4"),
}

CHART_ID = re.compile(r"^[A-Za-z][\w-]*$")
#: Characters XML 1.0 does not allow, dropped rather than sent to the browser.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Line:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int
    lines: tuple[Line, ...]


def render_flowchart(steps, *, title, chart_id="flowchart"):
    """SVG markup for `steps` (objects with name, post, time_limit, branch, risk,
    risk_level and prevention), or "" when there are none.

    `chart_id` prefixes the ids of `<title>` and `<desc>`, so several charts can share
    a page; it must be a plain identifier.
    """
    if not CHART_ID.match(chart_id):
        raise ValueError(f"chart_id must be a plain identifier, not {chart_id!r}")
    steps = list(steps)
    if not steps:
        return ""
    has_branch = any(_text(step, "branch") for step in steps)
    width = MARGIN * 2 + MAIN_WIDTH + (SIDE_GAP + SIDE_WIDTH if has_branch else 0)
    centre = MARGIN + MAIN_WIDTH // 2
    parts = [_terminal(centre, MARGIN, "开始")]
    y = MARGIN + TERMINAL_HEIGHT
    for number, step in enumerate(steps, start=1):
        parts.append(_arrow_down(centre, y, y + ARROW_GAP))
        y += ARROW_GAP
        level = _risk_level(step)
        box = _box(MARGIN, y, MAIN_WIDTH, _step_lines(number, step, level))
        parts.append(_step_box(box, level))
        row_height = box.height
        if branch := _text(step, "branch"):
            side_lines = _wrap(["分支：" + branch], SIDE_WIDTH)
            side = _box(MARGIN + MAIN_WIDTH + SIDE_GAP, y, SIDE_WIDTH, side_lines)
            middle = y + min(box.height, side.height) // 2
            parts.append(_arrow_right(MARGIN + MAIN_WIDTH, side.x, middle))
            parts.append(_branch_box(side))
            row_height = max(row_height, side.height)
        y += row_height
    parts.append(_arrow_down(centre, y, y + ARROW_GAP))
    y += ARROW_GAP
    parts.append(_terminal(centre, y, "办结"))
    height = y + TERMINAL_HEIGHT + MARGIN
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title id="{chart_id}-title">{_escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{_escape(describe(steps, title))}</desc>'
        + "".join(parts)
        + "</svg>"
    )


def describe(steps, title):
    """The chart in one paragraph: what a screen reader announces for the image."""
    names = "、".join(
        f"{number}.{_text(step, 'name')}" for number, step in enumerate(steps, start=1)
    )
    sentences = [f"{title}：共{len(steps)}个环节，依次为{names}。"]
    risky = [_risk_level(step) for step in steps if _text(step, "risk")]
    if risky:
        levels = "、".join(
            f"{level}{risky.count(level)}处" for level in RISK_BORDERS if level in risky
        )
        sentences.append(f"风险点{len(risky)}处（{levels}）。")
    for number, step in enumerate(steps, start=1):
        if branch := _text(step, "branch"):
            name = _text(step, "name")
            sentences.append(f"第{number}环节“{name}”设有分支：{branch}。")
    sentences.append("图中内容与下方文字版流程相同。")
    return "".join(sentences)


def _text(step, field):
    return str(getattr(step, field, "") or "").strip()


def _risk_level(step):
    """The step's level when it has a risk point and a known level, else ""."""
    level = _text(step, "risk_level")
    return level if _text(step, "risk") and level in RISK_BORDERS else ""


def _escape(text):
    return escape(NOT_XML.sub("", text), {'"': "&quot;"})


def _step_lines(number, step, level):
    """The box text: name (leaving room for the level badge), post, time, risk."""
    room = MAIN_WIDTH - (BADGE_WIDTH + 8 if level else 0)
    lines = _wrap([f"{number}. {_text(step, 'name')}"], room, bold=True)
    details = []
    if post := _text(step, "post"):
        details.append("岗位：" + post)
    if time_limit := _text(step, "time_limit"):
        details.append("时限：" + time_limit)
    if risk := _text(step, "risk"):
        details.append(f"{level}风险点：{risk}")
        if prevention := _text(step, "prevention"):
            details.append("防控措施：" + prevention)
    return lines + _wrap(details, MAIN_WIDTH)


def _wrap(texts, box_width, bold=False):
    room = box_width - 2 * PADDING
    size = TITLE_SIZE if bold else FONT_SIZE
    return [
        Line(line, bold)
        for text in texts
        for paragraph in text.splitlines() or [""]
        for line in wrap(paragraph, room, size)
    ]


def wrap(text, room, size=FONT_SIZE):
    """Break `text` into lines no wider than `room` pixels at font `size`.

    Chinese has no spaces to break at, so any character may end a line; widths are
    estimated (full-width characters one em, others a little over half).
    """
    lines, current, used = [], "", 0.0
    for char in text:
        advance = _advance(char) * size
        if current and used + advance > room:
            lines.append(current)
            current, used = "", 0.0
        current += char
        used += advance
    lines.append(current)
    return lines


def _advance(char):
    return 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.62


def _box(x, y, width, lines):
    height = 2 * PADDING + LINE_HEIGHT * len(lines)
    return Box(x, y, width, height, tuple(lines))


def _text_lines(box):
    out = []
    for index, line in enumerate(box.lines):
        baseline = box.y + PADDING + LINE_HEIGHT * index + 16
        weight = ' font-weight="bold"' if line.bold else ""
        size = f' font-size="{TITLE_SIZE}"' if line.bold else ""
        out.append(
            f'<text x="{box.x + PADDING}" y="{baseline}"{weight}{size}>'
            f"{_escape(line.text)}</text>"
        )
    return "".join(out)


def _step_box(box, level):
    border = RISK_BORDERS.get(level, PLAIN)
    stroke = f'stroke="{border.colour}" stroke-width="{border.width}"'
    if border.dashes:
        stroke += f' stroke-dasharray="{border.dashes}" stroke-linecap="round"'
    parts = [
        f'<g class="{border.css}">',
        f'<rect x="{box.x}" y="{box.y}" width="{box.width}" height="{box.height}"'
        f' fill="#ffffff" {stroke}/>',
    ]
    if border.double:
        parts.append(
            f'<rect x="{box.x + 4}" y="{box.y + 4}" width="{box.width - 8}"'
            f' height="{box.height - 8}" fill="none" {stroke}/>'
        )
    if level:
        parts.append(_badge(box, level, stroke))
    parts.append(_text_lines(box))
    parts.append("</g>")
    return "".join(parts)


def _badge(box, level, stroke):
    """The written level in the box's top right corner, outlined like the box."""
    x = box.x + box.width - PADDING - BADGE_WIDTH
    y = box.y + 9
    return (
        f'<rect class="badge" x="{x}" y="{y}" width="{BADGE_WIDTH}"'
        f' height="{BADGE_HEIGHT}" fill="#ffffff" {stroke}/>'
        f'<text x="{x + BADGE_WIDTH // 2}" y="{y + 18}" text-anchor="middle"'
        f' font-weight="bold">{level}风险</text>'
    )


def _branch_box(box):
    return (
        f'<g class="branch"><rect x="{box.x}" y="{box.y}" width="{box.width}"'
        f' height="{box.height}" rx="14" fill="#f5f5f3" stroke="{INK}"'
        f' stroke-width="1.5"/>{_text_lines(box)}</g>'
    )


def _terminal(centre, y, label):
    x = centre - TERMINAL_WIDTH // 2
    return (
        f'<g class="terminal"><rect x="{x}" y="{y}" width="{TERMINAL_WIDTH}"'
        f' height="{TERMINAL_HEIGHT}" rx="18" fill="#ffffff" stroke="{INK}"'
        f' stroke-width="1.5"/><text x="{centre}" y="{y + 24}"'
        f' text-anchor="middle">{label}</text></g>'
    )


def _arrow_down(x, top, bottom):
    return (
        f'<path class="arrow" d="M{x} {top} V{bottom - 8}" stroke="{INK}"'
        f' stroke-width="2" fill="none"/>'
        f'<path d="M{x - 6} {bottom - 10} L{x} {bottom} L{x + 6} {bottom - 10} Z"'
        f' fill="{INK}"/>'
    )


def _arrow_right(left, right, y):
    return (
        f'<path class="arrow" d="M{left} {y} H{right - 8}" stroke="{INK}"'
        f' stroke-width="2" fill="none"/>'
        f'<path d="M{right - 10} {y - 6} L{right} {y} L{right - 10} {y + 6} Z"'
        f' fill="{INK}"/>'
    )
