"""Chinese text analysis for search: the same steps at index and at query time.

Issue 6: residents must find "低保" inside "最低生活保障对象认定（低保）" and "宅基地"
inside "农村村民宅基地审批". Splitting on spaces finds neither, and jieba alone only
finds what it happens to cut out. So each field becomes one line of space-separated
tokens, which every backend indexes as it is, in three parts:

1. the phrase stream: the character bigrams of each run of Chinese (plus the run's
   last character), in reading order. A query word of three characters or more
   matches where its bigrams follow each other — wherever its characters appear in
   that order, as a phrase, never as loose characters;
2. pairs: the bigrams again, marked, except those straddling two words of jieba's
   finest cut (民政 is not in 人民政府 = 人民/政府). A two-character query word
   matches pairs only: "民政" must not find every unit called 人民政府;
3. words: jieba's words of three characters or more and, as its search mode does,
   their three-character dictionary sub-words (user dictionary of government terms
   in data/userdict.txt), for backends that look whole words up; the database
   backends match phrases and pairs only.

A query is cut into words (spaces, punctuation, then jieba with the same dictionary);
every word must match (AND), each word or any of its synonyms (OR). Text is first
normalised: NFKC folds full-width forms, traditional characters become simplified,
Latin is lower-cased; punctuation never becomes a token.

Pure functions only: the synonym table is passed in (see search.service).
"""

import logging
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import jieba
import opencc

USER_DICTIONARY = Path(__file__).resolve().parent / "data" / "userdict.txt"

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: A run of Chinese characters, or a run of other letters and digits.
RUN = re.compile(f"([{CJK}]+)|([^\\W_{CJK}]+)")
#: Words jieba emits that carry no meaning of their own in a query.
STOP_CHARACTERS = frozenset("的了和与及或在是之等对把被为于以其并而也都就吗呢吧啊")
STOP_WORDS = frozenset(
    {"什么", "怎么", "怎样", "如何", "哪里", "哪些", "请问", "有关", "相关"}
)
#: Jieba words shorter than this are already in the bigram stream.
MIN_WORD_LENGTH = 3
#: Marks a pair token (a private-use character: never in normalised text).
PAIR_MARK = "\ue000"
#: A term this long or longer also matches with other characters between its words
#: (see loose_parts), at most this many between two of them.
LOOSE_MIN_LENGTH = 4
LOOSE_GAP = 4

_converter = opencc.OpenCC("t2s")
_tokenizer = None
_tokenizer_lock = threading.Lock()


def tokenizer():
    """jieba with the user dictionary, loaded once per process on first use (~1 s).

    A private Tokenizer, so nothing else in the process changes our dictionary;
    its model cache goes to the system's temporary folder, quietly.
    """
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                instance = jieba.Tokenizer()
                instance.tmp_dir = tempfile.gettempdir()
                instance.load_userdict(str(USER_DICTIONARY))
                _tokenizer = instance
    return _tokenizer


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), traditional → simplified, lower case."""
    if not text:
        return ""
    return _converter.convert(unicodedata.normalize("NFKC", text)).lower()


def runs(normalised: str) -> list[tuple[str, bool]]:
    """(run, is_chinese) for each run of Chinese or of other letters/digits."""
    return [
        (cjk or other, bool(cjk))
        for cjk, other in RUN.findall(normalised)
        if cjk or other
    ]


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _stream(run: str, is_chinese: bool) -> list[str]:
    """A run's phrase tokens: its bigrams and its last character (or the word)."""
    if not is_chinese or len(run) == 1:
        return [run]
    return [*bigrams(run), run[-1]]


def _finest(word: str) -> list[str]:
    """A word cut into the smallest dictionary words it is made of
    (人民政府 → 人民/政府, 最低生活保障 → 最低/生活/保障)."""
    if len(word) <= 2:
        return [word]
    parts = _first_cut(word)
    if len(parts) == 1:
        return parts
    return [unit for part in parts for unit in _finest(part)]


