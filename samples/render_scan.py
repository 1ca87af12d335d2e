"""Scanned pages: a layout drawn as a page image, stamped, smudged, then degraded.

Page images carry their resolution in `img.info["dpi"]`; every function here
returns a new image and keeps that entry.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from samples.layout import PT_MM, Anchor, DocLayout, Line, Text
from samples.sealdraw import composite_seal

SCAN_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SCAN_FONT_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
SC_INDEX = 2  # Simplified Chinese member of the Noto CJK collections
PAPER = (250, 249, 246)
INK = (28, 28, 30)


@lru_cache(maxsize=32)
def _font(px: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(SCAN_FONT_BOLD if bold else SCAN_FONT, px, index=SC_INDEX)


def mm_to_px(v: float, dpi: int) -> float:
    return v / 25.4 * dpi


def anchor_px(anchor: Anchor, dpi: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = anchor.box
    return tuple(round(mm_to_px(v, dpi)) for v in (x0, y0, x1, y1))  # type: ignore[return-value]


def render_layout(layout: DocLayout, dpi: int) -> list[Image.Image]:
    """Each page of `layout` as an RGB image at `dpi`: paper, ruled lines, Noto Sans CJK text."""
    out = []
    for page in layout.pages:
        w, h = (round(mm_to_px(v, dpi)) for v in page.size)
        img = Image.new("RGB", (w, h), PAPER)
        d = ImageDraw.Draw(img)
        for op in page.ops:
            if isinstance(op, Line):
                lw = max(1, round(mm_to_px(op.width, dpi)))
                d.line([(mm_to_px(op.x0, dpi), mm_to_px(op.y0, dpi)),
                        (mm_to_px(op.x1, dpi), mm_to_px(op.y1, dpi))], fill=INK, width=lw)
            elif isinstance(op, Text):
                font = _font(round(mm_to_px(op.size * PT_MM, dpi)), op.bold)
                anchor = "ms" if op.align == "center" else "ls"
                d.text((mm_to_px(op.x, dpi), mm_to_px(op.y, dpi)), op.text, font=font, fill=INK, anchor=anchor)
        img.info["dpi"] = (dpi, dpi)
        out.append(img)
    return out


def _keep_dpi(src: Image.Image, dst: Image.Image) -> Image.Image:
    if "dpi" in src.info:
        dst.info["dpi"] = src.info["dpi"]
    return dst


def stamp(page: Image.Image, seal: Image.Image, center: tuple[int, int], rng: random.Random) -> Image.Image:
    """Press `seal` near `center`, a little off and tilted as a hand does."""
    jitter = seal.width * 0.04
    c = (round(center[0] + rng.uniform(-jitter, jitter)), round(center[1] + rng.uniform(-jitter, jitter)))
    return _keep_dpi(page, composite_seal(page, seal, c, angle=rng.uniform(-18, 18)))


def smudge(page: Image.Image, box: tuple[int, int, int, int], rng: random.Random) -> Image.Image:
    """Blur the text in `box` and drag a grey smear over it (a wet thumb, a dirty platen)."""
    x0, y0, x1, y1 = box
    img = page.copy()
    region = img.crop(box)
    radius = max(1.5, (y1 - y0) * 0.05)
    region = region.filter(ImageFilter.GaussianBlur(radius))
    smear = Image.new("L", region.size, 0)
    d = ImageDraw.Draw(smear)
    h = region.height
    for _ in range(3):
        yy = rng.uniform(0.2, 0.8) * h
        d.line([(0, yy), (region.width * rng.uniform(0.5, 0.9), yy + rng.uniform(-h * 0.2, h * 0.2))],
               fill=rng.randint(90, 140), width=max(2, round(h * 0.25)))
    smear = smear.filter(ImageFilter.GaussianBlur(radius * 1.5))
    grey = Image.new("RGB", region.size, (120, 118, 112))
    region = Image.composite(grey, region, smear)
    img.paste(region, (x0, y0))
    return _keep_dpi(page, img)


def scanner_pass(page: Image.Image, rng: random.Random, *, tilt_deg: float = 0.4) -> Image.Image:
    """What a decent office scanner adds: a slight tilt and softness. Keeps files small."""
    angle = rng.uniform(-tilt_deg, tilt_deg)
    img = page.rotate(angle, resample=Image.BICUBIC, fillcolor=PAPER) if angle else page.copy()
    img = img.filter(ImageFilter.GaussianBlur(0.45))
    return _keep_dpi(page, img)


@dataclass(frozen=True)
class Degradation:
    """The page conditions one degraded page was given (for the truth's per-page conditions)."""

    jpeg_quality: int | None = None
    skew_deg: float = 0.0
    rotate180: bool = False
    grayscale: bool = False
    bw: bool = False
    noise: float = 0.0
    dpi: int | None = None

    def conditions(self) -> list[str]:
        out = []
        if self.dpi:
            out.append(f"dpi_{self.dpi}")
        if self.jpeg_quality is not None:
            out.append(f"jpeg_q{self.jpeg_quality}")
        if self.skew_deg:
            out.append("skew")
        if self.rotate180:
            out.append("rotated_180")
        if self.bw:
            out.append("black_white")
        elif self.grayscale:
            out.append("grayscale")
        if self.noise:
            out.append("photocopy_noise")
        return out


def degrade(img: Image.Image, rng: random.Random, *, jpeg_quality: int | None = None, skew_deg: float = 0.0,
            rotate180: bool = False, grayscale: bool = False, bw: bool = False, noise: float = 0.0,
            dpi: int | None = None) -> Image.Image:
    """A worse scan of `img`: resampled to `dpi`, skewed, turned, grey/black-and-white, noisy, JPEG'd.

    `noise` 0..1 adds photocopier speckle and toner streaks. With `jpeg_quality`
    the result has been through JPEG at that quality (artefacts baked in). The
    returned image's info["dpi"] is the new resolution.
    """
    src_dpi = int(round(img.info.get("dpi", (300, 300))[0]))
    out = img.convert("RGB")
    if dpi and dpi != src_dpi:
        out = out.resize((round(out.width * dpi / src_dpi), round(out.height * dpi / src_dpi)), Image.LANCZOS)
    new_dpi = dpi or src_dpi
    if skew_deg:
        out = out.rotate(skew_deg, resample=Image.BICUBIC, expand=False, fillcolor=(236, 236, 234))
    if noise:
        arr = np.asarray(out, dtype=np.float32)
        nrng = np.random.default_rng(rng.getrandbits(64))
        h, w = arr.shape[:2]
        # Photocopy: raised contrast, grey speckle, a few vertical toner streaks.
        arr = np.clip((arr - 128) * (1 + 0.4 * noise) + 128 - 10 * noise, 0, 255)
        speck = nrng.random((h, w)) < 0.004 * noise
        arr[speck] = nrng.uniform(0, 90)
        arr += nrng.normal(0, 9 * noise, size=(h, w, 1)).astype(np.float32)
        for _ in range(rng.randint(1, 3)):
            x = rng.randrange(w)
            sw = rng.randint(1, max(2, w // 400))
            arr[:, x:x + sw] *= rng.uniform(0.55, 0.85)
        out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    if rotate180:
        out = out.rotate(180)
    if bw:
        # Threshold the way a fax-mode scanner does: a fixed cut, no dithering.
        out = out.convert("L").point(lambda v: 255 if v > 150 else 0).convert("L")
    elif grayscale:
        out = out.convert("L")
    if jpeg_quality is not None:
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=jpeg_quality)
        out = Image.open(io.BytesIO(buf.getvalue()))
        out.load()
    out.info["dpi"] = (new_dpi, new_dpi)
    return out


def random_degradation(rng: random.Random, *, index: int) -> Degradation:
    """Conditions for the degraded set: each page gets a draw, some pages a speciality by index."""
    return Degradation(
        dpi=rng.choice([150, 180, 200]), jpeg_quality=rng.randint(50, 60),
        skew_deg=round(rng.uniform(-3, 3), 2),
        rotate180=index % 7 == 3,
        grayscale=index % 3 == 1, bw=index % 5 == 2,
        noise=round(rng.uniform(0.3, 0.8), 2) if index % 2 == 0 else 0.0)


def rotate_point(x: float, y: float, w: int, h: int, angle_deg: float) -> tuple[float, float]:
    """Where pixel (x, y) lands after PIL's rotate(angle) about the centre without expand."""
    a = math.radians(angle_deg)
    cx, cy = w / 2, h / 2
    dx, dy = x - cx, y - cy
    return cx + dx * math.cos(a) + dy * math.sin(a), cy - dx * math.sin(a) + dy * math.cos(a)
