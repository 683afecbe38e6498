"""The questions of the batch of 2026-11-29 (all dev), their span checks, and the lines
they add to ../queries.jsonl, ../qrels.tsv and ../answers.jsonl.

    python3 build.py           -- run the checks only (prints one line per span)
    python3 build.py --traps   -- print every line holding a trap's search words
    python3 build.py --write   -- run the checks, then append the lines (refuses if any id
                                  is already in queries.jsonl)

Each entry: id, draw (see notes.md), type, corpus, file key, question, spans, facts,
and optionally an English twin (id + "e") with its own text and facts; traps are listed
apart (no spans, no facts).
"""
import json, re, sys, unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
sys.path.insert(0, str(HERE))
import draw  # noqa: E402  (also puts ../batch-2026-11-28 on sys.path)
from split_minutes import turns, FILES, SRC  # noqa: E402

BATCH = "2026-11-29"

# (id, draw, type, file, question, [spans], [facts], twin or None)
# twin = (English question, [facts])
Q = [
    # --- pool (a): header sections
    ("m113", "header#01", "how_many", "hakodate",
     "令和6年2月22日の函館市議会本会議（第1回定例会の初日）に出席した議員は何人か",
     ["出席議員（２６人）"], ["26人"],
     ("How many members attended the Hakodate city council's plenary sitting on 22 February 2024?", ["26人|26 members"])),
    ("m114", "header#02", "when", "yokohama",
     "横浜市会の令和6年11月29日の本会議は何時に開議したか",
     ["令和６年11月29日（金）午前10時開議"], ["10時"], None),
    ("m115", "header#04", "who", "yokohama",
     "横浜市会の令和6年11月29日の本会議を欠席した議員は誰か",
     ["深作祐衣君", "瀬之間康浩君", "太田正孝君", "谷田部孝一君"],
     ["深作祐衣", "瀬之間康浩", "太田正孝", "谷田部孝一"],
     ("Which members were absent from the Yokohama city council's plenary sitting on 29 November 2024?",
      ["深作祐衣", "瀬之間康浩", "太田正孝", "谷田部孝一"])),
    ("m116", "header#05", "how_many", "hakodate",
     "函館市議会の令和6年2月22日の本会議で、諸般の報告として報告されたのは何件か",
     ["報告第８号　定期監査，随時監査（工事監査）", "以下、８件につきましては"], ["8件|報告第8号"], None),
    ("m117", "header#06", "who", "hakodate",
     "令和6年2月22日の函館市議会本会議に説明員として出席した副市長は誰か",
     ["副市長　　　　田　畑　浩　文", "副市長　　　　佐　藤　聖智子"], ["田畑浩文", "佐藤聖智子"],
     ("Who are the deputy mayors of Hakodate who attended the council sitting of 22 February 2024 as city officials?",
      ["田畑浩文", "佐藤聖智子"])),
    ("m118", "header#08", "who", "yokohama",
     "横浜市会の11月29日の本会議に説明員として出席した横浜市人事委員会の委員長は誰か",
     ["人事委員会委員長　　　　　水地啓子君"], ["水地啓子"], None),
    ("m119", "header#09", "who", "yokohama",
     "令和6年11月29日の横浜市会本会議に出席した議会局の局長は誰か",
     ["局長　　　　　　　　　　　豊　基信君"], ["豊基信"], None),
    ("m120", "header#13", "who", "hakodate",
     "令和6年2月22日の函館市議会本会議に出席した議会事務局長は誰か",
     ["事務局長　　　瀬　戸　義　夫"], ["瀬戸義夫"], None),
    ("m121", "header#14", "when", "hakodate",
     "令和6年第1回函館市議会定例会が開会したのはいつか",
     ["令和６年２月２２日（木曜日）"], ["2月22日"], None),
    # --- pool (b): chair turns
    ("m122", "chair#08", "who", "hakodate",
     "函館市議会の令和6年2月22日の本会議で、市政執行方針を述べたのは誰か",
     ["市政執行方針について市長から発言を求められております", "市政執行につきまして、私の所信を申し述べさせていただきます"],
     ["大泉潤|大泉市長"],
     ("Who delivered the policy address (shisei shikko hoshin) at the Hakodate city council sitting of 22 February 2024?",
      ["大泉潤|大泉市長|Oizumi"])),
    ("m123", "chair#13", "how_many", "hakodate",
     "函館市議会が令和6年2月19日までに受理した陳情は何件か",
     ["２月19日までに受理いたしました陳情１件"], ["1件"], None),
    ("m124", "chair#22", "who", "yokohama",
     "横浜市会の11月29日の本会議で、市第54号議案の質疑で最初に発言したのは誰か",
     ["発言の通告がありますので、順次これを許します。白井正子君。"], ["白井正子"], None),
    ("m125", "chair#26", "decision", "sendai",
     "仙台市議会のDX推進調査特別委員会は、他都市視察の詳細や今後の変更をどう扱うことにしたか",
     ["その詳細や今後の変更については正副委員長に御一任いただき"], ["正副委員長", "一任"],
     ("How did Sendai's DX special committee decide to handle the details of its inspection trip to other cities and any later changes?",
      ["正副委員長|chair and vice-chair|chair and vice chair", "一任|entrust|left to"])),
    ("m126", "chair#34", "who", "hakodate",
     "令和6年第1回函館市議会定例会で会議録署名議員に指名されたのは誰か",
     ["９番　富　山　悦　子　議　員", "14番　斉　藤　佐知子　議　員", "16番　山　口　勝　彦　議　員"],
     ["富山悦子", "斉藤佐知子", "山口勝彦"], None),
    ("m127", "chair#40", "who", "yokohama",
     "横浜市会で、11月28日付で健康づくり・スポーツ推進特別委員会の委員に指名されたのは誰か",
     ["高田修平君を健康づくり・スポーツ推進特別委員会委員に"], ["高田修平"], None),
    ("m128", "chair#42", "decision", "yokohama",
     "市第54号議案（横浜市一般職職員の給与に関する条例等の一部改正）について、政策経営・総務・財政委員会の審査結果はどうだったか",
     ["委員会の報告書は、原案可決であります。"], ["原案可決"],
     ("What did the Yokohama council committee recommend on bill No. 54, the amendment to the city staff pay ordinance?",
      ["原案可決|approved as proposed|as proposed"])),
    ("m129", "chair#49", "decision", "yokohama",
     "横浜市会で長谷川えつこ議員らが出した委員会の委員や副委員長の辞任の願い出は、どう扱われたか",
     ["11月28日これらを許可いたしました"], ["許可"],
     ("What happened to the requests by Hasegawa Etsuko and other Yokohama council members to resign from their committee posts?",
      ["許可|granted|approved|permitted"])),
    # --- pool (c): other turns / paragraphs
    ("m130", "other#03", "who", "sendai",
     "仙台市議会のDX推進調査特別委員会で、統計情報せんだいのデータをダッシュボードに載せて数を増やせないかと尋ねた委員は誰か",
     ["統計情報せんだいのほう、主立ったデータがダッシュボードに入ってくると"], ["福田ようすけ"], None),
    ("m131", "other#04", "who", "sendai",
     "仙台市議会のDX推進調査特別委員会で、NAVITIMEなど民間のデータも含めて効果的なEBPMにつなげてほしいと述べたのは誰か",
     ["ＮＡＶＩＴＩＭＥなんかはナビの情報"], ["副委員長"], None),
    ("m132", "other#05", "when", "hakodate",
     "函館市が人口減少対策本部を立ち上げたのはいつか",
     ["昨年６月に人口減少対策本部を立ち上げ"], ["6月"], None),
    ("m133", "other#07", "when", "sendai",
     "仙台市の説明では、生成AIの利用について国の省庁で申合せがなされたのはいつか",
     ["昨年５月に、国の省庁での対応に関して申合せ"], ["5月"], None),
    ("m134", "other#19", "when", "sendai",
     "仙台市議会のDX推進調査特別委員会でひぐちのりこ委員が触れたジェンダード・イノベーションワークショップはいつ開かれたか",
     ["１１月１５日にジェンダード・イノベーションワークショップ"], ["11月15日"], None),
    ("m135", "other#49", "when", "hakodate",
     "函館市のサポートベース函館が開設されたのはいつか",
     ["昨年４月、南北海道教育センターに開設したサポートベース函館"], ["4月"], None),
    ("m136", "other#73", "how_many", "sendai",
     "仙台市の説明によると、国の統計ダッシュボードには何件のデータ系列が収録されているか",
     ["約５，０００件のデータ系列が収録"], ["5,000件|5000件"], None),
    ("m137", "other#93", "decision", "hakodate",
     "函館市議会の議会運営委員会は、議事録精査の諮問で示された発言について、委員会としてどんな見解で一致したか",
     ["不適切な発言であるとの見解で一致"], ["不適切な発言"], None),
    ("m138", "other#138", "how_many", "hakodate",
     "函館市長が引用した国立社会保障・人口問題研究所の推計では、2050年までに函館市の人口はどれだけ減るとされているか",
     ["本市においては約4割、10万人が減少"], ["10万人"],
     ("According to the national population projection cited by Hakodate's mayor, by how much will Hakodate's population fall by 2050?",
      ["10万人|100,000|4割"])),
    ("m139", "other#144", "how_many", "sendai",
     "仙台市の生成AIに関する職員アンケートで、ChatGPTを利用していないと答えた職員は何人か",
     ["利用していないと回答した３２５人"], ["325人"],
     ("How many Sendai city employees said in the staff survey that they do not use ChatGPT?", ["325"])),
    ("m140", "other#182", "how_many", "hakodate",
     "函館市の2023年の人口減少数はどのくらいだったか",
     ["人口減少数も4,000人を超える"], ["4,000人|4000人"], None),
    ("m141", "other#183", "how_many", "hakodate",
     "函館マラソンには昨年、いくつの都道府県からランナーが参加したか",
     ["全国47都道府県のほか国外からのランナー"], ["47都道府県"], None),
    ("m142", "other#189", "who", "sendai",
     "仙台市議会のDX推進調査特別委員会の委員長は誰か",
     ["沼沢委員長、田村副委員長の下で"], ["沼沢"], None),
    ("m143", "other#210", "how_much", "hakodate",
     "函館市長の市政執行方針によると、令和5年の訪日外国人旅行消費額はどれくらいだったか",
     ["訪日外国人旅行消費額が５兆円を超え"], ["5兆円"], None),
    # --- pool (d): the founding report (corpus sample)
    ("r51", "report#02", "when", "report",
     "墨田区議会の自治体DX調査特別委員会が仙台市で行った質疑は何時に始まったか",
     ["(午前 10 時 00 分～午後 11 時 05 分)"], ["10時"], None),
    ("r52", "report#08", "who", "report",
     "行政調査で、仙台市がデジタル化ファストチャレンジで参考にした自治体はあったかを尋ねた委員は誰か",
     ["特に参考にした自治体はあったんでしょうか"], ["たかはしのりこ"], None),
    ("r53", "report#09", "how_many", "report",
     "仙台市はChatGPTの試験運用を、まず何台の端末で始めたか",
     ["まずは1台の端末に導入して"], ["1台"], None),
    ("r54", "report#11", "how_many", "report",
     "盛岡市はコニカミノルタとの連携協定に当たって、業務の洗い出しを何日間で行ったか",
     ["20日間という短期間ということについて"], ["20日間"],
     ("How many days did Morioka take to inventory its work for the partnership agreement with Konica Minolta?",
      ["20日間|20 days"])),
    ("r55", "report#17", "who", "report",
     "仙台市の完全自立型津波避難広報ドローンについて質問した委員は誰か",
     ["完全自立型津波避難広報ドローンについてですが"], ["高橋正利"], None),
    ("r56", "report#21", "who", "report",
     "盛岡市のリモート窓口について、ビデオ通話と電話での相談の違いを質問した委員は誰か",
     ["ビデオ通話による相談と普通の電話での相談の違い"], ["しみず良平"], None),
    ("r57", "report#23", "who", "report",
     "墨田区議会の自治体DX調査特別委員会の行政調査に随行した事務局職員は誰か",
     ["5 随行事務局職員", "甘 利 洋 平"], ["甘利洋平", "鈴木康修"],
     ("Which council secretariat staff accompanied the Sumida committee on its inspection trip to Morioka and Sendai?",
      ["甘利洋平", "鈴木康修"])),
    ("r58", "report#29", "how_many", "report",
     "2006年の合併で誕生した新生盛岡市の面積はどれくらいか",
     ["面積886.47平方キロメートルの新生盛岡市"], ["886.47"], None),
    ("r59", "report#34", "when", "report",
     "仙台市ICT戦略2015が策定されたのはいつか",
     ["仙台市ICT戦略2015は平成23年8月に策定"], ["平成23年8月"], None),
]

