"""Tick boxes (`☑是 □否`) read from their shape, not from the OCR text.

chi_sim has no good model of ☑ and □: it reads them as 因, 口, 办, 四, ... with low
confidence, so every yes/no answer given with boxes came out unsure even when the
options after them were read right. The boxes themselves are easy to see: two
squares about a character high, one with ink inside. Where the shape says which box
is ticked and OCR read the two options, the cell's words are replaced by the
answer as printed (`☑是 □否`) with the confidence of the shape reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pilot_intake.models import Word

from extractors import layout
from extractors.labels import FIELD_SPECS_BY_KEY, FieldType, match_label
from extractors.pageprep import components

# A ticked box has at least this share of ink inside its frame; the other box at most
# EMPTY_RATIO of the ticked one's (photocopy grain or a speck must not decide).
TICKED_MIN_FILL = 0.08
EMPTY_RATIO = 0.35
# Confidence of an answer read from two boxes of which exactly one is clearly ticked.
TICK_CONF = 0.95
_PAIRS = ({"是", "否"}, {"有", "无"})


@dataclass(frozen=True)
class TickBox:
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 in the image
    fill: float  # share of ink inside the frame


def find_tick_boxes(bw: np.ndarray, box: tuple[float, float, float, float], char_h: float) -> list[TickBox]:
    """Square frames about a character high inside `box` of a black-on-white image, left to right.

    A frame is a blob whose bounding box is square and whose four sides are
    (mostly) inked: 是, 否 and 口 inside 否 are not, or are too small.
    """
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, y0 = max(0, x0), max(0, y0)
    crop = bw[y0:y1, x0:x1]
    if crop.size == 0 or char_h <= 0:
        return []
    ink = crop == 0
    n, labels, stats, _ = components(ink.astype(np.uint8))
    out = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        # `char_h` may be a line box's height (RapidOCR's words): taller than the glyphs.
        if not (0.4 * char_h <= h <= 1.3 * char_h and 0.4 * char_h <= w <= 1.3 * char_h):
            continue
        if abs(w - h) > 0.3 * max(w, h):  # Noto draws ☑ taller (44×35 px) than □
            continue
        comp = labels[y : y + h, x : x + w] == i
        s = max(2, int(round(0.08 * w)))  # a side's strip: the frame's stroke with some slack
        sides = (comp[:s, :], comp[-s:, :], comp[:, :s], comp[:, -s:])
        if min(float(side.any(axis=0 if k < 2 else 1).mean()) for k, side in enumerate(sides)) < 0.8:
            continue
        m = max(s + 1, int(round(0.2 * w)))  # inside the frame, clear of its stroke
        inner = ink[y + m : y + h - m, x + m : x + w - m]
        if inner.size == 0:
            continue
        out.append(TickBox((int(x + x0), int(y + y0), int(x + x0 + w), int(y + y0 + h)), float(inner.mean())))
    return sorted(out, key=lambda b: b.bbox[0])


def _size(b: TickBox) -> int:
    return b.bbox[2] - b.bbox[0]  # the width: ☑ and □ share it, ☑ is drawn taller


def ticked_index(boxes: list[TickBox]) -> int | None:
    """Which of the two answer boxes is ticked, when one clearly is and the other clearly is not.

    The answer boxes are the two largest frames, of about one size; a smaller frame
    (the 口 inside 否) is not one, and a third frame of their size makes it unclear.
    """
    if len(boxes) < 2:
        return None
    big = sorted(boxes, key=_size, reverse=True)
    a, b = _size(big[0]), _size(big[1])
    if b < 0.8 * a or (len(big) > 2 and _size(big[2]) >= 0.8 * b):
        return None
    boxes = sorted(big[:2], key=lambda t: t.bbox[0])
    fills = [b.fill for b in boxes]
    k = int(np.argmax(fills))
    if fills[k] < TICKED_MIN_FILL or fills[1 - k] > EMPTY_RATIO * fills[k]:
        return None
    return k


def _options(text: str) -> list[str]:
    return [c for c in text if any(c in pair for pair in _PAIRS)]


def mark_ticks(image: Path | np.ndarray, words: list[Word], rows: list[layout.Row]) -> tuple[list[Word], bool]:
    """Replace the OCR words of yes/no cells answered with tick boxes by the answer the boxes show.

    `image` is the black-on-white OCR image (or its file, read only if a cell
    needs it); words and rows are in its pixels. Only cells beside a yes/no
    label are looked at, and only changed when there are exactly two boxes, one
    clearly ticked, and OCR read a matching pair of options (是/否 or 有/无) in
    them; otherwise the OCR reading stays as it was.
    """
    changed = False
    bw = image if isinstance(image, np.ndarray) else None
    for row in rows:
        cells = [c for c in row.cells if c.text]
        for label, value in zip(cells, cells[1:]):
            key = match_label(label.text)
            spec = FIELD_SPECS_BY_KEY.get(key or "")
            if spec is None or spec.type != FieldType.BOOL:
                continue
            inside = [w for w in words if _centre_in(w.bbox, value.bbox)]
            options = _options(layout.join_words(inside))
            if len(options) != 2 or set(options) not in _PAIRS:
                continue
            heights = [w.bbox[3] - w.bbox[1] for w in inside if any(c in "是否有无" for c in w.text)]
            if not heights:
                continue
            if bw is None:
                bw = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
            k = ticked_index(find_tick_boxes(bw, value.bbox, float(np.median(heights))))
            if k is None:
                continue
            text = " ".join(("☑" if j == k else "□") + opt for j, opt in enumerate(options))
            ids = {id(w) for w in inside}
            box = layout.union([w.bbox for w in inside])
            words = [w for w in words if id(w) not in ids] + [Word(text=text, bbox=box, conf=TICK_CONF)]
            changed = True
    return words, changed


def _centre_in(b: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]
