"""Issue 18: English names that are not names, romanised names, the question's type and
the lead line that states the asked-for fact, quotes without repeats. Hand-made passages;
fake embeddings only."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from rag.answering import compared_places
from rag.answers import Citation
from rag.bilingual import Lexicon
from rag.bm25 import BM25
from rag.chunking import Chunk
from rag.embedding import as_batched
from rag.evidence import Evidence
from rag.extractive import (
    DEFAULT_PARAMS,
    ExtractiveParams,
    Extractor,
    _in_question,
    _under_time_label,
    asked_post,
    asks_post_holder,
    joined,
    post_written,
)
from rag.facts import (
    _phrase,
    amount_phrase,
    asked_bound,
    asked_parts,
    asked_units,
    decision_line,
    english_amount,
    english_date,
    figures,
    matching_decision,
    names_decided_item,
    names_title,
    person_line,
    question_type,
    speaker_asked,
    wanted_speaker,
    who_from,
)
from rag.followup import in_context, rewrite
from rag.places import Gazetteer
from rag.presenting import quote_spans, sources_html
from rag.retrieval import Hit
from rag.speakers import OFFICIAL_MEMBERS, titled
from rag.tokenizing import Tokenizer, acronyms, latin_names, person_names, romanized_reading
from rag.understanding import understand
from tests.conftest import FakeEmbeddings

TOK = Tokenizer()
IRONWARE = Chunk(
    "r#1",
    "盛岡市は南部鉄器の販路をＣｈａｔＧＰＴで調べた。令和５年３月に計画を改定した。",
    "盛岡市 南部鉄器 ChatGPT 計画 改定",
    {"city": "盛岡市", "chunk_type": "report"},
)


@pytest.fixture(scope="module")
def evidence() -> Evidence:
    return Evidence(TOK, BM25.build([TOK(IRONWARE.embed_text), TOK(IRONWARE.text)]))


def test_months_weekdays_and_ordinary_words_are_not_names() -> None:
    q = "What did the City Council decide on Monday about the March 2023 revision of its Plan?"
    assert latin_names(q) == []


def test_product_names_are_taken_whole() -> None:
    assert latin_names("What is Morioka's stance on introducing ChatGPT?") == [
        "Morioka",
        "ChatGPT",
    ]


def test_acronyms_and_sentence_openers_are_not_names() -> None:
    assert latin_names("Sendai uses ICT. Hakodate does not.") == []


def test_romanised_reading_of_a_japanese_word() -> None:
    assert romanized_reading("南部") == "nanbu"
    assert romanized_reading("仙台") == "sendai"


def test_questions_naming_indexed_things_in_english_are_not_refused(evidence: Evidence) -> None:
    assert evidence.missing_names("What is Morioka's stance on introducing ChatGPT?") == []
    assert evidence.missing_names("How was the March 2023 revision of the plan made?") == []
    assert evidence.missing_names("Who sells Nanbu ironware?") == []
    # a romanised name with a reading in the index does not count against coverage
    assert "nanbu" not in evidence.weights("Who sells Nanbu ironware?")


def test_a_name_the_index_never_mentions_is_still_missing(evidence: Evidence) -> None:
    assert evidence.missing_names("What is Osaka's stance on introducing ChatGPT?") == ["Osaka"]
    assert evidence.missing_names("Does Morioka use Gemini?") == ["Gemini"]
    assert "gemini" in evidence.weights("Does Morioka use Gemini?")


def test_a_capitalised_english_word_the_term_list_translates_is_no_name() -> None:
    """ "Personnel Commission" is 人事委員会 in English dress: where the index's term list
    translates each word into indexed words, the question is not refused for naming it,
    and the gate does not count it as a name the passages lack. A name with no reading
    and no translation in the index is still missing."""
    text = "人事委員会は10月に給与の改定を勧告しました。"
    bm25 = BM25.build([TOK(text)])
    lexicon = Lexicon({"personnel": [("人事", 1.0)], "commission": [("委員会", 1.0)]})
    plain = Evidence(TOK, bm25)
    ev = Evidence(TOK, bm25, lexicon=lambda: lexicon)
    q = "When did the Personnel Commission recommend the pay revision?"
    assert plain.missing_names(q) == ["Personnel", "Commission"]
    assert "personnel" in plain.weights(q, translated=False)
    assert ev.missing_names(q) == []
    assert "personnel" not in ev.weights(q, translated=False)
    assert ev.missing_names("When did the Gemini Commission meet?") == ["Gemini"]


def test_a_speaker_named_only_by_the_minutes_labels_is_not_missing() -> None:
    """「ひぐちのりこ委員が触れた…」: the label 「◯ひぐちのりこ委員」 is metadata, not text. The
    name is not reported missing when the index's speakers hold it, and a passage where
    that person speaks covers it."""
    turn = Chunk(
        "s#29",
        "11月15日にワークショップがありました。",
        "11月15日にワークショップがありました。",
        {"speakers": ["ひぐちのりこ"], "chunk_type": "statement"},
    )
    bm25 = BM25.build([TOK(turn.text), TOK("委員が触れた")])
    q = "ひぐちのりこ委員が触れたワークショップはいつ開かれたか"
    plain = Evidence(TOK, bm25)
    assert "ひぐち" in plain.missing_names(q)
    spoke = frozenset(TOK("ひぐちのりこ"))
    ev = Evidence(TOK, bm25, speakers=lambda: spoke)
    assert ev.missing_names(q) == []
    hit = Hit(turn, 1.0, 1, {"bm25": 1}, None)
    other = dataclasses.replace(
        hit, chunk=dataclasses.replace(turn, metadata={"speakers": ["鎌田城行"]})
    )
    assert ev.confidence(q, [hit]) > ev.confidence(q, [other])


def test_the_gate_reads_an_english_question_by_its_names_and_acronyms() -> None:
    """The index holds some English words only as the origins of loanwords (メンバー →
    member): a passage saying 議員 lacks them, so the evidence gate does not require them.
    Names and acronyms, which the passages write as the question does, still count; the
    sentence picker (translated) still reads every word."""
    bm25 = BM25.build([["メンバー", "member"], ["議員", "dx"], ["people", "人"]])
    ev = Evidence(TOK, bm25)
    q = "Which member asked how many people use DX in Morioka?"
    gate = ev.weights(q, translated=False)
    assert "member" not in gate and "people" not in gate
    assert "dx" in gate and "morioka" in gate
    assert "member" in ev.weights(q)
    assert "people" in ev.weights("メンバーとpeopleの人数", translated=False)  # Japanese


def test_an_english_word_a_few_passages_write_is_still_read_through_its_translations() -> None:
    """One English passage holding "member" must not keep 議員 from standing for it: the
    word is held by its Japanese terms or as written. A compound the index holds cut
    (副市長: 副, 市長) is held by all its parts; "council's" leaves no "s" behind."""
    bm25 = BM25.build([["member", "s"], ["欠席", "議員"], ["副", "市長"], ["市長"]])
    lexicon = Lexicon(
        {"member": [("議員", 1.0)], "absent": [("欠席", 1.0)], "deputy mayor": [("副市長", 1.0)]},
        {"副市長": "副 市長"},
    )
    ev = Evidence(TOK, bm25, lexicon=lambda: lexicon)
    w = ev.weights("Which members of the council's deputy mayor were absent?")
    assert set(w) == {"議員|member", "欠席", "副 市長"}
    assert ev.coverage(w, "欠席議員") > 0.5 and ev.coverage({"副 市長": 1.0}, "副市長") == 1.0
    assert ev.coverage({"副 市長": 1.0}, "市長") == 0.0  # the mayor is not the deputy
    assert "議員|member" not in ev.weights("Which members were absent?", translated=False)


def test_the_gate_keeps_plural_and_hyphenated_acronyms_as_the_index_holds_them() -> None:
    """SDGs is indexed as sdg and COVID-19 as covid + 19: the gate compares the tokens."""
    bm25 = BM25.build([TOK("ＳＤＧｓの推進とCOVID-19対策"), ["議員"]])
    gate = Evidence(TOK, bm25).weights("How does the ward link SDGs and COVID-19?", False)
    assert {t for w in ("SDGs", "COVID-19") for t in TOK(w)} <= set(gate)


def test_acronyms_need_a_capital_after_the_first_letter() -> None:
    q = "Did AI on iPads help? I ask about ＤＸ and SDGs, How so"
    assert acronyms(q) == ["AI", "iPads", "DX", "SDGs"]


def test_a_japanese_question_never_reads_the_term_list() -> None:
    """The term list is built on the first English question (seconds on an archive): a
    Japanese question naming something in Latin letters does not build it."""
    read = []

    def lexicon() -> Lexicon:
        read.append(1)
        return Lexicon({"gemini": [("議員", 1.0)]})

    ev = Evidence(TOK, BM25.build([["議員", "盛岡"]]), lexicon=lexicon)
    assert ev.missing_names("盛岡市はGeminiを使うのか") == ["Gemini"]
    assert ev.weights("盛岡市はGeminiを使うのか", translated=False) and not read
    assert ev.missing_names("Does Morioka use Gemini?") == [] and read  # (a toy list)


PLACES = {"盛岡市": "盛岡市", "仙台市": "仙台市", "仙台": "仙台市", "sendai": "仙台市"}
SENDAI_DESK = "仙台市の窓口のデジタル化はどこまで進んだか"


def test_short_follow_up_without_a_place_can_be_read_on_the_previous_topic() -> None:
    out = in_context("職員の負担は減りましたか", [SENDAI_DESK], PLACES)
    assert out == f"〔{SENDAI_DESK}〕職員の負担は減りましたか"  # read as asked, on that topic
    assert in_context("盛岡市の職員の負担は？", [SENDAI_DESK], PLACES) is None
    assert in_context("職員の負担は減りましたか", ["職員の研修は？"], PLACES) is None
    assert in_context("職員の負担は減りましたか", [], PLACES) is None
    assert rewrite("その予算は？", [SENDAI_DESK], PLACES) == f"〔{SENDAI_DESK}〕その予算は？"
    out = rewrite("それはいつから？", [SENDAI_DESK], PLACES)
    assert out == f"〔{SENDAI_DESK}〕それはいつから？"
    # a chain of follow-ups carries the topic along without nesting the brackets
    again = rewrite(
        "それはいつから？",
        [in_context("職員の負担は減りましたか", [SENDAI_DESK], PLACES) or ""],
        PLACES,
    )
    assert again == f"〔{SENDAI_DESK} 職員の負担は減りましたか〕それはいつから？"
    en = rewrite("What about the budget?", ["How did Sendai digitise its desks?"], PLACES)
    assert en == "(How did Sendai digitise its desks?) What about the budget?"
    places = {**PLACES, "morioka": "盛岡市"}
    en = rewrite("What about Morioka?", ["How did Sendai digitise its desks?"], places)
    assert en == "How did Morioka digitise its desks?"


def test_a_new_question_with_its_own_place_is_left_alone() -> None:
    q = "盛岡市のドローンはいつ飛ぶのか"
    assert rewrite(q, [SENDAI_DESK], PLACES) == q


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("市第54号議案について日本共産党を代表して質疑したのは誰ですか", "who"),
        ("Which party did Shirai Masako speak for?", "who"),
        ("市第54号議案は可決されましたか", "decision"),
        ("What was the result of bill 54?", "decision"),
        ("函館市のふるさと納税の目標額はいくらか", "amount"),
        ("How many road damage reports came through the app?", "amount"),
        ("仙台データダッシュボードはいつ公開されたか", "when"),
        ("When does the drone take off?", "when"),
        ("盛岡市はなぜクラウドでコストを下げられたのか", "why"),
        ("仙台市は職員の意識をどのように高めているか", "how"),
        ("盛岡市ではChatGPTを導入しているか", "yesno"),
        ("職員の負担は減りましたか", "yesno"),  # the past: ましたか
        ("待機児童は減ったか", "yesno"),
        ("何か課題はありますか", "yesno"),  # 何か: "anything", not "what"
        ("何らかの支援策はあるのか", "yesno"),
        ("市長はいかがお考えですか", "other"),
        ("工期は何か月ですか", "amount"),  # 何か月: how many months, not "anything"
        ("再度任用の上限回数を撤廃しますか", "yesno"),  # 上限 in the clause asks no figure
        ("上限は撤廃されたのか", "yesno"),
        ("費用は削減されましたか", "yesno"),
        ("再度任用の上限は？", "amount"),
        ("ガバメントクラウドの費用を教えてください", "amount"),
        ("高齢化の割合について教えてください", "amount"),
        ("事業の費用について伺います", "amount"),
        ("〔盛岡市はなぜクラウドにしたのか〕職員の負担は減りましたか", "yesno"),  # carried
        ("Which council secretariat staff accompanied the committee?", "who"),  # people
        ("予算の内訳を答弁したのはどの課長か", "who"),  # an official by post
        ("どの課が担当するか", "other"),  # a section, not a person
        ("Which deputy mayors attended the sitting?", "who"),
        ("Which committee was bill No. 54 referred to?", "other"),  # a body, not a person
        ("Which projects did the mayor announce?", "other"),  # the mayor does, not who
        ("Which mayoral policy was cut?", "other"),
        ("請願はどこから出されたか", "other"),  # どこから: "where from", not どこか
        ("どこかで実施したか", "yesno"),  # どこか: "somewhere"
        ("どこからも異論は出ていないのか", "yesno"),  # どこからも: "from anywhere"
        ("どこからでも申請できるのか", "yesno"),
        ("何ら問題はないのか", "yesno"),
        ("何から始めたのか", "other"),
        ("函館市の中学校ではどんなAI教材を使っているか", "other"),  # asks what
        ("市は国に何を求めているのか", "other"),
        ("その後どうなったか", "other"),
        ("Does the city know what residents want?", "yesno"),  # English: its first word
        # English fronts the asking word; a later one opens a relative or subordinate clause
        ("What share of children who are not in school use it?", "amount"),
        ("How much will the city give each child who starts school?", "amount"),
        ("What support will the city give young people who take jobs here?", "other"),
        ("In the April petition, what did the petitioner say when they asked?", "other"),
        ("Which member asked when the works would end?", "who"),
        # unless "and" joins it as a second ask
        ("What was the contract amount, and who got the contract?", "who"),
        ("区立図書館の年間の貸出冊数", "amount"),
        ("令和5年度の補正額は？", "amount"),
        ("窓口業務の効率", "other"),
        ("候補地は複数", "other"),
        ("修学旅行の引率", "other"),
    ],
)
def test_question_types(question: str, kind: str) -> None:
    assert question_type(question) == kind


def test_english_readings_of_amounts_and_dates() -> None:
    assert english_amount("18億2,700万円") == "¥1.827 billion"
    assert english_amount("1万1000人") == "11,000"
    assert english_amount("170件") == ""
    assert english_date("令和5年3月") == "March 2023"
    assert english_date("2024年11月29日") == "29 November 2024"


def test_amount_phrase_takes_the_unit_asked_for_exactly_as_written() -> None:
    sentences = ["対象は12校で、補正額は18億2,700万円の増額となります。"]
    i, phrase, figure = amount_phrase("補正額はいくらか", sentences) or (0, "", "")
    assert figure == "18億2,700万円" and "補正額は18億2,700万円" in phrase
    assert (amount_phrase("何校が対象か", sentences) or (0, "", ""))[2] == "12校"
    assert amount_phrase("何件か", ["数字はありません。"]) is None


@pytest.mark.parametrize(
    "question",
    [
        "How many school social workers does the board employ?",
        "How many firefighters will be hired?",
        "How many councillors attended?",
        "How many elementary school teachers took part?",
    ],
)
def test_english_questions_counting_people_want_a_number_of_people(question: str) -> None:
    assert asked_units(question) == {"人"}
    sentences = ["上限の4回に達する職員は、本年度、12人です。"]
    assert (amount_phrase(question, sentences) or (0, "", ""))[2] == "12人"


DECISION = {
    "item": "市第54号議案",
    "number": 54,
    "title": "横浜市一般職職員の給与に関する条例等の一部改正",
    "result": "可決",
    "method": "電子表決",
    "tally": "総数81、賛成72、反対9",
    "sentence": "よって、原案どおり可決されました。",
}


def test_decision_found_by_number_or_title_and_stated_in_english() -> None:
    metas = [
        {"decisions": []},
        {"decisions": [dict(DECISION, number=55)]},
        {"decisions": [DECISION]},
    ]
    assert matching_decision("市第54号議案の結果は", metas) == (2, DECISION)
    assert matching_decision("Was bill 54 passed?", metas) == (2, DECISION)
    assert matching_decision("一般職職員の給与の条例は可決されたか", metas[2:]) == (0, DECISION)
    assert matching_decision("市第99号議案の結果は", metas) is None
    assert decision_line(DECISION, "en").startswith("市第54号議案 (横浜市一般職")
    assert ": passed by electronic vote (総数81" in decision_line(DECISION, "en")
    assert decision_line(DECISION, "ja").endswith("：可決（電子表決、総数81、賛成72、反対9）")


SHIRAI = {
    "name": "白井正子",
    "category": "member",
    "party": "日本共産党",
    "label": "（白井正子君）",
}
MAYOR = {"name": "山中竹春", "role": "市長", "category": "official"}


def test_who_asked_or_answered_comes_from_the_speakers() -> None:
    meta = {"questioner": SHIRAI, "answerers": [MAYOR]}
    assert who_from("日本共産党を代表して質疑したのは誰ですか", meta) == SHIRAI
    assert who_from("この質問に答弁したのは誰か", meta) == MAYOR
    assert who_from("副委員長に指名されたのは誰か", meta) is None  # named in the text
    assert person_line(SHIRAI, "ja") == "白井正子（日本共産党）"
    assert person_line(SHIRAI, "en") == "白井正子 (member, 日本共産党)"


QUESTION = Chunk(
    "y#10",
    "日本共産党を代表して、市第54号議案について質問します。ボーナスについてです。",
    "市第54号議案 質問 ボーナス 日本共産党",
    {
        "city": "横浜市",
        "chunk_type": "question",
        "questioner": SHIRAI,
        "answerers": [],
        "doc_id": "y",
        "char_span": [100, 140],
    },
)
VOTE = Chunk(
    "y#29",
    "市第54号議案を議題といたします。採決いたします。よって、原案どおり可決されました。",
    "市第54号議案 採決 可決",
    {
        "city": "横浜市",
        "chunk_type": "procedure",
        "decisions": [DECISION],
        "doc_id": "y",
        "char_span": [900, 950],
    },
)
BUDGET = Chunk(
    "h#3",
    "補正予算について説明します。補正額は18億2,700万円の増額です。財源は国庫支出金です。",
    "補正予算 補正額 増額 財源",
    {"city": "函館市", "chunk_type": "answer", "answerers": [MAYOR], "doc_id": "h"},
)


def _hits(*chunks: Chunk) -> list[Hit]:
    return [Hit(c, 1.0 / n, n, {"bm25": n}, 0.5) for n, c in enumerate(chunks, 1)]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    chunks = [QUESTION, VOTE, BUDGET, IRONWARE]
    ev = Evidence(TOK, BM25.build([TOK(c.embed_text) for c in chunks]))
    return Extractor(ev, as_batched(FakeEmbeddings()))


def test_lead_line_states_who_asked(extractor: Extractor) -> None:
    q = "市第54号議案について日本共産党を代表して質疑したのは誰ですか"
    lead, text, citations = extractor.compose_with_lead(q, _hits(QUESTION, VOTE))
    assert lead == "白井正子（日本共産党） [1]" and text.startswith(lead + "\n")
    assert citations[0].id == "y#10"


def test_lead_line_states_the_decision_and_quotes_its_sentence(extractor: Extractor) -> None:
    lead, text, citations = extractor.compose_with_lead("Was bill 54 passed?", _hits(VOTE))
    assert lead.startswith("市第54号議案 (") and "passed by electronic vote" in lead
    assert "よって、原案どおり可決されました。" in citations[0].quote


def test_lead_line_states_the_amount_with_an_english_reading(extractor: Extractor) -> None:
    lead, _, citations = extractor.compose_with_lead("補正額はいくらか", _hits(BUDGET))
    assert lead == "補正額は18億2,700万円の増額です [1]"
    en, _, _ = extractor.compose_with_lead("How much is the supplementary amount?", _hits(BUDGET))
    assert "(≈ ¥1.827 billion) [1]" in en
    assert "18億2,700万円" in citations[0].quote


def test_quotes_have_no_repeats_and_follow_document_order(extractor: Extractor) -> None:
    twin = Chunk("y#30", VOTE.text, VOTE.embed_text, dict(VOTE.metadata, char_span=[950, 990]))
    _, text, citations = extractor.compose_with_lead(
        "市第54号議案の採決", _hits(VOTE, QUESTION, twin)
    )
    quoted = [s for c in citations for s in c.quote.split("。") if s]
    assert len(quoted) == len(set(quoted))
    spans = [c.metadata["char_span"][0] for c in citations]
    assert spans == sorted(spans)


def test_typeless_questions_get_no_lead(extractor: Extractor) -> None:
    lead, text, _ = extractor.compose_with_lead("補正予算の財源について", _hits(BUDGET))
    assert lead == "" and text.startswith("函館市")


def test_highlight_marks_each_sentence_of_a_quote_that_skips_some() -> None:
    text = "一つ目です。二つ目です。三つ目です。"
    html_ = sources_html([Citation(1, "x#1", text, "一つ目です。三つ目です。", {})])
    assert "<mark>一つ目です。</mark>二つ目です。<mark>三つ目です。</mark>" in html_
    assert quote_spans(text, "二つ目です。") == [(6, 12)]
    assert quote_spans("ＩＣＴです。", "ICTです。") == [(0, 6)]
    assert quote_spans(text, "ない文。") == []


def test_words_scattered_over_a_passage_are_weaker_evidence_than_words_together() -> None:
    together = Chunk(
        "m#1",
        "本日は補正予算を審議します。手数料の引上げは来年度から行います。以上です。",
        "本日は補正予算を審議します。手数料の引上げは来年度から行います。以上です。",
        {},
    )
    scattered = Chunk(
        "m#2",
        "手数料の話は後日とします。本日は補正予算を審議します。引上げは人件費です。",
        "手数料の話は後日とします。本日は補正予算を審議します。引上げは人件費です。",
        {},
    )
    ev = Evidence(TOK, BM25.build([TOK(c.text) for c in (together, scattered)]))
    q = "手数料の引上げはいつからか"
    assert ev.coverage(ev.weights(q), scattered.text) == ev.coverage(ev.weights(q), together.text)
    assert ev.confidence(q, _hits(scattered)) < ev.confidence(q, _hits(together))
    whole = dataclasses.replace(ev, window=0)
    assert whole.confidence(q, _hits(scattered)) == whole.confidence(q, _hits(together))


def test_comparing_questions_get_one_cited_line_per_place(extractor: Extractor) -> None:
    gaz = Gazetteer({"横浜市": "横浜市", "函館市": "函館市", "yokohama": "横浜市"})
    assert compared_places("横浜市と函館市の補正予算の違いは", gaz) == ["横浜市", "函館市"]
    assert compared_places("Compare Yokohama and 函館市", gaz) == ["横浜市", "函館市"]
    assert compared_places("横浜市と函館市の補正予算", gaz) == []  # not a comparison
    assert compared_places("横浜市の補正予算の違いは", gaz) == []  # one place
    text, citations = extractor.compare(
        "横浜市と函館市の補正予算の違いは",
        [("横浜市", _hits(VOTE), None), ("函館市", _hits(BUDGET), None)],
    )
    lines = text.splitlines()
    assert [c.id for c in citations] == ["y#29", "h#3"]
    assert lines[0].startswith("横浜市") and lines[0].endswith("[1]")
    assert lines[1].startswith("函館市") and lines[1].endswith("[2]")
    assert english_amount("150 万人") == "1.5 million"
    # in English each line opens with the place, once: a report's label starts with its city
    report = Chunk("r#9", "盛岡市はクラウドを導入した。", "盛岡市 クラウド", {"city": "盛岡市"})
    en, _ = extractor.compare(
        "Compare Morioka and Hakodate on the supplementary budget",
        [("盛岡市", _hits(report), None), ("函館市", _hits(BUDGET), None)],
    )
    rows = en.splitlines()[1:]  # after the "quoted from the Japanese source" label
    assert rows[0].startswith("盛岡市") and not rows[0].startswith("盛岡市: 盛岡市")
    assert rows[1].startswith("函館市") and not rows[1].startswith("函館市: 函館市")


def test_passages_recording_the_named_item_can_be_lifted() -> None:
    assert names_decided_item("Was bill 54 passed?", VOTE.metadata)
    assert not names_decided_item("Was bill 55 passed?", VOTE.metadata)
    assert not names_decided_item("補正予算は可決されたか", VOTE.metadata)  # no number named
    assert not names_decided_item("市第54号議案の結果", QUESTION.metadata)


NOMINATION = Chunk(
    "y#4",
    "副委員長に田中ゆき君を指名いたします。御異議ありませんか。",
    "副委員長 指名 田中ゆき",
    {"city": "横浜市", "chunk_type": "procedure", "doc_id": "y"},
)


def test_who_was_named_comes_from_the_names_in_the_quote(extractor: Extractor) -> None:
    assert speaker_asked("副委員長に指名されたのは誰か") is None
    assert speaker_asked("Who answered the question on bonuses?") == "answered"
    assert person_names("田中ゆき君と高橋君") == ["田中ゆき", "高橋"]
    lead, _, _ = extractor.compose_with_lead("副委員長に指名されたのは誰か", _hits(NOMINATION))
    assert lead == "田中ゆき [1]"


PETITION = Chunk(
    "s#9",
    "戸越公園駅周辺まちづくり協議会から区に対しまして、鉄道立体化に関する請願が提出されました。",
    "戸越公園駅 請願 鉄道立体化",
    {"city": "品川区", "chunk_type": "answer", "doc_id": "s"},
)


def test_a_name_heading_a_compound_is_no_person_named(extractor: Extractor) -> None:
    # UniDic reads 戸越 as a surname; followed by 公園駅 it is a place
    lead, _, _ = extractor.compose_with_lead("鉄道立体化の請願を出したのは誰か", _hits(PETITION))
    assert "戸越" not in lead
    titled_too = Chunk("s#10", "請願は戸越さんから提出されました。", "請願 戸越", PETITION.metadata)
    lead, _, _ = extractor.compose_with_lead("請願を出したのは誰か", _hits(titled_too))
    assert lead.startswith("戸越")
    # a name as written may be spaced, and a title run on into more kanji (委員長登壇)
    report = Chunk(
        "h#20",
        "議会運営委員長　出村　ゆかり議員。\n（出村　ゆかり議会運営委員長登壇）\n調査を御報告いたします。",
        "議会運営委員長 報告",
        {"city": "函館市", "chunk_type": "procedure", "doc_id": "h"},
    )
    lead, _, _ = extractor.compose_with_lead("議会運営委員長として報告したのは誰か", _hits(report))
    assert lead.startswith("出村ゆかり")
    assert titled("議会運営委員長登壇）") and not titled("長期計画を策定")


INOUE = {"name": "井上さくら", "category": "member", "label": "（井上さくら君）"}
VICE = {"name": "大久保智子", "role": "副市長", "category": "official"}
ASKED = Chunk(
    "y#17",
    "次に、会計年度任用職員についてです。経験加算が少な過ぎる問題があります。見解を伺います。",
    "会計年度任用職員 経験加算 少な過ぎる",
    {
        "chunk_type": "question",
        "questioner": INOUE,
        "answerers": [],
        "question_id": "y#17",
        "doc_id": "y",
        "char_span": [200, 260],
    },
)
REPLY = Chunk(
    "y#20",
    "会計年度任用職員の経験加算についてですが、加算額に上限を設定しております。",
    "会計年度任用職員 経験加算 上限",
    {
        "chunk_type": "answer",
        "questioner": INOUE,
        "answerers": [VICE],
        "question_id": "y#17",
        "doc_id": "y",
        "char_span": [400, 440],
    },
)
OTHER_ASKER = Chunk(
    "y#12",
    "次に、子育て世代の給料についてです。引上げが抑えられています。",
    "子育て世代 給料 引上げ",
    {
        "chunk_type": "question",
        "questioner": SHIRAI,
        "answerers": [],
        "question_id": "y#12",
        "doc_id": "y",
        "char_span": [50, 90],
    },
)


def _tuned(ex: Extractor, **changes: Any) -> Extractor:
    """``ex`` with some of its parameters changed (to show what a rule does without it)."""
    return dataclasses.replace(ex, params=dataclasses.replace(ex.params, **changes))


def _looking_up(*chunks: Chunk) -> Extractor:
    every = [*chunks, QUESTION, VOTE, BUDGET]
    ev = Evidence(TOK, BM25.build([TOK(c.text) for c in every]))
    by_id = {c.id: c for c in every}
    return Extractor(ev, as_batched(FakeEmbeddings()), lookup=by_id.get)


def test_who_asked_cites_the_members_own_turn_not_the_reply_naming_them() -> None:
    ex = _looking_up(ASKED, REPLY)
    q = "会計年度任用職員の経験加算が少な過ぎると指摘したのは誰か"
    lead, _, citations = ex.compose_with_lead(q, _hits(REPLY))
    cited = next(c for c in citations if lead.endswith(f"[{c.n}]"))
    assert lead.startswith("井上さくら") and cited.id == "y#17"
    assert "少な過ぎる" in cited.quote
    # without a way to look the turn up, the reply (which names the asker) is cited
    plain = Extractor(ex.evidence, ex.embeddings)
    lead, _, citations = plain.compose_with_lead(q, _hits(REPLY))
    assert lead == "井上さくら [1]" and citations[0].id == "y#20"


def test_who_asked_takes_the_member_whose_words_match_not_the_top_passage() -> None:
    ex = _looking_up(ASKED, OTHER_ASKER)
    q = "経験加算が少な過ぎると質問したのは誰か"
    lead, _, _ = ex.compose_with_lead(q, _hits(OTHER_ASKER, ASKED))
    assert lead.startswith("井上さくら")


def test_who_asked_weighs_the_retrieval_rank_against_the_words_matched() -> None:
    """Of members whose words hold nearly as many of the question's terms as the best
    match, the better ranked one (speaker_margin: 1 takes the best match alone)."""
    near = dataclasses.replace(
        OTHER_ASKER, text="次に、会計年度任用職員についてです。経験加算の問題があります。"
    )
    ex = _looking_up(ASKED, near)
    q = "会計年度任用職員の経験加算が少な過ぎると質問したのは誰か"
    best_match = Extractor(ex.evidence, ex.embeddings, ExtractiveParams(speaker_margin=1.0))
    assert best_match.compose_with_lead(q, _hits(near, ASKED))[0].startswith("井上さくら")
    by_rank = Extractor(ex.evidence, ex.embeddings, ExtractiveParams(speaker_margin=0.0))
    assert by_rank.compose_with_lead(q, _hits(near, ASKED))[0].startswith("白井")


@pytest.mark.parametrize(
    ("question", "verb"),
    [
        ("経験加算が少な過ぎると問題提起した委員は誰か", "asked"),  # a verb of no list
        ("経験加算は少な過ぎると述べた議員は誰ですか", "asked"),
        ("Which member said the experience allowance was too small?", "asked"),
        ("副委員長を辞任したのは誰か", None),  # a chair, named in the chair's words
        ("委員長に選任された委員は誰か", None),  # named to a post
        ("Who was elected vice-chair?", None),
        ("Which member was elected vice-chair?", None),  # named to a post
        ("Which member said election turnout was low?", "asked"),  # no post
        ("Which party said the election rules should change?", "asked"),
        ("委員は誰と面会したか", None),  # the member is who met, not who is asked for
    ],
)
def test_a_member_asked_for_is_whoever_spoke_whatever_the_verb(
    question: str, verb: str | None
) -> None:
    assert speaker_asked(question) == verb


def test_an_official_member_asked_for_is_no_members_turn() -> None:
    # 監査委員, 教育委員 … answer for the executive (rag.speakers, one home of the roles)
    assert all(speaker_asked(f"{m}は誰か") != "asked" for m in OFFICIAL_MEMBERS)
    assert speaker_asked("反対した委員は誰か") == "asked"


def test_who_said_it_as_a_member_is_the_members_turn() -> None:
    ex = _looking_up(ASKED, OTHER_ASKER)
    lead, _, _ = ex.compose_with_lead(
        "経験加算が少な過ぎると問題提起した委員は誰か", _hits(OTHER_ASKER, ASKED)
    )
    assert lead.startswith("井上さくら")


def test_which_committee_is_no_who_question() -> None:
    assert question_type("市第54号議案はどの委員会に付託されたか") != "who"
    assert question_type("どの委員が反対したか") == "who"


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "職員は何人いて、今年度末に満了となるのは何人か",
            ["職員は何人いて", "今年度末に満了となるのは何人か"],
        ),
        (
            "基金では、寄附金額はいくらで、寄附者は何人だったか",
            ["基金では、寄附金額はいくらで", "基金では、寄附者は何人だったか"],
        ),
        (
            "How many units were offered, and when was the lottery?",
            ["How many units were offered", "when was the lottery?"],
        ),
        (
            "How much was donated and by how many donors?",
            ["How much was donated", "by how many donors?"],
        ),
        ("補正額はいくらか", ["補正額はいくらか"]),
        ("市は、いつ、何を決めたか", ["市は、いつ、何を決めたか"]),  # one ask is no figure
        ("How many people and which schools?", ["How many people and which schools?"]),
        ("会期中、何件の請願が出されたか", ["会期中、何件の請願が出されたか"]),  # 会期 asks nothing
        ("横浜市は、いつ、何人採用したか", ["横浜市は、いつ、何人採用したか"]),  # いつ alone
        ("How many were offered and when?", ["How many were offered and when?"]),
    ],
)
def test_a_question_asking_for_several_figures_is_read_as_its_asks(
    question: str, parts: list[str]
) -> None:
    assert asked_parts(question) == parts


STAFF = Chunk(
    "y#30",
    "会計年度任用職員の人数は約１万1000人でございます。そのうち今年度末に５年満了となる人数は約5000人でございます。",
    "会計年度任用職員 人数 満了",
    {"city": "横浜市", "chunk_type": "answer", "answerers": [VICE], "doc_id": "y"},
)


def test_the_lead_line_states_each_figure_a_question_asks_for() -> None:
    ex = _looking_up(STAFF)
    q = "会計年度任用職員は何人いて、今年度末に5年満了となるのは何人か"
    lead, _, _ = ex.compose_with_lead(q, _hits(STAFF))
    assert "1万1000人" in lead and "約5000人" in lead
    assert lead.index("1万1000人") < lead.index("5000人") and lead.count("[1]") == 2
    one, _, _ = ex.compose_with_lead("会計年度任用職員は何人か", _hits(STAFF))
    assert "1万1000人" in one and "5000人" not in one
    # two passages: an ask does not take the figure another ask took
    total = Chunk(
        "y#31", "会計年度任用職員の人数は約1万1000人でございます。", "人数", STAFF.metadata
    )
    due = Chunk(
        "y#32",
        "今年度末に5年満了となる会計年度任用職員の人数は約5000人でございます。",
        "満了 人数",
        STAFF.metadata,
    )
    lead, _, _ = _looking_up(total, due).compose_with_lead(q, _hits(due, total))
    assert "1万1000人" in lead and "5000人" in lead


PLAN = Chunk(
    "d#51",
    "3月21日金曜日午後1時から委員会を開催したいと考えております。"
    "当日は、他都市視察を踏まえた意見交換を行いたいと考えております。",
    "委員会 開催 他都市視察",
    {"city": "仙台市", "chunk_type": "procedure", "doc_id": "d", "char_span": [900, 990]},
)
TRIP = Chunk(
    "d#50",
    "それでは次に、他都市視察についてであります。"
    "前回の委員会において、日程は、1月16日木曜日、17日金曜日の1泊2日としておりました。",
    "他都市視察 日程",
    {"city": "仙台市", "chunk_type": "procedure", "doc_id": "d", "char_span": [700, 800]},
)


def test_a_date_is_read_with_the_topic_its_passage_names_before_it() -> None:
    # the trip's dates sit a sentence after 「他都市視察について」; the top passage's date is a
    # meeting's, beside a sentence that mentions the trip
    ex = _looking_up(PLAN, TRIP)
    lead, _, _ = ex.compose_with_lead("他都市視察の委員会日程はいつか", _hits(PLAN, TRIP))
    assert "1月16日" in lead
    alone = _tuned(ex, figure_context=0.0)
    assert (
        "3月21日" in alone.compose_with_lead("他都市視察の委員会日程はいつか", _hits(PLAN, TRIP))[0]
    )


@pytest.mark.parametrize(
    "question",
    [
        "何度となく指摘されてきたが、なぜ改善しないのか",  # again and again
        "何度でも申請できるか",
        "指定管理者制度の改定は今回で何度目か",  # an ordinal
    ],
)
def test_nando_that_counts_nothing_asks_no_count(question: str) -> None:
    assert question_type(question) != "amount" and asked_units(question) == set()


def test_do_counts_times_only_after_a_period() -> None:
    said = ["気温は30度を超えました。", "1度に100人が利用できます。", "月に2度、点検しています。"]
    got = [f.figure for f in figures("点検の頻度は", said, "amount") if f.wanted]
    assert got == ["2度"]


def test_how_often_asks_for_a_count_per_period() -> None:
    q = "ICT支援員はどのくらいの頻度で小・中学校を巡回しているか"
    assert question_type(q) == "amount" and asked_units(q) == {"回"}
    assert question_type("How often do ICT support staff visit schools?") == "amount"
    assert question_type("何度も要望しているが、市はどう考えるか") != "amount"
    said = [
        "初めて1人1台を配備しました。",
        "1週間に1度、各校を巡回しております。",
        "3度目の実施です。",
    ]
    assert [f.figure for f in figures(q, said, "amount") if f.wanted] == ["1度"]


def _member_then_vice(chunk_id: str, member: str, reply: str, embed: str) -> Chunk:
    """A qa passage: 井上さくら asks, the 副市長 replies."""
    return Chunk(
        chunk_id,
        member + reply,
        embed,
        {
            "chunk_type": "qa",
            "questioner": INOUE,
            "answerers": [VICE],
            "doc_id": "y",
            "turn_offsets": [
                {"offset": 0, "speaker": INOUE["label"]},
                {"offset": len(member), "speaker": "副市長"},
            ],
        },
    )


def test_a_figure_only_the_member_states_answers_and_is_no_refusal() -> None:
    member = "現在、ICT支援員は1週間に1度、各校を巡回していますが、回数を増やす考えはありますか。"
    reply = "今後、学校の声を聞きながら検討してまいります。"
    qa = _member_then_vice("y#40", member, reply, "ICT支援員 巡回 回数")
    ex = _looking_up(qa)
    q = "ICT支援員はどのくらいの頻度で各校を巡回しているか"
    assert not ex.lacks_asked_figure(q, _hits(qa))
    assert "1週間に1度" in ex.compose_with_lead(q, _hits(qa))[0]


def test_a_figure_the_member_states_beats_a_reply_figure_of_something_else() -> None:
    """The member states what the accounts recorded as the premise of another ask; the
    reply gives a figure of something else (the fine per case). The member's figure is read
    beside the reply's, a little below it (figure_asked), and wins on the question's terms;
    with the questioner's figures far below, the reply's would be given."""
    member = "決算書には歩行喫煙防止の過料が9万6,000円分計上されていますが、過料の中身を伺います。"
    reply = "過料は一律1,000円でございます。"
    qa = _member_then_vice("y#41", member, reply, "歩行喫煙防止 過料 計上")
    q = "歩行喫煙防止の過料はいくら計上されているか"
    assert "9万6,000円" in _looking_up(qa).compose_with_lead(q, _hits(qa))[0]
    far = dataclasses.replace(_looking_up(qa), params=ExtractiveParams(figure_asked=10.0))
    assert "1,000円" in far.compose_with_lead(q, _hits(qa))[0]


def test_the_amount_asked_for_may_live_in_a_top_passage_no_quote_cites() -> None:
    ex = _looking_up()
    lead, _, citations = ex.compose_with_lead("補正額はいくらか", _hits(QUESTION, BUDGET))
    cited = next(c for c in citations if lead.endswith(f"[{c.n}]"))
    assert "18億2,700万円" in lead and cited.id == "h#3"
    assert "18億2,700万円" in cited.quote


def test_a_date_under_a_heading_that_names_a_time_answers_when() -> None:
    """A report's header dates its approval, its submission and, under 「1 調査期間」, the
    visit: asked when the inspection took place, the visit's dates lead."""
    text = (
        "行政調査報告書\n令和5年7月20日付け委員派遣承認要求書に基づき、下記のとおり実施した"
        "行政調査の結果について報告する。\n令和5年9月13日\n記\n1 調査期間\n"
        "令和5年8月22日（火）～8月23日（水）\n2 調査場所\n岩手県盛岡市"
    )
    header = Chunk("r#0", text, text, {"chunk_type": "header", "doc_id": "r"})
    q = "行政調査はいつ行われましたか"
    assert "令和5年8月22日" in _looking_up(header).compose_with_lead(q, _hits(header))[0]
    flat = dataclasses.replace(_looking_up(header), params=ExtractiveParams(figure_labelled=0))
    assert "令和5年8月22日" not in flat.compose_with_lead(q, _hits(header))[0]
    # a label on the date's own line: 「日時：」, 「開催日 」; not any words before a date
    line = ["資料は令和6年1月10日に配布した。", "日時：令和6年1月16日（火）午後2時"]
    notice = Chunk("n#0", "".join(line), "".join(line), {"chunk_type": "header", "doc_id": "n"})
    asked = "視察はいつ行われるか"
    assert "1月16日" in _looking_up(notice).compose_with_lead(asked, _hits(notice))[0]
    assert _under_time_label(line, line[1], "令和6年1月16日")
    assert not _under_time_label(line, line[0], "令和6年1月10日")


