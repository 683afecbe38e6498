"""What a question says about where its answer is: dates and eras, meetings, bill numbers.

Council staff write 「令和4年度の予算特別委員会で…」, 「R4」, 「2022年9月」, "March 2020",
「昨年度」, 「議案第70号」. :func:`understand` reads these into :class:`Hints`. They are soft:
the reranker weighs a passage that matches them higher (features ``date_match``,
``meeting_match``, ``bill_match`` of :mod:`rag.rerank`), and never drops one that does not,
so a misread hint cannot empty a result. :meth:`Hints.labels` says what was understood, for
the answer and the UI (「質問から読み取り: 2022年度」), and a caller can turn them off, all or by label.

A 年度 (fiscal year) runs from April to March: 令和4年度 is 2022-04 to 2023-03. A council
speaks of a fiscal year's matters from its budget, deliberated in the first session of the
calendar year (February to March) before the year opens, to its settlement of accounts in
the autumn after it closes: so a question's 年度 hints at meetings from January of its first
calendar year to December of its second (:func:`fiscal_window`). A date that dates something
else than a meeting (「2020年の全国がん登録」, 「令和6年1月の入居者募集」, "the January 2024
lottery") is no hint at the meeting: reports of it come years later, notices months
before. A full date (with its day), a month and anything a council does at a sitting
(一般質問, 欠席議員, 補正予算) still date the sitting. A date with 以降 (since) hints at
everything after it.

>>> h = understand("令和4年度の予算特別委員会で議案第70号はどうなった", today=datetime.date(2024, 6, 1))
>>> (h.date_from, h.date_to, h.meetings, h.bills)
('2022-01', '2023-12', ('予算特別委員会',), ('議案第70号',))
>>> understand("昨年度の待機児童数は", today=datetime.date(2024, 6, 1)).labels("ja")
['2023年度']
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from rag.text import ERA_INITIALS, ERAS, MONTHS, nfkc

_YEAR = r"(?:(?P<era>令和|平成|昭和|(?<![A-Za-z])[RHS])\s*(?P<eyear>元|\d{1,2})|(?P<year>(?:19|20)\d{2}))"
_JA_DATE = re.compile(
    _YEAR + r"(?P<fy>年度)?(?:年?(?P<month>\d{1,2})月)?(?:(?P<day>\d{1,2})日)?(?=\D|$)",
    re.I,
)
_EN_DATE = re.compile(
    r"\b(?P<month>"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?\s+(?P<year>(?:19|20)\d{2})\b"
    r"|\b(?:fiscal\s+(?:year\s+)?|FY\s?)(?P<fy>(?:19|20)\d{2})\b",
    re.I,
)
_RELATIVE = {"昨年度": ("fy", -1), "前年度": ("fy", -1), "今年度": ("fy", 0), "本年度": ("fy", 0)}
_RELATIVE |= {"昨年": ("y", -1), "去年": ("y", -1), "今年": ("y", 0), "last year": ("y", -1)}
_RELATIVE |= {"this year": ("y", 0), "last fiscal year": ("fy", -1)}
# after a date: 以降 (since) leaves the period open; 「の」 and a noun that no meeting
# deliberates names a thing of that date, not the meeting's (see the module's docstring); a
# report's 視察 (inspection visit) is its meeting
_SINCE = re.compile(r"\s*(?:以降|以来|以後|より後|から(?![^、。]{0,4}?(?:まで|令和|平成|\d)))")
_SINCE_BEFORE_EN = re.compile(r"\b(?:since|after)\s+(?:the\s+)?$", re.I)
# an English date names a thing only inside a noun phrase: "the January 2024 lottery"
_NOUN_PHRASE_EN = re.compile(r"\b(?:the|a|an|its|their|this|that|[a-z]+'s)\s+$", re.I)
_SINCE_AFTER_EN = re.compile(r"\s*(?:onwards?|or later)\b", re.I)
_OF_THING = re.compile(r"\s*の\s*([^\s、。,.?？!！をはがでにとへもや]{1,20})")
_THING_EN = re.compile(
    r"^\s+(?!(?:and|or|to|at|in|on|of|by|for|from|with|when|was|were|is|are|did|do|does|"
    r"had|has|have|the|a|an|what|which|who|how|meeting|session|sitting)\b)"
    r"([a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,3})"
)
_DELIBERATED = re.compile(
    r"委員会|定例会|臨時会|本会議|議会|会議|審査|審議|時点|現在|予算|決算|補正|議案|請願|陳情"
    r"|視察|質問|質疑|答弁|討論|採決|表決|意見書|条例|施政方針|所信表明|議員|出席|欠席|説明員"
    r"|発言|報告|^\d"
    r"|committee|session|meeting|sitting|plenary|council|assembly|budget|accounts|bill|petition"
    r"|inspection|visit|question|answer|debate|vote|ordinance|resolution|member|attend|absent"
    r"|speech|address|report",
    re.I,
)
_MEETING = re.compile(
    r"(?:第\s*\d+\s*回)?(?:定例会|臨時会)|[一-龥ァ-ヴー]{1,12}?(?:特別)?委員会|本会議"
)
_BILL = re.compile(
    r"(?P<prefix>[市区町村都道府県]?(?:議員提出)?)(?:第\s*(?P<n1>\d+)\s*号\s*)?"
    r"(?P<kind>議案|請願|陳情|報告|諮問|発議)(?:\s*第\s*(?P<n2>\d+)\s*号)?"
)


@dataclass(frozen=True)
class Hints:
    """Dates (ISO prefixes, inclusive), meetings and bills named in a question."""

    date_from: str | None = None
    date_to: str | None = None
    meetings: tuple[str, ...] = ()
    bills: tuple[str, ...] = ()
    fiscal: bool = False  # the date range is a 年度
    since: bool = False  # the period and everything after it (令和元年度以降)
    relative: bool = False  # read from 昨年度 / last year: a period that moves with today

    def __bool__(self) -> bool:
        return bool(self.date_from or self.meetings or self.bills)

    def years(self) -> set[int]:
        """The year a figure the question asks for is of: the year its period opens in (a
        年度's window opens in the January of its own year, :func:`fiscal_window`); none
        for an open period (以降, since), nor for one read against today (昨年度, last
        year), which an answer's figures do not know.

        >>> understand("How many took part in fiscal 2022?").years()
        {2022}
        """
        if not self.date_from or self.since or self.relative:
            return set()
        return {int(self.date_from[:4])}

    def labels(self, lang: str = "ja") -> list[str]:
        """What was understood, one label per hint: 「2022年度」, 「2020年3月」, 「議案第70号」."""
        out: list[str] = []
        if self.date_from and self.date_to:
            out.append(_date_label(self.date_from, self.date_to, self.fiscal, lang, self.since))
        return out + list(self.meetings) + list(self.bills)

    def without(self, labels: Collection[str]) -> Hints:
        """These hints less those whose label (in either language) is in ``labels``: what
        the asker unticked.

        >>> understand("令和4年度の予算特別委員会", today=datetime.date(2024, 6, 1)).without(["2022年度"]).labels()
        ['予算特別委員会']
        """
        if not labels:
            return self
        gone = set(labels)
        dated = bool(self.date_from and self.date_to) and not any(
            _date_label(self.date_from or "", self.date_to or "", self.fiscal, lang, self.since)
            in gone
            for lang in ("ja", "en")
        )
        return Hints(
            self.date_from if dated else None,
            self.date_to if dated else None,
            tuple(m for m in self.meetings if m not in gone),
            tuple(b for b in self.bills if b not in gone),
            self.fiscal and dated,
            self.since and dated,
            self.relative and dated,
        )

    def date_matches(self, date: str) -> bool:
        if not self.date_from or not date:
            return False
        assert self.date_to is not None
        return self.date_from <= date[: len(self.date_from)] and (
            self.since or date[: len(self.date_to)] <= self.date_to
        )

    def meeting_matches(self, meta: Mapping[str, Any]) -> bool:
        names = nfkc(
            f"{meta.get('meeting') or ''} {meta.get('title') or ''} {meta.get('committee') or ''}"
        )
        return any(m in names for m in self.meetings)

    def bill_matches(self, text: str, meta: Mapping[str, Any]) -> bool:
        if not self.bills:
            return False
        items = {nfkc(str(d.get("item") or "")) for d in meta.get("decisions") or []}
        folded = nfkc(text).replace(" ", "")
        return any(b in items or b in folded for b in self.bills)

    def to_json(self) -> dict[str, Any]:
        return {
            "date_from": self.date_from,
            "date_to": None if self.since else self.date_to,
            "since": self.since,
            "meetings": list(self.meetings),
            "bills": list(self.bills),
            "labels": self.labels(),
        }


def same_day(stated: str, date: str) -> bool:
    """Whether a date stated without its year (11月29日) is the month and day of ``date``
    (ISO, 2024-11-29): a question's own reading of a header's day, which no filter makes
    of it (a month and day alone name no year to filter on)."""
    m = re.fullmatch(r"([0-9]+)月([0-9]+)日", stated)
    return bool(
        m and len(date) >= 10 and (int(date[5:7]), int(date[8:10])) == (int(m[1]), int(m[2]))
    )


def _date_label(start: str, end: str, fiscal: bool, lang: str, since: bool = False) -> str:
    if since:
        first = _date_label(start, start, fiscal, lang)
        return f"{first}以降" if lang == "ja" else f"since {first}"
    if fiscal:
        return f"{start[:4]}年度" if lang == "ja" else f"FY{start[:4]}"
    if start == end:
        y, *rest = start.split("-")
        if lang != "ja":
            return start
        return f"{y}年" + "".join(f"{int(x)}{u}" for x, u in zip(rest, ("月", "日"), strict=False))
    return f"{start}–{end}"


def _year(m: re.Match[str]) -> int:
    if m["era"]:
        base = ERAS[ERA_INITIALS.get(m["era"].lower(), m["era"])]
        return base + (1 if m["eyear"] == "元" else int(m["eyear"]))
    return int(m["year"])


def fiscal_window(year: int) -> tuple[str, str]:
    """The meetings that speak of fiscal ``year``'s matters: from its budget (deliberated
    January to March before it opens) to its settlement of accounts (the autumn after).

    >>> fiscal_window(2022)
    ('2022-01', '2023-12')
    """
    return f"{year:04d}-01", f"{year + 1:04d}-12"


def _dates_a_thing(after: str, before: str = "", english: bool = False) -> bool:
    """Whether the words around a date make it the date of a thing no meeting is named by
    (「の全国がん登録」, "the January 2024 lottery"), not of the sitting, what it did or a
    bill it deliberated (「の一般質問」, 「の6月」, "in March 2020 about schools")."""
    if english and not _NOUN_PHRASE_EN.search(before):
        return False
    m = (_THING_EN if english else _OF_THING).match(after)
    return m is not None and not _DELIBERATED.search(m[1])


def meeting_names(meeting: str) -> list[str]:
    """The names a question would use for a meeting: 「令和6年第4回定例会 第9号」 →
    第4回定例会; 「予算特別委員会」 → itself."""
    return [m for m in understand(meeting).meetings]


def understand(question: str, today: datetime.date | None = None) -> Hints:
    """The hints a question carries; an empty :class:`Hints` when it names none."""
    text = nfkc(question)
    today = today or datetime.date.today()
    start = end = None
    fiscal = False
    lower = text.lower()
    since = relative = False
    for phrase, (unit, delta) in _RELATIVE.items():
        at = lower.find(phrase)
        if at >= 0:
            if unit == "y" and _dates_a_thing(
                text[at + len(phrase) :], lower[:at], english=phrase.isascii()
            ):
                continue  # 昨年の台風: a thing of last year
            if unit == "fy":
                fy = (today.year if today.month >= 4 else today.year - 1) + delta
                (start, end), fiscal = fiscal_window(fy), True
            else:
                start = end = f"{today.year + delta:04d}"
            relative = True
            break
    for m in _JA_DATE.finditer(text):
        # a bare number must look like a year: an era, or 年 / 年度 / 月 after it
        if not m["era"] and not re.match(r"\s*年", text[m.end("year") :]):
            continue
        year = _year(m)
        if not 1900 < year < 2100 or (m["era"] and m["eyear"] != "元" and int(m["eyear"]) == 0):
            continue
        after = re.sub(r"^\s*年", "", text[m.end() :])
        since = bool(_SINCE.match(after))
        if m["fy"]:
            (start, end), fiscal = fiscal_window(year), True
        elif not (since or m["day"]) and _dates_a_thing(after):
            continue
        elif m["month"] and 1 <= int(m["month"]) <= 12:
            month = f"{year:04d}-{int(m['month']):02d}"
            if m["day"] and 1 <= int(m["day"]) <= 31:
                month += f"-{int(m['day']):02d}"
            start = end = month
            fiscal = False
        else:
            start = end = f"{year:04d}"
            fiscal = False
        relative = False  # a written date is the one meant
        break
    if start is None:
        for m in _EN_DATE.finditer(question):
            after = question[m.end() :]
            since = bool(
                _SINCE_BEFORE_EN.search(question[: m.start()]) or _SINCE_AFTER_EN.match(after)
            )
            if m["fy"]:
                (start, end), fiscal = fiscal_window(int(m["fy"])), True
            elif not since and _dates_a_thing(after, question[: m.start()], english=True):
                continue
            else:
                start = end = f"{int(m['year']):04d}-{MONTHS[m['month'].lower()]:02d}"
            break
    found = (m.group().replace(" ", "") for m in _MEETING.finditer(text))
    # 定例会 or 本会議 alone names every plenary: only a numbered session or a committee counts
    meetings = tuple(dict.fromkeys(m for m in found if m not in ("定例会", "臨時会", "本会議")))
    bills = []
    for m in _BILL.finditer(text):
        number = m["n2"] or m["n1"]
        if number:
            prefix = m["prefix"] or ""
            bills.append(
                f"{prefix}第{int(number)}号{m['kind']}"
                if m["n1"] and not m["n2"]
                else f"{prefix}{m['kind']}第{int(number)}号"
            )
    dated = bool(start)
    return Hints(
        start,
        end,
        meetings,
        tuple(dict.fromkeys(bills)),
        fiscal,
        since and dated,
        relative and dated,
    )