@lru_cache(maxsize=8192)
def _words_and_breaks(run: str) -> tuple[list[str], frozenset[int]]:
    """jieba's words of a run, and the offsets between two of its finest words of
    two characters or more: a bigram across such an offset is no pair."""
    words = list(tokenizer().cut(run, HMM=False))
    units = [unit for word in words for unit in _finest(word)]
    strong_breaks, position = set(), 0
    for index, unit in enumerate(units):
        position += len(unit)
        following = units[index + 1] if index + 1 < len(units) else ""
        if len(unit) >= 2 and len(following) >= 2:
            strong_breaks.add(position)
    return words, frozenset(strong_breaks)


def _pairs_and_words(run: str) -> tuple[list[str], list[str]]:
    """The run's pair tokens and its jieba words of three characters or more.

    A pair is a bigram marked with PAIR_MARK, left out where it straddles two words
    of two characters or more: 民政 is not in 人民政府 (人民/政府), but is in
    县民政局 (县/民政/局). A two-character query matches pairs only.
    """
    words, strong_breaks = _words_and_breaks(run)
    pairs = [
        run[i : i + 2] + PAIR_MARK
        for i in range(len(run) - 1)
        if i + 1 not in strong_breaks
    ]
    long_words = []
    for word in words:
        if len(word) >= MIN_WORD_LENGTH:
            long_words.append(word)
        if len(word) > MIN_WORD_LENGTH:
            long_words += [
                word[i : i + MIN_WORD_LENGTH]
                for i in range(len(word) - MIN_WORD_LENGTH + 1)
                if tokenizer().FREQ.get(word[i : i + MIN_WORD_LENGTH])
            ]
    return list(dict.fromkeys(pairs)), long_words


@lru_cache(maxsize=8192)
def index_tokens(text: str) -> str:
    """The space-separated tokens indexed for `text`: the phrase stream, then the
    pairs, then the long words.

    Cached: lists repeat the same laws, offices and unit names thousands of times.
    """
    stream, pairs, words = [], [], []
    for run, is_chinese in runs(normalise(text)):
        stream += _stream(run, is_chinese)
        if is_chinese and len(run) >= 2:
            run_pairs, run_words = _pairs_and_words(run)
            pairs += run_pairs
            words += run_words
    return " ".join(stream + list(dict.fromkeys(pairs)) + words)


def document_tokens(texts: Iterable[str]) -> str:
    return " ".join(filter(None, (index_tokens(text) for text in texts if text)))


# Query side ---------------------------------------------------------------------


def term_tokens(term: str) -> tuple[list[str], bool]:
    """The index tokens a query term must match one after another, and whether the
    last one is a prefix (a one-character term matches any bigram it begins).

    Backends turn this into a phrase query: FTS5 `"危房 房改 改造"`, PostgreSQL
    `'危房' <-> '房改' <-> '改造'`, Elasticsearch `match_phrase` on the token field.
    """
    parts = runs(normalise(term))
    if len(parts) == 1 and parts[0][1] and len(parts[0][0]) == 2:
        return [parts[0][0] + PAIR_MARK], False
    tokens, prefix = [], False
    for position, (run, is_chinese) in enumerate(parts):
        last = position == len(parts) - 1
        if not is_chinese:
            tokens.append(run)
        elif len(run) == 1:
            tokens.append(run)
            prefix = last
        else:
            tokens += bigrams(run) if last else [*bigrams(run), run[-1]]
    return tokens, prefix


def phrase(term: str) -> str:
    """A term as the space-separated phrase to look for in the token fields."""
    return " ".join(term_tokens(term)[0])


def loose_parts(term: str) -> list[str]:
    """The words a long term also matches by when something stands between them:
    高龄津贴 finds 高龄老人津贴, and 特困人员供养 (a synonym of 五保) finds
    特困人员救助供养. Empty for a term that only matches as typed.

    A term of four Chinese characters or more is cut once by jieba below the whole
    word (高龄津贴 → 高龄/津贴); a lone character joins the word before it, or the
    next one at the start (土地管理法 → 土地/管理法, 小微权力 → 小微/权力), so no
    part is ever a single character. Backends look for the parts in order, at most
    LOOSE_GAP characters apart (FTS5 NEAR, Elasticsearch phrase slop); PostgreSQL
    asks for all of them, as it does for a term's own tokens.
    """
    parts = runs(normalise(term))
    if len(parts) != 1 or not parts[0][1] or len(parts[0][0]) < LOOSE_MIN_LENGTH:
        return []
    words = _merge_lone(_first_cut(parts[0][0]))
    return words if len(words) > 1 else []


