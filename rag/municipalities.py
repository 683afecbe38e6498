"""Municipalities a text names (港区, 函館市, "Ota ward"), and the one a council's minutes are of.

Councils write another municipality by its full name: a place name and its suffix
(「港区では」, 「目黒区内」, 「横須賀市を」). Their own they mostly call 本区, 区 or 本市, and name in
full now and then (「品川区民」, 「品川区立」). So:

- a name counts where UniDic reads a place name (固有名詞・地名) just before 市 or 区 (or
  市会): 本区, 地区, 特別区, 選挙区 and 大泉市長 (a mayor named 大泉) are not municipalities.
  町 and 村 count only after a prefecture or 郡 (東京都檜原村) or before 議会, 長 or 役場: a
  city's minutes use them for its own neighbourhoods (大井町, 荏原町). Missed: a ward UniDic
  does not know as a place (中央区, 北区), a name in hiragana (さいたま市), and 港区長 (a
  head of a municipality is named by surname as often: 大泉市長);
- the minutes' own municipality, where no header or catalog gives it, is the one their
  file names most, by a clear margin (:func:`most_named`; for an archive of many meetings
  in one JSON Lines file, the one its meetings name most; see :mod:`rag.indexing`);
- an English question names one as "Ota ward", "Yokohama City", "City of Sendai", "Ota-ku";
  city and ward are read alike, since Tokyo's wards call themselves cities in English
  (Shinagawa City, 品川区).

A question that names a municipality asks about it. :func:`speaks_of` says whether a
passage does: its place or its council's is that municipality, or its text names it. The
answerer (:mod:`rag.answering`) refuses rather than answer a question about 港区 from
品川区's minutes.

>>> named("港区と目黒区内の施設、本区と特別区、大泉市長、大井町駅、東京都檜原村")
['港区', '目黒区', '檜原村']
>>> english_named("How many Wi-Fi spots has Ota ward set up? And the City of Sendai?")
[('ota', 'ward'), ('sendai', 'city')]
>>> speaks_of({"kind": "minutes", "municipality": "品川区"}, "本区では…", {"港区"})
False
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping
from typing import Any

from rag.places import MUNICIPAL_SUFFIXES
from rag.text import nfkc
from rag.tokenizing import mecab_words

# a run of kanji or katakana before a suffix: the candidates UniDic is asked about
_CANDIDATE = re.compile(rf"[一-龥々ァ-ヶー]{{1,8}}[{MUNICIPAL_SUFFIXES}]")
# what may follow the place name: 市 or 区 alone, or 市会 (横浜市会). Not 市長: minutes name
# the mayor by surname (大泉市長), which UniDic may read as a place
_AFTER = {"市", "区", "市会"}
# 町 and 村: a municipality only after a prefecture or 郡, or before its council or office
_TOWN = {"町", "村"}
_TOWN_BEFORE = re.compile(r"(?:[都道府県]|郡)$")
_TOWN_AFTER = ("議会", "長", "役場")
# a prefecture before a municipality's name (東京都品川区 → 品川区); not the 都 of 京都市
_PREFECTURE = re.compile(r"^(?:東京都|北海道|京都府|大阪府|[一-龥]{2,3}県)(?=.{2,}[市区町村]$)")
# the Japanese suffixes of an English one: Tokyo's wards call themselves cities in English
EN_SUFFIXES = {"ward": "区市", "city": "市区", "town": "町", "village": "村"}
_EN_ROMAN = {"ku": "ward", "shi": "city", "cho": "town", "machi": "town", "mura": "village"}
_EN_NAMED = (
    re.compile(
        r"\b(?P<name>[A-Z][a-z]{1,20})(?:(?:\s+|-)(?P<kind>ward|city|town|village)\b"
        r"|-(?P<roman>ku|shi|cho|machi|mura)\b)",
        re.I,
    ),
    re.compile(r"\b(?P<kind>city|town|village) of (?P<name>[A-Z][a-z]{1,20})\b", re.I),
)
# words that take "city" or "ward" without naming one: "the city", "each ward", "Tokyo's 23 wards"
_EN_NOT_NAMES = {"the", "this", "that", "each", "every", "our", "a", "which", "what", "their"}


def named(text: str) -> list[str]:
    """The municipalities ``text`` names (place name + 市区町村), in order, repeats kept."""
    text = nfkc(text)
    out = []
    for m in _CANDIDATE.finditer(text):
        window = text[m.start() : m.end() + 2]  # the suffix's word may go on (市会, 町議会)
        words = mecab_words(window)
        for i, (a, b) in enumerate(zip(words, words[1:], strict=False)):
            if not (a.feature.pos2 == "固有名詞" and a.feature.pos3 == "地名"):
                continue
            at = window.find(a.surface + b.surface[:1])
            if at < 0 or at >= m.end() - m.start():
                continue
            if b.surface in _AFTER:
                end = m.start() + at + len(a.surface) + 1
                if text[end : end + 1] != "長":  # 大泉市長: the mayor, whoever UniDic reads
                    out.append(a.surface + b.surface[0])
            elif b.surface in _TOWN:
                after = words[i + 2].surface if i + 2 < len(words) else text[m.end() : m.end() + 2]
                if _TOWN_BEFORE.search(text[: m.start() + at]) or after.startswith(_TOWN_AFTER):
                    out.append(a.surface + b.surface)
    return out


def english_named(text: str) -> list[tuple[str, str]]:
    """The municipalities an English text names, as (romanised name, kind): "Ota ward" →
    ``("ota", "ward")``, "Ota-ku" too; the kind's Japanese suffixes are
    :data:`EN_SUFFIXES`. A bare name (Morioka) is left to the gazetteer of the index's places."""
    found = []
    for pattern in _EN_NAMED:
        for m in pattern.finditer(text):
            name = m.group("name")
            if name.lower() in _EN_NOT_NAMES or not name[0].isupper():
                continue
            kind = m.group("kind") or _EN_ROMAN[str(m.groupdict().get("roman")).lower()]
            found.append((m.start(), name.lower(), kind.lower()))
    return list(dict.fromkeys((name, kind) for _, name, kind in sorted(found)))


