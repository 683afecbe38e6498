"""Chunk storage of an index generation: one SQLite file, each field compressed, read lazily.

``chunks.sqlite`` holds one row per chunk (in index order): its id, and its metadata
(JSON), text and ``embed_text``, each compressed with zstd against a dictionary trained at
write time on a sample of the same field (stored in the ``dicts`` table): rows of 1-3 KB
share their phrasing (speaker labels, JSON keys, council wording), which per-row
compression cannot see. ``embed_text`` is stored as a delta against the text (the header
lines, then which text lines follow), checked to rebuild the original exactly; where it
cannot, it is stored whole.

Opening reads ids and the metadata that filters, facets and ranking scan over every
chunk (:data:`HOT`). Those keys are stored as runs that many chunks share (:data:`PARTS`:
the document's title and date, the speakers of a Q&A unit…), each distinct run once in the
``parts`` table, so opening parses a few tens of thousands of short runs rather than one
JSON object per chunk, and chunks that share a run share its values. The row itself keeps
only the other keys. :class:`StoredChunk` fetches its text, ``embed_text`` and the rest of
its metadata by row when asked (:class:`LazyMetadata`). The BM25 tokens are not stored:
the BM25 counts give them back (:meth:`rag.bm25.BM25.bags`).

Tables of index format 2 (zlib per row, whole metadata and BM25 tokens in each row, or one
``hot`` JSON per row) still open. The file of a generation is never written again once
``CURRENT`` names it, so it is opened read-only and immutable (no locking).

>>> table = ChunkTable.open(folder / "chunks.sqlite")     # doctest: +SKIP
>>> table.chunks()[0].text[:10]                           # doctest: +SKIP
'～ あいさつ ～\\n'
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import zstandard

from rag.chunking import Chunk, ChunkMetadata

FILE = "chunks.sqlite"
TOKEN_SEP = "\x1f"  # between the tokens a table of format 2 stored
_CACHE_ROWS = 4096
# metadata read for every chunk at start or by a filter: kept in memory; the rest (spans,
# offsets, stage directions, decisions…) is read from disk when a chunk is shown
HOT = (
    "doc_id", "title", "council", "municipality", "committee", "kind", "date",
    "chunk_type", "section",
    "city", "meeting", "roles", "questioner", "answerers", "speakers", "page",
)  # fmt: skip
# The hot keys in runs that many chunks share (the document's, the kind's, the place's, the
# speakers', the page): each distinct run is stored and parsed once, and every chunk holding
# it shares its values (the speakers' dicts and lists too: loaded metadata is never changed
# in place). The runs follow HOT's order, so a chunk's keys keep that order.
PARTS = (HOT[0:7], HOT[7:9], HOT[9:11], HOT[11:15], HOT[15:16])


def encode_embed_text(text: str, embed_text: str) -> list[Any]:
    """``embed_text`` as ``[header lines, indices of the text lines that follow]``, or
    ``[embed_text]`` when it is not header + a subsequence of the text's lines.

    >>> encode_embed_text("a\\nb\\nc", "ctx\\na\\nc")
    [['ctx'], [0, 2]]
    """
    lines_e, lines_t = embed_text.split("\n"), text.split("\n")
    i, j, kept = len(lines_e) - 1, len(lines_t) - 1, []
    while i >= 0 and j >= 0:
        if lines_e[i] == lines_t[j]:
            kept.append(j)
            i -= 1
        j -= 1
    delta: list[Any] = [lines_e[: i + 1], kept[::-1]]
    return delta if decode_embed_text(text, delta) == embed_text else [embed_text]


def decode_embed_text(text: str, delta: list[Any]) -> str:
    if len(delta) == 1:
        return str(delta[0])
    lines_t = text.split("\n")
    return "\n".join([*delta[0], *(lines_t[k] for k in delta[1])])


FIELDS = ("meta", "text", "embed")  # the compressed columns, one dictionary each
ZSTD_LEVEL = 3  # on the archive's text, level 9 is 8x slower to write for 8% less
DICT_BYTES = 112_640  # zstd's default dictionary size
DICT_SAMPLES = 4000  # rows sampled, evenly spaced, to train each dictionary (0.7 s)


class _Codec:
    """Compression of a table's fields: zstd with a per-field dictionary (an empty
    dictionary: plain zstd), or zlib for a table of index format 2 (``dicts`` None)."""

    def __init__(self, dicts: Mapping[str, bytes] | None) -> None:
        self._zstd = dicts is not None
        self._dicts = {
            f: zstandard.ZstdCompressionDict(d) if d else None for f, d in (dicts or {}).items()
        }
        self._out: dict[str, zstandard.ZstdCompressor] = {}
        self._in: dict[str, zstandard.ZstdDecompressor] = {}

    def pack(self, field: str, s: str) -> bytes:
        assert self._zstd, "tables are written with zstd only"
        if field not in self._out:
            d = self._dicts.get(field)
            self._out[field] = zstandard.ZstdCompressor(  # the checksum catches a bad dictionary
                level=ZSTD_LEVEL, dict_data=d, write_content_size=True, write_checksum=True
            )
        return self._out[field].compress(s.encode("utf-8"))

    def unpack(self, field: str, b: bytes) -> str:
        if not self._zstd:
            return _inflate(b)
        if field not in self._in:
            self._in[field] = zstandard.ZstdDecompressor(dict_data=self._dicts.get(field))
        return self._in[field].decompress(b).decode("utf-8")


def _train(samples: list[bytes]) -> bytes:
    """A zstd dictionary for rows like ``samples``; empty (plain zstd) when they are too
    few or too small to train one (a small corpus)."""
    size = min(DICT_BYTES, sum(map(len, samples)) // 10)
    if len(samples) < 100 or size < 4096:
        return b""
    try:
        return bytes(zstandard.train_dictionary(size, cast(Any, samples)).as_bytes())
    except zstandard.ZstdError:
        return b""


def _pair(unpack: Callable[[str, bytes], str], text: bytes, embed: bytes) -> tuple[str, str]:
    """``(text, embed_text)`` from a row's two blobs."""
    plain = unpack("text", text)
    return plain, decode_embed_text(plain, json.loads(unpack("embed", embed)))


