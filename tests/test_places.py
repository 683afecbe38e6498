"""One rule for place names, used by retrieval (which city a question names) and by
follow-ups (where the name is, to swap it); and the text helpers beneath it."""

from __future__ import annotations

from rag.places import Gazetteer
from rag.text import fold, sentences, split_after_ends, squash
from rag.tokenizing import Tokenizer

G = Gazetteer.from_places(["盛岡市", "仙台市", "北区"], Tokenizer())


def test_names_from_cities_stems_and_readings() -> None:
    assert G.names["盛岡"] == G.names["morioka"] == "盛岡市"
    assert "北" not in G.names  # a one-character stem would match everywhere


def test_mentioned_and_spans_agree() -> None:
    assert G.mentioned("How did Morioka get cloud cost savings?") == {"盛岡市"}
    assert G.mentioned("ＭＯＲＩＯＫＡ and 仙台の比較") == {"盛岡市", "仙台市"}
    assert G.mentioned("Moriokaのクラウド") == {"盛岡市"}  # a Latin name before kana
    assert G.mentioned("moriokan customs") == set()  # never inside a longer word
    assert G.spans("盛岡市と仙台") == [(0, 3, "盛岡市"), (4, 6, "仙台市")]  # longest first
    assert Gazetteer({}).spans("盛岡市") == []


def test_text_helpers() -> None:
    assert fold("ＩＣＴ") == "ict" and squash(" 盛岡\u3000市 \n") == "盛岡市"
    assert [s for _, s in sentences("です。「はい」。\nNo!")] == ["です。", "「はい」。", "No!"]
    # a line with no end mark is a sentence too (a header's lists, a heading), not only
    # the last one: 「欠席議員（４人）」 was dropped from every header but the last line
    header = "出席議員（82人）\n増永純女君\n欠席議員（４人）\n深作祐衣君"
    assert [s for _, s in sentences(header)] == header.split("\n")
    assert "".join(split_after_ends("a。b\nc")) == "a。b\nc"
