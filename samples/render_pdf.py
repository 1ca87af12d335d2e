"""PDF writers: born-digital sheets (text layer) and image-only scans.

reportlab cannot embed CFF-outline fonts such as Noto CJK, so born-digital PDFs
embed WenQuanYi Zen Hei (TrueType outlines, TTC member 0). `invariant=1` fixes
the creation date and document ID, so the same input gives the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from PIL import Image
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from samples.layout import DocLayout, Line, Text

PDF_FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
PDF_FONT = "WQYZenHei"


def _register_font() -> str:
    # Registration is idempotent per process; reportlab keeps its own registry.
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        if not Path(PDF_FONT_FILE).exists():
            raise FileNotFoundError(f"{PDF_FONT_FILE} is missing — apt-get install fonts-wqy-zenhei")
        pdfmetrics.registerFont(TTFont(PDF_FONT, PDF_FONT_FILE, subfontIndex=0))
    return PDF_FONT


def write_layout_pdf(path: Path, layout: DocLayout, *, title: str = "") -> None:
    """A born-digital PDF of `layout`: real text, ruled lines, no images."""
    font = _register_font()
    c = canvas.Canvas(str(path), invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("")
    c.setCreator("")
    c.setProducer("")
    for page in layout.pages:
        w, h = page.size
        c.setPageSize((w * mm, h * mm))
        for op in page.ops:
            if isinstance(op, Line):
                c.setLineWidth(op.width * mm)
                c.line(op.x0 * mm, (h - op.y0) * mm, op.x1 * mm, (h - op.y1) * mm)
            elif isinstance(op, Text):
                c.setFont(font, op.size)
                y = (h - op.y) * mm
                if op.bold:
                    # A single-weight face: fake bold with a stroked outline.
                    t = c.beginText()
                    t.setTextRenderMode(2)
                    c.setLineWidth(0.35)
                    t.setFont(font, op.size)
                    x = op.x * mm - (pdfmetrics.stringWidth(op.text, font, op.size) / 2 if op.align == "center" else 0)
                    t.setTextOrigin(x, y)
                    t.textOut(op.text)
                    c.drawText(t)
                elif op.align == "center":
                    c.drawCentredString(op.x * mm, y, op.text)
                else:
                    c.drawString(op.x * mm, y, op.text)
        c.showPage()
    c.save()


def write_image_pdf(path: Path, pages: list[Image.Image], *, jpeg_quality: int = 75) -> None:
    """An image-only PDF (no text layer): each page image, JPEG-embedded, fills one page.

    The page size follows the image's dpi (img.info["dpi"], default 300).
    """
    c = canvas.Canvas(str(path), invariant=1, pageCompression=1)
    c.setCreator("")
    c.setProducer("")
    for img in pages:
        dpi = int(round(img.info.get("dpi", (300, 300))[0]))
        w_pt, h_pt = img.width * 72 / dpi, img.height * 72 / dpi
        # An in-memory JPEG: reportlab passes its DCT data through instead of re-encoding
        # pixels, and names the XObject by content (a file path would leak into the name).
        data = jpeg_bytes(img.convert("L" if img.mode in ("L", "1") else "RGB"), jpeg_quality, dpi=dpi)
        c.setPageSize((w_pt, h_pt))
        c.drawImage(ImageReader(io.BytesIO(data)), 0, 0, width=w_pt, height=h_pt)
        c.showPage()
    c.save()


def encrypt_pdf(src: Path, dst: Path, *, user_password: str, owner_password: str) -> None:
    """A copy of `src` that needs `user_password` to open.

    RC4 (R=4, aes=False, metadata=False) rather than AES: AES draws a random IV per string, which would
    make the bytes differ from run to run.
    """
    with pikepdf.open(src) as pdf:
        pdf.save(dst, encryption=pikepdf.Encryption(user=user_password, owner=owner_password, R=4, aes=False, metadata=False),
                 static_id=True, deterministic_id=False)


def pdf_text(path: Path) -> str:
    """All text pdfplumber extracts, pages joined by newlines (used by tests and checks)."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def jpeg_bytes(img: Image.Image, quality: int, *, dpi: int | None = None) -> bytes:
    buf = io.BytesIO()
    dpi = dpi or int(round(img.info.get("dpi", (300, 300))[0]))
    img.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi))
    return buf.getvalue()
