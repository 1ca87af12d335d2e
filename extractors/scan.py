"""Scanned documents (image-only PDF, JPG, PNG, TIFF) → ExtractedDoc, read with OCR.

Per page: the original image is written (or kept) as a file, prepared for OCR
(`pageprep`), read by the OCR engine, and the words are mapped back to the
original image's pixels. Fields come from the page geometry (`layout`): label
and value in the same table row, the equipment and summary tables row by row.
Pages are independent, so they run in a small thread pool (the OCR engine is a
subprocess; threads only wait on it).
"""

from __future__ import annotations

import ctypes
import importlib.util
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, nullcontext
from functools import partial
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageSequence

from pilot_intake.errors import BadInputError
from pilot_intake.models import (
    DocKind,
    ExtractedDoc,
    FileType,
    Flag,
    FlagCode,
    Medium,
    Page,
    QuarantineReason,
    SourceFile,
    Word,
)
from pilot_intake.settings import Settings

from extractors import layout, pageprep, ticks
from extractors.classify import classify_text
from extractors.labels import FIELD_SPECS_BY_KEY, FieldType, is_heading, match_label, match_summary_column
from extractors.layout import Row
from extractors.ocr import OcrEngine, is_cjk, make_engine
from extractors.pageimage import PDFIUM_LOCK
from extractors.printed import PrintedLabels, blank_labels
from extractors.tables import (
    LabelValue,
    equipment_from_rows,
    equipment_header,
    fields_from_pairs,
    pairs_from_rows,
    province_from_title,
    signer_from_text,
    summary_from_rows,
    summary_header,
)

# Pillow refuses images above ~179 Mpx by default; an A0 scan at 400 dpi is ~250 Mpx.
MAX_PIXELS = 300_000_000


@dataclass(frozen=True)
class PageImage:
    number: int
    path: Path  # the original page image; for a PDF page, the file it would be (never written)
    dpi: int | None
    # Its pixels (BGR) when they are at hand already (a page just rendered): not decoded again.
    pixels: np.ndarray | None = field(default=None, repr=False, compare=False)
    pdf_page: tuple[Path, int] | None = None  # (PDF, 0-based page) when `path` is not written


@dataclass(frozen=True)
class PageRead:
    """One OCRed page: the Page object (original pixels) and its rows (original pixels)."""

    page: Page
    rows: tuple[Row, ...]
    # Label cells found on the page while labels were being learned, to learn after
    # the other pages read at the same time (read_page's `learn_later`).
    labels: tuple = ()


# --- page images ------------------------------------------------------------


class PdfPages:
    """Renders the pages of one image-only PDF on demand, at `dpi`, as pixels.

    Pages are rendered as the OCR workers ask for them, so rendering overlaps
    OCR. pdfium is not thread-safe: PDFIUM_LOCK serialises every call. No file is
    written: the seal check and redaction render the page again (extractors.pageimage).
    """

    def __init__(self, pdf: Path, workdir: Path, dpi: int, page_count: int | None = None):
        import pypdfium2 as pdfium

        self._pdfium = pdfium
        try:
            with PDFIUM_LOCK:
                self._doc = pdfium.PdfDocument(str(pdf))
        except pdfium.PdfiumError as exc:
            raise BadInputError(QuarantineReason.UNREADABLE, f"the PDF cannot be opened: {exc}") from exc
        self._lock = PDFIUM_LOCK
        self.pdf, self.workdir, self.dpi = pdf, workdir, dpi
        with PDFIUM_LOCK:
            total = len(self._doc)
        self.count = total if page_count is None else min(page_count, total)
        if self.count == 0:
            self.close()
            raise BadInputError(QuarantineReason.UNREADABLE, "the PDF has no pages")

    def render(self, index: int) -> PageImage:
        path = self.workdir / f"page-{index + 1:04d}.png"
        with self._lock:
            page = self._doc[index]
            try:
                bitmap = page.render(scale=self.dpi / 72)
                # pdfium's own byte order is BGR, what OpenCV wants: no PIL image, no colour
                # conversion (half the cost of rendering). Copied: the bitmap's memory goes with it.
                bgr = np.array(bitmap.to_numpy(), copy=True)
                mode = bitmap.mode
                bitmap.close()
            except self._pdfium.PdfiumError as exc:
                raise BadInputError(QuarantineReason.UNREADABLE, f"page {index + 1} cannot be rendered: {exc}") from exc
            finally:
                page.close()
        if mode in ("BGRA", "BGRX"):
            bgr = np.ascontiguousarray(bgr[..., :3])
        elif mode not in ("BGR", "L"):
            raise BadInputError(QuarantineReason.UNREADABLE, f"page {index + 1} rendered in an unexpected mode {mode}")
        return PageImage(index + 1, path, self.dpi, bgr, pdf_page=(self.pdf, index))

    def close(self) -> None:
        with PDFIUM_LOCK:
            self._doc.close()


