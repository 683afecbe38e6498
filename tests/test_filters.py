"""Filters: one parse for every front end, the same answer in memory and as a Milvus
expression, and errors that name the field."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rag.filters import FilterError, Filters, milvus_fields, parse_date

MORIOKA = {
    "doc_id": "sumida-dx-r05",
    "city": "盛岡市",
    "section": "盛岡市",
    "kind": "report",
    "date": "2023-09-13",
    "roles": ["member", "official"],
    "questioner": {"name": "井上裕幾", "role": "委員"},
    "answerers": [{"name": "", "role": "市側理事者"}],
    "speakers": ["井上裕幾"],
}
MINUTES = {
    "doc_id": "m1",
    "meeting": "令和5年第3回定例会",
    "section": None,
    "kind": "minutes",
    "date": "2023-09-01",
}


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2023", "2023"),
        ("2023-09", "2023-09"),
        ("2023/09", "2023-09"),
        ("2023-09-13", "2023-09-13"),
        ("2023/9/3", "2023-09-03"),
        ("2023年9月13日", "2023-09-13"),
        ("令和5年9月", "2023-09"),
        ("令和元年5月", "2019-05"),
        ("R5.9", "2023-09"),
        ("r5.9.13", "2023-09-13"),
        ("Ｒ５．９", "2023-09"),
        ("平成31年4月", "2019-04"),
        ("H30", "2018"),
    ],
)
def test_dates_in_every_common_form(written: str, iso: str) -> None:
    assert parse_date(written) == iso


@pytest.mark.parametrize("bad", ["2023/13", "2023-02-30", "September", "R0.1", "23-09", "2023-9x"])
def test_bad_dates_name_the_field(bad: str) -> None:
    with pytest.raises(FilterError, match="^filters.date_to: ") as e:
        Filters.parse({"date_to": bad})
    assert e.value.field == "filters.date_to"


def test_cli_form_and_api_form_parse_alike() -> None:
    cli = Filters.parse(["city=盛岡市", "date_from=2023/09", "role= "])
    api = Filters.parse({"city": " 盛岡市", "date_from": "2023-09", "role": None})
    assert cli == api == Filters(city="盛岡市", date_from="2023-09")
    assert cli.items() == {"city": "盛岡市", "date_from": "2023-09"}
    assert Filters.parse(cli) is cli and not Filters.parse(None)


def test_unknown_keys_and_missing_equals_are_refused() -> None:
    with pytest.raises(FilterError, match="filters.colour: unknown filter; use doc, city"):
        Filters.parse({"colour": "red"})
    with pytest.raises(FilterError, match="filters.city: 'city': write key=value"):
        Filters.parse(["city"])
    with pytest.raises(FilterError, match="filters.speaker: longer than 200"):
        Filters.parse({"speaker": "あ" * 201})


def test_slash_dates_now_filter_instead_of_matching_nothing() -> None:
    """The bug: ``rag search --filter date_from=2023/09`` compared '2023-09-13' < '2023/09'."""
    assert Filters.parse(["date_from=2023/09"]).matches(MORIOKA)
    assert not Filters.parse(["date_from=2023/10"]).matches(MORIOKA)
    assert Filters.parse(["date_to=R5.9"]).matches(MORIOKA)
    assert not Filters.parse(["date_to=2023/08"]).matches(MORIOKA)
    assert not Filters(date_to="2030").matches({"city": "盛岡市"})  # undated chunks fail


def test_matching_rules() -> None:
    assert Filters(city="盛岡").matches(MORIOKA) and not Filters(city="仙台").matches(MORIOKA)
    assert Filters(doc="SUMIDA-DX-R05").matches(MORIOKA)
    assert not Filters(doc="sumida").matches(MORIOKA)  # doc ids match whole
    assert Filters(kind="report").matches(MORIOKA) and not Filters(kind="minutes").matches(MORIOKA)
    assert Filters(role="official").matches(MORIOKA) and not Filters(role="chair").matches(MORIOKA)
    assert Filters(speaker="井上").matches(MORIOKA) and Filters(speaker="理事者").matches(MORIOKA)
    assert Filters(meeting="第3回").matches(MINUTES) and Filters(meeting="盛岡").matches(MORIOKA)
    assert Filters(section="盛岡").matches(MORIOKA) and not Filters(section="定例会").matches(
        MINUTES
    )


def test_filters_become_milvus_expressions() -> None:
    expr = Filters(doc='x"y', role="member", date_to="2023", section="盛岡").milvus_expr()
    assert expr == (
        'doc_id == "x\\"y" and section like "%盛岡%" and (date != "" and date <= "2023~") '
        'and json_contains(roles, "member")'
    )
    assert Filters().milvus_expr() == ""


@given(
    y=st.integers(1900, 2100),
    m=st.integers(1, 12),
    d=st.integers(1, 28),
    sep=st.sampled_from(["-", "/", "."]),
)
def test_any_real_date_round_trips(y: int, m: int, d: int, sep: str) -> None:
    assert parse_date(f"{y}{sep}{m}{sep}{d}") == f"{y:04d}-{m:02d}-{d:02d}"


def test_the_city_filter_matches_a_councils_municipality() -> None:
    """Minutes whose municipality was read from their text (no header city) and a report's
    opening (its council's) pass a city filter on that municipality; a visited city wins."""
    f = Filters.parse({"city": "品川区"})
    assert f.matches({"municipality": "品川区", "city": None})
    assert not f.matches({"municipality": "墨田区", "city": "盛岡市"})
    assert milvus_fields({"municipality": "品川区"})["city"] == "品川区"