# unanswerable traps on the minutes: (id, lang, question, what is asked, search words)
TRAPS = [
    ("u47", "ja", "仙台市のデジタル戦略推進部長の氏名は何か",
     "who: the official's name (the minutes label the speaker by role only)", ["デジタル戦略推進部長", "部長（", "部長("]),
    ("u48", "ja", "函館市が新たに置く危機管理監には誰が就くのか",
     "who: the appointee", ["危機管理監"]),
    ("u49", "ja", "函館市議会が2月19日までに受理した陳情は採択されたのか",
     "decision: the petition's outcome", ["陳情", "採択"]),
    ("u50", "en", "Who chairs the Yokohama city council's special committee on big-city administration and finance?",
     "who: the committee chair", ["大都市行財政制度特別委員会"]),
    ("u51", "en", "How many cruise ship calls does Hakodate expect in the next fiscal year?",
     "how many: next year's expected calls", ["寄港", "クルーズ"]),
    ("u52", "ja", "函館市の千代台公園陸上競技場の改修にはいくらかかるのか",
     "how much: the renovation cost", ["千代台", "陸上競技場"]),
    ("u53", "ja", "仙台市のオープンデータカタログでは何件のデータが公開されているか",
     "how many: datasets in Sendai's catalogue", ["オープンデータ"]),
    ("u54", "ja", "横浜市の職員給与条例の改正（市第54号議案）はいつから施行されるのか",
     "when: the date the amendment takes effect", ["施行", "適用", "遡", "から実施"]),
]


