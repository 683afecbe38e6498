"""The dev/test split of the eval questions: ``python -m evals.split [--check]``.

Tune on ``dev``; report and pin only ``test``. The split is recorded in
``evals/data/queries.jsonl`` (field ``split``) and dealt once:

- **Groups, not questions.** Questions whose gold spans are the same quote (a Japanese
  question and its English twin) form one group and fall on the same side; otherwise tuning
  on one would leak the other's answer.
- **Strata.** Groups are dealt within strata of (corpus, languages of the group,
  answerable or not), so both sides hold the same mix.
- **Seeded shuffle.** Within a stratum the groups are shuffled by ``random.Random`` seeded
  with ``SEED`` and the stratum's name; the first half (rounded down) goes to dev, the rest
  to test.
- **Frozen.** A question that already has a split keeps it. New questions join the side of
  their group when it has one; the others are dealt as above among themselves. A re-deal of
  recorded questions would let dev-tuned choices leak into test, so there is no option for it.

``--check`` fails when a question lacks a split or a group straddles both sides.
"""

from __future__ import annotations

import argparse
import json
import random
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
SEED = 20261126
SPLITS = ("dev", "test")


def _norm(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def read_queries(path: Path = DATA / "queries.jsonl") -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def read_quotes(path: Path = DATA / "qrels.tsv") -> dict[str, set[str]]:
    quotes: dict[str, set[str]] = defaultdict(set)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, quote, _ = line.split("\t")
            quotes[qid].add(_norm(quote))
    return quotes


def groups(queries: list[dict[str, Any]], quotes: dict[str, set[str]]) -> list[list[str]]:
    """Question ids joined when they share a gold quote (union-find), each group sorted."""
    parent = {q["id"]: q["id"] for q in queries}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[str, str] = {}
    for q in queries:
        for quote in sorted(quotes.get(q["id"], ())):
            if quote in owner:
                parent[find(q["id"])] = find(owner[quote])
            else:
                owner[quote] = q["id"]
    out: dict[str, list[str]] = defaultdict(list)
    for q in queries:
        out[find(q["id"])].append(q["id"])
    return sorted(sorted(g) for g in out.values())


def stratum(members: list[dict[str, Any]]) -> str:
    corpus = "+".join(sorted({q["corpus"] for q in members}))
    langs = "+".join(sorted({q["lang"] for q in members}))
    kind = "unanswerable" if all(q.get("unanswerable") for q in members) else "answerable"
    return f"{corpus}/{langs}/{kind}"


def deal(queries: list[dict[str, Any]], quotes: dict[str, set[str]], seed: int = SEED) -> None:
    """Give every question without a ``split`` one, in place (see the module docstring)."""
    by_id = {q["id"]: q for q in queries}
    fresh: dict[str, list[list[str]]] = defaultdict(list)
    for g in groups(queries, quotes):
        known = {by_id[i]["split"] for i in g if by_id[i].get("split")}
        if len(known) > 1:
            raise SystemExit(f"queries.jsonl: group {g} straddles dev and test")
        if known:
            side = known.pop()
            for i in g:
                by_id[i]["split"] = side
        else:
            fresh[stratum([by_id[i] for i in g])].append(g)
    for name in sorted(fresh):
        gs = fresh[name]
        random.Random(f"{seed}/{name}").shuffle(gs)
        for n, g in enumerate(gs):
            for i in g:
                by_id[i]["split"] = "dev" if n < len(gs) // 2 else "test"


def problems(queries: list[dict[str, Any]], quotes: dict[str, set[str]]) -> list[str]:
    by_id = {q["id"]: q for q in queries}
    out = [
        f"{q['id']}: split missing or not dev/test" for q in queries if q.get("split") not in SPLITS
    ]
    for g in groups(queries, quotes):
        if len({by_id[i].get("split") for i in g}) > 1:
            out.append(f"group {g} straddles dev and test")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the recorded split")
    args = ap.parse_args(argv)
    queries, quotes = read_queries(), read_quotes()
    if not args.check:
        deal(queries, quotes)
        text = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries)
        (DATA / "queries.jsonl").write_text(text, encoding="utf-8")
    bad = problems(queries, quotes)
    for line in bad:
        print(line)
    counts: dict[str, int] = defaultdict(int)
    for q in queries:
        counts[f"{q.get('split')}\t{q['corpus']}\t{q['lang']}\t{bool(q.get('unanswerable'))}"] += 1
    for key in sorted(counts):
        print(f"{key}\t{counts[key]}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
