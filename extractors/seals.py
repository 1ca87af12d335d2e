"""Official seals (公章) on stamped scans: is there one, is it at the signature block, whose is it.

A careful clerk's three questions, in three steps:

1. `detect_seals` finds seal rings on one page image (red ink on colour scans,
   ring shape on gray and black-and-white ones) and rejects decoys (letterheads,
   logos, red handwriting and table lines) by ring evidence (`seal_ring.py`).
2. `read_ring_text` unwraps the ring and OCRs its lettering; `signer_match`
   compares it with the expected signer, tolerant of OCR errors (`seal_text.py`).
3. `check_document_seal` finds the signature block in the OCR words, keeps only
   a seal pressed there, and turns the outcome into a `Seal` and flags.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import cv2
import numpy as np

from extractors.pageimage import has_image, page_pixels
from extractors.seal_ring import (
    Ellipse,
    RingEvidence,
    component_candidates,
    dark_mask,
    find_rings,
    hough_candidates,
    is_colour,
    paired_circles,
    red_mask,
    remove_rules,
    size_limits,
    working_scale,
)
from extractors.seal_text import RingReader, read_ring_text_at, signer_match
from pilot_intake.models import DocKind, Flag, FlagCode, Page, Seal, Word
from pilot_intake.settings import Settings

__all__ = [
    "SealCandidate",
    "SealCheck",
    "check_document_seal",
    "detect_seals",
    "read_ring_text",
    "signer_match",
]


@dataclass(frozen=True)
class SealCandidate:
    """A seal found on a page; geometry in the page image's pixels."""

    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1, clipped to the page
    confidence: float  # 0..1
    center: tuple[float, float]
    radii: tuple[float, float]  # semi-axes (a along `angle`, b across)
    angle: float  # degrees, orientation of semi-axis a
    colour: bool  # found as red ink (True) or by shape on a gray page (False)
    evidence: RingEvidence

    @property
    def ellipse(self) -> Ellipse:
        return Ellipse(self.center[0], self.center[1], self.radii[0], self.radii[1], self.angle)


@dataclass
class SealCheck:
    """The outcome of checking one document's seal: the seal that counts, and flags."""

    seal: Seal | None
    flags: list[Flag] = field(default_factory=list)


def _small(image: np.ndarray, k: float) -> np.ndarray:
    """The page shrunk by `k` with area averaging.

    Halving steps first: OpenCV averages exact 2x2 blocks many times faster than an
    arbitrary factor (one core: a 300-dpi page ~6 ms instead of ~20; 200 dpi ~13 instead of ~55).
    """
    if k >= 1.0:
        return image
    h, w = image.shape[:2]
    size = (max(1, round(w * k)), max(1, round(h * k)))
    while image.shape[1] >= 2 * size[0] and image.shape[0] >= 2 * size[1]:
        h2, w2 = image.shape[0] // 2, image.shape[1] // 2
        # An odd last row or column would send OpenCV down its slow fractional path.
        image = cv2.resize(image[:2 * h2, :2 * w2], (w2, h2), interpolation=cv2.INTER_AREA)
    if (image.shape[1], image.shape[0]) == size:
        return image
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def detect_seals(image: np.ndarray, dpi: int) -> list[SealCandidate]:
    """Seals on one page image (BGR or grayscale, `dpi` its resolution), best first."""
    if image is None or image.size == 0:
        return []
    k = working_scale(dpi)
    small = _small(image, k)
    limits = size_limits(dpi * k)
    colour = small.ndim == 3 and small.shape[2] >= 3 and is_colour(small[..., :3])
    if colour:
        mask = remove_rules(red_mask(small[..., :3]), limits[0] * 0.9)
        seeds = component_candidates(mask, limits)
        hits = find_rings(mask, seeds, limits, colour=True)
    else:
        gray = small if small.ndim == 2 else cv2.cvtColor(small[..., :3], cv2.COLOR_BGR2GRAY)
        mask = remove_rules(dark_mask(gray), limits[0] * 0.9)
        circles = hough_candidates(mask, limits)
        seeds = component_candidates(mask, limits) + circles + paired_circles(circles)
        hits = find_rings(mask, seeds, limits, colour=False)
    h, w = image.shape[:2]
    out = []
    for hit in hits:
        e = hit.ellipse.scaled(1.0 / k)
        x0, y0, x1, y1 = e.bbox()
        bbox = (max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1))
        out.append(SealCandidate(bbox, round(hit.confidence, 3), (e.cx, e.cy), (e.a, e.b), e.angle,
                                 colour, hit.evidence))
    return out


