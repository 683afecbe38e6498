"""Which PDF text extractor reads Japanese council PDFs best? (not a test)

    python -m benchmarks.pdf_quality          # pip install pypdf pdfminer.six to compare all

The founding report is printed to three PDFs (tests/documents.py): reportlab's built-in CID
font, an embedded IPA Gothic subset (as Word or LibreOffice export), and the same with each
page's footer drawn first and its lines bottom-up (content-stream order ≠ reading order).
Each extractor's text is compared with the source after NFKC and whitespace removal:

- similarity: difflib ratio of the two strings (1.0 = every character, in order);
- full-width kept: how many of the source's full-width ASCII forms (（）：０-９…) survive
  as written, before NFKC;
- broken lines: line breaks inside a sentence (a line not ending in 。」） etc.), which cut
  Japanese words apart for the tokenizer;
- ms: extraction time for the 13 pages.
"""

from __future__ import annotations

import difflib
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from tests.documents import build_pdf

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "corpus" / "sumida-jichitai-dx-gyosei-chosa-r05.txt"
_END = ("。", "」", "』", "）", ")", "：", ":", "．")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _pypdf(path: Path) -> str:
    import pypdf

    return "\n\f".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages)


def _pdfminer(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return str(extract_text(str(path)))


def _pdfium_raw(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    return "\n\f".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


def _ours(path: Path) -> str:
    from rag.converting import convert

    return convert(path)


EXTRACTORS: dict[str, Callable[[Path], str]] = {
    "pypdf (BSD)": _pypdf,
    "pdfminer.six (MIT)": _pdfminer,
    "pypdfium2 raw (Apache/BSD)": _pdfium_raw,
    "rag.converting (pypdfium2 + reading order + unwrap)": _ours,
}


def broken_lines(text: str) -> int:
    lines = [x.strip() for x in text.replace("\f", "\n").split("\n") if x.strip()]
    return sum(1 for x in lines[:-1] if not x.endswith(_END) and len(x) >= 30)


def main() -> None:
    source = SOURCE.read_text(encoding="utf-8")
    wide = sum(1 for c in source if "\uff01" <= c <= "\uff5e")
    with tempfile.TemporaryDirectory() as tmp:
        pdfs = {
            "CID font": Path(tmp, "cid.pdf"),
            "embedded TTF": Path(tmp, "ttf.pdf"),
            "out of order": Path(tmp, "scrambled.pdf"),
        }
        import tests.documents as docs

        keep = docs.IPA_GOTHIC
        docs.IPA_GOTHIC = Path("/nonexistent")
        build_pdf(source, pdfs["CID font"])
        docs.IPA_GOTHIC = keep
        build_pdf(source, pdfs["embedded TTF"])
        build_pdf(source, pdfs["out of order"], scrambled=True)
        print(
            f"source: {len(_squash(source))} chars, {wide} full-width forms, "
            f"{broken_lines(source)} long lines without a sentence end of its own"
        )
        print("| extractor | PDF | similarity | full-width kept | broken lines | ms |")
        print("|---|---|---|---|---|---|")
        for name, extract in EXTRACTORS.items():
            for label, pdf in pdfs.items():
                try:
                    t0 = time.perf_counter()
                    text = extract(pdf)
                    ms = (time.perf_counter() - t0) * 1000
                except ImportError:
                    print(f"| {name} | {label} | not installed | | | |")
                    break
                ratio = difflib.SequenceMatcher(
                    None, _squash(source), _squash(text), autojunk=False
                ).ratio()
                kept = sum(1 for c in text if "\uff01" <= c <= "\uff5e")
                print(
                    f"| {name} | {label} | {ratio:.4f} | {kept}/{wide} "
                    f"| {broken_lines(text)} | {ms:.0f} |"
                )


if __name__ == "__main__":
    main()
