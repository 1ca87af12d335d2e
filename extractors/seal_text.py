"""Read a seal's ring lettering and compare it with the expected signer.

The lettering runs clockwise along the upper ring, glyph tops pointing outward.
Unwrapping the ring into a straight strip (polar unwrap, outer edge on top,
reading direction left to right) turns it into one line of ordinary text that
tesseract can read. The strip starts just after the widest gap in the
lettering band, so rotated seals unwrap just like upright ones.
"""

from __future__ import annotations

import math
import tempfile
import threading
import unicodedata
from pathlib import Path

import cv2
import numpy as np

from pilot_intake.errors import MissingDependencyError

from extractors import openvino_rt, tesseract
from extractors.seal_ring import Ellipse

# The lettering band, in units of the ring's (line-centre) radius.
TEXT_OUTER, TEXT_INNER = 0.93, 0.52
STRIP_HEIGHT = 72  # px: tesseract reads CJK best around 40–70 px per glyph
GAP_BINS = 120

# Words that tell an organisation's kind, not which one it is: ignored when
# judging whether a ring names the expected signer rather than a look-alike.
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司")
SEAL_ROLES = ("电子回单专用章", "转账凭证专用章", "合同专用章", "财务专用章", "业务专用章", "发票专用章",
              "专用章", "公章", "电子章")
GENERIC = ("工业和信息化厅", "经济和信息化厅", "经济和信息化委员会", "工业和信息化局", "工业和信息化委员会",
           "经济和信息化局", "省", "市", "自治区")
MATCH_AT = 0.70  # alignment score at or above which the ring names the signer
CORE_MATCH_AT = 0.60  # the distinctive part (place, brand) must also be there
UNSURE_AT = 0.75  # below a match but above these, the ring is "unclear", not "another organisation"
CORE_UNSURE_AT = 0.50
# A non-match whose own characters (generic words removed) come this much from the
# expected name, in order, is a partial reading of it: unclear, never a mismatch.
OWN_SHARE_UNSURE = 0.5