def test_a_date_the_question_states_is_not_its_answer() -> None:
    session = Chunk(
        "y#6",
        "令和6年第4回定例会を開会いたします。本定例会の会期は本日から12月19日までの21日間です。",
        "会期 定例会",
        {"chunk_type": "procedure", "doc_id": "y", "char_span": [0, 50]},
    )
    lead, _, _ = _looking_up(session).compose_with_lead(
        "令和6年第4回定例会の会期はいつまでか", _hits(session)
    )
    assert "12月19日" in lead and "令和6年" not in lead


def test_people_counted_with_mei_answer_how_many_people() -> None:
    found = amount_phrase("何人が回答したか", ["延べ3回の調査で、職員528名から回答を得た。"])
    assert found is not None and found[2] == "528名"


def test_quotes_complete_the_question_with_the_sentence_holding_its_other_terms() -> None:
    survey = Chunk(
        "s#29",
        "人流データ調査についてですが、令和3年度に実施した調査の費用が134万5,000円です。"
        "来街者の属性を把握し分析できるようになっています。"
        "実際のところ、これを十分に活用できていない状況です。"
        "現時点では商店街の売上げに貢献できたといった事例はありません。",
        "人流データ 調査",
        {"chunk_type": "answer", "answerers": [MAYOR], "doc_id": "s", "char_span": [0, 120]},
    )
    ex = _looking_up(survey)
    q = "人流データは商店街の売上げに役立ったのか"
    quoted = "".join(s.text for s in ex.pick(q, _hits(survey)))
    assert "売上げに貢献できたといった事例はありません" in quoted
    alone = Extractor(
        ex.evidence,
        ex.embeddings,
        # the rule off (and the status rules, since 「ありません」 also says where a matter stands)
        dataclasses.replace(ex.params, complete_share=1.1, cue_bonus=0.0, quote_status=False),
    )
    assert "事例はありません" not in "".join(s.text for s in alone.pick(q, _hits(survey)))


