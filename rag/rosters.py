"""People a document lists, one a line, under a label: the roll of a minutes' header
(出席議員, 欠席議員, 説明員, 事務局出席職員), the members a chair names
(「会議録署名議員に／9番 富山悦子 議員／…／を指名いたします」) and a report's addressee and
signatory (「墨田区議会議長／福田 はるみ 様」).

Minutes record who was present, who was absent and who attended to explain (地方自治法
123条), each council in its own layout; what the layouts share is a label line (with a
marker, a count 「（26人）」 or a particle), then one person a line: a seat number, a post,
the name padded with spaces to a fixed width (「大　泉　　　潤」), an honorific (君, 議員,
様). A post on a line of its own belongs to the name on the next one. A report's table
puts several names on a line, apart by tabs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from rag.speakers import MARKERS, OFFICIAL_MEMBERS, is_roleish, looks_like_name, strip_spaces
from rag.text import nfkc
from rag.tokenizing import mecab_words, person_names

# A label: a people noun ends it (出席議員, 説明員, 事務局出席職員, 会議録署名者, 出席委員氏名);
# a section number, a marker or a count may go with it, a particle may end it (会議録署名議員に)
PEOPLE_NOUNS = ("議員", "委員", "職員", "説明員", "者", "氏名", "名簿")
# the people noun a label's head leaves out (説明員 is what 出席説明員 is about: it stays)
_HEAD_NOUNS = ("議員", "委員", "職員", "者", "氏名", "名簿")
_MARKS = MARKERS + "●■□・※"
_LEAD = re.compile(rf"^\s*(?:[0-9]+[\s.、．]*|[（(][0-9]+[）)]\s*)?[{_MARKS}]?\s*")
_MARKER = re.compile(rf"^\s*[0-9]*[\s.、．]*[{_MARKS}]")
_COUNT = re.compile(r"\s*[（(]\s*[0-9]+\s*[人名]\s*[）)]")
_LABEL = re.compile(
    r"^(?P<label>[^\s（()）0-9、。,.「」:：]{2,24}?)\s*(?P<particle>に|は|として|:|：)?$"
)
_SEAT = re.compile(r"^[0-9]+\s*番\s*")
_HONORIFIC = re.compile(r"\s*(君|議員|委員|さん|氏|様|殿)$")
_ADDRESSED = ("様", "殿")
_NAME_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff々〆ヶ・]+")
_PROSE = re.compile(r"[。、，「」『』？！?!]")
# No one under a label: 「欠席議員（なし）」, 「欠席議員　なし」, a line 「なし」, （０人）
_NONE = re.compile(r"\s*[（(]?\s*(?:なし|無し|該当なし|0\s*[人名])\s*[）)]?\s*$")
_NOTE = re.compile(r"^\s*[（(][^）)]*[）)]\s*$")  # （会計室長）: a note on the post above


@dataclass(frozen=True)
class Listed:
    """One person of a list: the name as one word (its padding removed), the post written
    beside it, and whether it is addressed (様, 殿: the one a document is sent to)."""

    name: str
    role: str | None = None
    addressed: bool = False
    start: int = 0  # ``text[start:end]``: the line (with its post's, when apart) that lists them
    end: int = 0


@dataclass(frozen=True)
class Roster:
    """A list of people: its label without marker, count or particle (欠席議員; "" for a
    post and a name written with no label), the people, and where it is in the text
    (``text[start:end]`` is the label line through the last name)."""

    label: str
    people: tuple[Listed, ...]
    start: int
    end: int
    count: int | None = None  # as its label writes it: 26 of 「出席議員（２６人）」

    @property
    def size(self) -> int:
        """How many it lists: the count its label writes, else the people read."""
        return self.count if self.count is not None else len(self.people)

    @property
    def head(self) -> str:
        """The label without the people noun that ends it: what sets the list apart
        (欠席 of 欠席議員, 会議録署名 of 会議録署名議員, 出席説明員 whole)."""
        for noun in _HEAD_NOUNS:
            if self.label.endswith(noun) and len(self.label) > len(noun):
                return self.label[: -len(noun)]
        return self.label


despaced = strip_spaces


def _label(line: str) -> str | None:
    """The label a line starts a list with (欠席議員 of 「〇欠席議員（１人）」 or
    「欠席議員（なし）」), or None: a people noun ends it, and it names no one (「山田議員」
    is a person)."""
    m = _LABEL.match(_NONE.sub("", _COUNT.sub("", _LEAD.sub("", line))).strip())
    if not m or not m["label"].endswith(PEOPLE_NOUNS):
        return None
    return None if person_names(m["label"]) else m["label"]


def _marked(line: str) -> bool:
    """Whether a line is set out as a heading: a marker (〇), a count （26人） or a particle."""
    m = _LABEL.match(_COUNT.sub("", _LEAD.sub("", line)).strip())
    return bool(_MARKER.match(line) or _COUNT.search(line) or m and m["particle"])


def _a_post(line: str) -> bool:
    """Whether a line alone is a post (市長, 会計管理者, 監査委員), not the label of a list:
    a list of members ends in 議員 or 委員 (出席議員, 欠席委員), a post of the executive in
    長, 者 or the like, or is an official member (監査委員); a marked line is a heading."""
    s = despaced(line)
    members = s.endswith(("議員", "委員")) and not s.endswith(OFFICIAL_MEMBERS)
    return is_roleish(s) and not members and not _marked(line)


def _phrase_not_name(name: str) -> bool:
    """Whether a word read as a name is a phrase of common words (議事日程, 開議, 会期の決定,
    以上, なし): every word a common noun of two or more characters, or の between them."""
    words = mecab_words(name)
    return bool(words) and all(
        w.surface == "の" or w.feature.pos2 == "普通名詞" and len(w.surface) >= 2 for w in words
    )


def _name(s: str) -> str | None:
    """``s`` as a person's name, its padding and honorific removed, or None."""
    name = despaced(s)
    bare = _HONORIFIC.sub("", name)
    if len(bare) >= 2:
        name = bare
    if not 2 <= len(name) <= 12 or not _NAME_CHARS.fullmatch(name) or is_roleish(name):
        return None
    return name if looks_like_name(name) and not _phrase_not_name(name) else None


