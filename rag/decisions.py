"""Decisions: what a meeting decided on each 議案, 請願 and 陳情, read from the chair's words.

Councils record a decision in a fixed form. The chair puts an item on the floor
(「日程第３、議案第146号を議題といたします」), takes the vote (「御異議ありませんか」,
「賛成の諸君の起立を求めます」, 「押しボタンによる記名投票といたします」) and pronounces
the result (「よって、議案第146号は原案のとおり可決されました」). :class:`DecisionReader` reads
procedural text in document order, keeping track of the items on the floor and the voting
method, and returns a :class:`Decision` for every result pronounced.

>>> reader = DecisionReader(date="2024-12-10")
>>> text = "日程第３、議案第146号を議題といたします。\\nお諮りいたします。本案は原案のとおり可決することに御異議ありませんか。\\n（「異議なし」と呼ぶ者あり）\\n御異議なしと認めます。よって、議案第146号は原案のとおり可決されました。"
>>> [(d.item, d.result, d.method) for d in reader.feed(text)]
[('議案第146号', '可決', '異議なし')]
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from rag.text import SENTENCE, nfkc, squash

RESULTS = ("不採択", "継続審査", "可決", "否決", "承認", "不承認", "同意", "不同意", "認定", "不認定", "採択")  # fmt: skip
METHODS = ("異議なし", "起立", "電子表決", "記名", "挙手")

_NUM = r"[0-9０-９]+"
# 議案第146号, 市第54号議案, 請願第3号, 陳情第12号, 議員提出議案第2号, 報告第1号, 認定第1号 …
_ITEM = re.compile(
    r"(?P<item>(?:議員提出|市長提出|区長提出|町長提出|委員会提出)?"
    r"(?:議案|請願|陳情|報告|諮問|認定|承認|発議|同意|選任|議)第\s*" + _NUM + r"\s*号"
    r"|(?:[市区町村県都道府]|議員提出)?第\s*" + _NUM + r"\s*号\s*議案)"
)
# 議案第1号から議案第5号まで / 議案第1号から第5号まで
_RANGE = re.compile(
    r"(?P<first>" + _ITEM.pattern.replace("?P<item>", "") + r")\s*(?:から|ないし|～|〜)\s*"
    r"(?P<last>(?:[^\s、。]{0,8}?)第\s*" + _NUM + r"\s*号(?:議案)?)\s*(?:まで)?"
)
_AGENDA = re.compile(r"日程第\s*" + _NUM + r"(?:[、，,\s\u3000]|$)|を議題と|を一括議題|議題に供")
_RESULT = re.compile(
    r"(?P<result>" + "|".join(RESULTS) + r")"
    r"(?:とすることに|とすることと|とすべきものと|することに|することと|すべきものと|と|に)?"
    r"(?:決し|決定|され|しました|いたしました|認め)"
)
_CONTINUED = re.compile(r"継続(?:審査|審議|調査)")
# The chair states the committee's recommendation before the plenary votes on it
# (「委員会の報告書は、原案可決であります」, 「委員長報告は可決であります」)
_REPORTED = re.compile(
    r"委員(?:会|長)の?(?:審査)?報告(?:書)?は[、,\s]*(?:いずれも|全て|すべて)?[、,\s]*"
    r"(?P<how>原案|修正)?"
    r"(?P<result>" + "|".join(RESULTS) + r")"
)
_TALLY = re.compile(
    r"(?:総数\s*" + _NUM + r"[^。]{0,30}?賛成\s*" + _NUM + r"[^。]{0,12}?反対\s*" + _NUM
    + r"|賛成\s*" + _NUM + r"[^。]{0,12}?反対\s*" + _NUM
    + r"|(?:起立|挙手|賛成)(?:多数|少数|全員|総員)|全会一致|可否同数)"
)  # fmt: skip
_METHOD_CUES = (
    ("電子表決", re.compile(r"押しボタン|ボタンを押|電子表決|表決システム|電子採決")),
    ("記名", re.compile(r"記名投票|記名による")),
    ("起立", re.compile(r"起立")),
    ("挙手", re.compile(r"挙手")),
    (
        "異議なし",
        re.compile(
            r"[御ご]?異議(?:は)?(?:ありませんか|ございませんか|ないものと|なし|なしと|がありません)"
        ),
    ),
)
_THIS = re.compile(r"本案|本件|本請願|本陳情|本議案|以上[0-9０-９]+件|各案|両案|これら")


# A result pronounced without a result word: 「原案のとおり決定いたしました」, 「…を議決いたしま
# した」
_DECIDED = re.compile(r"原案(?:のとおり|どおり|の通り)(?:決定|決し)|議決(?:いた)?しました|議決され")


def states_result(text: str) -> bool:
    """Whether ``text`` pronounces or reports a decision's result (「原案のとおり可決されまし
    た」, 「委員会の報告は可決であります」), whatever item it names.

    >>> states_result("よって、本案は原案のとおり可決されました。"), states_result("陳情1件を受理しました。")
    (True, False)
    >>> states_result("議案第3号は原案のとおり決定いたしました。")
    True
    """
    norm = nfkc(text)
    return bool(_RESULT.search(norm) or _REPORTED.search(norm) or _DECIDED.search(norm))


def item_kind(item: str) -> str:
    """``議案``, ``請願``, ``陳情``, ``報告`` … of a normalised item id."""
    for k in ("請願", "陳情", "報告", "諮問", "認定", "承認", "発議", "同意", "選任"):
        if item.startswith(k) or f"提出{k}" in item:
            return k
    return "議案"


def item_number(item: str) -> int:
    return int(re.findall(r"[0-9]+", item)[-1])


def find_items(text: str) -> list[str]:
    """Item ids named in ``text``, ranges expanded, normalised (NFKC, no spaces)."""
    norm = squash(text)
    out: list[str] = []
    taken: list[tuple[int, int]] = []
    for m in _RANGE.finditer(norm):
        first, last = squash(m.group("first")), squash(m.group("last"))
        a, b = item_number(first), item_number(last)
        if 0 <= b - a <= 200:
            out += [re.sub(r"[0-9]+(?=号)", str(n), first) for n in range(a, b + 1)]
            taken.append(m.span())
    for m in _ITEM.finditer(norm):
        if not any(a <= m.start() < b for a, b in taken):
            out.append(squash(m.group("item")))
    return list(dict.fromkeys(out))


def find_titles(text: str) -> dict[str, str]:
    """Titles of items as the 議事日程 and the chair print them: ``議案第146号　令和6年度…``."""
    titles: dict[str, str] = {}
    for line in text.splitlines():
        norm = nfkc(line).strip(" \u3000\t")
        for m in _ITEM.finditer(norm):
            rest = norm[m.end() :]
            title = re.split(r"を(?:一括)?議題|について(?:を|、|は)|[。]", rest, maxsplit=1)[0]
            title = title.strip(" \u3000、,")
            if not (4 <= len(title) <= 120) or _ITEM.match(title) or title[0] in "のをはにがとで":
                continue
            titles.setdefault(squash(m.group("item")), title)
    return titles


@dataclass(frozen=True)
class Decision:
    """One item decided: its id (``議案第146号``), kind, number, title, result, method,
    the tally where it was said, and the date of the meeting."""

    item: str
    kind: str
    number: int
    title: str | None
    result: str
    method: str | None
    tally: str | None
    date: str | None
    sentence: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def reported(d: Decision) -> bool:
    """Whether ``d`` is a committee's recommendation that the chair states before the vote
    (「委員会の報告書は、原案可決であります」), not the plenary's decision."""
    return bool(_REPORTED.search(d.sentence))


