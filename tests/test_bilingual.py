"""The English -> Japanese term list: built from glosses (unit, and from the real JMdict)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rag.bilingual import Entry, Lexicon, build, jmdict_entries, jmdict_glosses
from rag.tokenizing import Tokenizer

TOKENS = Tokenizer("surface")


def fake_entries(wanted: Callable[[str], bool]) -> Iterable[Entry]:
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
    return [Entry(w, tuple(g), common=True) for w, g in table.items() if wanted(w)]


def test_whole_glosses_outrank_words_inside_longer_ones() -> None:
    lex = build(["費用", "保育園", "待機児童", "職員", "議会", "cost"], TOKENS, fake_entries)
    assert lex.terms["cost"] == [("費用", 1.0)]  # English words of the vocabulary look up nothing
    assert lex.terms["nursery school"][0] == ("保育園", 1.0)
    assert lex.terms["staff"][0][0] == "職員" and lex.terms["staff"][0][1] < 1.0
    assert "budget" not in lex.terms  # a definition, not a translation
    assert lex.expand(TOKENS("How much did nursery schools cost the staff?")) == [
        "保育園",
        "費用",
        "職員",
    ]


def test_main_senses_and_common_words_come_first() -> None:
    entries = [
        Entry("三千", ("3000", "three thousand", "many", "a great many"), common=True),
        Entry("多数", ("great number", "many"), common=True),
        Entry("数多", ("many", "numerous"), common=False),
    ]
    lex = build(
        ["三千", "多数", "数多"], TOKENS, lambda wanted: [e for e in entries if wanted(e.written)]
    )
    assert [t for t, _ in lex.terms["many"]] == ["多数", "数多", "三千"]


def test_a_headword_the_index_splits_points_at_its_parts() -> None:
    entries = [
        Entry("補聴器", ("hearing aid",), common=True),
        Entry("国民健康保険", ("national health insurance",), common=True),
        Entry("第三者", ("third party", "outsider"), common=True),
    ]
    vocab = [t for e in entries for t in TOKENS(e.written)]
    lex = build(vocab, TOKENS, lambda wanted: [e for e in entries if wanted(e.written)])
    assert lex.terms["hearing aid"] == [("補聴", 1.0)]  # 器 alone says nothing
    assert "outsider" not in lex.terms  # every part is one character
    query = TOKENS("How many hearing-aids and national health insurance letters?")
    assert lex.expand(query) == ["国民", "健康", "保険", "補聴"]  # the longest phrase first


def test_saved_and_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lex = Lexicon({"cost": [("費用", 1.0)], "nursery school": [("保育園", 1.0)]})
    lex.save(tmp_path / "lexicon.json")
    assert Lexicon.load(tmp_path / "lexicon.json") == lex
    assert Lexicon.load(tmp_path / "missing.json") is None
    # a term list of another version is built again when the index opens
    (tmp_path / "old.json").write_text('{"cost": [["費用", 1.0]]}', encoding="utf-8")
    assert Lexicon.load(tmp_path / "old.json") is None


def test_the_packaged_jmdict_translates_council_words() -> None:
    found = jmdict_glosses(["予算", "条例", "保育園", "存在しない語"])
    assert "budget" in found["予算"] and "ordinance" in found["条例"]
    assert "存在しない語" not in found
    [hearing] = jmdict_entries(lambda w: w == "補聴器")
    assert hearing.glosses[0] == "hearing aid" and hearing.common
