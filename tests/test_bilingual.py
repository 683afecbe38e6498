"""The English -> Japanese term list: built from glosses (unit, and from the real JMdict)."""

from __future__ import annotations

from collections.abc import Callable

from rag.bilingual import (
    DocumentTranslation,
    Entry,
    Lexicon,
    build,
    council_glossary,
    jmdict_entries,
    jmdict_glosses,
    segments,
    term_glosses,
)
from rag.bm25 import BM25
from rag.tokenizing import Tokenizer, english_stop_words

TOKENS = Tokenizer("surface")


def fake_entries(known: Callable[[str], bool]) -> list[Entry]:
    table = [
        Entry(("費用",), True, (("cost", "expense"),), ("ひよう",)),
        Entry(("保育園",), True, (("nursery school", "day nursery"),), ("ほいくえん",)),
        Entry(("待機児童",), False, (("child on waiting list (kindergarten, school, etc.)",),)),
        Entry(("職員",), True, (("staff member", "personnel"),), ("しょくいん",)),
        Entry(
            ("議会",),
            True,
            (
                ("assembly", "council"),
                ("a body of elected members that deliberates on the budget of a city",),
            ),
        ),
        Entry(("区",), True, (("ward", "district"),)),
        Entry(("病棟",), True, (("(hospital) ward",),)),
        Entry(("地区",), True, (("area",), ("district",))),
        Entry(("区域",), True, (("district", "area"),)),
        Entry(("多数",), True, (("many", "third party"),)),
        Entry(("区画",), False, (("district",),)),
        Entry(("補聴器",), True, (("hearing aid",),), ("ほちょうき",)),
        Entry(("一時保護",), False, (("temporary protection",),), ("いちじほご",)),
        Entry(("中学校",), True, (("junior high school", "middle school"),), ("ちゅうがっこう",)),
        Entry(("小学校",), True, (("elementary school", "primary school"),), ("しょうがっこう",)),
        Entry(("初歩的",), False, (("elementary", "rudimentary"),)),
        Entry(("定期的",), True, (("regular", "periodic"),)),
        Entry(("質問",), True, (("question", "to ask"),)),
        Entry(("よくある質問",), False, (("frequently asked questions",),)),
        Entry(("提出",), True, (("submission", "to submit"),)),
        Entry(("申請",), True, (("application", "to apply"),)),
    ]
    out = []
    for e in table:
        heads = tuple(h for h in e.heads if known(h))
        if heads:
            out.append(Entry(heads, e.common, e.senses, e.readings))
    return out


VOCAB = [
    *[
        "費用",
        "保育園",
        "待機",
        "児童",
        "職員",
        "議会",
        "区",
        "病棟",
        "補聴",
        "器",
        "一時",
        "保護",
        "地区",
        "区域",
        "多数",
        "区画",
        "中学",
        "校",
        "学校",
        "小",
        "初歩",
        "的",
        "定期",
        "質問",
        "よく",
        "ある",
        "提出",
        "申請",
    ]
]


def test_whole_glosses_outrank_words_inside_longer_ones() -> None:
    lex = build([*VOCAB, "cost"], TOKENS, fake_entries)
    assert lex.terms["cost"] == [("費用", 1.0)]  # English words of the vocabulary look up nothing
    assert lex.terms["nursery school"][0] == ("保育園", 1.0)
    assert lex.terms["staff"][0][0] == "職員" and lex.terms["staff"][0][1] < 1.0
    assert "budget" not in lex.terms  # a definition, not a translation
    assert lex.expand(TOKENS("How much did nursery schools cost the staff?")) == [
        "保育園",
        "費用",
        "職員",
    ]


def test_compounds_the_index_holds_in_parts_are_translations() -> None:
    lex = build(VOCAB, TOKENS, fake_entries)
    assert lex.terms["hearing aid"] == [("補聴器", 1.0)]  # held as 補聴 + 器
    assert segments("補聴器", VOCAB) == ["補聴", "器"]
    assert segments("一時保護", VOCAB) == ["一時", "保護"]
    assert segments("補聴器具", VOCAB) is None  # 具 is not in the index


