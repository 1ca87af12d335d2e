"""Find seal rings on a page image: ink masks, ellipse candidates, ring evidence.

Everything here works on a small copy of the page (WORK_DPI), where a 4.2 cm
seal is about 125 px across: enough to see its ring, star and lettering, and
cheap enough to stay far below the 50 ms per page budget. Callers scale the
results back to page pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from extractors.pageprep import components

WORK_DPI = 75
# Official seals are 3.8–5.8 cm across (filings.md §4: up to 4.5, 4.0–4.2 usual);
# oval ones are about 4.5 x 3.0 cm (some 4.5 x 2.2). A little slack either side for scan scaling.
MIN_MAJOR_CM, MAX_MAJOR_CM = 3.3, 6.2
MIN_MINOR_CM = 2.0
MAX_ASPECT = 2.1  # bank and e-receipt ovals run to 2:1
# A seal cut by the page edge still counts if this much of its ring is on the page.
MIN_VISIBLE = 0.45

# A red ring accepted without lettering in its band (`_bare_ring`): below the pipeline's
# low-confidence line (0.80), so such a seal is reported with "check by eye".
BARE_RING_CONFIDENCE = 0.5

# Ink share of the centre disc above which a star is plainly there (a drawn seal's is ~0.8).
STRONG_STAR = 0.25

MAX_HOUGH = 12  # circle seeds per page, strongest first
THETA_BINS = 90
D_MAX = 1.35
D_BINS = 54  # 0.025 per bin


@dataclass(frozen=True)
class Ellipse:
    """An ellipse in working pixels: centre, semi-axes a (along `angle`) and b, angle in degrees."""

    cx: float
    cy: float
    a: float
    b: float
    angle: float

    @property
    def major(self) -> float:
        return max(self.a, self.b)

    @property
    def minor(self) -> float:
        return min(self.a, self.b)

    def scaled(self, k: float) -> Ellipse:
        return Ellipse(self.cx * k, self.cy * k, self.a * k, self.b * k, self.angle)

    def bbox(self) -> tuple[float, float, float, float]:
        t = math.radians(self.angle)
        hw = math.hypot(self.a * math.cos(t), self.b * math.sin(t))
        hh = math.hypot(self.a * math.sin(t), self.b * math.cos(t))
        return (self.cx - hw, self.cy - hh, self.cx + hw, self.cy + hh)


@dataclass(frozen=True)
class RingEvidence:
    """What the polar occupancy of one ellipse says (fractions of the visible ring)."""

    visible: float  # share of the ring's angles that lie on the page
    ring: float  # angles with ink on the ring line
    outside: float  # angles with ink just outside the ring (page text, table lines)
    lettering: float  # angles with ink in the lettering band inside the ring
    gap: float  # angles with ink in the thin gap between ring and lettering
    fill: float  # ink share of the interior (filled logos are dense)
    star: float  # ink share of the centre disc
    inner_ring: float  # best angular coverage of one thin band half-way in (emblems have a second ring)
    thickness: float  # ring stroke width (lower quartile over angles), in units of the radius


@dataclass(frozen=True)
class RingHit:
    ellipse: Ellipse  # working pixels
    evidence: RingEvidence
    confidence: float


def working_scale(dpi: int) -> float:
    """Factor from page pixels to working pixels (never upscale)."""
    return min(1.0, WORK_DPI / max(dpi, 1))


def size_limits(work_dpi: float) -> tuple[float, float, float]:
    """(min major, max major, min minor) semi-axes in working pixels."""
    px_per_cm = work_dpi / 2.54
    return (MIN_MAJOR_CM / 2 * px_per_cm, MAX_MAJOR_CM / 2 * px_per_cm, MIN_MINOR_CM / 2 * px_per_cm)


def is_colour(small_bgr: np.ndarray) -> bool:
    """True when the page carries real colour (a gray scan saved as RGB has none)."""
    # max - min over the channels is the largest pairwise difference (uint8, no widening).
    chans = cv2.split(small_bgr)
    chroma = cv2.subtract(cv2.max(cv2.max(chans[0], chans[1]), chans[2]), cv2.min(cv2.min(chans[0], chans[1]), chans[2]))
    # A few hundred coloured pixels at 75 dpi is a stroke of ink, not JPEG noise.
    return cv2.countNonZero(cv2.threshold(chroma, 40, 255, cv2.THRESH_BINARY)[1]) > 150


def red_mask(small_bgr: np.ndarray) -> np.ndarray:
    """Red ink in both hue bands, faint and low-saturation presses included."""
    hsv = cv2.cvtColor(small_bgr, cv2.COLOR_BGR2HSV)
    # Dark pixels carry no reliable hue (black print, red over black); faint
    # presses are pale pink, so saturation may be low when the pixel is bright.
    # Hue <= 12 or >= 156 (OpenCV's hue runs to 179), S >= 42, V >= 70.
    low = cv2.inRange(hsv, (0, 42, 70), (12, 255, 255))
    high = cv2.inRange(hsv, (156, 42, 70), (255, 255, 255))
    return cv2.bitwise_or(low, high) >> 7  # 0/1, as the other masks


def dark_mask(small_gray: np.ndarray) -> np.ndarray:
    """Ink of any kind on a gray page, relative to the paper's own brightness."""
    hist = cv2.calcHist([small_gray], [0], None, [256], [0, 256]).ravel()
    paper = float(np.searchsorted(np.cumsum(hist), 0.90 * hist.sum()))
    return (small_gray < paper - 45).astype(np.uint8)


