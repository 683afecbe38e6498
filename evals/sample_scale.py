"""Passages for the scale needles, drawn at random: ``python -m evals.sample_scale``.

The needle questions of the ``scale`` corpus are written from speaker turns drawn uniformly
at random from ``../shared/scale`` (not from what the system finds), after a filter that
keeps only turns with something to ask about:

- stage notes (``○午前１０時…``, ``〔…〕``) and rule lines are dropped from the text;
- the chair's turns (speaker label ending in 委員長 or 議長, vice-chairs included) are
  dropped: they run the meeting and state no facts of their own;
- the rest must hold 200–3,000 characters (NFKC, spaces removed): shorter turns are
  procedure (「以上です」), longer ones are prepared speeches whose facts recur elsewhere.

Each drawn turn is also given the language of its question by the same seeded generator
(English with probability 0.2), so that the English needles are not the easy ones.

``--check QUOTE ...`` counts the turns of the archive that hold each quote: a gold span
must be as specific as the passage it stands for (count 1, or a handful where the
minutes repeat it).

>>> python -m evals.sample_scale --n 60 > /tmp/sample.txt   # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import lzma
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ARCHIVE = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "scale"
    / "shinagawa-minutes-r02-r07.jsonl.xz"
)
SEED = 20261126
P_ENGLISH = 0.2
MIN_CHARS, MAX_CHARS = 200, 3000
_STAGE = re.compile(r"^\s*(?:[○◯〇].*|〔.*〕|[─━-]{5,})\s*$")
_CHAIR = re.compile(r"(?:委員長|議長)$")


@dataclass(frozen=True)
class Turn:
    meeting: str
    title: str
    i: int
    speaker: str
    text: str

    @property
    def source(self) -> str:
        return f"{self.meeting}#{self.i}"


def _norm(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def body(text: str) -> str:
    """The turn's text without stage notes and rule lines."""
    return "\n".join(line for line in text.splitlines() if not _STAGE.match(line)).strip()


def substantive(turn: Turn) -> bool:
    """A turn worth a needle: not the chair's, 200–3,000 characters of its own."""
    return not _CHAIR.search(turn.speaker) and MIN_CHARS <= len(_norm(turn.text)) <= MAX_CHARS


def turns(path: Path = ARCHIVE) -> Iterator[Turn]:
    with lzma.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            for v in m["voices"]:
                yield Turn(m["id"], m["title"], int(v["i"]), v["speaker"], body(v["text"]))


def draw(n: int, seed: int = SEED, path: Path = ARCHIVE) -> list[tuple[Turn, str]]:
    """``n`` substantive turns drawn uniformly without replacement, each with a language."""
    pool = [t for t in turns(path) if substantive(t)]
    rng = random.Random(seed)
    picked = rng.sample(pool, n)
    return [(t, "en" if rng.random() < P_ENGLISH else "ja") for t in picked]


def count_turns_with(quotes: list[str], path: Path = ARCHIVE) -> dict[str, int]:
    """How many turns of the archive hold each quote (NFKC, spaces ignored)."""
    wanted = {q: _norm(q) for q in quotes}
    counts = dict.fromkeys(quotes, 0)
    for t in turns(path):
        text = _norm(t.text)
        for q, nq in wanted.items():
            counts[q] += nq in text
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=60, help="turns to draw, in order")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--check", nargs="+", metavar="QUOTE", help="count turns holding each")
    args = ap.parse_args(argv)
    if args.check:
        for q, c in count_turns_with(args.check).items():
            print(f"{c}\t{q}")
        return 0
    for k, (t, lang) in enumerate(draw(args.n, args.seed), 1):
        print(f"=== {k} {t.source} {lang} {t.title} {t.speaker}\n{t.text}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