def test_common_words_first_senses_and_plain_glosses_lead() -> None:
    lex = build(VOCAB, TOKENS, fake_entries, frequency=lambda w: {"区域": 9, "区画": 99}.get(w, 0))
    assert lex.terms["ward"] == [("区", 1.0), ("病棟", 0.5)]  # "(hospital) ward" is qualified
    # a later sense (地区) and an uncommon word (区画) weigh half; among equals the term the
    # index uses more comes first
    assert lex.terms["district"] == [("区域", 1.0), ("区", 1.0), ("区画", 0.5), ("地区", 0.5)]
    assert lex.terms["council"][0] == ("議会", 1.0)


def test_the_stop_list_is_one_list_with_numbers_and_content_words_kept() -> None:
    from rag.tokenizing import _EN_STOP, english_stop_words

    stop = english_stop_words()
    assert stop >= _EN_STOP and {"many", "much", "how", "s"} <= stop
    assert not {"bill", "fire", "system", "third", "first", "last", "hundred"} & stop
    lex = build(VOCAB, TOKENS, fake_entries)
    assert "many" not in lex.terms and "third party" in lex.terms


def test_a_cut_that_can_still_grow_is_kept() -> None:
    # cb+b cannot take c (two one-character pieces), cc+bb can
    assert segments("ccbbc", {"bb", "c", "cb", "cbb", "cc"}) == ["cc", "bb", "c"]


def test_romanised_readings_are_units_but_not_english() -> None:
    lex = build(VOCAB, TOKENS, fake_entries)
    assert lex.terms["hochoki"] == [("補聴器", 1.0)]  # ほちょうき, long vowel folded
    assert "hiyo" in lex.terms and lex.terms["hiyo"][0][0] == "費用"
    assert "ku" not in lex.terms  # too short to tell from English
    # a romanised compound typed as two words is found as one
    assert lex.weighted_units(["ichiji", "hogo"]) == [("ichijihogo", [("一時保護", 0.5)])]
    assert lex.cut("一時保護") == ("一時", "保護") and lex.cut("費用") == ("費用",)


def test_saved_and_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lex = build(VOCAB, TOKENS, fake_entries)
    assert lex.cuts and len(lex.terms) > 10 and lex.glosses["費用"]
    lex.save(tmp_path / "lexicon.json")
    assert Lexicon.load(tmp_path / "lexicon.json") == lex
    assert Lexicon.load(tmp_path / "missing.json") is None


def test_each_index_term_is_glossed_by_its_first_senses_and_the_council_names() -> None:
    entries = [
        Entry(("人事",), True, (("personnel affairs",), ("human affairs",), ("unused",))),
        Entry(("課",), True, (("lesson",), ("section", "division"))),
        Entry(("区",), False, (("ward",),)),  # a single kanji, not an everyday word
        Entry(("人事異動",), True, (("personnel reshuffle",),)),  # not one BM25 term
        Entry(("費用",), True, (("cost (2 km)", "a sum of money paid for goods bought or made"),)),
    ]
    glosses = term_glosses(
        entries, {"人事", "課", "区", "費用", "議会"}, TOKENS, {"city council": ("議会",)}
    )
    stem = {w: TOKENS(w)[0] for w in ("personnel", "affairs", "human", "division", "lesson")}
    assert dict(glosses["人事"]) == {
        stem["personnel"]: 1.0,
        stem["affairs"]: 1.0,
        stem["human"]: 0.5,  # the second sense at half, the third not read
    }
    # an everyday single kanji by both senses: 課 is "lesson" first, "division" second
    assert dict(glosses["課"])[stem["division"]] == 0.5 and dict(glosses["課"])[stem["lesson"]] == 1
    assert "区" not in glosses and "人事異動" not in glosses
    assert [w for w, _ in glosses["費用"]] == [TOKENS("cost")[0]]  # no number, no definition
    assert {w for w, _ in glosses["議会"]} == {TOKENS("city")[0], TOKENS("council")[0]}


