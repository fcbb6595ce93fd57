"""The process chart as SVG: a pure function of the steps (issue 4, part 2)."""

import re
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest

from disclosure.flowchart import render_flowchart, wrap

SVG = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"


def step(name, **fields):
    values = dict.fromkeys(
        ("post", "time_limit", "branch", "risk", "risk_level", "prevention"), ""
    )
    return SimpleNamespace(name=name, **{**values, **fields})


def parse(markup):
    """The markup must be well-formed XML: escaping mistakes break parsing."""
    return ElementTree.fromstring(markup)  # noqa: S314 (our own output)


def texts(svg):
    return [element.text or "" for element in svg.iter(f"{SVG}text")]


def step_groups(svg):
    return [
        group
        for group in svg.iter(f"{SVG}g")
        if group.get("class", "").split()[0] == "step"
    ]


STEPS = [
    step(
        "受理",
        post="窗口受理岗",
        time_limit="即办",
        branch="不予受理——一次性书面告知理由",
        risk="材料审核不严",
        risk_level="一级",
        prevention="双人复核",
    ),
    step("审查", post="审查岗", time_limit="5个工作日"),
    step(
        "决定",
        post="分管领导",
        risk="违规审批",
        risk_level="二级",
        prevention="集体研究",
    ),
    step("送达", post="窗口", risk="逾期送达", risk_level="三级"),
]


def test_no_steps_draw_nothing():
    assert render_flowchart([], title="某事项办理流程图") == ""


def test_the_chart_is_one_labelled_image_with_title_and_desc():
    svg = parse(render_flowchart(STEPS, title="宅基地审批办理流程图", chart_id="chart"))

    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-title chart-desc"
    assert svg.find(f"{SVG}title").get("id") == "chart-title"
    assert svg.find(f"{SVG}title").text == "宅基地审批办理流程图"
    desc = svg.find(f"{SVG}desc")
    assert desc.get("id") == "chart-desc"
    assert "共4个环节" in desc.text
    assert "1.受理、2.审查、3.决定、4.送达" in desc.text
    assert "风险点3处（一级1处、二级1处、三级1处）" in desc.text
    assert "第1环节“受理”设有分支：不予受理——一次性书面告知理由" in desc.text


def test_every_step_is_drawn_in_order_with_its_post_time_and_risk():
    svg = parse(render_flowchart(STEPS, title="流程图"))
    drawn = texts(svg)

    assert drawn[0] == "开始" and drawn[-1] == "办结"
    names = [text for text in drawn if re.match(r"^\d\. ", text)]
    assert names == ["1. 受理", "2. 审查", "3. 决定", "4. 送达"]
    for expected in (
        "岗位：窗口受理岗",
        "时限：即办",
        "一级风险点：材料审核不严",
        "防控措施：双人复核",
        "时限：5个工作日",
        "二级风险点：违规审批",
        "三级风险点：逾期送达",
    ):
        assert expected in drawn


@pytest.mark.parametrize(
    ("index", "level", "dashes", "rects"),
    [
        (0, "一级", None, 3),  # double border (two rects) and the badge
        (1, "", None, 1),
        (2, "二级", "8 4", 2),
        (3, "三级", "1 4", 2),
    ],
)
def test_risk_levels_differ_by_shape_and_text_not_only_colour(
    index, level, dashes, rects
):
    group = step_groups(parse(render_flowchart(STEPS, title="流程图")))[index]
    outlines = group.findall(f"{SVG}rect")

    assert len(outlines) == rects
    assert outlines[0].get("stroke-dasharray") == dashes
    labels = [text.text for text in group.findall(f"{SVG}text")]
    if level:
        assert f"{level}风险" in labels
        assert f"risk-{'一二三'.index(level[0]) + 1}" in group.get("class")
    else:
        assert not any("风险" in label for label in labels)


def test_a_rejection_branch_is_a_side_box_with_an_arrow():
    svg = parse(render_flowchart(STEPS, title="流程图"))
    branches = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "branch"]

    assert len(branches) == 1
    box = branches[0].find(f"{SVG}rect")
    assert box.get("rx")  # rounded: an outcome, not a step
    main = step_groups(svg)[0].find(f"{SVG}rect")
    assert float(box.get("x")) > float(main.get("x")) + float(main.get("width"))
    assert "分支：不予受理——一次性书面告知理由" in "".join(
        text.text for text in branches[0].iter(f"{SVG}text")
    )
    assert int(svg.get("width")) > 600  # room made for the side column


def test_without_branches_the_chart_is_one_column():
    svg = parse(render_flowchart(STEPS[1:], title="流程图"))
    assert int(svg.get("width")) < 500


@pytest.mark.parametrize(
    "field", ["name", "post", "time_limit", "branch", "risk", "prevention"]
)
def test_every_text_is_escaped(field):
    fields = {"name": "受理", "risk_level": "一级", "risk": "风险"}
    fields[field] = f"{SCRIPT}面积<200㎡ & \"quoted\" 'single'"
    markup = render_flowchart(
        [step(**fields)], title=f"{SCRIPT}流程图", chart_id="chart"
    )

    assert "<script" not in markup
    assert "&lt;script&gt;" in markup
    svg = parse(markup)  # still well-formed
    assert svg.find(f"{SVG}title").text == f"{SCRIPT}流程图"
    assert "面积<200㎡" in "".join(texts(svg)) + svg.find(f"{SVG}desc").text


def test_control_characters_are_dropped_so_the_markup_stays_valid():
    parse(render_flowchart([step("受\x00理\x1b")], title="流\x08程图"))


@pytest.mark.parametrize("bad_id", ['x" onload="alert(1)', "1abc", "", "a b"])
def test_the_chart_id_must_be_a_plain_identifier(bad_id):
    with pytest.raises(ValueError, match="chart_id"):
        render_flowchart(STEPS, title="流程图", chart_id=bad_id)


def test_long_chinese_text_wraps_inside_its_box():
    long_risk = "对申请材料的真实性、完整性审核不严，" * 6
    svg = parse(
        render_flowchart([step("审核", risk=long_risk, risk_level="二级")], title="图")
    )
    group = step_groups(svg)[0]
    box = group.find(f"{SVG}rect")
    lines = [t for t in group.findall(f"{SVG}text") if t.text != "二级风险"]

    assert len(lines) > 4
    assert "".join(t.text for t in lines[1:]) == f"二级风险点：{long_risk}"
    bottom = float(box.get("y")) + float(box.get("height"))
    assert all(float(t.get("y")) < bottom for t in lines)


def test_wrap_counts_full_width_characters_as_one_em():
    assert wrap("一二三四五六", room=45, size=15) == ["一二三", "四五六"]
    assert wrap("abcdef", room=45, size=15) == ["abcd", "ef"]
    assert wrap("", room=45) == [""]
