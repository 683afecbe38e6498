"""Text helpers shared by every stage: Unicode folding and Japanese sentence splitting.

Council documents mix full- and half-width forms (ＩＣＴ, ICT; １２３, 123), so text is
compared after NFKC normalisation. A Japanese sentence ends at 。！？ (or ! ?), with any
closing brackets that follow; a line break also ends one.

This module imports nothing from ``rag``.

>>> fold("ＩＣＴ　推進"), squash("ＩＣＴ 推進\\n課")
('ict 推進', 'ICT推進課')
>>> [s for _, s in sentences("理由は二つです。「一つ目」。\\nAnd two!")]
['理由は二つです。', '「一つ目」。', 'And two!']
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Iterator
from typing import Any

SENTENCE_ENDS = "。！？!?"
_END = rf"[{SENTENCE_ENDS}]+[」』）)]*"  # an end mark, and the closing brackets after it
# a sentence ends at its mark or at the end of its line (re.M: every line's end, not only
# the text's; without it each line with no mark but the last was dropped)
SENTENCE = re.compile(rf"[^{SENTENCE_ENDS}\n]+(?:{_END}|$)", re.M)
_AFTER_END = re.compile(rf"(?<=[{SENTENCE_ENDS}\n])")
SENTENCE_END = re.compile(rf"[{SENTENCE_ENDS}\n]")  # where a sentence or a line ends
_ENDED = re.compile(rf"{_END}$")
# after each sentence end only (a line break inside a sentence is no end)
AFTER_SENTENCE_END = re.compile(rf"(?<=[{SENTENCE_ENDS}])")
_SPACE = re.compile(r"\s+")
# Japanese eras: the Western year before each era's first year (令和1年, 元年, is 2019),
# by name and by the initial used in short dates (R5.9).
ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
ERA_INITIALS = {"r": "令和", "h": "平成", "s": "昭和"}
# English month names and their abbreviations → the month's number: one home for the
# dates a question states (rag.understanding), the words that are no names
# (rag.tokenizing) and the words the term list does not translate (rag.bilingual)
MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for m in names
}
_WRITTEN_YEAR = re.compile(r"(令和|平成|昭和)?([0-9]+|元)年")


# The context a follow-up carries before the question it asks (rag.followup.carried):
# 〔…〕 before a Japanese question, "(…) " before an English one
CARRIED = re.compile(r"^(?:〔(?P<ja>[^〔〕]*)〕|\((?P<en>[^()]*)\) )(?P<rest>.+)$", re.S)


def without_context(question: str) -> str:
    """The question a follow-up asks, without the context it carries in brackets: what its
    kind of ask is read from.

    >>> without_context("〔盛岡市はなぜクラウドにしたのか〕職員の負担は減りましたか")
    '職員の負担は減りましたか'
    """
    m = CARRIED.match(question)
    return m.group("rest") if m else question


def question_language(text: str) -> str:
    """``ja`` when the text has any kana or kanji, else ``en``."""
    return "ja" if re.search(r"[\u3040-\u30ff\u3400-\u9fff]", text) else "en"


def written_year(date: str) -> int | None:
    """The Western year of a written date: 令和5年度 → 2023, 令和元年 → 2019, 2023年9月 →
    2023; None when it names no year (3月11日). ``date`` is NFKC already.

    >>> written_year("令和元年"), written_year("2023年9月"), written_year("3月11日")
    (2019, 2023, None)
    """
    m = _WRITTEN_YEAR.match(date)
    if not m:
        return None
    year = 1 if m.group(2) == "元" else int(m.group(2))
    return year + ERAS[m.group(1)] if m.group(1) else year


# C0/C1 controls, zero-width and bidirectional marks: never meant in a question or filter.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


def nfkc(text: Any) -> str:
    """NFKC form of ``text`` (None → "")."""
    return unicodedata.normalize("NFKC", str(text or ""))


def fold(text: Any) -> str:
    """NFKC and lower case: the form in which names and filter values are compared."""
    return nfkc(text).lower()


def squash(text: Any) -> str:
    """NFKC with all white space removed: the form in which quotes and passages are
    compared, whatever the line breaks and spacing of the source."""
    return _SPACE.sub("", nfkc(text))


def strip_space(text: str) -> str:
    """``text`` without any white space (full-width spaces included), not otherwise
    normalised: 「井 上 裕 幾」 → 井上裕幾."""
    return _SPACE.sub("", text)


def sentences(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, sentence)`` for each sentence of ``text``, stripped of white space."""
    for m in SENTENCE.finditer(text):
        raw = m.group()
        sentence = raw.strip()
        if sentence:
            yield m.start() + (len(raw) - len(raw.lstrip())), sentence


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with a sentence's end mark (and any closing brackets after it),
    as :data:`SENTENCE` reads one: 「はい」。 does, a heading line does not."""
    return bool(_ENDED.search(text))


def split_after_ends(text: str) -> list[str]:
    """``text`` cut after each sentence end and line break, nothing dropped."""
    return _AFTER_END.split(text)


@functools.cache
def _digit_table() -> dict[int, str]:
    """Every character whose NFKC form holds a digit, a dot or a comma, to that form
    without commas; and the comma to nothing."""
    table = {}
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        n = unicodedata.normalize("NFKC", c)
        if n != c and any(x.isdigit() or x in ".," for x in n):
            table[code] = n.replace(",", "")
    table[ord(",")] = ""
    return table


def digits_folded(text: str) -> str:
    """``text`` with every character that NFKC turns into digits, dots or commas turned so,
    and commas dropped: a run of ASCII digits and dots is in it exactly when it is in
    ``nfkc(text).replace(",", "")``, at about half the cost (NFKC of 100 candidates was
    most of a number question's time at archive scale). The table is built at the first
    call (0.13 s)."""
    return text.translate(_digit_table())
