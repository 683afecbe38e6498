"""Metadata filters: parsed and checked once, then matched in memory or sent to Milvus.

Every front end (CLI ``--filter key=value``, the HTTP API, the UI) builds a :class:`Filters`
with :meth:`Filters.parse`; the retriever and both vector stores take that value. A bad key
or date raises :class:`FilterError`, whose message names the field.

Dates may be written ``2023``, ``2023-09``, ``2023/09``, ``2023-09-13``, ``2023年9月13日``,
``令和5年9月`` or ``R5.9`` (令和, 平成, 昭和; R, H, S); they are kept as ISO prefixes, which
compare with the chunks' ISO dates as strings. ``date_from`` is inclusive from the start of
the period it names, ``date_to`` to its end.

This module imports nothing from ``rag`` but the text helpers.

>>> f = Filters.parse(["city=盛岡市", "date_from=令和5年9月"])
>>> f.date_from
'2023-09'
>>> f.matches({"city": "盛岡市", "date": "2023-09-13"})
True
>>> f.milvus_expr()
'city like "%盛岡市%" and (date != "" and date >= "2023-09")'
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from rag.text import CONTROL, ERA_INITIALS, ERAS, fold, nfkc

KEYS = ("doc", "city", "meeting", "section", "kind", "date_from", "date_to", "role", "speaker")
MAX_VALUE_CHARS = 200
DATE_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD, YYYY/MM, 2023年9月, 令和5年9月 or R5.9"

_ERA = re.compile(r"^(令和|平成|昭和|[rhs])\s*(元|\d{1,2})(?=\D|$)", re.I)
_YMD = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


class FilterError(ValueError):
    """A filter that cannot be used; ``field`` is ``filters.<key>``."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


def parse_date(text: str, key: str = "date") -> str:
    """A date, month or year in any of :data:`DATE_FORMS` → ``YYYY[-MM[-DD]]``.

    >>> parse_date("R5.9"), parse_date("2023/09/13"), parse_date("平成31年4月")
    ('2023-09', '2023-09-13', '2019-04')
    """
    s = nfkc(text).strip()
    era = _ERA.match(s)
    if era:
        n = 1 if era[2] == "元" else int(era[2])
        name = ERA_INITIALS.get(era[1].lower(), era[1])
        s = f"{ERAS[name] + n:04d}年" + s[era.end() :].lstrip(".年")
        if n == 0:
            raise FilterError(f"filters.{key}", f"{text!r}: an era year starts at 1 (元年)")
    s = re.sub(r"[年月/.]", "-", s.replace("日", "")).replace(" ", "").rstrip("-")
    m = _YMD.match(s)
    if not m:
        raise FilterError(f"filters.{key}", f"{text!r} is not a date; write {DATE_FORMS}")
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        datetime.date(year, month, day)
    except ValueError as e:
        raise FilterError(f"filters.{key}", f"{text!r} is not a date ({e})") from e
    parts = [f"{year:04d}"] + [f"{int(x):02d}" for x in (m[2], m[3]) if x]
    return "-".join(parts)