@dataclass
class DecisionReader:
    """Reads procedural text in document order and returns the decisions pronounced."""

    date: str | None = None
    titles: dict[str, str] = field(default_factory=dict)
    on_floor: list[str] = field(default_factory=list)
    agenda: str | None = None
    method: str | None = None
    tally: str | None = None

    def heading(self, text: str) -> None:
        """A heading of the minutes (``◎日程第２　議案第30号``): a new item on the floor."""
        items = find_items(text)
        self.agenda = text.lstrip("◎○◯〇◆ \u3000")
        self.on_floor, self.method, self.tally = items, None, None

    def recommended(self, text: str) -> list[Decision]:
        """What a committee decided, as its chair reports it to the plenary (「審査の結果、本案は
        原案のとおり可決すべきものと決定いたしました」), on the items now on the floor. The
        plenary's own decision is read later from the chair; this reader's state is kept."""
        other = DecisionReader(self.date, self.titles, list(self.on_floor), self.agenda)
        return [d for d in other.feed(text) if "べきもの" in d.sentence]

    def feed(self, text: str) -> list[Decision]:
        out: list[Decision] = []
        for m in SENTENCE.finditer(text):
            sentence = m.group().strip()
            if sentence:
                out += self._sentence(sentence)
        return out

    def _sentence(self, s: str) -> list[Decision]:
        items = find_items(s)
        if _AGENDA.search(s):
            label = re.search(r"日程第\s*" + _NUM, s)
            if label or items:
                self.agenda = (label.group() if label else "") + (
                    ("　" + "、".join(items[:3])) if items else ""
                )
                self.agenda = self.agenda.strip("　")
                self.on_floor, self.method, self.tally = items, None, None
        for name, cue in _METHOD_CUES:
            if cue.search(s) and not (name == "異議なし" and self.method):
                self.method = name
                break
        tally = _TALLY.search(s)
        if tally:
            self.tally = tally.group()
        stated = _REPORTED.search(s)
        if stated and (subjects := items or self.on_floor):
            res = (stated.group("how") or "") + stated.group("result")  # 原案可決
            return [
                Decision(i, item_kind(i), item_number(i), self.titles.get(i), res, None, None,
                         self.date, s)
                for i in subjects
            ]  # fmt: skip
        result = _RESULT.search(s)
        if not result:
            return []
        res = result.group("result")
        if _CONTINUED.search(s[: result.end()]):
            res = "継続審査"
        subjects = items or self.on_floor
        if not subjects and not _THIS.search(s):
            return []
        decided = [
            Decision(
                item=i,
                kind=item_kind(i),
                number=item_number(i),
                title=self.titles.get(i),
                result=res,
                method=self.method,
                tally=self.tally,
                date=self.date,
                sentence=s,
            )
            for i in subjects
        ]
        self.method = self.tally = None
        return decided
