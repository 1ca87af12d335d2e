"""Burned-in redaction: fill boxes on the page images and write an image-only PDF.

Drawing a black rectangle over a PDF leaves the text underneath; here the boxes
are filled in the pixels, the pages are re-encoded from those pixels, and the
PDF gets no text layer, no document info and no XMP.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw

from extractors.pageimage import has_image, open_page_image
from pilot_intake.errors import BadInputError, RedactionError
from pilot_intake.models import Page

BBox = tuple[float, float, float, float]


def _padded(box: BBox, width: int, height: int, pad: float) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    # OCR boxes hug the ink; grow them so anti-aliased stroke edges are covered too.
    p = pad + 0.12 * max(y1 - y0, 1.0)
    return (max(0, int(x0 - p)), max(0, int(y0 - p)), min(width - 1, int(x1 + p + 1)), min(height - 1, int(y1 + p + 1)))


def burn_page(image: Image.Image, boxes: list[BBox], *, pad: float = 2.0) -> Image.Image:
    """The page image with `boxes` filled black, as new pixels with no metadata."""
    rgb = image.convert("RGB")
    # A fresh image drops EXIF/ICC/comments the scanner may have written (names of operators, etc.).
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    draw = ImageDraw.Draw(clean)
    for box in boxes:
        draw.rectangle(_padded(box, clean.width, clean.height, pad), fill=(0, 0, 0))
    return clean


def burn_redactions(pages: list[Page], boxes: dict[int, list[BBox]], out_pdf: Path, *, dpi: int) -> None:
    """Write `out_pdf`: every page's image with its boxes (and `Page.redact_boxes`) filled.

    Pages without an image cannot be burned and raise RedactionError, so that an
    unmasked page never goes downstream by accident.
    """
    if not pages:
        raise RedactionError("no pages to redact")
    images: list[Image.Image] = []
    for page in pages:
        # The caller may pass Page.redact_boxes again; each box once.
        page_boxes = list(dict.fromkeys([*boxes.get(page.number, []), *page.redact_boxes]))
        if not has_image(page):
            raise RedactionError(f"page {page.number} has no page image to redact")
        # The page's file, or a scanned PDF's page rendered again (it was never written).
        try:
            image = open_page_image(page)
        except BadInputError as exc:
            raise RedactionError(f"page {page.number}: {exc}") from exc
        images.append(burn_page(image, page_boxes))
    resolution = float(pages[0].dpi or dpi)
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=resolution, quality=85)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_pdf.with_suffix(out_pdf.suffix + ".part")
    with pikepdf.open(io.BytesIO(buf.getvalue())) as pdf:
        strip_metadata(pdf)
        pdf.save(tmp, static_id=True, deterministic_id=False)
    tmp.replace(out_pdf)


def strip_metadata(pdf: pikepdf.Pdf) -> None:
    """Remove the document info dictionary, XMP and page-level metadata streams."""
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    if "/Metadata" in pdf.Root:
        del pdf.Root["/Metadata"]
    for page in pdf.pages:
        if "/Metadata" in page.obj:
            del page.obj["/Metadata"]
        if "/PieceInfo" in page.obj:
            del page.obj["/PieceInfo"]
