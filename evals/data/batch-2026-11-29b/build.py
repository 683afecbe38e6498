"""The questions of the batch of 2026-11-29b (all dev, scale corpus), their span checks,
and the lines they add to ../queries.jsonl, ../qrels.tsv and ../answers.jsonl.

Run from the repository root:
    .venv/bin/python evals/data/batch-2026-11-29b/build.py           -- checks only (and,
                                                     once written, that the lines in ../
                                                     are exactly these)
    .venv/bin/python evals/data/batch-2026-11-29b/build.py --traps   -- trap searches
    .venv/bin/python evals/data/batch-2026-11-29b/build.py --write   -- checks, then append
                                                     (refuses if any id is already there)

Checks, per answerable question (one pass over the archive, as ``evals.sample_scale``
reads it):
  * the source turn exists, and each span is an exact substring of its text, both as the
    archive stores it (``voices[].text``) and after the stage-note filter (``body()``);
  * the span has no line break or tab, and 6-40 characters after NFKC and whitespace removal;
  * the number of turns of the whole archive holding the span (NFKC, spaces ignored: what
    ``python -m evals.sample_scale --check`` counts) is 1, or the few listed in SHARED;
  * the span is not, after NFKC and whitespace removal, the quote of a qrels line of an
    earlier batch;
  * each fact (one of its ``|`` alternatives) occurs in the source turn read with its
    speaker label (NFKC, whitespace removed), so a who-question's answer is checked too;
  * the source is not already the ``source`` of a question of an earlier batch.
Each count printed is the one ``python -m evals.sample_scale --check SPAN`` gives.
"""
import json
import lzma
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))
from evals.sample_scale import ARCHIVE, body  # noqa: E402

BATCH = "2026-11-29b"