def test_a_yes_no_question_quotes_the_sentence_that_says_where_the_matter_stands() -> None:
    """A reply opens on the topic and states the decision last."""
    fees = Chunk(
        "f#8",
        "公共施設の使用料の改定についてですが、使用料は受益者負担の原則及び施設の維持管理に"
        "要する費用を踏まえて定めるという考え方に変更はなく、公共施設の使用料の水準は他都市"
        "と比べても適正な範囲にあると考えています。"
        "物価の動向は引き続き注視してまいります。"
        "財政局と各局で検討した結果、今回の見直しは行わないと判断いたしました。",
        "使用料 改定",
        {"chunk_type": "answer", "answerers": [MAYOR], "doc_id": "f", "char_span": [0, 140]},
    )
    ex = _looking_up(fees)
    q = "公共施設の使用料を改定するのか"
    quoted = "".join(s.text for s in ex.pick(q, _hits(fees)))
    assert "見直しは行わないと判断いたしました" in quoted
    off = _tuned(ex, quote_status=False)
    assert "行わない" not in "".join(s.text for s in off.pick(q, _hits(fees)))


def test_how_many_people_in_english_wants_people_not_a_year_or_a_name() -> None:
    """ "How many runners" asks a count of people, as 「何人」 does: 47 (都道府県) and the
    2024 of 「2024モルック世界大会」 are no answer; asked with no unit, a bare number counts,
    but never a year or a number that is part of a name (5G)."""
    said = ["全国47都道府県のほか国外からの参加があり、本年8月に2024モルック世界大会を開く。"]
    runners = figures("How many runners took part in the marathon?", said, "amount")
    assert not [f for f in runners if f.wanted]
    said = ["2024モルック世界大会を開き、5Gを整備し、3580の団体が参加した。"]
    assert [f.figure for f in figures("How many took part?", said, "amount")] == ["3580"]


