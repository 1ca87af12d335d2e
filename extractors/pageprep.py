"""Page preparation for OCR: orientation, deskew, resolution, red-ink dropout, table lines.

The original page image is never modified: it stays the page's `image_path`
(seal detection and redaction need the red and the true pixels). Preparation
makes a new image for OCR (kept in memory; written to a file only on request) and
returns the affine map between the two, so every box read on the prepared image can
be mapped back to original-page pixels.

Each step is a plain function on a numpy image so it can be tested alone on a
synthetic page with a known transform; `prepare_page` chains them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from extractors import tesseract

# Tesseract's LSTM models read best with body text ~25–40 px high, i.e. 10.5 pt at
# ~300 dpi; lower resolutions are scaled up to this, higher ones left alone.
TARGET_DPI = 300
MIN_DPI_TO_SCALE = 250
# A4 long side in inches: used to guess the dpi of an image without metadata.
A4_LONG_IN = 11.69
MAX_SKEW_DEG = 5.0
# OSD below this confidence is a guess; a 180° turn on a guess would ruin a good page.
OSD_MIN_CONF = 1.5
# Intermediate images are read once, right away: compress them little (PNG level 1
# writes a 300-dpi page ~4× faster than the default and is still lossless).
FAST_PNG = [cv2.IMWRITE_PNG_COMPRESSION, 1]
# Table rules are much longer than any stroke of a character (body text ~3.6 mm).
HLINE_MIN_MM = 15.0
VLINE_MIN_MM = 7.0


def components(mask: np.ndarray, connectivity: int = 8) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """`cv2.connectedComponentsWithStats`, with 16-bit labels while they suffice.

    With 16-bit labels OpenCV runs its Spaghetti labelling, about 2.5× faster on a
    300-dpi page (8-connected: 57 → 21 ms) with the same labels and stats; a page of
    speckle can have more groups than 16 bits hold, and OpenCV then raises.
    """
    try:
        return cv2.connectedComponentsWithStats(mask, connectivity=connectivity, ltype=cv2.CV_16U)
    except cv2.error:
        return cv2.connectedComponentsWithStats(mask, connectivity=connectivity, ltype=cv2.CV_32S)


@dataclass(frozen=True)
class Affine:
    """A 2×3 affine map from original-page pixels to prepared-image pixels."""

    m: tuple[tuple[float, float, float], tuple[float, float, float]]

    @staticmethod
    def identity() -> "Affine":
        return Affine(((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)))

    def matrix(self) -> np.ndarray:
        return np.array(self.m, dtype=np.float64)

    def then(self, nxt: np.ndarray) -> "Affine":
        """This map followed by `nxt` (a 2×3 matrix)."""
        a = np.vstack([self.matrix(), [0, 0, 1]])
        b = np.vstack([np.asarray(nxt, dtype=np.float64), [0, 0, 1]])
        c = b @ a
        return Affine((tuple(c[0]), tuple(c[1])))  # type: ignore[arg-type]

    def inverse(self) -> "Affine":
        inv = cv2.invertAffineTransform(self.matrix())
        return Affine((tuple(inv[0]), tuple(inv[1])))  # type: ignore[arg-type]

    def map_box(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """Map a box's four corners and return their bounding box."""
        x0, y0, x1, y1 = box
        pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64)
        out = pts @ self.matrix().T
        return (
            float(out[:, 0].min()),
            float(out[:, 1].min()),
            float(out[:, 0].max()),
            float(out[:, 1].max()),
        )


@dataclass(frozen=True)
class Cell:
    """A table cell found from the ruling lines (prepared-image pixels)."""

    bbox: tuple[int, int, int, int]


@dataclass(frozen=True)
class PreparedPage:
    """What OCR needs: the prepared image (file and/or pixels), its dpi, the map back, and table cells."""

    original: Path
    ocr_image: Path  # written only when prepare_page was asked to (write=True)
    dpi: int  # of the prepared image
    original_dpi: int
    to_prepared: Affine  # original → prepared
    rotation: int  # degrees clockwise applied (0, 90, 180, 270)
    skew: float  # degrees corrected
    seal_dropped: bool  # red ink dropped out, or a gray seal lightened
    cells: tuple[Cell, ...]
    width: int  # original image size
    height: int
    pixels: np.ndarray | None = field(default=None, repr=False, compare=False)  # the prepared image, gray

    def image(self) -> np.ndarray:
        """The prepared image's pixels (decoded from its file when they were not kept)."""
        if self.pixels is not None:
            return self.pixels
        img = cv2.imread(str(self.ocr_image), cv2.IMREAD_GRAYSCALE)
        if img is None:
            raise ValueError(f"the prepared image {self.ocr_image.name} cannot be read")
        return img


