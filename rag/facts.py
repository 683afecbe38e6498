"""The asked-for fact: what a question asks for, and the one line that states it.

A question asks for a person (``who``), an amount or count (``amount``), a date (``when``),
the result of a decision (``decision``), a reason (``why``), a way (``how``), a yes or no
(``yesno``), or something else (``other``). For the first four the extractive answer opens
with a lead line that states the fact, taken from where it lives:

- who: the speaker of the passage, from the chunk metadata (name, party), since the speaker
  label is the evidence that a member asked or an official answered;
- amount: the phrase of the quoted sentence that holds a number with its unit, exactly as
  written, with an English reading of 億/万 amounts for English questions;
- when: the phrase that holds the date;
- decision: the result and method recorded in the passage's ``decisions`` metadata
  (可決 → passed for English questions).

Pure functions of text and metadata; no model, no I/O.

>>> question_type("市第54号議案について日本共産党を代表して質疑したのは誰ですか")
'who'
>>> question_type("区立図書館の年間の貸出冊数"), question_type("賛成多数")
('amount', 'other')
>>> english_amount("18億2,700万円")
'¥1.827 billion'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rag.text import nfkc, question_language, without_context, written_year

TYPED = ("who", "amount", "when", "decision")
_COUNCILLOR = "councill?or"  # both spellings, one home

# The words that ask for a person (誰か, どなたが, who)
WHO_WORDS = ("誰", "だれ", "どなた", "who")
# A person's name asked for, ending the question: 「…部長の氏名は何か」, 「委員長の名前を教え
# てください」 (not 「施設の名前は」: 名前 alone names a person only after a post or a member)
NAME_ASKED = (
    r"(?:の(?:氏名|お名前)|[長監官員者]の名前)(?:は|を)(?:何|なん)?"
    r"(?:ですか|でしょうか|か|教えて(?:ください)?)?[？?。]?$"
)
_WHO = re.compile(
    r"誰|だれ|どなた|どの(委員|議員|課長|部長|局長|室長|所長|職員|理事者)(?!会)|どの(会派|政党|党)|何党|どこの党|どの人"
    # a name asked for as the question's end (「部長の氏名は何か」; not 「氏名の公表はいつ」)
    rf"|{NAME_ASKED}"
    # which (council secretariat) staff, which deputy mayors: people, not a thing
    r"|\bwho\b|\bwhich (?:(?!(?:did|do|does|was|were|is|are|has|have|will|would)\b)[\w-]+ ){0,3}?"
    rf"(members?|{_COUNCILLOR}s?|part(?:y|ies)|officials?|staff|employees?|people|persons?"
    r"|mayors?|chairs?)\b|\bwhat party\b",
    re.I,
)
_DECISION = re.compile(
    r"可決|否決|採決|採択|議決|承認され|認定され|同意され|どう(議決|決ま)"
    r"|\b(passed|rejected|adopted|voted?|vote on)\b",
    re.I,
)
# The items a council decides on: a question naming one and asking its result is a decision
_ITEMS_JA, _ITEMS_EN = "議案|請願|陳情", "bill|petition|motion"
_DECIDED_ITEM = re.compile(rf"{_ITEMS_JA}|\b({_ITEMS_EN})\b", re.I)
_DECIDED_ASK = re.compile(
    r"結果|どうなった|\b(result|outcome|decided|decision|recommend(ed|ation)?)\b", re.I
)
# The words that ask how much or how many, one home for the question regex below and for
# ASKING_WORDS (the same words as tokens).
_HOW_MUCH = ("いくら", "いくつ", "どのくらい", "どれくらい", "どれだけ")
# Counters (助数詞) that count things a council counts, beyond those of people, cases, times,
# money and places below: books and ages (冊, 歳), spans (年間, 週間), copies (部, 枚),
# votes and seats (票, 議席), buildings and rooms (棟, 軒, 室, 床), kinds and items (種類, 項目,
# 品目), routes, nurseries and shops (路線, 園, 店舗), rank (位). 何 before one asks how many
# (何部, 何票); a number before one is a count (3,000部), not an ordinal (2部目) or a word
# it begins (部会, 部署, 部屋, 室長, 3歳児, 事業費).
COUNTERS = ("冊", "歳", "年間", "週間", "部", "枚", "票", "議席", "棟", "軒", "室", "床",
            "種類", "項目", "品目", "路線", "園", "店舗", "位",
            # the units of a council's own work: 499業務, 12事業, 5事業者, 3地区, 40学級
            "業務", "事業", "事業者", "事業所", "地区", "学級", "会場")  # fmt: skip
_COUNTER = (
    rf"(?:{'|'.join(sorted(COUNTERS, key=len, reverse=True))})(?![目会長児舎内外署門局屋置分者費])"
)
# か after an asking word ends the question (「何部か」, 「いくつか」) or is indefinite
# (「何部かの冊子」, 「いくつかの課題」: some): only the first asks
_ASKING_KA = r"(?!か(?!ら|[？?。]?$))"
# 何 before a counter, asking how many of it (its group: the counter)
_COUNTER_ASK = re.compile(rf"何({_COUNTER}){_ASKING_KA}")
# いくつ asking how many, not いくつか "several"
_IKUTSU = re.compile(rf"いくつ{_ASKING_KA}")
# Figures' topic nouns: they ask for the figure as the question's topic (「費用は？」), not
# inside a yes/no question's clause (「費用は削減されましたか」: question_type)
_TOPIC_NOUN = re.compile(r"割合|比率|上限|費用")
_AMOUNT = re.compile(
    "|".join(_HOW_MUCH)
    + r"|何[件人円回校戸台個名割%％本社倍]|何度(?![もかでと目])|何か国|何カ国|何ヶ国"
    + rf"|{_COUNTER_ASK.pattern}|何パーセント"
    r"|何世帯|何施設|何団体|何箇所|何日間|何時間|何か月|何カ月|何ヶ月"
    rf"|どの程度|{_TOPIC_NOUN.pattern}|率は|額は|頻度は"
    r"|\bhow (many|much|often|frequently)\b|\bwhat (share|percentage|proportion|number)\b|\bnumber of\b"
    r"|\bwhat (is|was|are|were) (the )?[\w' -]{0,30}?\b(rate|ratio|percentage)s?\b"
    r"(?! of (increase|change))"
    # a question that is a noun phrase ending in a quantity: 貸出冊数, 利用者数, 補正額,
    # 受講率 (not 多数, 複数, 算数, 増額, 効率, 引率)
    r"|(?:[件人回者員生童帯設体校台戸所冊名]数|[金総算正附付助]額|(?<![効能引])率)(?:は)?[?？]?$",
    re.I,
)
# The words by which a question asks how much or how many (tokens of いくらかかったか,
# 何人いるか): no answer holds them, so they are not part of what a figure must be about.
ASKING_WORDS = frozenset({*_HOW_MUCH, "何", "どの", "どれ", "かかっ", "かかる", "かかり"})
# A time of day asked for (何時に開議したか, what time) is answered by one (午前10時)
_ASKS_TIME = re.compile(r"何時(?!間)|\bwhat time\b", re.I)
_WHEN = re.compile(
    rf"いつ|何年|何月|何日|時期|期日|会期|\bwhen\b|\bwhat (date|year|month)\b|{_ASKS_TIME.pattern}",
    re.I,
)
_TIME = re.compile(r"(?:午前|午後)?\s?[0-9]+\s?時\s?(?:[0-9]+\s?分|半)?(?!間|代|点)")
_WHY = re.compile(r"なぜ|理由|どうして|\b(why|reasons?)\b", re.I)
_HOW = re.compile(r"どのよう|どうやって|どう[しす]|方法|\bhow\b", re.I)
# A yes/no question: Japanese marks it by its end (ますか, ましたか, たか), unless it holds a
# question word (not 何か, 何ら, 何も, どこか, どこでも or どこからも, "something", "any",
# "nothing", "somewhere", "anywhere", which a yes/no question may hold; but 何か月 asks how
# long, and どこから, 何から, どれから where or what from):
# 「どんなAI教材を使っているか」 ends as a yes/no question does, but asks what. English
# marks it by its first word, so a later "what" is a clause of it ("Does the city know what
# residents want?").
_YESNO_JA = re.compile(
    r"(ますか|ましたか|ませんか|ですか|でしたか|でしょうか|のか|あるか|いるか|たか)[？?]?$"
)
_YESNO_EN = re.compile(
    r"^(is|are|was|were|does|do|did|will|would|can|could|should|has|have|had)\b", re.I
)
# What follows a question word that makes it indefinite, not asking: どこか "somewhere"
# (not どこから "where from"), どこからも, どこからか, どこでも "anywhere"
_INDEFINITE = r"(?!か(?!ら)|から(?:も|でも|か)|でも)"
_WH_JA = re.compile(
    r"何(?!か(?![月所年国ら])|ら|も|から(?:も|でも|か)|でも)"
    rf"|なに{_INDEFINITE}|どう(?!か)|どんな|どこ{_INDEFINITE}|どれ{_INDEFINITE}|どちら|どの"
    r"|どういう|どういった|いかなる|いかが"
)
# Who asked (the questioner) or who answered (an official).
_ASKER = re.compile(
    r"質疑|質問|尋ね|指摘|求め|取り上げ|批判|主張|提案|発言|\b(ask|question|raise|point|argue|"
    r"propose|call|speak|spoke|criticis|criticiz)",
    re.I,
)
# What a member does to the executive: ask, raise, point out, call for (not propose or
# speak, which officials do too), and a member as the one who did it (not 委員会, a committee)
_ASKS_FOR = re.compile(
    r"質問|質疑|尋ね|指摘|求め|取り上げ|批判|\b(ask(ed|s)?|question(ed|s)?|"
    r"raised? (the |a |an )?(issue|question|concern|matter|point|problem)s?|"
    r"point(ed|s)? out|argued?|call(ed|s)? for|criticis\w*|criticiz\w*)\b",
    re.I,
)
# A member or a party as the one the question is about (not 委員会, a committee; not 政党交付金
# or a third party; not staff members)
_MEMBER = re.compile(
    r"(議員|委員)(?!会)|会派|(?<!政)党(?!派)"
    rf"|(?<!staff )\b(members?|{_COUNCILLOR}s?)\b|(?<!third )(?<!third-)\bpart(y|ies)\b",
    re.I,
)
# A member as the person a who-question asks for (問題提起した委員は誰か, どの議員, which
# member): not a chair (委員長, 副委員長), a committee (委員会), an official member
# (監査委員: rag.speakers.OFFICIAL_MEMBERS, which a test holds this to) or a member who is
# the subject (委員は誰と面会したか)
_MEMBER_WHO = re.compile(
    r"(?<!副)(?<!監査|教育|農業|公平)(?<!選挙管理)(委員|議員)(?!会|長)[はが]?(誰|だれ|どなた)(?![とにをへがの])"
    r"|どの(委員|議員)(?!会|長)"
    rf"|\bwhich (committee )?(members?|{_COUNCILLOR}s?)\b|\b(members?|{_COUNCILLOR}s?) who\b",
    re.I,
)
# Someone the text names to a post (指名, 選任), not who spoke.
_NAMED = re.compile(
    r"指名|選任|選出|選ば|任命|委嘱|就任"
    r"|\b(was|were|been|be|is|are)\s+(appointed|elected|nominated|named|chosen)\b",
    re.I,
)
# (説明員, 説明のため出席した者: those who attended to explain, a list, not a speaker)
_ANSWERER = re.compile(r"答弁|回答|答え|説明(?!員|のため)|\b(answer|repl|respond|explain)", re.I)

# A number with its unit: 18億2,700万円, 28万3,630人, 170件, 63.3%, 4回, 6割, 2万5100円.
_NUM = r"[0-9][0-9,]*(?:\.[0-9]+)?"
# (not an ordinal: 第2回, 第1部)
_AMOUNT_FIGURE = re.compile(
    rf"(?<!第)(?:{_NUM}\s?[兆億万千]?\s?)+?(?:{_NUM})?"
    r"\s?(?P<unit>円|人|件|回|校|か国|カ国|ヶ国|戸|%|パーセント|割|台|個|名|世帯|時間|日間|か月|カ月|箇所|か所|"
    r"カ所|本|施設|団体|社|倍|トン|キロ|ha|平方キロメートル|平方キロ|km2|平方メートル|平米|m2|度(?!目|に)"
    rf"|{_COUNTER})"
)
# 度 counts times only after a period (1週間に1度, 月1度, 年に2度), not a temperature or an
# angle (30度)
_PER_PERIOD = re.compile(r"[週月年日間](?:に|で)?\s?$")
# 「いくつの県と市で」, 「いくつの学校が」: the thing counted (up to a particle). A count of it
# is written with its counter (「12校」, 「5施設」) or before it (「36の県と市」, 「5つの事業所」);
# other counts (「6ブロック」) do not answer
_COUNTED = re.compile(r"いくつの\s?([^\s、。はがをにでとのもか]+)")
# A count written without a counter (「17から20に増えた」): not a year, month or day.
# A number written with no counter, read as a count where the question asks one without a
# unit (いくつ, "how many"); not a year (「2030年」, 「2024モルック世界大会」: a year-like
# number run into a name), nor a number that is part of a name (5G: a letter right after
# it); a katakana counter may follow (6ブロック)
_BARE_COUNT = re.compile(
    r"(?<![0-9.,])(?!(?:19|20)[0-9]{2}[ァ-ヶA-Za-z])[0-9][0-9,]*(?:\.[0-9]+)?"
    r"(?![0-9.,]|\s?[年月日時分歳号条第]|[A-Za-z])"
)
_DATE = re.compile(
    r"(?:(?:令和|平成|昭和)(?:[0-9]+|元)年度?|[0-9]{4}年度?)(?:[0-9]+月)?(?:[0-9]+日)?"
    r"|[0-9]+月[0-9]+日|[0-9]+月(?:末|中|上旬|中旬|下旬)?"
)
_HOW_MANY = r"how many (?:[\w'-]+ ){0,3}?"  # the counted noun may carry modifiers
# A counter the question asks for by name (何人, how many schools): that unit alone is wanted.
_COUNTER_ASKED = {
    "人": re.compile(
        rf"何人|何名|人数|{_HOW_MANY}(people|persons|members|staff|children|residents|employees"
        r"|workers|officers|officials|teachers|students|pupils|users|visitors|participants"
        rf"|{_COUNCILLOR}s|applicants|patients|volunteers|firefighters|nurses|doctors"
        r"|runners|athletes|voters|attendees|entrants|subscribers|registrants"
        r"|passengers|tourists|citizens|seniors|infants|babies)\b"
    ),
    "件": re.compile(rf"何件|件数|{_HOW_MANY}(reports|cases|applications|requests|complaints)\b"),
    "回": re.compile(
        rf"何回|何度(?![もかでと目])|回数|(?<![高低])頻度|how often|how frequently|{_HOW_MANY}times\b"
    ),
    "校": re.compile(rf"何校|学校数|{_HOW_MANY}schools\b"),
    # a share asked as one (「契約金額の何%か」): not the money the question also names
    "%": re.compile(r"何(?:%|パーセント)"),
    "割": re.compile(r"何割"),
    "か国": re.compile(rf"何か国|何カ国|何ヶ国|{_HOW_MANY}countries\b"),
    "箇所": re.compile(rf"何箇所|何か所|何カ所|{_HOW_MANY}(places|locations|sites)\b"),
    "か月": re.compile(rf"何か月|何カ月|何ヶ月|{_HOW_MANY}months\b"),
    # a length of time asked as a count (何日間で, for how many days), not a date or a time
    "日間": re.compile(rf"何日間|日数|{_HOW_MANY}days\b"),
    "時間": re.compile(rf"何時間|時間数|{_HOW_MANY}hours\b"),
    "世帯": re.compile(rf"何世帯|世帯数|{_HOW_MANY}households\b"),
    "施設": re.compile(rf"何施設|施設数|{_HOW_MANY}facilities\b"),
    "団体": re.compile(rf"何団体|団体数|{_HOW_MANY}(groups|organi[sz]ations)\b"),
}
# Money asked for by name, not by an English "how much" that may measure anything
_MONEY = re.compile(r"いくら|何円|金額|額は|費用|料金|使用料|手数料|\b(costs?|fees?|yen|budget)\b")
# Otherwise the quantity asked about names its unit: money, a share.
_QUANTITY_ASKED = {
    "円": re.compile(rf"{_MONEY.pattern}|how much"),
    "%": re.compile(r"%|％|割合|率は|比率|\b(share|percent|percentage|proportion|rate)\b"),
    "割": re.compile(r"割合|\b(share|proportion)\b"),
}
# Else what it measures: a population is counted in people (人口はどれだけ減る), an area in
# its units (面積, 延床面積: km2, ha, m2)
_AREA_UNITS = ("平方キロメートル", "平方キロ", "km2", "ha", "平方メートル", "平米", "m2")
_MEASURE_ASKED = {
    "人": re.compile(r"人口(?!密度)|\bpopulation\b(?! density)"),
    **{unit: re.compile(r"面積|広さ|\b(area|acreage)\b") for unit in _AREA_UNITS},
}
# Counters that count the same thing (people: 人 and 名), read as one unit.
_SAME_UNIT = {
    "名": "人",
    "パーセント": "%",
    "度": "回",  # 週1回, 1週間に1度
    "カ国": "か国",
    "ヶ国": "か国",
    "カ所": "箇所",
    "か所": "箇所",
    "カ月": "か月",
}


# What an English "how many …" counts: its words up to the counted noun, a plural (centers,
# copies) or one of the few without an s (people, children, staff)
_EN_HOW_MANY = re.compile(r"\bhow many\b", re.I)
_EN_IRREGULAR = frozenset({"people", "children", "men", "women", "staff", "police", "personnel"})
_EN_NOT_COUNTED = frozenset(
    {"did", "do", "does", "was", "were", "is", "are", "has", "have", "had", "will", "would",
     "can", "could", "should", "may", "might", "in", "of", "at", "on", "for", "per", "by",
     "from", "to", "with", "there", "that", "who", "which", "the", "a", "an", "its", "their",
     "this", "these", "those"}
)  # fmt: skip
# Counted nouns that say no more than their unit does (people, times, cases, members): the
# unit asked for already holds a figure to them
_EN_UNIT_NOUNS = frozenset(
    {*_EN_IRREGULAR, "persons", "times", "cases", "ones", "units", "items", "numbers", "years",
     "months", "weeks", "days", "hours", "minutes", "members", "residents", "employees",
     "workers", "officers", "officials", "users", "visitors", "participants", "applicants",
     "councillors", "councilors", "copies", "pieces", "sheets",
     # what says how many, not of what (how many more / new / additional …)
     "new", "more", "fewer", "additional", "extra", "further", "other", "total",
     # a municipality's kind after its name (Sendai city employees)
     "city", "ward", "town", "village"}
)  # fmt: skip


def english_counted(question: str) -> str:
    """What an English "how many" question counts beyond its unit ("school social" of
    "school social workers"); "" for a Japanese question, another kind of question, or a
    count of people, times or cases alone. A name (Sendai city employees) is the place's
    or the body's, which the passages are chosen by, not what is counted.

    >>> english_counted("How many school social workers does Yokohama's Board of Education employ?")
    'school social'
    >>> english_counted("How many consultations did Maggie's Tokyo handle in fiscal 2021?")
    'consultations'
    >>> english_counted("How many people used the service?"), english_counted("何人か")
    ('', '')
    >>> english_counted("How many Sendai city employees said they used it?")
    ''
    >>> english_counted("How many bus stops are there?"), english_counted("How many new cases?")
    ('bus stops', '')
    """
    q = without_context(nfkc(question))
    m = _EN_HOW_MANY.search(q)
    if not m:
        return ""
    phrase: list[str] = []
    for word in re.findall(r"[A-Za-z][\w'-]*", q[m.end() :])[:5]:
        w = word.lower()
        if w in _EN_NOT_COUNTED:
            return ""
        if not word[0].isupper():
            phrase.append(w)
        if w in _EN_IRREGULAR or (w.endswith("s") and not w.endswith(("'s", "ss", "us"))):
            return " ".join(x for x in phrase if x not in _EN_UNIT_NOUNS)
    return ""


def asked_units(question: str) -> set[str]:
    """The units a figure must have to answer ``question``: the counter it names (何人 →
    人), else the quantity's (いくら → 円; 割合 → %, 割); empty when it names none.

    >>> sorted(asked_units("予算特別委員会で質問した議員は何人か"))
    ['人']
    >>> sorted(asked_units("補正額はいくらか"))
    ['円']
    """
    q = nfkc(question).lower()
    counters = {u for u, asks in _COUNTER_ASKED.items() if asks.search(q)}
    counters |= {m.group(1) for m in _COUNTER_ASK.finditer(q)}
    quantities = {u for u, asks in _QUANTITY_ASKED.items() if asks.search(q)}
    measures = {u for u, asks in _MEASURE_ASKED.items() if asks.search(q)}
    if quantities == {"円"} and not _MONEY.search(q):
        quantities |= measures  # "how much will the population fall": not money alone
    return counters or quantities or measures


def stated_dates(question: str) -> list[str]:
    """The dates the question states (令和6年11月29日), normalised: where and when it was
    said, not what it asks for."""
    return sorted(_stated(question, "when"))


def without_dates(question: str) -> str:
    """``question`` without the dates it states (「11月29日の本会議」 → 「の本会議」), or
    the day of a meeting it names (初日, 最終日): what it asks beyond when it was said.

    >>> without_dates("令和6年11月29日の本会議を欠席した議員は誰か")
    'の本会議を欠席した議員は誰か'
    """
    return _MEETING_DAY.sub("", _DATE.sub("", nfkc(question)))


# A day named by its place in a meeting or beside another (初日, 翌日): where the answer
# states the date itself (「２月23日から…休会」 for 「初日の翌日から何日間休会」)
_MEETING_DAY = re.compile(r"初日|最終日|当日|本日|同日|翌日|前日|明日|昨日")


def days_named(question: str) -> list[str]:
    """The days ``question`` names relative to a meeting or another day (初日, 翌日)."""
    return _MEETING_DAY.findall(nfkc(question))


def _stated(question: str, kind: str) -> set[str]:
    """The figures the question itself states (its context, not its answer), normalised."""
    q = nfkc(question)
    pattern = _AMOUNT_FIGURE if kind == "amount" else _DATE
    return {re.sub(r"[\s,]", "", m.group()) for m in pattern.finditer(q)}


RESULT_EN = {
    "可決": "passed",
    "否決": "rejected",
    "承認": "approved",
    "同意": "consented to",
    "認定": "accepted",
    "採択": "adopted",
    "不採択": "not adopted",
    "継続審査": "held over for further review",
    "原案可決": "passed as proposed",
    "修正可決": "passed as amended",
}
METHOD_EN = {
    "異議なし": "without objection",
    "起立": "by a standing vote",
    "電子表決": "by electronic vote",
    "記名": "by roll-call vote",
    "挙手": "by show of hands",
}
_ITEM = re.compile(
    r"[市区町村県都府道]?第?[0-9]+号(?:議案|請願|陳情)?|(?:議案|請願|陳情)第?[0-9]+号"
)

_ITEM_EN = re.compile(
    r"\b(?:bill|petition|motion|item)s?\s*(?:no\.?\s*|number\s*|#)?([0-9]+)", re.I
)


# An English question word. The one that asks is the first: English fronts it ("What share
# of children who …", "In the petition …, what did …"); a later one opens a relative or
# subordinate clause ("children who", "when they asked"), unless "and" or "or" joins it as
# a second ask ("…, and who got the contract?").
_WH_EN = re.compile(r"\b(who|whom|whose|which|what|when|where|why|how)\b", re.I)
_JOINED = re.compile(r"\b(and|or)\s+(?:(?:by|of|in|for|at|to|on|from|with) )?$", re.I)


def asking_clause(question: str) -> str:
    """The part of a question that its asking word governs: an English question from its
    first question word to the next one that "and" or "or" does not join to it ("What share
    of children who are …" → "What share of children"); a question that opens as a yes/no
    question ("Does the ward know how many …", whose embedded clause is the real ask), a
    Japanese question, or one with no question word, whole.

    >>> asking_clause("What share of children who are not attending school use My School?")
    'What share of children '
    """
    q = without_context(nfkc(question).strip())  # a follow-up's carried context asks nothing
    if question_language(q) == "ja" or _YESNO_EN.search(q):
        return q
    first = _WH_EN.search(q)
    if not first:
        return q
    end = first.end()
    while (after := _WH_EN.search(q, end)) and _JOINED.search(q, 0, after.start()):
        end = after.end()  # a second ask: part of what is asked
    return q[first.start() : after.start() if after else len(q)]


# A clause that is an argument of the question's last predicate ends in a particle of
# topic or case (「…事業は、いつ始めるのか」: the 事業 is what is asked about); one that ends
# otherwise (…によると、…の後、) says where the question comes from or what came before.
_ARGUMENT_END = re.compile(r"(?:は|では|には|が|を|に|で|も|について|うち|場合)$")
_OPENERS, _CLOSERS = "(「『【[", ")」』】]"


def _clauses(question: str) -> list[str]:
    """``question`` cut after each 、 or comma that ends a clause: not one inside brackets
    or quotes (「議案(第1号、第2号)」, 「「厳しい、しかし進める」」), nor a digit group's
    comma (1,000万円)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(question):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(depth - 1, 0)
        elif ch in "、," and not depth:
            if ch == "," and question[i - 1 : i].isdigit() and question[i + 1 : i + 2].isdigit():
                continue
            parts.append(question[start : i + 1])
            start = i + 1
    return [*parts, question[start:]]


def asked_clause(question: str) -> str:
    """The clauses of a Japanese question its asking word is about: the last one, with the
    ones before it that are its arguments (:data:`_ARGUMENT_END`); the whole question when
    it is one clause or English.

    >>> asked_clause("委員会の質疑によると、問題の後、総務省からガイドラインが示されたのはいつか")
    '総務省からガイドラインが示されたのはいつか'
    >>> asked_clause("支援事業は、いつ運営を始める予定か")
    '支援事業は、いつ運営を始める予定か'
    >>> asked_clause("市長の答弁によると、議案(第1号、第2号)は、補助金1,000万円とされたか")
    '議案(第1号、第2号)は、補助金1,000万円とされたか'
    """
    q = without_context(nfkc(question).strip())
    if question_language(q) != "ja":
        return q
    parts = _clauses(q)
    kept = [parts.pop()]
    while parts and _ARGUMENT_END.search(parts[-1].rstrip("、, ")):
        kept.insert(0, parts.pop())
    return "".join(kept)


def question_type(question: str) -> str:
    """What the question asks for: who, decision, amount, when, why, how, yesno or other,
    read from its asking clause (:func:`asking_clause`).

    >>> question_type("What share of children who are not attending school use My School?")
    'amount'
    """
    whole = nfkc(question).strip()
    q = asking_clause(whole)
    if _WHO.search(q):
        return "who"
    if _DECISION.search(q) or (_DECIDED_ITEM.search(q) and _DECIDED_ASK.search(q)):
        return "decision"
    if _AMOUNT.search(q):
        # a figure's topic noun in a yes/no question's clause asks no figure (「上限回数を
        # 撤廃しますか」, 「費用は削減されましたか」), where nothing else in it asks one
        if (
            _YESNO_JA.search(q)
            and not _WH_JA.search(q)
            and not _AMOUNT.search(_TOPIC_NOUN.sub("", q))
        ):
            return "yesno"
        return "amount"
    if _WHEN.search(q):
        return "when"
    if _WHY.search(q):
        return "why"
    if _HOW.search(q):
        return "how"
    if _YESNO_EN.search(whole) or (_YESNO_JA.search(q) and not _WH_JA.search(q)):
        return "yesno"
    return "other"


# Where an English question asking for several figures starts its next ask: ", and how
# many", "and by how many", ", and when" (not "how many and which", one figure of a list)
_NEXT_ASK_EN = re.compile(
    r",?\s+and\s+(?=(?:(?:by|of|in|for|at|to|on) )?(?:how (?:many|much|often)|when)\b)",
    re.I,
)
_FIGURE_KINDS = ("amount", "when")
# The asking words of a figure or a date (a topic noun such as 会期 or 費用 asks nothing)
_ASKING = (
    "|".join(("何", "いつ", *_HOW_MUCH, "どの程度")) + r"|\bhow (?:many|much|often)\b|\bwhen\b"
)
# What is left of an ask that is only its asking word (「いつ」, "when?")
_BARE = re.compile(rf"(?:{_ASKING}|[はがをにでともかの？?、,.\s])+", re.I)


def _asks_figure(clause: str) -> bool:
    return question_type(clause) in _FIGURE_KINDS and bool(re.search(_ASKING, clause, re.I))


def asked_parts(question: str) -> list[str]:
    """The parts of a question that asks for two or more figures or dates, one ask each
    (「職員は何人いて、今年度末に満了となるのは何人か」, "how many children …, and how many of
    those …"); ``[question]`` when it asks for one. A Japanese ask is a clause between 、
    that holds its own asking word (何人, いつ; not a topic noun such as 会期); the clauses
    before the first ask are every part's context (「…事業では、寄附金額はいくらで、寄附者は
    何人だったか」), a clause after an ask that asks nothing goes with it, and an ask that is
    only its asking word (「横浜市は、いつ、何人採用したか」) goes with the next. An English ask
    starts at "and how many", "and when"; one that is only its asking word ("… and when?")
    is no part of its own."""
    q = nfkc(question).strip()
    if question_language(q) == "en":
        parts = [p.strip(" ,") for p in _NEXT_ASK_EN.split(q)]
    else:
        context, asks, pending = "", [], ""
        for clause in q.split("、"):
            clause, pending = pending + clause, ""
            if _asks_figure(clause) and _BARE.fullmatch(clause):
                pending = clause + "、"
            elif _asks_figure(clause):
                asks.append(clause)
            elif asks:
                asks[-1] += "、" + clause
            else:
                context += clause + "、"
        parts = [context + a for a in asks]
    if (
        len(parts) > 1
        and all(_asks_figure(p) for p in parts)
        and not any(_BARE.fullmatch(p) for p in parts)
    ):
        return parts
    return [question]


def english_amount(figure: str) -> str:
    """An English reading of a Japanese amount: 18億2,700万円 → ¥1.827 billion,
    1万1000人 → 11,000; "" when there is no 億/万 to read."""
    f = re.sub(r"[,\s]", "", nfkc(figure))
    if not re.search(r"[兆億万]", f):
        return ""
    total = 0.0
    rest = f
    for mark, scale in (("兆", 1e12), ("億", 1e8), ("万", 1e4)):
        m = re.match(rf"([0-9.]+){mark}", rest)
        if m:
            total += float(m.group(1)) * scale
            rest = rest[m.end() :]
    m = re.match(r"([0-9.]+)", rest)
    if m:
        total += float(m.group(1))
    yen = "¥" if f.endswith("円") else ""
    if total >= 1e9:
        return f"{yen}{total / 1e9:.4g} billion"
    if total >= 1e6:
        return f"{yen}{total / 1e6:.4g} million"
    return f"{yen}{total:,.0f}"


def english_date(date: str) -> str:
    """令和5年3月 → March 2023; 2024年11月29日 → 29 November 2024; "" when not a year."""
    d = nfkc(date)
    m = re.match(r"(令和|平成|昭和)?([0-9]+|元)年度?(?:([0-9]+)月)?(?:([0-9]+)日)?", d)
    year = written_year(d)
    if not m or year is None:
        return ""
    months = "January February March April May June July August September October November December"
    month = months.split()[int(m.group(3)) - 1] if m.group(3) and 1 <= int(m.group(3)) <= 12 else ""
    parts = [m.group(4) or "", month, str(year)]
    fiscal = "fiscal " if "年度" in d else ""
    return fiscal + " ".join(p for p in parts if p)


_CLAUSE_END = re.compile(r"[、。]|,(?![0-9])|(?<![0-9]),")  # not the comma of 1,000


def _clause_start(sentence: str, at: int) -> int:
    """Where the clause holding ``sentence[at]`` begins: after the last clause end before it."""
    return max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, at)), default=0)