# (id, draw, type, source, question, [spans], [facts])
Q = [
    # --- pool (a): substantive turns, in draw order (notes.md lists every draw, used or skipped)
    ('n127', 'a1', 'how_many', 'r03-20210922-7#71',
     '2021年9月の厚生委員会で、いわゆる品川モデルのオンライン診療に参加している医師は何名と報告されたか',
     ['産婦人科の先生も含めて２３名'], ['23名']),
    ('n128', 'a2', 'how_many', 'r02-20200226-7#141',
     '2020年2月の厚生委員会で、国保医療年金課長が保険料の延滞金について答弁した際に挙げた収納率は何%か',
     ['収納率９２.３２％'], ['92.32%']),
    ('n129', 'a3', 'who', 'r07-20250930-4#356',
     '2025年9月の決算特別委員会で、区の資金運用は国債の利率を見て利子収入を得る考えをもっと強めるべきだと述べた委員は誰か',
     ['そろそろ利子で収入を得るという考え'], ['藤原']),
    ('n130', 'a4', 'when', 'r07-20250527-6#43',
     '2025年5月の区民委員会での答弁によると、プレミアム率10%を基本としてきた品川区の商品券は何年に始まったか',
     ['２００３年に始めてから'], ['2003年']),
    ('n131', 'a5', 'who', 'r05-20230316-3#32',
     '2023年3月の予算特別委員会で、PTAは任意団体であり、運営方法は各学校や地域の状況に応じて自主的に決めるものだと答弁したのは誰か（どの課長か）',
     ['ＰＴＡは、委員から今お話がございましたとおり、任意団体'], ['庶務課長']),
    ('n132', 'a6', 'how_many', 'r07-20250311-3#34',
     '2025年3月の予算特別委員会で示された品川区の自殺率は、令和5年度にいくつまで上昇したか',
     ['令和５年度、１６.５と上昇'], ['16.5']),
    ('n133', 'a7', 'who', 'r02-20201109-5#57',
     '2020年11月の総務委員会で、五反田バレーとの意見交換会はまだ顔合わせに近い段階だったと答弁したのは誰か（どの課長か）',
     ['顔合わせに近い段階だったので'], ['情報推進課長']),
    ('n134', 'a8', 'who', 'r03-20211011-4#238',
     '2021年10月の決算特別委員会で、マンホールトイレに必要な消毒剤などは学校でも特に備蓄していないが、今後備蓄を検討すると答弁したのは誰か（どの課長か）',
     ['マンホールトイレに必要な消毒剤等々の備蓄'], ['防災体制整備担当課長']),
    ('n135', 'a9', 'how_many', 'r07-20250922-5#78',
     '2025年9月の総務委員会での説明では、新庁舎の工事契約で今年度に支払うのは契約金額の何%か',
     ['契約金額に対しまして１０％の支払い'], ['10%']),
    ('n136', 'a10', 'when', 'r02-20200924-7#60',
     '医療的ケア児地域生活支援促進事業（大原児童センターと同じ建物で実施）は、いつ運営を始める予定と報告されたか',
     ['１２月までに設計・改修工事を行いまして、令和３年１月に運営開始予定'], ['令和3年1月']),
    ('n137', 'a11', 'who', 'r06-20240312-3#365',
     '2024年3月の予算特別委員会で、上水道の耐震化に関連し、水道事業は独立採算制で公費を入れないのが一般的だと答弁したのは誰か（どの課長か）',
     ['水道事業は独立採算制ということで'], ['河川下水道課長']),
    ('n138', 'a12', 'who', 'r06-20240122-7#22',
     '2024年1月の厚生委員会で、重層的支援体制ではどの部署が集まってケース検討をしているのか、核となる部署はどこかを尋ねた委員は誰か',
     ['重層的支援体制の核となるところはどういう部署なのか'], ['鈴木']),
    ('n139', 'a13', 'when', 'r05-20230227-8#169',
     '省エネ関係の認定申請手数料を改める品川区手数料条例の一部改正（第23号議案、建築課所管分）の施行期日はいつか',
     ['最後に、４、施行期日ですが、令和５年４月１日となります'], ['令和5年4月1日']),
    ('n140', 'a14', 'who', 'r05-20230703-5#238',
     '2023年7月の総務委員会で、電動キックボードは非常に危険だとして、区としてけがや事故を防ぐ対策を取るよう意見を述べた委員は誰か',
     ['今のキックボードですか'], ['須貝']),
    ('n141', 'a15', 'who', 'r02-20200819-8#148',
     '2020年8月の建設委員会で、新庁舎計画に関連し、都市公園に位置付ければアリーナや武道館も建てられると例を挙げて、都市計画上の位置付けで現庁舎敷地などの活用の柔軟性が奪われないかを確認した委員は誰か',
     ['アリーナを建てるとか、武道館を建てるとか'], ['石田（秀）|石田']),
    ('n142', 'a16', 'who', 'r05-20230821-8#61',
     '2023年8月の建設委員会で、中延の中継所とはどういう施設か、また品川庁舎と北品川分室だけで運営を賄えるのかを尋ねた委員は誰か',
     ['中延の中継所というのがありますが'], ['田中']),
    ('n143', 'a17', 'who', 'r05-20231127-8#10',
     '2023年11月の建設委員会で、第二戸越幹線の工事で掘った土の圧送が詰まって工期が延びたことについて、事前に想定できなかったのかを質した委員は誰か',
     ['掘り出した土を圧送する際に詰まってしまう'], ['のだて']),
    ('n144', 'a18', 'who', 'r07-20250512-8#17',
     '2025年5月の建設委員会で、羽田新飛行ルートの地価への影響について、国は大阪空港と福岡空港でも同じ手法の調査で影響を確認できなかったと説明していると答弁したのは誰か（どの課長か）',
     ['大阪空港と福岡空港において同様の調査'], ['都市計画課長']),
    ('n145', 'a19', 'who', 'r07-20250630-5#13',
     '2025年6月の総務委員会で、4施設をまとめて行う案件に関連して、15年サイクルでの見直しの考え方や、金額の小さい単発の案件の議会への報告について尋ねた委員は誰か',
     ['１５年サイクルの状況で見直しを図っていく'], ['西本']),
    ('n146', 'a20', 'how_many', 'r07-20251003-4#84',
     '2025年10月の決算特別委員会で取り上げられた、課長が各保育園に出向いて業務改善や保育士の人事に関する意向を聞き取るヒアリングは、年に何回行われているか',
     ['年に１回、課長が各園に出向き'], ['年に1回|1回']),
    ('n147', 'a21', 'how_many', 'r07-20251105-9#106',
     '品川区教育委員会が令和5年度に認定したいじめの重大事態は何件か',
     ['令和５年度は１４件認定しておりますので'], ['14件']),
    ('n148', 'a24', 'how_many', 'r05-20230821-9#104',
     '2023年8月の文教委員会で報告された見直しで、保護者が育児休業中の園児を保育園で預かる時間は1日何時間までになるか',
     ['品川区も７時間ではなく８時間の預かり'], ['8時間']),
    ('n149', 'a25', 'when', 'r06-20241125-9#140',
     '2024年11月の文教委員会で審査された私立幼稚園協会の請願では、区からの補助をいつから受けているとされていたか',
     ['平成１６年からこういう形で補助を受けております'], ['平成16年']),
    ('n150', 'a26', 'when', 'r05-20230706-19#38',
     '2023年7月の災害・環境対策特別委員会で、動画を避難所開設の手順の周知に生かすよう求められた、東京都と品川区の合同防災訓練は何年度のものか',
     ['令和４年度の東京都と品川区での品川区合同防災訓練'], ['令和4年度']),
    ('n151', 'a27', 'how_much', 'r05-20230703-7#186',
     '2023年7月の厚生委員会で取り上げられた品川区の高齢者向け補聴器購入費助成の助成額はいくらか',
     ['今回３万５,０００円ということで'], ['3万5,000円']),
    ('n152', 'a28', 'how_many', 'r02-20201009-4#273',
     '2020年10月の決算特別委員会で羽田新ルートによる大気汚染を取り上げた質問では、アメリカで航空機の排気ガスにより毎年何人前後が亡くなっているとされたか',
     ['アメリカでは毎年４５０人前後'], ['450人']),
    ('n153', 'a30', 'how_many', 'r05-20230228-8#83',
     '2023年2月の建設委員会での答弁によると、電磁式ラックのある自転車駐車場への導入が完了したのは、26施設のうち何施設か',
     ['２６施設中の１９施設に導入完了'], ['19施設']),
    ('n154', 'a32', 'how_many', 'r03-20210707-5#49',
     '令和3年7月4日執行の東京都議会議員選挙で、品川区で期日前投票をした人は何人か',
     ['１,２３４名多い４万４,９５０名'], ['4万4,950名']),
    ('n155', 'a36', 'when', 'r06-20241010-4#137',
     '2024年10月の決算特別委員会の時点で、西五反田公園の改修工事はいつの完了を目指していたか',
     ['２月の工事完了を目指している'], ['2月']),
    ('n156', 'a40', 'when', 'r04-20220418-5#133',
     '2022年4月の総務委員会での説明によると、品川区の現在の長期基本計画はいつできたか',
     ['現在の長期基本計画は令和２年の４月にできております'], ['令和2年の4月|令和2年4月']),
    ('n157', 'a42', 'how_much', 'r03-20211108-6#75',
     'コロナ禍で品川区が区独自に支給した給付金は1人いくらだったか',
     ['今回品川区で１人３万円の給付金'], ['3万円']),
    ('n158', 'a49', 'when', 'r06-20240311-3#142',
     '2024年3月の予算特別委員会での答弁によると、65歳以上のインフルエンザ予防接種（定期接種）の自己負担をゼロ円とするのは何年度の予算からか',
     ['令和６年度予算では６５歳以上'], ['令和6年度']),
    ('n159', 'a63', 'when', 'r03-20211004-4#121',
     '2021年10月の決算特別委員会での質疑によると、LINE社の個人情報の取扱いをめぐる問題の後、総務省から自治体向けのガイドラインが示されたのはいつか',
     ['６月に総務省からガイドラインが提示され'], ['6月']),
    ('n160', 'a67', 'when', 'r06-20240924-7#129',
     '品川区の長寿お祝い事業はいつから続いている事業か',
     ['昭和５０年から始まった事業'], ['昭和50年']),
    # --- pool (b): chair turns holding 可決 / 否決 / 採択, in draw order
    ('n161', 'b5', 'decision', 'r04-20220322-3#52',
     '2018年の第4回定例会に出された、学校給食の牛乳にプラスチックストローを使わないよう求める請願は、どう決まったか',
     ['請願が区議会に提出され、全会一致で採択されました'], ['採択']),
    ('n162', 'b46', 'decision', 'r07-20250930-honkaigi#5',
     '品川区新総合庁舎整備工事の請負契約など、新庁舎の工事契約3議案（第110号～第112号議案）は、2025年9月の総務委員会でどう決まったか',
     ['第110号議案、第111号議案および第112号議案は、いずれも賛成多数'], ['可決']),
    ('n163', 'b48', 'decision', 'r07-20250710-honkaigi#32',
     '省エネルギー対策・業務改善設備更新助成金を計上した令和7年度一般会計補正予算（第71号議案）の区民委員会所管分は、区民委員会でどう決まったか',
     ['区民委員会所管分は全会一致をもって原案のとおり可決'], ['可決']),
    ('n164', 'b74', 'decision', 'r07-20251023-honkaigi#98',
     '小山三丁目第一地区の本組合設立申請の取り下げや事業費・資金計画の公表などを求める陳情（令和7年陳情第41号）は、建設委員会でどう決まったか',
     ['等の確認と公表を求める陳情は、賛成少数により不採択'], ['不採択']),
]

