"""The extractive answer: the sentences of the top passages that answer the question,
quoted exactly, each passage marked [n] and led by who said it.

Sentences are scored by the question's terms they hold, their embedding similarity to the
question, and whether they have what the question asks for (a reason, a number, a date);
the top passage is trusted most. Every number of that scoring is in :class:`ExtractiveParams`,
the one object the evals tune.

>>> ex = Extractor(evidence, retriever.embeddings)                         # doctest: +SKIP
>>> text, citations = ex.compose("盛岡市はなぜコストメリットを出せたのか", hits)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import accumulate, takewhile
from typing import Any, cast

import numpy as np

from rag.answers import Citation
from rag.chunking import Chunk, chunk_id
from rag.citations import QUOTE_GAP, QUOTE_LINES, looks_like_injection
from rag.decisions import RESULTS, states_result
from rag.embedding import BatchedEmbeddings
from rag.evidence import ANSWER_PASSAGES, Evidence, holds
from rag.facts import (
    ASKING_WORDS,
    NAME_ASKED,
    WHO_WORDS,
    Figure,
    asked_bound,
    asked_clause,
    asked_event,
    asked_parts,
    asked_units,
    asks_council_decision,
    asks_target,
    days_named,
    decision_line,
    english_amount,
    english_counted,
    english_date,
    figures,
    labels_a_time,
    matching_decision,
    names_an_item,
    names_other_act,
    person_line,
    question_type,
    speaker_asked,
    speaker_said,
    stated_dates,
    states_time,
    who_from,
    without_dates,
)
from rag.municipalities import councils_named, named, normalised, speaks_of
from rag.parsing import is_stage_direction
from rag.presenting import speakers_at, who_said
from rag.retrieval import Hit
from rag.rosters import Listed, Roster, rosters
from rag.schema import ChunkMetadata
from rag.speakers import looks_like_name, strip_spaces, titled
from rag.text import ends_sentence, nfkc, question_language, sentences, squash, without_context
from rag.tokenizing import mecab_words, negated, person_names, romanized_reading
from rag.understanding import Hints, same_day, understand

EN_LABEL = "(quoted from the Japanese source)"
# A restated question that opens an answer to pre-submitted questions (「…というご質問です。」)
_QUESTION_SENTENCE = re.compile(
    r"(ご?質問|お尋ね|お伺い|伺いたい|教えて(いただ|くだ|下さ)|でしょうか|ですか)"
    r"[^。]{0,12}[。？?]?$"
)
# An answer's opening that only names the question it takes up (「今、ご質問いただきました
# ｅスポーツを使った多世代交流でございます。」「ただいまのご質問についてお答えいたします。」):
# a plain noun phrase and でございます / です / お答えします, no more. It holds the question's
# words and says nothing of them, so it is never an answer sentence of its own; it still
# places the sentence after it on the question's terms (Extractor.pick skips it; the
# sentences of a passage keep it). Anything said of the noun (は, も, が, とおり, a figure,
# a plan or a view, a verb before です) makes it a statement: 「ご指摘のとおりでございま
# す。」, 「ご提案の施設を来年度に開設する予定です。」 The same opening names the topic first:
# 「…の人材確保についてのお問合せでございます。」, 「…についてでございます。」 (について and
# nothing said after it, nor a subject before it: 「については検討中です」 and 「主な内容は、
# …の見直しについてでございます。」 say something).
_ECHO = re.compile(
    r"^[^。、]{0,6}[、，]?(?:ただいまの|今の)?(?:ご質問|お尋ね|ご指摘|ご提案)"
    r"(?:いただきました|いただいた|をいただきました|のありました|がありました|の)?"
    r"(?:(?!とおり|通り|予定|見込|検討|調査|考え)[^。、，はもが0-9０-９〇一二三四五六七八九十百千万億])"
    r"{0,40}?(?:[一-龥ァ-ヴーA-Za-zＡ-Ｚａ-ｚ]|について)(?:でございます|です|お答え(?:いた)?します)。?$"
    r"|^[^。はもが]{2,80}?について(?:の)?(?:[ご御]質問|お問い?合わ?せ|お尋ね|[ご御]指摘|[ご御]提案)?"
    r"(?:でございます|です)。?$"
)
# A when-question on a sitting itself: when it opened, closed or was held
_MEETING_HELD = re.compile(
    r"(?:会議|本会議|定例会|臨時会|委員会|会期)[^、。]{0,12}?"
    r"(?:開会|閉会|散会|開催|開かれ|開い|行われ|招集)|"
    r"\b(?:meeting|session|sitting)s?\b.{0,40}\b(?:open|held|close|convene)",
    re.I,
)
# A result pronounced of the item its passage took up: 「よって、本案は…可決されました」
_REFERS_BACK = re.compile(r"本案|本件|本陳情|本請願|本議案|同案|同議案|各案")
# A sentence that announces what the next one says: 「…その理由を聞いた結果となって
# おります。」 over a chart, 「主な理由は次のとおりです。」, 「課題として３点挙げてござい
# ます。」, 「…についてご報告いたします。」: the content is in the sentence after it (not
# 「…という状況でございます。」 nor 「お願い申し上げます。」, which say their content)
_ANNOUNCES = re.compile(
    r"(?:次|以下)の(?:とおり|通り|ように|ような)"
    r"|[0-9０-９一二三四五六七八九十]+\s*点(?:を)?(?:ございます|あります|挙げ)"
    r"|[0-9０-９一二三四五六七八九十]+\s*つ(?:を)?(?:(?:ございます|あります)。?$|挙げ)"
    r"|(?:聞いた|調査した|集計した|尋ねた|伺った|お聞きした)結果(?:と|で)(?:なって)?"
    r"(?:おります|ございます)。?$"
    r"|[ご御](?:報告|説明)(?:いたします|申し上げます)。?$"
)
# The cue by which a sentence answers each kind of question (:func:`rag.facts.question_type`):
# a reason, a number, a date, a way; a yes/no question is answered by a sentence that states
# where the matter stands: done, under study, planned, or not (「検討中です」「予定は
# ございません」「見直しは行わない」), not an apology (申し訳ございません).
_CUES = {
    "why": re.compile(r"理由|ため|から|ことで|により"),
    "amount": re.compile(r"[0-9０-９]"),
    "when": re.compile(r"[0-9０-９]+年|令和|平成|月|日"),
    "how": re.compile(r"して(いる|おり|いま)|活用|導入|実施|行っ"),
    "yesno": re.compile(
        r"検討(中|して|を(進め|行っ))|予定(です|でございます|して|は(ない|ありません|ございません))"
        r"|(して|行って|進めて)(いる|おり|いま|いない|おりません)|(行わ|考えてい|予定してい)ない"
        r"|(?<!申し訳)(ございません|ありません)"
    ),
}


@dataclass(frozen=True)
class ExtractiveParams:
    """The hand-set numbers of sentence picking (chosen on evals/, see the README)."""

    passages: int = ANSWER_PASSAGES  # quote from at most this many top passages
    max_sentences: int = 3
    max_candidates: int = 40  # sentences embedded per answer
    min_sentence_chars: int = 6
    coverage_weight: float = 0.5  # of the question's idf-weighted terms
    similarity_weight: float = 0.5  # of the embedding similarity to the question
    cue_bonus: float = 0.1  # per kind of answer asked for (reason, number, date, way)
    reply_opening: tuple[float, ...] = (0.25, 0.1)  # a reply's first and second sentence
    passage_prior: tuple[float, ...] = (1.0, 0.7, 0.6, 0.6, 0.6, 0.6)  # by retrieval rank
    asked_factor: float = 0.7  # a questioner's sentence answers less often than an official's
    keep_same_passage: float = 0.8  # more sentences of the top passage, share of the top score
    keep_other_passage: float = 0.95  # sentences of other passages
    # the sentence right after the best one, at this share of its score: a reply that
    # answers two asks in turn (「目的としましては…。それから、課題としましては…」)
    # states the second right after the first; dev 0.6 / 0.5 / 0.4 (evals/results/
    # 2026-11-29-q-keep-next-dev.txt)
    keep_next_sentence: float = 0.5
    # a sentence holding question terms that no chosen one holds, at least this share of
    # the question's idf weight, is quoted too
    complete_share: float = 0.2
    # a yes/no question quotes the top passage's sentence that says where the matter stands
    # when no chosen sentence does
    quote_status: bool = True
    # the sentence after the best one is quoted whatever its score where the best one only
    # announces it (:data:`_ANNOUNCES`)
    quote_announced: bool = True
    figure_topical: float = 0.1  # lead line: a figure stated as 「Xは<figure>」
    # lead line: a figure stated as the comment on a thing the question does not name
    # (「職員は大体1万人いますので、申込者数はそこまで多くない」, asked how many applied:
    # the member's 「220名の申込み」), less this. Dev 0 / 0.15 / 0.3 / 0.5 move no lead line
    # (no dev question meets one); 0.3 is the least that answers the first-time user's
    # question on the founding report (evals/results/2026-11-29-s-figure-subject-dev.txt)
    figure_other_subject: float = 0.3
    # lead line, when: a date under a heading or after a label that names a time (「1 調査
    # 期間」, 「日時：」): a report's header dates its approval, its submission and, under
    # 調査期間, the visit; dev 0.15 and 0.3 move nothing (no dev question meets one), 0.15
    # answers 「行政調査はいつ行われましたか」 on the founding report with the visit's dates
    # (evals/results/2026-11-29-r-figure-asked-dev.txt); so does a date in the minutes'
    # header when the question asks when the sitting was held (「…定例会が開会したのは
    # いつか」: 「令和６年２月２２日（木曜日）…開会」)
    figure_labelled: float = 0.15
    # lead line and the figure gate: the top passages a figure or date is looked for in; a
    # figure two ranks below the quoted passages is often the one asked (dev, 3 → 5: three
    # questions more hold their fact, two fewer are refused wrongly, none more answered
    # wrongly; 8 the same: evals/results/2026-11-29-u-figure-passages-dev.txt)
    figure_passages: int = 5
    # lead line: a date stated as the end or start of a span the question asks for
    # (「12月19日まで」, asked 「いつまでか」)
    figure_bound: float = 0.3
    figure_quoted: float = 0.05  # lead line: a figure in a quoted sentence
    figure_dated: float = 0.3  # lead line: a figure of the year asked about (-: of another)
    # lead line: a figure whose clause is negated as the question is, or not negated as it
    # is not (「利用していないと答えた職員は何人か」: 325人, not the 203人 who used it)
    figure_polarity: float = 0.2
    # lead line: a figure in the questioner's sentence, less this; it was read only when no
    # answer's sentence held one. A member states what the ward reported (「決算書には過料が
    # 9万6,000円分計上されていますが」) as the premise of another ask; dev 0 / 0.15 / 0.3
    # (evals/results/2026-11-29-r-figure-asked-dev.txt)
    figure_asked: float = 0.15
    # lead line: a figure of a passage from the meeting the question names (「2022年4月の
    # 総務委員会で…何部作成するとされたか」: that committee's sitting of that month, not
    # another meeting's booklet); dev 0.15 and 0.3 move one lead line, to the named
    # sitting's figure (evals/results/2026-11-29-v-counters-dev.txt)
    figure_meeting: float = 0.15
    # lead line: the share of the asked clauses' terms (:func:`rag.facts.asked_clause`) that
    # a figure's phrase holds, where the question opens with clauses of context (「…によると、
    # LINE社の問題の後、総務省からガイドラインが示されたのはいつか」: the date of the
    # guideline, not of the LINE account the context names); dev 0.15 and 0.3 move n159
    # alone (evals/results/2026-11-29-v-counters-dev.txt)
    figure_clause: float = 0.15
    # lead line: the question's subject (:meth:`Extractor._support`) that its sentence
    # holds with the ones before it (support_window), where a passage names its topic
    # (「他都市視察についてであります。…日程は、1月16日…」)
    # chosen on dev: 0, 0.5 and 1 tried (evals/results/2026-11-28-d2-figure-context-*)
    figure_context: float = 0.5
    # how many / how much: the least share of the question's subject (its terms less the
    # asking words) that a figure's sentence and the ones before it hold, else the documents
    # do not state it (no_answer); chosen on dev, between 0.37 (a figure of another thing)
    # and 0.43 (the lowest right answer)
    figure_support: float = 0.4
    # the sentences before a figure's that its subject is read in (:meth:`Extractor._support`):
    # a reply that explains a survey names it a few sentences before each figure; dev 2 / 4
    # / 8 (evals/results/2026-11-29-t-support-window-dev.txt): 4 gains m139's 325人 and
    # two lead lines on the archive, 8 loses a refusal and an archive fact
    support_window: int = 4
    # when-questions on a sitting (開会, 開催) also read the headers of the minutes found
    meeting_headers: bool = True
    # who-questions: a list of people (欠席議員, 説明員) answers when its label, or a post
    # written in it with the label, holds at least this share of what the question asks
    # beyond the passage's own record (its council, meeting and date); dev: 0.4 to 0.6 alike
    list_support: float = 0.5
    # who-questions: of the passages whose speaker's sentence holds at least this share of
    # the best one's coverage of the question, the best ranked gives the person (retrieval
    # ranks by more than the terms a sentence holds); dev sweep 1 / 0.8 / 0.6 / 0.4 / 0
    # (evals/results/2026-11-28-f-speaker-margin-dev.txt)
    speaker_margin: float = 0.8


DEFAULT_PARAMS = ExtractiveParams()
# A figure found, with the key it was chosen by: (key, (source index, phrase, figure,
# sentence))
Scored = tuple[tuple[float, ...], tuple[int, str, str, str]]


def _key_of(found: Scored | None) -> tuple[float, ...]:
    return found[0] if found else (float("-inf"),)


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in the chunk text
    hit: Hit
    asked: bool  # said by the questioner, not by whoever answered
    score: float = 0.0


def answer_sentences(chunk: Chunk, min_chars: int = 6) -> list[tuple[int, str, bool]]:
    """Sentences of a chunk: (offset, text, said by the questioner). The restated question
    that opens an answer to pre-submitted questions (「…というご質問です。」) is left out."""
    text = chunk.text
    meta = chunk.metadata
    asker = (meta.get("questioner") or {}).get("label")
    asked: list[tuple[int, int]] = []
    offsets = list(meta.get("turn_offsets") or [])
    for i, t in enumerate(offsets):
        if asker and t["speaker"] == asker and len(offsets) > 1:
            end = offsets[i + 1]["offset"] if i + 1 < len(offsets) else len(text)
            asked.append((t["offset"], end))
    out = []
    for start, sentence in sentences(text):
        if len(sentence) < min_chars:
            continue
        if meta.get("chunk_type") == "answer" and _QUESTION_SENTENCE.search(sentence):
            continue
        out.append((start, sentence, any(a <= start < b for a, b in asked)))
    return out


@dataclass(frozen=True)
class Extractor:
    """Picks and quotes the answering sentences of the top passages."""

    evidence: Evidence
    embeddings: BatchedEmbeddings
    params: ExtractiveParams = DEFAULT_PARAMS
    # a passage of the index by id (the turn an answer replies to); None: not looked up
    lookup: Callable[[str], Chunk | None] | None = None

    def pick(
        self, question: str, hits: Sequence[Hit], query_vector: np.ndarray | None = None
    ) -> list[Sentence]:
        """The sentences that answer, in passage and text order."""
        p = self.params
        weights = self.evidence.weights(question)
        asks = question_type(question)
        cue = _CUES.get(asks)
        wants = [cue] if cue else []
        cands = []
        seen: set[str] = set()
        for h in hits[: p.passages]:
            for start, text, asked in answer_sentences(h.chunk, p.min_sentence_chars):
                if _ECHO.match(text):  # names the question taken up; says nothing of it
                    continue
                if looks_like_injection(text):  # an instruction planted in a document
                    continue
                # what happened, not what was said (「～ 委員長終了あいさつ ～」); a figure
                # may still be read from it (「午後１時32分散会」: the lead line's time)
                if is_stage_direction(text):
                    continue
                if squash(text) not in seen:  # a sentence quoted twice (overlapping passages)
                    seen.add(squash(text))
                    cands.append(Sentence(text, start, h, asked))
        cands = cands[: p.max_candidates]
        if not cands:
            return []
        if query_vector is None:  # retrieval embedded it already, unless it was bm25 only
            query_vector = self.embeddings.encode([question], is_query=True)[0]
        sims = self.embeddings.encode([c.text for c in cands]) @ query_vector
        answered = {c.hit.chunk.id for c in cands if not c.asked}
        order: dict[str, int] = {}
        scored = []
        for c, sim in zip(cands, sims, strict=True):
            if c.asked and c.hit.chunk.id in answered:
                continue  # the question itself is not its answer
            nth = order[c.hit.chunk.id] = order.get(c.hit.chunk.id, -1) + 1
            kind = c.hit.chunk.metadata.get("chunk_type")
            score = p.coverage_weight * self.evidence.coverage(weights, c.text)
            score += p.similarity_weight * max(float(sim), 0.0)
            score += sum(p.cue_bonus for cue in wants if cue.search(c.text))
            if kind in ("qa", "answer"):  # a reply opens with its answer
                score += p.reply_opening[nth] if nth < len(p.reply_opening) else 0.0
            score *= p.passage_prior[c.hit.rank - 1] * (p.asked_factor if c.asked else 1.0)
            scored.append(replace(c, score=score))
        if not scored:
            return []
        scored.sort(key=lambda s: -s.score)
        top = scored[0]
        chosen = [top]
        for s in scored[1:]:
            if len(chosen) == p.max_sentences:
                break
            share = p.keep_same_passage if s.hit is top.hit else p.keep_other_passage
            if s.score >= share * top.score:
                chosen.append(s)
        # the question's terms no chosen sentence holds: the sentence that holds most of them
        # (「…売上げに貢献できた事例はありません」 after 「人流データ調査についてですが…」)
        gap = self.evidence.uncovered(weights, [s.text for s in chosen])
        if gap and len(chosen) < p.max_sentences:
            rest = [s for s in scored if s not in chosen and not s.asked]
            gains = [(self.evidence.coverage(gap, s.text) * sum(gap.values()), s) for s in rest]
            total = sum(weights.values()) or 1.0
            if gains:
                gain, extra = max(gains, key=lambda g: (g[0], g[1].score))
                if gain / total >= p.complete_share:
                    chosen.append(extra)
        # a yes/no question is answered by the sentence that says where the matter stands;
        # a reply often opens on the topic and states it last (「…検討した結果、今回の見直しは
        # 行わないと判断いたしました」): the best such sentence of the top passage is quoted too
        status = _CUES["yesno"]
        if (
            p.quote_status
            and asks == "yesno"
            and len(chosen) < p.max_sentences
            and not any(status.search(s.text) for s in chosen)
        ):
            stated = [
                s for s in scored if s.hit is top.hit and not s.asked and status.search(s.text)
            ]
            if stated:
                chosen.append(max(stated, key=lambda s: s.score))
        # the sentence right after the best one often finishes its thought; where that one
        # is quoted already (it held terms the best one lacks), the one after the run
        after = sorted(
            (s for s in scored if s.hit is top.hit and s.start > top.start), key=lambda s: s.start
        )
        nxt = next((s for s in after if s not in chosen), None)
        if (
            nxt
            and len(chosen) < p.max_sentences
            and nxt.score >= p.keep_next_sentence * top.score
            and not nxt.asked
        ):
            chosen.append(nxt)
        # a chosen sentence that only announces what follows (「…その理由を聞いた結果と
        # なっております。」): the sentence after it says it, whatever it scores
        for s in list(chosen) if p.quote_announced else []:
            if len(chosen) == p.max_sentences or not _ANNOUNCES.search(s.text):
                continue
            then = min(
                (x for x in scored if x.hit is s.hit and x.start > s.start),
                key=lambda x: x.start,
                default=None,
            )
            if then is not None and then not in chosen and not then.asked:
                chosen.append(then)
        return sorted(chosen, key=lambda s: (s.hit.rank, s.start))

    def compose(
        self, question: str, hits: Sequence[Hit], query_vector: np.ndarray | None = None
    ) -> tuple[str, list[Citation]]:
        """The answer text (the lead line, then one line per passage, 「who：quote[n]」) and
        its citations."""
        lead, text, citations = self.compose_with_lead(question, hits, query_vector)
        return text, citations

    def compose_with_lead(
        self, question: str, hits: Sequence[Hit], query_vector: np.ndarray | None = None
    ) -> tuple[str, str, list[Citation]]:
        """(lead line, answer text, citations): the lead line states the asked-for fact
        (:mod:`rag.facts`) and opens the text; "" when the question is not of a typed kind
        or the fact is not found."""
        lang = question_language(question)
        by_hit: dict[str, list[Sentence]] = {}
        for s in self.pick(question, hits, query_vector):
            by_hit.setdefault(s.hit.chunk.id, []).append(s)
        # passages of one document in document order, documents by their best rank
        first_rank: dict[str, int] = {}
        for g in by_hit.values():
            doc = str(g[0].hit.chunk.metadata.get("doc_id") or g[0].hit.chunk.id)
            first_rank[doc] = min(first_rank.get(doc, g[0].hit.rank), g[0].hit.rank)
        groups = sorted(
            by_hit.values(),
            key=lambda g: (
                first_rank[str(g[0].hit.chunk.metadata.get("doc_id") or g[0].hit.chunk.id)],
                str(g[0].hit.chunk.metadata.get("doc_id") or ""),
                _position(g[0].hit.chunk),
            ),
        )
        citations = [
            Citation(
                n,
                g[0].hit.chunk.id,
                g[0].hit.chunk.text,
                joined(s.text for s in g),
                g[0].hit.chunk.metadata,
            )
            for n, g in enumerate(groups, 1)
        ]
        lead, citations = self.lead_line(question, hits, citations, lang)
        lines: list[str] = []
        for c in citations:
            if not any(c.id == g[0].hit.chunk.id for g in groups):
                continue  # cited by the lead line only
            # one cited line per source, and per speaker where the quote joins a member's
            # question and the reply (each line says who said what it quotes)
            for part, at in _by_speaker(c):
                who = who_said(c.metadata, lang, at)
                quoted = one_line(part, c.text)
                if question_language(c.text) == "ja":
                    lines.append(
                        f"{who}：「{quoted}」[{c.n}]" if lang == "en" else f"{who}：{quoted}[{c.n}]"
                    )
                else:
                    lines.append(f"{who}: {quoted} [{c.n}]")
        if lang == "en" and any(question_language(c.text) == "ja" for c in citations):
            lines.insert(0, EN_LABEL)
        if lead:
            lines.insert(0, lead)
        return lead, "\n".join(lines), citations

    def compare(
        self,
        question: str,
        per_place: Sequence[tuple[str, Sequence[Hit], np.ndarray | None]],
    ) -> tuple[str, list[Citation]]:
        """A comparing question's answer: for each place, its best sentence, cited."""
        lang = question_language(question)
        lines: list[str] = []
        citations: list[Citation] = []
        for place, hits, query_vector in per_place:
            picked = self.pick(question, hits, query_vector)
            if not picked:
                lines.append(f"{place}：—" if lang == "ja" else f"{place}: (nothing found)")
                continue
            best = max(picked, key=lambda s: s.score)
            chunk = best.hit.chunk
            n = len(citations) + 1
            citations.append(Citation(n, chunk.id, chunk.text, best.text, chunk.metadata))
            who = who_said(chunk.metadata, lang, [best.start])
            if lang == "en":  # the place first, unless the label starts with it (its city)
                label = who if who.startswith(place) else f"{place}: {who}"
                lines.append(f"{label}：「{best.text}」[{n}]")
            else:
                lines.append(f"{who}：{best.text}[{n}]")
        if lang == "en" and citations:
            lines.insert(0, EN_LABEL)
        return "\n".join(lines), citations

    def lead_line(
        self, question: str, hits: Sequence[Hit], citations: list[Citation], lang: str
    ) -> tuple[str, list[Citation]]:
        """The line that states the fact a typed question asks for (each figure or date,
        when it asks for several), and the citations (one added for each fact that lives in
        a passage no quote cites)."""
        kind = question_type(question)
        extra = [
            h.chunk
            for h in hits[: self.params.passages]
            if h.chunk.id not in {c.id for c in citations}
        ]
        rank = {h.chunk.id: h.rank for h in hits}
        if kind == "when" and _MEETING_HELD.search(question) and self.params.meeting_headers:
            # 「…定例会が開会したのはいつか」: the minutes' header dates the sitting
            # (「令和６年２月２２日（木曜日）午前１０時００分開会」), a passage no question ranks
            have = {c.id for c in citations} | {c.id for c in extra}
            top = [h.chunk for h in hits[: self.params.passages]]
            extra += [c for c in self._headers_of(top) if c.id not in have]
        if kind == "who":
            # a list is looked for in every passage found and in the headers of their
            # minutes: a header's roll shares few words with any question, so it ranks low
            deeper = self._deeper(hits, citations)
            listed = self._listed(question, citations, deeper)
            if listed is not None:
                i, quote, line = listed
                citations, c = self._with_sentence(citations, deeper, i, quote)
                return f"{line} [{c.n}]", citations
            spoke = self._speaker(question, citations, extra, rank)
            if spoke is not None:
                person, turn, sentence = spoke
                citations, c = self._cite(citations, turn, sentence)
                return f"{person_line(person, lang)} [{c.n}]", citations
            held = self._post_holder(question, citations, extra)
            if held is not None:
                turn, sentence, line = held
                citations, c = self._cite(citations, turn, sentence)
                return f"{line} [{c.n}]", citations
            if (
                citations
                and speaker_asked(question) in (None, "said")
                and not asks_post_holder(question)  # none named with the post: refused
            ):
                # not who spoke but who was named (指名, 選任), or no turn of who said it:
                # the people named in the sentence of the top passages that best matches
                # the question (「議会運営委員長　出村ゆかり議員。」 calls who reports)
                named_in = self._naming_sentence(question, citations, extra)
                if named_in is not None:
                    i, sentence, named = named_in
                    citations, c = self._with_sentence(citations, extra, i, sentence)
                    return f"{'、'.join(named)} [{c.n}]", citations
        elif kind == "decision":
            decided = self._decision_of(question, citations, extra)
            if decided:
                i, d, pool = decided
                metas = [c.metadata for c in citations] + [ch.metadata for ch in pool]
                sentence = str(d.get("sentence") or "")
                citations, c = self._with_sentence(citations, pool, i, sentence)
                by_committee = any(d is x for x in metas[i].get("committee_decisions") or ())
                return f"{decision_line(d, lang, by_committee)} [{c.n}]", citations
        elif kind == "amount" and (counted := self._counted(question, hits, citations)):
            i, quote, line, deeper = counted
            citations, c = self._with_sentence(citations, deeper, i, quote)
            return f"{line} [{c.n}]", citations
        elif kind in ("amount", "when"):
            # each figure or date the question asks for (何人いて、…何人か: two); a figure
            # two asks want goes to the one it answers best, the other takes its next best
            parts = asked_parts(question)
            kinds = [kind if p == question else question_type(p) for p in parts]
            cited = {c.id for c in citations}
            have = {ch.id for ch in extra}
            deeper = [h.chunk for h in hits[self.params.passages : self.params.figure_passages]]
            extra = [ch for ch in extra if ch.id not in cited]
            extra += [ch for ch in deeper if ch.id not in cited and ch.id not in have]

            def best(n: int, taken: Collection[str]) -> Scored | None:
                # a member may state it, asking something else of it (「決算書には過料が
                # 9万6,000円分計上されていますが…」): the questioner's sentences are read too,
                # a little below the answer's (figure_asked)
                support = self._support_asked(parts[n]) if kinds[n] == "amount" else 0.0
                return self._scored_figure(parts[n], kinds[n], citations, extra, support, taken)

            first = {n: best(n, ()) for n in range(len(parts))}
            mine: dict[int, Scored] = {}
            for n in sorted(first, key=lambda n: _key_of(first[n]), reverse=True):
                found, taken = first[n], {f[1][2] for f in mine.values()}
                if found and found[1][2] in taken:
                    found = best(n, taken)
                if found:
                    mine[n] = found
            stated_lines: dict[str, str] = {}
            phrases: set[str] = set()
            for n, found in sorted(mine.items()):
                if stated_lines:  # its own figure, found again: the citations may have grown
                    figure = found[1][2]
                    others = {f[1][2] for f in mine.values()} - {figure}
                    found = best(n, others)
                if not found or any(found[1][1] in p or p in found[1][1] for p in phrases):
                    continue  # nothing, or a clause stated already (a date beside a count)
                i, phrase, figure, sentence = found[1]
                phrases.add(phrase)
                # the fact may be in a sentence not quoted, or in a passage not cited yet
                citations, c = self._with_sentence(citations, extra, i, sentence)
                extra = [ch for ch in extra if ch.id != c.id]
                reading = english_amount(figure) if kinds[n] == "amount" else english_date(figure)
                if lang == "en" and reading:
                    stated_lines[figure] = f"{phrase} (≈ {reading}) [{c.n}]"
                else:
                    stated_lines[figure] = f"{phrase} [{c.n}]"
            return QUOTE_LINES.join(stated_lines.values()), citations
        return "", citations

    def lacks_asked_figure(self, question: str, hits: Sequence[Hit]) -> bool:
        """Whether a question asking how much or how many finds no figure in the unit it
        asks for in the sentences of the top passages that hold its terms, stated where
        the passage speaks of the question's subject (``figure_support``), whoever says it:
        the documents do not state it."""
        if question_type(question) != "amount":
            return False
        if self._counted(question, hits, []):  # a list of people, counted
            return False
        top = [h.chunk for h in hits[: max(self.params.passages, self.params.figure_passages)]]
        # an English question's terms reach the Japanese text only in part: any sentence
        english = question_language(question) == "en"
        support = self._support_asked(question)
        # a member's own words count too: 「1週間に1度巡回していますが…」 states it
        found = self._figure(question, "amount", [], top, any_sentence=english, support=support)
        return found is None

    def lacks_asked_date(self, question: str, hits: Sequence[Hit]) -> bool:
        """Whether a Japanese question asking when an act was or will be done (「いつから施行
        されるのか」: :func:`rag.facts.asked_event`) finds no time stated (a date or a time
        word: :func:`rag.facts.states_time`) in a sentence of the top passages that names
        that act (:func:`_near_act`). A date stated of something else (the month a
        recommendation was made, asked when the ordinance takes effect) is no answer. Not
        for when a sitting was held, which a minutes' header dates."""
        event = asked_event(question, kinds=("when",))
        if not event or _MEETING_HELD.search(question):
            return False
        for h in hits[: max(self.params.passages, self.params.figure_passages)]:
            in_order = [nfkc(s) for _, s in sentences(h.chunk.text)]
            if any(
                states_time(t) and _near_act(in_order, k, event) for k, t in enumerate(in_order)
            ):
                return False
        return True

    def lacks_decision(self, question: str, hits: Sequence[Hit]) -> bool:
        """Whether a question asking how a council decided (採択されたのか, 審査結果は) finds
        no decision: none recorded for its item in the top passages or, for an item named
        by its number or its title, in the rest of their minutes (:meth:`_decision_of`),
        and no sentence of the top passages pronouncing a result of what it asks about (a
        report's prose may state it): one holding some of the question's subject beyond
        its place and council, or referring back (本案, 本件) in a passage that holds it.
        The documents then do not say how it was decided."""
        if not asks_council_decision(question):
            return False
        top = [h.chunk for h in hits[: self.params.passages]]
        if self._decision_of(question, [], top):
            return False
        # a result pronounced of what the question asks about: a sentence holding some of
        # its subject (not its place, its council or the result asked: 「議長から承認され」
        # in a report's header is the approval of the visit, not of the budget asked)
        weights = self.evidence.weights(question)
        besides = set(ASKING_WORDS) | set(RESULTS) | {"議会", "市議会", "区議会", "町議会"}
        for place in named(question):
            besides.update(self.evidence.tokenizer(place))
        subject = {
            t: w
            for t, w in weights.items()
            if t not in besides and not (len(t) == 1 and "ぁ" <= t <= "ゖ")  # さ of されたのか
        }
        return not any(
            states_result(sentence)
            and (
                not subject
                or self.evidence.coverage(subject, sentence)
                # 「よって、本案は原案のとおり可決されました」 of an item its passage names
                or (_REFERS_BACK.search(sentence) and self.evidence.coverage(subject, c.text))
            )
            for c in top
            for _, sentence in sentences(c.text)
        )

    def _decision_of(
        self, question: str, citations: Sequence[Citation], extra: Sequence[Chunk]
    ) -> tuple[int, Mapping[str, Any], list[Chunk]] | None:
        """(index among the citations and then the pool, decision, the pool) of the
        decision the question asks about: among the passages, then, for an item named by
        its number or by its title (:func:`rag.facts.names_title`), in the rest of their
        minutes that record a decision (the vote is a procedural passage that shares few
        words with the question; a title's few words in common match too loosely to go
        further)."""
        numbered = names_an_item(question)
        pool = [*extra, *(self._deciding(citations, extra) if numbered else [])]
        decided = matching_decision(
            question, [c.metadata for c in citations] + [c.metadata for c in pool]
        )
        if decided or numbered:
            return (*decided, pool) if decided else None
        # an item named by its whole title (「横浜市一般職職員の給与に関する条例等の一部
        # 改正は可決されたか」): its vote, elsewhere in the minutes, is looked up as a
        # numbered one's is
        pool = [*extra, *self._deciding(citations, extra)]
        decided = matching_decision(
            question, [c.metadata for c in citations] + [c.metadata for c in pool], by_title=True
        )
        return (*decided, pool) if decided else None

    def _support_asked(self, question: str) -> float:
        """The least support (:meth:`_support`) a figure needs: :attr:`ExtractiveParams.
        figure_support` for a Japanese question; none for an English one, whose terms
        reach the Japanese text through translations, too loosely to measure it by."""
        return 0.0 if question_language(question) == "en" else self.params.figure_support

    def _with_sentence(
        self, citations: list[Citation], extra: Sequence[Chunk], i: int, sentence: str
    ) -> tuple[list[Citation], Citation]:
        """(citations, the one quoting ``sentence``): the ``i``-th source quotes it, either a
        citation (its quote gains the sentence, in text order) or, past them, a top passage
        not cited yet (cited now, with that sentence as its quote). A sentence that is not
        in the passage's text is not quoted."""
        out = list(citations)
        if i < len(out):
            c = out[i]
            if sentence and sentence in c.text and sentence not in c.quote:
                out[i] = replace(c, quote=_in_text_order(c.text, c.quote, sentence))
            return out, out[i]
        chunk = extra[i - len(out)]
        quote = sentence if sentence and sentence in chunk.text else ""
        out.append(Citation(len(out) + 1, chunk.id, chunk.text, quote, chunk.metadata))
        return out, out[-1]

    def _sources(self, citations: Sequence[Citation], extra: Sequence[Chunk]) -> list[Citation]:
        """The cited passages, then the top passages not cited (with no quote)."""
        more = [Citation(0, ch.id, ch.text, "", ch.metadata) for ch in extra]
        return [*citations, *more]

    def _speaker(
        self,
        question: str,
        citations: Sequence[Citation],
        extra: Sequence[Chunk],
        rank: Mapping[str, int],
    ) -> tuple[Mapping[str, Any], Chunk, str] | None:
        """(person, their turn, its sentence) for a question asking who asked or who
        answered: of the top passages with such a person, the one whose words (the
        questioner's turn, or the answer) have a sentence holding nearly as many of the
        question's terms as the best one (:attr:`ExtractiveParams.speaker_margin`), the
        best ranked. For "who asked", an answer's questioner is read from the turn it
        replies to, which is cited instead: the member's own words are the evidence that
        they asked."""
        verb = speaker_asked(question)
        if verb is None:
            return None
        weights = self.evidence.weights(question)
        chair_asked = bool(re.search(r"議長|委員長|\bchair", nfkc(question), re.I))
        subject = {t: w for t, w in weights.items() if t not in _WHO_WORDS}
        # a question that names its sitting, a meeting and when (「2025年8月の区民委員会で…
        # 質問した委員は誰か」), asks who spoke there: a turn of another sitting is someone
        # else's (a meeting named alone may be no sitting: 「選定委員会は…」); when no
        # passage found is of that sitting, the question may name it otherwise (総務常任
        # 委員会 for 総務委員会) or date something else, and all are read
        hints = understand(question)
        sources = self._sources(citations, extra)
        if hints.meetings and hints.date_from:  # unless none is of it (named otherwise)
            there = [src for src in sources if _said_at(hints, src.metadata)]
            sources = there or sources
        found: list[tuple[float, int, tuple[Mapping[str, Any], Chunk, str]]] = []
        for src in sources:
            turn = Chunk(src.id, src.text, src.text, cast(ChunkMetadata, dict(src.metadata)))
            if verb == "said":  # whoever spoke the sentence that holds the question best
                # (not the chair calling on others, 「市政執行方針について市長の発言を許しま
                # す」, unless asked for; a chair who speaks to the matter is a speaker)
                # The chair's call that gives the floor (「市政執行方針について市長から発言
                # を求められておりますので、これを許します。」) names who spoke next: the
                # speaker of the turn after it
                calls = src.metadata.get("chunk_type") == "procedure" and not chair_asked
                spoken = []
                for at, s, _ in answer_sentences(turn):
                    who = speakers_at(src.metadata, [at])
                    if who and calls and who[0].get("category") == "chair":
                        who = self._called(turn, at) if _GIVES_FLOOR.search(s) else []
                        who = [p for p in who if p.get("category") != "chair"]
                    if who:
                        spoken.append((at, s, who[0]))
                if not spoken:
                    continue
                _, quote, sayer = max(spoken, key=lambda x: self.evidence.coverage(weights, x[1]))
                if not self.evidence.coverage(subject, quote):
                    continue  # the sentence says nothing the question asks about
                if sayer.get("name") or sayer.get("role"):  # ◯副委員長: the post answers
                    cov = self.evidence.coverage(weights, quote)
                    found.append((cov, rank.get(src.id, 99), (sayer, turn, quote)))
                continue
            person = who_from(question, src.metadata)
            if not person:
                continue
            if verb == "asked":
                turn = self._asked_in(turn)
            said = [
                s
                for _, s, asked in answer_sentences(turn)
                if asked == (verb == "asked") or _single_turn(turn)
            ]
            if not said:
                continue
            quote = self.evidence.best_covered(weights, said)
            found.append(
                (
                    self.evidence.coverage(weights, quote),
                    rank.get(src.id, 99),
                    (person, turn, quote),
                )
            )
        if not found:
            return None
        least = self.params.speaker_margin * max(cov for cov, _, _ in found)
        near = [(r, -cov, i) for i, (cov, r, _) in enumerate(found) if cov >= least]
        return found[min(near)[2]][2]

    def _called(self, chunk: Chunk, at: int) -> list[Mapping[str, Any]]:
        """The speaker of the turn after the one at ``at`` in ``chunk``: later in the
        passage, or the first turn of the next passages of its document that continues the
        count of turns (empty when none is found)."""
        turns = sorted(chunk.metadata.get("turn_offsets") or [], key=lambda t: int(t["offset"]))
        mine = [t for t in turns if int(t["offset"]) <= at]
        if not mine:
            return []
        later = [t for t in turns if int(t["offset"]) > at]
        if later:
            return speakers_at(chunk.metadata, [int(later[0]["offset"])])
        doc, _, n = chunk.id.rpartition("#")
        wanted = mine[-1].get("n")
        if self.lookup is None or not n.isdigit() or wanted is None:
            return []
        for step in range(1, _CALL_REACH + 1):
            nxt = self.lookup(chunk_id(doc, int(n) + step))
            if nxt is None:
                return []
            for t in nxt.metadata.get("turn_offsets") or []:
                if t.get("n") == int(wanted) + 1:
                    return speakers_at(nxt.metadata, [int(t["offset"])])
        return []

    def _asked_in(self, chunk: Chunk) -> Chunk:
        """The turn holding the question that ``chunk`` answers (itself when it holds it, or
        when that turn cannot be looked up)."""
        qid = chunk.metadata.get("question_id")
        if not qid or qid == chunk.id or self.lookup is None:
            return chunk
        return self.lookup(str(qid)) or chunk

    def _cite(
        self, citations: Sequence[Citation], chunk: Chunk, sentence: str
    ) -> tuple[list[Citation], Citation]:
        """(citations, the one quoting ``sentence`` of ``chunk``): cited already, or added."""
        for i, c in enumerate(citations):
            if c.id == chunk.id:
                return self._with_sentence(list(citations), [], i, sentence)
        return self._with_sentence(list(citations), [chunk], len(citations), sentence)

    def _listed(
        self,
        question: str,
        citations: Sequence[Citation],
        extra: Sequence[Chunk],
        count: bool = False,
    ) -> tuple[int, str, str] | None:
        """(source index, the list as quoted, the line naming who) for a who-question a
        list of people answers (:mod:`rag.rosters`): 「欠席した議員は誰か」 by the minutes'
        欠席議員, 「消防長は誰か」 by the 説明員 line 「消防長　佐藤幹雄」. Of the lists and posts
        of the passages (a minutes' header read whole, over its passages), the one whose
        label, or post with its list's label, holds most of what the question asks beyond
        the passage's own record (its council, meeting and date: :func:`_context`); None
        below :attr:`ExtractiveParams.list_support`, or when the question asks who said
        something (質問した, 答弁した: a speaker). Only passages of the day the question
        names, and of the council it names (仙台市議会's chair is not on 墨田区's report; a
        place it names may be one the report visited). ``count``: how many a whole list
        holds (「出席した議員は何人か」 → 出席議員（26人）)."""
        if speaker_said(question):
            return None
        weights = self.evidence.weights(without_dates(question))
        hints = understand(question)
        dates = stated_dates(question)
        councils = self._councils_asked(question)
        places = named(question)
        sources = self._sources(citations, extra)
        where = {c.id: i for i, c in enumerate(sources)}
        post = asked_post(question)  # 「委員長は誰か」: a line naming its holder, not 議長's
        best: tuple[float, int, tuple[int, str, str]] | None = None
        read: set[str] = set()
        for c in sources:
            meta = c.metadata
            if councils and normalised(meta.get("municipality")) not in councils:
                continue
            if places and speaks_of(meta, c.text, places) is False:
                continue  # of another municipality
            date = str(meta.get("date") or "")
            if dates and not (hints.date_matches(date) or any(same_day(d, date) for d in dates)):
                continue  # another day's roll
            whole = self._whole_header(c.id, meta) if meta.get("chunk_type") == "header" else []
            parts: Sequence[Citation | Chunk] = whole or [c]
            if parts[0].id in read:
                continue
            read.add(parts[0].id)
            text = "\n".join(p.text for p in parts)
            starts = list(accumulate((len(p.text) + 1 for p in parts[:-1]), initial=0))
            lists = rosters(text)
            held = set(self.evidence.tokenizer(_context(meta)))
            asked = {t: w for t, w in weights.items() if not holds(t, held) and _asks_for(t)}
            if not lists or not asked:
                continue
            header = meta.get("chunk_type") == "header"
            for r in lists:
                # a header's list, but for the absent, is of those who attended (出席)
                about = f"{r.label} 出席" if header and "欠席" not in r.label else r.label
                lines = _list_lines(r, about, asked, self.evidence.coverage)
                if count:  # the whole list only, by its size
                    lines = iter(
                        [(s, span, f"{r.label}（{r.size}人）") for s, span, _ in lines][:1]
                    )
                for share, (a, b), line in lines:
                    if post and not _holds_post(line, post):
                        continue
                    k = bisect_right(starts, a) - 1  # the passage the list starts in
                    i = where.get(parts[k].id)
                    if i is None or share < self.params.list_support:
                        continue
                    quote = text[a : min(b, starts[k] + len(parts[k].text))]
                    if best is None or (share, -i) > best[:2]:
                        best = (share, -i, (i, quote, line))
        return best[2] if best else None

    def _councils_asked(self, question: str) -> set[str | None]:
        """The municipalities whose own council the question asks about: 仙台市議会 and
        横浜市会 (:func:`rag.municipalities.councils_named`), or in English "the Sendai City
        Council", "Ota ward assembly" (the place as the index knows it:
        :meth:`rag.evidence.Evidence.asked_places`)."""
        councils = {normalised(p) for p in councils_named(question)}
        if question_language(question) == "en":
            for name, forms in self.evidence.asked_places(question):
                council = rf"{re.escape(name)}(?:'s)?\s+(?:council|assembly)\b"
                if re.search(council, question, re.I):
                    councils |= {normalised(f) for f in forms}
        return councils

    def _whole_header(self, passage: str, meta: Mapping[str, Any]) -> list[Chunk]:
        """The header passages of the document of the header passage ``passage``, in order
        (a long header is cut into several, and a list may run on from one to the next);
        empty when they cannot be looked up."""
        doc = Chunk(passage, "", "", cast(ChunkMetadata, dict(meta)))
        whole = self._headers_of([doc])
        return whole if any(h.id == passage for h in whole) else []

    def _counted(
        self, question: str, hits: Sequence[Hit], citations: Sequence[Citation]
    ) -> tuple[int, str, str, list[Chunk]] | None:
        """(source index, quote, line, the passages past the citations) when a question
        asking how many people a list answers: 「出席した議員は何人か」 → 出席議員（26人）."""
        if asked_units(question) != {"人"}:
            return None
        deeper = self._deeper(hits, citations)
        found = self._listed(question, citations, deeper, count=True)
        return (*found, deeper) if found else None

    def _deeper(self, hits: Sequence[Hit], citations: Sequence[Citation]) -> list[Chunk]:
        """The passages found and the headers of their minutes, less those cited."""
        passages = [h.chunk for h in hits]
        everything = {ch.id: ch for ch in passages + self._headers_of(passages)}
        cited = {c.id for c in citations}
        return [ch for ch in everything.values() if ch.id not in cited]

    def _deciding(self, citations: Sequence[Citation], extra: Sequence[Chunk]) -> list[Chunk]:
        """The passages of the minutes of ``citations`` and ``extra`` that record a decision
        or a committee's recommendation, not among them already."""
        have = {c.id for c in citations} | {c.id for c in extra}
        return [
            chunk
            for _, passages in self._minutes_of(citations, extra)
            for chunk in passages
            if chunk.id not in have
            and (chunk.metadata.get("decisions") or chunk.metadata.get("committee_decisions"))
        ]

    def _headers_of(self, chunks: Sequence[Chunk]) -> list[Chunk]:
        """The header passages (their lists: who attended) of the minutes ``chunks`` are
        from, in the order the documents come: a meeting's roll is in its header, which a
        question on who attended shares few words with."""
        if self.lookup is None:
            return []
        out: list[Chunk] = []
        seen: set[str] = set()
        for chunk in chunks:
            doc = str(chunk.metadata.get("doc_id") or "")
            if not doc or doc in seen or chunk.metadata.get("kind") != "minutes":
                continue
            seen.add(doc)
            out += takewhile(
                lambda c: c.metadata.get("chunk_type") == "header",
                self._passages_of(doc, _HEADER_PASSAGES),
            )
        return out

    def _post_holder(
        self, question: str, citations: Sequence[Citation], extra: Sequence[Chunk]
    ) -> tuple[Chunk, str, str] | None:
        """(passage, sentence, line) for 「…の委員長は誰か」, asking who holds a post, in
        minutes that label its holder by the post alone (◯委員長): the person the minutes
        of the top passages name with the post, read whole (「沼沢委員長、田村副委員長の下
        で」: 沼沢), most often if several; a speaker label naming both counts too. Only the
        minutes of the council and the meeting the question names; a word the minutes
        also write as a body (総務 of 総務委員会) names no one."""
        post = asks_post_holder(question)  # not 「市長は誰と会談したのか」: who met the mayor
        if post is None:
            return None
        written = post_written(question, post)
        councils = self._councils_asked(question)
        hints = understand(question)
        votes: dict[str, list[tuple[Chunk, str]]] = {}
        texts: list[str] = []  # of every passage read, for the bodies they name
        for first, passages in self._minutes_of(citations, extra):
            if councils and normalised(first.metadata.get("municipality")) not in councils:
                continue
            if hints.meetings and not hints.meeting_matches(first.metadata):
                continue
            for chunk in passages:
                texts.append(nfkc(chunk.text))
                for name, sentence in _named_with(post, chunk, written):
                    votes.setdefault(name, []).append((chunk, sentence))
        whole = "\n".join(texts)
        votes = {n: v for n, v in votes.items() if not any(n + b in whole for b in _BODIES)}
        if not votes:
            return None
        name, where = max(votes.items(), key=lambda kv: len(kv[1]))  # the first, on a tie
        chunk, sentence = where[0]
        return chunk, sentence, f"{written}　{name}"

    def _minutes_of(
        self, citations: Sequence[Citation], extra: Sequence[Chunk]
    ) -> Iterator[tuple[Citation, Iterator[Chunk]]]:
        """For each minutes document of the passages (in their order): its first passage
        found, and all its passages, looked up in document order (none without a lookup)."""
        if self.lookup is None:
            return
        seen: set[str] = set()
        for src in self._sources(citations, extra):
            doc = str(src.metadata.get("doc_id") or "")
            if doc and doc not in seen and src.metadata.get("kind") == "minutes":
                seen.add(doc)
                yield src, self._passages_of(doc)

    def _passages_of(self, doc: str, limit: int | None = None) -> Iterator[Chunk]:
        """A document's passages in order (up to ``limit``, else :data:`_DOCUMENT_PASSAGES`),
        while the lookup finds them."""
        assert self.lookup is not None
        for n in range(_DOCUMENT_PASSAGES if limit is None else limit):
            chunk = self.lookup(chunk_id(doc, n))
            if chunk is None:
                return
            yield chunk

    def _naming_sentence(
        self, question: str, citations: Sequence[Citation], extra: Sequence[Chunk]
    ) -> tuple[int, str, list[str]] | None:
        """(source index, sentence, names): of the sentences of the top passages that name
        people and hold some of the question's terms, the one holding most (the first, on a
        tie: quoted passages come first). None when no such sentence: names in a sentence
        about something else (会議録署名委員の指名) do not answer, nor does a stage direction
        (「（大泉　潤市長登壇）」), nor a person the question names itself (大泉 of 「大泉市長
        は誰と会談したのか」: asked who the other party was: :func:`_in_question`); the act
        the question asks the doer of (会談: :func:`rag.facts.asked_event`) must be named in
        the sentence or the two after it."""
        weights = self.evidence.weights(question)
        asked = nfkc(question)
        act = asked_event(question)  # 「誰と会談したのか」: a sentence naming the 会談
        best: tuple[float, tuple[int, str, list[str]]] | None = None
        for i, c in enumerate(self._sources(citations, extra)):
            if c.metadata.get("chunk_type") == "header":
                continue  # its lists are read as lists (:meth:`_listed`), not as sentences
            said = [sentence for _, sentence, _ in answer_sentences_of(c)]
            for k, sentence in enumerate(said):
                # the act in its sentence or the two after (「議会運営委員長　出村ゆかり議員。」
                # before her 「…御報告いたします。」)
                if is_stage_direction(sentence) or (
                    act and not any(act in nfkc(t) for t in said[k : k + 3])
                ):
                    continue
                named = [n for n in _people_named(sentence) if not _in_question(n, sentence, asked)]
                cov = self.evidence.coverage(weights, sentence)
                if named and cov > 0 and (best is None or cov > best[0]):
                    best = (cov, (i, sentence, named))
        return best[1] if best else None

    def _figure(
        self,
        question: str,
        kind: str,
        citations: Sequence[Citation],
        extra: Sequence[Chunk],
        any_sentence: bool = False,
        support: float = 0.0,
    ) -> tuple[int, str, str, str] | None:
        """:meth:`_scored_figure` without its key."""
        found = self._scored_figure(question, kind, citations, extra, support, (), any_sentence)
        return found[1] if found else None

    def _scored_figure(
        self,
        question: str,
        kind: str,
        citations: Sequence[Citation],
        extra: Sequence[Chunk],
        support: float = 0.0,
        exclude: Collection[str] = (),
        any_sentence: bool = False,
    ) -> Scored | None:
        """(key, (source index, phrase, figure, sentence)): the amount or date the question asks
        for, among the sentences of the cited passages, then of the top passages not cited.
        Only a figure in the unit asked for counts (people for 何人, yen for いくら; any unit
        when the question names none). Only sentences holding some of the question's terms
        are read, and the sentence right after each, unless ``any_sentence`` or the
        question has no term the index knows. Preferred: the clause that holds most of the
        question's terms, with a little more for a figure stated as the comment on a topic
        (「人口は28万3,630人」), for a quoted sentence, and for the question's subject its
        sentence holds with the ones before it (``figure_context``). A figure the question
        itself states (令和6年 in 「令和6年第4回定例会の会期はいつまで」) is not what it asks
        for, nor, asked when an act was done (「いつから施行されるのか」), a date stated where
        the act is not (:func:`_near_act`).
        ``support``: a figure counts only where its sentence, read with the ones before it,
        holds at least this share of the question's subject (:meth:`_support`): a figure in
        a passage that shares a word or two with the question (the cost of a survey, asked
        the cost of a dashboard) is a figure of something else. The questioner's sentences
        are read too (a member states what the ward reported as the premise of another
        ask), each figure there :attr:`ExtractiveParams.figure_asked` less. ``exclude``:
        figures not to give (another ask of the question took them)."""
        weights = self.evidence.weights(question)
        about = {t: w for t, w in weights.items() if t not in ASKING_WORDS}
        understood = understand(question)  # once per question
        hints = understood if support and about else None
        negative = negated(question) if self.params.figure_polarity else False
        # the year an English question names ("fiscal 2022"); a Japanese one writes its dates
        english = question_language(question) == "en"
        years = understood.years() if english else set()
        # the question's words, all of them (人口 of 「人口は」); an English question's never
        # meet a Japanese topic, so it has none to tell a thing of another by
        asked_terms = set() if english else set(self.evidence.tokenizer(question))
        # asked when a sitting was held: the minutes' header dates it, as a label would
        sitting = kind == "when" and bool(_MEETING_HELD.search(question))
        target = asks_target(question)
        bound = asked_bound(question) if kind == "when" else ""
        # 「いつから開始されるのか」: a date stated beside the act (開始), not one of another
        act = asked_event(question, kinds=("when",)) if not sitting else None
        # what an English "how many" counts beyond its unit ("school social" workers): its
        # translations must be near the figure, as a Japanese question's subject must
        counted_words = english_counted(question) if english else ""
        counted = self.evidence.weights(counted_words) if counted_words else {}
        # the terms of what is asked, where the question opens with context
        clause = asked_clause(question)
        unframed = without_context(nfkc(question).strip())  # a follow-up's context asks nothing
        in_clause = set(self.evidence.tokenizer(clause)) if clause != unframed else set()
        clause_weights = {t: w for t, w in about.items() if t in in_clause}
        best: tuple[tuple[float, ...], tuple[int, str, str, str]] | None = None
        order = 0
        for i, c in enumerate(self._sources(citations, extra)):
            at_meeting = _said_at(understood, c.metadata)
            quoted = [s for _, s in sentences(c.quote)]
            said = [(s, asked) for _, s, asked in answer_sentences_of(c)]
            rest = [s for s, _ in said if s not in quoted]
            by_asker = {s for s, asked in said if asked}
            if any_sentence or not weights:  # no term to place it by (English, unbridged)
                texts = quoted + rest
            else:  # a sentence on the question's terms, or the one right after it
                # (「窓口業務の委託についてお答えします。4,500万円でございます。」)
                on = [self.evidence.coverage(weights, s) > 0 for s, _ in said]
                near = {s for n, (s, _) in enumerate(said) if on[n] or (n and on[n - 1])}
                texts = quoted + [s for s in rest if s in near]
            in_order = [s for _, s in sentences(c.text)]  # all of them: topic lines too
            subject = {} if hints is None else self._subject(question, hints, about, c.metadata)
            for f in figures(question, texts, kind, years):
                order += 1
                if not f.wanted or f.figure in exclude:
                    continue
                # asked what was reached (実績), a target (「寄附額100億円の目標」) is no
                # answer; otherwise it competes as any figure does (a soft penalty moved
                # no dev question: evals/results/2026-11-29-s-first-user-rules-dev.txt)
                if f.target and target is False:
                    continue
                # the question's subject its sentence holds with the ones before it
                context = (
                    self._support(subject or about, in_order, texts[f.sentence])
                    if subject or (self.params.figure_context and about)
                    else 0.0
                )
                if subject and context < support:
                    continue
                here = texts[f.sentence]
                if act and not (
                    _near_act(in_order, in_order.index(here), act)
                    if here in in_order
                    else act in nfkc(here)  # a quote's joined sentences, read alone
                ):
                    continue  # 本年1月1日 of an earthquake, asked when a joint operation starts
                if counted and not self._support(counted, in_order, texts[f.sentence]):
                    continue  # 3580人 of 会計年度任用職員, asked how many school social workers
                key = (
                    self.evidence.coverage(weights, f.phrase)
                    + self.params.figure_context * context
                    + self.params.figure_topical * f.topical
                    + self.params.figure_labelled
                    * (
                        kind == "when"
                        and (
                            _under_time_label(in_order, texts[f.sentence], f.figure)
                            or (sitting and c.metadata.get("chunk_type") == "header")
                        )
                    )
                    + self.params.figure_quoted * (f.sentence < len(quoted))
                    + self.params.figure_dated * f.dated
                    + self.params.figure_meeting * at_meeting
                    + self.params.figure_clause
                    * (self.evidence.coverage(clause_weights, f.phrase) if clause_weights else 0.0)
                    + self.params.figure_bound * bool(bound and f.bound == bound)
                    + self.params.figure_polarity * (negated(f.phrase) == negative)
                    - self.params.figure_asked * (texts[f.sentence] in by_asker)
                    - self.params.figure_other_subject * self._other_subject(asked_terms, f),
                    -order,
                )
                if best is None or key > best[0]:
                    best = (key, (i, f.phrase, f.figure, texts[f.sentence]))
        return best

    def _other_subject(self, asked_terms: set[str], f: Figure) -> bool:
        """Whether ``f`` is stated as the comment on a thing the question does not name
        (職員 of 「職員は大体1万人」, asked how many applied); never for an English question
        (``asked_terms`` empty)."""
        return bool(asked_terms and f.subject) and not asked_terms & set(
            self.evidence.tokenizer(f.subject)
        )

    def _subject(
        self, question: str, hints: Hints, about: Mapping[str, float], meta: Mapping[str, Any]
    ) -> Mapping[str, float]:
        """``about`` less the terms of where and when the question says it was said, where
        the passage's own record says so too (its date, its meeting, its council or city):
        a header's 「欠席議員（４人）」 answers 「11月29日の本会議を欠席した議員は何人か」
        without the date beside the figure. Less too the days it names relative to a
        meeting (初日, 翌日), which a passage states as dates (「２月23日から…休会」). A term
        the question also uses outside those names stays (予算 of 「予算特別委員会で審議さ
        れた予算の総額」). All of ``about`` when that leaves nothing."""
        date = str(meta.get("date") or "")
        said = [d for d in stated_dates(question) if hints.date_matches(date) or same_day(d, date)]
        said += days_named(question)  # a passage writes them as dates
        said += list(hints.meetings) if hints.meeting_matches(meta) else []
        q = nfkc(question)
        said += [
            v
            for k in ("council", "city", "meeting")
            if (v := nfkc(str(meta.get(k) or ""))) and v in q
        ]
        if not said:
            return about
        rest = q
        for name in sorted(set(said), key=len, reverse=True):
            rest = rest.replace(name, " ")
        context = {t for name in said for t in self.evidence.tokenizer(name)}
        context -= set(self.evidence.tokenizer(rest))
        return {t: w for t, w in about.items() if t not in context} or about

    def _support(self, about: Mapping[str, float], in_order: list[str], sentence: str) -> float:
        """The share of the question's subject terms (``about``: its terms less the asking
        words) that ``sentence`` holds with the sentences before it in its passage
        (:attr:`ExtractiveParams.support_window`),
        where an answer names its topic before the figure (「…についてお答えします。…。開
        発の費用は480万円でした。」). A sentence not found in the passage (a quote's joined
        sentences) is read alone."""
        k = in_order.index(sentence) if sentence in in_order else 0
        before = in_order[max(k - self.params.support_window, 0) : k]
        return self.evidence.coverage(about, "".join(before) + sentence)


