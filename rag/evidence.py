"""The evidence gate: does any retrieved passage cover the question well enough to answer?

Pure functions of the question, the passages and the index's BM25 statistics (no model,
no I/O):

- the question's terms, weighted by idf (:meth:`Evidence.weights`);
- the share of them a text holds (:meth:`Evidence.coverage`);
- names in the question that no indexed passage contains (:meth:`Evidence.missing_names`):
  a question about a place or person the documents never mention is not answered; an
  English name counts as mentioned when an indexed word reads as it (Nanbu → 南部) or the
  index's term list translates it (Personnel Commission → 人事委員会);
- the municipalities a question names (:meth:`Evidence.asked_places`), which a passage
  must speak of to answer it (:meth:`Evidence.about`): 港区's figure is not in 品川区's
  minutes;
- confidence, the best over the top passages of sqrt(term coverage × dense similarity).

>>> ev = Evidence(retriever.tokenizer, retriever.index.bm25)     # doctest: +SKIP
>>> ev.confidence("盛岡市はなぜコストメリットを出せたのか", hits)      # doctest: +SKIP
0.62
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from rag.bilingual import Lexicon
from rag.bm25 import BM25
from rag.municipalities import EN_SUFFIXES, english_named, named, speaks_of
from rag.retrieval import Hit
from rag.text import fold, question_language, sentences
from rag.tokenizing import (
    Tokenizer,
    acronyms,
    english_stop_words,
    latin_names,
    romanized_reading,
)

# Passages whose coverage counts; the extractive answer quotes from as many.
ANSWER_PASSAGES = 3
# A question term made of alternatives, any of which a text may hold: the Japanese terms an
# English word of the question translates to (「reports」 → 通報|報告|レポート).
ALT = "|"
PART = " "  # the parts of a term the index holds cut (副市長: 「副 市長」)


def holds(term: str, present: set[str] | frozenset[str]) -> bool:
    """Whether a text's tokens hold a question term: one of its alternatives (:data:`ALT`),
    an alternative cut into the index's terms (「副 市長」) by all its parts."""
    if term in present:
        return True
    return (ALT in term or PART in term) and any(
        all(p in present for p in t.split(PART)) for t in term.split(ALT)
    )


def loose_reading(reading: str) -> str:
    """A romanised reading in the form English spellings of Japanese names share: c for k
    (Konica: コニカ, konika), l for r, and long vowels written short (Ohno, Oono: ono).

    >>> loose_reading("konica"), loose_reading("ohno"), loose_reading("oono")
    ('konika', 'ono', 'ono')
    """
    r = re.sub(r"c(?!h)", "k", reading).replace("l", "r")
    r = re.sub(r"(?<=[aeiou])h(?![aeiou])", "", r)  # Ohno
    return re.sub(r"([aeiou])\1+", r"\1", r).replace("ou", "o")