def test_a_year_that_names_a_meeting_is_no_answer_to_when() -> None:
    """「令和6年第1回函館市議会定例会」 names a meeting: asked when the next sitting is, the
    date is the one the chair gives for it, not the year in the meeting's name."""
    said = [
        "ただいまから令和6年第1回函館市議会定例会を開会いたします。",
        "次の本会議は2月27日午前10時から開きます。",
    ]
    assert [f.figure for f in figures("次の本会議はいつ開かれますか", said, "when")] == ["2月27日"]
    # a meeting's date written before its name is its date
    dated = ["令和6年2月20日 第1回臨時会を開会した。"]
    assert [f.figure for f in figures("臨時会はいつ開かれたか", dated, "when")] == [
        "令和6年2月20日"
    ]


def _header_and_passage(
    meta: dict[str, str], header: str, passage: str, terms: str
) -> tuple[Chunk, Chunk]:
    """A minutes' header (its first passage) and a procedural passage after it."""
    doc = meta["doc_id"]
    return (
        Chunk(f"{doc}#000", header, "", {**meta, "chunk_type": "header"}),
        Chunk(f"{doc}#001", passage, terms, {**meta, "chunk_type": "procedure"}),
    )


def test_until_when_is_answered_by_the_date_a_span_ends() -> None:
    """「会期はいつまでか」 asks for the end of the session: 「12月19日まで」, not the day of
    the sitting that its header dates and that shares more of the question's words."""
    meta = {
        "kind": "minutes",
        "doc_id": "y",
        "city": "横浜市",
        "council": "横浜市会",
        "meeting": "令和6年第4回定例会",
        "date": "2024-11-29",
    }
    header, term = _header_and_passage(
        meta,
        "横浜市会令和6年第4回定例会\n令和6年11月29日(金)午前10時開議",
        "ただいまより令和6年第4回市会定例会を開会いたします。会期決定の件を議題といたします。"
        "本定例会の会期は本日から12月19日までの21日間といたします。",
        "会期",
    )
    ex = _looking_up(header, term)
    q = "横浜市会の令和6年第4回定例会の会期はいつまでか"
    lead, _ = ex.lead_line(q, _hits(header, term), [], "ja")
    assert lead.startswith("本定例会の会期は本日から12月19日まで")
    assert asked_bound(q) == "until" and asked_bound("いつから施行されるのか") == "from"
    off = _tuned(ex, figure_bound=0.0)
    assert "12月19日" not in off.lead_line(q, _hits(header, term), [], "ja")[0]


def test_when_a_sitting_opened_is_read_from_its_minutes_header() -> None:
    """「…定例会が開会したのはいつか」: the header dates the sitting (「令和６年２月２２日
    （木曜日）…開会」), a passage the question shares few words with; 「２月定例会」 and
    「令和６年第１回」 name the meeting and are no date."""
    meta = {"kind": "minutes", "doc_id": "h", "city": "函館市", "date": "2024-02-22"}
    header, speech = _header_and_passage(
        meta,
        "令和　６年第１回　２月定例会\n令和６年２月２２日（木曜日）　午前１０時００分開会",
        "ただいまから令和６年第１回函館市議会定例会を開会いたします。昨年４月に市長に就任しました。",
        "定例会 開会",
    )
    ex = _looking_up(header, speech)
    lead, _ = ex.lead_line(
        "令和6年第1回函館市議会定例会が開会したのはいつか", _hits(speech), [], "ja"
    )
    assert lead.startswith("令和6年2月22日")
    off = _tuned(ex, meeting_headers=False)
    assert not off.lead_line(
        "令和6年第1回函館市議会定例会が開会したのはいつか", _hits(speech), [], "ja"
    )[0].startswith("令和6年2月22日")


