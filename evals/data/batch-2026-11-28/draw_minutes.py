"""Draw passages from the three minutes files at random (seed 20261128).

Unit of drawing = one speaker turn (see split_minutes.py), except:
  * chair turns (議長 / 委員長) shorter than 60 chars (NFKC, no whitespace) are dropped;
  * turns longer than LONG chars are split into their paragraphs (one line in the
    source = one paragraph; a paragraph under 60 chars is merged into the next), each
    paragraph becoming its own unit.  Otherwise Hakodate (11 eligible turns, two of
    them 9,600 and 5,500 chars) could not give 16 draws.
For each file in the order hakodate, sendai, yokohama the eligible units are shuffled
with one random.Random(20261128) and taken in that order (= uniform sampling without
replacement); a drawn unit is skipped by hand (reason in minutes_notes.md) if it has
nothing factual to ask or its fact is already asked by m01-m58, and the next one taken.
Afterwards all chair turns (all lengths) of all three files are shuffled with the
same generator for the <=6 procedural questions (one already used above is skipped).
"""
import random, sys
sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from split_minutes import turns, norm, FILES

SEED = 20261128
LONG = 1500

def units(key):
    out = []
    for ti, t in enumerate(turns(key)):
        if t["chair"] and t["len"] < 60:
            continue
        if t["len"] <= LONG:
            out.append({"turn": ti, "line": t["line"], "label": t["label"], "para": None,
                        "chair": t["chair"], "text": t["text"]})
            continue
        buf, pi = "", 0
        for p in [p for p in t["paras"] if p]:
            buf = buf + "\n" + p if buf else p
            if len(norm(buf)) >= 60:
                out.append({"turn": ti, "line": t["line"], "label": t["label"], "para": pi,
                            "chair": t["chair"], "text": buf})
                buf, pi = "", pi + 1
        if buf:
            out[-1]["text"] += "\n" + buf
    return out

def main():
    show = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    rng = random.Random(SEED)
    for key in ("hakodate", "sendai", "yokohama"):
        us = units(key)
        order = list(range(len(us)))
        rng.shuffle(order)
        print(f"=== {key}: {len(us)} units ({sum(u['para'] is None for u in us)} whole turns)")
        for rank, i in enumerate(order[:show], 1):
            u = us[i]
            tag = f"{key}#{rank:02d} unit{i} turn{u['turn']} L{u['line']} {u['label']}" + \
                  (f" para{u['para']}" if u["para"] is not None else "")
            print("---", tag)
            print(u["text"])
    chair = []
    for key in ("hakodate", "sendai", "yokohama"):
        for ti, t in enumerate(turns(key)):
            if t["chair"]:
                chair.append((key, ti, t))
    order = list(range(len(chair)))
    rng.shuffle(order)
    print(f"=== all chair turns: {len(chair)}")
    for rank, i in enumerate(order[:show], 1):
        key, ti, t = chair[i]
        print(f"--- chair#{rank:02d} {key} turn{ti} L{t['line']} {t['label']}")
        print(t["text"])

if __name__ == "__main__":
    main()