@dataclass(frozen=True)
class Evidence:
    """The evidence measures over one index's vocabulary."""

    tokenizer: Tokenizer
    bm25: BM25
    passages: int = ANSWER_PASSAGES
    # coverage is counted in this many consecutive sentences (with the passage's heading),
    # so that words scattered over a passage about something else are not evidence; 0: the
    # whole passage. 1 chosen on the dev split (evals/, see the README)
    window: int = 1
    # the index's English → Japanese term list (read on the first English question)
    lexicon: Callable[[], Lexicon | None] | None = None
    # the terms of the index's speakers' names (read on the first question naming a person
    # the texts never write: a minutes' speaker labels are metadata)
    speakers: Callable[[], frozenset[str]] | None = None

    def weights(self, question: str, translated: bool = True) -> dict[str, float]:
        """Question terms and their idf. An English word the index never saw is left out
        (it may just lack a bridge to the Japanese text), unless it is a name the index
        does not hold under a reading or translation (:meth:`_known`): a name the documents
        never mention is evidence that they do not answer. An English word the term list
        translates is held by a text holding any of its Japanese terms (:data:`ALT`; a
        compound the index holds cut, by all its parts: :data:`PART`) or the word itself,
        weighted by their mean idf; ``translated=False`` leaves those out. Translations
        place an English question's terms in a passage well enough to pick sentences, but
        too loosely for the evidence gate: the term list also offers wrong senses (app →
        以上), so the gate reads the untranslated terms only, and of an English question's
        own words only its names and acronyms (Morioka, SDGs, DX): its other words reach
        the index only as the origins of loanwords (member of メンバー, people of ピープル),
        which a passage saying 議員 or 人 lacks, or by chance as the reading of a Japanese
        word (take, 竹; home, 褒め). A name or acronym the index holds as written is held
        too by a text holding its Japanese form (:meth:`written_as`: Asahi → 朝日, COVID →
        コロナ), weighted by the forms' mean idf: the few passages that write it in Latin
        letters (a URL, 「COVID-19」) are not the only ones about it."""
        english = question_language(question) == "en"
        lexicon = self.lexicon() if self.lexicon and english else None
        names = {t for w in latin_names(question) for t in self.tokenizer(w)}
        as_written = names | {t for w in acronyms(question) for t in self.tokenizer(w)}
        out = {}
        held = set()  # the question's tokens that are terms of their own
        tokens = list(dict.fromkeys(self.tokenizer(question)))
        if english:  # a letter alone (the s of "council's") says nothing, nor does a
            # question's own word (after, per, what): some English passages hold them, and
            # they would weigh there as rare words
            stop = english_stop_words()
            tokens = [
                t
                for t in tokens
                if not (t.isascii() and (len(t) < 2 or (t in stop and t not in as_written)))
            ]
        for t in tokens:
            if (
                lexicon
                and translated
                and t.isascii()
                and t not in as_written
                and lexicon.units([t])
            ):
                continue  # an English word the list translates: its terms and itself, below
            if (
                t.isascii()
                and t not in self.bm25.vocab
                and (t not in names or self._known(t, english))
            ):
                continue
            if english and not translated and t.isascii() and t not in as_written:
                continue
            alts = self.written_as(t, lexicon) if english and t in as_written else []
            forms = [t, *(a for a in alts if a not in tokens)]
            out[ALT.join(forms)] = sum(map(self.bm25.idf_of, forms)) / len(forms)
            held.add(t)
        if lexicon and translated:
            # a name the index holds as written is not translated again; another English
            # word is held by its Japanese terms, or as written where a passage is in English
            # (a few English passages must not keep 議員 from standing for "member")
            words = [t for t in tokens if t.isascii() and t not in held]
            vocab = self.bm25.vocab
            for unit, terms in lexicon.units(words):
                own = [unit] if unit in vocab else []
                # a compound the index holds cut (副市長: 副, 市長) by its parts, weighed by
                # its rarest one
                cut = {a: lexicon.cut(a) for a in [*terms, *own] if a not in out}
                held_cut = [p for p in cut.values() if all(x in vocab for x in p)]
                if held_cut:
                    idf = [max(map(self.bm25.idf_of, p)) for p in held_cut]
                    out[ALT.join(PART.join(p) for p in held_cut)] = sum(idf) / len(idf)
        return out

    def coverage(self, weights: Mapping[str, float], text: str) -> float:
        """Share of the question's terms (idf-weighted) that a text contains."""
        total = sum(weights.values())
        if not total:
            return 0.0
        present = set(self.tokenizer(text))
        return sum(w for t, w in weights.items() if holds(t, present)) / total

    def uncovered(self, weights: Mapping[str, float], texts: Sequence[str]) -> dict[str, float]:
        """The question's terms (with their weights) that none of ``texts`` holds."""
        present = {t for text in texts for t in self.tokenizer(text)}
        return {t: w for t, w in weights.items() if not holds(t, present)}

    def local_coverage(self, weights: Mapping[str, float], text: str, embed_text: str) -> float:
        """The best coverage of any :attr:`window` consecutive sentences of ``text``, each
        read with the passage's heading (what ``embed_text`` adds before ``text``)."""
        if self.window <= 0:
            return self.coverage(weights, embed_text)
        at = embed_text.rfind(text)
        heading = embed_text[:at] if at > 0 else ""
        parts = [s for _, s in sentences(text)] or [text]
        return max(
            self.coverage(weights, heading + "\n" + "".join(parts[i : i + self.window]))
            for i in range(max(len(parts) - self.window + 1, 1))
        )

    def best_covered(self, weights: Mapping[str, float], texts: Sequence[str]) -> str:
        """The text (sentence) that holds most of the question's terms."""
        return max(texts, key=lambda s: self.coverage(weights, s))

    @cached_property
    def read_as(self) -> Mapping[str, tuple[str, ...]]:
        """The index's Japanese words by their romanised reading, in its loose form
        (:func:`loose_reading`: asahi → 朝日, 旭; konika → コニカ; built on first use)."""
        out: dict[str, list[str]] = {}
        for t in self.bm25.vocab:
            if not t.isascii() and len(r := romanized_reading(t)) > 2:
                out.setdefault(loose_reading(r), []).append(t)
        return {r: tuple(words) for r, words in out.items()}

    def read(self, name: str) -> tuple[str, ...]:
        """The index's Japanese words that read as the Latin ``name`` (Konica → コニカ)."""
        return self.read_as.get(loose_reading(fold(name)), ())

    def written_as(self, name: str, lexicon: Lexicon | None) -> list[str]:
        """The index's Japanese words for a Latin name of an English question: those that
        read as it (Asahi → 朝日) and, with a term list, its translations the index holds as
        one term (COVID → コロナ). A passage about it writes these more often than the Latin
        form, which a few passages hold as written (a URL, 「COVID-19」)."""
        words = list(self.read(name))
        if lexicon is not None:
            words += [t for _, terms in lexicon.units([name]) for t in terms]
        return [w for w in dict.fromkeys(words) if w in self.bm25.vocab]

    def _known(self, word: str, english: bool = True) -> bool:
        """Whether a Latin word that the index never saw as written names something it
        holds: some indexed word reads as it (Nanbu → 南部), or, in an English question,
        the index's term list (built from the index's own words) translates each of its
        tokens. A capitalised word of English, such as "Personnel Commission" (人事委員会)
        or "Board of Education", is then an ordinary word in Japanese dress, not a name
        the documents never mention. The term list is not read for a Japanese question
        (its first reading on an archive takes seconds)."""
        if self.read(word):
            return True
        lexicon = self.lexicon() if self.lexicon and english else None
        tokens = self.tokenizer(word)
        if lexicon is None or not tokens:
            return False
        return all(t in self.bm25.vocab or lexicon.units([t]) for t in tokens)

    def missing_names(self, question: str) -> list[str]:
        """Names in the question (places, people, bodies) that no indexed passage contains.
        A name is taken whole (ChatGPT is not Chat); a Latin one is mentioned when the
        index holds it under a Japanese reading or, in an English question, a translation
        (:meth:`_known`); a person, when the index's speakers hold it (:attr:`speakers`)."""
        vocab = self.bm25.vocab
        english = question_language(question) == "en"
        missing = [
            name
            for name in dict.fromkeys(self.tokenizer.names(question))
            if not any(t in vocab for t in self.tokenizer(name))
            and not (name.isascii() and self._known(name, english))
        ]
        if missing and self.speakers is not None:  # a speaker the labels name
            spoke = self.speakers()
            missing = [n for n in missing if not any(t in spoke for t in self.tokenizer(n))]
        return missing

    def asked_places(self, question: str) -> list[tuple[str, frozenset[str]]]:
        """The municipalities the question names, each as (its name as asked, its Japanese
        forms): 港区 → {港区}; "Ota ward" → the index's words that read as "ota" with 区 or
        市 ({大田区, 太田区, 大田市…}). An English one that no indexed word reads as is left
        out: a name the documents never mention is :meth:`missing_names`' to report, and
        "Smart city" names none."""
        out = [(n, frozenset([n])) for n in dict.fromkeys(named(question))]
        for name, kind in english_named(question):
            words = self.read(name)
            forms = frozenset(w + s for w in words for s in EN_SUFFIXES[kind])
            if forms:  # else not a name the index knows ("Smart city"): missing_names' part
                out.append((f"{name.title()} {kind}", forms))
        return out

    def about(self, hits: Sequence[Hit], asked: Sequence[tuple[str, frozenset[str]]]) -> list[Hit]:
        """The hits that may answer a question naming the ``asked`` municipalities, ranked
        anew: those whose passage speaks of one (:func:`rag.municipalities.speaks_of`), or
        whose place is unknown."""
        if not asked:
            return list(hits)
        kept = [
            h
            for h in hits
            if any(speaks_of(h.chunk.metadata, h.chunk.text, f) is not False for _, f in asked)
        ]
        return [replace(h, rank=i) for i, h in enumerate(kept, 1)]

    def confidence(self, question: str, hits: Sequence[Hit]) -> float:
        """How well the best of the top passages covers the question, in [0, 1]."""
        weights = self.weights(question, translated=False)
        best = 0.0
        for h in hits[: self.passages]:
            # who speaks in the passage is part of its heading (「ひぐちのりこ委員が触れた…」)
            said_by = " ".join(str(n) for n in h.chunk.metadata.get("speakers") or () if n)
            cov = self.local_coverage(weights, h.chunk.text, f"{said_by}\n{h.chunk.embed_text}")
            sim = max(h.similarity or 0.0, 0.0)
            if not weights:  # no term of the question is known to the index: meaning only
                best = max(best, sim)
            else:
                best = max(best, math.sqrt(cov * sim) if h.similarity is not None else cov)
        return best
