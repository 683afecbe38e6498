"""Citation checking: every claim of an answer must point at a passage that supports it.

An answer is split into claims (sentences with their ``[n]`` markers). Each claim is checked
against the numbered sources it was given:

- a marker ``[n]`` must name one of the sources (markers standing alone after a paragraph
  cite the sentences before them that cite nothing); a claim citing a source that does not
  exist is dropped;
- a claim of substance must cite something;
- every number in a claim must be written in a passage it cites;
- a 「quote」 must be found, verbatim, in a passage it cites (each piece of it, where a
  quote within one claim is written on one line 「…／…」 or cut 「…」 between sentences);
- a claim whose words are in another passage and not in the one it cites is flagged as
  pointing at the wrong passage;
- a claim that repeats text which looks like an instruction to the model (a prompt
  injection inside a document), or the text such an instruction dictates, is dropped.

Flagged claims stay in the answer with a visible ⚠ and a warning that says why.

>>> c = check_answer("ICSのパッケージを導入した[1]。", ["株式会社ICSのパッケージシステムを導入"])
>>> c.text, c.warnings
('ICSのパッケージを導入した[1]。', [])
>>> check_answer("費用は7,000万円です[1]。", ["費用は5,000万円"]).warnings
['claim 1: the number 7,000 is not in source [1]']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from rag.text import nfkc, split_after_ends, squash
from rag.tokenizing import Tokenizer

FLAG = "⚠"
_MARKER = re.compile(r"\[(\d+(?:\s*[,，、]\s*\d+)*)\]")
_CLAIM = re.compile(
    r"[^\n]+?(?:[。！？!?]|\.(?=\s|$)|$)(?:[ \t]*\[\d+(?:\s*[,，、]\s*\d+)*\])*[)）」』]*", re.M
)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
QUOTE = re.compile(r"「([^「」]{4,})」")
# How an answer writes a quote on one line: its lines apart by QUOTE_LINES, sentences that
# lie apart in the passage by QUOTE_GAP; each piece between them is checked on its own.
QUOTE_LINES = "／"
QUOTE_GAP = "…"
_QUOTE_PIECES = re.compile(f"[{QUOTE_LINES}{QUOTE_GAP}]+")
_INJECTION = re.compile(
    # not 無視して alone: a member says 「住民の声を無視して進めるのか」
    r"(指示|命令|ルール|プロンプト)を?(すべて|全て)?無視|無視して(ください|下さい)|"
    r"ignore (all |any )?(the |previous |above |prior )*(instructions|rules|prompts?)|"
    r"system prompt|you are now|あなたは今から",
    re.I,
)
# Sentences that need no citation: the no-answer message, a language label.
_NO_CITE_NEEDED = re.compile(
    r"資料には該当する記述|do not (contain|answer)|not found in the (documents|sources)|"
    r"quoted from the Japanese source|原文の引用|NO_ANSWER",
    re.I,
)


def looks_like_injection(text: str) -> bool:
    """Does a passage or claim carry text that reads as an instruction to a model?"""
    return bool(_INJECTION.search(nfkc(text)))


def injected_spans(source: str) -> list[str]:
    """The sentences of a source that read as instructions to a model."""
    return [x for x in split_after_ends(source) if looks_like_injection(x)]


def _echoes(claim: str, sentence: str, min_chars: int = 8) -> bool:
    """Does a claim repeat a run of at least ``min_chars`` characters of a sentence?"""
    a, b = squash(claim), squash(sentence)
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size >= min(min_chars, len(a))


def _numbers(text: str) -> list[str]:
    text = nfkc(_MARKER.sub("", text))
    return [m.group().rstrip(",") for m in _NUMBER.finditer(text)]


def _number_in(number: str, source: str) -> bool:
    plain = number.replace(",", "")
    src = squash(source)
    return number in src or plain in src.replace(",", "")


@dataclass
class Claim:
    text: str
    cites: list[int]
    span: tuple[int, int] = (0, 0)
    flags: list[str] = field(default_factory=list)
    dropped: bool = False


@dataclass
class CheckedAnswer:
    """The answer as shown (dropped claims removed, flagged ones marked) and why."""

    text: str
    claims: list[Claim]
    warnings: list[str]

    @property
    def cited(self) -> list[int]:
        return sorted({n for c in self.claims if not c.dropped for n in c.cites})

    @property
    def supported(self) -> list[Claim]:
        return [c for c in self.claims if not c.dropped and c.cites and not c.flags]


def split_claims(text: str) -> list[Claim]:
    """Sentences of an answer, each with the source numbers its markers name."""
    claims: list[Claim] = []
    for m in _CLAIM.finditer(text):
        sentence = m.group().strip()
        cites = [int(n) for g in _MARKER.findall(sentence) for n in re.split(r"[,，、]", g)]
        if not re.search(r"\w", _MARKER.sub("", sentence)):
            # markers standing alone after a paragraph cite its sentences that cite nothing
            for claim in reversed(claims):
                if claim.cites:
                    break
                claim.cites = list(cites)
            continue
        claims.append(Claim(sentence, cites, m.span()))
    return claims


def _coverage(tokens: set[str], source_tokens: set[str]) -> float:
    return len(tokens & source_tokens) / len(tokens) if tokens else 0.0


def check_answer(
    text: str, sources: Sequence[str], tokenizer: Tokenizer | None = None
) -> CheckedAnswer:
    """Check every claim of ``text`` against ``sources`` (numbered from 1)."""
    tok = tokenizer or Tokenizer()
    source_tokens = [set(tok(s)) for s in sources]
    claims = split_claims(text)
    warnings: list[str] = []
    for i, claim in enumerate(claims, 1):
        body = _MARKER.sub("", claim.text)
        invalid = [n for n in claim.cites if not 1 <= n <= len(sources)]
        if invalid:
            claim.dropped = True
            warnings.append(
                f"claim {i} dropped: it cites {', '.join(f'[{n}]' for n in invalid)}, "
                f"but there are {len(sources)} sources"
            )
            continue
        injected = [
            x for n in claim.cites if 1 <= n <= len(sources) for x in injected_spans(sources[n - 1])
        ]
        if looks_like_injection(body) or any(_echoes(body, x) for x in injected):
            claim.dropped = True
            warnings.append(f"claim {i} dropped: it repeats an instruction found in a document")
            continue
        if not claim.cites:
            if not _NO_CITE_NEEDED.search(body) and len(squash(body)) > 12:
                claim.flags.append("no citation")
            continue
        cited = [sources[n - 1] for n in claim.cites]
        for number in _numbers(body):
            if not any(_number_in(number, s) for s in cited):
                claim.flags.append(
                    f"the number {number} is not in source "
                    + ", ".join(f"[{n}]" for n in claim.cites)
                )
        for quote in QUOTE.findall(body):
            pieces = [squash(p) for p in _QUOTE_PIECES.split(quote) if len(squash(p)) >= 4]
            pieces = pieces or [squash(_QUOTE_PIECES.sub("", quote))]  # short pieces: whole
            if any(all(q in squash(s) for q in pieces) for s in cited):
                continue
            elsewhere = [j for j, s in enumerate(sources, 1) if all(q in squash(s) for q in pieces)]
            claim.flags.append(
                f"the quote 「{quote}」 is in source [{elsewhere[0]}], not the one cited"
                if elsewhere
                else f"the quote 「{quote}」 is in no source"
            )
        words = {t for t in tok(body) if not t.isdigit()}
        own = max(_coverage(words, source_tokens[n - 1]) for n in claim.cites)
        best = max(range(len(sources)), key=lambda j: _coverage(words, source_tokens[j]))
        other = _coverage(words, source_tokens[best])
        if len(words) >= 3 and own < 0.25 and other >= max(0.3, own + 0.2):
            claim.flags.append(f"it seems to come from source [{best + 1}], not the one cited")
    for i, claim in enumerate(claims, 1):
        for flag in claim.flags:
            warnings.append(f"claim {i}: {flag}")
    return CheckedAnswer(_rewrite(text, claims), claims, warnings)


def _rewrite(text: str, claims: Sequence[Claim]) -> str:
    """The answer with dropped claims cut out and flagged ones marked, layout kept."""
    out, pos = [], 0
    for c in claims:
        a, b = c.span
        out.append(text[pos:a])
        if not c.dropped:
            out.append(text[a:b].rstrip() + (f" {FLAG}" if c.flags else ""))
        pos = b
    out.append(text[pos:])
    return re.sub(r"[ \t]+\n", "\n", re.sub(r"\n{3,}", "\n\n", "".join(out))).strip()