def _print_cut(gray: np.ndarray, paper: float) -> float | None:
    """The gray level between black print and mid-gray seal ink, or None when they are not apart.

    Red ink turns mid-gray (~90 at full pressure) on a gray scan while print stays
    near black; Otsu on the ink pixels splits the two when both are there.
    """
    dark_mask = gray < paper - 40
    dark = gray[dark_mask]
    if dark.size < 200:
        return None
    t, _ = cv2.threshold(dark.astype(np.uint8).reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    lo, hi = dark[dark < t], dark[dark >= t]
    if lo.size < 50 or hi.size < 50:
        return None
    black, seal = float(np.median(lo)), float(np.median(hi))
    # No near-black core (a seal with no print on it, its darker half is not print): nothing
    # to split. Red ink at full pressure is still ~0.35 of the paper; print is far darker.
    if float(np.percentile(lo, 10)) > 0.25 * paper or seal - black < 50:
        return None
    # On a black-and-white scan the only mid-gray is the blurred rim of black strokes:
    # it does not survive an erosion, the strokes of a gray seal do.
    mid = (dark_mask & (gray >= t)).astype(np.uint8)
    if np.count_nonzero(cv2.erode(mid, np.ones((3, 3), np.uint8))) < 0.03 * hi.size:
        return None
    return (black + seal) / 2


def _ink(roi: np.ndarray, colour: bool) -> np.ndarray:
    """Seal ink strength 0..255: redness on colour pages (black print drops out), darkness on gray.

    On gray scans red ink turns mid-gray while print stays near black, so black
    print (and its anti-aliased rim) is cut out before unwrapping: print crossing
    the lettering would otherwise read as glyphs of its own.
    """
    if colour and roi.ndim == 3:
        b, g, r = (roi[..., i].astype(np.int16) for i in range(3))
        ink = np.clip(r - np.maximum(g, b), 0, 255).astype(np.float32)
    else:
        gray = (roi if roi.ndim == 2 else cv2.cvtColor(roi[..., :3], cv2.COLOR_BGR2GRAY)).astype(np.float32)
        paper = float(np.percentile(gray, 90))
        ink = np.clip(paper - gray, 0, 255)
        cut = _print_cut(gray, paper)
        if cut is not None:
            # Print and its anti-aliased rim go; what is left is the seal's own gray.
            k = max(3, round(min(roi.shape[:2]) / 160) | 1)
            print_mask = cv2.dilate((gray < cut).astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
            ink[print_mask > 0] = 0
    hi = float(np.percentile(ink, 99.5))
    lo = float(np.percentile(ink, 50))
    if hi - lo < 10:
        return np.zeros(ink.shape, np.uint8)
    return np.clip((ink - lo) * 255.0 / (hi - lo), 0, 255).astype(np.uint8)


def _ring_frame(e: Ellipse, phis: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points on the ring line at parameters `phis`, and the inward unit normals there (page pixels)."""
    t = math.radians(e.angle)
    c, s = math.cos(t), math.sin(t)
    u, v = e.a * np.cos(phis), e.b * np.sin(phis)
    px, py = e.cx + u * c - v * s, e.cy + u * s + v * c
    nu, nv = np.cos(phis) / e.a, np.sin(phis) / e.b
    norm = np.hypot(nu, nv)
    nu, nv = nu / norm, nv / norm
    return px, py, -(nu * c - nv * s), -(nu * s + nv * c)


def _maps(e: Ellipse, phis: np.ndarray, depths: np.ndarray, off: tuple[float, float]):
    """Sampling maps: rows are depths inward from the ring line (pixels), columns ring parameters.

    Lettering sits a constant distance inside the ring, on ovals too, so depth
    is measured along the normal rather than as a fraction of the radius.
    """
    px, py, nx, ny = _ring_frame(e, phis)
    x = px[None, :] + depths[:, None] * nx[None, :] - off[0]
    y = py[None, :] + depths[:, None] * ny[None, :] - off[1]
    return x.astype(np.float32), y.astype(np.float32)


def _even_phis(e: Ellipse, start: float, end: float, depth: float, n: int) -> np.ndarray:
    """`n` ring parameters from start to end, evenly spaced in arc length along the text line."""
    dense = np.linspace(start, end, 4 * n)
    px, py, nx, ny = _ring_frame(e, dense)
    x, y = px + depth * nx, py + depth * ny
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    return np.interp(np.linspace(0, arc[-1], n), arc, dense)


def _text_span(ink: np.ndarray, e: Ellipse, off: tuple[float, float]) -> tuple[float, float]:
    """Start and end parameter of the lettering: everything but the widest empty arc of its band."""
    phis = (np.arange(GAP_BINS) + 0.5) * 2 * math.pi / GAP_BINS
    depths = np.linspace(0.14, 0.36, 12) * e.minor
    mx, my = _maps(e, phis, depths, off)
    band = cv2.remap(ink, mx, my, cv2.INTER_LINEAR, borderValue=0)
    occupied = (band > 110).sum(axis=0) >= 1
    if occupied.all() or not occupied.any():
        # No gap (or no ink): assume the usual layout, lettering over the top.
        return math.radians(140), math.radians(400)
    # Longest circular run of empty bins.
    doubled = np.concatenate([~occupied, ~occupied])
    best_len, best_end, run = 0, 0, 0
    for i, empty in enumerate(doubled):
        run = run + 1 if empty else 0
        if best_len < run <= GAP_BINS:
            best_len, best_end = run, i
    step = 2 * math.pi / GAP_BINS
    gap_start = (best_end - best_len + 1) * step
    gap_end = (best_end + 1) * step
    # A little slack either side of the lettering.
    return gap_end - 2 * step, gap_start + 2 * math.pi + 2 * step


def unwrap_ring(image: np.ndarray, e: Ellipse, *, colour: bool) -> np.ndarray | None:
    """The lettering band as a straight strip, dark glyphs on white, outer edge on top."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = e.bbox()
    pad = 0.08 * e.major
    ix0, iy0 = max(0, int(x0 - pad)), max(0, int(y0 - pad))
    ix1, iy1 = min(w, int(x1 + pad) + 1), min(h, int(y1 + pad) + 1)
    if ix1 - ix0 < 20 or iy1 - iy0 < 20:
        return None
    ink = _ink(image[iy0:iy1, ix0:ix1], colour)
    off = (float(ix0), float(iy0))
    start, end = _text_span(ink, e, off)
    d0, d1 = (1 - TEXT_OUTER) * e.minor, (1 - TEXT_INNER) * e.minor
    k = STRIP_HEIGHT / max(d1 - d0, 1.0)
    mid = (d0 + d1) / 2
    px, py, nx, ny = _ring_frame(e, np.linspace(start, end, 256))
    length = float(np.hypot(np.diff(px + mid * nx), np.diff(py + mid * ny)).sum())
    n_cols = max(32, int(length * k))
    mx, my = _maps(e, _even_phis(e, start, end, mid, n_cols), np.linspace(d0, d1, STRIP_HEIGHT), off)
    strip = cv2.remap(ink, mx, my, cv2.INTER_LINEAR, borderValue=0)
    return cv2.copyMakeBorder(255 - strip, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=255)


def _cjk_count(s: str) -> int:
    return sum(1 for ch in s if "\u4e00" <= ch <= "\u9fff")


class RingReader:
    """Reads unwrapped seal rings. Built once per process by the caller and shared.

    RapidOCR (PP-OCR models inside its wheel, onnxruntime) reads about nine names in ten
    on unwrapped rings where tesseract's chi_sim reads three, so it is preferred; tesseract
    remains the fallback when it is not installed. The model loads on first use.
    """

    def __init__(self, tesseract_cmd: str = "tesseract", *, rapid=None):
        """`rapid`: a RapidOCR instance to share with the page OCR (its models take ~0.7 GB)."""
        self.tesseract_cmd = tesseract_cmd
        self._engine = rapid
        self._loaded = rapid is not None
        self._lock = threading.Lock()

    def _rapid(self):
        with self._lock:
            if not self._loaded:
                from extractors.ocr import load_rapidocr  # noqa: PLC0415 - heavy; only when a seal is found

                try:
                    self._engine = load_rapidocr("onnxruntime")  # rings are read `as_loaded` anyway
                except MissingDependencyError:
                    self._engine = None
                self._loaded = True
        return self._engine

    def read(self, strip: np.ndarray) -> tuple[str, float]:
        engine = self._rapid()
        if engine is not None:
            with openvino_rt.as_loaded(engine):
                res, _ = engine(cv2.cvtColor(strip, cv2.COLOR_GRAY2BGR), use_det=False, use_cls=False, use_rec=True)
            if not res:
                return "", 0.0
            return "".join(r[0] for r in res), float(min(r[1] for r in res))
        with tempfile.TemporaryDirectory(prefix="seal-") as tmp:
            path = Path(tmp) / "ring.png"
            cv2.imwrite(str(path), strip)
            words = tesseract.image_to_data(path, cmd=self.tesseract_cmd, lang="chi_sim", psm=7, timeout=60)
        # Weight each word's confidence by its length: one confident glyph does not make a name.
        total = sum(len(wd.text) for wd in words)
        conf = sum(wd.conf * len(wd.text) for wd in words) / max(1, total) / 100.0
        return "".join(wd.text for wd in words), conf


def read_ring_text_at(image: np.ndarray, e: Ellipse, *, colour: bool, tesseract_cmd: str = "tesseract",
                      reader: RingReader | None = None) -> tuple[str | None, float]:
    """OCR the unwrapped ring of ellipse `e` (page pixels); (None, 0.0) when nothing legible."""
    strip = unwrap_ring(image, e, colour=colour)
    if strip is None:
        return None, 0.0
    text, conf = (reader or RingReader(tesseract_cmd)).read(strip)
    if _cjk_count(text) < 2:
        return None, 0.0
    return text, round(conf, 3)


def normalise(text: str) -> str:
    """NFKC, then only CJK, letters and digits: brackets, spaces and OCR dust go."""
    t = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in t if ch.isalnum())


def _strip_words(text: str, words: tuple[str, ...]) -> str:
    for wd in words:
        text = text.replace(wd, "")
    return text


def align_score(needle: str, hay: str) -> float:
    """1 - (edit distance of `needle` to its best-matching substring of `hay`) / len(needle)."""
    if not needle:
        return 0.0
    n = len(needle)
    # Semi-global alignment: free start and end in `hay`.
    prev = list(range(n + 1))
    best = n
    for ch in hay:
        cur = [0] * (n + 1)
        for i in range(1, n + 1):
            cost = 0 if needle[i - 1] == ch else 1
            cur[i] = min(prev[i - 1] + cost, prev[i] + 1, cur[i - 1] + 1)
        best = min(best, cur[n])
        prev = cur
    best = min(best, prev[n]) if hay else n
    return max(0.0, 1.0 - best / n)


def signer_match(ring_text: str | None, expected: str) -> tuple[bool | None, float]:
    """Does the ring name `expected`? None when there is no text, or too little agreement to tell.

    Tolerant of OCR errors (edit distance over the best-aligned part of the ring),
    of legal forms (有限公司 vs 股份有限公司) and of seal roles (合同专用章); but the
    distinctive part of the name (place, brand) must be there too, so that the
    seal of 江苏省工业和信息化厅 does not pass for 广东省工业和信息化厅's.
    """
    if ring_text is None:
        return None, 0.0
    ring = _strip_words(normalise(ring_text), SEAL_ROLES)
    want = normalise(expected)
    if not ring or not want:
        return None, 0.0
    want_body = _strip_words(want, LEGAL_FORMS) or want
    ring_body = _strip_words(ring, LEGAL_FORMS) or ring
    score = align_score(want_body, ring_body)
    core = _strip_words(want_body, GENERIC)
    # Strip the same generic words from the ring, or the 市 of 广州市 costs the core a character.
    ring_core = _strip_words(ring_body, GENERIC) or ring_body
    core_score = align_score(core[:4], ring_core) if len(core) >= 2 else score
    ok = score >= MATCH_AT and core_score >= CORE_MATCH_AT
    if ok:
        return True, round(score, 3)
    if score >= UNSURE_AT and core_score >= CORE_UNSURE_AT:
        # Most of the name is there and the brand is half there: a ring misread by two
        # characters and another organisation look alike here, so a person decides.
        return None, round(min(score, core_score), 3)
    if _own_share(_strip_words(ring_body, GENERIC), _strip_words(want_body, GENERIC)) >= OWN_SHARE_UNSURE:
        # What was read is mostly the expected name's own characters, in order, with
        # some lost (print over the ring, a broken black-and-white press): a partial
        # reading of this signer, not the name of another.
        return None, round(min(score, core_score), 3)
    return False, round(min(score, core_score), 3)


def _own_share(ring: str, want: str) -> float:
    """Share of the ring's characters that spell part of `want` in order, best over where
    the ring is cut open (a strip started mid-name reads its head at the end)."""
    if not ring:
        return 0.0
    return max(_lcs(ring[i:] + ring[:i], want) for i in range(len(ring))) / len(ring)


def _lcs(a: str, b: str) -> int:
    """Length of the longest common subsequence of `a` and `b`."""
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        for j, other in enumerate(b):
            cur.append(prev[j] + 1 if ch == other else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]
