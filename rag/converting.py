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
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
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
        text = whole if _squash(whole) == _squash(joined) else joined
        lines.append(_Line(text.strip(), segs[0][0], segs[-1][2], top - bottom))
    return lines


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


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
