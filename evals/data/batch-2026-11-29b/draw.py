"""Draw speaker turns of the scale archive for the batch of 2026-11-29b (seed 20261130),
all dev: typed questions (who / how many, how much / when / decision) on ../shared/scale.

Two pools, read with ``evals.sample_scale``'s parser (``turns()``: stage notes and rule
lines already removed from each turn's text) and shuffled in this order by ONE
``random.Random(20261130)``, each then taken in order (uniform sampling without replacement):

  (a) substantive: the turns ``evals.sample_scale.substantive`` keeps (not the chair,
      200-3,000 characters after NFKC and whitespace removal) -- the pool of the random
      scale needles; for the who / how many, how much / when questions;
  (b) chair: the chair's turns (speaker label ending in 委員長 or 議長, as
      ``sample_scale`` drops them), any length, whose text holds 可決, 否決, 採択 or 不採択
      -- for the decision questions.

A drawn turn is skipped by hand (reason in notes.md) when it holds no fact of a type whose
quota is still open, or when its fact repeats one already asked (an existing question with
the same ``source``, or the same fact on the same subject).

Usage (from the repository root):
    .venv/bin/python evals/data/batch-2026-11-29b/draw.py [N [M]]
        -- prints the first N draws of pool (a) (default 80) and M of pool (b) (default 15)
    .venv/bin/python evals/data/batch-2026-11-29b/draw.py --count  -- pool sizes only
The listing quotes the minutes, so it is kept out of the repository (/tmp).
"""
from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))
from evals.sample_scale import _CHAIR, substantive, turns  # noqa: E402

SEED = 20261130
DECISION = re.compile(r"可決|否決|採択")  # 不採択 contains 採択


def pools():
    sub, chair = [], []
    for t in turns():
        if substantive(t):
            sub.append(t)
        elif _CHAIR.search(t.speaker) and DECISION.search(t.text):
            chair.append(t)
    rng = random.Random(SEED)
    rng.shuffle(sub)
    rng.shuffle(chair)
    return {"substantive": sub, "chair": chair}


def used_sources():
    qs = (ROOT / "evals" / "data" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    return {json.loads(x).get("source") for x in qs if x.strip()} - {None}


def main():
    ps = pools()
    if "--count" in sys.argv:
        for name, p in ps.items():
            print(name, len(p))
        return
    args = [int(a) for a in sys.argv[1:]]
    show = {"substantive": args[0] if args else 80, "chair": args[1] if len(args) > 1 else 15}
    old = used_sources()
    for name, p in ps.items():
        print(f"##### pool {name}: {len(p)} turns")
        for k, t in enumerate(p[: show[name]], 1):
            flag = " [source already used]" if t.source in old else ""
            print(f"=== {name}#{k} {t.source} {t.title} {t.speaker}{flag}\n{t.text}\n")


if __name__ == "__main__":
    main()