_WHO_WORDS = frozenset({*WHO_WORDS, *ASKING_WORDS})
# The chair gives the floor: 「…発言を求められておりますので、これを許します」, 「順次これを
# 許します」, 「発言を許可します」 (not 「写真撮影を許可します」)
_GIVES_FLOOR = re.compile(r"(?:発言|これ|質疑|討論|質問)を(?:許します|許可(?:いた)?します)")
_CALL_REACH = 3  # passages after a chair's call read for the turn it gives the floor to


_HEADER_PASSAGES = 8  # a minutes' header is read up to this many passages
# What a header is about beside its lists: the meeting (本会議, 定例会)
_HEADER_WORDS = "本会議 定例会 臨時会 会議"


_DOCUMENT_PASSAGES = 2000  # a minutes' passages read whole (who holds a post, votes), at most
# What is asked the holder of (kanji or katakana): 「…の委員長は誰か」, 「…部長の氏名は」,
# 「危機管理監には誰が就くのか」, 「…に就任したのは誰」
_WHO_ASKED = "(?:誰|だれ|どなた)"
# Holding a post: 就く, 就任する, 務める, 任命される, 選任される, 充てる (with its verb's tail)
_HOLDS = r"(?:就任|就|つ(?=[かきくけこいっ])|務め|任命|選任|充て)[ぁ-ん]{0,8}?"
_POST_ASKED = re.compile(
    rf"([A-Za-z一-龥ァ-ヶー]+)(?:(?:は|って){_WHO_ASKED}|(?:に|には){_WHO_ASKED}が{_HOLDS}"
    r"|の(?:氏名|お名前|名前)(?:は|を))"
    rf"|([A-Za-z一-龥ァ-ヶー]+)(?:に|を){_HOLDS}(?:の|人|方)は{_WHO_ASKED}"
)
# The posts one person holds that councils name their holders by (「沼沢委員長」), longest
# first; a member (議員, 委員) is not one (「質問した議員は誰か」 asks which member)
_POSTS = (
    "副委員長", "委員長", "副議長", "議長", "副市長", "市長", "副区長", "区長", "副町長",
    "町長", "副村長", "村長", "副知事", "知事", "教育長", "事務局長", "局長", "部長", "課長",
    "室長", "所長", "署長", "理事長", "会長", "監",  # 監: 危機管理監, 技監
)  # fmt: skip


