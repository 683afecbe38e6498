"""The English -> Japanese term list: built from glosses (unit, and from the real JMdict)."""

from __future__ import annotations

from collections.abc import Iterable

from rag.bilingual import Lexicon, build, jmdict_glosses
from rag.tokenizing import Tokenizer

TOKENS = Tokenizer("surface")


def fake_glosses(words: Iterable[str]) -> dict[str, list[str]]:
    table = {
        "費用": ["cost", "expense"],
        "保育園": ["nursery school", "day nursery"],
        "待機児童": ["child on waiting list (kindergarten, school, etc.)"],
        "職員": ["staff member", "personnel"],
        "議会": [
            "assembly",
            "council",
            "a body of elected members that deliberates on the budget of a city",
        ],
    }
    return {w: table[w] for w in words if w in table}


def test_whole_glosses_outrank_words_inside_longer_ones() -> None:
    lex = build(["費用", "保育園", "待機児童", "職員", "議会", "cost"], TOKENS, fake_glosses)
    assert lex.terms["cost"] == [("費用", 1.0)]  # English words of the vocabulary look up nothing
    assert lex.terms["nursery school"][0] == ("保育園", 1.0)
    assert lex.terms["staff"][0][0] == "職員" and lex.terms["staff"][0][1] < 1.0
    assert "budget" not in lex.terms  # a definition, not a translation
    assert lex.expand(TOKENS("How much did nursery schools cost the staff?")) == [
        "保育園",
        "費用",
        "職員",
    ]


def test_saved_and_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lex = Lexicon({"cost": [("費用", 1.0)]})
    lex.save(tmp_path / "lexicon.json")
    assert Lexicon.load(tmp_path / "lexicon.json") == lex
    assert Lexicon.load(tmp_path / "missing.json") is None


def test_the_packaged_jmdict_translates_council_words() -> None:
    found = jmdict_glosses(["予算", "条例", "保育園", "存在しない語"])
    assert "budget" in found["予算"] and "ordinance" in found["条例"]
    assert "存在しない語" not in found
