"""search.analysis: normalisation, index tokens and query words (pure functions).

A document "matches" a query here exactly as the backends decide it: every group
has a term whose tokens appear one after another in the document's tokens.
"""

import pytest

from search import analysis

SYNONYMS = analysis.synonym_map(
    [["低保", "最低生活保障"], ["五保", "特困人员供养", "特困供养"]]
)


def matches(query, text, synonyms=SYNONYMS):
    tokens = analysis.index_tokens(text).split(" ")
    groups = analysis.query_groups(query, synonyms)
    return bool(groups) and all(
        any(
            _contains(tokens, *analysis.term_tokens(term)) or _near(tokens, term)
            for term in group
        )
        for group in groups
    )


def _near(tokens, term):
    """A long term's parts in order, at most loose_distance tokens between the
    first and the last (FTS5 NEAR over the phrase stream)."""
    parts = analysis.loose_parts(term)
    if not parts:
        return False
    wanted = [analysis.stream_tokens(part) for part in parts]
    starts = [
        [i for i in range(len(tokens)) if tokens[i : i + len(want)] == want]
        for want in wanted
    ]

    def reach(index, after):
        if index == len(wanted):
            return after
        for start in starts[index]:
            if start >= after:
                end = reach(index + 1, start + len(wanted[index]))
                if end is not None:
                    return end
        return None

    for first in starts[0]:
        end = reach(1, first + len(wanted[0]))
        if end is not None:
            last_start = end - len(wanted[-1])
            between = last_start - (first + len(wanted[0]))
            if between <= analysis.loose_distance(parts):
                return True
    return False


def _contains(tokens, wanted, prefix):
    for start in range(len(tokens) - len(wanted) + 1):
        window = tokens[start : start + len(wanted)]
        if window[:-1] != wanted[:-1]:
            continue
        last = window[-1]
        if last == wanted[-1] or (prefix and last.startswith(wanted[-1])):
            return True
    return False


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("ＡＢＣ１２３", "abc123"),
        ("補助", "补助"),
        ("農村危房改造", "农村危房改造"),
        ("（低保）", "(低保)"),
        ("面积<200㎡", "面积<200m2"),
        ("", ""),
    ],
)
def test_normalise(raw, normalised):
    assert analysis.normalise(raw) == normalised


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("低保", "最低生活保障对象认定（低保）"),
        ("宅基地", "农村村民宅基地审批"),
        ("危房改造", "农村危房改造补助审核"),
        ("城乡规划法", "《中华人民共和国城乡规划法》第四十一条"),
        ("土地管理法", "《中华人民共和国土地管理法》第六十二条"),
        ("一事一议", "村级一事一议筹资筹劳"),
        ("abc", "ＡＢＣ类项目"),
        ("ＡＢＣ", "abc类项目"),
        ("補助", "农村危房改造补助"),
        ("补助", "農村危房改造補助"),
        ("低保", "城乡最低生活保障对象审核确认"),  # synonym
        ("最低生活保障", "低保对象民主评议"),  # synonym, the other way round
        ("五保", "特困人员供养审核"),
        ("柳溪镇 救助", "柳溪镇社会事务办公室 《社会救助暂行办法》"),
        ("柳溪镇救助", "柳溪镇社会事务办公室 《社会救助暂行办法》"),
        ("低保的条件", "低保申请条件"),
        ("民政", "青山县民政局"),
        ("C级", "鉴定为C级或D级的危房"),
        ("镇", "柳溪镇"),
        ("生活保障", "最低生活保障"),
        ("Q-001", "编码 Q-001"),
        ("高龄津贴", "高龄老人津贴申领审核"),  # a long word's parts apart
        ("五保", "特困人员救助供养审核"),  # …and a synonym's
        ("危房改造", "危房鉴定后改造"),
    ],
)
def test_query_finds(query, text):
    assert matches(query, text)


@pytest.mark.parametrize(
    ("query", "text", "why"),
    [
        ("民政", "青山县人民政府", "民政 straddles 人民/政府"),
        (
            "城乡规划法",
            "城乡最低生活保障",
            "a law name is a phrase, not its characters",
        ),
        ("危房改造", "改造危房", "characters in another order"),
        ("柳溪镇 救助", "柳溪镇社会事务办公室 高龄津贴", "every word must match"),
        ("低保", "保低", "no lone characters"),
        ("宅基地", "住宅基础设施", "宅基 is there, 地 is not next to it"),
        ("武装部装备", "武装部民兵训练", "装备 is missing"),
        ("低保", "最低生活标准", "no synonym without the table"),
        (
            "高龄津贴",
            "高龄老人优待证办理，另有残疾人护理津贴",
            "a long word's parts too far apart",
        ),
        ("高龄津贴", "津贴高龄", "a long word's parts in another order"),
        ("宅基地", "住宅 基地", "three characters match as typed only"),
    ],
)
def test_query_does_not_find(query, text, why):
    synonyms = SYNONYMS if why != "no synonym without the table" else {}
    assert not matches(query, text, synonyms), why


