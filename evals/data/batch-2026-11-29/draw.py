"""Draw passages for the batch of 2026-11-29 (seed 20261129), all dev.

Four pools, each shuffled in this order with ONE random.Random(20261129) and taken in
order (uniform sampling without replacement); a drawn unit is skipped by hand (reason in
notes.md) when it holds no who / how many / how much / when / decision fact or its fact is
already asked by an existing question.

  (a) header: the lines of each minutes file before its first speaker turn, cut into
      their labelled sections (Hakodate: headings with 〇 U+3007 -- 議事日程, 本日の会議に
      付した事件, 出席議員, 欠席議員, 説明員, 事務局出席職員; Yokohama: 議事日程第22号,
      議事日程第23号, 出席議員, 欠席議員, 出席説明員, 出席議会局職員); the lines before
      the first label are a unit of their own (表題: title, date, opening time).  Sendai
      has no header block (its text starts with the chair's first turn).
  (b) chair: every chair turn (議長 / 委員長, any length) of the three files.
  (c) other: the non-chair units of ../batch-2026-11-28/draw_minutes.py's units() (one speaker turn,
      or one paragraph of a turn over 1,500 characters), all three files together.
  (d) report: the founding report ../../../corpus/sumida-jichitai-dx-gyosei-chosa-r05.txt,
      one unit per non-empty line; a line under 30 characters (NFKC, no whitespace) is
      merged with the lines after it until the unit reaches 30.

Usage: python3 draw.py [N]   -- prints the first N draws (default 40) of each pool.
       python3 draw.py --count  -- unit counts only.
"""
import random, re, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "batch-2026-11-28"))
from split_minutes import turns, norm, FILES, SRC, PAT  # noqa: E402

from draw_minutes import units as turn_units  # noqa: E402  (its units, one home)

SEED = 20261129
REPORT = HERE.parents[2] / "corpus" / "sumida-jichitai-dx-gyosei-chosa-r05.txt"
SEP = re.compile(r"^[\s　]*(──+|＝＝+|－－+)[\s　]*$")
CLOCK = re.compile(r"^[\s　]*午[前後][0-9０-９]+時[0-9０-９]+分(開会|散会|閉会|開議)[\s　]*$")
LABEL = {
    "hakodate": re.compile(r"^〇(.+?)(（.*）)?[\s　]*$"),
    "yokohama": re.compile(r"^[\s　]*(議事日程第.+号|出席議員|欠席議員|出席説明員|出席議会局職員)(（.*）)?[\s　]*$"),
}


def header_units():
    out = []
    for key in ("hakodate", "sendai", "yokohama"):
        lines = open(SRC + FILES[key], encoding="utf-8").read().split("\n")
        first = next(i for i, ln in enumerate(lines) if PAT[key].match(ln))
        if key not in LABEL:
            continue
        cur = {"file": key, "label": "表題", "line": 1, "lines": []}
        for i, ln in enumerate(lines[:first], 1):
            if not ln.strip() or SEP.match(ln):
                continue
            m = LABEL[key].match(ln)
            if m:
                if cur["lines"]:
                    out.append(cur)
                cur = {"file": key, "label": m.group(1).strip("　 "), "line": i, "lines": [ln]}
                continue
            if CLOCK.match(ln) and cur["label"] != "表題":
                continue  # the opening-time line just before the first turn
            cur["lines"].append(ln)
        if cur["lines"]:
            out.append(cur)
    for u in out:
        u["text"] = "\n".join(u.pop("lines"))
    return out


def chair_units():
    out = []
    for key in ("hakodate", "sendai", "yokohama"):
        for ti, t in enumerate(turns(key)):
            if t["chair"]:
                out.append({"file": key, "label": t["label"], "line": t["line"],
                            "turn": ti, "text": t["text"]})
    return out


def other_units():
    out = []
    for key in ("hakodate", "sendai", "yokohama"):
        for u in turn_units(key):
            if u["chair"]:
                continue
            out.append({"file": key, "label": u["label"] + (f" para{u['para']}" if u["para"] is not None else ""),
                        "line": u["line"], "turn": u["turn"], "text": u["text"]})
    return out


def report_units():
    out, buf, start = [], [], None
    for i, ln in enumerate(REPORT.read_text(encoding="utf-8").split("\n"), 1):
        if not ln.strip():
            continue
        if not buf:
            start = i
        buf.append(ln)
        if len(norm("".join(buf))) >= 30:
            out.append({"file": "report", "label": f"L{start}", "line": start, "text": "\n".join(buf)})
            buf = []
    if buf:
        out[-1]["text"] += "\n" + "\n".join(buf)
    return out


def pools():
    rng = random.Random(SEED)
    res = {}
    for name, us in (("header", header_units()), ("chair", chair_units()),
                     ("other", other_units()), ("report", report_units())):
        order = list(range(len(us)))
        rng.shuffle(order)
        res[name] = [(i, us[i]) for i in order]
    return res


def main():
    if "--count" in sys.argv:
        for name, drawn in pools().items():
            by = {}
            for _, u in drawn:
                by[u["file"]] = by.get(u["file"], 0) + 1
            print(name, len(drawn), by)
        return
    show = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    for name, drawn in pools().items():
        print(f"=== pool {name}: {len(drawn)} units")
        for rank, (i, u) in enumerate(drawn[:show], 1):
            print(f"--- {name}#{rank:02d} unit{i} {u['file']} L{u['line']} {u['label']}"
                  + (f" turn{u['turn']}" if "turn" in u else ""))
            print(u["text"])


if __name__ == "__main__":
    main()