def _inflate(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_table(path: Path, chunks: Sequence[Chunk]) -> None:
    """Write ``chunks`` to a new SQLite file at ``path``."""
    hot = set(HOT)

    def fields(c: Chunk) -> tuple[str, str, str]:
        cold = {k: v for k, v in c.metadata.items() if k not in hot}
        return _json(cold), c.text, _json(encode_embed_text(c.text, c.embed_text))

    step = max(1, -(-len(chunks) // DICT_SAMPLES))  # at most DICT_SAMPLES rows
    sample = [fields(c) for c in chunks[::step]]
    dicts = {f: _train([s[i].encode("utf-8") for s in sample]) for i, f in enumerate(FIELDS)}
    codec = _Codec(dicts)
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA page_size=65536")  # 4 KiB pages wasted 25% on format 2's 2-4 KB rows
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        columns = ", ".join(f"p{i} INTEGER NOT NULL" for i in range(len(PARTS)))
        con.execute("CREATE TABLE dicts (field TEXT PRIMARY KEY, data BLOB NOT NULL)")
        con.executemany("INSERT INTO dicts VALUES (?, ?)", dicts.items())
        con.execute("CREATE TABLE parts (id INTEGER PRIMARY KEY, json TEXT NOT NULL)")
        con.execute(
            f"CREATE TABLE chunks (row INTEGER PRIMARY KEY, id TEXT NOT NULL, {columns},"
            " chars INTEGER NOT NULL, meta BLOB NOT NULL, text BLOB NOT NULL,"
            " embed BLOB NOT NULL)"
        )
        parts: dict[str, int] = {}

        def part(meta: Mapping[str, Any], keys: Sequence[str]) -> int:
            return parts.setdefault(_json({k: meta[k] for k in keys if k in meta}), len(parts))

        marks = ", ".join("?" * (len(PARTS) + 6))
        con.executemany(
            f"INSERT INTO chunks VALUES ({marks})",  # noqa: S608
            (
                (
                    row,
                    c.id,
                    *(part(c.metadata, keys) for keys in PARTS),
                    len(c.text),
                    *(codec.pack(f, v) for f, v in zip(FIELDS, fields(c), strict=True)),
                )
                for row, c in enumerate(chunks)
            ),
        )
        con.executemany("INSERT INTO parts VALUES (?, ?)", ((i, t) for t, i in parts.items()))
        con.commit()
    finally:
        con.close()


class ChunkTable:
    """A read-only ``chunks.sqlite``; thread-safe, with a small cache of decoded rows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        uri = f"file:{path}?mode=ro&immutable=1"
        self._con = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._cache: OrderedDict[int, tuple[str, str]] = OrderedDict()
        tables = {r[0] for r in self._con.execute("SELECT name FROM sqlite_master")}
        self._columns = {r[1] for r in self._con.execute("PRAGMA table_info(chunks)")}
        dicts = None  # format 2: zlib
        if "dicts" in tables:
            dicts = {
                str(f): bytes(d) for f, d in self._con.execute("SELECT field, data FROM dicts")
            }
            if set(dicts) != set(FIELDS):
                raise sqlite3.DatabaseError(
                    f"{path.name}: dictionaries {sorted(dicts)} are not {FIELDS}"
                )
        self._codec = _Codec(dicts)
        self._lengths: np.ndarray | None = None
        first = self._con.execute("SELECT MIN(row) FROM chunks").fetchone()[0]
        if first is not None:  # a damaged dictionary shows here, not at the first answer
            try:
                self.metadata(first)
                self.texts(first)
            except BaseException:
                self._con.close()
                raise

    @classmethod
    def open(cls, path: Path) -> ChunkTable:
        if not path.is_file():
            raise sqlite3.DatabaseError(f"{path.name} is missing")
        return cls(path)

    def chunks(self) -> list[Chunk]:
        """Every chunk, in row order, with its hot metadata and its text left on disk."""
        with self._lock:
            if "hot" in self._columns:  # written before the hot keys were stored as runs
                return self._chunks_from_hot()
            seen: dict[Any, Any] = {}  # one object for the many equal strings
            parts = {
                int(i): _shared(json.loads(text), seen)
                for i, text in self._con.execute("SELECT id, json FROM parts")
            }
            columns = ", ".join(f"p{i}" for i in range(len(PARTS)))
            chars = "chars" if "chars" in self._columns else "-1"
            rows = self._con.execute(
                f"SELECT row, id, {chars}, {columns} FROM chunks ORDER BY row"  # noqa: S608
            ).fetchall()
        if chars == "chars":
            self._lengths = np.fromiter((r[2] for r in rows), np.int64, len(rows))
        out: list[Chunk] = []
        for n, (row, cid, _, *ids) in enumerate(rows):
            if row != n:
                raise sqlite3.DatabaseError(f"row {n} missing")
            hot: dict[str, Any] = {}
            for i in ids:
                if i not in parts:
                    raise sqlite3.DatabaseError(f"row {row}: metadata run {i} missing")
                hot.update(parts[i])
            meta = LazyMetadata(hot, self, row)
            out.append(StoredChunk(cid, cast(ChunkMetadata, meta), self, row))
        return out

    def _chunks_from_hot(self) -> list[Chunk]:
        rows = self._con.execute("SELECT row, id, hot FROM chunks ORDER BY row").fetchall()
        out: list[Chunk] = []
        seen: dict[Any, Any] = {}
        for n, (row, cid, hot) in enumerate(rows):
            if row != n:
                raise sqlite3.DatabaseError(f"row {n} missing")
            meta = LazyMetadata(_shared(json.loads(hot), seen), self, row)
            out.append(StoredChunk(cid, cast(ChunkMetadata, meta), self, row))
        return out

    def text_lengths(self) -> np.ndarray | None:
        """Characters of each chunk's text, by row, read by :meth:`chunks` (None from a
        table of format 2)."""
        return self._lengths

    def metadata(self, row: int) -> dict[str, Any]:
        """The metadata of ``row`` beyond its hot keys (in a table of format 2, all of it)."""
        with self._lock:
            found = self._con.execute("SELECT meta FROM chunks WHERE row = ?", (row,)).fetchone()
            if found is None:
                raise KeyError(f"{self.path}: no chunk at row {row}")
            meta: dict[str, Any] = self._decoded(
                row, lambda: json.loads(self._codec.unpack("meta", found[0]))
            )
        return meta

    def _decoded(self, row: int, decode: Callable[[], Any]) -> Any:
        """``decode()``, its failure named by file and row (a damaged table)."""
        try:
            return decode()
        except (
            zstandard.ZstdError,
            zlib.error,
            UnicodeDecodeError,
            ValueError,
            TypeError,
            IndexError,
        ) as e:
            raise sqlite3.DatabaseError(f"{self.path.name}: row {row} unreadable ({e})") from e

    def texts(self, row: int) -> tuple[str, str]:
        """``(text, embed_text)`` of ``row``."""
        with self._lock:
            hit = self._cache.get(row)
            if hit is not None:
                self._cache.move_to_end(row)
                return hit
            found = self._con.execute(
                "SELECT text, embed FROM chunks WHERE row = ?", (row,)
            ).fetchone()
            if found is None:
                raise KeyError(f"{self.path}: no chunk at row {row}")
            pair = self._decoded(row, lambda: _pair(self._codec.unpack, found[0], found[1]))
            self._cache[row] = pair
            if len(self._cache) > _CACHE_ROWS:
                self._cache.popitem(last=False)
        return pair

    def tokens(self, rows: Iterable[int]) -> dict[int, list[str]]:
        """The BM25 tokens of ``rows`` a table of format 2 stored (none in format 3)."""
        wanted = sorted(set(rows))
        out: dict[int, list[str]] = {}
        if "tokens" not in self._columns:
            return out
        with self._lock:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                marks = ",".join("?" * len(part))
                for row, blob in self._con.execute(
                    f"SELECT row, tokens FROM chunks WHERE row IN ({marks})", part
                ):
                    s: str = self._decoded(row, functools.partial(_inflate, blob))
                    out[int(row)] = s.split(TOKEN_SEP) if s else []
        return out

    def close(self) -> None:
        self._con.close()


def _shared(value: Any, seen: dict[Any, Any]) -> Any:
    if isinstance(value, str):
        return seen.setdefault(value, value)
    if isinstance(value, list):
        return [_shared(v, seen) for v in value]
    if isinstance(value, dict):
        return {seen.setdefault(k, k): _shared(v, seen) for k, v in value.items()}
    return value


class LazyMetadata(dict[str, Any]):
    """A chunk's metadata holding the :data:`HOT` keys, that reads the rest from its table
    the first time anything else is asked (another key, iteration, length, equality,
    serialisation); from then on it is a plain full dict. Keys read later follow the hot
    ones in iteration order."""

    __slots__ = ("_table", "_row")

    def __init__(self, hot: dict[str, Any], table: ChunkTable | None, row: int) -> None:
        super().__init__(hot)
        self._table, self._row = table, row

    def whole(self) -> LazyMetadata:
        table = self._table
        if table is not None:
            dict.update(self, table.metadata(self._row))
            self._table = None
        return self

    def __getitem__(self, key: str) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return dict.__getitem__(self.whole(), key)

    def get(self, key: str, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return dict.get(self.whole(), key, default)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or dict.__contains__(self.whole(), key)

    def __iter__(self) -> Any:
        return dict.__iter__(self.whole())

    def __len__(self) -> int:
        return dict.__len__(self.whole())

    def keys(self) -> Any:
        return dict.keys(self.whole())

    def values(self) -> Any:
        return dict.values(self.whole())

    def items(self) -> Any:
        return dict.items(self.whole())

    def copy(self) -> dict[str, Any]:
        return dict(dict.items(self.whole()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyMetadata):
            other.whole()
        return dict.__eq__(self.whole(), other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __or__(self, other: Any) -> Any:
        return dict.__or__(self.whole(), other)

    def __ror__(self, other: Any) -> Any:
        return dict.__ror__(self.whole(), other)

    def pop(self, key: str, *default: Any) -> Any:
        return dict.pop(self.whole(), key, *default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        return dict.setdefault(self.whole(), key, default)

    def popitem(self) -> tuple[str, Any]:
        return dict.popitem(self.whole())

    def __repr__(self) -> str:
        return dict.__repr__(self.whole())

    def __reduce__(self) -> Any:  # pickled and copied as a plain dict
        return (dict, (list(dict.items(self.whole())),))


class StoredChunk(Chunk):
    """A :class:`Chunk` whose text and ``embed_text`` stay in the table until read."""

    _table: ChunkTable
    _row: int

    def __init__(self, id: str, metadata: ChunkMetadata, table: ChunkTable, row: int) -> None:
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "metadata", metadata)
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_row", row)

    @property
    def text(self) -> str:
        return self._table.texts(self._row)[0]

    @property
    def embed_text(self) -> str:
        return self._table.texts(self._row)[1]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Chunk):
            return NotImplemented
        return (self.id, self.text, self.embed_text, self.metadata) == (
            other.id,
            other.text,
            other.embed_text,
            other.metadata,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"StoredChunk(id={self.id!r}, row={self._row})"

    def __reduce__(self) -> Any:  # pickled (multiprocessing) as a plain Chunk
        return (Chunk, (self.id, self.text, self.embed_text, self.metadata))