def loose_distance(parts: list[str]) -> int:
    """How many phrase-stream tokens may stand between the first part and the last:
    each pair of neighbours is LOOSE_GAP characters apart at most, and a part's
    own tokens count in between (see `_stream`: one bigram per character)."""
    inner = sum(len(part) - 1 for part in parts[1:-1])
    return (len(parts) - 1) * (LOOSE_GAP + 1) + inner


def stream_tokens(part: str) -> list[str]:
    """A word's tokens as they stand in the phrase stream (its bigrams, unmarked):
    what a NEAR or sloppy phrase looks for, since pairs carry no positions."""
    return bigrams(part)


def _first_cut(word: str) -> list[str]:
    """jieba's best cut of `word` without the whole word itself."""
    dag = tokenizer().get_DAG(word)
    dag[0] = [end for end in dag[0] if end != len(word) - 1] or [0]
    route = {}
    tokenizer().calc(word, dag, route)
    parts, start = [], 0
    while start < len(word):
        end = route[start][1] + 1
        parts.append(word[start:end])
        start = end
    return parts


def _merge_lone(parts: list[str]) -> list[str]:
    merged: list[str] = []
    for part in parts:
        if merged and (len(part) == 1 or len(merged[-1]) == 1):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


def synonym_map(groups: Iterable[Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """{term: its synonyms} from synonym groups, every term normalised."""
    table: dict[str, list[str]] = {}
    for group in groups:
        terms = list(dict.fromkeys(t for t in (compact(term) for term in group) if t))
        for term in terms:
            others = table.setdefault(term, [])
            others += [
                other for other in terms if other != term and other not in others
            ]
    return {term: tuple(others) for term, others in table.items() if others}


def compact(text: str) -> str:
    """Normalised text with punctuation and spaces between Chinese runs dropped,
    runs of letters/digits kept apart by a space."""
    out = ""
    for run, is_chinese in runs(normalise(text)):
        if out and not (is_chinese and _ends_chinese(out)):
            out += " "
        out += run
    return out


def _ends_chinese(text: str) -> bool:
    return bool(re.search(f"[{CJK}]$", text))


def query_words(text: str, synonyms: Mapping[str, tuple] = None) -> list[str]:
    """The words of a query, each to be matched as a phrase.

    Synonym terms are found first (longest first) so "低保对象" keeps 低保 and its
    synonyms; the rest is cut by jieba. A lone character jieba leaves over (柳/溪/镇)
    joins its neighbour rather than matching everything that contains it; function
    words are dropped. A query of one character stays one character.
    """
    synonyms = synonyms or {}
    words = []
    for run, is_chinese in runs(normalise(text)):
        if not is_chinese:
            words.append(run)
        elif len(run) == 1:
            words.append(run)
        else:
            words += _segment(run, synonyms)
    return list(dict.fromkeys(words))


def _segment(run: str, synonyms: Mapping[str, tuple]) -> list[str]:
    pieces = []  # (text, is_synonym)
    rest_start = position = 0
    longest = max((len(term) for term in synonyms), default=0)
    while position < len(run):
        found = next(
            (
                run[position : position + size]
                for size in range(min(longest, len(run) - position), 1, -1)
                if run[position : position + size] in synonyms
            ),
            None,
        )
        if found is None:
            position += 1
            continue
        pieces += _jieba_pieces(run[rest_start:position])
        pieces.append((found, True))
        position = rest_start = position + len(found)
    pieces += _jieba_pieces(run[rest_start:])
    return _merge_single_characters(pieces)


def _jieba_pieces(text: str) -> list[tuple[str, bool]]:
    if not text:
        return []
    return [(word, False) for word in tokenizer().cut(text, HMM=False) if word.strip()]


def _merge_single_characters(pieces: list[tuple[str, bool]]) -> list[str]:
    """Glue a lone character to the word before it, or to the one after it at the
    start; lone characters in a row form a word of their own. Next to synonym terms
    only, a lone character is dropped, so that the synonyms still apply."""
    words: list[list] = []  # [text, is_synonym]
    pending = ""
    for text, synonym in pieces:
        if not synonym and (text in STOP_CHARACTERS or text in STOP_WORDS):
            continue
        if len(text) == 1 and not synonym:
            if not pending and words and not words[-1][1]:
                words[-1][0] += text
            else:
                pending += text
            continue
        if len(pending) == 1 and not synonym:
            text = pending + text
        elif len(pending) > 1:
            words.append([pending, False])
        pending = ""
        words.append([text, synonym])
    if len(pending) > 1 or (pending and not words):
        words.append([pending, False])
    return [text for text, _ in words]


def query_groups(text: str, synonyms: Mapping[str, tuple] = None) -> list[list[str]]:
    """AND of OR groups: each query word with its synonyms."""
    synonyms = synonyms or {}
    groups = []
    for word in query_words(text, synonyms):
        group = [word, *synonyms.get(word, ())]
        if group not in groups:
            groups.append(group)
    return groups


# Showing matches ----------------------------------------------------------------


def _normalised_with_offsets(text: str) -> tuple[str, list[int]]:
    """`text` normalised, and for each normalised character the index of the
    original character it came from."""
    whole = normalise(text)
    if len(whole) == len(text):
        return whole, list(range(len(text)))
    pieces, offsets = [], []
    for index, char in enumerate(text):
        folded = normalise(char)
        pieces.append(folded)
        offsets += [index] * len(folded)
    return "".join(pieces), offsets


def _term_pattern(term: str):
    parts = [re.escape(run) for run, _ in runs(normalise(term))]
    if not parts:
        return None
    return re.compile(r"[\W_]*".join(parts))


def _spans_of(folded: str, term: str) -> list[tuple[int, int]]:
    """Where `term` stands in the normalised text as the index matched it: a
    two-character word only where it is a pair (民政 in 民政局, not in 人民政府)."""
    pattern = _term_pattern(term)
    if pattern is None:
        return []
    parts = runs(normalise(term))
    pair = len(parts) == 1 and parts[0][1] and len(parts[0][0]) == 2
    return [
        (match.start(), match.end())
        for match in pattern.finditer(folded)
        if match.end() > match.start()
        and not (pair and _straddles(folded, match.start()))
    ]


def _straddles(folded: str, start: int) -> bool:
    """Whether the bigram at `start` crosses two words of its run."""
    cjk = re.compile(f"[{CJK}]")
    first = start
    while first > 0 and cjk.match(folded[first - 1]):
        first -= 1
    last = start + 2
    while last < len(folded) and cjk.match(folded[last]):
        last += 1
    _, breaks = _words_and_breaks(folded[first:last])
    return start - first + 1 in breaks


def _term_spans(folded: str, term: str) -> list[tuple[int, int]]:
    """The term where it stands; else, when every one of a long term's loose parts
    is there (analysis.loose_parts: how it matched), each part."""
    spans = _spans_of(folded, term)
    if spans:
        return spans
    found = [_spans_of(folded, part) for part in loose_parts(term)]
    if found and all(found):
        return [span for part_spans in found for span in part_spans]
    return []


def match_spans(text: str, groups: Iterable[Iterable[str]]) -> list[tuple[int, int]]:
    """(start, end) of every match of any query term in `text`, in order, merged
    where they overlap — for highlighting in the page (escape the rest). What is
    marked is what the index matched: pairs, phrases, or a long term's parts."""
    if not text:
        return []
    folded, offsets = _normalised_with_offsets(text)
    spans = []
    for group in groups:
        for term in group:
            for start, end in _term_spans(folded, term):
                spans.append((offsets[start], offsets[end - 1] + 1))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def snippet(text: str, groups: Iterable[Iterable[str]], length: int = 120) -> str:
    """Plain text of at most `length` characters around the first match (or the
    beginning), whitespace collapsed, cut ends marked with "…"."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    spans = match_spans(text, groups)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - length // 6, len(text) - length))
    end = start + length
    if start > 0:
        start += 1
    if end < len(text):
        end -= 1
    return (
        ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")
    )
