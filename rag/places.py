"""Place names: which visited city a question names, and where (the gazetteer).

Names come from the cities in the index: each city as written (盛岡市), without its
suffix 市区町村 when two characters or more remain (盛岡), and its romanised reading from
the tokenizer (morioka). A name matches where it occurs in the NFKC-folded text; a Latin
name only as a whole word (``sendai`` in "about Sendai?" or "Sendaiの", never inside
"sendaian"). Longer names are matched first, and matches never overlap.

The retriever uses :meth:`Gazetteer.mentioned` to favour passages about a named city;
:mod:`rag.followup` uses :meth:`Gazetteer.spans` to swap one city for another.

>>> g = Gazetteer({"盛岡市": "盛岡市", "盛岡": "盛岡市", "morioka": "盛岡市"})
>>> g.mentioned("How did Morioka get cloud savings?"), g.spans("盛岡市は？")
({'盛岡市'}, [(0, 3, '盛岡市')])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from rag.text import fold

MUNICIPAL_SUFFIXES = "市区町村"


class Gazetteer:
    """Names by which text can mention a known place, each mapped to the place."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = {fold(n): place for n, place in names.items() if n}
        alternatives = "|".join(
            rf"(?<![a-z]){re.escape(n)}(?![a-z])" if n.isascii() else re.escape(n)
            for n in sorted(self.names, key=lambda n: (-len(n), n))
        )
        self._pattern = re.compile(alternatives, re.I) if alternatives else None

    @classmethod
    def from_places(
        cls, places: Iterable[str], readings: Callable[[str], Iterable[str]]
    ) -> Gazetteer:
        """From city names and a function giving the words of a name (the tokenizer, whose
        Latin tokens of four letters or more are romanised readings)."""
        names: dict[str, str] = {}
        for place in sorted(set(places)):
            names[place] = place
            stem = place.rstrip(MUNICIPAL_SUFFIXES)
            if len(stem) >= 2:
                names[stem] = place
            for word in readings(place):
                if word.isascii() and len(word) >= 4:
                    names[word] = place
        return cls(names)

    def __len__(self) -> int:
        return len(self.names)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Where ``text`` names a known place: ``(start, end, place)``, in text order."""
        if self._pattern is None:
            return []
        return [
            (m.start(), m.end(), self.names[fold(m.group())]) for m in self._pattern.finditer(text)
        ]

    def mentioned(self, text: str) -> set[str]:
        """The places ``text`` names."""
        return {place for _, _, place in self.spans(fold(text))}