def split_image(src: Path, workdir: Path, page_count: int | None = None) -> list[PageImage]:
    """JPG/PNG: the file itself is the page. TIFF (maybe multi-frame): one PNG per frame."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(src) as im:
            dpi_info = im.info.get("dpi")
            dpi = int(round(float(dpi_info[0]))) if dpi_info and dpi_info[0] else None
            if im.format in ("JPEG", "PNG") and getattr(im, "n_frames", 1) == 1:
                im.verify()  # truncated/corrupt files fail here, not deep inside OpenCV
                return [PageImage(1, src, dpi)]
            out = []
            for i, frame in enumerate(ImageSequence.Iterator(im)):
                if page_count is not None and i >= page_count:
                    break
                path = workdir / f"page-{i + 1:04d}.png"
                fdpi = frame.info.get("dpi")
                fdpi = int(round(float(fdpi[0]))) if fdpi and fdpi[0] else dpi
                frame.convert("RGB").save(path, dpi=(fdpi or 300, fdpi or 300), compress_level=1)
                out.append(PageImage(i + 1, path, fdpi))
            return out
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise BadInputError(QuarantineReason.UNREADABLE, f"the image cannot be decoded: {exc}") from exc


def _given(image: PageImage) -> PageImage:
    return image


def page_sources(
    source: SourceFile, workdir: Path, settings: Settings, page_count: int | None, stack: ExitStack
) -> list[Callable[[], PageImage]]:
    """One callable per page that yields its original image file (PDF pages are rendered when called)."""
    if source.file_type == FileType.PDF:
        pdf = PdfPages(source.abs_path, workdir, settings.ocr_dpi, page_count)
        stack.callback(pdf.close)
        return [partial(pdf.render, i) for i in range(pdf.count)]
    if source.file_type in (FileType.JPEG, FileType.PNG, FileType.TIFF):
        return [partial(_given, im) for im in split_image(source.abs_path, workdir, page_count)]
    raise BadInputError(QuarantineReason.UNSUPPORTED_TYPE, f"not a scan: {source.file_type.value}")


# --- one page -----------------------------------------------------------------


def _map_row(row: Row, back: pageprep.Affine) -> Row:
    return Row(
        tuple(layout.CellText(c.text, c.conf, back.map_box(c.bbox)) for c in row.cells),
        ruled=row.ruled,
    )


# Cells read below this confidence are cropped and read again as one line.
REREAD_BELOW = 0.85
# Cells with Chinese text read below this get the second engine's opinion (hybrid engine only).
SECOND_OPINION_CJK_BELOW = 0.97
# Confidence of a cell the second engine read differently from the first.
DISAGREEMENT_CONF = 0.75
# Confidence at least of a cell both engines read alike: two unlike models (tesseract's
# LSTM, PP-OCR) rarely make the same misread, so agreement is evidence of its own.
AGREED_CONF = 0.9
# Confidence of a personal value read with asterisks that are not found on the page.
UNSEEN_MASK_CONF = 0.5
# More re-reads than this on one page means the page itself is bad: stop spending time.
MAX_REREADS = 40


# Chinese characters of the form's closed vocabulary (dates, yes/no answers, units): not
# the rare characters tesseract is sometimes sure of and wrong about (陶资 for 陶瓷), so a
# cell of these and digits gets the second opinion only under REREAD_BELOW, like digits.
_FORM_CJK = frozenset("年月日是否有无万元亿")


def _open_cjk_count(words: list[Word]) -> int:
    return sum(c.isalpha() and is_cjk(c) and c not in _FORM_CJK for w in words for c in w.text)


def _cjk_count(words: list[Word]) -> int:
    # The English data can read a Chinese character as confident Latin letters (李 → "ase"):
    # a re-read that loses Chinese characters is not an improvement. Ideographs only: a
    # full-width bracket read half-width loses nothing. A masking asterisk stands for an
    # ideograph: 郭** read as 郭全 by the first engine loses nothing in the second's 郭**.
    return sum((c.isalpha() and is_cjk(c)) or c == "*" for w in words for c in w.text)


# Height of one strip of cells handed to RapidOCR, under its 2000 px resize limit.
STRIP_MAX_HEIGHT = 1900


def _strip_chunks(pieces: list, pad: int, limit: int | None) -> list[list]:
    """The cell crops in groups whose stacked height stays under `limit` (None: one group)."""
    chunks: list[list] = [[]]
    height = pad
    for piece in pieces:
        h = piece[1].shape[0] + 2 * pad
        if limit is not None and chunks[-1] and height + h > limit:
            chunks.append([])
            height = pad
        chunks[-1].append(piece)
        height += h
    return chunks


def _read_strip(chunk: list, pad: int, engine: OcrEngine, dpi: int, replaced: dict[int, list[Word]],
                first_pass: bool = False) -> None:
    """Stack the crops of `chunk` into one white strip, read it, and put each word back on its cell.

    `first_pass`: read it as the page pass does (`engine.read`), not as a second reading.
    """
    offsets = []  # (cell index, strip y0, strip y1, dx, dy)
    y = pad
    for i, crop, x, top in chunk:
        offsets.append((i, y, y + crop.shape[0], x - pad, top - y))
        y += crop.shape[0] + 2 * pad
    width = max(c.shape[1] for _, c, _, _ in chunk) + 2 * pad
    strip = np.full((y, width), 255, np.uint8)
    for (_, crop, _, _), (_, top, bottom, _, _) in zip(chunk, offsets):
        strip[top:bottom, pad : pad + crop.shape[1]] = crop
    # Handed over in memory: no PNG written and decoded again (engines take arrays).
    for w in (engine.read if first_pass else engine.read_fields)(strip, dpi=dpi):
        cy = (w.bbox[1] + w.bbox[3]) / 2
        for i, top, bottom, dx, dy in offsets:
            if top <= cy <= bottom and w.text.strip():
                b = w.bbox
                replaced.setdefault(i, []).append(
                    Word(text=w.text, conf=w.conf, bbox=(b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy))
                )
                break


def _cell_crops(image: np.ndarray, cells: list[tuple[float, float, float, float]], which: list[int]) -> list:
    """(cell index, crop inside its rules, dx, dy) for the cells `which`; dx/dy map the crop back to the page."""
    pieces = []
    for i in which:
        x0, y0, x1, y1 = (int(v) for v in cells[i])
        crop = image[y0 + 2 : y1 - 1, x0 + 2 : x1 - 1]
        if crop.size:
            pieces.append((i, crop, x0 + 2, y0 + 2))
    return pieces


# A cell holds text when its ink reaches this height (mm): a character is ~3.5 mm, a speck far less.
MIN_TEXT_MM = 1.2


def _has_text_ink(image: np.ndarray, cell: tuple[float, float, float, float], dpi: int) -> bool:
    x0, y0, x1, y1 = (int(v) for v in cell)
    crop = image[y0 + 4 : y1 - 3, x0 + 4 : x1 - 3]
    if crop.size == 0:
        return False
    rows = np.flatnonzero((crop < 128).sum(axis=1) >= 2)
    return rows.size > 0 and rows[-1] - rows[0] + 1 >= MIN_TEXT_MM * dpi / 25.4


def read_missed_cells(
    words: list[Word], cells: list[tuple[float, float, float, float]], engine: OcrEngine, image: np.ndarray, dpi: int,
) -> list[Word]:
    """Cells with text ink but no word from the page pass, read on their own, as the page pass reads.

    Tesseract's page pass now and then drops a short value as noise (`梁*` on a
    degraded scan): read as a strip it is found, and it then goes through the
    weak-cell checks like any other reading. Empty cells (no ink a character high)
    cost nothing.
    """
    per_cell, _ = layout.assign_to_cells(words, cells)
    missed = [i for i, ws in enumerate(per_cell) if not ws and _has_text_ink(image, cells[i], dpi)][:MAX_REREADS]
    if not missed:
        return words
    pad = 20
    found: dict[int, list[Word]] = {}
    for chunk in _strip_chunks(_cell_crops(image, cells, missed), pad, None):
        _read_strip(chunk, pad, engine, dpi, found, first_pass=True)
    return words + [w for ws in found.values() for w in ws]


def reread_weak_cells(
    prep: pageprep.PreparedPage,
    words: list[Word],
    cells: list[tuple[float, float, float, float]],
    engine: OcrEngine,
    threshold: float = REREAD_BELOW,
    image: np.ndarray | None = None,
) -> list[Word]:
    """Read weakly-read table cells again on their own; keep whichever reading is surer.

    A whole-page pass mixes scripts and sizes; cells cut out and read as
    isolated lines (with English data for symbols and codes) are often right
    where the page pass was not. The weak cells of a page are stacked into one
    strip image so that they cost one engine call, not one per cell (loading
    the chi_sim model dominates a small call). Clean pages cost nothing.
    Cells the page pass left empty though they hold text are read first (`read_missed_cells`).
    `image`: the prepared page's pixels when the caller holds them (else read from its file).
    """
    if image is None:
        image = prep.image()
    words = read_missed_cells(words, cells, engine, image, prep.dpi)
    per_cell, _ = layout.assign_to_cells(words, cells)
    # With a second engine at hand, Chinese values are checked unless read near-certainly:
    # tesseract is sometimes sure of a wrong rare character (陶瓷 read 陶资 at 0.91).
    cjk_threshold = max(threshold, SECOND_OPINION_CJK_BELOW) if getattr(engine, "second_opinion", False) else threshold
    weak = sorted(
        (i for i, ws in enumerate(per_cell)
         if ws and layout.field_conf(ws) < (cjk_threshold if _open_cjk_count(ws) else threshold)
         # Labels and column headings are recognised even when misread a little: no second reading.
         and not is_heading(layout.join_words(ws))),
        key=lambda i: layout.field_conf(per_cell[i]),
    )[:MAX_REREADS]  # the least sure first, if there are more than the cap
    if not weak:
        return words
    pad = 20  # tesseract needs a white margin around each line
    pieces = _cell_crops(image, cells, weak)
    if not pieces:
        return words
    # RapidOCR's detector shrinks any image over 2000 px: a tall strip of forty cells came
    # out at half scale and lost rare characters (铖宇 read 宇 at 0.999). The recogniser-only
    # second opinion does not shrink, but strips stay under that for any detector-based
    # engine; tesseract reads any height and pays per call, so it gets one strip.
    limit = STRIP_MAX_HEIGHT if getattr(engine, "second_opinion", False) else None
    replaced: dict[int, list[Word]] = {}
    for chunk in _strip_chunks(pieces, pad, limit):
        _read_strip(chunk, pad, engine, prep.dpi, replaced)
    if getattr(engine, "second_opinion", False):
        better = {}
        for i, ws in replaced.items():
            if _cjk_count(ws) < _cjk_count(per_cell[i]):
                continue
            if layout.readings_agree(layout.cell_reading(ws), layout.cell_reading(per_cell[i])):
                # 28 read at 0.78 by one engine and 2８ at 0.52 by the other was kept at 0.52.
                sure = max(layout.field_conf(ws), layout.field_conf(per_cell[i]), AGREED_CONF)
                ws = [w.model_copy(update={"conf": max(w.conf, sure)}) for w in ws]
            elif (voted := layout.vote_readings(per_cell[i], ws)) is not None:
                # They differ only where the first engine's reading says nothing against
                # the second's (an unsure or impossible numeral, a mask: see vote_readings).
                ws = voted
            else:
                # Two engines disagree (beyond separators, widths, rule specks: see
                # layout.canonical_reading): keep the second (the better reader of
                # rare characters) unless it is itself less sure than the first, and
                # either way never as sure.
                if layout.field_conf(ws) < layout.field_conf(per_cell[i]):
                    ws = per_cell[i]
                ws = [w.model_copy(update={"conf": min(w.conf, DISAGREEMENT_CONF)}) for w in ws]
            better[i] = ws
    else:
        better = {
            i: ws for i, ws in replaced.items()
            if layout.field_conf(ws) > layout.field_conf(per_cell[i]) and _cjk_count(ws) >= _cjk_count(per_cell[i])
        }
    if not better:
        return words
    drop = {id(w) for i in better for w in per_cell[i]}
    return [w for w in words if id(w) not in drop] + [w for ws in better.values() for w in ws]


def merge_split_value(row: Row) -> Row:
    """A label followed by several cells none of which is a label: one value split by a stray line.

    A photocopier streak or a fold through the value column looks like a
    column rule and cuts the value in two (何 | 子轩).
    """
    cells = [c for c in row.cells if c.text]
    if not row.ruled or len(cells) < 3 or match_label(cells[0].text) is None:
        return row
    if any(match_label(c.text) is not None for c in cells[1:]):
        return row
    rest = cells[1:]
    merged = layout.CellText(
        "".join(c.text for c in rest) if any(is_cjk(ch) for c in rest for ch in c.text) else " ".join(c.text for c in rest),
        min(c.conf for c in rest),
        layout.union([c.bbox for c in rest]),
    )
    return Row((cells[0], merged), ruled=True)


PERSONAL_KEYS = frozenset({"legal_rep", "contact_name", "contact_phone", "contact_email", "tech_leader"})


_CJK_CLASS = "\u3400-\u9fff"
# What a masked value looks like (architecture.md, masking conventions).
MASKED_FORM = {
    "contact_phone": re.compile(r"^(?:\d{3}\*{4}\d{4}|\d{3,4}-\*+\d{4})$"),
    "contact_email": re.compile(r"^[^*@\s]{1,2}\*{3}@\S+$"),
    **{k: re.compile(rf"^[{_CJK_CLASS}]\*{{1,3}}$") for k in ("legal_rep", "contact_name", "tech_leader")},
}


def personal_value_cells(rows: list[Row]) -> list[tuple[str, layout.CellText, layout.CellText]]:
    """(field key, label or header cell, value cell) for every personal-data value on the page.

    On the information sheet the value is right of its label; in the summary
    table it is under the 联系人 / 联系电话 heading.
    """
    out = []
    columns: list[tuple[str, layout.CellText]] = []
    for row in rows:
        cells = [c for c in row.cells if c.text]
        if row.ruled and len(cells) >= 4 and summary_header([[c.text for c in cells]]) is not None:
            columns = [(k, c) for c in cells if (k := match_summary_column(c.text)) in PERSONAL_KEYS]
            continue
        for label, value in zip(cells, cells[1:]):
            key = match_label(label.text)
            if key in PERSONAL_KEYS:
                out.append((key, label, value))
        if row.ruled and columns:
            for key, head in columns:
                for c in cells:
                    if head.bbox[0] <= (c.bbox[0] + c.bbox[2]) / 2 <= head.bbox[2]:
                        out.append((key, head, c))
    return out


def mark_asterisks(
    prep: pageprep.PreparedPage, words: list[Word], rows: list[Row], image: np.ndarray | None = None
) -> tuple[list[Word], bool]:
    """In the values of personal-data fields, read masking asterisks from their shape.

    Only personal-data values are looked at: that is where masked text
    (`欧***`, `138****5678`) is printed, and nowhere else can a small raised
    blob be mistaken for one.
    """
    changed = False
    for key, label, value in personal_value_cells(rows):
        inside = [w for w in words if _centre_in(w.bbox, value.bbox)]
        heights = [w.bbox[3] - w.bbox[1] for w in inside + [w for w in words if _centre_in(w.bbox, label.bbox)]
                   if any(is_cjk(c) or c.isdigit() for c in w.text)]
        if not inside or not heights:
            continue
        if image is None:
            image = prep.image()
        pad = 0.3 * max(heights)
        box = (value.bbox[0] - pad, value.bbox[1] - pad, value.bbox[2] + pad, value.bbox[3] + pad)
        stars = pageprep.find_asterisks(image, box, float(np.median(heights)))
        if not stars and any("*" in w.text for w in inside):
            # An engine read a mask the page does not show: the value may be printed unmasked.
            ids = {id(w) for w in inside}
            words = [w for w in words if id(w) not in ids] + [
                w.model_copy(update={"conf": min(w.conf, UNSEEN_MASK_CONF)}) for w in inside]
            changed = True
        elif stars:
            ids = {id(w) for w in inside}
            patched = layout.put_asterisks(inside, stars)
            # Judged without spaces, as the value parsers read it: a gap after the mask is
            # joined as a space (`li*** @example.net`) and is not a lost character.
            if not MASKED_FORM[key].match(re.sub(r"\s+", "", layout.join_words(patched))):
                # Not the shape masking gives (138****5678, he***@…): some asterisk or
                # character was lost; the reading must not pass as sure.
                patched = [w.model_copy(update={"conf": min(w.conf, 0.5)}) if "*" in w.text else w for w in patched]
            words = [w for w in words if id(w) not in ids] + patched
            changed = True
    return words, changed


def _centre_in(b: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


# A page reads well when most of its characters were read with some confidence.
GOOD_PAGE_CONF = 0.6


def reads_well(words: list[Word]) -> bool:
    return sum(len(w.text) for w in words) >= 4 and layout.text_conf(words) >= GOOD_PAGE_CONF


def _prepare_and_read(
    image: PageImage, out: Path, engine: OcrEngine | None, tesseract_cmd: str, *, detect_orientation: bool,
    prepare_lock: threading.Lock | None = None, printed: PrintedLabels | None = None,
) -> tuple[pageprep.PreparedPage, np.ndarray, list[Word], frozenset[int]]:
    """Prepare and OCR a page; also the cells whose words were recalled, not read (`printed`)."""
    try:
        # Preparation holds ~150 MB of page-sized arrays at once; two pages prepared at
        # the same time made the process's peak memory (docs/ocr-speed.md "Peak memory").
        with prepare_lock or nullcontext():
            prep = pageprep.prepare_page(
                image.path, out, dpi=image.dpi, tesseract_cmd=tesseract_cmd, detect_orientation=detect_orientation,
                image=image.pixels, write=False,
            )
    except ValueError as exc:
        raise BadInputError(QuarantineReason.UNREADABLE, f"page {image.number}: {exc}") from exc
    # Kept in memory, not written and decoded: the page pass, the cell re-reads and the
    # asterisk shapes share the pixels.
    pixels = prep.image()
    if engine is None:
        return prep, pixels, [], frozenset()
    cells = [c.bbox for c in prep.cells]
    recalled = printed.recall(pixels, cells, prep.dpi) if printed is not None else []
    if not recalled:
        return prep, pixels, engine.read(pixels, dpi=prep.dpi), frozenset()
    # The form's labels seen before are not read again: half of a page's text (extractors/printed.py).
    words = engine.read(blank_labels(pixels, recalled), dpi=prep.dpi)
    # What was read of a recalled label's kept last character gives way to the recalled words.
    done = frozenset(r.cell for r in recalled)
    per_cell, loose = layout.assign_to_cells(words, cells)
    words = loose + [w for i, ws in enumerate(per_cell) if i not in done for w in ws]
    return prep, pixels, words + [w for r in recalled for w in r.words], done


def read_page(
    image: PageImage, workdir: Path, engine: OcrEngine, tesseract_cmd: str, threshold: float = REREAD_BELOW,
    prepare_lock: threading.Lock | None = None, printed: PrintedLabels | None = None,
    learn_later: bool = False,
) -> PageRead:
    """Prepare, OCR and lay out one page; boxes come back in original-image pixels.

    `prepare_lock`: held while the page is prepared, shared by the pages read at once.
    `printed`: the form's labels learned so far (recalled instead of read; this page's are
    learned). `learn_later`: this page's labels are returned in `PageRead.labels`, not learned.
    """
    prepared_path = workdir / f"ocr-{image.number:04d}.png"  # names orientation detection's temporary file
    # Most pages are upright: read them as they are, and pay for orientation
    # detection (and a second reading) only when the first reading is poor.
    prep, pixels, words, recalled = _prepare_and_read(image, prepared_path, engine, tesseract_cmd,
                                                       detect_orientation=False, prepare_lock=prepare_lock,
                                                       printed=printed)
    if not reads_well(words):
        prep2, pixels2, words2, recalled2 = _prepare_and_read(image, prepared_path, engine, tesseract_cmd,
                                                              detect_orientation=True, prepare_lock=prepare_lock,
                                                              printed=printed)
        # Not turned after all: the first preparation (still in memory) stays.
        if prep2.rotation and layout.text_conf(words2) > layout.text_conf(words):
            prep, pixels, words, recalled = prep2, pixels2, words2, recalled2
        del prep2, pixels2
    # The original's pixels are not needed from here (seals and redaction get the image again):
    # let them go while the page is read.
    image = replace(image, pixels=None)
    cells = [c.bbox for c in prep.cells]
    found: tuple = ()
    if printed is not None and learn_later:
        found = printed.found(pixels, cells, words, prep.dpi, skip=recalled)
    elif printed is not None:
        printed.learn(pixels, cells, words, prep.dpi, skip=recalled)
    words = reread_weak_cells(prep, words, cells, engine, threshold, image=pixels)
    rows = [merge_split_value(r) for r in layout.page_rows(words, cells)]
    words, changed = mark_asterisks(prep, words, rows, image=pixels)
    words, ticked = ticks.mark_ticks(pixels, words, rows)
    if changed or ticked:
        rows = [merge_split_value(r) for r in layout.page_rows(words, cells)]
    back = prep.to_prepared.inverse()
    page_words = [Word(text=w.text, bbox=back.map_box(w.bbox), conf=w.conf) for w in words]
    text = "\n".join(" ".join(t for t in r.texts if t) for r in rows)
    page = Page(
        number=image.number,
        width=float(prep.width),
        height=float(prep.height),
        dpi=prep.original_dpi,
        image_path=None if image.pdf_page else image.path,
        pdf_page=image.pdf_page,
        words=page_words,
        text=text,
    )
    return PageRead(page, tuple(_map_row(r, back) for r in rows), found)


# --- document -------------------------------------------------------------------


def row_conf(row: Row) -> float:
    """A table row's reading confidence: its weakest non-empty cell (one bad cell spoils the row)."""
    confs = [c.conf for c in row.cells if c.text]
    return min(confs) if confs else 0.0