# --- single steps ---------------------------------------------------------


def guess_dpi(width: int, height: int, declared: int | None) -> int:
    """The image's dpi: declared when plausible, else assume an A4 page."""
    if declared and 72 <= declared <= 1200:
        guessed = max(width, height) / A4_LONG_IN
        # Phone photos and some scanners declare 72/96 dpi for 300-dpi pixels.
        if declared >= 100 or guessed < 130:
            return int(declared)
    return int(round(max(width, height) / A4_LONG_IN))


def red_mask(bgr: np.ndarray) -> np.ndarray:
    """Pixels of red ink (seal, red print): strong red hue, saturated."""
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    # Hue ≤ 12 or ≥ 165, saturation ≥ 70, value ≥ 80; inRange does it in one pass per range
    # (40 ms less a 300-dpi page than the same test in numpy, same mask).
    return cv2.inRange(hsv, (0, 70, 80), (12, 255, 255)) | cv2.inRange(hsv, (165, 70, 80), (180, 255, 255))


def drop_red(bgr: np.ndarray) -> tuple[np.ndarray, bool]:
    """Grayscale for OCR with red ink dropped out; also whether any red was there.

    The red channel sees red ink as almost white and black text as black, so
    black digits printed under a seal stay while the seal's red disappears.
    """
    if bgr.ndim == 2:
        return bgr, False
    mask = red_mask(bgr)
    if int(np.count_nonzero(mask)) < 0.0005 * mask.size:
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), False
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    red = bgr[..., 2]
    # Outside red areas keep true gray (blue/green ink would vanish in the red channel).
    near_red = cv2.dilate(mask, np.ones((7, 7), np.uint8)) > 0
    out = gray.copy()
    # JPEG halves colour resolution: a seal's edges turn brownish and only
    # half-light in the red channel; black print stays far below this level.
    out[near_red] = np.where(red[near_red] > 120, 255, red[near_red])
    return out, True


def drop_gray_seal(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, bool]:
    """On a grayscale scan, lighten a seal's mid-gray ink where it covers black text.

    A red seal scanned in gray is a mid-gray (≈ 90–140) against black print
    (< 60): a second Otsu split inside the ink separates the two. Only areas
    dense in mid-gray (a seal, ≥ 1 cm across) are lightened; elsewhere the
    anti-aliased edges of characters are left alone.
    """
    t1, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = gray[gray <= t1]
    if ink.size < 1000:
        return gray, False
    t2, _ = cv2.threshold(ink.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    dark, mid = ink[ink < t2], ink[ink >= t2]
    if dark.size == 0 or mid.size < 0.2 * ink.size or float(mid.mean()) - float(dark.mean()) < 50:
        return gray, False
    mid_mask = ((gray >= t2) & (gray <= t1)).astype(np.float32)
    win = max(5, int(5 * dpi / 25.4))
    density = cv2.boxFilter(mid_mask, -1, (win, win))
    seal_area = density > 0.2
    if np.count_nonzero(seal_area) < (10 * dpi / 25.4) ** 2:
        return gray, False
    seal_area = cv2.dilate(seal_area.astype(np.uint8), np.ones((win, win), np.uint8)) > 0
    out = gray.copy()
    out[seal_area & (gray >= t2)] = 255
    return out, True


def despeckle(bw: np.ndarray, dpi: int) -> np.ndarray:
    """Remove isolated specks (photocopy grain, seal remnants) smaller than a printed full stop.

    A 10.5 pt full stop at 300 dpi is ≈ 4×4 px; specks of up to 8 px go.
    """
    limit = max(2, int(8 * (dpi / 300) ** 2))
    n, labels, stats, _ = components(255 - bw)
    small = np.where(stats[:, cv2.CC_STAT_AREA] <= limit)[0]
    small = small[small != 0]
    if small.size == 0:
        return bw
    out = bw.copy()
    out[np.isin(labels, small)] = 255
    return out


def binarize(gray: np.ndarray) -> np.ndarray:
    """Black text on white: light denoise, then Otsu (photocopy grain and JPEG ringing go)."""
    den = cv2.medianBlur(gray, 3)
    _, bw = cv2.threshold(den, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return bw


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Ink mask (255 = ink) robust to uneven background."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def rotate_quarter_turns(img: np.ndarray, degrees: int) -> tuple[np.ndarray, np.ndarray]:
    """Rotate clockwise by 0/90/180/270 degrees; return the image and its 2×3 map."""
    h, w = img.shape[:2]
    d = degrees % 360
    if d == 0:
        return img, np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float64)
    if d == 90:
        # (x, y) → (h-1-y, x)
        return cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE), np.array([[0, -1, h - 1], [1, 0, 0]], dtype=np.float64)
    if d == 180:
        return cv2.rotate(img, cv2.ROTATE_180), np.array([[-1, 0, w - 1], [0, -1, h - 1]], dtype=np.float64)
    if d == 270:
        return cv2.rotate(img, cv2.ROTATE_90_COUNTERCLOCKWISE), np.array([[0, 1, 0], [-1, 0, w - 1]], dtype=np.float64)
    raise ValueError(f"not a quarter turn: {degrees}")


