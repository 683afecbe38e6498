"""Loading: bytes on disk to decoded source documents, with the encoding recorded.

Plain text may come as UTF-8 (with or without BOM), UTF-16, Shift_JIS/CP932 or EUC-JP, with
LF, CRLF or CR line endings. The decoded text is kept exactly as it is (line endings included)
so that character offsets recorded later point into it.

HTML pages saved from a 会議録検索 system and DiscussNet-style JSON are read as their text
(:mod:`rag.converting`), in the charset the page declares or the one its bytes decode in.

Structured minutes come as JSON Lines (optionally ``.xz``/``.gz`` compressed), one meeting a
line with its speaker turns in ``voices``; they are streamed one meeting at a time.

>>> doc = load_text_file(Path("corpus/sumida-jichitai-dx-gyosei-chosa-r05.txt"))
>>> doc.encoding
'utf-8'
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import json
import lzma
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

TEXT_SUFFIXES = {".txt", ".text", ".md"}
JSONL_SUFFIXES = {".jsonl", ".jsonl.xz", ".jsonl.gz"}
CONVERTED_SUFFIXES = {".pdf", ".docx"}
MARKUP_SUFFIXES = {".html", ".htm", ".json"}  # saved 会議録検索 pages, DiscussNet JSON
CATALOG_NAMES = ("catalog.toml",)
# Files that describe a folder of documents rather than being one (its sources, licence,
# read-me), as plain text or Markdown: skipped when a folder is loaded, read when named on
# their own (a notice.pdf, 告示, is a document)
ABOUT_FOLDER = frozenset(
    {"README", "SOURCES", "LICENSE", "LICENCE", "NOTICE", "COPYING", "CHANGELOG", "AUTHORS"}
)
ABOUT_SUFFIXES = frozenset({"", ".md", ".txt", ".rst"})


def describes_folder(path: Path) -> bool:
    """Whether ``path`` is a folder's read-me, sources or licence (:data:`ABOUT_FOLDER`)."""
    return path.name.split(".")[0].upper() in ABOUT_FOLDER and path.suffix.lower() in ABOUT_SUFFIXES


class LoadError(ValueError):
    """A file that cannot be loaded; the message always names the file."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class Voice:
    """One speaker turn of structured minutes (``voices`` in the JSON Lines form)."""

    i: int
    speaker: str
    text: str


@dataclass(frozen=True)
class SourceDoc:
    """A decoded document: either plain ``text`` or structured ``voices``."""

    doc_id: str
    path: str
    encoding: str
    sha256: str
    text: str = ""
    voices: tuple[Voice, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def structured(self) -> bool:
        return bool(self.voices)


# --- encodings -------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _japanese_score(text: str) -> float:
    """How much a decoding looks like Japanese prose: kana, kanji and punctuation count for
    it; half-width katakana and rare symbols (typical of a wrong legacy decoding) against."""
    good = bad = 0
    for ch in text:
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF or 0x4E00 <= o <= 0x9FFF or ch in "。、「」（）":
            good += 1
        elif 0xFF61 <= o <= 0xFF9F or 0xE000 <= o <= 0xF8FF or 0x2460 <= o <= 0x2FFF:
            bad += 1
    return (good - 3 * bad) / max(1, len(text))


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: one byte of each pair is mostly NUL for ASCII-heavy text, or
    the text decodes cleanly and reads as Japanese."""
    if len(data) < 4 or len(data) % 2:
        return None
    best: tuple[float, str] | None = None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            continue
        score = _japanese_score(text) + sum(c.isascii() and c.isprintable() for c in text) / len(
            text
        )
        if best is None or score > best[0]:
            best = (score, enc)
    return best[1] if best and best[0] > 0.5 else None