def remove_rules(mask: np.ndarray, min_len: float) -> np.ndarray:
    """The mask without long straight horizontal and vertical strokes (table borders, rules, underlines).

    `min_len` is chosen so that no part of a seal ring is that straight: a ring of
    radius r stays within its own stroke width for far less than r/2.
    """
    n = max(9, int(min_len))
    horiz = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (n, 1)))
    vert = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, n)))
    # Solid areas (filled discs, thick logo rings) hold long straight runs too; carving
    # them would leave thin arcs that pass for a seal's ring. Rules are thin: keep the solid.
    w = max(5, round(n / 8))
    solid = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (w, w)))
    return mask & ~((horiz | vert) & ~solid)


def _fit(points: np.ndarray, min_points: int = 12) -> Ellipse | None:
    if len(points) < min_points:
        return None
    (cx, cy), (w, h), ang = cv2.fitEllipse(points.astype(np.float32))
    if not all(map(math.isfinite, (cx, cy, w, h))) or w <= 1 or h <= 1:
        return None
    return Ellipse(cx, cy, w / 2, h / 2, ang)


def _polar(ellipse: Ellipse, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalised radius d (1 on the ellipse) and angle 0..2π of points."""
    t = math.radians(ellipse.angle)
    dx, dy = xs - ellipse.cx, ys - ellipse.cy
    u = (dx * math.cos(t) + dy * math.sin(t)) / ellipse.a
    v = (-dx * math.sin(t) + dy * math.cos(t)) / ellipse.b
    return np.hypot(u, v), np.mod(np.arctan2(v, u), 2 * math.pi)


class InkPoints:
    """A mask's ink pixels, listed once per page.

    Every refit and every evidence grid asks for the ink inside some box; slicing the
    rows of this list (they come in row order) is several times cheaper than scanning
    the mask again each time, and gives the same points in the same order.
    """

    def __init__(self, mask: np.ndarray):
        self.shape = mask.shape
        pts = cv2.findNonZero(mask)  # row order, like np.nonzero, ten times faster on a page
        pts = np.empty((0, 2), np.int32) if pts is None else pts.reshape(-1, 2)
        cols, rows = pts[:, 0], pts[:, 1]
        self._rows, self._cols = rows, cols
        self._xs, self._ys = cols.astype(np.float32), rows.astype(np.float32)

    def box(self, ix0: int, iy0: int, ix1: int, iy1: int) -> tuple[np.ndarray, np.ndarray]:
        """x and y (float32) of the ink in columns ix0..ix1-1, rows iy0..iy1-1, in row order."""
        lo, hi = np.searchsorted(self._rows, (iy0, iy1))
        keep = (self._cols[lo:hi] >= ix0) & (self._cols[lo:hi] < ix1)
        return self._xs[lo:hi][keep], self._ys[lo:hi][keep]


def _ink_points(ink: InkPoints, ellipse: Ellipse, reach: float) -> tuple[np.ndarray, np.ndarray]:
    x0, y0, x1, y1 = ellipse.bbox()
    cx, cy = ellipse.cx, ellipse.cy
    x0, x1 = cx + (x0 - cx) * reach, cx + (x1 - cx) * reach
    y0, y1 = cy + (y0 - cy) * reach, cy + (y1 - cy) * reach
    h, w = ink.shape
    ix0, iy0 = max(0, int(x0)), max(0, int(y0))
    ix1, iy1 = min(w, int(math.ceil(x1)) + 1), min(h, int(math.ceil(y1)) + 1)
    if ix0 >= ix1 or iy0 >= iy1:
        return np.empty(0, np.float32), np.empty(0, np.float32)
    return ink.box(ix0, iy0, ix1, iy1)


def refine(ink: InkPoints, ellipse: Ellipse, rounds: int = 3) -> Ellipse:
    """Re-fit the ellipse on the ink of its own ring line, a narrower band each round."""
    for band in (0.16, 0.10, 0.07)[:rounds]:
        xs, ys = _ink_points(ink, ellipse, 1.0 + band + 0.05)
        if len(xs) < 12:
            break
        d2 = _d2(ellipse, xs, ys)
        sel = (d2 > (1.0 - band) ** 2) & (d2 < (1.0 + band) ** 2)
        fitted = _fit(np.stack([xs[sel], ys[sel]], axis=1))
        if fitted is None:
            break
        # Short arcs (a seal cut by the page edge) can make the fit run away.
        if (abs(fitted.major - ellipse.major) > 0.25 * ellipse.major
                or fitted.major > MAX_ASPECT * fitted.minor
                or math.hypot(fitted.cx - ellipse.cx, fitted.cy - ellipse.cy) > 0.3 * ellipse.major):
            break
        ellipse = fitted
    return ellipse


def _d2(e: Ellipse, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Squared normalised radius of points (1 on the ellipse): no angle, no square root."""
    t = math.radians(e.angle)
    c, s = math.cos(t), math.sin(t)
    dx, dy = xs - e.cx, ys - e.cy
    u = (dx * c + dy * s) * (1.0 / e.a)
    v = (dy * c - dx * s) * (1.0 / e.b)
    return u * u + v * v


def ransac_refine(ink: InkPoints, ellipse: Ellipse, limits: tuple[float, float, float],
                  rng: np.random.Generator, iters: int = 40) -> Ellipse:
    """A better ring fit by sampling: five ink points from five sectors near the current fit.

    The least-squares fit in `refine` is pulled by print and lettering touching the
    ring (an oval crossed by a text line ends up round and off-centre); a fit
    through five ring points, judged by how many angles of its own line carry ink
    minus how many carry ink just outside it (a seal's ring is its outermost
    stroke), is not.
    """
    xs, ys = _ink_points(ink, ellipse, 1.4)
    if len(xs) < 40:
        return ellipse
    d, ang = _polar(ellipse, xs, ys)
    near = (d > 0.7) & (d < 1.35)
    xs, ys, ang, d = xs[near], ys[near], ang[near], d[near]
    if len(xs) < 20:
        return ellipse
    # Angles are taken around the starting fit once: close enough for candidates near it.
    ti = np.minimum((ang / (2 * math.pi) * THETA_BINS).astype(np.int32), THETA_BINS - 1)
    sector = ti * 5 // THETA_BINS
    pool = [idx for idx in (np.flatnonzero((sector == k) & (np.abs(d - 1.0) < 0.2)) for k in range(5)) if len(idx)]
    if len(pool) < 4:
        return ellipse
    tol = max(0.04, 1.5 / ellipse.minor)
    on_lo, on_hi = (1 - tol) ** 2, (1 + tol) ** 2
    out_lo, out_hi = (1 + tol + 0.04) ** 2, 1.2 ** 2

    def judge(cands: list[Ellipse]) -> np.ndarray:
        """Angles with ink on each candidate's line minus angles with ink just outside it."""
        # As `_d2`, one row per candidate (in float32, as there).
        p = np.array([(math.cos(math.radians(e.angle)), math.sin(math.radians(e.angle)), e.cx, e.cy,
                       1.0 / e.a, 1.0 / e.b) for e in cands], np.float32).T[:, :, None]
        c, s, dx, dy = p[0], p[1], xs[None, :] - p[2], ys[None, :] - p[3]
        u = (dx * c + dy * s) * p[4]
        v = (dy * c - dx * s) * p[5]
        d2 = u * u + v * v
        rows = np.arange(len(cands))[:, None] * THETA_BINS + ti[None, :]
        n = len(cands) * THETA_BINS
        on = np.bincount(rows[(d2 > on_lo) & (d2 < on_hi)], minlength=n).reshape(-1, THETA_BINS) > 0
        out = np.bincount(rows[(d2 > out_lo) & (d2 < out_hi)], minlength=n).reshape(-1, THETA_BINS) > 0
        return on.sum(axis=1) - out.sum(axis=1)

    # Fits one by one (cheap), judged all at once: the judging is the cost.
    fits: list[Ellipse] = []
    for _ in range(iters):
        idx = [int(p[rng.integers(len(p))]) for p in pool]
        if len(idx) < 5:
            idx.append(int(rng.integers(len(xs))))
        e = _fit(np.stack([xs[idx], ys[idx]], axis=1), min_points=5)
        if e is None or not _plausible(e, limits):
            continue
        if math.hypot(e.cx - ellipse.cx, e.cy - ellipse.cy) > 0.4 * ellipse.major:
            continue
        fits.append(e)
    scores = judge([ellipse, *fits])
    # The first best, and the starting fit unless a sample beats it outright.
    i = int(np.argmax(scores))
    return ellipse if scores[i] <= scores[0] else fits[i - 1]


def evidence(ink: InkPoints, ellipse: Ellipse) -> RingEvidence:
    """Polar occupancy of the ink around `ellipse`: which angles carry ink at which radius."""
    h, w = ink.shape
    # Which angles of the ring (and just outside it) are on the page at all.
    th = (np.arange(THETA_BINS) + 0.5) * 2 * math.pi / THETA_BINS
    t = math.radians(ellipse.angle)
    ux, uy = np.cos(th) * ellipse.a, np.sin(th) * ellipse.b
    rx = ellipse.cx + ux * math.cos(t) - uy * math.sin(t)
    ry = ellipse.cy + ux * math.sin(t) + uy * math.cos(t)
    on_page = (rx >= 0) & (rx < w) & (ry >= 0) & (ry < h)
    n_vis = int(on_page.sum())
    visible = n_vis / THETA_BINS
    empty = RingEvidence(visible, 0, 0, 0, 0, 0, 0, 0, 0)
    if n_vis < 8:
        return empty
    xs, ys = _ink_points(ink, ellipse, D_MAX)
    if len(xs) == 0:
        return empty
    d, ang = _polar(ellipse, xs, ys)
    keep = d < D_MAX
    d, ang = d[keep], ang[keep]
    ti = np.minimum((ang / (2 * math.pi) * THETA_BINS).astype(np.int32), THETA_BINS - 1)
    di = np.minimum((d / D_MAX * D_BINS).astype(np.int32), D_BINS - 1)
    occ = np.bincount(ti * D_BINS + di, minlength=THETA_BINS * D_BINS).reshape(THETA_BINS, D_BINS)
    occ = occ[on_page]

    def band(lo: float, hi: float) -> float:
        a, b = int(lo / D_MAX * D_BINS), int(math.ceil(hi / D_MAX * D_BINS))
        return float(np.count_nonzero(occ[:, a:b].sum(axis=1))) / n_vis

    minor = ellipse.minor
    # Ring line: ±(fit error + half the stroke), in normalised units.
    tol = max(0.06, 2.5 / minor)
    ring = band(1.0 - tol, 1.0 + tol)
    outside = band(1.0 + tol + 0.08, 1.30)
    lettering = band(0.58, 0.86)
    gap = band(0.86, 1.0 - tol)
    # Interior and centre densities, as ink share of the area (visible part only).
    area_scale = ellipse.a * ellipse.b * math.pi
    inner = int(np.count_nonzero(d < 0.82))
    fill = inner / max(1.0, area_scale * 0.82 ** 2 * visible)
    star = int(np.count_nonzero(d < 0.22)) / max(1.0, area_scale * 0.22 ** 2)
    lo_bin, hi_bin = int(0.25 / D_MAX * D_BINS), int(0.58 / D_MAX * D_BINS)
    hit = occ[:, lo_bin:hi_bin] > 0
    # A window of 4 bins (0.1 of the radius) absorbs a fit slightly off the emblem's centre.
    win = hit[:, :-3] | hit[:, 1:-2] | hit[:, 2:-1] | hit[:, 3:]
    inner_ring = float(win.sum(axis=0).max()) / n_vis if win.size else 0.0
    # Stroke width: per angle, the run of occupied radius bins through the ring line;
    # the lower quartile skips angles where lettering touches the ring.
    one = int(1.0 / D_MAX * D_BINS)
    filled = occ > 0
    near = filled[:, one - 1:one + 2]
    rows = np.flatnonzero(near.any(axis=1))
    thickness = 0.0
    if len(rows):
        c = one - 1 + np.argmax(near[rows], axis=1)
        # The run through bin c ends at the nearest empty bin on either side.
        bins = np.arange(D_BINS)
        empty = ~filled[rows]
        below = np.maximum.accumulate(np.where(empty, bins, -1), axis=1)
        above = np.minimum.accumulate(np.where(empty, bins, D_BINS)[:, ::-1], axis=1)[:, ::-1]
        sel = np.arange(len(rows))
        runs = np.sort(above[sel, c] - below[sel, c] - 1)
        # np.percentile(runs, 25) (linear), without its overhead.
        pos = 0.25 * (len(runs) - 1)
        lo = int(pos)
        q = runs[lo] + (runs[min(lo + 1, len(runs) - 1)] - runs[lo]) * (pos - lo)
        thickness = float(q) * D_MAX / D_BINS
    return RingEvidence(visible, ring, outside, lettering, gap, min(fill, 1.0), min(star, 1.0), inner_ring,
                        thickness)


def _clamp(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def score(ev: RingEvidence, *, colour: bool) -> float:
    """Confidence 0..1 that the ring is a seal; 0 when a hard rule rejects it.

    Hard rules are what tells decoys apart: a seal has a thin closed ring standing
    out from its surroundings, lettering inside it, and a mostly empty interior.
    Gray pages need stronger evidence, since colour no longer singles out the ink.
    """
    if ev.visible < MIN_VISIBLE:
        return 0.0
    contrast = ev.ring - ev.outside
    if ev.inner_ring >= 0.85:
        return 0.0  # a second ring half-way in: an emblem, not a seal
    if colour:
        gates = (ev.ring >= 0.55 and contrast >= 0.30 and ev.lettering >= 0.30
                 and ev.fill <= 0.55 and ev.thickness <= 0.2)
    else:
        # A solid star in the middle vouches for a ring that a press faded on one side
        # left only partly above a black-and-white scanner's threshold (colour's 0.55).
        ring_gate = 0.55 if ev.star >= STRONG_STAR else 0.60
        gates = (ev.ring >= ring_gate and contrast >= 0.35 and ev.lettering >= 0.45
                 and 0.04 <= ev.fill <= 0.45 and ev.thickness <= 0.2
                 # Without colour, the star or dense lettering must vouch for the ring.
                 and (ev.star >= 0.05 or ev.lettering >= 0.75))
    if not gates:
        if colour and _bare_ring(ev):
            return BARE_RING_CONFIDENCE
        return 0.0
    conf = (0.40 * _clamp((ev.ring - 0.5) / 0.4)
            + 0.25 * _clamp((contrast - 0.2) / 0.5)
            + 0.20 * _clamp((ev.lettering - 0.25) / 0.5)
            + 0.15 * _clamp(ev.star / 0.25))
    # A seal with no star loses that share; keep a clear ring with lettering above 0.8.
    if ev.star < 0.08:
        conf = conf / 0.85
    return _clamp(conf)


def _bare_ring(ev: RingEvidence) -> bool:
    """A whole, clean, thin red ring with an almost empty inside.

    Some seals carry their name across the middle rather than along the ring (bank
    e-stamps: 北京银行 / 电子章), often in paler ink than the ring, so the lettering band
    finds nothing red enough. Nothing else on a page draws a closed thin red ring of seal
    size: hand-drawn loops are open or wobbly, logos are filled, thick or doubled.
    """
    return (ev.visible >= 0.9 and ev.ring >= 0.95 and ev.outside <= 0.1 and ev.thickness <= 0.12
            and ev.fill <= 0.2 and ev.inner_ring < 0.5)


def _logo_like(ev: RingEvidence, *, colour: bool) -> bool:
    """A clear, complete ring that a logo rule rejects (second ring, thick stroke, filled inside)."""
    if ev.visible < 0.6 or ev.ring < 0.95:
        return False
    return ev.inner_ring >= 0.85 or ev.thickness > 0.2 or ev.fill > (0.55 if colour else 0.45)


def _plausible(e: Ellipse, limits: tuple[float, float, float]) -> bool:
    lo, hi, lo_minor = limits
    return lo <= e.major <= hi and e.minor >= lo_minor and e.major <= MAX_ASPECT * e.minor


def component_candidates(mask: np.ndarray, limits: tuple[float, float, float]) -> list[Ellipse]:
    """Ellipses fitted to the outline of ink groups of seal size (round and oval, cut or whole)."""
    h, w = mask.shape
    lo, hi, _ = limits
    # Join a faint or speckled ring into one group before outlining it.
    k = max(3, int(round(lo * 0.08)) | 1)
    grouped = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    contours, _ = cv2.findContours(grouped, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    out: list[Ellipse] = []
    for c in contours:
        x, y, cw, ch = cv2.boundingRect(c)
        if max(cw, ch) < lo * 0.9 or min(cw, ch) > hi * 2.6:
            continue
        pts = c.reshape(-1, 2)
        # Drop outline points that run along the page edge: they belong to the cut, not the ring.
        inner = pts[(pts[:, 0] > 1) & (pts[:, 0] < w - 2) & (pts[:, 1] > 1) & (pts[:, 1] < h - 2)]
        e = _fit(inner)
        if e is None:
            continue
        if e.major <= hi * 1.3 and e.minor >= limits[2] * 0.8:
            out.append(e)
    return out


def hough_candidates(mask: np.ndarray, limits: tuple[float, float, float]) -> list[Ellipse]:
    """Circles on a gray page: rings that touch print do not separate as groups.

    Isolated glyphs are removed first: they cannot be part of a ring, and their
    edges would make the Hough accumulator ten times slower.
    """
    lo, hi, lo_minor = limits
    _, labels, stats, _ = components(mask)
    big = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) >= lo * 0.6
    big[0] = False
    if not big[1:].any():
        return []
    strokes = np.take((big * 255).astype(np.uint8), labels)
    # Half resolution is plenty to seed a circle, and a quarter of the votes.
    half = cv2.resize(strokes, (mask.shape[1] // 2, mask.shape[0] // 2), interpolation=cv2.INTER_AREA)
    blurred = cv2.GaussianBlur(half, (3, 3), 0.8)
    circles = cv2.HoughCircles(blurred, cv2.HOUGH_GRADIENT, dp=1.0, minDist=lo / 2,
                               param1=100, param2=18, minRadius=int(lo_minor / 2), maxRadius=int(hi / 2) + 1)
    if circles is None:
        return []
    return [Ellipse(float(x) * 2, float(y) * 2, float(r) * 2, float(r) * 2, 0.0) for x, y, r in circles[0][:MAX_HOUGH]]


def paired_circles(circles: list[Ellipse]) -> list[Ellipse]:
    """Oval seeds from pairs of Hough circles: on an oval ring, Hough finds its two curved ends."""
    out: list[Ellipse] = []
    for i, p in enumerate(circles):
        for q in circles[i + 1:]:
            r = (p.a + q.a) / 2
            d = math.hypot(q.cx - p.cx, q.cy - p.cy)
            if abs(p.a - q.a) < 0.3 * r and 0.3 * r < d < 2.0 * r:
                ang = math.degrees(math.atan2(q.cy - p.cy, q.cx - p.cx))
                out.append(Ellipse((p.cx + q.cx) / 2, (p.cy + q.cy) / 2, d / 2 + r, r, ang))
    return out


def _iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _hypotheses(seed: Ellipse, limits: tuple[float, float, float]) -> list[Ellipse]:
    """The seed, and oval variants of it: a circle seed may sit on an oval seal, and an
    outline stretched by print touching the ring is too long along the print."""
    out = [seed] if _plausible(seed, limits) else []
    r = min(max(math.sqrt(seed.a * seed.b), limits[2]), limits[1])
    if seed.major > MAX_ASPECT * seed.minor:
        r = seed.minor * 1.25
    out += [Ellipse(seed.cx, seed.cy, r * 1.2, r * 0.8, 0.0), Ellipse(seed.cx, seed.cy, r * 1.2, r * 0.8, 90.0)]
    if not out[0:1] or out[0] is not seed:
        out.append(Ellipse(seed.cx, seed.cy, r, r, 0.0))
    if seed.major > limits[1]:
        # An outline swollen by print that touches the ring: shrink it toward the ring.
        out += [Ellipse(seed.cx, seed.cy, seed.a * f, seed.b * f, seed.angle) for f in (0.75, 0.6)]
    return out


def find_rings(mask: np.ndarray, seeds: list[Ellipse], limits: tuple[float, float, float],
               *, colour: bool) -> list[RingHit]:
    """Refine every seed on the ink mask, keep those the evidence accepts, drop duplicates."""
    ink = InkPoints(mask)
    hits: list[RingHit] = []
    rng = np.random.default_rng(0)  # fixed: the same page gives the same seals
    sampled: list[Ellipse] = []  # starts whose place already holds a seal
    logos: list[RingHit] = []  # clear rings rejected as logos: a weaker fit over one is the logo too
    for seed in seeds:
        best: RingHit | None = None
        start: tuple[float, Ellipse, RingEvidence] | None = None  # the refined guess most like a ring
        for guess in _hypotheses(seed, limits):
            e = refine(ink, guess)
            if not _plausible(e, limits):
                continue
            ev = evidence(ink, e)
            conf = score(ev, colour=colour)
            if conf > 0 and (best is None or conf > best.confidence):
                best = RingHit(e, ev, conf)
            if start is None or ev.ring - ev.outside > start[0]:
                start = (ev.ring - ev.outside, e, ev)
            if conf == 0 and _logo_like(ev, colour=colour):
                logos.append(RingHit(e, ev, 0.0))
            if conf >= 0.9:
                break
        # Least squares follows print and lettering touching the ring; sampling does not.
        # Only worth it where the fit shows it (ink outside the ring, gaps on it), and
        # not again where sampling already found a seal, nor on a clear ring a logo rule
        # rejected (its inside stays filled or doubled however the ring is refitted).
        e0 = (best.ellipse if best is not None
              else start[1] if start is not None and start[0] > 0.2 and not _logo_like(start[2], colour=colour)
              else None)
        ev0 = best.evidence if best is not None else None
        if e0 is not None and (ev0 is None or ev0.outside > 0.12 or ev0.ring < 0.95) and not any(
                math.hypot(e0.cx - o.cx, e0.cy - o.cy) < 0.15 * o.major and abs(e0.major - o.major) < 0.15 * o.major
                for o in sampled):
            e = refine(ink, ransac_refine(ink, e0, limits, rng))
            if e != e0 and _plausible(e, limits):
                ev = evidence(ink, e)
                conf = score(ev, colour=colour)
                if conf > 0 and (best is None or ev.outside <= best.evidence.outside or conf > best.confidence):
                    best = RingHit(e, ev, conf)
            if best is not None:
                sampled.append(e0)
        if best is not None:
            hits.append(best)
    hits.sort(key=lambda h: -h.confidence)
    kept: list[RingHit] = []
    for hit in hits:
        contrast = hit.evidence.ring - hit.evidence.outside
        if any(_iou(hit.ellipse.bbox(), lg.ellipse.bbox()) >= 0.3
               and lg.evidence.ring - lg.evidence.outside >= contrast + 0.2 for lg in logos):
            continue
        if all(_iou(hit.ellipse.bbox(), k.ellipse.bbox()) < 0.3
               and math.hypot(hit.ellipse.cx - k.ellipse.cx, hit.ellipse.cy - k.ellipse.cy) > k.ellipse.minor * 0.5
               for k in kept):
            kept.append(hit)
    return kept
