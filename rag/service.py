"""The chat service behind every front end (the Gradio UI, the HTTP API, the CLI's server).

:class:`ChatService` checks questions and filters (a clear message naming the field), bounds
how many answers are computed at once, swaps in a new index after a document is added or
removed, finds past exchanges, and keeps the feedback store. :mod:`rag.api` puts it on HTTP;
``app.py`` puts it in the browser.
"""

from __future__ import annotations

import gzip
import json
import lzma
import re
import shutil
import threading
import time
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rag.answering import Answerer
from rag.answers import Answer
from rag.chunking import Chunk, chunk_source
from rag.exchanges import (
    Difference,
    ExchangeQuery,
    ExchangeResult,
    check_draft,
    find_exchanges,
    topic_terms,
)
from rag.feedback import FeedbackStore
from rag.filters import FilterError, Filters
from rag.indexing import IndexWriteError, IngestReport, ingest
from rag.loading import LoadError, find_catalog, load_documents
from rag.retrieval import QueryError, Retriever
from rag.settings import Settings
from rag.text import CONTROL

MAX_HISTORY = 6  # earlier questions kept for follow-ups
# labels of the question's reading an asker may untick, and their length (「2022年度」)
MAX_IGNORED_HINTS, MAX_HINT_LABEL = 20, 100
# Dropped from whatever callers send: lone surrogates (JSON allows "\ud800"), noncharacters
# (U+FDD0–U+FDEF and the last two code points of every plane), invisible format controls
# (U+2060–U+206F: word joiner, bidi isolates) and tag characters (U+E0000–U+E007F).
_UNENCODABLE = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef\u2060-\u206f\U000e0000-\U000e007f"
    + "".join(f"{chr(p + 0xFFFE)}{chr(p + 0xFFFF)}" for p in range(0, 0x110000, 0x10000))
    + "]"
)
# An absolute path in a message is reduced to its file name: errors show no server paths.
_ABS_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][^/\\\s'\":]+)+[/\\]([^/\\\s'\":]+)")
_SAFE_NAME = re.compile(r"[^\w.\-]+")


class RequestError(ValueError):
    """A question, filter or upload the service refuses; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class BusyError(RuntimeError):
    """Every answer slot stayed taken for the whole wait."""


def clean_text(text: str) -> str:
    """NFC text without unencodable code points or control characters (each becomes a space)."""
    return CONTROL.sub(" ", unicodedata.normalize("NFC", _UNENCODABLE.sub("", text)))


def clean_json(value: Any) -> Any:
    """``value`` with :func:`clean_text` applied to every string in it."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return value


def redact(message: str) -> str:
    """``message`` with every absolute path reduced to its file name.

    >>> redact("/srv/gikai/corpus/..txt: unknown file type")
    '..txt: unknown file type'
    """
    return _ABS_PATH.sub(lambda m: m.group(1), message)


@dataclass(frozen=True)
class Facets:
    """What the UI's filters can offer, read from the index."""

    documents: list[tuple[str, str]]  # (title, doc_id)
    cities: list[str]
    meetings: list[str]
    roles: list[str]
    dates: tuple[str, str]