def read_ring_text(image: np.ndarray, cand: SealCandidate, *, tesseract_cmd: str = "tesseract",
                   reader: RingReader | None = None) -> tuple[str | None, float]:
    """The seal's ring lettering and an OCR confidence 0..1; (None, 0.0) when unreadable."""
    return read_ring_text_at(image, cand.ellipse, colour=cand.colour, tesseract_cmd=tesseract_cmd, reader=reader)


# ---------------------------------------------------------------- the document check

# How far from the signature label a seal may sit and still be "on the block", in cm:
# clerks press it over the signer's name and date, right of and below the label.
BLOCK_LEFT_CM, BLOCK_ABOVE_CM, BLOCK_BELOW_CM = 2.5, 4.0, 5.5
# Below this OCR confidence, or with fewer glyphs, a non-matching ring is treated
# as unread rather than as naming someone else: OCR noise must not accuse a signer.
# (On the seal set, garbled readings of broken B&W rings came at 0.56-0.66; clean
# readings of another unit's seal at 0.85 and above.)
MISMATCH_MIN_OCR = 0.70
MISMATCH_MIN_GLYPHS = 4
# An A4 page's long side, to guess a missing dpi from the image size.
A4_LONG_IN = 11.69

_HOST_ANCHOR = re.compile(r"依托单位\(?盖章")
_ANY_ANCHOR = re.compile(r"盖章")


@dataclass(frozen=True)
class SignatureBlock:
    """Where the signature label is on a page, and the organisation written beside it."""

    bbox: tuple[float, float, float, float]
    signer: str | None


def _joined(words: list[Word]) -> tuple[str, list[int]]:
    """Words joined without spaces (Chinese OCR splits glyphs), with each character's word index."""
    chars: list[str] = []
    owner: list[int] = []
    for i, w in enumerate(words):
        for ch in unicodedata.normalize("NFKC", w.text):
            if not ch.isspace():
                chars.append(ch)
                owner.append(i)
    return "".join(chars), owner


def _union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _same_line(words: list[Word], idx: range, bbox: tuple[float, float, float, float]) -> list[Word]:
    """The words in `idx` order that sit on the label's line, up to the first wide gap."""
    height = bbox[3] - bbox[1]
    mid = (bbox[1] + bbox[3]) / 2
    out: list[Word] = []
    for i in idx:
        w = words[i]
        if abs((w.bbox[1] + w.bbox[3]) / 2 - mid) > height * 0.6:
            if out:
                break
            continue
        if out:
            prev = out[-1]
            if max(w.bbox[0] - prev.bbox[2], prev.bbox[0] - w.bbox[2]) > height * 2:
                break
        out.append(w)
    return out


def find_signature_block(words: list[Word], kind: DocKind) -> SignatureBlock | None:
    """The last `依托单位（盖章）` (or, on a summary table, `…（盖章）`) label among the words."""
    text, owner = _joined(words)
    pattern = _ANY_ANCHOR if kind == DocKind.SUMMARY_TABLE else _HOST_ANCHOR
    matches = list(pattern.finditer(text)) or list(_ANY_ANCHOR.finditer(text))
    if not matches:
        return None
    m = matches[-1]
    end = m.end()
    if end < len(text) and text[end] == ")":
        end += 1
    first, last = owner[m.start()], owner[end - 1]
    bbox = _union([words[i].bbox for i in range(first, last + 1)])
    if kind == DocKind.SUMMARY_TABLE:
        # The department's name precedes its label: `广东省工业和信息化厅（盖章）`.
        line = _same_line(words, range(first - 1, -1, -1), bbox)[::-1]
    else:
        line = _same_line(words, range(last + 1, len(words)), bbox)
    signer = "".join(w.text for w in line)
    signer = re.sub(r"^[：:()（）\s]+|[：:()（）\s]+$", "", signer)
    return SignatureBlock(bbox, signer or None)


