"""Page images for the redaction tests: text drawn with a CJK font, read back with tesseract."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from pilot_intake.models import Page

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DPI = 200


def render_lines(lines: list[str], path: Path, *, size: int = 40, pnginfo=None) -> Path:
    font = ImageFont.truetype(FONT, size)
    im = Image.new("RGB", (1700, 140 + len(lines) * 95), "white")
    draw = ImageDraw.Draw(im)
    for i, line in enumerate(lines):
        draw.text((120, 80 + i * 95), line, fill="black", font=font)
    im.save(path, dpi=(DPI, DPI), pnginfo=pnginfo)
    return path


def ocr_page(image: Path, number: int = 1) -> Page:
    from extractors.ocr import TesseractEngine  # the pipeline's own OCR engine

    with Image.open(image) as im:
        width, height = im.size
    words = TesseractEngine().read(image, DPI)
    return Page(number=number, width=width, height=height, dpi=DPI, image_path=image, words=words)
