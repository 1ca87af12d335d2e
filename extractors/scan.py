"""Scanned documents (image-only PDF, JPG, PNG, TIFF) → ExtractedDoc, read with OCR.

Per page: the original image is written (or kept) as a file, prepared for OCR
(`pageprep`), read by the OCR engine, and the words are mapped back to the
original image's pixels. Fields come from the page geometry (`layout`): label
and value in the same table row, the equipment and summary tables row by row.
Pages are independent, so they run in a small thread pool (the OCR engine is a
subprocess; threads only wait on it).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageSequence

from pilot_intake.errors import BadInputError
from pilot_intake.models import (
    DocKind,
    ExtractedDoc,
    FileType,
    FieldValue,
    Flag,
    FlagCode,
    Medium,
    Page,
    QuarantineReason,
    SourceFile,
    Word,
)
from pilot_intake.settings import Settings

from extractors import layout, pageprep
from extractors.layout import Row
from extractors.ocr import OcrEngine, make_engine

# Pillow refuses images above ~179 Mpx by default; an A0 scan at 400 dpi is ~250 Mpx.
MAX_PIXELS = 300_000_000


@dataclass(frozen=True)
class PageImage:
    number: int
    path: Path  # the original page image
    dpi: int | None


@dataclass(frozen=True)
class PageRead:
    """One OCRed page: the Page object (original pixels) and its rows (original pixels)."""

    page: Page
    rows: tuple[Row, ...]


# --- page images ------------------------------------------------------------


def render_pdf(pdf: Path, workdir: Path, dpi: int, page_count: int | None = None) -> list[PageImage]:
    """Render each page of an image-only PDF to PNG at `dpi`."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(pdf))
    except pdfium.PdfiumError as exc:
        raise BadInputError(QuarantineReason.UNREADABLE, f"the PDF cannot be opened: {exc}") from exc
    try:
        n = len(doc) if page_count is None else min(page_count, len(doc))
        if n == 0:
            raise BadInputError(QuarantineReason.UNREADABLE, "the PDF has no pages")
        out = []
        for i in range(n):
            page = doc[i]
            try:
                bitmap = page.render(scale=dpi / 72)
                img = bitmap.to_pil()
                path = workdir / f"page-{i + 1:04d}.png"
                img.save(path, dpi=(dpi, dpi))
                out.append(PageImage(i + 1, path, dpi))
            finally:
                page.close()
        return out
    finally:
        doc.close()


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
                frame.convert("RGB").save(path, dpi=(fdpi or 300, fdpi or 300))
                out.append(PageImage(i + 1, path, fdpi))
            return out
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise BadInputError(QuarantineReason.UNREADABLE, f"the image cannot be decoded: {exc}") from exc


def page_images(source: SourceFile, workdir: Path, settings: Settings, page_count: int | None) -> list[PageImage]:
    if source.file_type == FileType.PDF:
        return render_pdf(source.abs_path, workdir, settings.ocr_dpi, page_count)
    if source.file_type in (FileType.JPEG, FileType.PNG, FileType.TIFF):
        return split_image(source.abs_path, workdir, page_count)
    raise BadInputError(QuarantineReason.UNSUPPORTED_TYPE, f"not a scan: {source.file_type.value}")


# --- one page -----------------------------------------------------------------


def _map_row(row: Row, back: pageprep.Affine) -> Row:
    return Row(
        tuple(layout.CellText(c.text, c.conf, back.map_box(c.bbox)) for c in row.cells),
        ruled=row.ruled,
    )