def _script(c: str) -> str:
    """The kind of writing of a character, whose runs make up a Japanese word: kanji,
    hiragana, katakana, or the letters and digits of a name or number."""
    if "\u3041" <= c <= "\u309f":
        return "hiragana"
    if "\u30a0" <= c <= "\u30ff":
        return "katakana"
    if "\u3400" <= c <= "\u9fff" or c in "々〆":
        return "kanji"
    return "alnum" if c.isalnum() else c


def _phrase(sentence: str, start: int, end: int, width: int = 24, reach: int = 8) -> str:
    """The clause of ``sentence`` around [start, end): from the previous 、 or 。 to the next,
    cut to ``width`` characters on each side, a cut that falls inside a run of one kind of
    writing moved out to the run's end (up to ``reach`` more characters), so no word is
    cut in half (「…地域防災計画の修正」, not 「…の修」).

    >>> _phrase("本年、令和６年２月の品川区地域防災計画の修正におきまして、区では", 3, 9)
    '令和６年２月の品川区地域防災計画の修正'
    """
    ends = [m.start() for m in _CLAUSE_END.finditer(sentence)]
    clause_end = min((i for i in ends if i >= end), default=len(sentence))
    clause_start = _clause_start(sentence, start)
    left = max(clause_start, start - width)
    right = min(clause_end, end + width // 2)
    if right < clause_end:  # a cut inside a word: out to the word's end
        kind = _script(sentence[right - 1])
        limit = min(clause_end, right + reach)
        while right < limit and _script(sentence[right]) == kind:
            right += 1
    if left > clause_start:
        kind = _script(sentence[left])
        limit = max(clause_start, left - reach)
        while left > limit and _script(sentence[left - 1]) == kind:
            left -= 1
    return sentence[left:right].strip()


@dataclass(frozen=True)
class Figure:
    """An amount or date found in a sentence: the clause around it, and how it is stated."""

    sentence: int  # index in the sentences searched
    phrase: str  # the clause that holds it, as written (NFKC)
    figure: str  # 18億2,700万円, 令和5年3月
    wanted: bool  # its unit is the one the question asks for (or the question names none)
    topical: bool  # stated as the comment on a topic: 「人口は28万3,630人」
    # the date it is stated for (:func:`_dated`), against the years the question states:
    # 1 the same year, -1 another year, 0 no date on one side or the other
    dated: Literal[-1, 0, 1] = 0
    # the thing it counts where its clause names one as its topic (職員 of 「職員は大体
    # 1万人」); "" when the topic is a measure (金額は, 件数は) or there is none
    subject: str = ""
    # an amount its clause states as a target (「寄附額100億円の目標」, 「1万人を目指す」),
    # not as what was reached
    target: bool = False
    # a date stated as the start or the end of a span (「12月19日まで」: "until"; 「4月1日
    # から」: "from"), else ""
    bound: str = ""


# A span's end and start, as a date is stated (「12月19日まで」, 「4月1日から」) and as a
# question asks (「会期はいつまでか」, 「いつから施行されるのか」, "until when")
# After a date: its span ends there (まで) or starts there (から, or a range's separator:
# 「4月1日～4月30日」); before one, a separator makes it a range's end
_BRACKET = r"\s?(?:\([^)]{1,4}\))?\s?"  # 「12月19日(木)まで」
_RANGE = r"[〜～~\-—－]"
_UNTIL_AFTER = re.compile(rf"{_BRACKET}(?:まで|迄)")
_FROM_AFTER = re.compile(rf"{_BRACKET}(?:から|より(?!も)|{_RANGE})")
_RANGE_BEFORE = re.compile(rf"(?:{_RANGE}|から)\s?$")
_WHEN_WORD = r"(?:いつ|何日|何月|何年度?|何時)"
_UNTIL_ASKED = re.compile(rf"{_WHEN_WORD}まで|\buntil when\b|\bby when\b", re.I)
_FROM_ASKED = re.compile(rf"{_WHEN_WORD}から|\bsince when\b|\bfrom when\b", re.I)


def _bound(s: str, start: int, end: int) -> str:
    """Whether the date at ``s[start:end]`` ends a span ("until": 「12月19日まで」, the second
    date of 「4月1日～4月30日」) or starts one ("from": 「4月1日から」, 「4月1日～」), else "".

    >>> s = "受付期間は4月1日～4月30日"
    >>> _bound(s, 5, 9), _bound(s, 10, 15)
    ('from', 'until')
    """
    if _UNTIL_AFTER.match(s, end) or _RANGE_BEFORE.search(s[max(start - 4, 0) : start]):
        return "until"
    return "from" if _FROM_AFTER.match(s, end) else ""


def asked_bound(question: str) -> str:
    """Whether a when-question asks for a span's end ("until": 「いつまで」) or its start
    ("from": 「いつから」), else "".

    >>> asked_bound("会期はいつまでか"), asked_bound("いつから施行されるのか"), asked_bound("いつか")
    ('until', 'from', '')
    """
    q = nfkc(question)
    return "until" if _UNTIL_ASKED.search(q) else "from" if _FROM_ASKED.search(q) else ""


# A target, and an achievement: council speech keeps them apart (目標 / 実績)
_TARGET = re.compile(r"目標|目指|\b(?:target|goal|aim)s?\b", re.I)
_REACHED = re.compile(r"実績|実際に|\bactual(?:ly)?\b|\bachieved\b", re.I)
_PLAN_ASKED = re.compile(r"計画|見込|予定|想定|見通|\bplan|\bexpect|\bforecast", re.I)
# what was reached, asked by name (実績) or as of now (現在, これまで, so far)
_ACHIEVED = re.compile(
    r"実績|実際に|現在|現時点|これまで|今まで|累計"
    r"|\bactual(?:ly)?\b|\bachieved\b|\bso far\b|\bto date\b|\bcurrent(?:ly)?\b",
    re.I,
)


def _is_target(s: str, start: int, end: int) -> bool:
    """Whether the amount at ``s[start:end]`` is stated as a target: 「寄附額100億円の目標」,
    「目標額は100億円」, 「1万人を目指す」; not one reached against a target (「目標を上回る
    120億円の寄附」).

    >>> s = "目標を上回る120億円の寄附があり、次は150億円の目標に向け"
    >>> _is_target(s, 6, 12), _is_target(s, 20, 26)
    (False, True)
    """
    before, after = s[max(0, start - 10) : start], s[end : end + 6]
    return bool(
        re.search(r"目標(?:額|値)?(?:は|を|として|で)?\s*(?:約|およそ)?$", before)
        or re.match(r"\s*(?:の|を|に)?(?:目標|目指)", after)
    )


def asks_target(question: str) -> bool | None:
    """Whether the question asks for a target (True: 「目標額はいくらか」), for what was
    reached (False: 「寄附実績額はいくらか」), or neither (None).

    >>> asks_target("寄附額の目標は"), asks_target("令和5年度の寄附実績額は"), asks_target("寄附額は")
    (True, False, None)
    >>> asks_target("ふるさと納税の寄附額は現在いくらか")
    False
    >>> asks_target("現在の計画では、令和10年度の利用者数を何人と見込んでいるか") is None
    True
    """
    q = nfkc(question)
    if _TARGET.search(q):
        return True
    # 「現在の計画では…何人と見込んでいるか」 asks a plan as it stands, not what was reached
    now_only = not _REACHED.search(q)
    return None if not _ACHIEVED.search(q) or (now_only and _PLAN_ASKED.search(q)) else False


# A heading or label that names a time (「1 調査期間」, 「日時：」, 「開催日」): the date under
# it or after it is the time of what the document or item is about
_TIME_LABEL = re.compile(
    r"(?:期間|日時|日程|期日|年月日|開催日|実施日|日付|時期|会期)\s*[:：]?\s*$"
)


def labels_a_time(line: str) -> bool:
    """Whether ``line`` is a short heading or label naming a time, whose next words or
    line give it (「1 調査期間」 before 「令和5年8月22日（火）～8月23日（水）」).

    >>> labels_a_time("1 調査期間"), labels_a_time("日時："), labels_a_time("調査の期間は長い")
    (True, True, False)
    """
    line = nfkc(line).strip()
    return len(line) <= 20 and not line.endswith("。") and bool(_TIME_LABEL.search(line))


# What a Japanese when-question asks the date of, or a who-question the doer of: the act its
# verb names, a Sino-Japanese
# noun made a verb by する (施行される, 策定された, 開設したのは, 開館する予定), read by its
# last two kanji (運用開始される → 開始; 全面施行 → 施行), as a passage may name the act on
# its own (「4月から運用を開始」). A native verb (始まる, 開かれる, 立ち上げた) has too many
# wordings to hold a passage to.
_ACT = re.compile(r"([一-龥]{2,})(?:さ(?:れ|せ)|し|す)(?:る|た|て|ま|よう|ない|なかった)")
# A time stated without a date in figures: a relative year, month or season (来年度から,
# 年度内に, 今秋), a day named relative to the text (公布の日, 本日, 翌日), a date in kanji
# numerals (令和七年四月一日), as ordinances and replies state when an act takes effect
_KANJI_NUMBER = "[元〇一二三四五六七八九十]+"
_TIME_WORD = re.compile(
    r"(?:来|今|本|昨|前|翌|次)年度?|年度(?:内|末|中|当初)|年内|(?:来|今|本|翌)月|年明け"
    r"|上半期|下半期|[来今昨本][春夏秋冬]|[春夏秋冬](?:ごろ|頃)|公布の日|施行の日|即日"
    rf"|{_MEETING_DAY.pattern}|{_KANJI_NUMBER}年{_KANJI_NUMBER}月|{_KANJI_NUMBER}月{_KANJI_NUMBER}日"
    r"|[0-9]+月|[0-9]+日"
)


# What may come between an act and a when-question's asking word when the act is the one
# whose time is asked: the act's tail and the noun it qualifies as the question's topic
# (「開庁する時期は、いつか」), or a cleft (「…したのは、いつか」). An act elsewhere before it
# sits in a clause that names the topic (「…で審査された請願では、補助をいつから受けて
# いるのか」, 「建設委員会で報告された、…ライトアップはいつまでの予定か」), not its time.
_ASKED_ACT_GAP = re.compile(
    r"[ぁ-ん]{0,4}(?:[一-龥ァ-ヶー]{1,8}(?:は|が|って)|の(?:は|が))[、,]?\s*"
)
# A clause that sets a who-question's frame, a setting ended by a comma (「…タブレットに
# ついて、」, 「…の案件に関連して、」): its act is not the person's, unlike the acts of the
# clauses that describe them (「…を批判して中止を求めた委員は誰か」)
_FRAME = re.compile(r"(?:では|について|に関して|に関連して|において|で)[、,]")


def asked_event(question: str, kinds: Collection[str] = ("when", "who")) -> str | None:
    """The act a Japanese when-question asks the date of, or a who-question the doer of
    (「誰と会談したのか」 → 会談: :data:`_ACT`), or None: an English question, a question
    asking neither, or one whose verb is not a noun made a verb. The
    act is the question's predicate: its last act when one follows the asking word
    (「いつ、中止した事業を再開するのか」 → 再開), else the last one before it that the
    question is about (「…が改定を勧告したのはいつか」 → 勧告); an act in a clause that only
    names something (「審査された請願」) is not asked about.

    >>> asked_event("横浜市の職員給与条例の改正（市第54号議案）はいつから施行されるのか")
    '施行'
    >>> asked_event("令和5年8月の建設委員会で報告された住宅の募集では、申込書はいつから配布されるか")
    '配布'
    >>> asked_event("いつ、中止した事業を再開するのか"), asked_event("新システムはいつ運用開始されるのか")
    ('再開', '開始')
    >>> asked_event("盛岡市が中核市になったのはいつか") is None
    True
    >>> asked_event("文教委員会で審査された請願では、区からの補助をいつから受けているとされたか") is None
    True
    >>> asked_event("新庁舎が開庁する時期は、いつか"), asked_event("要望書を提出した議員は誰か")
    ('開庁', '提出')
    >>> asked_event("建設委員会で報告された、橋のライトアップはいつまでの予定か") is None
    True
    >>> asked_event("案件に関連して、見直しを尋ねた委員は誰か") is None
    True
    >>> asked_event("大泉市長は誰と会談したのか"), asked_event("市長に要望したのは誰か")
    ('会談', '要望')
    """
    q = without_context(nfkc(question))
    kind = question_type(q)
    if question_language(q) != "ja" or kind not in kinds:
        return None
    asks = [m.start() for m in (_WHEN if kind == "when" else _WHO).finditer(q)]
    acts = list(_ACT.finditer(q))
    if not asks or not acts:
        return None
    after = [m for m in acts if m.start() > asks[-1]]
    frames = [m.end() for m in _FRAME.finditer(q, 0, asks[-1])] if kind == "who" else []
    before = [
        m
        for m in acts
        if m.start() < asks[-1]
        and (
            _ASKED_ACT_GAP.fullmatch(q, m.end(), asks[-1])
            if kind == "when"  # the act of its topic (:data:`_ASKED_ACT_GAP`)
            else not any(m.start() < end for end in frames)  # not in a frame (_FRAME)
        )
    ]
    act = after[-1] if after else before[-1] if before else None
    return act.group(1)[-2:] if act else None


# Nouns of plan or expectation, which state when an act will be (「令和7年1月を予定しており
# ます」), not another act
_PLANNING = frozenset({"予定", "想定", "計画", "見込"})


def names_other_act(sentence: str, act: str) -> bool:
    """Whether ``sentence`` names an act other than ``act`` (「本年1月1日に発生した地震」:
    発生), plans and expectations aside.

    >>> names_other_act("本年1月1日に発生した地震では", "開始"), names_other_act("令和7年1月を予定しております", "開始")
    (True, False)
    """
    return any(
        (a := m.group(1)[-2:]) != act and a not in _PLANNING for m in _ACT.finditer(nfkc(sentence))
    )


def states_time(sentence: str) -> bool:
    """Whether ``sentence`` states a time: a date (4月, 令和7年, 12日, 令和七年四月一日) or a
    time word (来年度, 年内, 今秋, 公布の日).

    >>> [states_time(s) for s in ("来年度から施行します", "この条例は、公布の日から施行する",
    ...     "令和七年四月一日から施行する", "来春の開館を予定", "条例を施行します")]
    [True, True, True, True, False]
    """
    s = nfkc(sentence)
    return bool(_DATE.search(s) or _TIME_WORD.search(s))


def figures(
    question: str, sentences: Sequence[str], kind: str, years: Collection[int] = ()
) -> list[Figure]:
    """Every amount (``kind`` ``amount``) or date (``when``) in ``sentences``, in order.
    A figure is dated against the years the question writes (令和4年度) and ``years``, those
    read from it otherwise (an English question's "fiscal 2022": :mod:`rag.understanding`).
    Counts the question asks for without a counter (いくつ) may be bare numbers. A figure
    the question states itself (令和6年 in 「令和6年第4回定例会の会期はいつまでか」) is the
    question's context, not its answer, and is left out.

    >>> [f.figure for f in figures("令和6年の会期はいつまでか", ["令和6年の会期は12月19日まで"], "when")]
    ['12月19日']
    >>> [(f.figure, f.wanted) for f in figures("いくつの県と市で実施されるか",
    ...     ["全国を6ブロックに分けて", "36の県と市で実施"], "amount")]
    [('6', False), ('36', True)]
    >>> [(f.figure, f.wanted) for f in figures("いくつの学校で導入したか",
    ...     ["12校で導入し、職員は30人"], "amount")]
    [('12校', True), ('30人', False)]
    >>> [(f.figure, f.wanted) for f in figures("いくつの事業所が参加したか",
    ...     ["5つの事業所が参加"], "amount")]
    [('5', True)]
    """
    q = nfkc(question).lower()
    stated = _stated(question, kind)
    wanted = asked_units(question) if kind == "amount" else set()  # a date has no unit
    counted = _COUNTED.search(nfkc(question))  # いくつの県と市: a count of 県 is wanted
    asks_number = bool(_IKUTSU.search(q))
    noun = counted.group(1) if counted else ""
    years = {y for d in _stated(question, "when") if (y := written_year(d))} | set(years)
    out = []
    for i, raw in enumerate(sentences):
        s = nfkc(raw)
        if kind == "amount":
            matches = [(m, m.group("unit")) for m in _AMOUNT_FIGURE.finditer(s)]
            if noun:  # 「36の県と市」, 「5つの事業所」: a count of the noun without a counter
                taken = [range(m.start(), m.end()) for m, _ in matches]
                matches += [
                    (m, noun)
                    for m in _BARE_COUNT.finditer(s)
                    if re.match(rf"\s?つ?の?\s?{re.escape(noun[0])}", s[m.end() :], re.I)
                    and not any(m.start() in r for r in taken)
                ]
            if not matches and (asks_number or re.search(r"\bhow many\b", q)):
                matches = [(m, "") for m in _BARE_COUNT.finditer(s)]
        else:
            dated = _TIME if _ASKS_TIME.search(q) else _DATE
            matches = [(m, "") for m in dated.finditer(s)]
        for m, unit in matches:
            # a number asked with いくつ may be written bare (「自殺率は…16.5と上昇」): a
            # rate per head has no unit to write
            asked = not wanted or _SAME_UNIT.get(unit, unit) in wanted or (not unit and asks_number)
            if noun:  # a counter of the noun (校 of 学校, 施設) or the noun itself
                asked = bool(unit) and unit.lower() in noun.lower()
            if re.sub(r"[\s,]", "", m.group()) in stated:
                continue
            if unit == "度" and not _PER_PERIOD.search(s[: m.start()]):
                continue
            if kind == "when" and _names_meeting(m.group().strip(), s, m.end()):
                continue  # 「令和6年第1回定例会」, 「2月定例会」: a meeting's name, no date
            topic = _TOPIC_BEFORE.search(s[: m.start()])
            out.append(
                Figure(
                    i,
                    _phrase(s, m.start(), m.end()),
                    m.group().strip(),
                    asked,
                    bool(topic),
                    _dated(years, s, m.start(), m.end()) if kind == "amount" else 0,
                    _counted_subject(
                        topic.group("subject"),
                        s[topic.start() - 1 : topic.start()].isdigit(),
                    )
                    if topic
                    else "",
                    kind == "amount" and _is_target(s, m.start(), m.end()),
                    "" if kind == "amount" else _bound(s, m.start(), m.end()),
                )
            )
    return out


# a year alone that names a meeting (「令和6年第1回函館市議会定例会」, 「2024年第4回定例会」);
# a date written before the meeting's name (「令和6年2月20日 第1回臨時会」) is its date
_YEAR_ONLY = re.compile(r"(?:(?:令和|平成|昭和)(?:[0-9]+|元)|[0-9]{4})年")
_MEETING_NAMED = re.compile(
    r"\s*第\s*[0-9０-９一二三四五六七八九十]+\s*回\s*\S{0,12}?(?:定例会|臨時会|定例議会|臨時議会)"
)
# a month alone that names a meeting (「２月定例会」, 「9月議会」)
_MONTH_ONLY = re.compile(r"[0-9]+月")
_MONTH_NAMED = re.compile(r"\s*(?:定例会|臨時会|定例議会|臨時議会|議会)")


def _names_meeting(figure: str, s: str, end: int) -> bool:
    """Whether a date figure, a year or a month alone, is part of a meeting's name rather
    than a date: 「令和6年第1回定例会」, 「２月定例会」 (not 「令和6年2月20日 第1回臨時会」).

    >>> _names_meeting("令和6年", "令和6年第1回定例会", 4), _names_meeting("2月", "2月定例会", 2)
    (True, True)
    >>> _names_meeting("2月", "2月に開会", 2)
    False
    """
    if _YEAR_ONLY.fullmatch(figure):
        return bool(_MEETING_NAMED.match(s, end))
    return bool(_MONTH_ONLY.fullmatch(figure) and _MONTH_NAMED.match(s, end))


# 「人口は28万3,630人」, 「職員は大体1万人」: the figure is the comment on the topic before は/が
_TOPIC_BEFORE = re.compile(
    r"(?P<subject>[\u3400-\u9fff々ァ-ヶーA-Za-z]*)(は|が)"
    r"(約|およそ|概ね|おおむね|大体|だいたい|全体で|全部で|合計で?)?\s?$"
)
# a topic that names a measure (金額, 件数, 総額, 人数), not a thing counted: 「金額は5,000万円」
_MEASURE = re.compile(r"[額数計費料率量高]$")


# a topic that says when or where, not what is counted: 「令和5年度は220人」, 「本市は」,
# 「現在は」, 「利用した方は」
_SETTING = re.compile(
    r"(?:年度|年|月|日|時点|現在|今回|前回|今年|昨年|本市|本区|本町|本村|当市|当区|全体|方)$"
)


def _counted_subject(topic: str, glued: bool = False) -> str:
    """The thing a figure stated on ``topic`` counts (職員 of 「職員は大体1万人」), or "" when
    the topic names the measure itself (金額, 件数, 職員数), a time or a place (令和5年度,
    本市), or nothing; ``glued``: the topic's word runs on from a number before it (5年度)."""
    if not topic or glued or _MEASURE.search(topic) or _SETTING.search(topic):
        return ""
    return topic


def _dated(years: set[int], s: str, start: int, end: int) -> Literal[-1, 0, 1]:
    """Whether the figure at ``s[start:end]`` is of a year the question asks about (1), of
    another (-1), or cannot be told (0). Its date is one written in brackets right after it
    (「954人（令和5年度）」), else the last one before it in its clause, else in its sentence;
    a 前年/昨年 between that date and the figure makes it another year's (「令和5年度は954人で、
    前年度の1,020人から」). A range (「令和元年度から令和5年度までの」) counts by its last year."""
    if not years:
        return 0
    after = re.match(rf"\s?[(（]({_DATE.pattern})[)）]", s[end:])
    if after:
        year = written_year(after.group(1))
        return 0 if year is None else (1 if year in years else -1)
    clause = _clause_start(s, start)
    for since in (clause, 0):
        dated = [
            (d.end(), y) for d in _DATE.finditer(s, since, start) if (y := written_year(d.group()))
        ]
        if dated:
            at, year = dated[-1]
            if re.search(r"前年|昨年|前回", s[at:start]):
                return -1
            return 1 if year in years else -1
    return 0


def amount_phrase(question: str, sentences: Sequence[str]) -> tuple[int, str, str] | None:
    """(index of the sentence, phrase, figure) of the first amount in ``sentences`` whose
    unit is the one the question asks for (any unit when it names none)."""
    found = sorted(figures(question, sentences, "amount"), key=lambda f: not f.wanted)
    return (found[0].sentence, found[0].phrase, found[0].figure) if found else None


def date_phrase(sentences: Sequence[str]) -> tuple[int, str, str] | None:
    """(index of the sentence, phrase, date) of the first date in ``sentences``."""
    found = figures("", sentences, "when")
    return (found[0].sentence, found[0].phrase, found[0].figure) if found else None


# Said by whoever spoke, member or official (市政執行方針を述べたのは誰か)
_SAYER = re.compile(
    r"述べ|表明|語っ|報告(?!書)|\b(said|says|stated?|told|reported|announced|delivered)\b", re.I
)


def _nearest_verb(q: str, asks: re.Pattern[str]) -> str | None:
    """``asked``, ``answered`` or ``said`` (either side): the verb nearest the question
    word, the last in Japanese (…答弁したのは誰), the first in English (who answered …);
    None when there is none."""
    cues = [(m.start(), "asked") for m in asks.finditer(q)]
    cues += [(m.start(), "answered") for m in _ANSWERER.finditer(q)]
    cues += [(m.start(), "said") for m in _SAYER.finditer(q)]
    cues.sort()
    if not cues:
        return None
    return (cues[-1] if question_language(q) == "ja" else cues[0])[1]


def speaker_said(question: str) -> bool:
    """Whether a who-question asks who said something (質問した, 答弁した, who asked):
    a speaker answers it, not a list of people."""
    return _nearest_verb(nfkc(question), _ASKER) is not None


def speaker_asked(question: str) -> str | None:
    """Whether a who-question asks who ``asked`` (raised, pointed out, spoke for a party),
    who ``answered`` or who ``said`` something (述べた, either side), by the verb nearest
    its question word; ``asked`` when it asks for a member (問題提起した委員は誰か,
    述べた議員: whoever spoke in the member's turn, whatever the verb) unless it names them
    to a post (副委員長に選任された委員), or for a party; None when it asks for someone the
    text names (指名, 選任)."""
    q = nfkc(question)
    verb = _nearest_verb(q, _ASKER)
    if verb and verb != "said":
        return verb
    if _MEMBER_WHO.search(q):
        return None if _NAMED.search(q) and not verb else "asked"
    if re.search(r"党|会派|party", q, re.I):
        return "asked"
    return verb


_TURN_OF = {"asked": "member", "answered": "official"}  # whose turn says what was asked


# Who attended a sitting, was absent or attended to explain: the roll in a minutes' header
_ROLL = re.compile(r"出席|欠席|説明員|\b(attend(ed|s|ance)?|absent|absence)\b", re.I)


def asks_roll(question: str) -> bool:
    """Whether a who or how-many question asks about a sitting's roll (出席した議員は何人か,
    欠席したのは誰か, "which members were absent"), which the minutes' header lists.

    >>> asks_roll("本会議を欠席した議員は誰か"), asks_roll("出席した市長は何を述べたか")
    (True, False)
    """
    return question_type(question) in ("who", "amount") and bool(_ROLL.search(nfkc(question)))


def wanted_speaker(question: str) -> str | None:
    """Whose turn answers ``question`` (a :class:`rag.schema.Person` category): ``member``
    when it asks who asked, or what a member asked for, raised or pointed out; ``official``
    when it asks who answered, or for what the executive states (how much, when, why, how,
    whether, what) and nothing was asked for; None for decisions, for someone the text
    names (指名, 選任), and for something asked for by someone it does not name.

    >>> wanted_speaker("市第54号議案について質疑したのは誰か"), wanted_speaker("補正額はいくらか")
    ('member', 'official')
    """
    kind = question_type(question)
    if kind == "decision":
        return None
    if kind == "who":
        return _TURN_OF.get(speaker_asked(question) or "")
    q = nfkc(question)
    verb = _nearest_verb(q, _ASKS_FOR)
    if verb == "answered":  # 議員の質問に対し、市はどう答弁したか
        return "official"
    if _MEMBER.search(q):  # 議員が求めたこと, 反対した会派はどこか
        return "member"
    # asked for by someone the question does not name (市は国に何を求めているか, what did
    # residents ask for): neither side is preferred
    return None if verb == "asked" else "official"


def who_from(question: str, meta: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The person a who-question asks for, from a passage's speakers: the questioner when
    it asks who asked, raised or pointed out; the official who answered when it asks who
    answered. None when the question asks for neither (someone named in the text)."""
    verb = speaker_asked(question)
    if verb == "answered":
        people = list(meta.get("answerers") or [])
    elif verb == "asked":
        people = [meta.get("questioner") or {}]
    else:
        return None
    return next((p for p in people if p and (p.get("name") or p.get("role"))), None)


def person_line(person: Mapping[str, Any], lang: str) -> str:
    """白井正子（日本共産党） / 白井正子 (member, 日本共産党); a speaker the minutes label by
    post alone (◯副委員長) is that post: 副委員長 / 副委員長 (member).

    >>> person_line({"role": "副委員長", "category": "member"}, "en")
    '副委員長 (member)'
    """
    name = str(person.get("name") or "")
    role = str(person.get("role") or "")
    party = str(person.get("party") or "")
    if not name:
        name, role = role, ""
    if lang == "ja":
        extra = "、".join(x for x in (role, party) if x)
        return f"{name}（{extra}）" if extra else name
    extra = ", ".join(x for x in (str(person.get("category") or ""), role, party) if x)
    return f"{name} ({extra})" if extra else name


def names_an_item(question: str) -> bool:
    """Whether the question names an item by its number (市第54号議案, bill 54)."""
    return bool(_item_numbers(nfkc(question)))


# What a council votes on, named in a question: those items, budgets, accounts, ordinances
_VOTED_ON = re.compile(rf"{_ITEMS_JA}|予算|決算|条例|\b(?:{_ITEMS_EN}|budget|ordinance)s?\b", re.I)


def asks_council_decision(question: str) -> bool:
    """Whether a decision question asks how a council decided something it votes on: an
    item named by its number, or a bill, petition, motion, budget or ordinance; not
    "How many years have passed since …" nor "Which measures has the ward adopted?".

    >>> asks_council_decision("陳情は採択されたのか"), asks_council_decision("Which measures were adopted?")
    (True, False)
    """
    q = nfkc(question)
    return question_type(q) == "decision" and (names_an_item(q) or bool(_VOTED_ON.search(q)))


def matching_decision(
    question: str, metas: Sequence[Mapping[str, Any]], by_title: bool = False
) -> tuple[int, Mapping[str, Any]] | None:
    """(index of the passage, decision) for the item the question names (by number, such as
    市第54号議案), else the first decision whose title shares the question's words: the
    plenary's, or first a committee's recommendation when the question asks for the
    committee's result (委員会の審査結果). ``by_title``: only a decision whose title the
    question names (:func:`names_title`), in the same order."""
    q = nfkc(question)
    order = ("decisions", "committee_decisions")
    if _COMMITTEE_ASKED.search(q):  # a committee's result asked: its recommendation first
        order = order[::-1]
    if by_title:
        for key in order:
            for i, meta in enumerate(metas):
                for d in meta.get(key) or []:
                    if names_title(q, str(d.get("title") or "")):
                        return i, d
        return None
    items = _item_numbers(q)
    for key in order:
        for i, meta in enumerate(metas):
            for d in meta.get(key) or []:
                if items and str(d.get("number")) in items:
                    return i, d
                title = nfkc(d.get("title") or "")
                if not items and title and _shares_words(q, title):
                    return i, d
    return None


_COMMITTEE_ASKED = re.compile(
    r"委員会(?:の|で|は|が)(?:審査|審議|報告|結論|判断|決定)"
    r"|委員会.{0,30}(?:審査|審議)(?:結果|の結果)"
    r"|\bcommittee\b.{0,60}\b(?:recommend|conclu|decide|decision|review|report)",
    re.I,
)


# The generic tail of an item's title, which most bills share (「…の一部を改正する条例」),
# and the municipality that opens it (「横浜市一般職職員の…」): neither names the item
_TITLE_TAIL = re.compile(
    r"(?:等?の一部を改正する(?:条例|規則|規程)|等?の一部改正|を改正する条例|の制定(?:について)?"
    r"|について)$"
)
_TITLE_PLACE = re.compile(r"^\S{1,5}?[市区町村](?=\S{6,})")


def names_title(question: str, title: str) -> bool:
    """Whether the question names an item by its title: it holds the title whole, or what
    names it, less the tail every amending bill shares and the municipality that opens it
    (「一般職職員の給与に関する条例」 of 「横浜市一般職職員の給与に関する条例等の一部改正」).
    Another bill with the same tail (函館市税条例 / 函館市手数料条例 「の一部を改正する条例」)
    or another number (補正予算（第2号） / （第3号）) is not named.

    >>> names_title("一般職職員の給与に関する条例の改正は可決されたか",
    ...     "横浜市一般職職員の給与に関する条例等の一部改正")
    True
    >>> names_title("函館市手数料条例の一部を改正する条例は可決されたか",
    ...     "函館市税条例の一部を改正する条例")
    False
    """
    q, t = nfkc(question), nfkc(title)
    if len(t) >= 4 and t in q:
        return True
    head = _TITLE_PLACE.sub("", _TITLE_TAIL.sub("", t))
    return len(head) >= 6 and head in q


def _shares_words(question: str, title: str) -> bool:
    """Whether a run of four or more characters of the title occurs in the question."""
    return any(title[i : i + 4] in question for i in range(max(len(title) - 3, 0)))


def decision_line(d: Mapping[str, Any], lang: str, committee: bool = False) -> str:
    """市第54号議案（…の一部改正）：可決（電子表決、総数81、賛成72、反対9）, or in English
    市第54号議案 (…): passed by electronic vote (総数81、賛成72、反対9); a ``committee``'s
    recommendation says so (委員会の報告：…, Committee: …)."""
    if committee:
        line = decision_line(d, lang)
        return f"委員会の報告：{line}" if lang == "ja" else f"Committee: {line}"
    item = str(d.get("item") or "")
    title = str(d.get("title") or "")
    result = str(d.get("result") or "")
    method = str(d.get("method") or "")
    tally = str(d.get("tally") or "")
    if lang == "ja":
        how = "、".join(x for x in (method, tally) if x)
        head = f"{item}（{title}）" if title else item
        return f"{head}：{result}" + (f"（{how}）" if how else "")
    head = f"{item} ({title})" if title else item
    line = f"{head}: {RESULT_EN.get(result, result)}"
    if method:
        line += " " + METHOD_EN.get(method, method)
    if tally:
        line += f" ({tally})"
    return line


def names_decided_item(question: str, meta: Mapping[str, Any]) -> bool:
    """Whether a passage records the decision on an item the question names by number
    (市第54号議案, bill 54): for retrieval to lift the passage that holds the result.

    >>> names_decided_item("市第54号議案は可決されたか", {"decisions": [{"number": 54}]})
    True
    """
    items = _item_numbers(nfkc(question))
    decided = list(meta.get("decisions") or []) + list(meta.get("committee_decisions") or [])
    return bool(items) and any(str(d.get("number")) in items for d in decided)


def _item_numbers(question: str) -> set[str]:
    """Numbers of the bills, petitions and motions a question names."""
    items = {re.sub(r"\D", "", m.group()) for m in _ITEM.finditer(question)}
    return items | {m.group(1) for m in _ITEM_EN.finditer(question)}
