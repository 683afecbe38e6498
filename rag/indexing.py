"""Indexing: chunks to a persisted FAISS + BM25 index with a manifest, built incrementally
and written atomically.

Layout of the index folder (``index/`` by default)::

    CURRENT                 name of the live generation, replaced atomically
    g-<time>/manifest.json  model, dimension, normalisation, chunker version, file hashes
    g-<time>/chunks.sqlite  the chunks in index order, each field compressed
                            (:mod:`rag.chunkstore`); text is read lazily by row
    g-<time>/dense.faiss    IndexFlatIP (exact), or above a size threshold HNSW over the
                            vectors in float16 (IndexHNSWSQ), memory-mapped when opened;
                            absent with RAG_VECTOR_STORE=milvus
    g-<time>/bm25.*.npy     the BM25 term counts (CSC arrays, memory-mapped) and document
                            lengths, bm25.json its vocabulary and parameters

The manifest records every file's size, so a truncated file is named at open without
reading it. Formats 1 (``chunks.jsonl``, ``bm25.npz``) and 2 (BM25 weights, zlib rows with
their tokens, float32 HNSW) still load, and the next ingest rewrites them in this format
reusing their vectors and chunks (nothing is embedded again).

A build writes a new generation next to the live one and only then points ``CURRENT`` at
it, so a build killed halfway leaves the previous index usable. ``ingest`` re-embeds only
documents whose hash changed, and drops documents that vanished.

>>> report = ingest([Path("corpus")], Settings())   # doctest: +SKIP
>>> report.embedded, report.unchanged               # doctest: +SKIP
(40, 0)
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import faiss
import numpy as np
import zstandard
from langchain_core.embeddings import Embeddings

from rag.bm25 import BM25
from rag.chunking import CHUNKER_VERSION, Chunk, chunk_source
from rag.chunkstore import FILE as CHUNKS_FILE
from rag.chunkstore import ChunkTable, write_table
from rag.embedding import ALIASES, BatchedEmbeddings, as_batched, load_embeddings
from rag.loading import LoadError, load_documents
from rag.municipalities import most_named, named
from rag.settings import Settings
from rag.tokenizing import TOKENIZER_VERSION, tokenize_all
from rag.vectorstores import DenseStore, FaissChunkStore, MilvusChunkStore

FORMAT_VERSION = 3
READABLE_FORMATS = (1, 2, 3)  # an older format loads, and is rewritten by the next ingest
OWN = {  # files a generation is written with (any format); others are added later
    "manifest.json", "chunks.sqlite", "chunks.jsonl", "dense.faiss", "bm25.json", "bm25.npz",
    "bm25.data.npy", "bm25.indices.npy", "bm25.indptr.npy", "bm25.tf.npy", "bm25.lengths.npy",
}  # fmt: skip
CHECKPOINT_ROWS = 2048  # vectors per saved part of an interrupted ingest
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 256  # recall@10 0.968 vs exact on the 87k scale index (128: 0.953)


class IndexMismatchError(RuntimeError):
    """The index on disk was built with another model, chunker or format."""


class IndexCorruptError(RuntimeError):
    """An index file is missing or unreadable; the message names it."""


class IndexWriteError(RuntimeError):
    """The index folder cannot be written (read-only, full disk); the old index is intact."""


@contextmanager
def ingest_lock(root: Path) -> Iterator[None]:
    """One ingest at a time per index folder, across processes (``root/.lock``, flock).

    A second ingest waits for the first, then finds the index up to date or brings it up
    to date itself; two ingests never interleave their writes.
    """
    try:
        root.mkdir(parents=True, exist_ok=True)
        fh = (root / ".lock").open("a+")
    except OSError as e:
        raise IndexWriteError(f"{root}: cannot write the index here ({e.strerror or e})") from e
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another ingest into {root} to finish…", file=sys.stderr)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class StoredIndex:
    """A loaded index generation."""

    folder: Path
    manifest: dict[str, Any]
    chunks: list[Chunk]
    dense: Any  # faiss.Index; None when the vectors live in Milvus
    bm25: BM25
    table: ChunkTable | None = None  # None for an index of format 1

    def tokens(self, rows: Sequence[int]) -> dict[int, list[str]]:
        """The BM25 tokens of ``rows``: as a table of format 2 stored them, else as the BM25
        counts give them back (a bag, in vocabulary order); none from format 1."""
        stored = self.table.tokens(rows) if self.table is not None else {}
        return stored or self.bm25.bags(rows)

    def text_lengths(self) -> np.ndarray | None:
        """Characters of each chunk's text, by row, as the table of format 3 stores them;
        None from older formats (the reranker then measures each candidate's text)."""
        return self.table.text_lengths() if self.table is not None else None

    def vectors(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Stored vectors of ``rows`` (all when None), from the FAISS index."""
        if self.dense is None:
            raise IndexMismatchError(f"{self.folder}: no FAISS index; the vectors are in Milvus")
        if rows is None:
            return np.asarray(self.dense.reconstruct_n(0, self.dense.ntotal), dtype=np.float32)
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return np.zeros((0, self.dense.d), dtype=np.float32)
        return np.asarray(self.dense.reconstruct_batch(rows), dtype=np.float32)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # seconds of each stage
    index_type: str = ""
    errors: list[str] = field(default_factory=list)
    written: bool = False
    # municipalities read from the documents' text (no catalog or header named the council)
    municipalities: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if not self.written:
            return f"index is up to date ({self.chunks} chunks, {self.unchanged} documents)"
        return (
            f"indexed {self.chunks} chunks ({self.index_type}): {len(self.added)} added, "
            f"{len(self.changed)} changed, {len(self.removed)} removed, {self.unchanged} "
            f"unchanged documents; {self.embedded} chunks embedded; {self.seconds:.1f}s"
            + "".join(
                f"{', ' if i else ' ('}{name} {sec:.1f}s"
                for i, (name, sec) in enumerate(self.stages.items())
            )
            + (")" if self.stages else "")
            + "".join(
                f"\nmunicipality read from the text: {place} ({n} documents)"
                for place, n in sorted(self.municipalities.items(), key=lambda x: -x[1])
            )
        )


# --- reading ---------------------------------------------------------------------------


def current_folder(root: Path) -> Path | None:
    pointer = root / "CURRENT"
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    folder = root / name
    if not name or not folder.is_dir():
        raise IndexCorruptError(f"{pointer}: points at missing generation {name!r}")
    return folder


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise IndexCorruptError(f"{path}: unreadable manifest ({e})") from e
    if not isinstance(manifest, dict) or manifest.get("format_version") not in READABLE_FORMATS:
        raise IndexMismatchError(
            f"{path}: index format {manifest.get('format_version')!r} is not {FORMAT_VERSION}; "
            "rebuild it with `rag ingest --rebuild`"
        )
    return manifest


def check_compatible(
    manifest: dict[str, Any], settings: Settings, where: Path, tokens: bool = True
) -> None:
    """Refuse an index built with another embedding model or chunker, saying how to fix it;
    with ``tokens``, also one whose BM25 tokens another tokenizer made (``rag ingest``
    re-tokenises it, keeping its vectors)."""
    built = manifest["embedding"]["name"]
    wanted = canonical_model_name(settings.embed_model)
    problems = []
    if built != wanted:
        problems.append(f"embedding model {built!r} (settings ask for {wanted!r})")
    if manifest["chunker_version"] != CHUNKER_VERSION:
        problems.append(
            f"chunker version {manifest['chunker_version']} (this code is {CHUNKER_VERSION})"
        )
    if manifest.get("index_type") == "milvus" and settings.vector_store != "milvus":
        problems.append("its vectors in Milvus (settings ask for FAISS)")
    if manifest["bm25"]["field"] != settings.bm25_field:
        problems.append(
            f"BM25 field {manifest['bm25']['field']!r} (settings ask for {settings.bm25_field!r})"
        )
    tokenizer = manifest["bm25"].get("tokenizer", 1)  # 1: before the version was recorded
    if tokens and tokenizer != TOKENIZER_VERSION and not problems:
        raise IndexMismatchError(
            f"the index in {where} was built with BM25 tokenizer version {tokenizer} (this "
            f"code is {TOKENIZER_VERSION}). Run `rag ingest` to re-tokenise it (its vectors "
            "are kept)."
        )
    if problems:
        other_model = f", or search it with `--model {built}` (RAG_EMBED_MODEL={built})"
        raise IndexMismatchError(
            f"the index in {where} was built with " + " and ".join(problems) + ". Rebuild it "
            f"with `rag ingest --rebuild --model {wanted}`"
            + (other_model if len(problems) == 1 and built != wanted else "")
            + "."
        )


def canonical_model_name(name: str) -> str:
    return ALIASES.get(name.lower(), name)


def load_index(settings: Settings, check: bool = True) -> StoredIndex:
    """Load the live generation under ``settings.index_dir``."""
    root = settings.index_dir
    folder = current_folder(root)
    if folder is None:
        raise FileNotFoundError(f"no index in {root}; build one with `rag ingest`")
    manifest = _read_manifest(folder)
    if check:
        check_compatible(manifest, settings, root)
    _check_sizes(folder, manifest)
    table = None
    if manifest["format_version"] == 1:
        chunks = list(_read_chunks(folder / "chunks.jsonl"))
    else:
        path = folder / CHUNKS_FILE
        try:
            table = ChunkTable.open(path)
            chunks = table.chunks()
        except (
            sqlite3.Error,
            zlib.error,
            zstandard.ZstdError,
            UnicodeDecodeError,
            json.JSONDecodeError,
        ) as e:
            raise IndexCorruptError(f"{path}: unreadable chunk table ({e})") from e
    dense = None
    if settings.vector_store != "milvus":
        dense = _read_dense(folder / "dense.faiss", len(chunks))
    try:
        bm25 = BM25.load(folder)
    except Exception as e:  # zip, numpy, JSON and key errors alike: the files are damaged
        raise IndexCorruptError(
            f"{folder / 'bm25.json'} / bm25 arrays: unreadable BM25 index ({type(e).__name__}: {e})"
        ) from e
    if bm25.matrix.shape[0] != len(chunks):
        raise IndexCorruptError(
            f"{folder / 'bm25.json'}: {bm25.matrix.shape[0]} BM25 rows for {len(chunks)} chunks"
        )
    return StoredIndex(folder, manifest, chunks, dense, bm25, table)


def _check_sizes(folder: Path, manifest: dict[str, Any]) -> None:
    """A file whose size differs from the manifest's record was cut short or replaced."""
    for name, size in (manifest.get("files") or {}).items():
        path = folder / name
        try:
            actual = path.stat().st_size
        except OSError as e:
            raise IndexCorruptError(f"{path}: missing ({e.strerror})") from e
        if actual != size:
            raise IndexCorruptError(f"{path}: {actual} bytes where {size} were written")


def _read_dense(path: Path, n_chunks: int) -> Any:
    try:
        dense = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)
    except RuntimeError as e:
        raise IndexCorruptError(f"{path}: unreadable FAISS index ({str(e).splitlines()[0]})") from e
    if dense.ntotal != n_chunks:
        raise IndexCorruptError(f"{path}: {dense.ntotal} vectors for {n_chunks} chunks")
    if hasattr(dense, "hnsw"):
        dense.hnsw.efSearch = HNSW_EF_SEARCH
    return dense


def open_dense_store(settings: Settings, index: StoredIndex, emb: BatchedEmbeddings) -> DenseStore:
    """The dense store the settings name, over the chunks of ``index``."""
    if settings.vector_store == "milvus":
        return MilvusChunkStore(settings.milvus_target, emb)
    if index.dense is None:
        raise IndexMismatchError(f"{index.folder}: no FAISS index (it was built for Milvus)")
    return FaissChunkStore(index.chunks, index.dense, emb)


def _read_chunks(path: Path) -> Iterator[Chunk]:
    try:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                try:
                    d = json.loads(line)
                    yield Chunk(d["id"], d["text"], d["embed_text"], d["metadata"])
                except (json.JSONDecodeError, KeyError, TypeError) as e:
                    raise IndexCorruptError(f"{path}:{n}: broken chunk record ({e})") from e
    except UnicodeDecodeError as e:
        raise IndexCorruptError(f"{path}: not UTF-8 at byte {e.start}; the file is damaged") from e
    except OSError as e:
        raise IndexCorruptError(f"{path}: cannot read ({e.strerror})") from e


# --- building --------------------------------------------------------------------------


def build_dense(vectors: np.ndarray, ann_threshold: int) -> Any:
    """Exact inner-product search for small corpora, HNSW above ``ann_threshold`` chunks."""
    dim = vectors.shape[1]
    index: Any
    if len(vectors) > ann_threshold:
        # float16 vectors: half the bytes, cosine to the float32 vector >= 0.99999, the
        # same recall@10 (0.997 on the archive); a vector read back and stored again is
        # unchanged, so incremental ingests do not drift
        index = faiss.IndexHNSWSQ(
            dim, cast(Any, faiss.ScalarQuantizer.QT_fp16), HNSW_M, faiss.METRIC_INNER_PRODUCT
        )
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def milvus_count(settings: Settings, emb: BatchedEmbeddings) -> int:
    return MilvusChunkStore(settings.milvus_target, emb).count()


def sync_milvus(
    settings: Settings,
    emb: BatchedEmbeddings,
    chunks: list[Chunk],
    vectors: Callable[[Sequence[int]], np.ndarray],
    refresh: Iterable[str],
) -> None:
    """Bring the Milvus collection in line with the index just written (or found);
    ``vectors`` gives the vectors of the rows Milvus lacks."""
    store = MilvusChunkStore(settings.milvus_target, emb)
    done = store.sync(chunks, vectors, refresh)
    if any(done.values()):
        print(f"milvus {settings.milvus_target}: {done}", file=sys.stderr)


def _embedder(
    emb: BatchedEmbeddings, chunks: Sequence[Chunk]
) -> Callable[[Sequence[int]], np.ndarray]:
    return lambda rows: emb.encode([chunks[r].embed_text for r in rows])


def embed_resumably(
    emb: BatchedEmbeddings,
    texts: list[str],
    root: Path,
    progress: Any = None,
    part_rows: int = CHECKPOINT_ROWS,
) -> np.ndarray:
    """Embed ``texts``, saving every ``part_rows`` vectors under ``root/.embed-<key>/``.

    The key is a hash of the model and the texts, so an interrupted ingest of the same
    documents picks up where it stopped, and anything else starts afresh. The checkpoint
    folder is removed once a new generation is written.
    """
    digest = hashlib.sha256(json.dumps(emb.describe(), sort_keys=True).encode())
    for t in texts:
        digest.update(t.encode("utf-8", "surrogatepass") + b"\x00")
    folder = root / f".embed-{digest.hexdigest()[:16]}"
    for other in root.glob(".embed-*"):
        if other != folder:
            shutil.rmtree(other, ignore_errors=True)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise IndexWriteError(f"{root}: cannot write the index here ({e.strerror or e})") from e
    out = np.zeros((len(texts), emb.dim), dtype=np.float32)
    for start in range(0, len(texts), part_rows):
        batch = texts[start : start + part_rows]
        part = folder / f"{start:09d}.npy"
        done = None
        if part.exists():
            try:
                done = np.load(part)
            except (OSError, ValueError):
                done = None  # a part cut short by the interruption: embed it again
        if done is None or done.shape != (len(batch), emb.dim):
            done = emb.encode(batch, progress=progress)
            tmp = folder / f".{start:09d}.tmp.npy"
            try:
                np.save(tmp, done)
                os.replace(tmp, part)
            except OSError as e:  # no room for checkpoints: go on without them
                tmp.unlink(missing_ok=True)
                print(f"warning: {folder}: checkpoint not saved ({e.strerror})", file=sys.stderr)
        elif progress:
            progress(len(batch))
        out[start : start + len(batch)] = done
    return out


def _progress(total: int, desc: str, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="chunk", disable=not enabled, file=sys.stderr)


def _reusable_manifest(settings: Settings, emb: BatchedEmbeddings) -> dict[str, Any] | None:
    """The live manifest, if its chunks and vectors can be reused with ``emb``."""
    try:
        folder = current_folder(settings.index_dir)
        if folder is None:
            return None
        manifest = _read_manifest(folder)
        check_compatible(manifest, settings, settings.index_dir, tokens=False)
    except (IndexMismatchError, IndexCorruptError) as e:
        print(
            f"note: building a new index, the existing one cannot be reused ({e})", file=sys.stderr
        )
        return None
    return manifest if manifest["embedding"] == emb.describe() else None


def ingest(
    paths: Iterable[Path],
    settings: Settings,
    embeddings: Embeddings | None = None,
    rebuild: bool = False,
    progress: bool | None = None,
) -> IngestReport:
    """Bring the index in line with the documents under ``paths``.

    Whether anything changed is decided from the manifest's file hashes alone; the previous
    index is loaded only when chunks and vectors must be carried into a new generation.
    Concurrent ingests into one folder are serialised by :func:`ingest_lock`. With
    ``settings.vector_store == "milvus"`` the vectors go to Milvus and no FAISS file is
    written; ``embeddings`` may be any LangChain ``Embeddings``.
    """
    emb = as_batched(embeddings) if embeddings is not None else None
    with ingest_lock(settings.index_dir):
        return _ingest(list(paths), settings, emb, rebuild, progress)


def _ingest(
    paths: list[Path],
    settings: Settings,
    embeddings: BatchedEmbeddings | None,
    rebuild: bool,
    progress: bool | None,
) -> IngestReport:
    t0 = time.perf_counter()
    emb = embeddings or load_embeddings(settings.embed_model, settings.threads)
    report = IngestReport()
    manifest_before = None if rebuild else _reusable_manifest(settings, emb)
    old_docs: dict[str, Any] = manifest_before["documents"] if manifest_before else {}

    errors: list[LoadError] = []
    plan: list[tuple[str, list[Chunk] | None]] = []  # None: reuse the previous chunks
    documents: dict[str, Any] = {}
    named_in: dict[str, Counter[str]] = defaultdict(Counter)  # municipalities, by file
    unplaced: set[str] = set()  # documents whose municipality is read from the text
    for doc in load_documents(paths, errors):
        if doc.doc_id in documents:
            report.errors.append(f"{doc.path}: duplicate document id {doc.doc_id!r}; skipped")
            continue
        old = old_docs.get(doc.doc_id)
        if old and old["sha256"] == doc.sha256:
            plan.append((doc.doc_id, None))
            report.unchanged += 1
        else:
            plan.append((doc.doc_id, pieces := chunk_source(doc)))
            (report.changed if old else report.added).append(doc.doc_id)
            head = pieces[0].metadata if pieces else {}
            if head.get("kind") == "minutes" and not head.get("municipality"):
                text = doc.text or "\n".join(v.text for v in doc.voices)
                named_in[doc.path].update(named(text))
                unplaced.add(doc.doc_id)
        documents[doc.doc_id] = {"path": doc.path, "sha256": doc.sha256, "encoding": doc.encoding}
    plan = _place(plan, unplaced, documents, named_in, report)
    report.errors += [str(e) for e in errors]
    report.removed = sorted(set(old_docs) - set(documents))
    current_format = (
        manifest_before is not None and manifest_before["format_version"] == FORMAT_VERSION
    )
    # BM25 tokens made by another tokenizer: made again, the chunks and vectors kept
    retokenise = (
        manifest_before is not None
        and manifest_before["bm25"].get("tokenizer", 1) != TOKENIZER_VERSION
    )
    if retokenise:
        print("note: re-tokenising the index for BM25 (a newer tokenizer)", file=sys.stderr)
    if current_format and not retokenise and not (report.added or report.changed or report.removed):
        assert manifest_before is not None
        report.chunks = sum(int(d["chunks"]) for d in old_docs.values())
        report.index_type = manifest_before["index_type"]
        if settings.vector_store == "milvus" and milvus_count(settings, emb) != report.chunks:
            current = load_index(settings)  # the collection is new or behind: fill it
            sync_milvus(settings, emb, current.chunks, _embedder(emb, current.chunks), ())
        # an up-to-date index needs no checkpoint: one left by a run killed after its
        # write, before its cleanup, goes now
        _drop_checkpoints(settings.index_dir)
        report.seconds = time.perf_counter() - t0
        return report

    previous: StoredIndex | None = None
    if report.unchanged:
        try:
            previous = load_index(settings, check=not retokenise)  # else checked above
        except (IndexMismatchError, IndexCorruptError) as e:
            print(f"note: rebuilding, the existing index is unusable: {e}", file=sys.stderr)
            return _ingest(paths, settings, emb, True, progress)
    old_rows: dict[str, list[int]] = {}
    for row, c in enumerate(previous.chunks if previous else []):
        old_rows.setdefault(c.metadata["doc_id"], []).append(row)
    chunks: list[Chunk] = []
    reuse_rows: list[int] = []  # row in the previous index, or -1 to embed
    for doc_id, new in plan:
        before = len(chunks)
        if new is None and previous is not None:
            rows = old_rows.get(doc_id, [])
            chunks.extend(previous.chunks[r] for r in rows)
            reuse_rows.extend(rows)
        else:
            chunks.extend(new or [])
            reuse_rows.extend([-1] * len(new or []))
        documents[doc_id]["chunks"] = len(chunks) - before
    report.chunks = len(chunks)

    vectors = np.zeros((len(chunks), emb.dim), dtype=np.float32)
    reuse = np.asarray(reuse_rows, dtype=np.int64)
    milvus = settings.vector_store == "milvus"
    if previous is not None and previous.dense is not None and (reuse >= 0).any():
        keep = np.flatnonzero(reuse >= 0)
        vectors[keep] = previous.vectors(reuse[keep])
    todo = np.flatnonzero(reuse < 0)
    mark = _stage(report, "read and chunk", t0)
    show = progress if progress is not None else len(todo) > 200
    with _progress(len(todo), "BM25 tokens", bool(show)) as bar:
        kept = None if retokenise else previous
        all_tokens = _bm25_tokens(chunks, reuse, kept, settings.bm25_field, settings.threads)
        bar.update(len(todo))
    mark = _stage(report, "BM25 tokens", mark)
    with _progress(len(todo), "embedding", bool(show)) as bar:
        if len(todo):
            texts = [chunks[i].embed_text for i in todo]
            vectors[todo] = embed_resumably(emb, texts, settings.index_dir, bar.update)
    report.embedded = int(len(todo))
    mark = _stage(report, "embedding", mark)

    bm25 = BM25.build(all_tokens)
    dense = None
    if not milvus:
        dense = _same_dense(previous, reuse, settings.ann_threshold)
        if dense is None:
            dense = build_dense(vectors, settings.ann_threshold)
    report.index_type = "milvus" if milvus else "hnsw" if hasattr(dense, "hnsw") else "flat"
    manifest = {
        "format_version": FORMAT_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "embedding": emb.describe(),
        "chunker_version": CHUNKER_VERSION,
        "index_type": report.index_type,
        "ann_threshold": settings.ann_threshold,
        "bm25": {
            "field": settings.bm25_field,
            "tokenizer": TOKENIZER_VERSION,
            "k1": bm25.k1,
            "b": bm25.b,
            "idf": bm25.idf,
        },
        "n_chunks": len(chunks),
        "documents": documents,
    }
    carry = []  # what others derived from the index (the fitted reranker) stays valid
    same = previous is not None and dense is not None and dense is previous.dense
    if previous is not None and same and bm25.same_as(previous.bm25):
        carry = [f for f in previous.folder.iterdir() if f.is_file() and f.name not in OWN]
    write_generation(settings.index_dir, manifest, chunks, dense, bm25, carry)
    if milvus:
        unknown = (reuse >= 0) & (previous is None or previous.dense is None)
        embed = _embedder(emb, chunks)

        def vectors_of(rows: Sequence[int]) -> np.ndarray:
            """Vectors of new chunks as embedded above; reused ones, which only Milvus
            held, are embedded again should Milvus lack them (a new collection)."""
            again = [r for r in rows if unknown[r]]
            if again:
                vectors[again] = embed(again)
            return vectors[list(rows)]

        sync_milvus(settings, emb, chunks, vectors_of, report.added + report.changed)
    _drop_checkpoints(settings.index_dir)  # of this run or older ones
    report.written = True
    _stage(report, "index build and write", mark)
    report.seconds = time.perf_counter() - t0
    return report


def _place(
    plan: list[tuple[str, list[Chunk] | None]],
    unplaced: set[str],
    documents: Mapping[str, Any],
    named_in: Mapping[str, Counter[str]],
    report: IngestReport,
) -> list[tuple[str, list[Chunk] | None]]:
    """Give each document of ``unplaced`` (minutes whose catalog and header name no council)
    the municipality its file names most (:func:`rag.municipalities.most_named`): one
    meeting of an archive may name its ward only once or never, the archive's file names it
    hundreds of times. The choice is counted in ``report.municipalities``."""
    out = []
    for doc_id, chunks in plan:
        place = most_named(named_in[documents[doc_id]["path"]]) if doc_id in unplaced else None
        if place and chunks:
            chunks = [replace(c, metadata={**c.metadata, "municipality": place}) for c in chunks]
            report.municipalities[place] = report.municipalities.get(place, 0) + 1
        out.append((doc_id, chunks))
    return out


def _drop_checkpoints(index_dir: Path) -> None:
    """Remove the embedding checkpoints (``.embed-*``) of an index that is written."""
    for stale in index_dir.glob(".embed-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _stage(report: IngestReport, name: str, since: float) -> float:
    """Record a stage's seconds in the report; returns now, for the next stage."""
    now = time.perf_counter()
    report.stages[name] = round(now - since, 3)
    return now


def _bm25_tokens(
    chunks: list[Chunk],
    reuse: np.ndarray,
    previous: StoredIndex | None,
    field: str,
    workers: int,
) -> list[list[str]]:
    """BM25 tokens of every chunk: kept from the previous index for reused rows, made for
    the others before embedding starts, in ``workers`` processes when there are many
    (:func:`rag.tokenizing.tokenize_all`). Overlapping them with the embedder in a thread
    stalled both on the GIL: torch's import alone took 2.5 minutes beside it."""
    out: list[list[str] | None] = [None] * len(chunks)
    if previous is not None:
        kept = previous.tokens([int(r) for r in reuse[reuse >= 0]])
        for row in np.flatnonzero(reuse >= 0):
            out[row] = kept.get(int(reuse[row]))
    todo = [i for i, t in enumerate(out) if t is None]
    made = tokenize_all([chunks[i].embed_text for i in todo], field, workers)
    for i, toks in zip(todo, made, strict=True):
        out[i] = toks
    return [t or [] for t in out]


def _same_dense(previous: StoredIndex | None, reuse: np.ndarray, ann_threshold: int) -> Any:
    """The previous FAISS index when the new one would hold the same vectors in the same
    rows with the same structure (an index rewritten in a new format), else None."""
    if previous is None or previous.dense is None or previous.dense.ntotal != len(reuse):
        return None
    if not np.array_equal(reuse, np.arange(len(reuse))):
        return None
    ann = len(reuse) > ann_threshold
    same_kind = isinstance(previous.dense, faiss.IndexHNSWSQ if ann else faiss.IndexFlatIP)
    return previous.dense if same_kind else None


def write_generation(
    root: Path,
    manifest: dict[str, Any],
    chunks: list[Chunk],
    dense: Any,
    bm25: BM25,
    carry: Sequence[Path] = (),
) -> Path:
    """Write a complete generation, then switch ``CURRENT`` to it in one atomic rename.

    A failed write (full disk, read-only folder) removes the partial generation and raises
    :class:`IndexWriteError`; ``CURRENT`` still names the previous, complete one.
    """
    name = f"g-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    tmp = root / f".tmp-{name}"
    step = "the index folder"
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        step = CHUNKS_FILE
        write_table(tmp / CHUNKS_FILE, chunks)
        step = "dense.faiss"
        if dense is not None:  # None: the vectors live in Milvus
            faiss.write_index(dense, str(tmp / "dense.faiss"))
        step = "bm25"
        bm25.save(tmp)
        step = "manifest.json"
        manifest = {**manifest, "files": {f.name: f.stat().st_size for f in sorted(tmp.iterdir())}}
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        for f in carry:
            step = f.name
            shutil.copyfile(f, tmp / f.name)
        for f in tmp.iterdir():
            with f.open("rb") as fh:
                os.fsync(fh.fileno())
        final = root / name
        step = "the new generation"
        tmp.rename(final)
        step = "CURRENT"
        pointer_tmp = root / f".CURRENT.{os.getpid()}"
        pointer_tmp.write_text(name + "\n", encoding="utf-8")
        os.replace(pointer_tmp, root / "CURRENT")
    except (OSError, RuntimeError, sqlite3.Error) as e:  # faiss: RuntimeError
        shutil.rmtree(tmp, ignore_errors=True)
        (root / f".CURRENT.{os.getpid()}").unlink(missing_ok=True)
        reason = getattr(e, "strerror", None) or str(e).splitlines()[0]
        if getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            reason = os.strerror(errno.ENOSPC)
        raise IndexWriteError(
            f"{root}: could not write {step} ({reason}); the previous index is unchanged"
        ) from e
    for old in root.iterdir():  # previous generations and leftovers of killed builds
        if old.is_dir() and old.name != name and (old.name.startswith(("g-", ".tmp-g-"))):
            shutil.rmtree(old, ignore_errors=True)
    return final