def squash(s):
    return "".join(unicodedata.normalize("NFKC", s).split())


def minutes_units(key):
    """Every header section and every speaker turn of one minutes file (a turn's text
    starts with its speaker label, so a who-question's fact can be checked in it)."""
    us = [("header " + u["label"], u["text"]) for u in draw.header_units() if u["file"] == key]
    us += [(f"turn{ti} L{t['line']} {t['label']}", t["label"] + "\n" + t["text"])
           for ti, t in enumerate(turns(key))]
    return us


def report_units():
    return [(u["label"], u["text"]) for u in draw.report_units()]


def existing():
    qs = [json.loads(x) for x in (DATA / "queries.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    quotes = {}
    for line in (DATA / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, quote, _ = line.split("\t")
            quotes.setdefault(squash(quote), []).append(qid)
    return qs, quotes


def check():
    _, old_quotes = existing()
    texts = {k: open(SRC + f, encoding="utf-8").read() for k, f in FILES.items()}
    texts["report"] = draw.REPORT.read_text(encoding="utf-8")
    units = {k: minutes_units(k) for k in FILES}
    units["report"] = report_units()
    bad = 0
    for qid, dr, typ, key, text, spans, facts, twin in Q:
        found_units = []
        for sp in spans:
            probs = []
            if "\n" in sp or "\t" in sp:
                probs.append("line break/tab in span")
            n_raw = texts[key].count(sp)
            hits = [lab for lab, t in units[key] if sp in t]
            if n_raw != 1 and not (len(hits) == 1 and n_raw == texts[key].count(sp)):
                probs.append(f"{n_raw} raw occurrences")
            if len(hits) != 1:
                probs.append(f"in {len(hits)} units {hits}")
            if squash(sp) in old_quotes:
                probs.append(f"same quote as {old_quotes[squash(sp)]}")
            if not 4 <= len(squash(sp)) <= 40:
                probs.append(f"length {len(squash(sp))}")
            found_units += [t for lab, t in units[key] if sp in t]
            bad += bool(probs)
            print(f"{qid}\t{'OK' if not probs else 'BAD ' + '; '.join(probs)}\t{len(squash(sp))}\t{n_raw}x\t{hits[0] if hits else '-'}\t{sp}")
        blob = squash("".join(found_units))
        for f in facts:
            if not any(squash(a) in blob for a in f.split("|")):
                bad += 1
                print(f"{qid}\tBAD fact {f!r} not in the span's unit(s)")
        if twin:
            for f in twin[1]:
                if not any(squash(a) in blob for a in f.split("|")):
                    bad += 1
                    print(f"{qid}e\tBAD twin fact {f!r} has no alternative in the unit(s)")
    return bad


def trap_hits():
    """For each trap, every line of the three minutes files and of the report that holds
    one of its search words (NFKC), cut to 160 characters around the word: read by hand
    to confirm the asked fact is absent (notes.md)."""
    docs = {k: open(SRC + f, encoding="utf-8").read() for k, f in FILES.items()}
    docs["report"] = draw.REPORT.read_text(encoding="utf-8")
    for tid, lang, text, asked, words in TRAPS:
        print(f"=== {tid} ({asked}): {text}")
        for k, doc in docs.items():
            for i, ln in enumerate(doc.split("\n"), 1):
                n = unicodedata.normalize("NFKC", ln)
                for w in words:
                    j = n.find(w)
                    if j >= 0:
                        print(f"  {k} L{i} [{w}] …{n[max(0, j - 70):j + 90].strip()}…")
                        break


def lines():
    qs, ans, rels = [], [], []
    for qid, dr, typ, key, text, spans, facts, twin in Q:
        corpus = "sample" if key == "report" else "minutes"
        qs.append({"id": qid, "text": text, "lang": "ja", "corpus": corpus, "split": "dev", "batch": BATCH})
        rels += [f"{qid}\t{sp}\t2" for sp in spans]
        ans.append({"id": qid, "facts": facts})
    for qid, dr, typ, key, text, spans, facts, twin in Q:
        if not twin:
            continue
        corpus = "sample" if key == "report" else "minutes"
        qs.append({"id": qid + "e", "text": twin[0], "lang": "en", "corpus": corpus,
                   "translates": qid, "split": "dev", "batch": BATCH})
        rels += [f"{qid}e\t{sp}\t2" for sp in spans]
        ans.append({"id": qid + "e", "facts": twin[1]})
    for tid, lang, text, _, _ in TRAPS:
        qs.append({"id": tid, "text": text, "lang": lang, "corpus": "minutes", "unanswerable": True,
                   "split": "dev", "batch": BATCH})
    return qs, rels, ans


def main():
    if "--traps" in sys.argv:
        return trap_hits()
    bad = check()
    print("problems:", bad)
    if "--write" not in sys.argv:
        return
    if bad:
        sys.exit("not writing: fix the problems first")
    old, _ = existing()
    qs, rels, ans = lines()
    clash = {q["id"] for q in old} & {q["id"] for q in qs}
    if clash:
        sys.exit(f"not writing: ids already there: {sorted(clash)}")
    for name, rows in (("queries.jsonl", [json.dumps(q, ensure_ascii=False) for q in qs]),
                       ("qrels.tsv", rels),
                       ("answers.jsonl", [json.dumps(a, ensure_ascii=False) for a in ans])):
        p = DATA / name
        s = p.read_text(encoding="utf-8")
        if s and not s.endswith("\n"):
            s += "\n"
        p.write_text(s + "\n".join(rows) + "\n", encoding="utf-8")
        print(f"appended {len(rows)} lines to {name}")


if __name__ == "__main__":
    main()