def test_a_decision_no_passage_records_is_not_answered() -> None:
    """「…は採択されたのか」 asks for a result: without a decision recorded for the item, or
    a sentence pronouncing one, the documents do not say how it was decided."""
    ex = _looking_up()
    received = Chunk(
        "h#4",
        "2月19日までに受理いたしました陳情1件は、お手元に配付いたしております陳情文書表のとおりであります。",
        "陳情 受理",
        {"city": "函館市", "chunk_type": "procedure", "doc_id": "h"},
    )

    def said(n: int, text: str) -> Chunk:  # another passage of the same minutes
        return dataclasses.replace(received, id=f"h#{n}", text=text)

    assert ex.lacks_decision("2月19日までに受理した陳情は採択されたのか", _hits(received))
    # the vote on the item, found among the passages or in the rest of its minutes
    assert not ex.lacks_decision("市第54号議案は可決されたのか", _hits(VOTE))
    asked = dataclasses.replace(
        QUESTION, id="v#000", metadata={**QUESTION.metadata, "doc_id": "v", "kind": "minutes"}
    )
    voted = dataclasses.replace(VOTE, id="v#001", metadata={**VOTE.metadata, "doc_id": "v"})
    minutes = Extractor(ex.evidence, ex.embeddings, lookup={asked.id: asked, voted.id: voted}.get)
    assert not minutes.lacks_decision("市第54号議案はどうなったか", _hits(asked))
    assert ex.lacks_decision("市第54号議案はどうなったか", _hits(asked))  # the vote not found
    # named by its whole title, the item's vote is looked up in the minutes as well; a
    # few words of a title in common (条例の一部改正) name no item
    titled = "横浜市一般職職員の給与に関する条例等の一部改正は可決されましたか"
    assert not minutes.lacks_decision(titled, _hits(asked))
    lead, _ = minutes.lead_line(titled, _hits(asked), [], "ja")
    assert lead.startswith("市第54号議案（横浜市一般職職員の給与に関する条例等の一部改正）：可決")
    assert minutes.lacks_decision("職員の条例の一部改正は可決されましたか", _hits(asked))
    # a result pronounced in prose, with no decision record (a report's summary)
    prose = said(5, "本陳情は全会一致で採択されました。")
    assert not ex.lacks_decision("陳情は採択されたのか", _hits(prose))
    assert not ex.lacks_decision("陳情はいつ受理されたのか", _hits(received))  # not a decision
    decided = said(6, "議案第3号は原案のとおり決定いたしました。")
    assert not ex.lacks_decision("議案第3号はどうなったか", _hits(decided))
    # a result pronounced of something else: a report header's approval of the visit is
    # not the council's vote on the budget asked about
    approved = said(
        7, "委員派遣承認要求書に基づき、同日付けで議長から承認され、下記のとおり報告する。"
    )
    assert ex.lacks_decision("函館市議会で図書館の予算は可決されたのか", _hits(approved))
    budget = said(8, "図書館の予算は原案のとおり可決されました。")
    assert not ex.lacks_decision("函館市議会で図書館の予算は可決されたのか", _hits(budget))
    # 「本案は…可決されました」 of the item its passage takes up
    plenary = said(9, "図書館の予算を議題といたします。よって、本案は原案のとおり可決されました。")
    assert not ex.lacks_decision("函館市議会で図書館の予算は可決されたのか", _hits(plenary))
    # another number of the same budget is not named by this one's title
    assert not names_title(
        "令和6年度一般会計補正予算（第3号）は", "令和6年度一般会計補正予算（第2号）"
    )
    # "passed" and "adopted" of no council vote: not asked how a council decided
    assert not ex.lacks_decision("How many years have passed since the merger?", _hits(received))
    assert not ex.lacks_decision("Which measures has the ward adopted?", _hits(received))


def test_how_much_with_no_figure_in_the_asked_unit_is_not_answered() -> None:
    ex = _looking_up()
    assert ex.lacks_asked_figure("補正額はいくらか", _hits(QUESTION))  # no amount of yen
    assert not ex.lacks_asked_figure("補正額はいくらか", _hits(QUESTION, BUDGET))
    assert ex.lacks_asked_figure("質問した議員は何人か", _hits(BUDGET))  # yen, not people
    assert not ex.lacks_asked_figure("How much is the supplementary amount?", _hits(BUDGET))
    assert not ex.lacks_asked_figure("補正予算の財源は", _hits(QUESTION))  # not a figure question
    # the figure two ranks below the quoted passages (figure_passages) still answers
    deep = _hits(QUESTION, QUESTION, QUESTION, BUDGET)
    assert not ex.lacks_asked_figure("補正額はいくらか", deep)
    shallow = _tuned(ex, figure_passages=3)
    assert shallow.lacks_asked_figure("補正額はいくらか", deep)


def test_a_date_stated_of_another_act_is_no_answer_to_when() -> None:
    """Asked when an ordinance takes effect (施行), the month a recommendation was made is
    the date of something else; a time stated where the act is named answers, a date or
    a time word (来年度) alike."""
    ex = _looking_up()
    q = "職員給与条例の改正はいつから施行されるのか"
    recommended = Chunk(
        "y#3",
        "本年10月に人事委員会から職員の給与について勧告があったので、条例の一部を改正するものです。",
        "給与 改正",
        {"city": "横浜市", "chunk_type": "answer", "doc_id": "y"},
    )
    assert ex.lacks_asked_date(q, _hits(recommended))
    for said in (
        "この条例は、令和7年4月1日から施行いたします。",
        "改正条例は来年度から施行します。",
    ):
        dated = dataclasses.replace(recommended, id="y#4", text=said)
        assert not ex.lacks_asked_date(q, _hits(recommended, dated))
    # the act named in the date's sentence, or in the one before a sentence naming no
    # other act; a date stated of another act (発生) in the next sentence is no answer
    for said in (
        "施行日につきましては令和7年4月1日を予定しております。",
        "改正条例を施行いたします。期日は令和7年4月1日でございます。",
    ):
        assert not ex.lacks_asked_date(q, _hits(dataclasses.replace(recommended, text=said)))
    other = "改正条例を施行いたします。本年1月1日に発生した地震では被害がありました。"
    assert ex.lacks_asked_date(q, _hits(dataclasses.replace(recommended, text=other)))
    # no act asked the date of (a native verb), a sitting, an English question: no gate
    assert not ex.lacks_asked_date("盛岡市が中核市になったのはいつか", _hits(recommended))
    assert not ex.lacks_asked_date("本会議はいつ開会したか", _hits(recommended))
    assert not ex.lacks_asked_date("When does the ordinance take effect?", _hits(recommended))


def test_a_target_is_no_answer_to_what_was_reached() -> None:
    """「寄附額100億円の目標」 states a target: asked what was reached (実績), the documents do
    not say; asked the target, it answers."""
    target = Chunk(
        "h#9",
        "ふるさと納税については、寄附額100億円の目標に向けた取組を進めてまいります。",
        "ふるさと納税 寄附額 目標",
        {"city": "函館市", "chunk_type": "answer", "answerers": [MAYOR], "doc_id": "h"},
    )
    ex = _looking_up(target)
    assert ex.lacks_asked_figure("ふるさと納税の令和5年度の寄附実績額はいくらか", _hits(target))
    assert not ex.lacks_asked_figure("ふるさと納税の寄附額の目標はいくらか", _hits(target))
    lead, _ = ex.lead_line("ふるさと納税の寄附額の目標はいくらか", _hits(target), [], "ja")
    assert "100億円" in lead
    reached = dataclasses.replace(
        target, id="h#10", text="ふるさと納税は、目標を上回る120億円の寄附をいただきました。"
    )
    ex = _looking_up(reached)
    assert not ex.lacks_asked_figure("ふるさと納税の寄附実績額はいくらか", _hits(reached))


def test_a_figure_of_another_thing_counts_less_but_not_one_of_a_year_or_place() -> None:
    """「職員は大体1万人」 is a count of staff, asked how many applied; 「令和5年度は220人」
    is a count of that year, not of another thing; 300人 is the venue's size."""
    said = Chunk(
        "s#1",
        "デジタル見本市の申込みについて、令和5年度は220人の申込みがあり、300人の会場で実施しました。"
        "職員は大体1万人いますので、多くはありません。",
        "デジタル見本市 申込み",
        {"city": "仙台市", "chunk_type": "answer", "answerers": [MAYOR], "doc_id": "s"},
    )
    ex = _looking_up(said)
    lead, _ = ex.lead_line("デジタル見本市の申込者は何人でしたか", _hits(said), [], "ja")
    assert "220人" in lead


def test_a_figure_in_a_header_list_counts_where_the_record_says_when_and_where() -> None:
    """A header states 「欠席議員（４人）」 lines away from its date and meeting: those parts
    of the question are what the passage's record (date, meeting, council) says, not what
    the figure must sit beside; another day's record does not stand in for them. (With the
    names under it, the list itself answers: tests/test_rosters.py.)"""
    header = "令和６年11月29日（金）午前10時開議\n出席議員（82人）\n増永純女君\n欠席議員（４人）"
    meta = {"chunk_type": "header", "doc_id": "y", "council": "横浜市会", "meeting": "本会議"}
    that_day = Chunk("y#0", header, header, {**meta, "date": "2024-11-29"})
    later = header.replace("11月29日", "12月3日")
    other_day = Chunk("z#0", later, later, {**meta, "doc_id": "z", "date": "2024-12-03"})
    q = "横浜市会の令和6年11月29日の本会議を欠席した議員は何人か"
    ex = _looking_up(that_day, other_day)
    assert not ex.lacks_asked_figure(q, _hits(that_day))
    assert ex.compose_with_lead(q, _hits(that_day))[0].startswith("欠席議員(4人)")
    _, text, citations = ex.compose_with_lead(q, _hits(that_day))
    quote = citations[0].quote
    assert text.endswith("欠席議員（４人）[1]")  # quoted, with the lines before it
    assert text.count("[1]") == 2  # the lead, then one cited line per source
    # lines apart (増永純女君 between) stay lines
    assert quote == "令和６年11月29日（金）午前10時開議\n出席議員（82人）\n欠席議員（４人）"
    assert [header[a:b] for a, b in quote_spans(header, quote)] == quote.split("\n")
    assert joined(["一つ目。", "三つ目。"]) == "一つ目。三つ目。"  # marked sentences run on
    # a date stated without its year is that day's when the record's month and day match
    assert not ex.lacks_asked_figure("11月29日の本会議を欠席した議員は何人か", _hits(that_day))
    # a word of the meeting's name that the question also uses as its subject stays
    budget = {**meta, "meeting": "予算特別委員会", "date": "2024-03-01"}
    asked = "予算特別委員会で審議された予算の総額はいくらか"
    assert "予算" in ex._subject(asked, understand(asked), {"予算": 1.0, "総額": 1.0}, budget)
    # another day's record: the date stays part of the subject, and the line holds none of it
    assert ex._subject(q, understand(q), {"月": 1.0, "欠席": 1.0}, other_day.metadata) == {
        "月": 1.0,
        "欠席": 1.0,
    }
    assert ex._subject(q, understand(q), {"月": 1.0, "欠席": 1.0}, that_day.metadata) == {
        "欠席": 1.0
    }


def test_english_terms_are_placed_through_their_translations_but_not_gated_by_them() -> None:
    from rag.bilingual import Lexicon

    report = Chunk(
        "l#1",
        "公式LINEの運用は広報課の所管です。道路の損傷の通報は170件ほどありました。",
        "公式LINE 道路 損傷 通報",
        {"chunk_type": "answer", "doc_id": "l", "char_span": [0, 40]},
    )
    bm25 = BM25.build([TOK(report.text), TOK(QUESTION.text), TOK(BUDGET.text)])
    lexicon = Lexicon({"road": [("道路", 1.0)], "damage": [("損傷", 1.0), ("被害", 1.0)]})
    ev = Evidence(TOK, bm25, lexicon=lambda: lexicon)
    q = "How much road damage was reported?"
    weights = ev.weights(q)
    assert "道路" in weights and "損傷" in weights  # 被害 is not in the index: left out
    assert "道路" not in ev.weights(q, translated=False)
    assert ev.best_covered(
        weights, ["公式LINEの運用は広報課の所管です。", "道路の損傷の通報は170件ほど。"]
    ).startswith("道路")
    plain = Evidence(TOK, bm25)
    assert plain.confidence(q, _hits(report)) == ev.confidence(q, _hits(report))