def decode_bytes(data: bytes, path: Path | str = "<bytes>") -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``; raise :class:`LoadError` for empty,
    binary or undecodable input."""
    if not data.strip():
        raise LoadError(path, "file is empty")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise LoadError(path, f"starts with a {enc} BOM but does not decode: {e}") from e
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        # A file cut short inside its last character (a truncated copy or upload) is still
        # UTF-8: keep everything before the cut.
        if e.reason == "unexpected end of data" and e.start >= len(data) - 3:
            text = data[: e.start].decode("utf-8")
            _check_not_binary(text, path)
            return text, "utf-8"
    else:
        _check_not_binary(text, path)
        return text, "utf-8"
    enc16 = _looks_utf16(data)
    if enc16:
        text = data.decode(enc16)
        _check_not_binary(text, path)
        return text, "utf-16"
    if data.count(b"\x00") > 0:
        raise LoadError(path, "binary file (contains NUL bytes); expected text or JSON Lines")
    candidates: list[tuple[float, str, str]] = []
    for enc in ("cp932", "euc_jp"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_japanese_score(text), enc, text))
    if not candidates:
        raise LoadError(
            path, "unknown encoding (not UTF-8, UTF-16, Shift_JIS/CP932 or EUC-JP) or binary"
        )
    score, enc, text = max(candidates)
    if score < 0.05:
        raise LoadError(path, f"does not look like Japanese text in any known encoding ({enc}?)")
    _check_not_binary(text, path)
    return text, enc


def _check_not_binary(text: str, path: Path | str) -> None:
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(2, len(text) // 100):
        raise LoadError(path, "binary file (too many control characters); expected text")
    # noncharacters, unassigned and private-use code points: bytes decoded as the wrong thing
    odd = sum(1 for c in text if c in "\ufffe\uffff" or unicodedata.category(c) in ("Cn", "Co"))
    if odd > max(2, len(text) // 100):
        raise LoadError(path, "binary file (not text in any known encoding)")


def newline_style(text: str) -> str:
    """``LF``, ``CRLF``, ``CR`` or ``mixed``, as found in ``text``."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [k for k, n in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if n]
    return kinds[0] if len(kinds) == 1 else ("LF" if not kinds else "mixed")


# --- catalog ---------------------------------------------------------------------------

CATALOG_FIELDS = ("id", "title", "council", "municipality", "committee", "kind", "date", "source")