def read_page(image: PageImage, workdir: Path, engine: OcrEngine, tesseract_cmd: str) -> PageRead:
    """Prepare, OCR and lay out one page; boxes come back in original-image pixels."""
    prepared_path = workdir / f"ocr-{image.number:04d}.png"
    try:
        prep = pageprep.prepare_page(image.path, prepared_path, dpi=image.dpi, tesseract_cmd=tesseract_cmd)
    except ValueError as exc:
        raise BadInputError(QuarantineReason.UNREADABLE, f"page {image.number}: {exc}") from exc
    words = engine.read(prep.ocr_image, dpi=prep.dpi)
    rows = layout.page_rows(words, [c.bbox for c in prep.cells])
    back = prep.to_prepared.inverse()
    page_words = [Word(text=w.text, bbox=back.map_box(w.bbox), conf=w.conf) for w in words]
    text = "\n".join(" ".join(t for t in r.texts if t) for r in rows)
    page = Page(
        number=image.number,
        width=float(prep.width),
        height=float(prep.height),
        dpi=prep.original_dpi,
        image_path=image.path,
        words=page_words,
        text=text,
    )
    # The prepared image is only an intermediate; the original stays for seals/redaction.
    prepared_path.unlink(missing_ok=True)
    return PageRead(page, tuple(_map_row(r, back) for r in rows))


# --- document -------------------------------------------------------------------


def _is_header(texts: list[str], needles: tuple[str, ...]) -> bool:
    joined = "".join(texts).replace(" ", "")
    return sum(n in joined for n in needles) >= 2


EQUIPMENT_HEADER_WORDS = ("序号", "设备名称", "型号", "数量", "原值", "自主可控")
SUMMARY_HEADER_WORDS = ("序号", "平台名称", "依托单位", "信用代码", "重点方向", "联系人")