def test_a_figure_of_the_year_asked_about_leads_over_one_of_another_year() -> None:
    """A figure's year is the date in brackets right after it, else the last one before it
    in its clause, else in its sentence; 前年度 between them makes it another year's."""
    national = (
        "令和3年の国の調査では全国の待機児童数は5,634人まで減っており、"
        "本区でも取組を重ね、令和4年4月には待機児童が12人となりました。"
    )
    q = "本区の令和4年の待機児童数は何人か"
    found = {f.figure: f.dated for f in figures(q, [national], "amount")}
    assert found == {"5,634人": -1, "12人": 1}
    assert {f.dated for f in figures("本区の待機児童数は何人か", [national], "amount")} == {0}
    assert {f.dated for f in figures("2022年の待機児童数は何人か", [national], "amount")} == {-1, 1}
    bracketed = "貸出冊数は152万冊（令和5年度）、148万冊（令和4年度）でした。"
    found = {f.figure: f.dated for f in figures("令和5年度の貸出冊数", [bracketed], "amount")}
    assert found == {"152万冊": 1, "148万冊": -1}
    relative = "令和5年度は152万冊で、前年度の148万冊から増えました。"
    found = {f.figure: f.dated for f in figures("令和5年度の貸出冊数", [relative], "amount")}
    assert found == {"152万冊": 1, "148万冊": -1}
    chunk = Chunk(
        "k#4", national, national, {"chunk_type": "turn", "doc_id": "k", "char_span": [0, 99]}
    )
    lead, _, _ = _looking_up(chunk).compose_with_lead(q, _hits(chunk))
    assert "12人" in lead and "5,634人" not in lead


def test_a_clause_is_not_cut_at_the_comma_of_a_number() -> None:
    said = "全国では77万人、本市は1,000人を割り込みました。"
    assert _phrase(said, 12, 18) == "本市は1,000人を割り込みました"


def test_a_figure_of_something_else_is_not_the_figure_asked_for() -> None:
    """Asked what a dashboard cost, a passage that states what a survey cost shares only
    「費用」 with the question: the documents do not state the figure asked for. A passage
    that names the dashboard two sentences before its cost answers it; the asking words
    (いくら, かかった) are no part of what the figure must be about."""
    survey = Chunk(
        "s#29",
        "人流調査についてですが、令和3年度に実施した調査の費用が134万5,000円です。",
        "人流調査",
        {"city": "仙台市", "chunk_type": "answer", "doc_id": "s"},
    )
    dashboard = Chunk(
        "s#30",
        "データダッシュボードについてお答えします。本事業は令和4年度に着手しました。"
        "開発の費用は480万円でした。",
        "データダッシュボード",
        {"city": "仙台市", "chunk_type": "answer", "doc_id": "s"},
    )
    q = "データダッシュボードの開発費用はいくらかかったか"
    ex = _looking_up(survey, dashboard)
    assert ex.lacks_asked_figure(q, _hits(survey))
    assert not ex.lacks_asked_figure(q, _hits(dashboard))
    assert not ex.lacks_asked_figure("人流調査の費用はいくらか", _hits(survey))
    # the lead line holds itself to the same: the dashboard's cost, not the survey's
    lead, _, _ = ex.compose_with_lead(q, _hits(survey, dashboard))
    assert "480万円" in lead and "134万" not in lead


def test_a_yes_no_question_is_answered_by_where_the_matter_stands() -> None:
    """Asked whether something is done, the sentence that says where it stands (検討中,
    予定はございません) outranks one that only talks about it."""
    turn = Chunk(
        "k#9",
        "生成AIについては、業務の効率化や区民サービスの向上に寄与するものと考えています。"
        "本区での導入については、庁内の体制も含めて現在検討中です。",
        "生成AI 導入",
        {"city": "品川区", "chunk_type": "turn", "doc_id": "k"},
    )
    ex = dataclasses.replace(
        _looking_up(turn), params=dataclasses.replace(DEFAULT_PARAMS, max_sentences=1)
    )
    [picked] = ex.pick("品川区では生成AIを導入しているか", _hits(turn))
    assert "検討中" in picked.text


@pytest.mark.parametrize(
    ("question", "side"),
    [
        ("市第12号議案について会派を代表して質疑したのは誰ですか", "member"),
        ("議員が公園の再整備について市に求めたことは何か", "member"),
        ("予算に反対した会派はどこか", "member"),
        ("反対討論を行った議員は", "member"),
        ("What did the member ask the city to do about the library?", "member"),
        ("Which committee member called the plan unfair?", "member"),
        ("この質問に答弁したのは誰か", "official"),
        ("議員の質問に対し、市はどのように答弁したか", "official"),  # the reply is asked for
        ("How did the city respond to the member's criticism?", "official"),
        ("補正額はいくらか", "official"),
        ("なぜ延期したのか", "official"),
        ("How did the city cut cloud costs?", "official"),
        ("How many people called the consultation line?", "official"),
        ("How much did the city raise the fee?", "official"),
        ("How many staff members were hired?", "official"),
        ("What did the questionnaire find?", "official"),
        ("議案の提案理由は何か", "official"),
        ("政党交付金の額はいくらか", "official"),
        ("予算特別委員会で市が説明した事業費はいくらか", "official"),
        ("市は国に何を求めているか", None),  # asked for by someone not a member
        ("副委員長に指名されたのは誰か", None),  # someone the text names
        ("議案第70号はどう議決されたか", None),  # the chair pronounces it
    ],
)
def test_whose_turn_answers_a_question(question: str, side: str | None) -> None:
    assert wanted_speaker(question) == side


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What was the reason for the delay?", "why"),
        ("What is the collection rate of the city tax?", "amount"),
        ("Why did the water rate go up?", "why"),
        ("When will the new tax rate take effect?", "when"),
        ("Is the city considering lowering the rate?", "yesno"),
    ],
)
def test_reason_and_rate_questions_are_typed_by_what_they_ask(question: str, kind: str) -> None:
    assert question_type(question) == kind


def test_an_apology_is_not_where_a_matter_stands() -> None:
    from rag.extractive import _CUES

    status = _CUES["yesno"]
    assert status.search("現時点で導入の予定はございません。")
    assert not status.search("ご不便をおかけし、申し訳ございません。")


def test_who_said_something_is_whoever_spoke_it_not_the_chair_who_called_them() -> None:
    """「…を述べたのは誰か」 asks for whoever spoke, member or official: the speaker of the
    sentence that holds the question best, not the chair who names the item."""
    mayor = {"name": "大泉潤", "role": "市長", "category": "official", "label": "市長（大泉潤）"}
    chair = {"name": "吉田崇仁", "role": "議長", "category": "chair", "label": "議長（吉田崇仁）"}
    text = "日程第６　市政執行方針について市長の発言を許します。市政執行方針を申し上げます。本市の人口減少対策を進めます。"
    turns = [{"offset": 0, "speaker": chair["label"]}, {"offset": 26, "speaker": mayor["label"]}]
    speech = Chunk(
        "h#11",
        text,
        text,
        {
            "doc_id": "h",
            "chunk_type": "procedure",
            "answerers": [mayor, chair],
            "speaker_details": [chair, mayor],
            "turn_offsets": turns,
        },
    )
    assert speaker_asked("市政執行方針を述べたのは誰か") == "said"
    assert speaker_asked("経験加算は少な過ぎると述べた議員は誰ですか") == "asked"  # a member
    ev = Evidence(TOK, BM25.build([TOK(text)]))
    ex = Extractor(ev, as_batched(FakeEmbeddings()))
    lead, _, _ = ex.compose_with_lead("市政執行方針を述べたのは誰か", _hits(speech))
    assert lead.startswith("大泉潤（市長）")
    # the chair, when the question asks for the chair
    lead, _, _ = ex.compose_with_lead("市政執行方針について述べた議長は誰か", _hits(speech))
    assert lead.startswith("吉田崇仁（議長）")
    # nothing the question asks about is said: no one is named
    lead, _, _ = ex.compose_with_lead("下水道料金の値上げについて述べたのは誰か", _hits(speech))


def test_the_chairs_call_names_who_spoke_in_the_next_passage() -> None:
    """A chair's call that gives the floor (「…市長から発言を求められておりますので、これを
    許します。」) is often the only passage holding the item's name; the speech follows in
    the next passage, under the next turn's number, and its speaker is who spoke."""
    mayor = {"name": "大泉潤", "role": "市長", "category": "official", "label": "市長（大泉潤）"}
    chair = {"name": "吉田崇仁", "role": "議長", "category": "chair", "label": "議長（吉田崇仁）"}
    call_text = (
        "日程第６　市政執行方針について市長から発言を求められておりますので、これを許します。"
    )
    call = Chunk(
        "h#011",
        call_text,
        call_text,
        {
            "doc_id": "h",
            "chunk_type": "procedure",
            "answerers": [chair],
            "turn_offsets": [{"offset": 0, "n": 14, "speaker": chair["label"]}],
        },
    )
    speech_text = "令和６年第１回市議会定例会の開会に当たり、私の所信を申し述べます。"
    speech = Chunk(
        "h#012",
        speech_text,
        speech_text,
        {
            "doc_id": "h",
            "chunk_type": "statement",
            "answerers": [mayor],
            "turn_offsets": [{"offset": 0, "n": 15, "speaker": mayor["label"]}],
        },
    )
    ev = Evidence(TOK, BM25.build([TOK(call_text), TOK(speech_text)]))
    by_id = {c.id: c for c in (call, speech)}
    ex = Extractor(ev, as_batched(FakeEmbeddings()), lookup=by_id.get)
    lead, _, citations = ex.compose_with_lead("市政執行方針を述べたのは誰か", _hits(call))
    assert lead.startswith("大泉潤（市長）")
    assert "これを許します" in citations[0].quote  # the call is the evidence, and is cited
    # the speech may begin passages later (the chair's turn run on into the next passage)
    more = dataclasses.replace(
        call,
        id="h#012",
        text="（大泉　潤市長登壇）",
        metadata={**call.metadata, "chunk_type": "procedure"},
    )
    later = dataclasses.replace(speech, id="h#013")
    far = {c.id: c for c in (call, more, later)}
    lead, _, _ = Extractor(ev, as_batched(FakeEmbeddings()), lookup=far.get).compose_with_lead(
        "市政執行方針を述べたのは誰か", _hits(call)
    )
    assert lead.startswith("大泉潤（市長）")
    # a chair allowing something else (写真撮影) gives no one the floor
    photo = dataclasses.replace(call, text="日程第６　市政執行方針の写真撮影を許可します。")
    lead, _, _ = ex.compose_with_lead("市政執行方針を述べたのは誰か", _hits(photo))
    assert lead == ""
    # a call whose next turn is not found names no one: the chair did not speak to it
    alone = Extractor(ev, as_batched(FakeEmbeddings()), lookup={call.id: call}.get)
    lead, _, _ = alone.compose_with_lead("市政執行方針を述べたのは誰か", _hits(call))
    assert lead == ""
    # nor does the chair's sentence that only names the item (no floor given)
    named = dataclasses.replace(call, text="日程第６　市政執行方針を議題といたします。")
    lead, _, _ = ex.compose_with_lead("市政執行方針を述べたのは誰か", _hits(named))
    assert lead == ""


def test_a_speaker_labelled_by_post_alone_is_named_by_the_post() -> None:
    """Committee minutes label officials, and the vice-chair speaking to the matter, by
    post alone (◯副委員長, ◯デジタル戦略推進部長): the post answers who said it."""
    vice = {"name": None, "role": "副委員長", "category": "chair", "label": "副委員長"}
    text = "民間のデータも含めて効果的なＥＢＰＭにつなげていただきたいと思います。"
    turn = Chunk(
        "s#47",
        text,
        text,
        {
            "doc_id": "s",
            "chunk_type": "statement",
            "speaker_details": [vice],
            "turn_offsets": [{"offset": 0, "speaker": "副委員長"}],
        },
    )
    ev = Evidence(TOK, BM25.build([TOK(text)]))
    ex = Extractor(ev, as_batched(FakeEmbeddings()))
    q = "民間のデータも含めて効果的なEBPMにつなげてほしいと述べたのは誰か"
    assert ex.compose_with_lead(q, _hits(turn))[0] == "副委員長 [1]"


@pytest.mark.parametrize(
    ("question", "units"),
    [
        ("人口はどれだけ減るとされているか", {"人"}),  # what it measures, when nothing else
        ("人口減少対策の予算はいくらか", {"円"}),  # money asked: not a head count
        ("What is the population density of the ward?", set()),
        (
            "新庁舎の延床面積はどのくらいか",
            {"平方キロメートル", "平方キロ", "km2", "ha", "平方メートル", "平米", "m2"},
        ),
    ],
)
def test_a_population_or_an_area_is_asked_in_its_units_only_when_nothing_else_is(
    question: str, units: set[str]
) -> None:
    assert asked_units(question) == units