# "Who is the chair of …?": an English post, read as the Japanese post councils write; a
# chair is a committee's (委員長) unless the council's or assembly's own (議長); a mayor is
# the head of the municipality the question names (品川区 → 区長)
_EN_POST_ASKED = re.compile(
    r"^who\s+(?:is|was|are|were)\s+(?:the\s+)?(?:current\s+)?(?P<post>"
    r"(?:vice|deputy)[-\s](?:chair(?:person|man|woman)?|speaker|mayor|governor)|"
    r"chair(?:person|man|woman)?|speaker|president|mayor|governor|"
    r"(?:education\s+)?superintendent(?:\s+of\s+education)?)"
    r"(?P<of>(?:\s+(?:of|for|on|at|in)\s+[^?]*)?)\s*\??$",
    re.I,
)
# "Who chairs the special committee on …?": the chair asked by its verb
_EN_CHAIRS = re.compile(
    r"^who\s+(?:currently\s+|now\s+)?(?:chairs|chaired|will\s+chair|presides\s+over|presided\s+over)"
    r"\s+(?P<of>[^?]+?)\s*\??$",
    re.I,
)
_HEADS = {"区": "区長", "町": "町長", "村": "村長"}


def _post_word(post: str, written: str = "") -> str:
    """``post``, or as the question writes it (``written``: 危機管理監), as a pattern: a post
    of one kanji ends its word (監, not 監査); a longer one may run into a name
    (「委員長沼沢」)."""
    return re.escape(written or post) + ("(?![一-龥])" if len(post) == 1 else "")


