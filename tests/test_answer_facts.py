"""Issue 18: English names that are not names, romanised names, the question's type and
the lead line that states the asked-for fact, quotes without repeats. Hand-made passages;
fake embeddings only."""

from __future__ import annotations

import pytest

from rag.bm25 import BM25
from rag.chunking import Chunk
from rag.evidence import Evidence
from rag.tokenizing import Tokenizer, latin_names, romanized_reading

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
