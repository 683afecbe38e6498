from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from rag.chunking import Chunk
from rag.chunkstore import ChunkTable, decode_embed_text, encode_embed_text, write_table

LINES = st.lists(st.text(alphabet="議会あい～ \n/:質問", max_size=6), max_size=8)


@given(LINES, LINES, st.lists(st.booleans(), max_size=8))
def test_embed_text_delta_always_rebuilds_the_original(
    head: list[str], body: list[str], keep: list[bool]
) -> None:
    text = "\n".join(body)
    embed = "\n".join(head + [x for x, k in zip(body, keep, strict=False) if k])
    assert decode_embed_text(text, encode_embed_text(text, embed)) == embed


def test_embed_text_made_of_header_and_text_lines_is_stored_as_a_delta() -> None:
    text = "～ あいさつ ～\n図書館は午後9時まで開館します。"
    embed = "品川区 / 文教委員会\n質問: 開館時間\n図書館は午後9時まで開館します。"
    delta = encode_embed_text(text, embed)
    assert delta == [["品川区 / 文教委員会", "質問: 開館時間"], [1]]


def test_table_reads_text_lazily(tmp_path: Path) -> None:
    chunks = [
        Chunk(f"d#{i:03d}", f"本文{i}\n二行目", f"見出し\n本文{i}", {"doc_id": "d"})  # type: ignore[typeddict-item]
        for i in range(3)
    ]
    write_table(tmp_path / "c.sqlite", chunks)
    table = ChunkTable.open(tmp_path / "c.sqlite")
    stored = table.chunks()
    assert stored == chunks and [c.embed_text for c in stored] == [c.embed_text for c in chunks]
    assert table.tokens([2, 0]) == {}  # the BM25 counts give the tokens back
    lengths = table.text_lengths()
    assert lengths is not None and lengths.tolist() == [len(c.text) for c in chunks]


def test_a_large_table_is_compressed_against_trained_dictionaries(tmp_path: Path) -> None:
    import sqlite3

    lines = ["〔登壇〕", "ただいまの質問にお答えします。", "次に、保育園の待機児童についてです。"]
    chunks = [
        Chunk(
            f"d#{i:04d}",
            f"{lines[i % 3]}\n令和{i % 7}年度の予算は{i * 13}万円です。\n{lines[(i + 1) % 3]}",
            f"品川区 / 文教委員会\n{lines[i % 3]}",
            {"doc_id": f"d{i % 9}", "spans": [[0, i]], "speaker_details": [{"name": "佐藤"}]},  # type: ignore[typeddict-item]
        )
        for i in range(1500)
    ]
    write_table(tmp_path / "c.sqlite", chunks)
    with sqlite3.connect(tmp_path / "c.sqlite") as con:
        dicts = dict(con.execute("SELECT field, length(data) FROM dicts"))
        stored = con.execute("SELECT SUM(length(text)) FROM chunks").fetchone()[0]
    assert set(dicts) == {"meta", "text", "embed"} and dicts["text"] > 0
    assert stored < sum(len(c.text.encode()) for c in chunks) / 3
    table = ChunkTable.open(tmp_path / "c.sqlite")
    assert table.chunks() == chunks


def test_metadata_beyond_the_hot_keys_is_read_on_demand_and_whole(tmp_path: Path) -> None:
    import copy
    import json
    import pickle

    meta = {"doc_id": "d", "city": "品川区", "spans": [[0, 4]], "stage_directions": ["〔登壇〕"]}
    write_table(tmp_path / "c.sqlite", [Chunk("d#000", "本文", "本文", meta)])  # type: ignore[arg-type]
    table = ChunkTable.open(tmp_path / "c.sqlite")
    [stored] = table.chunks()
    m = stored.metadata
    assert dict.__len__(m) == 2 and m.get("city") == "品川区"  # nothing else read yet
    assert m.get("spans") == [[0, 4]] and dict.__len__(m) == 4
    for view in (
        lambda x: x,
        dict,
        copy.copy,
        lambda x: {**x},
        lambda x: json.loads(json.dumps(x, ensure_ascii=False)),
        lambda x: pickle.loads(pickle.dumps(x)),
    ):
        [fresh] = table.chunks()
        assert view(fresh.metadata) == meta
    [fresh] = table.chunks()
    assert meta == fresh.metadata and "stage_directions" in fresh.metadata


def _meta(doc: str, asker: str, page: int) -> dict[str, object]:
    return {
        "doc_id": doc,
        "title": f"{doc} 定例会",
        "kind": "minutes",
        "date": "2024-03-01",
        "chunk_type": "qa",
        "section": "一般質問",
        "meeting": "第1回定例会",
        "roles": ["member", "official"],
        "questioner": {"name": asker, "category": "member"},
        "answerers": [{"role": "区長", "category": "official"}],
        "speakers": [asker, "区長"],
        "page": page,
        "spans": [[0, 2]],
    }