def table_rows(rows: list[tuple[Row, int]], find_header) -> list[tuple[list[str], list[str], float, int]]:
    """(header, body row, row confidence, page) for the table whose header `find_header` recognises.

    The body is the run of multi-cell rows after the header (a header repeated
    on the next page is skipped by the shared parsers); the table ends at the
    first unruled single-segment line (the signature block, a new title).
    """
    out = []
    header: list[str] | None = None
    for row, pno in rows:
        texts = row.texts
        if header is None:
            if len(texts) >= 3 and find_header([texts]) is not None:
                header = texts
            continue
        if len([t for t in texts if t]) < 2:
            if row.ruled:
                continue  # an empty or 合计 row inside the ruled table
            break
        out.append((header, texts, row_conf(row), pno))
    return out


def label_value_pairs(rows: list[tuple[Row, int]]) -> list[LabelValue]:
    """Label/value pairs by geometry, with the confidence of the value's own cell.

    Geometry decides what a cell is; the shared `pairs_from_rows` decides which
    cell is a label (synonyms, stray spaces, `label：value` in one cell).
    """
    out: list[LabelValue] = []
    for row, pno in rows:
        cells = [c for c in row.cells if c.text]
        if not cells:
            continue
        found = pairs_from_rows([[c.text for c in cells]], page=pno, bboxes=[[c.bbox for c in cells]])
        by_box = {c.bbox: c for c in cells}
        for p in found:
            cell = by_box.get(p.bbox) if p.bbox is not None else None
            update: dict = {"conf": cell.conf if cell else row_conf(row)}
            spec = FIELD_SPECS_BY_KEY.get(match_label(p.label) or "")
            if spec is not None and spec.type in (FieldType.MONEY, FieldType.COUNT):
                update["value"] = fix_numeral_misreads(p.value)
            elif spec is not None and spec.type == FieldType.DATE:
                update["value"] = fix_date_misreads(p.value)
            out.append(p.model_copy(update=update))
    return out