def test_passages_put_into_english_find_a_translation_the_query_side_leaves_out() -> None:
    """「人事課」 is found for "personnel division" through 課's gloss, though "division"
    translates to four other terms first; a word glossing nothing scores nothing."""
    docs = [
        ["人事", "課", "要望"],
        ["分野", "採決"],
        ["人事", "評価", "評価"],
        ["課"],
        ["予算"],
        ["公園"],
    ]
    bm = BM25.build(docs)
    lex = Lexicon(
        {"division": [("部", 1.0), ("採決", 1.0), ("分野", 1.0), ("分け", 1.0)]},
        glosses={
            "人事": [("personnel", 1.0)],
            "評価": [("evaluation", 1.0)],
            "課": [("division", 1.0), ("section", 1.0)],
            "分野": [("field", 1.0), ("division", 0.5)],
            "採決": [("vote", 1.0), ("division", 0.5)],
        },
    )
    scores = DocumentTranslation(bm, lex).scores(["personnel", "division", "personnel"])
    assert int(scores.argmax()) == 0 and scores[0] > scores[2] > 0 and scores[3] > 0
    assert not DocumentTranslation(bm, lex).scores(["zebra"]).any()
    assert not DocumentTranslation(bm, Lexicon()).scores(["personnel"]).any()


def test_the_packaged_jmdict_translates_council_words() -> None:
    (aid,) = jmdict_entries(lambda w: w == "補助")  # senses in the dictionary's order
    assert aid.common and aid.readings == ("ほじょ",)
    assert "assistance" in aid.senses[0] and "subsidy" in aid.senses[1]
    found = jmdict_glosses(["予算", "条例", "保育園", "存在しない語"])
    assert "budget" in found["予算"] and "ordinance" in found["条例"]
    assert "存在しない語" not in found


def test_three_word_glosses_coordination_and_adverbs() -> None:
    """ "junior high school" is one unit; "elementary and junior high schools" shares the
    head noun (elementary school, not 初歩的); an adverb in -ly the list lacks is read as
    its adjective."""
    lex = build(VOCAB, TOKENS, fake_entries)
    assert lex.terms["junior high school"][0] == ("中学校", 1.0)
    units = lex.units(TOKENS("Do staff visit the elementary and junior high schools?"))
    assert ("elementary school", ["小学校"]) in units
    assert ("junior high school", ["中学校"]) in units
    assert all(u != "elementary" for u, _ in units)
    assert lex.units(TOKENS("Is it checked regularly?")) == [("regular", ["定期的"])]
    [(unit, terms)] = lex.units(TOKENS("an elementary mistake"))  # no head to share
    assert unit == "elementary" and terms[0] == "初歩的"


def test_verbs_in_ed_and_ing_are_read_as_the_verb_they_inflect() -> None:
    """ "asked" is in the list only as a word of "frequently asked questions"; the verb it
    inflects translates it better. Doubled consonants and -ied are undone."""
    lex = build(VOCAB, TOKENS, fake_entries)
    assert lex.terms["asked"][0][1] < 1.0  # the list does hold "asked", weakly
    assert lex.units(TOKENS("Who asked")) == [("ask", ["質問"])]
    assert lex.units(TOKENS("submitted")) == [("submit", ["提出"])]
    assert lex.units(TOKENS("applied")) == [("apply", ["申請"])]
    assert lex.units(TOKENS("submitting")) == [("submit", ["提出"])]
    assert lex.units(TOKENS("held")) == []  # no "hold" in this list to read it as


def test_irregular_pasts_are_read_as_their_verb_and_dates_and_numbers_not_translated() -> None:
    """ "held" is "hold" (開催); a month and a number are read as written, never translated
    (JMdict's "January" is 正月, the New Year; "2 km" would make "2" キロ)."""
    table = [
        Entry(("開催",), True, (("holding (a meeting)", "to hold"),)),
        Entry(("正月",), True, (("January", "New Year"),)),
        Entry(("ノーベンバー",), False, (("November",),)),
        Entry(("キロ",), True, (("2 km", "kilo"),)),
    ]

    def entries(known: Callable[[str], bool]) -> list[Entry]:
        return [e for e in table if any(known(h) for h in e.heads)]

    lex = build(["開催", "正月", "ノーベンバー", "キロ"], TOKENS, entries)
    assert lex.units(TOKENS("held")) == [("hold", ["開催"])]
    assert lex.units(TOKENS("January New Year")) == [("new year", ["正月"])]
    assert lex.units(TOKENS("November 2")) == []
    assert lex.units(TOKENS("kilo")) == [("kilo", ["キロ"])]


