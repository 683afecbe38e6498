"""Follow-up questions: turn 「仙台市は？」, asked after a question about 盛岡市, into that
question about 仙台市, without an LLM.

A question is a follow-up when it is short and elliptical: 「仙台市は？」「では仙台市の場合は」
"What about Sendai?" "and Sendai?", or when it leans on the previous question with
その / それ / it / that. The place it names replaces the place the previous question named;
otherwise the previous question is carried along as context, in brackets before the
question (「〔仙台市の窓口改革について〕職員の負担は減りましたか」: :func:`carried`), so the
standalone question shown to the user reads as the question asked on that topic. A short
question that names no place while the previous one did (「職員の負担は減りましたか」) has two
readings (:func:`in_context`); the answerer keeps the one the documents cover better.

>>> places = {"盛岡市": "盛岡市", "盛岡": "盛岡市", "morioka": "盛岡市", "仙台市": "仙台市", "sendai": "仙台市"}
>>> rewrite("仙台市は？", ["盛岡市はなぜガバメントクラウドでコストメリットを出せたのか"], places)
'仙台市はなぜガバメントクラウドでコストメリットを出せたのか'
>>> rewrite("What about Sendai?", ["How did Morioka get cloud cost savings?"], places)
'How did Sendai get cloud cost savings?'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rag.places import Gazetteer
from rag.text import CARRIED, nfkc, question_language

_JA_ELLIPTIC = re.compile(
    r"^(?:では|じゃあ|それでは|一方|なら|また)?[、,\s]*(?P<x>.{1,20}?)"
    r"(?:は|では|の場合は|の場合|はどう|についてはどう|のほうは|の方は)"
    r"(?:ですか|でしょうか|だった|でしたか)?[？?。]?$"
)
_EN_ELLIPTIC = re.compile(
    r"^(?:and\s+)?(?:what|how)\s+about\s+(?P<x>.+?)\??$|^and\s+(?P<y>.+?)\??$", re.I
)
_LEANING = re.compile(r"^(?:その|それ|この|これ|そこ|同じ)|\b(?:it|that|they|those|this)\b", re.I)
FOLLOWUP_MAX_CHARS = 30


def carried(previous: str, question: str) -> str:
    """``question`` with the previous question it leans on before it, in brackets:
    〔仙台市の窓口改革について教えてください〕職員の負担は減りましたか. A previous question
    that carried one itself passes it on whole, so the brackets never nest.

    >>> carried("仙台市の窓口改革は", "職員の負担は減りましたか")
    '〔仙台市の窓口改革は〕職員の負担は減りましたか'
    >>> carried("〔仙台市の窓口改革は〕職員の負担は減りましたか", "それはいつから？")
    '〔仙台市の窓口改革は 職員の負担は減りましたか〕それはいつから？'
    >>> carried("How did Sendai reform its desks?", "Did it save staff time?")
    '(How did Sendai reform its desks?) Did it save staff time?'
    """
    m = CARRIED.match(previous)
    inner = m and next(g for g in (m.group("ja"), m.group("en")) if g is not None)
    context = f"{inner} {m.group('rest')}" if m else previous
    if question_language(question) == "en":
        return f"({context.replace('(', ' ').replace(')', ' ').strip()}) {question}"
    return f"〔{context.replace('〔', ' ').replace('〕', ' ').strip()}〕{question}"


def elliptic_subject(question: str) -> str | None:
    """The thing an elliptical follow-up asks about (「仙台市は？」 → 仙台市), if it is one."""
    q = nfkc(question).strip()
    if len(q) > FOLLOWUP_MAX_CHARS:
        return None
    m = _JA_ELLIPTIC.match(q) or _EN_ELLIPTIC.match(q)
    if not m:
        return None
    x = m.group("x") if "x" in m.groupdict() and m.group("x") else m.groupdict().get("y")
    return x.strip() if x else None


def rewrite(question: str, history: Sequence[str], places: Gazetteer | Mapping[str, str]) -> str:
    """A standalone form of ``question`` given the earlier (standalone) questions;
    ``places`` is the gazetteer of the index (or its names, mapped to places)."""
    gazetteer = places if isinstance(places, Gazetteer) else Gazetteer(places)
    question = question.strip()
    if not history:
        return question
    previous = history[-1].strip()
    subject = elliptic_subject(question)
    if subject is not None:
        old = gazetteer.spans(previous)
        if old and gazetteer.spans(subject):
            start, end, _ = old[0]
            return previous[:start] + subject + previous[end:]
        return carried(previous, question)  # 「その予算は？」: the question, on that topic
    short = len(question) <= FOLLOWUP_MAX_CHARS
    if short and _LEANING.search(nfkc(question)):
        return carried(previous, question)
    return question


def in_context(
    question: str, history: Sequence[str], places: Gazetteer | Mapping[str, str]
) -> str | None:
    """The question read on the previous question's topic, when it may lean on it without
    saying so: short, naming no place while the previous question named one
    (「職員の負担は減りましたか」 after a question about 仙台市's 窓口). The caller keeps
    whichever reading the documents answer better; None when there is no other reading."""
    gazetteer = places if isinstance(places, Gazetteer) else Gazetteer(places)
    question = question.strip()
    if not history or len(question) > FOLLOWUP_MAX_CHARS or gazetteer.spans(question):
        return None
    previous = history[-1].strip()
    if not gazetteer.spans(previous):
        return None
    return carried(previous, question)