class ChatService:
    """Answers for every front end, with limits, reloads and feedback."""

    def __init__(
        self, settings: Settings, embeddings: Any | None = None, llm: Any | None = None
    ) -> None:
        self.settings = settings
        self._embeddings = embeddings
        if llm is None and settings.llm_url:
            from rag.generation import chat_model

            llm = chat_model(settings)
        self.llm = llm
        self._slots = threading.BoundedSemaphore(settings.concurrency)
        self._ingest_lock = threading.Lock()
        self._open_index()
        self.feedback = FeedbackStore(settings.feedback_db)

    def _open_index(self) -> None:
        retriever = Retriever.open(self.settings, self._embeddings)
        self._embeddings = retriever.embeddings
        # Two answerers over one retriever: the configured mode, and a forced extractive one.
        self._answerers = {
            "extractive": Answerer(retriever),
            "auto": Answerer(retriever, llm=self.llm) if self.llm else Answerer(retriever),
        }
        self.facets = _facets(retriever.chunks)

    @property
    def mode(self) -> str:
        return "llm" if self.llm is not None else "extractive"

    @property
    def retriever(self) -> Retriever:
        return self._answerers["auto"].retriever

    # -- checking what callers send ----------------------------------------------------------
    def clean_question(self, question: Any) -> str:
        if not isinstance(question, str):
            raise RequestError("question", "must be text")
        text = clean_text(question).strip()
        limit = self.settings.max_question_chars
        if not text:
            raise RequestError("question", "empty; type a question / 質問を入力してください")
        if len(text) > limit:
            raise RequestError(
                "question",
                f"{len(text):,} characters; the limit is {limit:,} / "
                f"質問が長すぎます（{len(text):,}文字、上限{limit:,}文字）",
            )
        return text

    def clean_filters(self, filters: Mapping[str, Any] | None) -> Filters:
        try:
            return Filters.parse(filters or {})
        except FilterError as e:
            raise RequestError(e.field, e.reason) from e

    def clean_history(self, history: Sequence[Any] | None) -> list[str]:
        kept = [clean_text(h).strip() for h in history or [] if isinstance(h, str)]
        kept = [h for h in kept if h]
        return [h[: self.settings.max_question_chars] for h in kept[-MAX_HISTORY:]]

    @staticmethod
    def clean_hints(hints: Any, ignore: Any) -> tuple[bool, tuple[str, ...]]:
        """``hints`` must be true or false; ``ignore`` a short list of labels the answer's
        ``understood`` gave (「2022年度」, 議案第70号)."""
        if not isinstance(hints, bool):
            raise RequestError("hints", f"must be true or false, not {hints!r:.40}")
        if ignore is None:
            ignore = ()
        if not isinstance(ignore, (list, tuple)) or len(ignore) > MAX_IGNORED_HINTS:
            raise RequestError("ignore_hints", f"a list of at most {MAX_IGNORED_HINTS} labels")
        if not all(isinstance(x, str) and 0 < len(x) <= MAX_HINT_LABEL for x in ignore):
            raise RequestError("ignore_hints", f"labels of 1 to {MAX_HINT_LABEL} characters")
        return hints, tuple(ignore)

    # -- answering ------------------------------------------------------------------------
    @contextmanager
    def _slot(self) -> Iterator[None]:
        if not self._slots.acquire(timeout=self.settings.queue_timeout):
            raise BusyError(
                f"busy: {self.settings.concurrency} answers already running; try again shortly"
            )
        try:
            yield
        finally:
            self._slots.release()

    def stream(
        self,
        question: Any,
        history: Sequence[Any] | None = None,
        filters: Mapping[str, Any] | None = None,
        mode: Literal["auto", "extractive"] = "auto",
        hints: Any = True,
        ignore_hints: Any = (),
    ) -> Iterator[str | Answer]:
        """Check the request, then yield answer text as produced and the final Answer;
        ``hints`` False stops dates, meetings and bills in the question from weighing in,
        ``ignore_hints`` the ones with these labels."""
        q = self.clean_question(question)
        f = self.clean_filters(filters)
        h = self.clean_history(history)
        use_hints, ignored = self.clean_hints(hints, ignore_hints)
        answerer = self._answerers["extractive" if mode == "extractive" else "auto"]
        with self._slot():
            try:
                yield from answerer.stream(q, h, f, hints=use_hints, ignore_hints=ignored)
            except QueryError as e:
                field = str(e).split(":", 1)[0]
                raise RequestError(field, str(e).split(":", 1)[-1].strip()) from e

    def ask(
        self,
        question: Any,
        history: Sequence[Any] | None = None,
        filters: Mapping[str, Any] | None = None,
        mode: Literal["auto", "extractive"] = "auto",
        hints: Any = True,
        ignore_hints: Any = (),
    ) -> Answer:
        final = None
        for item in self.stream(question, history, filters, mode, hints, ignore_hints):
            final = item
        assert isinstance(final, Answer)
        return final

    # -- past exchanges ----------------------------------------------------------------------
    def exchanges(
        self,
        topic: Any,
        filters: Mapping[str, Any] | None = None,
        who: ExchangeQuery | None = None,
    ) -> ExchangeResult:
        """Every question-and-answer pair found about ``topic``, newest first (``rag
        exchanges``)."""
        q = self.clean_question(topic)
        f = self.clean_filters(filters)
        with self._slot():
            return find_exchanges(self.retriever, q, f, who, limit=None)

    def check_draft(
        self, draft: Any, topic: Any, filters: Mapping[str, Any] | None = None
    ) -> list[Difference]:
        """Past answers on ``topic`` that state another number or stance than ``draft``."""
        q = self.clean_question(topic)
        if not isinstance(draft, str) or not clean_text(draft).strip():
            raise RequestError("draft", "empty; paste a draft answer / 答弁案を貼り付けてください")
        text = clean_text(draft).strip()
        limit = self.settings.max_question_chars * 10
        if len(text) > limit:
            raise RequestError(
                "draft",
                f"{len(text):,} characters; the limit is {limit:,} / "
                f"答弁案が長すぎます（{len(text):,}文字、上限{limit:,}文字）",
            )
        f = self.clean_filters(filters)
        with self._slot():
            return check_draft(self.retriever, text, topic_terms(q), f)

    # -- adding documents ---------------------------------------------------------------------
    def check_upload(self, path: Path, label: str) -> None:
        """Refuse a file over the upload limit, packed or unpacked (.gz, .xz, .docx)."""
        limit = self.settings.max_upload_bytes
        size = path.stat().st_size
        if size > limit:
            raise RequestError("file", f"{label}: {size:,} bytes; the limit is {limit:,}")
        if unpacked_size(path, limit) > limit:
            raise RequestError("file", f"{label}: unpacks to over {limit:,} bytes, the limit")

    def preview(self, path: Path, name: str | None = None) -> list[Chunk]:
        """The chunks a file would add; raises :class:`RequestError` naming the file."""
        label = name or path.name
        errors: list[LoadError] = []
        try:
            self.check_upload(path, label)
            docs = list(load_documents([path], errors))
            chunks = [c for d in docs for c in chunk_source(d)]
        except RequestError:
            raise
        except OSError as e:
            raise RequestError("file", f"{label}: cannot read ({e.strerror or e})") from e
        except Exception as e:  # a malformed field deep in the file (NaN, 1e400, a bad zip)
            reason = redact(str(e).replace(str(path), label))[:300]
            raise RequestError("file", f"{label}: cannot be read ({reason})") from e
        if errors:
            raise RequestError("file", redact(str(errors[0]).replace(str(path), label)))
        if not chunks:
            raise RequestError("file", f"{label}: no text to index")
        return chunks

    def add_document(self, path: Path, name: str) -> AddResult:
        """Add an uploaded file to the corpus and index it incrementally.

        The file is checked in a staging folder first, so a bad file never reaches the
        corpus folder. An existing document is never overwritten: a file whose name is
        taken gets a free one (``report-2.txt``), and a file identical to an indexed one is
        refused. A journal entry marks the copy in the corpus until the new index
        generation is committed; :func:`recover_uploads` removes an uncommitted copy at the
        next start, so a killed ingest leaves the corpus as it was.
        """
        safe = safe_name(name)
        folder = self.settings.corpus[0]
        if not folder.is_dir():
            raise RequestError("corpus", "the corpus folder is missing; see RAG_CORPUS")
        staging = self.settings.index_dir / STAGING
        staging.mkdir(parents=True, exist_ok=True)
        staged = staging / safe
        shutil.copyfile(path, staged)
        try:
            self.preview(staged, safe)
            digest = _sha256(staged)
            with self._ingest_lock:
                same = self._indexed_with_hash(digest)
                if same:
                    raise RequestError("file", f"{safe}: already indexed as {same}")
                target = self._free_target(folder, staged)
                journal = staging / f"{target.name}.pending"
                journal.write_text(json.dumps({"target": str(target), "sha256": digest}))
                shutil.copyfile(staged, target)
                try:
                    report = ingest(list(self.settings.corpus), self.settings, self._embeddings)
                except IndexWriteError as e:
                    target.unlink(missing_ok=True)
                    raise RequestError("index", redact(str(e))) from e
                except BaseException:
                    target.unlink(missing_ok=True)
                    raise
                finally:
                    journal.unlink(missing_ok=True)
                bad = [e for e in report.errors if target.name in e]
                if bad:
                    target.unlink(missing_ok=True)
                    raise RequestError("file", redact(bad[0]))
                self._open_index()
        finally:
            staged.unlink(missing_ok=True)
        return AddResult(report, target.name, renamed=target.name != safe)

    def _free_target(self, folder: Path, staged: Path) -> Path:
        """Where in ``folder`` the staged file can go without touching an indexed document:
        a free file name whose documents' ids are free too (a catalog entry or the file
        name gives the id, so ``sumida-dx-r05.txt`` would take over that report)."""
        indexed = set(self.retriever.index.manifest.get("documents", {}))
        catalog = find_catalog(folder)
        probe = staged.parent / ".probe"
        for target in _names(folder, staged.name):
            entry_id = (catalog.get(target.name) or {}).get("id")
            if entry_id:
                ids = {str(entry_id)}
            else:
                probe.mkdir(exist_ok=True)
                shutil.copyfile(staged, probe / target.name)
                try:
                    ids = {d.doc_id for d in load_documents([probe / target.name], [])}
                finally:
                    shutil.rmtree(probe, ignore_errors=True)
            if not ids & indexed:
                return target
            if entry_id is None and target.name != staged.name and ids == self._ids_in(staged):
                break  # the ids are written in the file itself: no name frees them
        raise RequestError("file", f"{staged.name}: its document id is already indexed")

    @staticmethod
    def _ids_in(path: Path) -> set[str]:
        return {d.doc_id for d in load_documents([path], [])}

    # -- what is indexed ------------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        """One row per indexed document, read from its chunks' metadata and the manifest.

        Rows are ``{"doc_id", "title", "kind", "council", "meeting", "date", "chunks"}`` plus
        ``pages`` (the last page seen, 0 when the file has none) and ``places`` (visited
        cities or the meeting), sorted by date then title.
        """
        rows: dict[str, dict[str, Any]] = {}
        for c in self.retriever.chunks:
            m = c.metadata
            doc_id = str(m.get("doc_id"))
            row = rows.setdefault(
                doc_id,
                {
                    "doc_id": doc_id,
                    "title": str(m.get("title") or doc_id),
                    "kind": str(m.get("kind") or ""),
                    "council": str(m.get("council") or ""),
                    "meeting": str(m.get("meeting") or ""),
                    "date": str(m.get("date") or ""),
                    "chunks": 0,
                    "pages": 0,
                    "places": [],
                },
            )
            row["chunks"] += 1
            pages = [int(p) for p in m.get("pages") or [] if p] + [int(m.get("page") or 0)]
            row["pages"] = max(row["pages"], *pages)
            city = m.get("city")
            if city and m.get("kind") == "report" and city not in row["places"]:
                row["places"].append(str(city))
        return sorted(rows.values(), key=lambda r: (r["date"], r["title"]))

    def remove_document(self, doc_id: str) -> IngestReport:
        """Take a document out of the index: its file leaves the corpus (kept in the index
        folder's ``removed/``) and the index is rebuilt without it, under the ingest lock.
        A failed ingest puts the file back, so the corpus and the index stay in step."""
        with self._ingest_lock:
            path = self._corpus_file(doc_id)
            keep = self.settings.index_dir / "removed"
            keep.mkdir(parents=True, exist_ok=True)
            parked = _free_name(keep, path.name)
            shutil.move(str(path), parked)
            try:
                report = ingest(list(self.settings.corpus), self.settings, self._embeddings)
            except BaseException as e:
                shutil.move(str(parked), path)
                if isinstance(e, IndexWriteError):
                    raise RequestError("index", redact(str(e))) from e
                raise
            self._open_index()
        return report

    def reingest_document(self, doc_id: str) -> IngestReport:
        """Read a document's file again; a file changed on disk is re-chunked and re-embedded,
        the rest of the index is reused."""
        with self._ingest_lock:
            self._corpus_file(doc_id)
            try:
                report = ingest(list(self.settings.corpus), self.settings, self._embeddings)
            except IndexWriteError as e:
                raise RequestError("index", redact(str(e))) from e
            self._open_index()
        return report

    def _corpus_file(self, doc_id: str) -> Path:
        """The file of ``doc_id``, which must lie inside a corpus folder."""
        doc = self.retriever.index.manifest.get("documents", {}).get(str(doc_id))
        if not doc:
            raise RequestError("doc_id", f"no indexed document {str(doc_id)[:80]!r}")
        path = Path(doc["path"]).resolve()
        folders = [f.resolve() for f in self.settings.corpus if f.is_dir()]
        if not path.is_file() or not any(f in path.parents for f in folders):
            raise RequestError("doc_id", f"{doc_id}: its file is not in a corpus folder")
        return path

    def examples(self, limit: int = 4, seconds: float = 3.0) -> list[str]:
        """Questions the index answers, for the landing page: each candidate (built from the
        questions the passages record, see :func:`candidate_questions`) is asked in
        extractive mode and kept only when answered from its own document. Stops after
        ``seconds``; returns fewer, or none, rather than unchecked ones."""
        deadline = time.monotonic() + seconds
        kept: list[str] = []
        for question, doc_id in candidate_questions(self.retriever.chunks):
            if len(kept) >= limit or time.monotonic() > deadline:
                break
            try:
                answer = self.ask(question, mode="extractive")
            except (RequestError, BusyError):
                continue
            if answer.status == "answered" and any(
                c.metadata.get("doc_id") == doc_id for c in answer.citations
            ):
                kept.append(question)
        return kept

    def _indexed_with_hash(self, digest: str) -> str | None:
        docs = self.retriever.index.manifest.get("documents", {})
        return next((d for d, v in docs.items() if v.get("sha256") == digest), None)

    def health(self) -> dict[str, Any]:
        r = self.retriever
        return {
            "status": "ok",
            "mode": self.mode,
            "chunks": len(r.chunks),
            "documents": len(self.facets.documents),
        }


STAGING = "uploads"  # in the index folder: uploads being checked, and the journal


@dataclass(frozen=True)
class AddResult:
    """What adding an upload did: the ingest report and the name it was stored under."""

    report: IngestReport
    stored_as: str
    renamed: bool  # the uploaded name was taken, so the file was stored under another

    def summary(self) -> str:
        note = f" (stored as {self.stored_as})" if self.renamed else ""
        return self.report.summary() + note


def recover_uploads(settings: Settings) -> list[str]:
    """Remove corpus copies of uploads whose ingest never committed; returns their names.

    Run at start, before the index is brought up to date. An upload whose generation was
    committed (its hash is in the current manifest) is kept.
    """
    from rag.indexing import current_folder

    staging = settings.index_dir / STAGING
    if not staging.is_dir():
        return []
    committed: set[str] = set()
    folder = current_folder(settings.index_dir)
    if folder is not None:
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            committed = {str(d.get("sha256")) for d in manifest.get("documents", {}).values()}
        except (OSError, ValueError):
            committed = set()
    removed = []
    for journal in staging.glob("*.pending"):
        try:
            entry = json.loads(journal.read_text(encoding="utf-8"))
            target = Path(entry["target"])
            if entry.get("sha256") not in committed and target.exists():
                target.unlink()
                removed.append(target.name)
        except (OSError, ValueError, KeyError):
            pass
        journal.unlink(missing_ok=True)
    for leftover in staging.iterdir():  # staged copies of interrupted checks
        if leftover.is_file():
            leftover.unlink(missing_ok=True)
    return removed


def unpacked_size(path: Path, limit: int) -> int:
    """The size of ``path`` once unpacked (.gz, .xz, .docx), counted up to just past
    ``limit``; the file's own size for anything else."""
    name = path.name.lower()
    if name.endswith((".gz", ".xz")):
        opener = gzip.open if name.endswith(".gz") else lzma.open
        total = 0
        try:
            with opener(path, "rb") as f:
                while total <= limit and (block := f.read(1 << 20)):
                    total += len(block)
        except (OSError, EOFError, lzma.LZMAError) as e:
            raise RequestError("file", f"{path.name}: not a readable archive ({e})") from e
        return total
    if name.endswith(".docx"):
        try:
            with zipfile.ZipFile(path) as z:
                return sum(i.file_size for i in z.infolist())
        except (zipfile.BadZipFile, OSError):
            return path.stat().st_size  # the converter names the broken file
    return path.stat().st_size


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _names(folder: Path, name: str, tries: int = 100) -> Iterator[Path]:
    """Free paths for ``name`` in ``folder``: itself, then ``stem-2.ext``, ``stem-3.ext``…"""
    stem, dot, ext = name.partition(".")
    for n in range(1, tries + 1):
        target = folder / (name if n == 1 else f"{stem}-{n}{dot}{ext}")
        if not target.exists():
            yield target


def _free_name(folder: Path, name: str) -> Path:
    """The first free path for ``name`` in ``folder`` (see :func:`_names`)."""
    return next(_names(folder, name, tries=10_000))


def safe_name(name: str) -> str:
    """An uploaded file's name as stored: no folders, only word characters, dots and
    hyphens, no leading dot, its file type kept (``..txt`` → ``upload.txt``).

    >>> safe_name("../../etc/町議会 r6.txt"), safe_name("..txt"), safe_name("a.jsonl.gz")
    ('町議会_r6.txt', 'upload.txt', 'a.jsonl.gz')
    """
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name)
    stripped = base.lstrip(".")
    stem, dot, ext = stripped.partition(".")
    if stripped != base and not dot:  # "..txt": what looked like the stem is the file type
        stem, dot, ext = "", ".", stripped
    return f"{stem[:120] or 'upload'}{dot}{ext[:20]}"