def _en_post_asked(question: str) -> tuple[str, str] | None:
    """(the post's English word, what it is of) of "who is the <post> [of …]?" or "who
    chairs …?"."""
    if m := _EN_POST_ASKED.match(question.strip()):
        return m.group("post").lower(), m.group("of").lower()
    m = _EN_CHAIRS.match(question.strip())
    if m and re.search(r"\b(?:committee|council|assembly|plenary)\b", m.group("of"), re.I):
        return "chair", " of " + m.group("of").lower()  # not a meeting's or a club's chair
    return None


def _english_post(question: str) -> str | None:
    """The Japanese post an English "who is the … ?" asks the holder of.

    >>> _english_post("Who is the chair of the DX special committee?")
    '委員長'
    >>> _english_post("Who is the mayor of Shinagawa ward?"), _english_post("Who asked?")
    ('区長', None)
    >>> _english_post("Who is the vice-chair?"), _english_post("Who is the speaker?")
    ('副委員長', '議長')
    >>> _english_post("Who was the mayor talking to?"), _english_post("Who is the mayor's secretary?")
    (None, None)
    >>> _english_post("Who was the speaker who asked about childcare?")
    >>> _english_post("Who chairs the city council's special committee on finance?")
    '委員長'
    >>> _english_post("Who presided over the plenary session?"), _english_post("Who chaired the meeting?")
    ('議長', None)
    """
    asked = _en_post_asked(question)
    if not asked:
        return None
    post, of = asked
    vice = "副" if post.startswith(("vice", "deputy")) else ""
    if "superintendent" in post:
        return "教育長"
    if "governor" in post:
        return vice + "知事"
    if "mayor" in post:
        kinds = [k for w, k in (("ward", "区"), ("town", "町"), ("village", "村")) if w in of]
        end = kinds[0] if kinds else ""
        return vice + _HEADS.get(end, "市長")
    council = bool(re.search(r"council|assembly|plenary", of)) and "committee" not in of
    if "speaker" in post or (council and ("chair" in post or "president" in post)):
        return vice + "議長"
    return vice + "委員長" if "chair" in post else None