def test_hot_metadata_is_stored_once_per_shared_run_and_keeps_its_order(tmp_path: Path) -> None:
    import json
    import sqlite3

    from rag.chunkstore import HOT, PARTS

    metas = [
        _meta("a", "佐藤", 1),
        _meta("a", "佐藤", 2),
        _meta("a", "鈴木", 2),
        _meta("b", "佐藤", 1),
    ]
    chunks = [Chunk(f"c#{i}", "本文", "本文", m) for i, m in enumerate(metas)]  # type: ignore[arg-type]
    write_table(tmp_path / "c.sqlite", chunks)
    stored = ChunkTable.open(tmp_path / "c.sqlite").chunks()
    # chunks that share a run share its values
    assert dict.__getitem__(stored[0].metadata, "answerers") is dict.__getitem__(
        stored[3].metadata, "answerers"
    )
    for s, m in zip(stored, metas, strict=True):
        hot = dict(dict.items(s.metadata))  # the hot keys only: nothing else read
        assert list(hot) == [k for k in HOT if k in m]
        assert hot == {k: m[k] for k in HOT if k in m}
        assert s.metadata == m  # and the rest on demand
    # one row per distinct run: 2 documents + 1 kind + 1 place + 2 askers + 2 pages
    runs = {
        json.dumps({k: m[k] for k in keys if k in m}, ensure_ascii=False, separators=(",", ":"))
        for m in metas
        for keys in PARTS
    }
    with sqlite3.connect(tmp_path / "c.sqlite") as con:
        assert con.execute("SELECT COUNT(*) FROM parts").fetchone()[0] == len(runs) < 4 * 5


def test_a_table_written_with_whole_hot_rows_still_opens(tmp_path: Path) -> None:
    import json
    import sqlite3
    import zlib

    meta = _meta("a", "佐藤", 1)
    hot = {k: v for k, v in meta.items() if k != "spans"}
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(
            "CREATE TABLE chunks (row INTEGER PRIMARY KEY, id TEXT NOT NULL, hot TEXT NOT NULL,"
            " meta BLOB NOT NULL, text BLOB NOT NULL, embed BLOB NOT NULL, tokens BLOB NOT NULL)"
        )
        pack = lambda s: zlib.compress(s.encode("utf-8"))  # noqa: E731
        con.execute(
            "INSERT INTO chunks VALUES (0, 'c#0', ?, ?, ?, ?, ?)",
            (json.dumps(hot), pack(json.dumps(meta)), pack("本文"), pack('["本文"]'), pack("本文")),
        )
    table = ChunkTable.open(path)
    [stored] = table.chunks()
    assert stored.metadata == meta and stored.text == "本文"
    assert table.tokens([0]) == {0: ["本文"]} and table.text_lengths() is None


def test_a_damaged_dictionary_is_named_when_the_table_opens(tmp_path: Path) -> None:
    import sqlite3

    import pytest

    said = "ただいまの質問にお答えします。保育園の待機児童は{}人で、昨年度から減りました。"
    chunks = [
        Chunk(f"d#{i:04d}", said.format(i) * 4, f"質問\n第{i}回", {"doc_id": "d"})  # type: ignore[typeddict-item]
        for i in range(600)
    ]
    write_table(tmp_path / "c.sqlite", chunks)
    with sqlite3.connect(tmp_path / "c.sqlite") as con:
        [blob] = con.execute("SELECT data FROM dicts WHERE field = 'text'").fetchone()
        assert blob, "a dictionary was trained"
        con.execute("UPDATE dicts SET data = ? WHERE field = 'text'", (blob[: len(blob) // 2],))
    with pytest.raises(sqlite3.DatabaseError, match=r"c\.sqlite: row 0"):
        ChunkTable.open(tmp_path / "c.sqlite")
    # one byte changed anywhere in the dictionary: a row reads right or is named, never
    # wrong (the frames' checksums), and row 0 is read at open
    for at in range(0, len(blob), max(1, len(blob) // 40)):
        flipped = bytearray(blob)
        flipped[at] ^= 0x01
        with sqlite3.connect(tmp_path / "c.sqlite") as con:
            con.execute("UPDATE dicts SET data = ? WHERE field = 'text'", (bytes(flipped),))
        try:
            table = ChunkTable.open(tmp_path / "c.sqlite")
        except sqlite3.DatabaseError:
            continue
        for stored, written in zip(table.chunks()[:50], chunks, strict=False):
            try:
                assert stored.text == written.text, at
            except sqlite3.DatabaseError as e:
                assert f"c.sqlite: row {stored._row} unreadable" in str(e)
    with sqlite3.connect(tmp_path / "c.sqlite") as con:
        con.execute("DELETE FROM dicts WHERE field = 'meta'")
    with pytest.raises(sqlite3.DatabaseError, match=r"c\.sqlite: dictionaries"):
        ChunkTable.open(tmp_path / "c.sqlite")
