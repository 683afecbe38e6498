"""Turn coverage: how many labelled speaker turns land in a chunk that names their speaker.

The labelled turns are found here by a rule of their own, not by the parser: a line that
starts with a speaker mark (○ ◯ 〇 ◎ ◆), then a label, then the speech on the same line
(ending a sentence: 。？！～), or a label alone on its line with speech on the next. A heading
or time stamp that uses the same mark (〇議事日程, 〇午後１時開会, ◎会期の決定) has no speech
and is not counted. A turn is reached when the chunk that holds its label (``label_spans``)
names a speaker with that label. The target is 100% on every file.

    PYTHONPATH=. python -m benchmarks.turn_coverage [FILES...]

Without arguments: the founding report, the minutes in ../shared/minutes (when present) and
the fixtures in tests/fixtures/minutes, one per speaker-label convention.
"""

from __future__ import annotations

import re
import sys
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from rag.chunking import Chunk, chunk_source
from rag.loading import load_documents

ROOT = Path(__file__).resolve().parents[1]
FILES = [
    *sorted((ROOT / "corpus").glob("*.txt")),
    *sorted((ROOT.parent / "shared" / "minutes").glob("*.txt")),
    *sorted((ROOT / "tests" / "fixtures" / "minutes").glob("*.*")),
]
_MARKS = "○◯〇◎◆"
# a label: no spaces, or one full-width space inside a name (山田　太郎委員), brackets allowed
_INLINE = re.compile(
    r"^[ \t\u3000]*["
    + _MARKS
    + r"](?P<label>[^\s\u3000]+?(?:\u3000[^\s\u3000（(]{1,8}?(?:委員|議員|君))?"
    r"(?:[（(][^）)\n]*[）)])?)[ \t\u3000]+(?P<speech>[^\n]*[。？！?!～〜][^\n]*)$"
)
_ALONE = re.compile(
    r"^[ \t\u3000]*[" + _MARKS + r"](?P<label>[^\s\u3000]+(?: ?[（(][^）)\n]*[）)])?)[ \t\u3000]*$"
)
_SPEECH = re.compile(r"[。？！?!～〜]")


@dataclass(frozen=True)
class Coverage:
    file: str
    turns: int
    reached: int

    @property
    def share(self) -> float:
        return self.reached / self.turns if self.turns else 1.0


def _squash(s: str) -> str:
    return re.sub(r"[\s\u3000]+", "", unicodedata.normalize("NFKC", s))


def labelled_turns(text: str) -> list[tuple[int, str]]:
    """(source offset of the label's mark, label) of every labelled turn in ``text``."""
    out: list[tuple[int, str]] = []
    lines = text.splitlines(keepends=True)
    offset = 0
    for i, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        m = _INLINE.match(line)
        if m:
            out.append((offset + len(line) - len(line.lstrip(" \t\u3000")), m.group("label")))
        elif (a := _ALONE.match(line)) and not line.lstrip(" \t\u3000").startswith("〇午"):
            after = [x.strip(" \t\u3000\r\n") for x in lines[i + 1 : i + 6] if x.strip()]
            speech = "".join(after[: next((k for k, x in enumerate(after) if x[0] in _MARKS), 5)])
            if speech and _SPEECH.search(speech):
                out.append((offset + len(line) - len(line.lstrip(" \t\u3000")), a.group("label")))
        offset += len(raw)
    return out


def coverage(path: Path) -> Coverage:
    """Turn coverage of one file (text, HTML or JSON; converted files are read as text)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        docs = list(load_documents([path]))
        chunks: list[Chunk] = [c for d in docs for c in chunk_source(d)]
    text = docs[0].text
    owner: list[tuple[int, int, Chunk]] = [
        (a, b, c) for c in chunks for a, b in c.metadata.get("label_spans", [])
    ]
    turns = labelled_turns(text)
    reached = 0
    for at, label in turns:
        holder = next((c for a, b, c in owner if a <= at < b), None)
        if holder is None:
            continue
        labels = {_squash(d["label"]) for d in holder.metadata["speaker_details"]}
        labels |= {_squash(t["speaker"]) for t in holder.metadata["turn_offsets"]}
        reached += _squash(label) in labels
    return Coverage(path.name, len(turns), reached)


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])] or FILES
    print("| file | labelled turns | reached | coverage |")
    print("|---|---|---|---|")
    for path in paths:
        if not path.exists():
            continue
        cov = coverage(path)
        print(f"| {cov.file} | {cov.turns} | {cov.reached} | {100 * cov.share:.0f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