@dataclass(frozen=True)
class Filters:
    """Which chunks a search may return. Empty fields do not filter; text fields match
    NFKC-folded and case-blind (``doc`` and ``kind`` exactly, the others as substrings)."""

    doc: str = ""
    city: str = ""
    meeting: str = ""  # the meeting, or the section where a document has no meeting
    section: str = ""  # the section heading (a report's city, a minutes' agenda item)
    kind: str = ""  # report | minutes
    date_from: str = ""  # ISO prefix, inclusive
    date_to: str = ""  # ISO prefix, inclusive of the whole period
    role: str = ""  # member | official | chair | other
    speaker: str = ""  # a name or a role title

    @classmethod
    def parse(cls, given: Filters | Mapping[str, Any] | Iterable[str] | None) -> Filters:
        """From ``{"city": "盛岡市"}`` or ``["city=盛岡市"]``: keys checked, empty values
        dropped, control characters removed, dates normalised.

        >>> Filters.parse({"date_to": "2023"}) == Filters(date_to="2023")
        True
        """
        if isinstance(given, Filters):
            return given
        pairs: list[tuple[str, Any, str]] = []  # key, value, and the item as written
        if isinstance(given, Mapping):
            pairs = [(k, v, "") for k, v in given.items()]
        else:
            for item in given or ():
                key, sep, value = str(item).partition("=")
                if not sep:
                    raise FilterError(f"filters.{key.strip()}", f"{item!r}: write key=value")
                pairs.append((key, value, f"{item!r}: "))
        values: dict[str, str] = {}
        for raw_key, value, shown in pairs:
            key = str(raw_key).strip()
            if key not in KEYS:
                raise FilterError(f"filters.{key}", f"{shown}unknown filter; use {', '.join(KEYS)}")
            text = CONTROL.sub("", "" if value is None else str(value)).strip()
            if not text:
                continue
            if len(text) > MAX_VALUE_CHARS:
                raise FilterError(f"filters.{key}", f"longer than {MAX_VALUE_CHARS} characters")
            values[key] = parse_date(text, key) if key.startswith("date_") else text
        return cls(**values)

    def items(self) -> dict[str, str]:
        """The fields in use, as a plain dict (for JSON and logs)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def __bool__(self) -> bool:
        return bool(self.items())

    def matches(self, meta: Mapping[str, Any]) -> bool:
        """Does a chunk with metadata ``meta`` pass every filter?"""
        if self.doc and fold(meta.get("doc_id")) != fold(self.doc):
            return False
        if self.kind and fold(meta.get("kind")) != fold(self.kind):
            return False
        if self.city and fold(self.city) not in fold(_place(meta)):
            return False
        if self.meeting and fold(self.meeting) not in fold(
            meta.get("meeting") or meta.get("section")
        ):
            return False
        if self.section and fold(self.section) not in fold(meta.get("section")):
            return False
        date = str(meta.get("date") or "")
        if (self.date_from or self.date_to) and not date:
            return False
        if self.date_from and date < self.date_from:
            return False
        if self.date_to and date[: len(self.date_to)] > self.date_to:
            return False
        if self.role and fold(self.role) not in [fold(r) for r in meta.get("roles") or []]:
            return False
        if self.speaker:
            people = [meta.get("questioner") or {}, *(meta.get("answerers") or [])]
            names = [fold(p.get("name")) + " " + fold(p.get("role")) for p in people]
            names += [fold(s) for s in meta.get("speakers") or []]
            if not any(fold(self.speaker) in n for n in names):
                return False
        return True

    def milvus_expr(self) -> str:
        """The same filters as a Milvus boolean expression over the fields of
        :func:`milvus_fields` (text matches there are substring, without NFKC folding)."""
        parts = []
        if self.doc:
            parts.append(f"doc_id == {_quote(self.doc)}")
        for key in ("city", "meeting", "section"):
            if getattr(self, key):
                parts.append(f"{key} like {_like(getattr(self, key))}")
        if self.kind:
            parts.append(f"kind == {_quote(self.kind)}")
        if self.date_from:
            parts.append(f'(date != "" and date >= {_quote(self.date_from)})')
        if self.date_to:
            parts.append(f'(date != "" and date <= {_quote(self.date_to + "~")})')
        if self.role:
            parts.append(f"json_contains(roles, {_quote(self.role)})")
        if self.speaker:
            parts.append(f"speakers like {_like(self.speaker)}")
        return " and ".join(parts)


def milvus_fields(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The filterable fields of a chunk, flat and without nulls, as Milvus stores them."""
    return {
        "doc_id": str(meta.get("doc_id") or ""),
        "city": str(_place(meta) or ""),
        "meeting": str(meta.get("meeting") or meta.get("section") or ""),
        "section": str(meta.get("section") or ""),
        "date": str(meta.get("date") or ""),
        "kind": str(meta.get("kind") or ""),
        "roles": list(meta.get("roles") or []),
        "speakers": json.dumps(meta.get("speakers") or [], ensure_ascii=False),
    }


def _place(meta: Mapping[str, Any]) -> Any:
    """The place a city filter matches: a report's visited city, else the municipality of
    the council (minutes whose header or file named it, a report's opening)."""
    return meta.get("city") or meta.get("municipality")


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a double-quoted, escaped string literal


def _like(value: str) -> str:
    return _quote("%" + value.replace("%", "") + "%")