def test_a_past_form_is_searched_as_its_verb_and_as_the_adjective() -> None:
    """In a question "used" may be the verb's (利用: which member used …) or the
    adjective's (中古, a used car), which JMdict glosses at full weight; "based" is mostly
    the adjective's (基づく), its verb's first sense a noun (拠点). Both senses are
    searched, in turn. A word in -ed whose verb the list lacks keeps its own translation
    (hundred, whose "hundre" is no word)."""
    table = [
        Entry(("利用",), True, (("use", "utilization"),)),
        Entry(("中古",), True, (("used", "second-hand"),)),
        Entry(("基づく",), True, (("based",), ("to be based on",))),
        Entry(("拠点",), True, (("base", "foothold"),)),
        Entry(("支払い",), True, (("payment", "to pay"),)),
        Entry(("百",), True, (("hundred",),)),
    ]

    def entries(known: Callable[[str], bool]) -> list[Entry]:
        return [e for e in table if any(known(h) for h in e.heads)]

    lex = build(["利用", "中古", "基づく", "拠点", "支払い", "百"], TOKENS, entries)
    assert lex.units(TOKENS("Which member used it")) == [("used", ["中古", "利用"])]
    assert lex.units(TOKENS("based on the plan"))[0] == ("based", ["基づく", "拠点"])
    assert lex.units(TOKENS("subsidies paid")) == [("pay", ["支払い"])]  # "paid" has none
    assert lex.units(TOKENS("hundred")) == [("hundred", ["百"])]


def test_no_silent_e_is_guessed_where_english_never_writes_one() -> None:
    """ "watched" is watch, though the list holds "watche" (the stem of "pair watches",
    ペアウォッチ); "handed" is hand, though it holds "hande" (ハンデ read aloud); a stop word
    in the plural form a query's tokens take ("themselves") is not translated."""
    table = [
        Entry(("時計",), True, (("watch", "clock"),)),
        Entry(("ペアウォッチ",), False, (("pair watches",),)),
        Entry(("手",), True, (("hand",),)),
        Entry(("ハンデ",), True, (("handicap",),), ("ハンデ",)),
        Entry(("本人",), True, (("themselves", "the person himself"),)),
    ]

    def entries(known: Callable[[str], bool]) -> list[Entry]:
        return [e for e in table if any(known(h) for h in e.heads)]

    lex = build(["時計", "ペア", "ウォッチ", "手", "ハンデ", "本人"], TOKENS, entries)
    assert "watche" in lex.terms and "hande" in lex.terms  # the artefacts are there
    assert lex.units(TOKENS("watched")) == [("watch", ["時計"])]
    assert lex.units(TOKENS("handed")) == [("hand", ["手"])]
    assert lex.units([t for t in TOKENS("themselves") if t not in english_stop_words()]) == []


def test_a_word_with_a_translation_of_its_own_is_not_read_as_another() -> None:
    """The silent e comes before the bare stem (rated: rate, not rat); a word the list
    translates whole keeps its own translation (hearing is not hear); a doubled l is undone
    (cancelled); a participle used as a preposition (according to) translates to nothing."""
    table = [
        Entry(("料金",), True, (("rate", "charge"),)),
        Entry(("ネズミ",), True, (("rat",),)),
        Entry(("公聴会",), True, (("hearing", "public hearing"),)),
        Entry(("聞く",), True, (("to hear",),)),
        Entry(("中止",), True, (("cancellation", "to cancel"),)),
        Entry(("雨天中止",), False, (("cancelled because of rain",),)),
    ]

    def entries(known: Callable[[str], bool]) -> list[Entry]:
        return [e for e in table if any(known(h) for h in e.heads)]

    vocab = ["料金", "ネズミ", "公聴会", "聞く", "中止", "雨天"]
    lex = build(vocab, TOKENS, entries)
    assert lex.units(TOKENS("rated")) == [("rate", ["料金"])]
    assert lex.units(TOKENS("hearing")) == [("hearing", ["公聴会"])]
    assert lex.units(TOKENS("cancelled")) == [("cancel", ["中止"])]
    assert "according" in english_stop_words()  # a query's words are filtered by it first