def most_named(counts: Mapping[str, int], at_least: int = 3, margin: float = 2.0) -> str | None:
    """The municipality named most, when named ``at_least`` times and ``margin`` times as
    often as any other: a meeting that discusses 港区's example may name 港区 more than its
    own ward, but an archive of its meetings names its ward far more than any other."""
    top = Counter(counts).most_common(2)
    if not top or top[0][1] < at_least or (len(top) == 2 and top[1][1] * margin > top[0][1]):
        return None
    return top[0][0]


def councils_named(text: str) -> list[str]:
    """The municipalities ``text`` names as a council (仙台市議会, 横浜市会, 品川区議会): whose
    own record it asks for, not a place it asks about.

    >>> councils_named("仙台市議会の委員長と盛岡市の取組")
    ['仙台市']
    """
    q = nfkc(text)
    return [m for m in named(q) if re.search(re.escape(m) + r"(議会|会(?!館|場|社|議所))", q)]


def normalised(place: str | None) -> str | None:
    """A municipality without its prefecture: 東京都品川区 → 品川区 (京都市 stays)."""
    return _PREFECTURE.sub("", nfkc(place)) if place else None


def council_municipality(council: str | None) -> str | None:
    """墨田区議会 → 墨田区, 横浜市会 → 横浜市: the municipality a council's name gives."""
    m = re.match(rf"(.+?[{MUNICIPAL_SUFFIXES}])(?:議会|会)$", nfkc(council or ""))
    return normalised(m.group(1)) if m else None


def place_of(meta: Mapping[str, Any]) -> str | None:
    """The municipality a passage is about: a report's visited city, else the municipality
    whose council the document records; None when unknown."""
    if meta.get("kind") == "report" and meta.get("city"):
        return str(meta["city"])
    return meta.get("municipality") or meta.get("city") or None


def speaks_of(meta: Mapping[str, Any], text: str, forms: Collection[str]) -> bool | None:
    """Whether a passage speaks of a municipality (given as its Japanese ``forms``): its place
    or its council's is one of them (a question on 墨田区's report may take its passages on
    the cities it visited), or its text names one. None when its place is unknown and its
    text does not name one (minutes whose municipality could not be read): the caller
    decides."""
    if any(f in nfkc(text) for f in forms):
        return True
    place = place_of(meta)
    if place is None:
        return None
    return place in forms or meta.get("municipality") in forms
