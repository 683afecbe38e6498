"""Municipalities a text names (港区, 函館市, "Ota ward"), and the one a council's minutes are of.

Councils write another municipality by its full name: a place name and its suffix
市区町村 (「港区では」, 「目黒区内」, 「横須賀市を」, 「品川区長」). Their own they mostly call 本区, 区 or
本市, and name in full now and then (「品川区民」, 「品川区立」). So:

- a name counts where UniDic reads a place name (固有名詞・地名) just before 市, 区, 町 or 村
  (or 市会): 本区, 地区, 特別区, 選挙区 and 大泉市長 (a mayor named 大泉) are not
  municipalities; a ward that UniDic does not know as a place (中央区, 北区) is missed;
- the minutes' own municipality, where no header or catalog gives it, is the one they name
  most (:func:`most_named`), and for a file of many meetings (JSON Lines), the one its
  meetings name most (see :mod:`rag.indexing`);
- an English question names one as "Ota ward", "Yokohama City", "City of Sendai", "Ota-ku".

A question that names a municipality asks about it. :func:`speaks_of` says whether a
passage does: its place is that municipality, or its text names it. The answerer
(:mod:`rag.answering`) refuses rather than answer a question about 港区 from 品川区's minutes.

>>> named("港区と目黒区内の施設、本区と特別区、大泉市長")
['港区', '目黒区']
>>> english_named("How many Wi-Fi spots has Ota ward set up? And the City of Sendai?")
[('ota', '区'), ('sendai', '市')]
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
# what may follow the place name: the suffix alone, or 市会 (横浜市会). Not 市長: minutes name
# the mayor by surname (大泉市長), which UniDic may read as a place
_AFTER = {*MUNICIPAL_SUFFIXES, "市会"}
_EN_SUFFIX = {"ward": "区", "city": "市", "town": "町", "village": "村"}
EN_SUFFIX_WORDS = {v: k for k, v in _EN_SUFFIX.items()}  # 区 → ward
_EN_ROMAN_SUFFIX = {"ku": "区", "shi": "市", "cho": "町", "machi": "町", "mura": "村", "son": "村"}
_EN_NAMED = (
    re.compile(
        r"\b(?P<name>[A-Z][a-z]{1,20})(?:(?:\s+|-)(?P<kind>ward|city|town|village)\b"
        r"|-(?P<roman>ku|shi|cho|machi|mura|son)\b)",
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
        window = text[m.start() : m.end() + 2]  # the suffix's word may go on (区長, 市会)
        words = mecab_words(window)
        for a, b in zip(words, words[1:], strict=False):
            if (
                a.feature.pos2 == "固有名詞"
                and a.feature.pos3 == "地名"
                and b.surface in _AFTER
                and window.find(a.surface + b.surface[0]) < m.end() - m.start()
            ):
                out.append(a.surface + b.surface[0])
    return out


def english_named(text: str) -> list[tuple[str, str]]:
    """The municipalities an English text names, as (romanised name, suffix): "Ota ward" →
    ``("ota", "区")``. A bare name (Morioka) is left to the gazetteer of the index's places."""
    found = []
    for pattern in _EN_NAMED:
        for m in pattern.finditer(text):
            name, kind = m.group("name"), m.group("kind")
            if name.lower() in _EN_NOT_NAMES or not name[0].isupper():
                continue
            roman = m.groupdict().get("roman")
            suffix = _EN_SUFFIX[kind.lower()] if kind else _EN_ROMAN_SUFFIX[str(roman).lower()]
            found.append((m.start(), name.lower(), suffix))
    return list(dict.fromkeys((name, suffix) for _, name, suffix in sorted(found)))


def most_named(counts: Mapping[str, int], at_least: int = 2) -> str | None:
    """The municipality named most, when named ``at_least`` times and more often than any
    other (a tie says nothing)."""
    top = Counter(counts).most_common(2)
    if not top or top[0][1] < at_least or (len(top) == 2 and top[1][1] == top[0][1]):
        return None
    return top[0][0]


def council_municipality(council: str | None) -> str | None:
    """墨田区議会 → 墨田区, 横浜市会 → 横浜市: the municipality a council's name gives."""
    m = re.match(rf"(.+?[{MUNICIPAL_SUFFIXES}])(?:議会|会)$", nfkc(council or ""))
    return m.group(1) if m else None


def place_of(meta: Mapping[str, Any]) -> str | None:
    """The municipality a passage is about: a report's visited city, else the municipality
    whose council the document records; None when unknown."""
    if meta.get("kind") == "report" and meta.get("city"):
        return str(meta["city"])
    return meta.get("municipality") or meta.get("city") or None


def speaks_of(meta: Mapping[str, Any], text: str, forms: Collection[str]) -> bool | None:
    """Whether a passage speaks of a municipality (given as its Japanese ``forms``): its place
    is one of them, or its text names one. None when its place is unknown and its text does
    not name one (minutes whose municipality could not be read): the caller decides."""
    if any(f in nfkc(text) for f in forms):
        return True
    place = place_of(meta)
    if place is None:
        return None
    return place in forms
