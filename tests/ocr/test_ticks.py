"""Tick boxes read from their shape: rendered boxes, OCR words as tesseract gives them."""

from __future__ import annotations

import numpy as np
import pytest
from ocr_pages import FONT
from PIL import Image, ImageDraw, ImageFont

from pilot_intake.models import Word

from extractors import layout, ticks

CHAR = 43  # px: 10.5 pt at 300 dpi


def _cell(text: str, *, speck_in_empty: bool = False) -> np.ndarray:
    img = Image.new("L", (600, 80), 255)
    ImageDraw.Draw(img).text((310, 15), text, font=ImageFont.truetype(FONT, CHAR), fill=0)
    bw = np.where(np.asarray(img) < 128, 0, 255).astype(np.uint8)
    if speck_in_empty:
        boxes = ticks.find_tick_boxes(bw, (300, 0, 600, 80), CHAR)
        empty = min(boxes, key=lambda b: b.fill).bbox
        cx, cy = (empty[0] + empty[2]) // 2, (empty[1] + empty[3]) // 2
        bw[cy - 2 : cy + 2, cx - 2 : cx + 2] = 0  # photocopy grain inside the empty box
    return bw


@pytest.mark.parametrize(("text", "ticked"), [("☑是 □否", 0), ("□是 ☑否", 1), ("☑有 □无", 0)])
def test_the_ticked_box_is_found_by_its_shape(text, ticked):
    boxes = ticks.find_tick_boxes(_cell(text), (300, 0, 600, 80), CHAR)
    assert len(boxes) == 2  # 是/否 and the 口 inside 否 are not boxes
    assert ticks.ticked_index(boxes) == ticked
    assert ticks.ticked_index(ticks.find_tick_boxes(_cell(text, speck_in_empty=True), (300, 0, 600, 80), CHAR)) == ticked


def test_no_decision_without_two_boxes_or_with_two_ticked():
    assert ticks.ticked_index(ticks.find_tick_boxes(_cell("是"), (300, 0, 600, 80), CHAR)) is None
    assert ticks.ticked_index(ticks.find_tick_boxes(_cell("☑是 ☑否"), (300, 0, 600, 80), CHAR)) is None


def _row_and_words(ocr: list[str]) -> tuple[list[layout.Row], list[Word]]:
    label = layout.CellText("是否制定中试技术路线图", 0.9, (0, 0, 290, 80))
    value = layout.CellText("".join(ocr), 0.2, (300, 0, 600, 80))
    words = [Word(text=t, bbox=(310 + 48 * i, 20, 352 + 48 * i, 66), conf=0.2) for i, t in enumerate(ocr)]
    return [layout.Row((label, value), ruled=True)], words


def test_mark_ticks_replaces_the_misread_boxes_by_the_answer():
    rows, words = _row_and_words(["口", "是", "因", "否"])  # tesseract's reading of □是 ☑否
    out, changed = ticks.mark_ticks(_cell("□是 ☑否"), words, rows)
    assert changed
    assert [(w.text, w.conf) for w in out] == [("□是 ☑否", ticks.TICK_CONF)]


def test_mark_ticks_leaves_cells_it_cannot_decide():
    rows, words = _row_and_words(["口", "是", "因", "在"])  # options not read as a pair
    assert ticks.mark_ticks(_cell("□是 ☑否"), words, rows) == (words, False)
    rows, words = _row_and_words(["是"])  # answered without boxes
    assert ticks.mark_ticks(_cell("是"), words, rows) == (words, False)


def test_boxes_are_found_when_the_character_height_comes_from_line_boxes():
    # RapidOCR's words are whole-line boxes, half as tall again as the glyphs.
    for text, ticked in (("☑是 □否", 0), ("□是 ☑否", 1)):
        boxes = ticks.find_tick_boxes(_cell(text), (300, 0, 600, 80), 1.5 * CHAR)
        assert ticks.ticked_index(boxes) == ticked
