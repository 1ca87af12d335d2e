"""The form's printed labels: read once per batch, recognised by their ink afterwards.

A province's information sheets are one official form: every page carries the same
labels (`平台名称`, `中试设备或设施原值（万元）`, the equipment table's headings), and
they are about half of the text tesseract reads on a page (docs/ocr-speed.md). The
label cells of the first pages are learned; later cells whose ink is the same picture
get that reading back, and are blanked (all but their last character) out of the
image the page pass reads.

"The same picture" is strict on purpose: the ink's bounding box must have the same
size, and in every character-wide window the ink of either crop must lie within one
pixel of the other's, but for a few per cent. A one-character difference (`万元` and
`亿元`) fails its window; a noisy scan whose label edges moved fails too, and is
simply read again. Only cells the layout takes for a label or column heading are
learned; it is the picture test that guarantees a recalled cell shows what was read.

Values are read as before, but tesseract reads a line as a whole, so a value beside a
blanked label can come out differently (either way). On the evaluation sets the field
accuracy and the count of right values flagged stayed the same overall (docs/ocr-speed.md);
`Settings.recall_labels` turns it off.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from extractors import labels, layout
from pilot_intake.models import Word

# Ink of one crop not within a pixel of the other's, as a share of the window's ink.
MAX_MISS_WINDOW = 0.06
MAX_MISS_TOTAL = 0.03
# Cells are cut this far inside their rules (prepared pixels): rule remnants stay out.
INSET = 4
# A batch has one or two forms; more entries than this means something else is going on.
MAX_ENTRIES = 512
# Learning stops once this many labels are known, or after this many pages.
ENOUGH_LABELS = 6
MAX_LEARNING_PAGES = 3

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class _Entry:
    dpi: int
    ink: np.ndarray  # bool, the ink's bounding box
    words: tuple[Word, ...]  # boxes relative to the ink box's top left


@dataclass(frozen=True)
class Recalled:
    """A cell recognised as a learned label: its words, placed on this page."""

    cell: int
    words: tuple[Word, ...]
    ink: tuple[int, int, int, int]  # the label's ink box on this page (x0, y0, x1, y1)


def _ink(image: np.ndarray, cell: Box) -> tuple[np.ndarray, int, int] | None:
    """The cell's ink (bool, cropped to its bounding box) and the box's top left on the page."""
    x0, y0, x1, y1 = (int(v) for v in cell)
    x0, y0, x1, y1 = x0 + INSET, y0 + INSET, x1 - INSET, y1 - INSET
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    mask = image[y0:y1, x0:x1] < 128
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    mask = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return mask, x0 + int(cols[0]), y0 + int(rows[0])


def _close_size(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return abs(a[0] - b[0]) <= max(2, 0.03 * a[0]) and abs(a[1] - b[1]) <= max(3, 0.015 * a[1])


def same_print(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two ink crops (bool) show the same print, up to a pixel of edge jitter."""
    if not _close_size(a.shape, b.shape):
        return False
    if b.shape != a.shape:
        b = cv2.resize(b.astype(np.uint8), (a.shape[1], a.shape[0]), interpolation=cv2.INTER_NEAREST).astype(bool)
    k = np.ones((3, 3), np.uint8)
    da = cv2.dilate(a.astype(np.uint8), k).astype(bool)
    db = cv2.dilate(b.astype(np.uint8), k).astype(bool)
    miss = ((a & ~db) | (b & ~da)).sum(axis=0)
    ink = (a | b).sum(axis=0)
    if miss.sum() > MAX_MISS_TOTAL * max(int(ink.sum()), 1):
        return False
    # Windows one line high wide (about a character), half overlapping.
    win = max(8, a.shape[0])
    cm, ci = np.concatenate(([0], np.cumsum(miss))), np.concatenate(([0], np.cumsum(ink)))
    width = a.shape[1]
    starts = list(range(0, max(width - win, 0) + 1, max(1, win // 2)))
    if starts[-1] + win < width:
        starts.append(width - win)
    for s in starts:
        e = min(width, s + win)
        if cm[e] - cm[s] > MAX_MISS_WINDOW * max(int(ci[e] - ci[s]), 1):
            return False
    return True


def _words_cover(words: tuple[Word, ...], shape: tuple[int, int]) -> bool:
    """Whether the words (boxes relative to the ink box) span the ink, within a character."""
    tol = max(w.bbox[3] - w.bbox[1] for w in words)
    x0, y0 = min(w.bbox[0] for w in words), min(w.bbox[1] for w in words)
    x1, y1 = max(w.bbox[2] for w in words), max(w.bbox[3] for w in words)
    return x0 <= tol and y0 <= tol and shape[1] - x1 <= tol and shape[0] - y1 <= tol


class PrintedLabels:
    """Label cells learned from the first pages read, shared by the pages (and threads) of a batch.

    Learning happens on the first pages only, and callers make what a page recalls
    independent of thread timing, so a rerun gives the same records: the batch flow
    reads its first scans one at a time, in path order; `scan.extract_scan` reads a
    document's first pages in waves, one page per worker, whose labels are found
    while they are read (`found`) and learned after the wave, in page order (`add`).
    After `ENOUGH_LABELS` labels or `MAX_LEARNING_PAGES` pages it stops (`learning`
    turns False) and the rest is read in parallel, recalling only.
    """

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._lock = threading.Lock()
        self._pages = 0
        self._frozen = False
        self.recalled = 0  # cells given back instead of read (for the bench and the log)

    @property
    def learning(self) -> bool:
        with self._lock:
            return not self._frozen

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def recall(self, image: np.ndarray, cells: list[Box], dpi: int) -> list[Recalled]:
        """The cells of `image` (prepared pixels) that show a learned label, with its words placed."""
        with self._lock:
            entries = [e for e in self._entries if e.dpi == dpi]
        if not entries:
            return []
        out = []
        for i, cell in enumerate(cells):
            got = _ink(image, cell)
            if got is None:
                continue
            ink, x, y = got
            entry = next((e for e in entries if same_print(e.ink, ink)), None)
            if entry is None:
                continue
            sx, sy = ink.shape[1] / entry.ink.shape[1], ink.shape[0] / entry.ink.shape[0]
            words = tuple(
                w.model_copy(update={"bbox": (x + w.bbox[0] * sx, y + w.bbox[1] * sy,
                                              x + w.bbox[2] * sx, y + w.bbox[3] * sy)})
                for w in entry.words
            )
            out.append(Recalled(i, words, (x, y, x + ink.shape[1], y + ink.shape[0])))
        with self._lock:
            self.recalled += len(out)
        return out

    def learn(self, image: np.ndarray, cells: list[Box], words: list[Word], dpi: int, *,
              skip: set[int] | frozenset[int] = frozenset()) -> int:
        """Learn the label cells of a read page (not those in `skip`); how many were new."""
        if not self.learning:
            return 0
        return self.add(self.found(image, cells, words, dpi, skip=skip))

    def found(self, image: np.ndarray, cells: list[Box], words: list[Word], dpi: int, *,
              skip: set[int] | frozenset[int] = frozenset()) -> tuple[_Entry, ...]:
        """The label cells of a read page (not those in `skip`), to `add` later; nothing is learned yet."""
        per_cell, _ = layout.assign_to_cells(words, cells)
        new = []
        for i, (cell, ws) in enumerate(zip(cells, per_cell)):
            if i in skip or not ws:
                continue
            text = layout.join_words(ws)
            # A label as the layout will take it (even misread a little: the same picture
            # would be misread the same way); digits and masks belong to values.
            if not labels.is_heading(text) or any(c.isdigit() or c == "*" for c in text):
                continue
            got = _ink(image, cell)
            if got is None:
                continue
            ink, x, y = got
            rel = tuple(w.model_copy(update={"bbox": (w.bbox[0] - x, w.bbox[1] - y, w.bbox[2] - x, w.bbox[3] - y)})
                        for w in ws)
            if not _words_cover(rel, ink.shape):
                continue  # ink the reading does not account for (a value left unread): not a label to copy
            new.append(_Entry(dpi, ink, rel))
        return tuple(new)

    def add(self, found: tuple[_Entry, ...]) -> int:
        """Learn one page's `found` labels (pages in their order); how many were new."""
        added = 0
        with self._lock:
            if self._frozen:
                return 0
            for entry in found:
                if len(self._entries) >= MAX_ENTRIES:
                    break
                if any(e.dpi == entry.dpi and same_print(e.ink, entry.ink) for e in self._entries):
                    continue
                self._entries.append(entry)
                added += 1
            self._pages += 1
            self._frozen = len(self._entries) >= ENOUGH_LABELS or self._pages >= MAX_LEARNING_PAGES
        return added


def blank_labels(image: np.ndarray, recalled: list[Recalled]) -> np.ndarray:
    """A copy of `image` with the recalled labels' ink made white, but for their last character.

    The last character stays so that the value beside it is read in the same line
    as before: blanked whole, short values alone on their line were read worse
    (masked names `马*` lost their asterisk; docs/ocr-speed.md). Its reading is
    dropped by the caller in favour of the recalled words.
    """
    out = image.copy()
    for r in recalled:
        x0, y0, x1, y1 = r.ink
        keep = min(x1 - x0, y1 - y0)  # about one character: the ink is a line high
        out[y0:y1, x0 : x1 - keep] = 255
    return out
