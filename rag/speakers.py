"""Speakers: reading speaker labels and classifying who speaks.

A speaker line starts with a marker (◎, ○ U+25CB, ◯ U+25EF, 〇 U+3007, ◆) or none, then a
label in one of many forms, then the speech on the same line or on the next:

>>> parse_label("委員（村本ひろや）")
Speaker(label='委員（村本ひろや）', name='村本ひろや', role='委員', category='member', marker='', seat=None)
>>> parse_label("木村広報広聴課長").name, parse_label("木村広報広聴課長").role
('木村', '広報広聴課長')

What a marker means differs by council (◎ marks every speaker in the Sumida report,
executives only in DiscussNet minutes, agenda headings elsewhere), so
:func:`infer_speaker_markers` decides from the document itself which markers open turns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rag.text import nfkc
from rag.tokenizing import mecab_words

MARKERS = "◎○◯〇◆"
PROSE = re.compile(
    r"[。～〜？！?!]"
)  # what follows a speaker's label: a sentence or ～ narration ～

CHAIR_ROLES = {
    "議長",
    "副議長",
    "委員長",
    "副委員長",
    "会長",
    "副会長",
    "座長",
    "副座長",
    "臨時議長",
    "仮議長",
    "分科会長",
    "副分科会長",
    "部会長",
}
MEMBER_ROLES = ("委員", "議員")
OFFICIAL_MEMBERS = ("監査委員", "選挙管理委員", "教育委員", "農業委員", "公平委員")
OFFICIAL_SUFFIXES = (
    "長",
    "理事者",
    "理事",
    "参事",
    "主幹",
    "主査",
    "担当",
    "管理者",
    "参与",
    "補佐",
    "監",
    "調整官",
    "企画官",
    "専門官",
    "説明員",
    "知事",  # a prefecture's governor (副知事 too)
)
OTHER_ROLES = ("書記", "参考人", "公述人", "事務局", "傍聴人", "証人", "請願者", "陳情者")

_SPACE = re.compile(r"[\s\u3000]+")
_BRACKET = re.compile(r"^(?P<outer>[^（(]*?)[\s\u3000]*[（(](?P<inner>[^）)]*)[）)]$")
_SEAT = re.compile(r"^[0-9０-９]+番$")
_SEAT_NAME = re.compile(r"^(?P<seat>[0-9０-９]+)番(?P<name>.+)$")
_CLERK = re.compile(r"事務局|書記|議事|次長|議会局")
_KUN = re.compile(r"(君|さん|氏|様)$")


_KANJI_RUN = re.compile(r"[\u3400-\u9fff々]+")


def titled(following: str) -> bool:
    """Whether a name read as a person's (UniDic's 人名) and followed by ``following`` is a
    person: an honorific (君, さん), a title (委員, 副委員長, 総務部長) or no kanji at all (a
    particle) comes next, not the rest of a compound name (戸越 of 戸越公園駅).

    >>> titled("君を指名"), titled("議会運営委員長登壇）"), titled("公園駅付近")
    (True, True, False)
    """
    m = _KANJI_RUN.match(following)
    if not m:
        return True
    word = m.group().removesuffix("登壇")  # （議会運営委員長登壇）
    return (
        word.startswith(("君", "氏", "様"))  # さん is kana: no kanji run
        or word.startswith(MEMBER_ROLES)
        or any(word.startswith(r) for r in CHAIR_ROLES)
        or word.endswith(OFFICIAL_SUFFIXES)
    )


@dataclass(frozen=True)
class Speaker:
    """Who speaks: the raw label, name and role kept apart, and a category that is one of
    ``chair`` (presides), ``member`` (asks), ``official`` (answers) or ``other``."""

    label: str
    name: str | None
    role: str | None
    category: str
    marker: str = ""
    seat: str | None = None  # 議席番号: ``４番（田中次郎君）`` → "4"

    @property
    def role_class(self) -> str:
        """``chair``, ``member``, ``executive`` (the mayor's side), ``clerk`` (the council's
        secretariat) or ``other`` (witnesses, petitioners)."""
        if self.category == "official":
            return "executive"
        if self.category == "other" and self.role and _CLERK.search(self.role):
            return "clerk"
        return self.category


def strip_spaces(s: str) -> str:
    """``s`` without spaces: a name padded to a fixed width (「大　泉　　　潤」) as one word."""
    return _SPACE.sub("", s)


def is_roleish(s: str) -> bool:
    s = strip_spaces(s)
    return bool(s) and (
        s in CHAIR_ROLES
        or s.endswith(MEMBER_ROLES)
        or s.endswith(OFFICIAL_SUFFIXES)
        or any(r in s for r in OTHER_ROLES)
    )


def classify(role: str | None, name: str | None, marker: str = "") -> str:
    """Category of a speaker from the role (or, without one, from the label's shape)."""
    if not role:
        return "member" if name else "other"
    r = strip_spaces(role)
    base = re.sub(r"[（(].*?[）)]", "", r)
    if base in CHAIR_ROLES:
        return "chair"
    if "議会" in base and re.search(r"事務局|次長|議事|書記", base):
        return "other"  # the council's own secretariat
    if any(o in base for o in OTHER_ROLES):
        return "other"
    if base.endswith(OFFICIAL_MEMBERS):
        return "official"
    if base.endswith("委員長") or base.endswith(MEMBER_ROLES):
        return "member"  # a committee chair reporting to the plenary speaks as a member
    if base.endswith(OFFICIAL_SUFFIXES) or "理事者" in base or "市側" in base:
        return "official"
    return "other"


def _split_name_role(label: str) -> tuple[str | None, str | None]:
    """Split ``name+role`` written without brackets (``本多委員長``, ``木村広報広聴課長``)."""
    if label in CHAIR_ROLES:
        return None, label
    lead = _leading_name(label)
    rest = label[len(lead) :] if lead else ""
    if (
        lead
        and rest.endswith(tuple(CHAIR_ROLES) + OFFICIAL_SUFFIXES)
        and rest not in CHAIR_ROLES
        and not re.search(r"[ぁ-ん]", rest)  # 福田ようすけ委員: the name goes on in kana
    ):
        return lead, rest  # 川口守産業建設常任委員長: a name, then a committee's chair
    for chair in sorted(CHAIR_ROLES, key=len, reverse=True):
        if (
            label.endswith(chair)
            and len(label) > len(chair)
            and not is_roleish(label[: -len(chair)])
        ):
            prefix = label[: -len(chair)]
            if looks_like_name(prefix):
                return prefix, chair
    for member in MEMBER_ROLES:
        if label.endswith(member) and not label.endswith(OFFICIAL_MEMBERS):
            prefix = label[: -len(member)]
            if prefix and not is_roleish(prefix) and looks_like_name(prefix):
                return prefix, member
            return None, label
    if label.endswith(OFFICIAL_SUFFIXES) or is_roleish(label):
        return (lead, label[len(lead) :]) if lead and len(lead) < len(label) else (None, label)
    return (label or None), None


# The units of local government: a place name followed by one is a body (品川区長, 北海道
# 知事), not a surname followed by a title (品川財政課長)
_LOCAL_UNIT = "区市町村県都府道"


def _leading_name(label: str) -> str | None:
    """The person's name a label starts with, by MeCab's 人名 (surname, then given name).
    Many surnames are place names too (松山, 川崎, 品川): a leading place name is a surname
    when the title after it does not start with a unit of local government (松山障害者支援
    課長, but not 品川区長) and is not the governor's (北海道知事).

    >>> _leading_name("松山障害者支援課長"), _leading_name("品川区長"), _leading_name("北海道知事")
    ('松山', None, None)
    """
    if len(label) < 3 or not label.endswith(OFFICIAL_SUFFIXES + MEMBER_ROLES):
        return None
    words = mecab_words(label)
    if len(words) < 2:
        return None
    first, rest = words[0].feature, label[len(words[0].surface) :]
    place = first.pos3 == "地名" and not rest.startswith(tuple(_LOCAL_UNIT)) and rest != "知事"
    if first.pos3 != "人名" and not place:
        return None
    n = 1
    if len(words) > 2 and words[1].feature.pos3 == "人名" and words[1].feature.pos4 == "名":
        n = 2
    return "".join(w.surface for w in words[:n])


def looks_like_name(s: str) -> bool:
    """Names are short and made of kanji or kana, without organisational words; a surname
    that ends as one would (木村, 阿部) is read by MeCab as a person's name.

    >>> looks_like_name("木村"), looks_like_name("阿部"), looks_like_name("教育部")
    (True, True, False)
    """
    if not 1 <= len(s) <= 10:
        return False
    if not re.search(rf"[局部課室所会{_LOCAL_UNIT}国省庁]$", s):
        return True
    words = mecab_words(s)
    return bool(words) and words[-1].feature.pos3 == "人名" and len(words[-1].surface) > 1


@lru_cache(maxsize=4096)
def parse_label(label: str, marker: str = "") -> Speaker:
    """Parse a speaker label in any of the supported forms into a :class:`Speaker`.

    Cached: a long meeting repeats a few dozen labels thousands of times."""
    raw = label.strip()
    lab = nfkc(raw).replace("(", "（").replace(")", "）")
    lab = lab.replace("（", "(").replace("）", ")")
    name: str | None
    role: str | None
    seat: str | None = None
    m = _BRACKET.match(lab)
    if m:
        outer, inner = strip_spaces(m["outer"]), m["inner"].strip()
        if not outer:  # (name role), (name君), (name)
            parts = [p for p in _SPACE.split(inner) if p]
            if len(parts) >= 2 and is_roleish(parts[-1]):
                name, role = "".join(parts[:-1]), parts[-1]
            elif _KUN.search(inner):
                name, role = _KUN.sub("", strip_spaces(inner)), None
            else:  # （高橋一郎議長）: name+role inside the brackets
                name, role = _split_name_role(strip_spaces(inner))
                if not role or not name:
                    name, role = strip_spaces(inner), None
        elif _SEAT.match(outer):  # seat number (name君)
            name, role = _KUN.sub("", strip_spaces(inner)), None
            seat = outer[:-1]
        elif is_roleish(inner) and not _KUN.search(inner):  # org (role): 盛岡市理事者(情報企画課長)
            name, role = None, f"{outer}（{strip_spaces(inner)}）"
        else:
            name, role = _KUN.sub("", strip_spaces(inner)) or None, outer
    elif sm := _SEAT_NAME.match(strip_spaces(lab)):  # ４番　田中次郎君
        name, role, seat = _KUN.sub("", sm["name"]), None, sm["seat"]
    else:
        name, role = _split_name_role(_KUN.sub("", strip_spaces(lab)))
    category = classify(role, name, marker)
    return Speaker(raw, name, role, category, marker, str(int(seat)) if seat else None)


# --- speaker lines -----------------------------------------------------------------------

# A label ends at a closing bracket or at the first run of spaces; the speech may follow.
_LABEL = re.compile(
    r"^(?P<label>[^\s\u3000（(]{1,40}?(?:[\s\u3000]?[（(][^）)\n]{1,40}[）)])?|[（(][^）)\n]{1,40}[）)])"
    r"(?P<sep>[\s\u3000]+|$)"
)


_NAME_REST = re.compile(r"[^\s\u3000（(]{1,10}(?=[\s\u3000]|$)")


def split_speaker_line(line: str) -> tuple[str, str, int] | None:
    """Split ``MARKER LABEL SPEECH`` into ``(marker, label, speech offset)``; None when the
    line does not start with a marker and a label.

    A name printed with a space inside (``◯山田　太郎委員　　質問します``) stays one label:
    a bare name or seat number followed by one space and a word ending in a role or 君
    is joined to that word."""
    if not line or line[0] not in MARKERS:
        return None
    m = _LABEL.match(line[1:])
    if m and len(m.group("sep")) == 1 and "（" not in m.group("label"):
        rest = _NAME_REST.match(line, 1 + m.end())
        if rest:
            joined = m.group("label") + m.group("sep") + rest.group()
            alone, both = parse_label(m.group("label")), parse_label(joined)
            if not alone.role and (both.role or _KUN.search(rest.group()) or both.seat):
                end = rest.end()
                sep = re.match(r"[\s\u3000]*", line[end:])
                return line[0], joined, end + (sep.end() if sep else 0)
    if not m:
        # a label directly followed by speech, as in ``○議長（鈴木太郎君）現在…``
        m2 = re.match(r"^.([^（(\s\u3000]{1,30}[（(][^）)\n]{1,30}[）)])", line)
        if not m2:
            return None
        return line[0], m2.group(1), m2.end()
    return line[0], m.group("label"), m.end() + 1


@lru_cache(maxsize=4096)
def looks_like_speaker(label: str) -> bool:
    """Does a label read as a speaker (role, name in brackets, or name+role)?"""
    lab = nfkc(label)
    if re.search(r"[（(]\s*[0-9０-９]+\s*人\s*[）)]", lab):  # 出席議員（２６人）
        return False
    sp = parse_label(label)
    return bool(sp.role and is_roleish(re.sub(r"[（(].*", "", sp.role))) or bool(
        re.search(r"[（(][^）)]+[）)]", lab) and sp.name
    )


def infer_speaker_markers(blocks: Sequence[tuple[str, str, str]]) -> set[str]:
    """Decide which markers open speaker turns in this document.

    ``blocks`` holds ``(marker, label, text up to the next marker line)`` for every marker
    line. A line reads as a turn when its label reads as a speaker and prose follows. A
    marker opens turns when its lines read so at least twice, or at least as often as not;
    otherwise (函館's 〇議事日程, 〇出席議員…) it marks only headings in this document. Which
    of its lines are turns is decided line by line afterwards (``rag.parsing``), as the
    same 〇 may mark speakers, headings and time stamps.
    """
    votes: dict[str, list[int]] = {}
    for marker, label, body in blocks:
        speakerish = looks_like_speaker(label) and bool(PROSE.search(body))
        v = votes.setdefault(marker, [0, 0])
        v[0 if speakerish else 1] += 1
    return {m for m, (yes, no) in votes.items() if yes > 0 and (yes >= no or yes >= 2)}
