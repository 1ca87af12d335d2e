"""Born-digital PDFs: inspect (pages, encryption, text layer) and read with pdfplumber.

A PDF whose pages carry no usable text layer is a scan; `inspect_pdf` says so and
the caller hands it to the OCR path. Boxes are PDF points from the top-left
(Page.dpi = 72), the page-image convention at 72 dpi.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pikepdf
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pydantic import BaseModel

from extractors.classify import classify_text
from extractors.tables import (
    LabelValue,
    equipment_from_rows,
    equipment_header,
    fields_from_pairs,
    pairs_from_rows,
    province_from_title,
    signer_from_text,
    split_label_value,
    summary_from_rows,
    summary_header,
)
from pilot_intake.errors import BadInputError
from pilot_intake.models import (
    DocKind,
    EquipmentRow,
    ExtractedDoc,
    Medium,
    Page,
    QuarantineReason,
    SourceFile,
    SummaryRow,
    Word,
)

# A page needs this many visible characters to count as having a text layer
# (a lone page number or a producer stamp does not make a page born-digital).
MIN_TEXT_CHARS = 20
# Text over an image covering this much of the page is an OCR layer on a scan.
SCAN_IMAGE_COVER = 0.6


class PdfInfo(BaseModel):
    pages: int
    encrypted: bool  # encrypted, but opens without a password (owner password only)
    text_pages: list[int]  # 1-based numbers of the pages with a usable text layer

    @property
    def is_born_digital(self) -> bool:
        """Every page has a usable text layer: read with pdfplumber, never OCR."""
        return self.pages > 0 and len(self.text_pages) == self.pages

    @property
    def is_scan(self) -> bool:
        return not self.text_pages


def _image_cover(page: pdfplumber.page.Page) -> float:
    area = float(page.width * page.height) or 1.0
    covered = 0.0
    for im in page.images:
        w = max(0.0, min(im["x1"], page.width) - max(im["x0"], 0))
        h = max(0.0, min(im["bottom"], page.height) - max(im["top"], 0))
        covered = max(covered, w * h)  # the largest image: a scan is one page-size image
    return covered / area


def _has_text_layer(page: pdfplumber.page.Page) -> bool:
    visible = sum(1 for ch in page.chars if ch.get("text", "").strip())
    return visible >= MIN_TEXT_CHARS and _image_cover(page) < SCAN_IMAGE_COVER


def inspect_pdf(path: Path, *, max_pages: int) -> PdfInfo:
    """Page count, encryption and text layer of a PDF; quarantines what cannot be read.

    Raises BadInputError: ENCRYPTED (needs a password to open), UNREADABLE (damaged,
    no pages), TOO_LARGE (more than `max_pages` pages).
    """
    name = path.name
    try:
        with pikepdf.open(path) as pdf:
            encrypted = bool(pdf.is_encrypted)
            count = len(pdf.pages)
    except pikepdf.PasswordError as exc:
        raise BadInputError(
            QuarantineReason.ENCRYPTED, f"{name}: PDF is password-protected; ask the sender for an unprotected copy"
        ) from exc
    except (pikepdf.PdfError, OSError, ValueError, RuntimeError) as exc:
        raise BadInputError(QuarantineReason.UNREADABLE, f"{name}: PDF is damaged and cannot be opened ({exc})") from exc
    if count == 0:
        raise BadInputError(QuarantineReason.UNREADABLE, f"{name}: PDF has no pages")
    if count > max_pages:
        raise BadInputError(QuarantineReason.TOO_LARGE, f"{name}: PDF has {count} pages, more than the limit of {max_pages}")
    try:
        with pdfplumber.open(path) as pdf:
            text_pages = [i for i, page in enumerate(pdf.pages, 1) if _has_text_layer(page)]
    except PDFPasswordIncorrect as exc:
        raise BadInputError(QuarantineReason.ENCRYPTED, f"{name}: PDF is password-protected") from exc
    except Exception as exc:  # pdfminer raises many kinds on damaged content streams
        raise BadInputError(
            QuarantineReason.UNREADABLE, f"{name}: PDF content cannot be parsed ({type(exc).__name__}: {exc})"
        ) from exc
    return PdfInfo(pages=count, encrypted=encrypted, text_pages=text_pages)


def _cell(text: str | None) -> str:
    # Cells wrap by character (CJK forms), so a line break inside a cell is no space.
    return re.sub(r"\s*\n\s*", "", text or "")


def rows_from_words(words: list[Word], *, line_tol: float = 3.0) -> list[list[str]]:
    """Rows of cells from positioned words, for text laid out without ruling.

    Words on one baseline form a row; a gap wider than 1.5 × the text height starts
    a new cell (so `平 台 名 称    甲平台` gives two cells); a line indented past the
    left margin gets an empty first cell (a value wrapped onto the next line).
    """
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.bbox[1], w.bbox[0])):
        if lines and abs(lines[-1][0].bbox[1] - w.bbox[1]) <= line_tol:
            lines[-1].append(w)
        else:
            lines.append([w])
    left = min((w.bbox[0] for w in words), default=0.0)
    rows: list[list[str]] = []
    for line in lines:
        line.sort(key=lambda w: w.bbox[0])
        indent = line[0].bbox[0] - left > 4 * max(line[0].bbox[3] - line[0].bbox[1], 1.0)
        # A line that starts in the value column continues the value above it.
        cells: list[str] = ["", line[0].text] if indent else [line[0].text]
        for prev, w in zip(line, line[1:]):
            height = max(prev.bbox[3] - prev.bbox[1], 1.0)
            if w.bbox[0] - prev.bbox[2] > 1.5 * height:
                cells.append(w.text)
            else:
                cells[-1] += " " + w.text
        rows.append(cells)
    return rows


class _Reader:
    """Collects pairs and rows across the pages of one document."""

    def __init__(self) -> None:
        self.pairs: list[LabelValue] = []
        self.line_pairs: list[LabelValue] = []
        self.equipment: list[EquipmentRow] = []
        self.summary: list[SummaryRow] = []
        self.open_header: list[str] | None = None  # header of an equipment/summary table that may go on

    def table(self, rows: list[list[str]], bboxes, page: int, first_on_page: bool) -> None:
        eq = equipment_header(rows)
        sm = summary_header(rows)
        if eq or sm:
            start, _ = eq or sm
            if start:
                self.pairs += pairs_from_rows(rows[:start], page=page, bboxes=bboxes[:start] if bboxes else None)
            body = rows[start:]
            if eq:
                self.equipment += equipment_from_rows(body)
            else:
                self.summary += summary_from_rows(body)
            self.open_header = rows[start]
            return
        if first_on_page and self.open_header is not None and len(rows[0]) == len(self.open_header):
            # The table went on from the previous page without repeating its header.
            if equipment_header([self.open_header]):
                self.equipment += equipment_from_rows([self.open_header, *rows])
            else:
                self.summary += summary_from_rows([self.open_header, *rows])
            return
        self.open_header = None
        self.pairs += pairs_from_rows(rows, page=page, bboxes=bboxes)

    def lines(self, text: str, page: int) -> None:
        """`label：value` lines outside ruled tables (titles, signature block, equipment-file heads)."""
        for line in text.splitlines():
            split = split_label_value(line)
            if split and split[1]:
                self.line_pairs.append(LabelValue(label=split[0], value=split[1], page=page))


def extract_text_pdf(source: SourceFile, info: PdfInfo) -> ExtractedDoc:
    """Words, text, kind, fields and tables of a born-digital PDF (Medium.TEXT_PDF).

    Ruled tables (pdfplumber) give label/value pairs, equipment and summary rows; a
    page without ruled tables is read from its word positions. Pages without a text
    layer (see `info`) are kept as pages without words.
    """
    reader = _Reader()
    pages: list[Page] = []
    text_pages = set(info.text_pages)
    try:
        with pdfplumber.open(source.abs_path) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                if number not in text_pages:
                    pages.append(Page(number=number, width=float(page.width), height=float(page.height), dpi=72))
                    continue
                words = [
                    Word(text=w["text"], bbox=(float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"])))
                    for w in page.extract_words()
                ]
                text = page.extract_text() or ""
                pages.append(Page(number=number, width=float(page.width), height=float(page.height), dpi=72,
                                  words=words, text=text))
                tables = page.find_tables()
                for i, table in enumerate(tables):
                    rows = [[_cell(c) for c in row] for row in table.extract()]
                    if not rows:
                        continue
                    bboxes = [[tuple(map(float, c)) if c else None for c in row.cells] for row in table.rows]
                    reader.table(rows, bboxes, number, first_on_page=i == 0)
                if not tables and words:
                    reader.table(rows_from_words(words), None, number, first_on_page=True)
                reader.lines(text, number)
    except BadInputError:
        raise
    except Exception as exc:
        raise BadInputError(
            QuarantineReason.UNREADABLE,
            f"{source.abs_path.name}: PDF content cannot be read ({type(exc).__name__}: {exc})",
        ) from exc
    fields, flags = fields_from_pairs([*reader.pairs, *reader.line_pairs])
    full_text = "\n".join(p.text for p in pages)
    kind = classify_text(full_text)
    return ExtractedDoc(
        source=source,
        kind=kind,
        medium=Medium.TEXT_PDF,
        pages=pages,
        fields=fields,
        equipment=reader.equipment,
        summary_rows=reader.summary,
        province=province_from_title(full_text) if kind is DocKind.SUMMARY_TABLE else None,
        signer=signer_from_text(full_text),
        flags=flags,
    )