def post_as_asked(question: str, post: str) -> str:
    """``post`` as the refusal names it: as a Japanese question writes it, or an English
    question's own word beside it ("mayor, 市長").

    >>> post_as_asked("Who is the mayor of Sendai?", "市長"), post_as_asked("市長は誰か", "市長")
    ('mayor, 市長', '市長')
    >>> post_as_asked("仙台市のデジタル戦略推進部長の氏名は何か", "部長")
    'デジタル戦略推進部長'
    """
    asked = without_context(question).strip()
    if question_language(asked) == "ja":
        return post_written(asked, post)
    en = _en_post_asked(asked)
    return f"{en[0]}, {post}" if en else post


def post_written(question: str, post: str) -> str:
    """``post`` as a Japanese question writes it (デジタル戦略推進部長 for 部長), else ``post``.

    >>> post_written("函館市議会の総務常任委員長を務めているのは誰か", "委員長")
    '総務常任委員長'
    """
    m = _POST_ASKED.search(nfkc(without_context(question))) if post else None
    held = (m.group(1) or m.group(2)) if m else ""
    return held if held.endswith(post) else post


def asked_post(question: str) -> str | None:
    """The post 「…は誰か」 asks the holder of (委員長, 副市長; 「仙台市議会議長」 → 議長); in
    English, the post "who is the chair / mayor / speaker …?" asks of (:func:`_english_post`).

    >>> asked_post("DX推進調査特別委員会の委員長は誰か"), asked_post("質問した議員は誰か")
    ('委員長', None)
    >>> asked_post("延長は誰が決めたか"), asked_post("仙台市議会議長は誰か")
    (None, '議長')
    >>> asked_post("Who is the speaker of the Sendai City Council?")
    '議長'
    """
    question = without_context(question)  # a follow-up asks in its own words
    if question_language(question) == "en":
        # only "who is the <post> [of …]?": not "the speaker who asked …" (a speaker)
        return _english_post(question)
    m = _POST_ASKED.search(nfkc(question))
    if not m or speaker_asked(question) is not None:  # who asked or said: a speaker
        return None
    held = m.group(1) or m.group(2)
    return next((p for p in _POSTS if held.endswith(p)), None)