def read_catalog(path: Path) -> dict[str, dict[str, Any]]:
    """Read a catalog TOML (``[[documents]]`` tables) into ``{file name: entry}``.

    Each entry has id, title, council, municipality (品川区: whose council it is; else read
    from the header or the text), committee, kind (``report`` | ``minutes``), date and
    source, plus ``file``, the document's path relative to the catalog.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise LoadError(path, f"cannot read catalog: {e}") from e
    entries: dict[str, dict[str, Any]] = {}
    for n, entry in enumerate(data.get("documents", []), 1):
        if "file" not in entry or "id" not in entry:
            raise LoadError(path, f"documents[{n}] needs 'file' and 'id'")
        if entry.get("kind", "report") not in ("report", "minutes"):
            raise LoadError(path, f"documents[{n}].kind must be 'report' or 'minutes'")
        entries[str(entry["file"])] = dict(entry)
    return entries


def find_catalog(directory: Path) -> dict[str, dict[str, Any]]:
    for name in CATALOG_NAMES:
        if (directory / name).is_file():
            return read_catalog(directory / name)
    return {}


# --- files -----------------------------------------------------------------------------


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for s in sorted(JSONL_SUFFIXES, key=len, reverse=True):
        if name.endswith(s):
            return s
    return path.suffix.lower()


def load_text_file(path: Path, meta: Mapping[str, Any] | None = None) -> SourceDoc:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LoadError(path, f"cannot read: {e.strerror or e}") from e
    text, encoding = decode_bytes(data, path)
    meta = dict(meta or {})
    meta.setdefault("newline", newline_style(text))
    return SourceDoc(
        doc_id=str(meta.get("id") or path.stem),
        path=str(path),
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        meta=meta,
    )


def load_converted_file(path: Path, meta: Mapping[str, Any] | None = None) -> SourceDoc:
    """A PDF or .docx, as text with form feeds between pages (:mod:`rag.converting`)."""
    from rag.converting import ConversionError, convert

    try:
        data = path.read_bytes()
    except OSError as e:
        raise LoadError(path, f"cannot read: {e.strerror or e}") from e
    if not data.strip():
        raise LoadError(path, "file is empty")
    try:
        text = convert(path)
    except ConversionError as e:
        raise LoadError(path, str(e)) from e
    meta = dict(meta or {})
    meta.setdefault("newline", "\n")
    return SourceDoc(
        doc_id=str(meta.get("id") or path.stem),
        path=str(path),
        encoding=path.suffix.lower().lstrip("."),
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        meta=meta,
    )


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


def load_markup_file(path: Path, meta: Mapping[str, Any] | None = None) -> SourceDoc:
    """An HTML page or DiscussNet-style JSON, as its text (:mod:`rag.converting`)."""
    from rag.converting import ConversionError, discussnet_to_text, html_to_text

    try:
        data = path.read_bytes()
    except OSError as e:
        raise LoadError(path, f"cannot read: {e.strerror or e}") from e
    declared = _CHARSET.search(data[:4096]) if path.suffix.lower() != ".json" else None
    text = encoding = None
    if declared:
        try:
            encoding = codecs.lookup(declared.group(1).decode("ascii")).name
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text, encoding = decode_bytes(data, path)
    try:
        converted = (
            discussnet_to_text(text) if path.suffix.lower() == ".json" else html_to_text(text)
        )
    except ConversionError as e:
        raise LoadError(path, str(e)) from e
    if not converted.strip():
        raise LoadError(path, "no visible text in the page")
    meta = dict(meta or {})
    meta.setdefault("newline", "\n")
    return SourceDoc(
        doc_id=str(meta.get("id") or path.stem),
        path=str(path),
        encoding=str(encoding),
        sha256=hashlib.sha256(data).hexdigest(),
        text=converted,
        meta=meta,
    )


def _open_maybe_compressed(path: Path) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".xz"):
        return lzma.open(path, "rb")
    if name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def iter_jsonl_meetings(
    path: Path, meta: Mapping[str, Any] | None = None, errors: list[LoadError] | None = None
) -> Iterator[SourceDoc]:
    """Stream one :class:`SourceDoc` per meeting line; a bad line is reported in ``errors``
    (or raised when ``errors`` is None) and the rest still load."""
    base = dict(meta or {})
    prefix = str(base.pop("id", "")) or path.name.split(".")[0]
    with _open_maybe_compressed(path) as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                doc = _meeting_from_json(raw, prefix, path, base)
            except LoadError as e:
                err = LoadError(f"{path}:{lineno}", e.reason)
                if errors is None:
                    raise err from e
                errors.append(err)
                continue
            yield doc


def _meeting_from_json(raw: bytes, prefix: str, path: Path, base: Mapping[str, Any]) -> SourceDoc:
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise LoadError(path, f"invalid JSON: {e}") from e
    if not isinstance(obj, dict) or not isinstance(obj.get("voices"), list):
        raise LoadError(path, "field 'voices' missing or not a list")
    voices = []
    for n, v in enumerate(obj["voices"], 1):
        if not isinstance(v, dict) or not isinstance(v.get("text"), str):
            raise LoadError(path, f"voices[{n}].text missing or not a string")
        voices.append(Voice(int(v.get("i", n)), str(v.get("speaker") or ""), v["text"]))
    if not voices:
        raise LoadError(path, "field 'voices' is empty")
    meeting_id = str(obj.get("id") or hashlib.sha1(raw).hexdigest()[:12])
    title = str(obj.get("title") or meeting_id)
    meta = {
        **base,
        "id": f"{prefix}:{meeting_id}",
        "title": title,
        "kind": base.get("kind", "minutes"),
        "date": obj.get("dateIso") or base.get("date"),
        "meeting": title,
        "source": obj.get("sourceUrl") or base.get("source"),
    }
    return SourceDoc(
        doc_id=meta["id"],
        path=str(path),
        encoding="utf-8",
        sha256=hashlib.sha256(raw).hexdigest(),
        voices=tuple(voices),
        meta=meta,
    )


def iter_paths(paths: Iterable[Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Expand files and folders into ``(file, catalog entry)`` pairs, sorted for stability.
    In a folder, catalog files, hidden files and the files that describe the folder
    (:data:`ABOUT_FOLDER`: README.md, SOURCES.md, LICENSE) are skipped; a folder's catalog
    supplies the metadata."""
    for p in paths:
        if p.is_dir():
            catalog = find_catalog(p)
            for f in sorted(p.rglob("*")):
                if (
                    f.is_file()
                    and f.name not in CATALOG_NAMES
                    and not f.name.startswith(".")
                    and not describes_folder(f)
                ):
                    yield f, catalog.get(str(f.relative_to(p)), {})
        else:
            catalog = find_catalog(p.parent)
            yield p, catalog.get(p.name, {})


def load_documents(
    paths: Iterable[Path], errors: list[LoadError] | None = None
) -> Iterator[SourceDoc]:
    """Load every document under ``paths``. Bad files are collected in ``errors`` (with the
    file named) and skipped, so the rest of the corpus still loads; with ``errors=None``
    the first bad file raises."""
    for path, meta in iter_paths(paths):
        suffix = _suffix(path)
        try:
            if suffix in JSONL_SUFFIXES:
                yield from iter_jsonl_meetings(path, meta, errors)
            elif suffix in TEXT_SUFFIXES:
                yield load_text_file(path, meta)
            elif suffix in CONVERTED_SUFFIXES:
                yield load_converted_file(path, meta)
            elif suffix in MARKUP_SUFFIXES:
                yield load_markup_file(path, meta)
            else:
                raise LoadError(path, f"unknown file type '{suffix or path.name}'")
        except LoadError as e:
            if errors is None:
                raise
            errors.append(e)