def text_is_vertical(gray: np.ndarray) -> bool:
    """True when text lines run top-to-bottom (page turned by 90°/270°).

    Smearing ink along the text direction merges each line into one long thin
    blob; smearing across it does not. Compare how much ink ends up in blobs
    elongated along rows versus along columns.
    """
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    ink = ink_mask(small)

    def elongated(kernel: np.ndarray, along_x: bool) -> int:
        n, _, stats, _ = components(cv2.dilate(ink, kernel))
        total = 0
        for x, y, w, h, area in stats[1:]:
            long_, short = (w, h) if along_x else (h, w)
            if long_ >= 4 * short and short >= 3:  # a text line, not a 1-px table rule
                total += int(area)
        return total

    rows = elongated(np.ones((1, 7), np.uint8), along_x=True)
    cols = elongated(np.ones((7, 1), np.uint8), along_x=False)
    return cols > 1.5 * rows


def estimate_skew(gray: np.ndarray, max_deg: float = MAX_SKEW_DEG) -> float:
    """Skew angle in degrees (positive = text rises to the right... corrected by rotating by it).

    Projection-profile search: the angle that makes the row sums of ink most
    peaked is the one where text lines are horizontal. Run on a reduced image.
    """
    scale = 800.0 / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    ink = ink_mask(small).astype(np.float32)
    h, w = ink.shape
    centre = (w / 2, h / 2)

    def score(angle: float) -> float:
        rot = cv2.getRotationMatrix2D(centre, angle, 1.0)
        turned = cv2.warpAffine(ink, rot, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        prof = turned.sum(axis=1)
        return float(np.sum(np.diff(prof) ** 2))

    best, best_score = 0.0, score(0.0)
    for step, span in ((0.5, max_deg), (0.1, 0.5), (0.025, 0.1)):
        centre_angle = best
        n = int(round(span / step))
        for k in range(-n, n + 1):
            a = centre_angle + k * step
            if k == 0 or abs(a) > max_deg:
                continue
            s = score(a)
            if s > best_score:
                best, best_score = a, s
    return round(best, 3)


def rotate_by(img: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate counter-clockwise by `angle` degrees about the centre, keeping the size."""
    h, w = img.shape[:2]
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = 255 if img.ndim == 2 else (255, 255, 255)
    out = cv2.warpAffine(img, rot, (w, h), flags=cv2.INTER_CUBIC, borderValue=border)
    return out, rot


def scale_to_dpi(img: np.ndarray, dpi: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Scale a low-resolution page up to TARGET_DPI; leave others alone."""
    if dpi >= MIN_DPI_TO_SCALE:
        return img, np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float64), dpi
    f = TARGET_DPI / dpi
    out = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    return out, np.array([[f, 0, 0], [0, f, 0]], dtype=np.float64), TARGET_DPI


@dataclass(frozen=True)
class TableLines:
    horizontal: np.ndarray  # masks, 255 = rule
    vertical: np.ndarray

    def all(self) -> np.ndarray:
        return cv2.bitwise_or(self.horizontal, self.vertical)


def table_lines(bw: np.ndarray, dpi: int) -> TableLines:
    """Masks of long horizontal and vertical rules in a black-on-white image."""
    ink = 255 - bw
    mm = dpi / 25.4
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(10, int(HLINE_MIN_MM * mm)), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(10, int(VLINE_MIN_MM * mm))))
    # A small vertical close first bridges JPEG/photocopy breaks in thin rules.
    horiz = cv2.morphologyEx(cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, 5), np.uint8)), cv2.MORPH_OPEN, hk)
    vert = cv2.morphologyEx(cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((5, 1), np.uint8)), cv2.MORPH_OPEN, vk)
    return TableLines(horiz, vert)