def _person(part: str) -> Listed | None:
    """One person written as ``part`` (seat, post, name, honorific), or None. The post is
    the part before a space that reads as one (two characters at least: 長 of 「長　谷　川」
    is a name's first), the name the rest (「市長　　大　泉　　　潤」, 「教育委員会　教育長
    佐藤花子君」)."""
    s = _SEAT.sub("", part.strip())
    addressed = s.endswith(_ADDRESSED)
    for m in re.finditer(r"\s+", s):
        role, rest = s[: m.start()], s[m.end() :]
        if len(despaced(role)) >= 2 and is_roleish(role) and (name := _name(rest)):
            return Listed(name, despaced(role), addressed)
    name = _name(s)
    return Listed(name, None, addressed) if name else None


def _people(line: str) -> list[Listed] | None:
    """The people a line lists (several apart by tabs: a report's table; a post and its
    name apart by a tab is one), or None when it is not such a line."""
    if _PROSE.search(line) or len(line.strip()) > 40 or _label(line) or _MARKER.match(line):
        return None
    cells = [c for c in re.split(r"\t+", line) if c.strip()]
    if len(cells) == 2 and (one := _person(" ".join(cells))) and one.role:
        return [one]
    found = [_person(c) for c in cells]
    if not found or any(p is None for p in found):
        return None
    return [p for p in found if p is not None]


def _fragment(line: str) -> bool:
    """A line inside a list of posts that is no one: a note in brackets (（会計室長）) or
    part of a post wrapped round its name (選挙管理委員会／武島和仁君／事務局長)."""
    s = despaced(line)
    if _label(line) and not _a_post(line):
        return False  # 欠席委員: the next list
    return bool(_NOTE.match(line)) or (
        not _marked(line)
        and len(s) <= 24
        and bool(_NAME_CHARS.fullmatch(s))
        and (is_roleish(s) or s.endswith(("会", "局", "部", "課", "室", "所")))
    )


