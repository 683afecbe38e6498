"""Split the three minutes files into speaker turns (shared by draw_minutes.py)."""
import re, unicodedata
SRC = str(__import__("pathlib").Path(__file__).resolve().parents[4] / "shared" / "minutes") + "/"
FILES = {
    "hakodate": "hakodate-honkaigi-20240222.txt",
    "sendai": "sendai-dx-tokubetsu-iinkai-20241226.txt",
    "yokohama": "yokohama-honkaigi-20241129.txt",
}
# speaker-line patterns per file format
PAT = {
    # ○議長（吉田崇仁）　… / ◆総務常任委員長（島昌之）　… / ◎市長（大泉潤）　…  (〇 U+3007 = headings, not turns)
    "hakodate": re.compile(r"^([○◆◎])([^（\s　]*（[^）]+）)[\s　]*(.*)$"),
    # ◯福田ようすけ委員　　… / ◯委員長　　…  (U+25EF)
    "sendai": re.compile(r"^(◯)(\S+?)[　]{1,2}(.*)$"),
    # ○議長（鈴木太郎君）　… / ◆（白井正子君）　… / ◎副市長（大久保智子君）　…
    "yokohama": re.compile(r"^([○◆◎])([^（\s　]*（[^）]+）)[\s　]*(.*)$"),
}
CHAIR = {"hakodate": ("議長",), "sendai": ("委員長",), "yokohama": ("議長",)}
NOISE = re.compile(r"^[\s　]*(──+|＝＝+|－－+|[（(].*[）)][\s　]*$|午[前後].*[時分].*[開散閉休]会?.*$)")

def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))

def turns(key):
    lines = open(SRC + FILES[key], encoding="utf-8").read().split("\n")
    out, cur = [], None
    for i, ln in enumerate(lines, 1):
        m = PAT[key].match(ln)
        if m:
            if cur: out.append(cur)
            label = m.group(2)
            role = label.split("（")[0]
            cur = {"file": key, "line": i, "label": m.group(1) + label,
                   "chair": role in CHAIR[key], "paras": [m.group(3)]}
            continue
        if cur is None:
            continue
        if ln.startswith("〇"):  # heading (hakodate) ends a turn
            out.append(cur); cur = None; continue
        if not ln.strip() or NOISE.match(ln):
            continue
        cur["paras"].append(ln.strip("　 "))
    if cur: out.append(cur)
    for t in out:
        t["text"] = "\n".join(p for p in t["paras"] if p)
        t["len"] = len(norm(t["text"]))
    return out

if __name__ == "__main__":
    for k in FILES:
        ts = turns(k)
        print(k, len(ts), "turns; chair", sum(t["chair"] for t in ts),
              "; chair<60", sum(t["chair"] and t["len"] < 60 for t in ts))
        for t in ts:
            print("  ", t["line"], t["label"], t["chair"], t["len"], len(t["paras"]))