def test_a_figure_is_dated_against_the_year_an_english_question_names() -> None:
    """「令和3年度は12回開いて160人、令和4年度は49回開いて374人」: "fiscal 2022" is 令和4年度,
    read by rag.understanding, as 令和4年度 written in a Japanese question is."""
    said = ["令和3年度は12回開いて160人、令和4年度は49回開いて374人ということです。"]
    q = "How many people attended the smartphone classes in fiscal 2022?"
    years = understand(q).years()
    assert years == {2022}
    people = [(f.figure, f.dated) for f in figures(q, said, "amount", years) if f.wanted]
    assert people == [("160人", -1), ("374人", 1)]
    assert {f.dated for f in figures(q, said, "amount")} == {0}  # no year written in it
    ja = "令和4年度の講習会の参加者は何人か"
    assert [f.dated for f in figures(ja, said, "amount") if f.wanted] == [-1, 1]


def test_an_area_is_read_in_the_units_nfkc_makes_of_square_metres() -> None:
    found = figures("延床面積はどのくらいか", ["延床面積は12,000㎡、敷地は3ha"], "amount")
    assert [f.figure for f in found] == ["12,000m2", "3ha"]


def test_english_how_much_measures_what_the_question_names() -> None:
    assert asked_units("By how much will Hakodate's population fall?") == {"円", "人"}
    assert asked_units("How much is the budget for population measures?") == {"円"}


@pytest.mark.parametrize(
    ("question", "units"),
    [
        ("函館市議会は定例会初日の翌日から何日間休会することにしたか", {"日間"}),
        ("For how many days did the council adjourn?", {"日間"}),
        ("審議に何時間かかったか", {"時間"}),
    ],
)
def test_a_length_of_time_is_a_count_in_its_unit_not_a_date(question: str, units: set[str]) -> None:
    assert question_type(question) == "amount" and asked_units(question) == units
    assert question_type("次の会議は何日に開かれるか") == "when"  # a day, not a count of days


def test_days_named_by_a_meeting_are_stated_as_dates_not_required_as_words() -> None:
    """「初日の翌日から」: the chair says 「２月23日から」; the count of the adjournment is
    answered, not the session's length beside it, and not refused for lack of 初日 or 翌日."""
    chair = Chunk(
        "hk#34",
        "お諮りいたします。本定例会は、議事の都合により、２月23日から２月26日までの４日間休会"
        "いたしたいと思います。これに御異議ありませんか。",
        "議長 休会",
        {"council": "函館市議会", "chunk_type": "procedure", "doc_id": "hk", "date": "2024-02-22"},
    )
    term = Chunk(
        "hk#4",
        "お諮りいたします。本定例会の会期は、本日から３月14日までの22日間といたしたいと思います。",
        "議長 会期",
        {"council": "函館市議会", "chunk_type": "procedure", "doc_id": "hk", "date": "2024-02-22"},
    )
    ex = _looking_up(chair, term)
    q = "函館市議会は定例会初日の翌日から何日間休会することにしたか"
    subject = ex._subject(q, understand(q), {"初日": 1.0, "翌日": 1.0, "休会": 1.0}, chair.metadata)
    assert subject == {"休会": 1.0}
    q = "定例会の初日の翌日から何日間休会したか"
    assert not ex.lacks_asked_figure(q, _hits(chair, term))
    assert ex.compose_with_lead(q, _hits(chair, term))[0].startswith(
        "2月23日から2月26日までの4日間"
    )


def test_a_figure_is_read_with_the_polarity_the_question_asks() -> None:
    """「利用していないと答えた職員は何人か」: the count of those who did not, not the survey's
    respondents, whose sentence holds more of the question; a clause negated as the
    question is weighs in (ExtractiveParams.figure_polarity)."""
    survey = Chunk(
        "sd#7",
        "生成AIに関する職員アンケートは528名の職員から回答を得たものです。ChatGPTを使ったことが"
        "あると答えた職員203人が母数となっております。こちらは利用していないと回答した325人に"
        "理由を聞いた結果です。",
        "職員アンケート",
        {"chunk_type": "answer", "doc_id": "sd", "municipality": "仙台市"},
    )
    ex = _looking_up(survey)
    asked = "生成AIに関する職員アンケートで、ChatGPTを利用していないと答えた職員は何人か"
    assert "325人" in ex.compose_with_lead(asked, _hits(survey))[0]
    plain = Extractor(
        ex.evidence, ex.embeddings, dataclasses.replace(DEFAULT_PARAMS, figure_polarity=0.0)
    )
    assert "528名" in plain.compose_with_lead(asked, _hits(survey))[0]  # control


def test_who_holds_a_post_is_read_from_the_minutes_that_name_it_with_the_post() -> None:
    """◯委員長 labels the chair by the post alone; a member's 「沼沢委員長、田村副委員長の下
    で」 names both. 正副委員長 (chair and vice-chair) is no one's name, nor is 総務 of
    総務委員長 (the chair of 総務委員会), however often they come."""
    meta = {
        "kind": "minutes",
        "doc_id": "sd",
        "municipality": "仙台市",
        "chunk_type": "qa",
        "meeting": "調査特別委員会",
    }
    chair = Chunk(
        "sd#000",
        "ただいまから委員会を開会いたします。視察先は正副委員長に一任いただきます。"
        "日程は正副委員長で調整いたします。総務委員長の報告を求めます。総務委員長、どうぞ。"
        "本件は総務委員会に付託いたします。",
        "委員会",
        {**meta, "speakers": ["委員長"], "chunk_type": "procedure"},
    )
    member = Chunk(
        "sd#001",
        "１年間を振り返ったときに、やはり沼沢委員長、田村副委員長の下で、有意義な調査が"
        "進んだというふうな状況をつくっていけるように頑張りたいと思います。",
        "調査特別委員会",
        {**meta, "speakers": ["鈴木広康"]},
    )
    ex = _looking_up(chair, member)
    q = "仙台市議会の調査特別委員会の委員長は誰か"
    lead, _, citations = ex.compose_with_lead(q, _hits(chair))
    assert lead.startswith("委員長　沼沢")
    assert any(c.id == "sd#001" and "沼沢委員長" in c.quote for c in citations)
    lead = ex.compose_with_lead("調査特別委員会の副委員長は誰か", _hits(chair))[0]
    assert lead.startswith("副委員長　田村")
    assert not ex.compose_with_lead("横浜市会の委員長は誰か", _hits(chair))[0]  # another council


@pytest.mark.parametrize(
    ("question", "post", "holder"),
    [
        ("盛岡市の市長は誰ですか", "市長", "市長"),
        ("仙台市のデジタル戦略推進部長の氏名は何か", "部長", "部長"),
        ("危機管理監には誰が就くのか", "監", "監"),
        ("函館市議会の総務常任委員長を務めているのは誰か", "委員長", "委員長"),
        ("副市長に選任されたのは誰か", "副市長", "副市長"),
        ("Who chairs the city council's special committee on finance?", "委員長", "委員長"),
        ("Who presided over the plenary session?", "議長", "議長"),
        # who did something to or with the holder, or chaired something that is no body
        ("市長は誰と会談したのか", "市長", None),
        ("委員長は誰を指名したか", "委員長", None),
        ("市長に誰が要望したのか", None, None),
        ("市長には誰が同行したのか", None, None),
        ("Who chaired the meeting?", None, None),
        ("Who chairs the residents' association?", None, None),
    ],
)
def test_questions_asking_who_holds_a_post(question: str, post: str, holder: str) -> None:
    assert asked_post(question) == post
    assert asks_post_holder(question) == holder


def test_a_post_of_one_kanji_is_a_word_of_its_own() -> None:
    """危機管理監 is sought as the question writes it: 監査 (audit) and 監督 name no holder
    of 監, and the name before the whole post is its holder's."""
    meta = {"kind": "minutes", "doc_id": "hk", "municipality": "函館市", "chunk_type": "qa"}
    audit = Chunk("hk#000", "定期監査の結果について、代表監査委員から報告がありました。", "", meta)
    named = dataclasses.replace(audit, id="hk#001", text="山田危機管理監から説明いたします。")
    q = "函館市の危機管理監は誰ですか"
    assert not _looking_up(audit).lead_line(q, _hits(audit), [], "ja")[0]
    lead = _looking_up(audit, named).lead_line(q, _hits(audit), [], "ja")[0]
    assert lead.startswith("危機管理監　山田")  # read in the rest of the minutes


def test_a_decision_is_looked_up_in_the_minutes_and_a_committee_s_result_asked_for_first() -> None:
    """The vote is a procedural passage that shares few words with the question: it is
    looked up in the minutes of the passages found. 「委員会の審査結果」 asks for the
    committee's recommendation the chair stated before the vote, not the plenary's vote."""
    meta = {"kind": "minutes", "doc_id": "yk", "municipality": "横浜市"}
    reply = Chunk(
        "yk#000",
        "市第54号議案について御説明をいたします。本案は、給与改定を実施するためのものです。",
        "市第54号議案",
        {**meta, "chunk_type": "answer"},
    )
    vote = Chunk(
        "yk#001",
        "委員会の報告書は、原案可決であります。よって、原案どおり可決されました。",
        "採決",
        {
            **meta,
            "chunk_type": "procedure",
            "decisions": [
                {"item": "市第54号議案", "number": 54, "title": "給与条例の一部改正",
                 "result": "可決", "method": "電子表決", "tally": None,
                 "sentence": "よって、原案どおり可決されました。"}
            ],
            "committee_decisions": [
                {"item": "市第54号議案", "number": 54, "title": "給与条例の一部改正",
                 "result": "原案可決", "method": None, "tally": None,
                 "sentence": "委員会の報告書は、原案可決であります。"}
            ],
        },
    )  # fmt: skip
    ex = _looking_up(reply, vote)
    lead, _, citations = ex.compose_with_lead(
        "市第54号議案について、委員会の審査結果はどうだったか", _hits(reply)
    )
    assert lead.startswith("委員会の報告：市第54号議案（給与条例の一部改正）：原案可決")
    assert any(c.id == "yk#001" and "原案可決であります" in c.quote for c in citations)
    lead = ex.compose_with_lead("市第54号議案は可決されたか", _hits(reply))[0]
    assert lead.startswith("市第54号議案（給与条例の一部改正）：可決（電子表決）")
    plain = Extractor(ex.evidence, ex.embeddings)  # no way to look the minutes up
    assert not plain.compose_with_lead("市第54号議案は可決されたか", _hits(reply))[0]


def test_a_latin_name_spelled_the_english_way_is_read_as_the_index_writes_it() -> None:
    """ "Konica" is コニカ (read konika): c for k, l for r and long vowels vary between the
    English spelling of a Japanese name and its romanised reading."""
    bm25 = BM25.build([TOK("コニカミノルタとの連携協定"), TOK("大野議員")])
    ev = Evidence(TOK, bm25)
    q = "How many days did Morioka take for the agreement with Konica Minolta?"
    assert "Konica" not in ev.missing_names(q)
    assert ev.read("Konica") == ("コニカ",)
    assert ev.missing_names("When did Canonica sign?") == ["Canonica"]


def test_an_english_count_is_a_figure_of_what_it_counts() -> None:
    """ "How many school social workers …": a count of people stated of all the board's
    part-time staff counts other people; the lead line and the refusal gate want the figure
    where the counted thing's translations (スクールソーシャルワーカー) are, as a Japanese
    question's subject must be near its figure."""
    staff = Chunk(
        "y#21",
        "教育委員会で任用している会計年度任用職員の総数は3580人です。",
        "会計年度任用職員",
        {"chunk_type": "answer", "doc_id": "y", "city": "横浜市"},
    )
    workers = dataclasses.replace(
        staff, id="y#22", text="スクールソーシャルワーカーは現在28人を任用しております。"
    )
    bm25 = BM25.build([TOK(c.text) for c in (staff, workers, QUESTION, BUDGET)])
    lexicon = Lexicon({"school": [("スクール", 1.0)], "social": [("ソーシャル", 1.0)]})
    ev = Evidence(TOK, bm25, lexicon=lambda: lexicon)
    ex = Extractor(ev, as_batched(FakeEmbeddings()))
    q = "How many school social workers does the Board of Education employ?"
    assert ex.lacks_asked_figure(q, _hits(staff))
    assert not ex.lacks_asked_figure(q, _hits(staff, workers))
    lead, _ = ex.lead_line(q, _hits(staff, workers), [], "en")
    assert lead.startswith("スクールソーシャルワーカーは現在28人")
    # a count of people alone names nothing beyond its unit: any count of people answers
    assert not ex.lacks_asked_figure("How many people does the board employ?", _hits(staff))


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("仙台市のデジタル戦略推進部長の氏名は何か", "who"),
        ("委員長の名前を教えてください", "who"),
        ("氏名の公表はいつから行うのか", "when"),  # 氏名 as a thing, not the ask
        ("審議会委員の氏名はなぜ非公開なのか", "why"),
        ("施設の名前は何ですか", "other"),  # the name of a thing
    ],
)
def test_a_name_asked_for_is_a_who_question_only_as_its_ask(question: str, kind: str) -> None:
    assert question_type(question) == kind