# spans allowed to occur in more than one turn: {span: expected count}
SHARED = {
    # the same official states the same fact in the same words at the next petition on
    # the programme (r07-20250225-7#358, 長寿お祝い金 again)
    "昭和５０年から始まった事業": 2,
}

# unanswerable traps: (id, type, question, what is asked and never stated,
#   search groups ("a+b": a turn holding both), pattern or None: every match of the
#   pattern in a hit turn is printed too, so that a figure or date near the topic is seen)
TRAPS = [
    ("u55", "who", "2025年8月の区民委員会で、品川区民芸術祭2025の開催について報告を受けて質問した委員は誰か",
     "who asked: no member spoke on the report (the chair closed it at once)",
     ["品川区民芸術祭２０２５", "芸術祭２０２５"], None),
    ("u56", "how_many", "品川区の83運動で、子どもの登下校の見守りに参加している人は何人いるか",
     "how many take part: never counted in the minutes",
     ["８３運動", "はちさん運動"], r"[0-9,，万]+(?:人|名|団体|件)"),
    ("u57", "how_much", "光林荘でのトコジラミ発生で林間学園や移動教室が中止になったことによるバスのキャンセル料は、いくらになったか",
     "how much: the amount was still being calculated and is never given",
     ["キャンセル料", "光林荘+円", "トコジラミ+円"], r"[0-9,，万億]+円"),
    ("u58", "when", "しながわシティラン2026の大会ボランティアの募集はいつ締め切られるか",
     "when: the 2026 volunteers' closing date (only the start, 9月30日, is given)",
     ["シティラン+ボランティア"], r"[0-9]+月[0-9]+日"),
    ("u59", "decision", "西五反田公園の改修で、迷路遊具を残すよう求めた陳情は、建設委員会でどう決まったか",
     "decision: no such petition; the maze was discussed in reports and questions only",
     ["迷路", "西五反田公園+陳情", "西五反田公園+請願"], r"陳情|請願|採択"),
    ("u60", "who", "83運動を発案した、当時の小学校PTA会長の氏名は何か",
     "who (name): the founder is described by post only, never named",
     ["８３運動+発案", "８３運動+会長", "８３運動+提唱", "８３運動+考案", "８３運動+始ま"], r"発案|会長|提唱|考案"),
]