# chi_sim misreads of the financial numerals (大写) at scan resolutions: the
# person radical with 十 or 壬 is 仟; 柒 loses its water radical. Only applied
# inside a run that is clearly a written-out amount.
NUMERAL_MISREADS = str.maketrans({"什": "仟", "任": "仟", "未": "柒", "化": "仟"})
FINANCIAL_NUMERALS = set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元整")


CHINESE_DIGITS = "〇零一二三四五六七八九十"
# 〇 between Chinese numerals is read as @, O, o or 0.
_ZERO_MISREAD = re.compile(rf"(?<=[{CHINESE_DIGITS}])[@Oo0○]|[@Oo0○](?=[{CHINESE_DIGITS}])")


def fix_date_misreads(text: str) -> str:
    """`二@二六年十二月二十八日` → `二〇二六年十二月二十八日`; dates in figures are unchanged."""
    if sum(c in CHINESE_DIGITS for c in text) < 3:
        return text
    return _ZERO_MISREAD.sub("〇", text)


def fix_numeral_misreads(text: str) -> str:
    """`肆什伍佰零贰万伍什元` → `肆仟伍佰零贰万伍仟元`; other text is returned unchanged."""
    if sum(c in FINANCIAL_NUMERALS for c in text) < 3:
        return text
    return text.translate(NUMERAL_MISREADS)


