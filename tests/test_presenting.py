"""The HTML of past exchanges and of a draft's differences: every corpus text escaped, each
side with its passage id, a missing answer said as such."""

from __future__ import annotations

from rag.exchanges import Difference, Exchange, ExchangeResult, Side
from rag.presenting import differences_html, exchanges_html, side_who


def _exchange(date: str, meeting: str, answer: bool = True) -> Exchange:
    q = Side(
        "m#001",
        {"name": "佐藤花子", "party": "<b>会派</b>", "category": "member"},
        ("図書館の開館時間について<script>x()</script>伺います。",),
        "…",
    )
    a = Side(
        "m#002",
        {"name": "鈴木一郎", "role": "教育長", "category": "official"},
        ("延長します。",),
        "…",
    )
    return Exchange(q, a if answer else None, meeting, date, "m", 1.0)


def test_exchanges_are_grouped_by_meeting_and_escaped() -> None:
    out = exchanges_html(
        [
            _exchange("2024-03-01", "第1回定例会"),
            _exchange("2024-03-01", "第1回定例会", answer=False),
            _exchange("2023-12-01", "第4回定例会"),
        ]
    )
    assert out.count('<section class="meeting">') == 2
    assert out.count('<li class="exchange">') == 3
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<b>会派</b>" not in out and "（&lt;b&gt;会派&lt;/b&gt;）" in out
    assert "<code>m#001</code>" in out and "<code>m#002</code>" in out
    assert out.count("答弁の記録なし") == 1
    assert "Q</b>" in exchanges_html([_exchange("2024-03-01", "x")], "en")


def test_side_who_names_role_name_and_party() -> None:
    assert side_who({"name": "鈴木一郎", "role": "教育長"}) == "教育長 鈴木一郎"
    assert side_who({"name": "佐藤", "party": "公明"}, "en") == "佐藤 (公明)"
    assert side_who({"label": "３番"}) == "３番"
    assert side_who({"category": "member"}) == "委員・議員"


def test_differences_show_both_values_and_the_past_sentence() -> None:
    ex = _exchange("2024-03-01", "第1回定例会")
    d = Difference("number", "待機児童数", "15人", "12<i>人</i>", ex, "待機児童数は12人です。")
    out = differences_html([d])
    assert "数値: 待機児童数" in out and "答弁案 15人" in out
    assert "12&lt;i&gt;人&lt;/i&gt;" in out and "<code>m#002</code>" in out
    assert "number: 待機児童数" in differences_html([d], "en")


def test_timeline_frame_counts_each_period_and_split() -> None:
    from app import timeline_frame

    exchanges = [
        _exchange("2024-03-01", "a"),
        _exchange("2024-04-02", "b"),
        _exchange("2024-05-02", "b"),
    ]
    frame, table = timeline_frame(ExchangeResult("図書館", exchanges), "year", "party")
    assert [row[:2] for row in table] == [["2023年度", 1], ["2024年度", 2]]
    assert list(frame.columns) == ["period", "count", "split"]
    assert frame["count"].sum() == 3 and set(frame["split"]) == {"<b>会派</b>"}
    _, plain = timeline_frame(ExchangeResult("図書館", exchanges), "meeting", "")
    assert [r[2] for r in plain] == ["", ""]