# The question ends on who holds it: 「…は誰ですか」, 「…には誰が就くのか」, 「…の氏名は何か」
_HOLDER_ASKED = re.compile(
    rf"(?:(?:は|って){_WHO_ASKED}|(?:に|には){_WHO_ASKED}が{_HOLDS})"
    r"(?:ですか|でしょうか|か)?[？?。]?$"
    rf"|{NAME_ASKED}"
)


def _holds_post(line: str, post: str) -> bool:
    """Whether a line of a list names ``post`` itself, not the vice post that holds its
    name (委員長 is not in 「副委員長　田村」).

    >>> _holds_post("委員長　沼沢", "委員長"), _holds_post("副委員長　田村", "委員長")
    (True, False)
    >>> _holds_post("代表監査委員　山田", "監"), _holds_post("危機管理監　山田", "監")
    (False, True)
    """
    vice = "" if post.startswith("副") else "(?<!副)"
    return bool(re.search(vice + _post_word(post), nfkc(line)))


def asks_post_holder(question: str) -> str | None:
    """The post a question asks only who holds (「盛岡市の市長は誰ですか」), not what its
    holder did (「委員長は誰を指名したか」, 「市長は誰と会談したのか」).

    >>> asks_post_holder("盛岡市の市長は誰ですか"), asks_post_holder("委員長は誰を指名したか")
    ('市長', None)
    """
    post = asked_post(question)
    question = without_context(question)
    if post and question_language(question) == "en":
        return post  # "who is the … ?" asks only who holds it
    return post if post and _HOLDER_ASKED.search(nfkc(question).strip()) else None