def test_council_terms_lead_where_the_dictionary_lacks_the_council_sense() -> None:
    """JMdict has no "member" for 議員: the council glossary puts the index's own council
    words first, at weight 1, and leaves out those the index does not hold (委員 here)."""
    glossary = {"member": ["議員", "委員"], "ward": ["区"], "staff member": ["職員"]}
    lex = build([*VOCAB, "議員"], TOKENS, fake_entries, glossary=glossary)
    assert lex.terms["member"][0] == ("議員", 1.0)
    assert all(t != "委員" for t, _ in lex.terms["member"])
    assert lex.terms["ward"][0] == ("区", 1.0) and len(lex.terms["ward"]) > 1  # then JMdict's
    assert [t for t, _ in lex.weighted_units(["staff", "member"])[0][1]] == ["職員"]
    without = build(VOCAB, TOKENS, fake_entries, glossary=glossary)  # no 議員 in this index
    assert "議員" not in dict(without.terms.get("member", []))
    packaged = council_glossary()
    assert packaged["council"][0] == "議会" and "議員" in packaged["member"]
    # the roll of a sitting: JMdict glosses 欠席 as "absence", not "absent"
    assert packaged["absent"] == ("欠席",) and packaged["attend"] == ("出席",)
    assert not any(k.startswith("_") for k in packaged)


def test_a_council_s_long_names_are_held_in_as_many_parts_as_the_index_cuts_them() -> None:
    """予算特別委員会 is four BM25 terms (予算 特別 委員 会), one more than a dictionary
    headword may be cut into: the glossary's names still reach the term list, and the
    standing committees have their English names."""
    glossary = {"budget committee": ["予算特別委員会"]}
    lex = build([*VOCAB, "予算", "特別", "委員", "会"], TOKENS, fake_entries, glossary=glossary)
    assert lex.terms["budget committee"][0] == ("予算特別委員会", 1.0)
    assert lex.cut("予算特別委員会") == ("予算", "特別", "委員", "会")
    packaged = council_glossary()
    assert packaged["general affairs committee"] == ("総務委員会",)
    assert "建設委員会" in packaged["construction committee"]


MINUTES = """令和6年度 総務委員会

○委員長　ただいまから総務委員会を開会いたします。
○田中委員　人事課に、見守りの職員を増やすよう要望は届いていますか。
○山本課長　人事課には、増員の要望が寄せられております。
○鈴木委員　分野ごとの部の再編について、採決の前に分けて議論すべきではありませんか。
○山本課長　部の分野別の再編は、採決の前に分けて説明いたします。
○佐藤委員　公園のトイレの清掃について伺います。
○山本課長　公園のトイレは、週に二回清掃しております。
"""


def test_an_english_question_reaches_a_passage_through_its_glosses(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """On a real index and the packaged JMdict: "division" translates to four terms of
    the index before 課 (部, 分け, 分野, 採決), so only the passages put into English find
    「人事課」 for it."""
    import rag.retrieval
    from rag.indexing import ingest
    from rag.retrieval import Retriever
    from rag.settings import Settings
    from tests.conftest import FakeEmbeddings

    (tmp_path / "soumu.txt").write_text(MINUTES, encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "index", embed_model="fake")
    emb = FakeEmbeddings()
    ingest([tmp_path / "soumu.txt"], settings, emb)
    r = Retriever.open(settings, emb)
    assert r.lexicon and "課" not in dict(r.lexicon.terms["division"])
    asked = "Which division is it?"
    result = r.search(asked, k=3, mode="bm25")
    found = [h.chunk.text for h in result.hits]
    assert any("人事課" in t for t in found) and any("分野" in t for t in found)
    assert result.stages["document_translation"] == rag.retrieval.DOCUMENT_TRANSLATION
    assert "document_translation" not in r.search("人事課", k=3, mode="bm25").stages
    monkeypatch.setattr(rag.retrieval, "DOCUMENT_TRANSLATION", 0.0)
    found = [h.chunk.text for h in r.search(asked, k=3, mode="bm25").hits]
    assert not any("人事課" in t for t in found)