@pytest.mark.parametrize(
    ("query", "groups"),
    [
        ("低保", [["低保", "最低生活保障"]]),
        ("柳溪镇 救助", [["柳溪镇"], ["救助"]]),
        ("低保的条件", [["低保", "最低生活保障"], ["条件"]]),
        ("低保户", [["低保", "最低生活保障"]]),
        ("危房改造", [["危房改造"]]),
        ("五保", [["五保", "特困人员供养", "特困供养"]]),
        ("Q-001", [["q"], ["001"]]),
        ("  ，。！", []),
        ("", []),
        ("镇", [["镇"]]),
        ("救助 救助", [["救助"]]),
    ],
)
def test_query_groups(query, groups):
    assert analysis.query_groups(query, SYNONYMS) == groups


@pytest.mark.parametrize(
    ("term", "parts"),
    [
        ("高龄津贴", ["高龄", "津贴"]),
        ("特困人员供养", ["特困人员", "供养"]),
        ("土地管理法", ["土地", "管理法"]),  # no part of one character
        ("一事一议", []),  # 一事/一/议 is one word once lone characters join
        ("宅基地", []),  # shorter than four characters
        ("镇 救助", []),  # one run only
        ("c级危房", []),
    ],
)
def test_loose_parts(term, parts):
    assert analysis.loose_parts(term) == parts


def test_the_same_analysis_at_index_and_query_time():
    """Full-width, traditional and upper-case forms index like their plain forms."""
    assert analysis.index_tokens("ＡＢＣ農村補助") == analysis.index_tokens(
        "abc农村补助"
    )


def test_punctuation_never_becomes_a_token():
    tokens = analysis.index_tokens("《社会救助暂行办法》第十一条；面积<200㎡").split()
    assert not [token for token in tokens if any(c in "《》；<" for c in token)]


def test_two_character_words_match_as_pairs_not_across_words():
    tokens = analysis.index_tokens("青山县人民政府").split()
    assert "民政" + analysis.PAIR_MARK not in tokens
    assert "人民" + analysis.PAIR_MARK in tokens
    assert "人民政府" in tokens  # a jieba word, for ranking


def test_synonym_map_is_symmetric_and_normalised():
    table = analysis.synonym_map([["低保", "最低生活保障", "低保"], ["補助", "补贴"]])
    assert table["低保"] == ("最低生活保障",)
    assert table["最低生活保障"] == ("低保",)
    assert table["补助"] == ("补贴",)


def test_snippet_is_plain_text_around_the_first_match():
    body = "前言" * 100 + "本集体经济组织成员且一户只能拥有一处宅基地" + "后记" * 100
    snippet = analysis.snippet(body, [["宅基地"]])
    assert "宅基地" in snippet
    assert len(snippet) <= 120
    assert snippet.startswith("…") and snippet.endswith("…")


def test_snippet_without_a_match_is_the_beginning():
    assert analysis.snippet("短文本", [["其他"]]) == "短文本"
    assert analysis.snippet("甲" * 200, [["乙"]]) == "甲" * 119 + "…"


def test_match_spans_mark_what_the_index_matched():
    """A two-character word where it is a pair only, a long word's parts where
    they matched apart; nothing for a part alone."""
    text = "青山县人民政府 县民政局 高龄老人津贴"
    marked = lambda groups: [text[a:b] for a, b in analysis.match_spans(text, groups)]  # noqa: E731
    assert marked([["民政"]]) == ["民政"]
    assert analysis.match_spans(text, [["民政"]])[0][0] == text.index("民政局")
    assert marked([["高龄津贴"]]) == ["高龄", "津贴"]
    assert marked([["高龄补贴"]]) == []


def test_match_spans_are_on_the_original_text():
    text = "ＡＢＣ與補助㎡低保"
    spans = analysis.match_spans(text, [["abc"], ["补助"], ["低保"]])
    assert [text[start:end] for start, end in spans] == ["ＡＢＣ", "補助", "低保"]
