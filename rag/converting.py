"""PDF and Word files → text with page breaks, for the same parsing as plain text.

The output marks each new page with a form feed (``\\f``), which :mod:`rag.parsing` already
reads as a page break: every chunk then records its pages, and a sentence cut by a page
break is rejoined there, as for text files.

PDF: the text layer is read with pypdfium2 (PDFium; Apache-2.0/BSD, no AGPL). PDFium gives
text in content-stream order, which is not always reading order (a footer drawn first, a
body drawn bottom-up), so lines are rebuilt from the character boxes: top to bottom, left
to right. Lines that run to the right margin without ending a sentence are the layout's
wrapping, and are joined to the next line. Page numbers alone on a line at the top or bottom
of a page (「- 3 -」, 「3 / 12」) are dropped. A PDF with no text layer (a scan) is refused
with a message saying it needs OCR. See ``benchmarks/pdf_quality.py`` for the measurement
behind the choice of library.

Word (.docx): paragraphs in order, tables row by row (cells joined by tabs). Pages come from
the page breaks Word saved (``w:lastRenderedPageBreak``) or, in files never laid out by
Word, from explicit page breaks.

HTML pages saved from a 会議録検索 system: speeches come in ``<p>`` or ``<div>`` blocks with
``<br>`` line breaks, numbered speech spans and comments. :func:`html_to_text` keeps the
visible text with a line break at every ``<br>`` and block boundary (a blank line after a
paragraph-like block), drops scripts, styles and comments, and drops a speech number in
front of a speaker mark (「12 ○議長（…）」). Any other HTML page comes out as its visible text
with its blocks kept apart.

DiscussNet-style JSON (``{"tenant_minutes": [{"title": "25番（渡辺やすし）", "body":
"<pre>…</pre>"}]}``): :func:`discussnet_to_text` gives one paragraph per entry, the entry's
title put in front as the speaker's label where it is one, so that it parses as any
minutes do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from rag.text import strip_space

PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
_PAGE_NUMBER = re.compile(
    r"^[-－‐―ー\s]*(?:[0-9０-９]+|[ivxIVX]+)[-－‐―ー\s]*$|^[0-9０-９]+\s*[/／]\s*[0-9０-９]+$"
)
_SENTENCE_END = ("。", "」", "』", "）", ")", "：", ":", "．", "！", "？", "!", "?")
WRAP_MARGIN = 0.92  # a line reaching this share of the page's text width was wrapped


class ConversionError(ValueError):
    """A PDF or Word file that cannot be turned into text; ``reason`` says why."""


@dataclass(frozen=True)
class _Line:
    text: str
    left: float
    right: float
    height: float


def _page_lines(page: Any) -> list[_Line]:
    """A PDF page's text lines in reading order, from PDFium's text rectangles."""
    textpage = page.get_textpage()
    segments = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        text = textpage.get_text_bounded(left, bottom, right, top)
        if text.strip():
            segments.append((left, bottom, right, top, text.replace("\r", "").replace("\n", "")))
    segments.sort(key=lambda s: -(s[1] + s[3]) / 2)
    bands: list[
        list[Any]
    ] = []  # [bottom, top, segments]; a segment joins the band its middle is in
    for seg in segments:
        mid = (seg[1] + seg[3]) / 2
        if bands and bands[-1][0] <= mid <= bands[-1][1]:
            band = bands[-1]
            band[0], band[1] = min(band[0], seg[1]), max(band[1], seg[3])
            band[2].append(seg)
        else:
            bands.append([seg[1], seg[3], [seg]])
    bands.sort(key=lambda b: -(b[0] + b[1]) / 2)
    lines = []
    for bottom, top, segs in bands:
        segs.sort(key=lambda s: s[0])
        # The line's characters as PDFium reads them (spaces and tabs kept), unless the
        # segments were drawn out of left-to-right order.
        whole = textpage.get_text_bounded(segs[0][0], bottom, segs[-1][2], top)
        whole = whole.replace("\r", "").replace("\n", "")
        joined = "".join(s[4] for s in segs)
        text = whole if strip_space(whole) == strip_space(joined) else joined
        lines.append(_Line(text.strip(), segs[0][0], segs[-1][2], top - bottom))
    return lines


def _drop_page_numbers(lines: list[_Line]) -> list[_Line]:
    if lines and _PAGE_NUMBER.match(lines[-1].text):
        lines = lines[:-1]
    if lines and _PAGE_NUMBER.match(lines[0].text):
        lines = lines[1:]
    return lines


def _unwrap(lines: Sequence[_Line], right_edge: float, left_edge: float) -> list[str]:
    """Join lines that the layout wrapped: they reach the right margin mid-sentence."""
    width = max(right_edge - left_edge, 1.0)
    out: list[str] = []
    joining = False
    for line in lines:
        if joining and out:
            out[-1] += line.text
        else:
            out.append(line.text)
        reaches_margin = (line.right - left_edge) >= WRAP_MARGIN * width
        joining = reaches_margin and not line.text.endswith(_SENTENCE_END)
    return out


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF, lines in reading order, wrapped lines joined."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        raise ConversionError(f"not a readable PDF ({e})") from e
    try:
        pages = [_drop_page_numbers(_page_lines(pdf[i])) for i in range(len(pdf))]
    finally:
        pdf.close()
    body = [line for page in pages for line in page]
    if not body:
        raise ConversionError(
            f"no text layer in {len(pages)} page(s): a scanned PDF needs OCR first "
            "(for example `ocrmypdf in.pdf out.pdf`), then add the OCRed file"
        )
    left = min(line.left for line in body)
    right = max(line.right for line in body)
    return ["\n".join(_unwrap(page, right, left)) for page in pages]


def docx_pages(path: Path) -> list[str]:
    """The text of a .docx, split into pages where Word (or the author) broke them."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as e:
        raise ConversionError(f"not a readable .docx ({e})") from e
    blocks = list(_docx_blocks(document))
    rendered = any(kind == "rendered" for _, kind in blocks)
    pages: list[list[str]] = [[]]
    for text, kind in blocks:
        if kind == ("rendered" if rendered else "explicit"):
            pages.append([])
        elif kind == "text":
            pages[-1].append(text)
    if not any(t.strip() for page in pages for t in page):
        raise ConversionError("no text in the document")
    return ["\n".join(page) for page in pages]