def _named_with(post: str, chunk: Chunk, written: str = "") -> Iterator[tuple[str, str]]:
    """(name, sentence) for each person a passage names with ``post`` right after the name
    (「沼沢委員長」, 「大泉市長」; not 「田村副委員長」 for 委員長), and for a speaker whose
    label gives both: the post alone, or as the question writes it (``written``: a label's
    総務常任委員長 for 「総務常任委員長を務めているのは誰か」)."""
    for detail in chunk.metadata.get("speaker_details") or ():
        role = strip_spaces(str(detail.get("role") or ""))
        named_post = role == post or (
            written != post
            and _holds_post(role, post)
            and (written.endswith(role) or role.endswith(written))
        )
        if detail.get("name") and named_post:
            yield strip_spaces(str(detail["name"])), ""
    # a post of one kanji (監) is sought as the question writes it (危機管理監) and as a
    # word of its own (not 監 of 監査)
    target = written if len(post) == 1 and written.endswith(post) else post
    # the question names whose post it is (小学校PTA会長): a common noun before the post in
    # the text names another body's (自治 of 自治会長), so only a proper name counts; not for
    # the council's own chairs (総務常任委員長), held by members whose surnames UniDic may
    # read as common nouns (沼沢委員長)
    qualified = len(written) > len(post) and written.endswith(post) and post not in _CHAIRS
    pattern = re.compile(_post_word(post, target))
    for _, sentence in sentences(chunk.text):
        said = nfkc(sentence)
        if target not in said:
            continue
        words = mecab_words(said)
        ends = list(accumulate(len(w.surface) for w in words))
        for m in pattern.finditer(said):
            at = m.start()
            if at and at in ends:  # the name is the word that ends right before the post
                k = ends.index(at)
                if _names_someone(words[k], words[k - 1] if k else None, qualified):
                    yield words[k].surface, sentence


def _names_someone(word: Any, before: Any, proper_only: bool = False) -> bool:
    """Whether ``word``, written right before a post, is its holder's name: a person's or
    place's name as UniDic reads it (大泉 is a place too), or a noun of two or more
    characters that could be a name (沼沢, a marsh), not the tail of a compound (調査特別,
    委員会), a prefix (本委員長, 前委員長) or an acronym (PTA会長); with ``proper_only``,
    a proper name alone."""
    f = word.feature
    if f.pos1 != "名詞" or (before is not None and before.feature.pos1 in ("名詞", "接頭辞")):
        return False
    if f.pos2 == "固有名詞":
        return f.pos3 in ("人名", "地名")
    return (
        not proper_only
        and f.pos2 == "普通名詞"
        and len(word.surface) >= 2
        and word.surface not in _BEFORE_POSTS
        and not _LATIN_OR_DIGIT.search(word.surface)  # PTA of PTA会長, an acronym
        and looks_like_name(word.surface)
    )


