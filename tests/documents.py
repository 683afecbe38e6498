"""PDF and .docx versions of a text document, built here with known page layout.

``build_pdf`` lays the text out as a council PDF looks: A4, a Japanese font (IPA Gothic
embedded when Debian's fonts-ipafont-gothic is installed, else reportlab's built-in CID
font), paragraphs wrapped at the right margin, a 「- n -」 page number, and tab-separated
names set in columns. ``scrambled=True`` draws each page's footer first and its lines
bottom-up, so content-stream order differs from reading order. Each builder returns the
page on which every source line (paragraph) starts and ends.
"""

from __future__ import annotations

from pathlib import Path

IPA_GOTHIC = Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf")
CHARS_PER_LINE = 40
LINES_PER_PAGE = 44


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics

    if IPA_GOTHIC.exists():
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("IPAGothic", str(IPA_GOTHIC)))
        return "IPAGothic"
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    return "HeiseiKakuGo-W5"


def wrap(para: str, font: str, size: float) -> list[str]:
    """Break a paragraph where the next character would pass the right margin."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    limit = CHARS_PER_LINE * size
    pieces, line = [], ""
    for ch in para:
        if stringWidth(line + ch, font, size) > limit:
            pieces.append(line)
            line = ""
        line += ch
    return [*pieces, line] if line else pieces


def layout(text: str, font: str, size: float) -> list[list[tuple[int, str]]]:
    """Pages of (source line number, printed line): paragraphs wrapped, blank lines kept."""
    pages: list[list[tuple[int, str]]] = [[]]
    for n, para in enumerate(text.split("\n")):
        pieces = wrap(para, font, size)
        if "\t" in para:
            pieces = [para]  # columns: one printed line
        for piece in pieces or [""]:
            if len(pages[-1]) == LINES_PER_PAGE:
                pages.append([])
            pages[-1].append((n, piece))
    return pages


def build_pdf(
    text: str, out: Path, scrambled: bool = False, image_only: bool = False
) -> dict[int, tuple[int, int]]:
    """Write ``out``; return {source line: (first page, last page)} (pages from 1)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _font()
    c = canvas.Canvas(str(out), pagesize=A4)
    width, height = A4
    size, left, top = 10.5, 60.0, height - 60.0
    pages = layout(text, font, size)
    where: dict[int, tuple[int, int]] = {}
    for p, lines in enumerate(pages, 1):
        if image_only:  # a "scan": shapes only, no text layer
            for k in range(len(lines)):
                c.rect(left, top - k * size * 1.6, 300 * ((k % 3) + 1) / 3, size * 0.8, fill=1)
            c.showPage()
            continue
        order = list(range(len(lines)))
        if scrambled:
            c.setFont(font, 9)
            c.drawCentredString(width / 2, 30, f"- {p} -")
            order.reverse()
        for k in order:
            n, piece = lines[k]
            y = top - k * size * 1.6
            c.setFont(font, size)
            for col, cell in enumerate(piece.split("\t")):
                c.drawString(left + col * 140, y, cell)
        if not scrambled:
            c.setFont(font, 9)
            c.drawCentredString(width / 2, 30, f"- {p} -")
        for n, _ in lines:
            first = where.get(n, (p, p))[0]
            where[n] = (first, p)
        c.showPage()
    c.save()
    return where


def build_docx(text: str, out: Path, paragraphs_per_page: int = 30) -> dict[int, tuple[int, int]]:
    """Write ``out`` with an explicit page break every ``paragraphs_per_page`` paragraphs."""
    import docx

    document = docx.Document()
    where: dict[int, tuple[int, int]] = {}
    page, on_page = 1, 0
    for n, para in enumerate(text.split("\n")):
        if on_page == paragraphs_per_page:
            document.add_page_break()
            page, on_page = page + 1, 0
        document.add_paragraph(para)  # python-docx writes tabs as <w:tab/>
        where[n] = (page, page)
        on_page += 1
    document.save(str(out))
    return where