def _docx_blocks(document: Any) -> Iterator[tuple[str, str]]:
    """("", "rendered" | "explicit") page breaks and (text, "text") paragraphs, in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    qn = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                yield "\t".join(cell.text.strip() for cell in row.cells), "text"
            continue
        assert isinstance(block, Paragraph)
        element = block._p
        if element.find(f"{qn}pPr/{qn}pageBreakBefore") is not None:
            yield "", "explicit"
        text = ""
        for node in element.iter():
            if node.tag == f"{qn}lastRenderedPageBreak":
                if text.strip():
                    yield text, "text"
                text = ""
                yield "", "rendered"
            elif node.tag == f"{qn}br" and node.get(f"{qn}type") == "page":
                if text.strip():
                    yield text, "text"
                text = ""
                yield "", "explicit"
            elif node.tag == f"{qn}t":
                text += node.text or ""
            elif node.tag == f"{qn}tab":
                text += "\t"
        if text.strip():
            yield text, "text"


def convert(path: Path) -> str:
    """A PDF or .docx as text, pages separated by form feeds."""
    suffix = path.suffix.lower()
    pages = pdf_pages(path) if suffix in PDF_SUFFIXES else docx_pages(path)
    return "\n\f".join(pages) + "\n"


# --- HTML and DiscussNet JSON ------------------------------------------------------------

_SKIP = {"script", "style", "head", "noscript", "template", "svg", "button", "select"}
_BLOCKS = {
    "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "blockquote",
    "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "form", "fieldset", "figure", "figcaption", "address", "title",
}  # fmt: skip
_SPEECH_NUMBER = re.compile(r"^[\s\u3000]*[0-9０-９]+[\s\u3000.．:：)）]*(?=[○◯〇◎◆])", re.M)


class _Text(HTMLParser):
    """Visible text of an HTML page, with line breaks at ``<br>`` and block boundaries."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("td", "th"):
            self.out.append("\t")
        elif tag in _BLOCKS:
            self.out.append("\n")
            if tag == "pre":
                self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS:
            if tag == "pre" and self.pre:
                self.pre -= 1
            self.out.append(
                "\n\n" if tag in ("p", "div", "pre", "li", "dd", "blockquote") else "\n"
            )

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre:  # outside <pre>, the source's own line breaks are not the text's
            data = re.sub(r"[ \t\r\n]+", " ", data)
        self.out.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML page (see the module docstring).

    >>> html_to_text("<div><p>○議長（山田太郎君）　開会します。<br>本日の日程…</p></div>")
    '○議長（山田太郎君）　開会します。\\n本日の日程…\\n'
    """
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    lines = [line.strip(" \t") for line in text.replace("\r\n", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
    return _SPEECH_NUMBER.sub("", text)


def discussnet_to_text(raw: str) -> str:
    """The text of DiscussNet-style minutes JSON: ``tenant_minutes[].body`` in order, each
    entry's ``title`` in front as a speaker label where the body does not start with one."""
    from rag.speakers import MARKERS, parse_label

    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ConversionError(f"invalid JSON: {e}") from e
    entries = data.get("tenant_minutes") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ConversionError(
            "not DiscussNet-style minutes: expected a non-empty list 'tenant_minutes' "
            "of entries with a 'body'"
        )
    parts = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("body"), str):
            raise ConversionError(f"tenant_minutes[{n}].body missing or not a string")
        body = html_to_text(entry["body"]).strip("\n")
        title = str(entry.get("title") or "").strip()
        if title and body and body[0] not in MARKERS:
            sp = parse_label(title)
            if sp.role or sp.seat or "君" in title:
                body = f"○{title}　{body}"
            else:
                body = f"{title}\n{body}"
        if body:
            parts.append(body)
    if not parts:
        raise ConversionError("no text in tenant_minutes")
    return "\n\n".join(parts) + "\n"