def squash(s):
    return "".join(unicodedata.normalize("NFKC", s).split())


def archive_turns():
    with lzma.open(ARCHIVE, "rt", encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            for v in m["voices"]:
                yield m["id"], m["title"], int(v["i"]), v["speaker"], v["text"]


def existing(others_only=False):
    """The questions and qrels quotes already in ../; with others_only, those of earlier
    batches only (so that the checks can be re-run after --write)."""
    qs = [json.loads(x) for x in (DATA / "queries.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    mine = {q["id"] for q in qs if q.get("batch") == BATCH} if others_only else set()
    qs = [q for q in qs if q["id"] not in mine]
    quotes = {}
    for line in (DATA / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, quote, _ = line.split("\t")
            if qid not in mine:
                quotes.setdefault(squash(quote), []).append(qid)
    return qs, quotes


def written():
    """After --write: the lines of this batch in ../ must be exactly those lines() makes."""
    qs, rels, ans = lines()
    have_q = [x for x in (DATA / "queries.jsonl").read_text(encoding="utf-8").splitlines()
              if x.strip() and json.loads(x).get("batch") == BATCH]
    ids = {q["id"] for q in qs}
    have_r = [x for x in (DATA / "qrels.tsv").read_text(encoding="utf-8").splitlines()
              if x.split("\t")[0] in ids]
    have_a = [x for x in (DATA / "answers.jsonl").read_text(encoding="utf-8").splitlines()
              if x.strip() and json.loads(x)["id"] in ids]
    if not have_q:
        print("not written yet")
        return 0
    ok = (have_q == [json.dumps(q, ensure_ascii=False) for q in qs] and have_r == rels
          and have_a == [json.dumps(a, ensure_ascii=False) for a in ans])
    print(f"lines in ../: {len(have_q)} queries, {len(have_r)} qrels, {len(have_a)} answers;",
          "match build.py" if ok else "DIFFER from build.py")
    return 0 if ok else 1


def check():
    old_qs, old_quotes = existing(others_only=True)
    old_sources = {q.get("source") for q in old_qs} - {None}
    want = {q[3] for q in Q}
    spans = {sp: squash(sp) for q in Q for sp in q[5]}
    counts = dict.fromkeys(spans, 0)
    src = {}
    for mid, title, i, speaker, text in archive_turns():
        key = f"{mid}#{i}"
        b = body(text)
        if key in want:
            src[key] = (title, speaker, text, b)
        nb = squash(b)
        for sp, nsp in spans.items():
            counts[sp] += nsp in nb
    bad = 0
    for qid, dr, typ, source, text, sps, facts in Q:
        probs = []
        if source not in src:
            print(f"{qid}\tBAD source {source} not found")
            bad += 1
            continue
        title, speaker, raw, b = src[source]
        if source in old_sources:
            probs.append("source already used")
        for sp in sps:
            p = []
            if "\n" in sp or "\t" in sp:
                p.append("line break/tab")
            if sp not in raw:
                p.append("not in raw turn text")
            if sp not in b:
                p.append("not in body()")
            if not 6 <= len(squash(sp)) <= 40:
                p.append(f"length {len(squash(sp))}")
            if counts[sp] != SHARED.get(sp, 1):
                p.append(f"in {counts[sp]} turns")
            if squash(sp) in old_quotes:
                p.append(f"same quote as {old_quotes[squash(sp)]}")
            bad += bool(p)
            print(f"{qid}\t{'OK' if not p else 'BAD ' + '; '.join(p)}\t{counts[sp]} turn(s)\t{len(squash(sp))}\t{sp}")
        blob = squash(speaker + "\n" + b)
        for f in facts:
            if not any(squash(a) in blob for a in f.split("|")):
                probs.append(f"fact {f!r} not in the turn")
        for pr in probs:
            print(f"{qid}\tBAD {pr}")
        bad += len(probs)
    return bad


def trap_hits():
    """For each trap, every turn holding all the words of one of its search groups (NFKC,
    spaces ignored): source, speaker and 200 characters around the first word, then every
    match of the trap's pattern in that turn with 40 characters either side; read by hand
    (notes.md says what was found)."""
    import re
    groups = [(tid, g, [squash(w) for w in g.split("+")], pat)
              for tid, _, _, _, gs, pat in TRAPS for g in gs]
    hits = {(tid, g): [] for tid, g, _, _ in groups}
    for mid, title, i, speaker, text in archive_turns():
        x = squash(body(text))
        for tid, g, ws, pat in groups:
            if all(w in x for w in ws):
                j = x.find(ws[0])
                out = [f"  {mid}#{i} {title[:20]} {speaker}: …{x[max(0, j - 80):j + 120]}…"]
                if pat:
                    out += [f"      [{m.group(0)}] …{x[max(0, m.start() - 40):m.end() + 40]}…"
                            for m in re.finditer(pat, x)]
                hits[(tid, g)].append("\n".join(out))
    for tid, typ, text, asked, gs, pat in TRAPS:
        print(f"=== {tid} ({typ}; {asked}): {text}")
        for g in gs:
            print(f" -- [{g}] {len(hits[(tid, g)])} turn(s)")
            for h in hits[(tid, g)]:
                print(h)


def lines():
    qs, rels, ans = [], [], []
    for qid, dr, typ, source, text, sps, facts in Q:
        qs.append({"id": qid, "text": text, "lang": "ja", "corpus": "scale", "origin": "random",
                   "source": source, "split": "dev", "batch": BATCH})
        rels += [f"{qid}\t{sp}\t2" for sp in sps]
        ans.append({"id": qid, "facts": facts})
    for tid, typ, text, _, _, _ in TRAPS:
        qs.append({"id": tid, "text": text, "lang": "ja", "corpus": "scale", "unanswerable": True,
                   "split": "dev", "batch": BATCH})
    return qs, rels, ans


def main():
    if "--traps" in sys.argv:
        return trap_hits()
    bad = check()
    if "--write" not in sys.argv:
        bad += written()
        print("problems:", bad)
        return
    print("problems:", bad)
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