def table_after_header(rows: list[tuple[Row, int]], needles: tuple[str, ...]) -> tuple[list[list[str]], float, int]:
    """The table that starts at a header row matching `needles`: header + body rows as text.

    Body rows are the following rows with at least half the header's cells; the
    table ends at the first row that is not. Returns (rows, mean confidence, page).
    """
    out: list[list[str]] = []
    confs: list[float] = []
    page = 0
    in_table = False
    width = 0
    for row, pno in rows:
        texts = row.texts
        if not in_table:
            if len(texts) >= 3 and _is_header(texts, needles):
                in_table, width, page = True, len(texts), pno
                out.append(texts)
            continue
        if len(texts) >= max(3, width // 2) and not _is_header(texts, needles):
            out.append(texts)
            confs.extend(c.conf for c in row.cells if c.text)
        elif _is_header(texts, needles):
            continue  # the header repeated on the next page
        else:
            break
    return out, (sum(confs) / len(confs) if confs else 0.0), page


def label_value_pairs(rows: list[tuple[Row, int]], LabelValue):
    """Label/value pairs by geometry: a cell whose text is a known label, and the cell right of it.

    Also `label：value` inside one cell or line segment (signature block, unruled forms).
    `LabelValue` is the pair type of extractors.tables.
    """
    from extractors.labels import match_label

    pairs = []
    for row, pno in rows:
        cells = [c for c in row.cells if c.text]
        i = 0
        while i < len(cells):
            c = cells[i]
            key = match_label(c.text)
            if key is not None and i + 1 < len(cells) and match_label(cells[i + 1].text) is None:
                v = cells[i + 1]
                pairs.append(
                    LabelValue(label=c.text, value=v.text, conf=min(c.conf, v.conf) if c.text else v.conf,
                               page=pno, bbox=v.bbox)
                )
                i += 2
                continue
            split = _split_colon(c.text)
            if split is not None and match_label(split[0]) is not None:
                pairs.append(LabelValue(label=split[0], value=split[1], conf=c.conf, page=pno, bbox=c.bbox))
            i += 1
    return pairs


def _split_colon(text: str) -> tuple[str, str] | None:
    for sep in ("：", ":"):
        if sep in text:
            left, right = text.split(sep, 1)
            if left.strip() and right.strip():
                return left.strip(), right.strip()
    return None


def extract_scan(
    source: SourceFile,
    workdir: Path,
    settings: Settings,
    *,
    page_count: int | None = None,
    workers: int = 1,
    engine: OcrEngine | None = None,
) -> ExtractedDoc:
    """OCR a scanned document and read its kind, fields and tables.

    `workdir` receives the page images (rendered PDF pages, TIFF frames); the
    pages' `image_path` point at them (or at the source file for a JPG/PNG) and
    must outlive the returned document. `page_count` caps the pages read (the
    caller may already know it). `workers` pages are OCRed at a time.
    Raises BadInputError(UNREADABLE) when no page yields any text.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    if engine is None:
        engine = make_engine("tesseract", tesseract_cmd=settings.tesseract_cmd, lang=settings.ocr_lang)
    images = page_images(source, workdir, settings, page_count)
    if workers > 1 and len(images) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            reads = list(pool.map(lambda im: read_page(im, workdir, engine, settings.tesseract_cmd), images))
    else:
        reads = [read_page(im, workdir, engine, settings.tesseract_cmd) for im in images]

    pages = [r.page for r in reads]
    if not any(p.words for p in pages):
        raise BadInputError(
            QuarantineReason.UNREADABLE,
            f"no text could be read on any of the {len(pages)} page(s) of {source.path}",
        )
    text = "\n".join(p.text for p in pages)
    parsers = _parsers()
    kind = parsers.classify_text(text)
    rows = [(row, r.page.number) for r in reads for row in r.rows]

    doc = ExtractedDoc(source=source, kind=kind, medium=Medium.SCAN, pages=pages)
    flags: list[Flag] = []
    if kind == DocKind.SUMMARY_TABLE:
        table, conf, _ = table_after_header(rows, SUMMARY_HEADER_WORDS)
        doc.summary_rows = parsers.summary_from_rows(table) if table else []
        first_line = next((ln for ln in text.splitlines() if "汇总表" in ln), text[:200])
        doc.province = parsers.province_from_title(first_line)
    else:
        fields, field_flags = parsers.fields_from_pairs(label_value_pairs(rows, parsers.LabelValue))
        doc.fields = fields
        flags.extend(field_flags)
        table, conf, _ = table_after_header(rows, EQUIPMENT_HEADER_WORDS)
        if table:
            doc.equipment = parsers.equipment_from_rows(table, conf=conf)
    doc.signer = parsers.signer_from_text(text)
    flags.extend(low_confidence_flags(doc, settings.low_confidence))
    doc.flags = _dedupe(flags)
    return doc


def _parsers():
    """The shared parsers of extractors.tables / classify (the xlsx and PDF paths use them too).

    Interim: until extractors/tables.py and classify.py land, a minimal stand-in
    (labels.match_label + values.parse_field) keeps clean scans working.
    """
    import types

    try:
        from extractors import classify, tables

        return types.SimpleNamespace(
            classify_text=classify.classify_text,
            LabelValue=tables.LabelValue,
            fields_from_pairs=tables.fields_from_pairs,
            equipment_from_rows=tables.equipment_from_rows,
            summary_from_rows=tables.summary_from_rows,
            province_from_title=tables.province_from_title,
            signer_from_text=tables.signer_from_text,
        )
    except ImportError:
        return types.SimpleNamespace(
            classify_text=_interim_classify,
            LabelValue=_InterimLabelValue,
            fields_from_pairs=_interim_fields,
            equipment_from_rows=lambda rows, conf=1.0: [],
            summary_from_rows=lambda rows: [],
            province_from_title=lambda text: None,
            signer_from_text=lambda text: None,
        )


@dataclass(frozen=True)
class _InterimLabelValue:
    label: str
    value: str
    conf: float
    page: int
    bbox: tuple[float, float, float, float]


def _interim_classify(text: str) -> DocKind:
    head = text.replace(" ", "")[:300]
    if "汇总表" in head:
        return DocKind.SUMMARY_TABLE
    if "申报信息表" in head:
        return DocKind.INFO_SHEET
    return DocKind.EQUIPMENT_TABLE if "设备要素表" in head else DocKind.OTHER


def _interim_fields(pairs) -> tuple[dict[str, FieldValue], list[Flag]]:
    from extractors.labels import match_label
    from extractors.values import parse_field

    fields: dict[str, FieldValue] = {}
    for p in pairs:
        key = match_label(p.label)
        if key is None or key in fields:
            continue
        value, certainty, error = parse_field(key, p.value, unit_hint=p.label)
        fields[key] = FieldValue(key=key, raw=p.value, value=value, confidence=round(p.conf * certainty, 3),
                                 page=p.page, bbox=p.bbox, error=error)
    return fields, []


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
