"""The engine interface: tesseract always, RapidOCR when the [ppocr] extra is installed."""

from __future__ import annotations

import pytest
from ocr_pages import FONT
from PIL import Image, ImageDraw, ImageFont

from extractors import layout
from extractors.ocr import make_engine


@pytest.fixture(scope="module")
def line_image(tmp_path_factory):
    path = tmp_path_factory.mktemp("eng") / "line.png"
    img = Image.new("L", (900, 120), 255)
    ImageDraw.Draw(img).text((20, 30), "广东省先进陶瓷材料中试平台", font=ImageFont.truetype(FONT, 50), fill=0)
    img.save(path)
    return path


def test_tesseract_engine_gives_words_with_boxes_and_confidences(line_image, settings):
    words = make_engine("tesseract", tesseract_cmd=settings.tesseract_cmd, lang=settings.ocr_lang).read(line_image)
    assert layout.join_words(words).startswith("广东省先进")
    assert all(0 <= w.conf <= 1 and w.bbox[0] < w.bbox[2] <= 900 for w in words)
    # Boxes run left to right along the line.
    xs = [w.bbox[0] for w in sorted(words, key=lambda w: w.bbox[0])]
    assert xs[0] < 60 and xs[-1] > 500


def test_unknown_engine_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown OCR engine"):
        make_engine("abbyy")


def test_rapidocr_engine_reads_the_same_line(line_image):
    pytest.importorskip("rapidocr_onnxruntime")
    words = make_engine("rapidocr").read(line_image)
    assert layout.join_words(words) == "广东省先进陶瓷材料中试平台"
    # A whole text line is split into one word per character, boxes inside the line box.
    assert len(words) == 13 and all(0 <= w.bbox[0] < w.bbox[2] <= 900 for w in words)
    assert [w.bbox[0] for w in words] == sorted(w.bbox[0] for w in words)
