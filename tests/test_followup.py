from __future__ import annotations

from rag.followup import elliptic_subject, rewrite

PLACES = {"盛岡市": "盛岡市", "盛岡": "盛岡市", "morioka": "盛岡市", "仙台市": "仙台市",
          "仙台": "仙台市", "sendai": "仙台市"}  # fmt: skip
MORIOKA_JA = "盛岡市はなぜガバメントクラウドでコストメリットを出せたのか"


def test_elliptic_place_follow_up_replaces_the_place() -> None:
    assert rewrite("仙台市は？", [MORIOKA_JA], PLACES) == MORIOKA_JA.replace("盛岡市", "仙台市")
    assert rewrite("では仙台の場合は？", [MORIOKA_JA], PLACES).startswith("仙台は")
    en = rewrite("What about Sendai?", ["How did Morioka get cloud cost savings?"], PLACES)
    assert en == "How did Sendai get cloud cost savings?"


def test_standalone_questions_are_left_alone() -> None:
    q = "仙台市のドローンはいつ飛ぶのか"
    assert rewrite(q, [MORIOKA_JA], PLACES) == q
    assert rewrite("仙台市は？", [], PLACES) == "仙台市は？"


def test_leaning_follow_up_carries_the_previous_question() -> None:
    out = rewrite("その理由は？", [MORIOKA_JA], PLACES)
    assert MORIOKA_JA in out and "理由" in out


def test_elliptic_subject() -> None:
    assert elliptic_subject("仙台市は？") == "仙台市"
    assert elliptic_subject("and Sendai?") == "Sendai"
    assert elliptic_subject("仙台市のガバメントクラウドの状況を詳しく教えてください") is None