# Lead-ins of a question read out in a Q&A: 「次に、」「最後の質問ですが、」「質問事項の5番、」.
_LEAD = re.compile(
    r"^(?:(?:まず|次に|最後に|また|さらに|それでは|では|続いて)[、,]\s*"
    r"|最後の質問ですが[、,]\s*"
    r"|(?:質問事項の)?\s*[\d０-９]+\s*番(?:目)?(?:と[\d０-９]+番)?(?:の質問)?[、,は]\s*)+"
)
_DEICTIC = ("これ", "それ", "この", "その", "あれ", "先ほど")  # needs the previous turn
_ASKED = re.compile(r"(?:という|との|についての|に関する)(?:ご)?質問(?:です|でした)?[。.]?$")
_TOPIC_END = re.compile(r"(?:について|に関して)(?:です|でございます)?[。.]?$")
_MARKUPISH = re.compile(r"[<>{}\[\]]")


def candidate_questions(chunks: Sequence[Chunk]) -> Iterator[tuple[str, str]]:
    """(question, doc_id) pairs from the questions passages record (a member's question in
    minutes, a question read out in a report's Q&A), one sentence each, with the lead-in
    (「次に、」) and 「というご質問です」 dropped and the visited city or council named when
    the sentence does not. Documents (and each visited city of a report) take turns, so
    every one gets a chance.
    """
    per_doc: dict[tuple[str, str], list[tuple[str, str]]] = {}
    seen: set[str] = set()
    for c in chunks:
        m = c.metadata
        asked = str(m.get("question") or "")
        if m.get("chunk_type") not in ("qa", "answer", "question") or not asked:
            continue
        first = re.split(r"(?<=[。？?])", asked.strip())
        sentence = next((s for s in first if s.strip().endswith(("か。", "？", "?", "か"))), "")
        sentence = sentence or first[0]
        q = _ASKED.sub("", _LEAD.sub("", sentence.strip())).rstrip("。")
        if _TOPIC_END.search(q):
            q = _TOPIC_END.sub("については？", q)
        elif not q.endswith(("か", "？", "?")):
            continue  # a statement, not a question someone asked
        if q.startswith(_DEICTIC) or not 8 <= len(q) <= 60 or _MARKUPISH.search(q) or q in seen:
            continue
        place = str(m.get("city") or "")
        if place and place not in q:
            q = f"{place}の{q}" if not q.startswith(("「", "『")) else f"{place}で{q}"
        seen.add(q)
        group = (str(m.get("doc_id")), place or str(m.get("meeting") or ""))
        per_doc.setdefault(group, []).append((q, str(m.get("doc_id"))))
    queues = list(per_doc.values())
    while any(queues):
        for queue in queues:
            if queue:
                yield queue.pop(0)


def _facets(chunks: Sequence[Chunk]) -> Facets:
    docs: dict[str, str] = {}
    cities: set[str] = set()
    meetings: set[str] = set()
    roles: set[str] = set()
    dates: list[str] = []
    for c in chunks:
        m = c.metadata
        docs.setdefault(str(m.get("doc_id")), str(m.get("title") or m.get("doc_id")))
        if m.get("city"):
            cities.add(str(m["city"]))
        if m.get("meeting"):
            meetings.add(str(m["meeting"]))
        roles.update(str(r) for r in m.get("roles") or [])
        if m.get("date"):
            dates.append(str(m["date"]))
    return Facets(
        documents=sorted(((t, d) for d, t in docs.items()), key=lambda x: x[1]),
        cities=sorted(cities),
        meetings=sorted(meetings),
        roles=sorted(roles),
        dates=(min(dates), max(dates)) if dates else ("", ""),
    )