def rosters(text: str) -> list[Roster]:
    """The lists of people in ``text`` (read once per text: the same headers are read for
    many questions).

    >>> [(r.label, [p.name for p in r.people]) for r in rosters(
    ...     "〇欠席議員（１人）\\n２５番　高　橋　千　晶\\n〇説明員\\n市長　　　大　泉　　　潤")]
    [('欠席議員', ['高橋千晶']), ('説明員', ['大泉潤'])]
    """
    return list(_read(text))


@lru_cache(maxsize=256)
def _read(text: str) -> tuple[Roster, ...]:
    lines: list[tuple[int, int, str]] = []  # (start, end, the line in NFKC)
    at = 0
    for raw in text.split("\n"):
        if raw.strip():
            lines.append((at, at + len(raw.rstrip()), nfkc(raw).rstrip()))
        at += len(raw) + 1
    out: list[Roster] = []
    label: str | None = None
    start = end = 0
    count: int | None = None
    people: list[Listed] = []
    role: str | None = None  # a post on a line of its own, waiting for its name
    role_at = 0
    columns: list[str] = []  # a table's posts, waiting for the names below them
    wrapped = False  # the last person's post is the first part of one wrapped round them

    empty = False  # the open list says there is no one (なし)

    def close() -> None:
        nonlocal label, people, count, role, columns, empty
        if label is not None and (people or empty and label):
            out.append(Roster(label, tuple(people), start, end, 0 if empty else count))
        label, people, count, role, columns, empty = None, [], None, None, [], False

    for k, (begin, stop, line) in enumerate(lines):
        listed = _people(line)
        if listed is not None and label is not None:
            wrapped = False
            if role is not None and len(listed) == 1 and not listed[0].role:
                listed = [replace(listed[0], role=role, start=role_at, end=stop)]
                wrapped = not is_roleish(role)  # 選挙管理委員会／武島和仁君／事務局長
            elif columns and len(columns) == len(listed):  # a table: the posts above
                listed = [
                    replace(p, role=p.role or post, start=role_at, end=stop)
                    for p, post in zip(listed, columns, strict=True)
                ]
            else:
                listed = [replace(p, start=begin, end=stop) for p in listed]
            people.extend(listed)
            end, role, columns = stop, None, []
            continue
        wrapped = wrapped and listed is None
        if label and not people and _NONE.fullmatch(line):
            empty, end = True, stop  # 欠席議員／なし
            continue
        following = _people(lines[k + 1][2]) if k + 1 < len(lines) else None
        cells = [despaced(c) for c in line.split("\t") if c.strip()]
        table = label is not None and len(cells) > 1 and all(map(is_roleish, cells))
        if table and following is not None and len(following) == len(cells):
            # a table's row of posts (議事主査 | 議事書記), its names in the row below
            columns, role_at = cells, begin
            continue
        alone = following is not None and len(following) == 1 and not following[0].role
        posts = label is not None and any(p.role for p in people)  # a list of posts open
        if listed is None and alone and (_a_post(line) or posts and _fragment(line)):
            # a post on a line of its own (子ども未来部長), its name on the next line; with
            # no list open, a post and a name written apart (議長／福田 はるみ 様) start one
            if label is None:
                label, start, count = "", begin, None
            role, role_at = despaced(line), begin
            continue
        if listed is None and posts and _fragment(line):
            # （会計室長）, or the rest of a post wrapped round its name
            if wrapped and is_roleish(despaced(line)) and people[-1].role:
                last = people[-1]
                people[-1] = replace(last, role=f"{last.role}{despaced(line)}", end=stop)
                end = stop
            wrapped = False
            continue
        close()
        if listed is None and (new := _label(line)) is not None:
            label, start, end = new, begin, stop
            written = _COUNT.search(line)
            count = int(re.sub(r"\D", "", written.group())) if written else None
            empty = bool(_NONE.search(_LEAD.sub("", line)[len(new) :]))
    close()
    return tuple(out)