def release_freed_memory() -> None:
    """Hand the freed page arrays back to the OS (glibc only; elsewhere a no-op).

    Each page allocates and frees ~100 MB of image arrays in a worker thread;
    glibc keeps freed memory in per-thread arenas, and RSS grew with the page
    count (434 MB at 10 pages, 881 MB at 100). Trimming after each page keeps
    it flat (docs/ocr.md).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def map_large_blocks(threshold: int = 1 << 20) -> None:
    """Blocks of `threshold` bytes and more get pages of their own (glibc only).

    glibc raises its mmap threshold to the largest block freed so far (up to
    32 MB): after the first page, page-sized arrays are cut from the worker
    threads' heaps, where tesseract's small objects fragment them and freed
    arrays stay resident until the next trim (42–69 MB free in the heaps after
    each page). A fixed threshold maps each large array and unmaps it when freed.
    """
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, threshold)
    except (OSError, AttributeError):
        pass


def one_opencv_thread() -> None:
    """OpenCV runs each call on one thread (process-wide).

    Pages are the unit of parallelism, one worker per core, as tesseract gets
    OMP_THREAD_LIMIT=1 and onnxruntime one thread per session. OpenCV's own
    thread pool on top cost CPU without saving time: on the 20-page bench, 8 %
    less CPU and 6 % less wall time with one thread (medians of 7 and 8
    interleaved runs); preparation alone, one worker, 0.97 → 0.72 CPU s a page over the
    66 scanned pages of the evaluation sets, every prepared image byte-identical
    (docs/ocr-speed.md, change 13).
    """
    cv2.setNumThreads(1)


def default_engine_name() -> str:
    """`tesseract+rapidocr` when the [ppocr] extra is installed, else `tesseract`.

    Measured on the generated demo and degraded sets (docs/ocr.md): the second
    opinion on weak cells raises field accuracy from 94 % to 99 % (clean) and
    84 % to 90 % (degraded) at about the same time per clean page.
    """
    return "tesseract+rapidocr" if importlib.util.find_spec("rapidocr_onnxruntime") else "tesseract"


def extract_scan(
    source: SourceFile,
    workdir: Path,
    settings: Settings,
    *,
    page_count: int | None = None,
    workers: int = 1,
    engine: OcrEngine | None = None,
    printed: PrintedLabels | None = None,
) -> ExtractedDoc:
    """OCR a scanned document and read its kind, fields and tables.

    `workdir` receives the page images of TIFF frames; the pages' `image_path`
    point at them (or at the source file for a JPG/PNG) and must outlive the
    returned document. PDF pages are not written: their `pdf_page` names them.
    `page_count` caps the pages read (the caller may already know it).
    `workers` pages are OCRed at a time.
    `printed`: the form's labels learned from earlier pages of the batch (a new, empty
    one for this document when not given); None with `settings.recall_labels` off.
    Raises BadInputError(UNREADABLE) when no page yields any text.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    map_large_blocks()
    one_opencv_thread()
    # One page is prepared at a time; the others meanwhile OCR (docs/ocr-speed.md "Peak memory").
    prepare_lock = threading.Lock()
    if printed is None and settings.recall_labels:
        printed = PrintedLabels()
    elif not settings.recall_labels:
        printed = None

    def work(get_image: Callable[[], PageImage], learn_later: bool = False) -> PageRead:
        try:
            return read_page(get_image(), workdir, engine, settings.tesseract_cmd, prepare_lock=prepare_lock,
                             printed=printed, learn_later=learn_later)
        finally:
            release_freed_memory()

    with ExitStack() as stack:
        sources = page_sources(source, workdir, settings, page_count, stack)
        if engine is None:  # after the file is known to open: models are not loaded for a broken file
            engine = make_engine(default_engine_name(), tesseract_cmd=settings.tesseract_cmd, lang=settings.ocr_lang,
                                 runtime=settings.ocr_runtime, streams=workers)
        reads: list[PageRead] = []
        todo = list(sources)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            # While the form's labels are being learned, pages are read in waves of one
            # page per worker: a wave recalls only what earlier waves taught, and its
            # labels are learned after it, in page order. So what a page recalls does
            # not depend on thread timing (extractors/printed.py), and no core waits
            # while the first page is read (docs/ocr-speed.md, change 14).
            while todo and printed is not None and printed.learning:
                wave, todo = todo[:max(1, workers)], todo[max(1, workers):]
                got = list(pool.map(lambda get: work(get, learn_later=True), wave))
                for r in got:
                    printed.add(r.labels)
                reads.extend(replace(r, labels=()) for r in got)
            reads.extend(pool.map(work, todo))

    pages = [r.page for r in reads]
    if not any(p.words for p in pages):
        raise BadInputError(
            QuarantineReason.UNREADABLE,
            f"no text could be read on any of the {len(pages)} page(s) of {source.path}",
        )
    text = "\n".join(p.text for p in pages)
    rows = [(row, r.page.number) for r in reads for row in r.rows]
    doc = ExtractedDoc(source=source, kind=classify_text(text), medium=Medium.SCAN, pages=pages)
    flags: list[Flag] = []
    if doc.kind == DocKind.SUMMARY_TABLE:
        for header, body, conf, _ in table_rows(rows, summary_header):
            doc.summary_rows.extend(summary_from_rows([header, body], conf=conf))
        title = next((ln for ln in text.splitlines() if "汇总" in ln), text.splitlines()[0])
        doc.province = province_from_title(title)
    else:
        doc.fields, field_flags = fields_from_pairs(label_value_pairs(rows))
        flags.extend(field_flags)
        for header, body, conf, _ in table_rows(rows, equipment_header):
            doc.equipment.extend(equipment_from_rows([header, body], conf=conf))
    doc.signer = signer_from_text(text)
    flags.extend(low_confidence_flags(doc, settings.low_confidence))
    doc.flags = _dedupe(flags)
    return doc


def low_confidence_flags(doc: ExtractedDoc, threshold: float) -> list[Flag]:
    """LOW_CONFIDENCE for each field read below the threshold (Settings.low_confidence)."""
    return [
        Flag(code=FlagCode.LOW_CONFIDENCE, field=key,
             message=f"{key} was read with confidence {fv.confidence:.2f} (below {threshold:.2f}); check it on page {fv.page}")
        for key, fv in doc.fields.items()
        if fv.confidence < threshold
    ]


def _dedupe(flags: list[Flag]) -> list[Flag]:
    seen: set[tuple[str, str | None]] = set()
    out = []
    for f in flags:
        k = (f.code.value, f.field)
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out
