from __future__ import annotations

import pytest

from rag.speakers import infer_speaker_markers, parse_label, split_speaker_line


@pytest.mark.parametrize(
    ("label", "name", "role", "category"),
    [
        ("委員（村本ひろや）", "村本ひろや", "委員", "member"),  # role（name）
        ("委員長(たきざわ正宜)", "たきざわ正宜", "委員長", "chair"),  # role(name)
        ("委員長 (たきざわ正宜)", "たきざわ正宜", "委員長", "chair"),
        ("（白井正子君）", "白井正子", None, "member"),  # （name君）: member, name only
        ("（山田太郎 議員）", "山田太郎", "議員", "member"),  # （name role）
        ("１番（山田　太郎君）", "山田太郎", None, "member"),  # seat number（name君）
        ("議長（吉田　崇仁）", "吉田崇仁", "議長", "chair"),  # full-width space inside a name
        ("本多委員長", "本多", "委員長", "chair"),  # name+role, no brackets
        ("木村広報広聴課長", "木村", "広報広聴課長", "official"),
        ("福田ようすけ委員", "福田ようすけ", "委員", "member"),
        ("デジタル戦略推進部長", None, "デジタル戦略推進部長", "official"),  # role only
        ("委員長", None, "委員長", "chair"),
        ("副委員長", None, "副委員長", "chair"),
        ("市側理事者", None, "市側理事者", "official"),
        ("盛岡市理事者(情報企画課長)", None, "盛岡市理事者（情報企画課長）", "official"),
        ("副市長（大久保智子君）", "大久保智子", "副市長", "official"),
        ("総務常任委員長（島昌之）", "島昌之", "総務常任委員長", "member"),
        ("盛岡市議会次長兼議事総務課長", None, "盛岡市議会次長兼議事総務課長", "other"),
        ("代表監査委員（佐藤一郎君）", "佐藤一郎", "代表監査委員", "official"),
        ("（高橋一郎議長）", "高橋一郎", "議長", "chair"),  # （name + role）, no space
        ("（森田さくら議員）", "森田さくら", "議員", "member"),
        ("４番　田中次郎君", "田中次郎", None, "member"),  # seat number, no brackets
        ("川口守産業建設常任委員長", "川口守", "産業建設常任委員長", "member"),
        ("山田花子副委員長", "山田花子", "副委員長", "chair"),
        ("山田　太郎委員", "山田太郎", "委員", "member"),
        # surnames ending as a body would (村, 部) and surnames that are place names
        ("中村委員", "中村", "委員", "member"),
        ("阿部議員", "阿部", "議員", "member"),
        ("松山障害者支援課長", "松山", "障害者支援課長", "official"),
        ("川崎市長", None, "川崎市長", "official"),  # a place's own head: no surname
        ("北海道知事", None, "北海道知事", "official"),
        ("小池知事", "小池", "知事", "official"),
        ("教育部長", None, "教育部長", "official"),
    ],
)
def test_label_forms(label: str, name: str | None, role: str | None, category: str) -> None:
    sp = parse_label(label)
    assert (sp.name, sp.role, sp.category) == (name, role, category)


def test_speaker_line_inline_and_alone() -> None:
    assert split_speaker_line("◯委員長　　ただいまから開会します。") == ("◯", "委員長", 6)
    assert split_speaker_line("○議長（吉田崇仁）　おはようございます。")[:2] == (
        "○",
        "議長（吉田崇仁）",
    )  # type: ignore[index]
    assert split_speaker_line("◎委員（村本ひろや）") == ("◎", "委員（村本ひろや）", 10)
    assert split_speaker_line("普通の文です。") is None


def test_marker_convention_is_inferred_per_document() -> None:
    speech = "ただいまから会議を開きます。"
    blocks = [
        ("〇", "議事日程", "日程第１\n会議録署名議員の指名"),
        ("〇", "出席議員（２６人）", "１番　吉田崇仁"),
        ("○", "議長（吉田崇仁）", speech),
        ("◎", "市長（大泉潤）", speech),
    ]
    assert infer_speaker_markers(blocks) == {"○", "◎"}
    # the same ◎ marks headings in another council's minutes
    headings = [("◎", "日程第１　会期の決定", "")] * 3 + [("○", "議長（山田太郎君）", speech)]
    assert infer_speaker_markers(headings) == {"○"}


def test_seat_number_and_role_class() -> None:
    assert parse_label("４番（田中次郎君）").seat == "4"
    assert parse_label("１５番（小松ひろし）").seat == "15"
    assert parse_label("議長（佐藤太郎君）").role_class == "chair"
    assert parse_label("市長（山本一郎君）").role_class == "executive"
    assert parse_label("（白井正子君）").role_class == "member"
    assert parse_label("議会事務局長").role_class == "clerk"
    assert parse_label("参考人（山田一郎君）").role_class == "other"


def test_name_with_a_full_width_space_is_one_label() -> None:
    line = "◯山田　太郎委員　　電子申請について伺います。"
    marker, label, cut = split_speaker_line(line)  # type: ignore[misc]
    assert (marker, label, line[cut:]) == ("◯", "山田　太郎委員", "電子申請について伺います。")
    line = "◯４番　田中次郎君　議長。"
    assert split_speaker_line(line)[1] == "４番　田中次郎君"  # type: ignore[index]
    # a role followed by one space and speech is not joined to the speech
    assert split_speaker_line("○議長　ただいまから会議を開きます。")[1] == "議長"  # type: ignore[index]
    assert split_speaker_line("○山田　それでは始めます。")[1] == "山田"  # type: ignore[index]