# The council's own chairs, held by its members
_CHAIRS = frozenset({"委員長", "副委員長", "議長", "副議長"})
# Latin letters or digits: an acronym or a number before a post (PTA会長), never a name
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")
# Words a council writes before a post that are not a name (正副委員長: chair and vice-chair)
_BEFORE_POSTS = frozenset({"正副", "歴代", "現職", "前任", "後任", "新任", "代理", "職務", "当該"})
# What a word names when the minutes also write it before these: a body (総務委員会: 総務委員長
# is that committee's chair, not a person called 総務)
_BODIES = ("委員会", "部", "局", "課", "室", "会議", "審議会")


def _context(meta: Mapping[str, Any]) -> str:
    """A passage's own record: its title, council, committee, meeting and place, and for a
    minutes' header the meeting and attendance it records."""
    keys = ("title", "council", "committee", "meeting", "city", "municipality")
    words = [str(meta.get(k) or "") for k in keys]
    return " ".join(words + ([_HEADER_WORDS] if meta.get("chunk_type") == "header" else []))


# Words of holding a post (「委員長を務めているのは誰か」, 「…に就くのは」, 「…の氏名は」) and
# the auxiliary いる of 務めている: they ask who holds it, and no list's label writes them
_HOLDING_WORDS = frozenset(
    {"務め", "務める", "務めて", "就く", "就き", "就い", "就任", "いる", "氏名", "名前"}
)


def _asks_for(term: str) -> bool:
    """Whether a question's term says whom it asks for: not the question word, a date or
    count, a verb's stem (し of 欠席した), a word of holding a post or the counter of 何人."""
    return not (
        term in _WHO_WORDS
        or term in _HOLDING_WORDS
        or re.search(r"[0-9]", term)
        or re.fullmatch(r"[ぁ-ゖ]", term)
        or term in ("人", "名")
    )


def _list_lines(
    r: Roster,
    about: str,
    asked: Mapping[str, float],
    coverage: Callable[[Mapping[str, float], str], float],
) -> Iterator[tuple[float, tuple[int, int], str]]:
    """(share of ``asked`` held, the span to quote, the line stating who) for the whole
    list (by what it is ``about``: its label) and for the people of each post in it (by the
    post with that: 説明員 and 副市長 for 「説明員として出席した副市長」)."""
    if r.label:
        names = "、".join(p.name for p in r.people) or "なし"  # 欠席議員：なし
        yield coverage(asked, about), (r.start, r.end), f"{r.label}：{names}"
    posts: dict[str, list[Listed]] = {}
    for p in r.people:
        if p.role:
            posts.setdefault(p.role, []).append(p)
    for role, people in posts.items():
        names = "、".join(p.name for p in people)
        first, last = people[0], people[-1]
        together = r.people.index(last) - r.people.index(first) == len(people) - 1
        span = (first.start, (last if together else first).end)
        yield coverage(asked, f"{about} {role}"), span, f"{role}　{names}"


def _near_act(in_order: Sequence[str], k: int, act: str) -> bool:
    """Whether the ``k``-th sentence states a time of ``act`` (NFKC): it names the act
    (「施行日につきましては令和7年4月1日を予定」), or the sentence before does and this one
    names no other act (「運用開始時期についてお答えします。令和7年1月を予定しております。」;
    not 「…共同運用を開始し…てまいります。」 then 「…本年1月1日に発生した能登半島地震では…」)."""
    here = nfkc(in_order[k])
    if act in here:
        return True
    return k > 0 and act in nfkc(in_order[k - 1]) and not names_other_act(here, act)


# A person's post as a sentence gives it after their name (大泉潤市長, 山田太郎総務部長)
_TITLE_AFTER = "[一-龥]{0,8}?(" + "|".join(map(re.escape, _POSTS)) + ")"


def _said_at(hints: Hints, meta: Mapping[str, Any]) -> bool:
    """Whether a passage is from the meeting the question names (予算特別委員会, 総務委員会),
    on the date it names, if any; False when it names no meeting.

    >>> _said_at(understand("2022年4月の総務委員会で何部作成するとされたか"),
    ...     {"meeting": "総務委員会", "date": "2022-04-18"})
    True
    """
    return bool(hints.meetings) and (
        hints.meeting_matches(meta)
        and (not hints.date_from or hints.date_matches(str(meta.get("date") or "")))
    )


def _in_question(name: str, sentence: str, question: str) -> bool:
    """Whether the question itself names this person as the other party of what it asks
    about (the person named in ``sentence``): by their surname with the post the sentence
    gives them (大泉 with 市長 for 大泉潤市長, in 「大泉市長は誰と会談したのか」; not 鈴木議員
    for 鈴木一郎総務部長), or with no post given; by its reading in an English question
    (Oizumi, a word of its own); or by the post alone followed by に, と, へ, から or を
    (「函館市長に要望したのは誰か」; not 「委員長として報告したのは誰か」, which asks who did
    it in that post, nor 副市長 for 市長)."""
    short = strip_spaces(name)
    after = re.match(r"\s*" + _TITLE_AFTER, nfkc(sentence)[_end_of(short, nfkc(sentence)) :])
    post = after.group(1) if after else ""
    at = question.find(short[:2])
    if at >= 0 and (not post or post in question[at : at + 12]):
        return True
    reading = romanized_reading(short[:2]) if question_language(question) == "en" else ""
    if len(reading) >= 3 and re.search(rf"\b{re.escape(reading)}\b", question.lower()):
        return True
    vice = "" if post.startswith("副") else "(?<!副)"
    return bool(post) and bool(
        re.search(vice + re.escape(post) + "(?:に|と(?!して)|へ|から|を)", question)
    )


def _spaced(name: str) -> str:
    """``name`` as a pattern that allows spaces between its characters (出村　ゆかり)."""
    return r"\s*".join(map(re.escape, name))


def _end_of(name: str, sentence: str) -> int:
    """Where ``name`` ends in ``sentence`` (:func:`_spaced`); 0 if absent."""
    m = re.search(_spaced(name), sentence)
    return m.end() if m else 0


def _people_named(sentence: str) -> list[str]:
    """The people a sentence names: names (:func:`person_names`) followed by a title, an
    honorific or a particle, not the head of a compound (戸越 of 戸越公園駅)."""
    s = nfkc(sentence)
    return [
        name
        for name in dict.fromkeys(person_names(s))
        # as written: a name may be spaced (出村　ゆかり)
        if any(titled(s[m.end() :]) for m in re.finditer(_spaced(name), s))
    ]


def _under_time_label(in_order: list[str], sentence: str, figure: str) -> bool:
    """Whether the date ``figure`` is given under a heading or after a label naming a
    time: the line before its sentence is one (「1 調査期間」), or the words before it in its
    sentence are (「日時：令和5年8月22日」)."""
    k = in_order.index(sentence) if sentence in in_order else -1
    said = nfkc(sentence)
    head = said[: max(said.find(figure), 0)]
    return (k > 0 and labels_a_time(in_order[k - 1])) or (bool(head) and labels_a_time(head))


def answer_sentences_of(c: Citation) -> list[tuple[int, str, bool]]:
    return answer_sentences(Chunk(c.id, c.text, c.text, cast(ChunkMetadata, dict(c.metadata))))


def _in_text_order(text: str, quote: str, sentence: str) -> str:
    """``quote`` (sentences of ``text`` joined) with ``sentence`` added in text order."""
    parts = [s for _, s in sentences(quote)] + ([s for _, s in sentences(sentence)] or [sentence])
    return joined(sorted(dict.fromkeys(parts), key=lambda s: (text.find(s), s)))


def one_line(quote: str, text: str = "") -> str:
    """A quote as one line of an answer: its lines (:func:`joined`) apart by 「／」, and
    sentences that lie apart in ``text`` (the passage it quotes) by 「…」, so a reader sees
    where the passage was cut.

    >>> one_line("一つ目。三つ目。", "一つ目。二つ目。三つ目。")
    '一つ目。…三つ目。'
    >>> one_line("午前10時開議\\n一つ目。二つ目。", "午前10時開議\\n一つ目。二つ目。")
    '午前10時開議／一つ目。二つ目。'
    """
    out, q_end, t_end = "", 0, -1
    for at, s in sentences(quote):
        found = text.find(s, max(t_end, 0)) if text else -1
        if found < 0 and text:
            found = text.find(s)
        if out:
            apart = t_end >= 0 and found >= t_end and text[t_end:found].strip()
            out += QUOTE_GAP if apart else quote[q_end:at].replace("\n", QUOTE_LINES)
        out += s
        q_end, t_end = at + len(s), (found + len(s) if found >= 0 else -1)
    return out


def joined(parts: Iterable[str]) -> str:
    """Quoted sentences as one quote: a line with no end mark (a header's 「…午前10時開議」)
    keeps its line break, so the quote reads as lines and is split where its text is (the
    highlight); sentences that end with one run on, as written."""
    out = ""
    for part in parts:
        out += ("\n" if out and not ends_sentence(out) else "") + part
    return out


def _by_speaker(c: Citation) -> list[tuple[str, list[int]]]:
    """A citation's quote in runs of one speaker's sentences, in order: (the run as
    quoted, where its sentences start in the passage). One run when the passage records no
    turns, or one speaker said it all."""
    runs: list[tuple[list[str], list[int], str]] = []
    for _, sentence in sentences(c.quote):
        at = c.text.find(sentence)
        said = speakers_at(c.metadata, [at]) if at >= 0 else []
        label = str(said[0].get("label") or "") if said else ""
        if runs and not runs[-1][2] and label:  # the run's speaker, first known here
            runs[-1] = (runs[-1][0], runs[-1][1], label)
        if runs and (label == runs[-1][2] or not label):
            runs[-1][0].append(sentence)
            runs[-1][1].extend([at] if at >= 0 else [])
        else:
            runs.append(([sentence], [at] if at >= 0 else [], label))
    if len(runs) <= 1:
        return [(c.quote, _offsets(c.text, c.quote))]
    return [(joined(parts), at) for parts, at, _ in runs]


def _offsets(text: str, quote: str) -> list[int]:
    """Where each sentence of ``quote`` starts in ``text`` (the passage it quotes)."""
    return [at for _, s in sentences(quote) if (at := text.find(s)) >= 0]


def _single_turn(chunk: Chunk) -> bool:
    """Whether a passage is one speaker's turn (all its sentences are theirs)."""
    return len(chunk.metadata.get("turn_offsets") or []) <= 1


def _position(chunk: Chunk) -> int:
    span = chunk.metadata.get("char_span") or [0]
    return int(span[0]) if span else 0