def test_a_range_s_second_date_ends_it() -> None:
    """「4月1日～4月30日」 asked until when: the second date, after the range's separator."""
    ends = [f.figure for f in figures("受付はいつまでか", ["受付期間は4月1日～4月30日です"], "when")
            if f.bound == "until"]  # fmt: skip
    assert ends == ["4月30日"]


def test_the_person_a_who_question_names_is_not_its_answer() -> None:
    """「大泉市長は誰と会談したのか」 asks for the mayor's counterpart: the mayor taking the
    podium (a stage direction) answers nothing, nor does a sentence naming the mayor that
    does not name the 会談; 「函館市長に要望したのは誰か」 names the mayor by the post."""
    meta = {"city": "函館市", "chunk_type": "answer", "doc_id": "h"}
    podium = Chunk(
        "h#30",
        "（大泉　潤市長登壇）\n市政執行方針を申し上げます。要望を踏まえ、会談を重ねてまいりました。",
        "市長",
        meta,
    )
    ex = _looking_up(podium)
    assert not ex.compose_with_lead("大泉市長は誰と会談したのか", _hits(podium))[0]
    named = dataclasses.replace(
        podium, id="h#31", text="大泉潤市長から、要望書の提出について説明がありました。"
    )
    assert not _looking_up(named).compose_with_lead("函館市長に要望したのは誰か", _hits(named))[0]
    met = dataclasses.replace(podium, id="h#32", text="昨年、大泉市長は山田知事と会談しました。")
    lead = _looking_up(met).compose_with_lead("大泉市長は誰と会談したのか", _hits(met))[0]
    assert lead.startswith("山田")


def test_whom_a_who_question_names_by_surname_post_or_reading() -> None:
    """Each way a question names the other party: surname with the same post, the post
    before に/と/へ/から/を, the English reading as a word; and what does not: the post as
    the doer's capacity (として), the vice post, the same surname in another post, a
    reading inside a longer word."""
    assert _in_question("大泉潤", "（大泉　潤市長登壇）", "大泉市長は誰と会談したのか")
    assert _in_question("山田太郎", "山田太郎総務部長から説明", "総務部長に要望したのは誰か")
    assert _in_question("大泉潤", "大泉潤市長が", "Who did Hakodate Mayor Oizumi meet with?")
    said = "出村ゆかり委員長から報告がありました。"
    assert not _in_question("出村ゆかり", said, "委員長として報告したのは誰か")
    assert not _in_question(
        "大泉潤", "大泉潤市長が副市長に指示しました。", "副市長に指示したのは誰か"
    )
    assert not _in_question("鈴木一郎", "鈴木一郎総務部長から", "鈴木議員の質問に答弁したのは誰か")
    assert not _in_question("大野", "大野委員から", "Which member raised economic concerns?")


def test_an_english_question_naming_a_council_is_answered_from_that_council() -> None:
    """ "the Sendai City Council" names the council whose roster answers (the post and
    list readers skip any other municipality's, such as 墨田区's report header)."""
    bm25 = BM25.build([TOK("仙台市議会の委員会"), TOK(QUESTION.text)])
    ex = Extractor(Evidence(TOK, bm25), as_batched(FakeEmbeddings()))
    assert ex._councils_asked("Who chairs the Sendai City Council DX committee?") == {
        "仙台市",
        "仙台区",
    }
    assert ex._councils_asked("Who chairs the DX committee?") == set()
    assert ex._councils_asked("Who chairs the DX committee in Sendai city?") == set()  # a place


@pytest.mark.parametrize(
    ("question", "kind", "units"),
    [
        ("計画の冊子は何部作成するとされたか", "amount", {"部"}),  # copies
        ("作成した冊子は何部か", "amount", {"部"}),  # か ending the question asks
        ("何部かの冊子を配布したか", "other", set()),  # 何部か: "some copies", no count
        ("契約金額の何パーセントか", "amount", {"%"}),
        ("行政手続のオンライン化は何業務まで進んでいるか", "amount", {"業務"}),  # its work
        ("何事業費を計上したか", "other", set()),  # 事業費: no count of 事業
        ("議案への賛成は何票だったか", "amount", {"票"}),
        ("公営住宅を何棟建て替えるのか", "amount", {"棟"}),
        ("対象は何歳からか", "amount", {"歳"}),  # 何歳から: from what age, not "some age"
        ("事業は何年間続けるのか", "amount", {"年間"}),
        ("何部署が関わっているのか", "other", set()),  # 部署: which department, no count
    ],
)
def test_a_counter_after_nan_asks_how_many_of_it(question: str, kind: str, units: set[str]) -> None:
    """何 before a counter (助数詞) asks how many: 何部 copies, 何票 votes; the figure that
    answers is written with that counter (3,000部), not 第2部会 or 3歳児."""
    assert question_type(question) == kind
    assert asked_units(question) == units


def test_a_number_before_a_counter_is_a_count_and_not_a_word_it_begins() -> None:
    found = figures(
        "冊子は何部作成するか", ["冊子は3,000部作成し、2部会で3歳児に1週間配布"], "amount"
    )
    assert [(f.figure, f.wanted) for f in found] == [("3,000部", True), ("1週間", False)]


def test_the_lead_line_takes_a_figure_from_the_meeting_the_question_names() -> None:
    """「2022年4月の総務委員会で…何部作成するとされたか」: the figure stated at that
    committee's sitting, not another meeting's booklet that shares as many words."""
    other = Chunk(
        "a#1",
        "今年4月に総務委員会に報告する計画の冊子は7,000部作成されました。",
        "",
        {"doc_id": "a", "meeting": "総務委員会", "date": "2021-04-19", "chunk_type": "answer"},
    )
    named = Chunk(
        "b#1",
        "今年4月に総務委員会に報告する冊子は1,000部作成されました。",
        "",
        {"doc_id": "b", "meeting": "総務委員会", "date": "2022-04-18", "chunk_type": "answer"},
    )
    ev = Evidence(TOK, BM25.build([TOK(c.text) for c in (other, named)]))
    ex = Extractor(ev, as_batched(FakeEmbeddings()))
    q = "2022年4月の総務委員会で、計画の冊子は何部作成するとされたか"
    assert "1,000部" in ex.lead_line(q, _hits(other, named), [], "ja")[0]
    assert (
        "7,000部" in _tuned(ex, figure_meeting=0.0).lead_line(q, _hits(other, named), [], "ja")[0]
    )


def test_a_post_the_question_qualifies_is_not_another_body_s() -> None:
    """「小学校PTA会長の氏名は何か」 asks for the PTA's chair: 自治 of 自治会長 (a residents'
    association's chair) and PTA itself are no names; a proper name before the post is."""
    meta = {"kind": "minutes", "doc_id": "sg", "municipality": "品川区", "chunk_type": "qa"}
    other = Chunk(
        "sg#000", "当時の自治会長やPTA会長の方々が発案して始まった運動でございます。", "", meta
    )
    q = "83運動を発案した、当時の小学校PTA会長の氏名は何か"
    assert post_written(q, "会長") == "小学校PTA会長"
    assert not _looking_up(other).lead_line(q, _hits(other), [], "ja")[0]
    acronym = dataclasses.replace(other, text="PTA会長が発案した運動でございます。")
    named = dataclasses.replace(
        other, id="sg#001", text="山田会長のご発案で始まった運動でございます。"
    )
    assert not _looking_up(acronym).lead_line("当時の会長は誰か", _hits(acronym), [], "ja")[0]
    lead = _looking_up(acronym, named).lead_line("当時の会長は誰か", _hits(acronym), [], "ja")[0]
    assert lead.startswith("会長　山田")


def test_a_share_asked_with_nan_is_asked_in_its_unit_not_in_the_money_it_is_of() -> None:
    """「契約金額の何%か」 asks for a share: 149億9,300万円 (the contract sum the question
    names) does not answer it."""
    assert asked_units("新庁舎の工事契約で今年度に支払うのは契約金額の何%か") == {"%"}
    found = figures(
        "今年度に支払うのは契約金額の何%か", ["契約金額は149億円で、今年度は10%を支払う"], "amount"
    )
    assert [(f.figure, f.wanted) for f in found] == [("149億円", False), ("10%", True)]


def test_the_lead_line_dates_what_is_asked_not_the_context_the_question_opens_with() -> None:
    """「…によると、LINE社の問題の後、総務省からガイドラインが示されたのはいつか」: the
    clauses before the last set the scene; the date of the guideline answers, not the date
    of the LINE account whose clause holds more of the question's words."""
    text = (
        "個人情報の取扱いに問題のあるLINE社の公式アカウントを令和2年8月に取得しました。"
        "その後、6月に総務省からガイドラインが提示されました。"
    )
    turn = Chunk("l#1", text, "", {"doc_id": "l", "chunk_type": "answer"})
    ev = Evidence(TOK, BM25.build([TOK(text), TOK("区の広報について"), TOK("予算の審査")]))
    ex = Extractor(ev, as_batched(FakeEmbeddings()))
    q = "質疑によると、LINE社の公式アカウントの個人情報の取扱いの問題の後、総務省からガイドラインが示されたのはいつか"
    assert "6月" in ex.lead_line(q, _hits(turn), [], "ja")[0]
    assert "令和2年8月" in _tuned(ex, figure_clause=0.0).lead_line(q, _hits(turn), [], "ja")[0]


def test_a_number_asked_with_ikutsu_may_be_written_bare_with_decimals() -> None:
    """「自殺率は、令和5年度にいくつまで上昇したか」: a rate per head is written without a
    unit (「令和5年度、16.5と上昇」); the question's 率は asks no % of it."""
    found = figures(
        "品川区の自殺率は、令和5年度にいくつまで上昇したか",
        ["令和3年度は自殺率が11.5、令和4年度、12.5、令和5年度、16.5と上昇"],
        "amount",
    )
    assert [(f.figure, f.wanted) for f in found] == [("11.5", True), ("12.5", True), ("16.5", True)]
    assert max(found, key=lambda f: f.dated).figure == "16.5"


def test_who_asked_at_a_named_sitting_is_answered_from_that_sitting() -> None:
    """「2024年9月の総務委員会で…指摘したのは誰か」 asks who spoke at that sitting: a member
    who said the same at another sitting, ranked first, is not the answer; when no passage
    found is of the sitting (the question may name it otherwise), all are read."""
    sitting = {"meeting": "総務委員会", "date": "2024-09-25"}
    asked = dataclasses.replace(
        ASKED, id="y#17", metadata={**ASKED.metadata, **sitting, "question_id": "y#17"}
    )
    later = dataclasses.replace(
        ASKED,
        id="z#17",
        metadata={
            **ASKED.metadata,
            **sitting,
            "doc_id": "z",
            "date": "2025-08-25",
            "questioner": SHIRAI,
            "question_id": "z#17",
        },
    )
    ex = _looking_up(asked, later)
    q = "2024年9月の総務委員会で、会計年度任用職員の経験加算が少な過ぎると指摘したのは誰か"
    assert ex.compose_with_lead(q, _hits(later, asked))[0].startswith("井上さくら")
    undated = "総務委員会で、会計年度任用職員の経験加算が少な過ぎると指摘したのは誰か"
    assert ex.compose_with_lead(undated, _hits(later, asked))[0].startswith("白井")
    assert ex.compose_with_lead(q, _hits(later))[0].startswith("白井")  # none of the sitting


def test_several_is_not_how_many() -> None:
    """「いくつかの課題があるが、…何人か」: いくつか is "several", and asks no bare number."""
    found = figures(
        "いくつかの課題があるが、待機児童は何人か", ["第3期計画では、課題を5つに整理した"], "amount"
    )
    assert [(f.figure, f.wanted) for f in found if f.wanted] == []


def test_a_council_chair_the_question_qualifies_is_still_held_by_a_surname() -> None:
    """「調査特別委員長は誰か」 writes the committee into the post; the minutes' 「沼沢委員長」
    names its holder though UniDic reads 沼沢 (a marsh) as a common noun."""
    meta = {"kind": "minutes", "doc_id": "sd", "municipality": "仙台市", "chunk_type": "qa"}
    turn = Chunk("sd#000", "沼沢委員長の下で有意義な調査が進みました。", "", meta)
    lead = _looking_up(turn).lead_line("調査特別委員長は誰か", _hits(turn), [], "ja")[0]
    assert lead.startswith("調査特別委員長　沼沢")