# Pieces of one streak (broken by text, rules and JPEG) lie up to this far apart.
STREAK_JOIN_MM = 40.0


@dataclass(frozen=True)
class Streak:
    """One photocopier streak: its box and which pixels of the line mask inside the box are it."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1
    pixels: np.ndarray  # bool, the box's size


def find_streaks(mask: np.ndarray, dpi: int, *, vertical: bool) -> list[Streak]:
    """Photocopier streaks among the lines of one direction (a mask, 255 = line).

    A table sits inside the page margins; a line that runs into the top or
    bottom margin (or the left or right one, for horizontal lines) is a streak
    from the glass or the drum. Text and rules break a streak into pieces, and
    after deskew it runs a little aslant, so pieces in line with each other
    (a few px of slack) are joined first, on a quarter-size copy to keep it
    cheap; the joined line is a streak when any part of it reaches a margin.
    """
    f = 4
    h, w = mask.shape
    sw, sh = max(1, w // f), max(1, h // f)
    small = cv2.resize(mask, (sw, sh), interpolation=cv2.INTER_AREA)
    if not small.any():
        return []
    join = max(3, int(STREAK_JOIN_MM * dpi / 25.4 / f))
    on = (small > 0).astype(np.uint8)
    # Pieces are grouped by growing them along the line (± 2 px across, for the slant);
    # the group's extent is that of its pieces, not of the grown area.
    grown = cv2.dilate(on, np.ones((join, 5) if vertical else (5, join), np.uint8))
    n, labels, stats, _ = components(grown)
    margin = 8 * dpi / 25.4
    out = []
    for i in range(1, n):
        gx, gy, gw, gh = (int(v) for v in stats[i, :4])
        # The grown group spans its pieces: one that stays clear of the margins is no streak
        # (most lines of a page; their pixels are never looked at).
        if not ((vertical and (f * gy < margin or f * (gy + gh) > h - margin))
                or (not vertical and (f * gx < margin or f * (gx + gw) > w - margin))):
            continue
        mine = (labels[gy : gy + gh, gx : gx + gw] == i) & (on[gy : gy + gh, gx : gx + gw] > 0)
        ys, xs = np.nonzero(mine)
        if ys.size == 0:
            continue
        ys, xs = ys + gy, xs + gx
        X, Y, X1, Y1 = f * int(xs.min()), f * int(ys.min()), f * (int(xs.max()) + 1), f * (int(ys.max()) + 1)
        if not ((vertical and (Y < margin or Y1 > h - margin)) or (not vertical and (X < margin or X1 > w - margin))):
            continue
        x0, y0, x1, y1 = max(0, X - f), max(0, Y - f), min(w, X1 + f), min(h, Y1 + f)
        piece = np.zeros((sh, sw), np.uint8)
        piece[ys, xs] = 1
        region = cv2.dilate(piece, np.ones((3, 3), np.uint8))
        # Back to full size over the box: small pixel (x // f, y // f) covers full pixel (x, y).
        yi = np.minimum(np.arange(y0, y1) // f, sh - 1)
        xi = np.minimum(np.arange(x0, x1) // f, sw - 1)
        pixels = (region[np.ix_(yi, xi)] > 0) & (mask[y0:y1, x0:x1] > 0)
        out.append(Streak((x0, y0, x1, y1), pixels))
    return out


def page_streaks(lines: TableLines, dpi: int) -> tuple[list[Streak], list[Streak]]:
    """(vertical, horizontal) streaks of a page, found once for the steps that need them."""
    return find_streaks(lines.vertical, dpi, vertical=True), find_streaks(lines.horizontal, dpi, vertical=False)


def without_streaks(lines: TableLines, dpi: int, streaks: tuple[list[Streak], list[Streak]] | None = None) -> np.ndarray:
    """All rules except photocopier streaks (`find_streaks`; `streaks`: page_streaks, when known).

    A streak must not split cells (it is still erased before OCR). Each
    direction is cleaned in its own mask: a streak crosses the rules of the other.
    """
    streaks = streaks or page_streaks(lines, dpi)
    kept = []
    for mask, found in ((lines.vertical, streaks[0]), (lines.horizontal, streaks[1])):
        out = mask.copy()
        for st in found:
            x0, y0, x1, y1 = st.box
            out[y0:y1, x0:x1][st.pixels] = 0
        kept.append(out)
    return cv2.bitwise_or(kept[0], kept[1])


# Widest rule (or streak) band across which a character's stroke is put back.
STROKE_BRIDGE_MM = 1.0


def erase_rules(bw: np.ndarray, lines: TableLines, dpi: int, gray: np.ndarray | None = None,
                streaks: tuple[list[Streak], list[Streak]] | None = None) -> np.ndarray:
    """`bw` without its rules, but with the strokes of characters that cross them.

    A photocopier streak runs through the value column and over characters;
    erasing it cut `有` into `在` and `无` into `2`. Where ink continues on both
    sides of an erased vertical band (within STROKE_BRIDGE_MM), the stroke
    crosses it and is put back; likewise across horizontal bands. Where two
    rules cross nothing is put back: that is a table corner, not a character.
    With `gray` (the page before binarisation), ink clearly darker than the
    line it lies on is put back too: a toner streak is gray, print under it
    black, so even a stroke running along the streak survives.
    """
    # Whole-page masks as 0/255 images combined by OpenCV's bitwise ops: the same
    # pixels as numpy booleans, in half the time (this runs on every page).
    k = np.ones((3, 3), np.uint8)
    hband = cv2.compare(cv2.dilate(lines.horizontal, k), 0, cv2.CMP_GT)
    vband = cv2.compare(cv2.dilate(lines.vertical, k), 0, cv2.CMP_GT)
    out = cv2.bitwise_or(bw, cv2.bitwise_or(hband, vband))
    ink = cv2.compare(out, 0, cv2.CMP_EQ)
    gap = max(3, int(round(STROKE_BRIDGE_MM * dpi / 25.4)))
    across_v = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    across_h = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, gap)))
    crossing = cv2.bitwise_or(
        cv2.bitwise_and(cv2.bitwise_and(vband, cv2.bitwise_not(hband)), across_v),
        cv2.bitwise_and(cv2.bitwise_and(hband, cv2.bitwise_not(vband)), across_h),
    )
    # Put back the ink of `bw` where a stroke crosses a band.
    out = cv2.bitwise_and(out, cv2.bitwise_not(cv2.bitwise_and(crossing, cv2.compare(bw, 0, cv2.CMP_EQ))))
    if gray is not None:
        _restore_under_streaks(out, bw, gray, lines, streaks or page_streaks(lines, dpi))
    return out


# A streak lighter than this (median gray) is toner haze; print under it can be told apart.
STREAK_MIN_GRAY = 120
# Print this much darker than the streak it lies under is not part of the streak.
DARKER_THAN_LINE = 60


def _restore_under_streaks(out: np.ndarray, bw: np.ndarray, gray: np.ndarray, lines: TableLines,
                           streaks: tuple[list[Streak], list[Streak]]) -> None:
    """Put back the print under light photocopier streaks (in place): ink clearly darker than the streak."""
    k = np.ones((3, 3), np.uint8)
    for found, other in ((streaks[0], lines.horizontal), (streaks[1], lines.vertical)):
        for st in found:
            x0, y0, x1, y1 = st.box
            g = gray[y0:y1, x0:x1]
            if not st.pixels.any():
                continue
            level = float(np.median(g[st.pixels]))
            if level < STREAK_MIN_GRAY:
                continue  # a black streak (a black-and-white copy): print under it cannot be told apart
            # Only on the streak's own erased band, not where a rule of the other direction crosses it.
            band = cv2.dilate(st.pixels.astype(np.uint8), k) > 0
            across = cv2.dilate((other[y0:y1, x0:x1] > 0).astype(np.uint8), k) > 0
            print_under = band & ~across & (g < level - DARKER_THAN_LINE) & (bw[y0:y1, x0:x1] == 0)
            out[y0:y1, x0:x1][print_under] = 0


def find_cells(lines: np.ndarray, dpi: int) -> list[Cell]:
    """Table cells: the white regions enclosed by rules, of a plausible cell size."""
    mm = dpi / 25.4
    closed = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    n, _, stats, _ = components(255 - closed, connectivity=4)
    h, w = lines.shape
    cells: list[Cell] = []
    for i in range(1, n):
        x, y, cw, ch, area = stats[i]
        if x == 0 or y == 0 or x + cw >= w or y + ch >= h:
            continue  # the background around the tables
        if cw < 3 * mm or ch < 4 * mm or ch > 60 * mm:
            continue
        if area < 0.8 * cw * ch:
            continue  # not a rectangle: a gap between broken rules, not a cell
        cells.append(Cell((int(x), int(y), int(x + cw), int(y + ch))))
    cells.sort(key=lambda c: (c.bbox[1], c.bbox[0]))
    return cells


def _stacked_groups(boxes: np.ndarray) -> np.ndarray:
    """Group ids for blobs (x, y, w, h) stacked in one column: x-ranges overlapping by half the narrower."""
    n = len(boxes)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = np.argsort(boxes[:, 0], kind="stable")
    for a_i, a in enumerate(order):
        ax, _, aw, _ = boxes[a]
        for b in order[a_i + 1 :]:
            bx, _, bw, _ = boxes[b]
            if bx >= ax + aw:
                break
            if min(ax + aw, bx + bw) - bx >= 0.5 * min(aw, bw):
                parent[root(int(b))] = root(int(a))
    return np.array([root(i) for i in range(n)])


def find_asterisks(bw: np.ndarray, box: tuple[float, float, float, float], line_height: float) -> list[tuple[int, int, int, int]]:
    """Boxes of asterisks (the `*` of masked personal data) inside `box` of a black-on-white image.

    chi_sim reads a run of small raised asterisks after a Chinese character as
    more Chinese characters (欧*** → 欧和全); geometry tells them apart: a small,
    roughly square blob in the upper half of the text line.
    """
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    crop = bw[max(0, y0) : y1, max(0, x0) : x1]
    if crop.size == 0 or line_height <= 0:
        return []
    n, _, stats, _ = components(255 - crop)
    if n <= 1:
        return []
    boxes = stats[1:, :4]
    # A character printed in pieces stacked one above the other (吴 is 口 over 天) is
    # one column of blobs: its height, not its tallest piece's, is the character height.
    group = _stacked_groups(boxes)
    g_top = {g: int(boxes[group == g, 1].min()) for g in set(group.tolist())}
    g_h = {g: int((boxes[group == g, 1] + boxes[group == g, 3]).max()) - g_top[g] for g in g_top}
    col_h = np.array([g_h[g] for g in group.tolist()])
    # The tallest column is a whole character or digit; taller than the line it is noise, not text.
    heights = col_h[col_h <= 1.3 * line_height]
    char_h = float(heights.max()) if heights.size else line_height
    if char_h < 0.5 * line_height:
        char_h = line_height
    tall = col_h >= 0.7 * char_h
    top = min(g_top[g] for g in group[tall].tolist()) if tall.any() else int(boxes[:, 1].min())
    out = []
    for j, (x, y, w, h, area) in enumerate(stats[1:]):
        if not (0.2 * char_h <= h <= 0.5 * char_h and 0.2 * char_h <= w <= 0.6 * char_h):
            continue
        if not (0.7 <= w / h <= 1.5) or area < 0.2 * w * h or area > 0.75 * w * h:
            continue
        if (y + h / 2) - top > 0.45 * char_h:
            continue  # low in the line: a full stop or comma, not an asterisk
        # A part of a character (the 乂 inside 区 of 欧) sits inside another blob's box.
        if any(k != j and bx <= x and by <= y and x + w <= bx + bw and y + h <= by + bh
               for k, (bx, by, bw, bh) in enumerate(boxes)):
            continue
        # Above or below another piece in the same column: the top of a character (欠 in 欧).
        if (group == group[j]).sum() > 1:
            continue
        out.append((int(x + x0), int(y + y0), int(x + x0 + w), int(y + y0 + h)))
    if len(out) >= 2:
        # Asterisks of one font are all alike; an odd-sized blob is a piece of something else.
        mw, mh = float(np.median([b[2] - b[0] for b in out])), float(np.median([b[3] - b[1] for b in out]))
        out = [b for b in out if abs((b[2] - b[0]) - mw) <= 0.3 * mw and abs((b[3] - b[1]) - mh) <= 0.3 * mh]
    return sorted(out)


def detect_rotation(path: Path, gray: np.ndarray, tesseract_cmd: str) -> int:
    """Clockwise quarter turns (degrees) that make the text upright."""
    rot = tesseract.osd_rotation(path, cmd=tesseract_cmd)
    if rot is not None and rot[1] >= OSD_MIN_CONF:
        return rot[0] % 360
    return 90 if text_is_vertical(gray) else 0


# --- the chain --------------------------------------------------------------


def load_image(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"cannot decode image {path.name}")
    return img


def prepare_page(
    original: Path,
    out: Path,
    *,
    dpi: int | None = None,
    tesseract_cmd: str = "tesseract",
    detect_orientation: bool = True,
    image: np.ndarray | None = None,
    write: bool = True,
) -> PreparedPage:
    """Prepare `original` for OCR; the result is kept as pixels and, with `write`, written to `out` (PNG).

    `image`: `original`'s pixels (BGR or gray) when the caller has them decoded already.
    `out` also names the temporary file orientation detection needs.
    """
    bgr = load_image(original) if image is None else image
    h0, w0 = bgr.shape[:2]
    src_dpi = guess_dpi(w0, h0, dpi)
    gray, red = drop_red(bgr)
    to_prep = Affine.identity()

    rotation = 0
    if detect_orientation:
        # OSD reads the dropped-out page, so the seal's ring text does not vote.
        small_path = out.with_name(out.stem + "_osd.png")
        # OSD needs ~200+ dpi to be sure on a sparse page; above 300 dpi it only costs time.
        f = min(1.0, TARGET_DPI / src_dpi)
        cv2.imwrite(str(small_path), cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA), FAST_PNG)
        rotation = detect_rotation(small_path, gray, tesseract_cmd)
        small_path.unlink(missing_ok=True)
    gray, m = rotate_quarter_turns(gray, rotation)
    to_prep = to_prep.then(m)

    skew = estimate_skew(gray)
    if abs(skew) >= 0.1:
        gray, m = rotate_by(gray, skew)
        to_prep = to_prep.then(m)

    gray, m, new_dpi = scale_to_dpi(gray, src_dpi)
    to_prep = to_prep.then(m)
    if not red:
        gray, red = drop_gray_seal(gray, new_dpi)

    bw = binarize(gray)
    # Rules are found on the un-denoised ink: the median filter would erase 1-px rules.
    rules = table_lines(255 - ink_mask(gray), new_dpi)
    streaks = page_streaks(rules, new_dpi)
    cells = find_cells(without_streaks(rules, new_dpi, streaks), new_dpi)
    # Rules confuse tesseract's line finder (whole table rows are lost): erase them.
    clean = erase_rules(despeckle(bw, new_dpi), rules, new_dpi, gray, streaks)
    if write:
        cv2.imwrite(str(out), clean, FAST_PNG)
    return PreparedPage(
        original=original,
        ocr_image=out,
        dpi=new_dpi,
        original_dpi=src_dpi,
        to_prepared=to_prep,
        rotation=rotation,
        skew=skew,
        seal_dropped=red,
        cells=tuple(cells),
        width=w0,
        height=h0,
        pixels=clean,
    )
