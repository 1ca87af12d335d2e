"""A scanned page's original image, wherever it lives: a file, or a page of the source PDF.

A PDF page is rendered for OCR and its pixels let go; it is not written to a PNG,
which cost more than rendering it again (0.41 vs 0.11 CPU s for a 300-dpi A4 page,
docs/ocr-speed.md). The seal check and the burned-in redaction render it again
when they need it, from `Page.pdf_page`.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from pilot_intake.errors import BadInputError
from pilot_intake.models import Page, QuarantineReason

# pdfium is not thread-safe even across different documents, and the flow reads
# files in parallel threads: every pdfium call of the extractors holds this lock.
# (A lock, not data: the one piece of module state here, on purpose.)
PDFIUM_LOCK = threading.Lock()


def render_pdf_page(pdf: Path, index: int, dpi: int) -> Image.Image:
    """Page `index` (0-based) of `pdf` at `dpi`, as a PIL image (RGB or L)."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(str(pdf))
        except pdfium.PdfiumError as exc:
            raise BadInputError(QuarantineReason.UNREADABLE, f"the PDF cannot be opened: {exc}") from exc
        try:
            page = doc[index]
            try:
                return page.render(scale=dpi / 72).to_pil()
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            raise BadInputError(QuarantineReason.UNREADABLE, f"page {index + 1} cannot be rendered: {exc}") from exc
        finally:
            doc.close()


def has_image(page: Page) -> bool:
    return page.image_path is not None or page.pdf_page is not None


def _describe(page: Page) -> str:
    if page.image_path is not None:
        return Path(page.image_path).name
    return f"page {page.number} of {Path(page.pdf_page[0]).name}" if page.pdf_page else f"page {page.number}"


def open_page_image(page: Page) -> Image.Image:
    """The page's original image (loaded; the caller owns it). BadInputError if it cannot be had."""
    if page.image_path is not None:
        try:
            with Image.open(page.image_path) as im:
                im.load()
                return im.copy()
        except (OSError, ValueError) as exc:
            raise BadInputError(QuarantineReason.UNREADABLE,
                                f"page image {_describe(page)} cannot be read: {exc}") from exc
    if page.pdf_page is not None:
        pdf, index = page.pdf_page
        return render_pdf_page(Path(pdf), index, page.dpi or 300)
    raise BadInputError(QuarantineReason.UNREADABLE, f"page {page.number} has no image")


def page_pixels(page: Page) -> np.ndarray:
    """The page's original image as BGR or gray uint8 (alpha dropped, 16-bit scaled)."""
    if page.image_path is not None:
        img = cv2.imread(str(page.image_path), cv2.IMREAD_UNCHANGED)
        if img is None:
            raise BadInputError(QuarantineReason.UNREADABLE, f"page image {_describe(page)} cannot be decoded")
        if img.dtype != np.uint8:
            img = (img / max(1, int(img.max())) * 255).astype(np.uint8)
        if img.ndim == 3 and img.shape[2] == 4:
            img = img[..., :3]
        return img
    rgb = np.asarray(open_page_image(page))
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR) if rgb.ndim == 3 else rgb