def _page_dpi(page: Page, image: np.ndarray) -> int:
    if page.dpi:
        return page.dpi
    return max(72, round(max(image.shape[:2]) / A4_LONG_IN))


def _near_block(c: SealCandidate, block: tuple[float, float, float, float], dpi: int, width: int) -> bool:
    px = dpi / 2.54
    x0 = block[0] - BLOCK_LEFT_CM * px
    y0 = block[1] - BLOCK_ABOVE_CM * px
    y1 = block[3] + BLOCK_BELOW_CM * px
    return x0 <= c.center[0] <= width + c.radii[0] and y0 <= c.center[1] <= y1


def judge_signer(text: str | None, text_conf: float, signer: str | None) -> bool | None:
    """Does the ring text name `signer`? None when there is no signer, or too little was read to say."""
    if not signer:
        return None
    matches, _score = signer_match(text, signer)
    glyphs = sum(1 for ch in text or "" if "\u4e00" <= ch <= "\u9fff")
    if matches is False and (text_conf < MISMATCH_MIN_OCR or glyphs < MISMATCH_MIN_GLYPHS):
        return None  # too little read to say it names someone else
    return matches


def check_document_seal(pages: list[Page], expected_signer: str | None, *, kind: DocKind,
                        settings: Settings, reader: RingReader | None = None) -> SealCheck:
    """The seal that counts for a stamped document, and MISSING_STAMP / STAMP_SIGNER_MISMATCH /
    LOW_CONFIDENCE flags.

    The seal must be at the signature block of the last page that has one; a seal
    elsewhere does not count. Only that page's image is loaded.
    """
    scanned = [p for p in pages if has_image(p)]
    if not scanned:
        return SealCheck(None, [Flag(code=FlagCode.MISSING_STAMP, field="stamp",
                                     message="no page image to look for a seal on")])
    page, block = scanned[-1], None
    for p in reversed(scanned):
        block = find_signature_block(p.words, kind)
        if block is not None:
            page = p
            break
    image = page_pixels(page)
    dpi = _page_dpi(page, image)
    cands = detect_seals(image, dpi)
    flags: list[Flag] = []
    label = "the department's （盖章） block" if kind == DocKind.SUMMARY_TABLE else "依托单位（盖章）"
    if block is None:
        # OCR may have missed the label: judge the last page's seal, but say so.
        near = cands
        if cands:
            flags.append(Flag(code=FlagCode.LOW_CONFIDENCE, field="stamp",
                              message=f"signature label {label} not found; used the seal on page {page.number}"))
    else:
        near = [c for c in cands if _near_block(c, block.bbox, dpi, image.shape[1])]
    if not near:
        where = f"at {label} on page {page.number}" if block else f"on page {page.number}"
        extra = " (a seal-like mark elsewhere on the page does not count)" if cands else ""
        return SealCheck(None, [Flag(code=FlagCode.MISSING_STAMP, field="stamp",
                                     message=f"no official seal {where}{extra}")])
    best = max(near, key=lambda c: c.confidence)
    text, text_conf = read_ring_text(image, best, tesseract_cmd=settings.tesseract_cmd, reader=reader)
    del image  # one page's pixels at a time
    signer = expected_signer or (block.signer if block else None)
    matches = judge_signer(text, text_conf, signer)
    if best.confidence < settings.low_confidence:
        flags.append(Flag(code=FlagCode.LOW_CONFIDENCE, field="stamp",
                          message=f"seal on page {page.number} detected with low confidence {best.confidence:.2f}"))
    if matches is False:
        flags.append(Flag(code=FlagCode.STAMP_SIGNER_MISMATCH, field="stamp",
                          message=f"seal on page {page.number} reads {text!r}, not {signer!r}"))
    elif matches is None:
        why = ("the expected signer is unknown" if not signer
               else "its ring text cannot be read" if text is None
               else f"its ring text is too unclear to compare ({text!r})")
        flags.append(Flag(code=FlagCode.LOW_CONFIDENCE, field="stamp",
                          message=f"seal on page {page.number}: {why}; check the signer by eye"))
    seal = Seal(page=page.number, bbox=tuple(round(v, 1) for v in best.bbox), confidence=best.confidence,
                text=text, text_confidence=text_conf, matches_signer=matches, near_signature=block is not None)
    return SealCheck(seal, flags)
