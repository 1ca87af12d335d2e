"""Draw Chinese official seals (公章) and press them onto page images.

A seal is an RGBA image on a transparent background: the colour channels hold
the ink colour, the alpha channel holds where and how strongly ink landed.
`composite_seal` presses it onto a page with multiply blending, as red ink
over black print looks on paper (black stays black, white turns red).

Everything is deterministic: randomness comes only from the `random.Random`
the caller passes in.
"""

from __future__ import annotations

import math
import random
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SEAL_RED = (218, 37, 29)
# Seal lettering is usually a Song/FangSong face; Noto Serif CJK SC Bold is the
# closest installed face. TTC index 2 is the Simplified Chinese member.
SEAL_FONT = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc")
SEAL_FONT_INDEX = 2
# The shared real-seal crops live beside the repository (../shared/real-seals).
REAL_SEALS_DIR = Path(__file__).resolve().parents[2] / "shared" / "real-seals"

SEAL_DIAMETER_CM = 4.2


def seal_diameter_px(dpi: int, cm: float = SEAL_DIAMETER_CM) -> int:
    """Pixel diameter of a seal of `cm` centimetres at `dpi` (4.2 cm at 300 dpi = 496 px)."""
    return round(cm / 2.54 * dpi)


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    # Cached per size: loading a 20 MB TTC for every glyph would dominate the run time.
    if not SEAL_FONT.exists():
        raise FileNotFoundError(f"seal font {SEAL_FONT} is missing — apt-get install fonts-noto-cjk")
    return ImageFont.truetype(str(SEAL_FONT), size, index=SEAL_FONT_INDEX)


def _glyph(ch: str, height: int, width: int) -> Image.Image:
    """One character as an L mask, squeezed to `width` x `height` (seal lettering is narrow)."""
    font = _font(height)
    x0, y0, x1, y1 = font.getbbox(ch)
    img = Image.new("L", (max(1, x1 - x0), max(1, y1 - y0)), 0)
    ImageDraw.Draw(img).text((-x0, -y0), ch, font=font, fill=255)
    return img.resize((max(1, width), max(1, height)), Image.LANCZOS)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r_out: float) -> None:
    r_in = r_out * 0.382  # the regular pentagram ratio
    pts = []
    for k in range(10):
        r = r_out if k % 2 == 0 else r_in
        a = math.radians(-90 + 36 * k)
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    draw.polygon(pts, fill=255)


def _ring_text(mask: Image.Image, text: str, cx: float, cy: float, a: float, b: float,
               char_h: int, span_deg: float) -> None:
    """Place `text` clockwise along the upper arc of the ellipse (a, b), glyph feet toward the centre."""
    n = len(text)
    span = math.radians(span_deg)
    arc_per_char = ((a + b) / 2) * span / max(n, 1)
    char_w = int(min(char_h * 0.95, arc_per_char * 0.92))
    for i, ch in enumerate(text):
        t = -span / 2 + span * (i + 0.5) / n  # 0 = top, clockwise positive
        x = cx + a * math.sin(t)
        y = cy - b * math.cos(t)
        # The glyph's "up" points along the outward normal of the ellipse at this point.
        nx, ny = math.sin(t) / a, -math.cos(t) / b
        rot = math.degrees(math.atan2(nx, -ny))
        g = _glyph(ch, char_h, char_w).rotate(-rot, resample=Image.BICUBIC, expand=True)
        mask.paste(255, (round(x - g.width / 2), round(y - g.height / 2)), g)


def _ink_texture(shape: tuple[int, int], rng: random.Random, ink: float) -> np.ndarray:
    """Uneven pressure times speckled dropouts, 0..1, the same size as the seal."""
    h, w = shape
    nrng = np.random.default_rng(rng.getrandbits(64))
    # Low-frequency pressure: a coarse random grid, smoothly upscaled, plus a tilt
    # because a hand presses one side harder.
    grid = nrng.uniform(0.6, 1.0, size=(5, 5)).astype(np.float32)
    pressure = np.asarray(
        Image.fromarray((grid * 255).astype(np.uint8), "L").resize((w, h), Image.BICUBIC),
        dtype=np.float32) / 255.0
    ang = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    tilt = ((xx / w - 0.5) * math.cos(ang) + (yy / h - 0.5) * math.sin(ang)) * rng.uniform(0.1, 0.35)
    pressure = np.clip(pressure + tilt, 0.35, 1.0)
    # High-frequency speckle: paper grain where ink did not take.
    speckle = nrng.random((h, w), dtype=np.float32)
    speckle = np.where(speckle < 0.10, 0.25, 1.0).astype(np.float32)
    speckle = np.asarray(Image.fromarray((speckle * 255).astype(np.uint8), "L")
                         .filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float32) / 255.0
    return np.clip(pressure * speckle * ink, 0.0, 1.0)


def draw_seal(org_name: str, *, diameter_px: int, oval: bool = False, star: bool = True,
              bottom_text: str | None = None, color: tuple[int, int, int] = SEAL_RED,
              ink: float = 1.0, rng: random.Random | None = None) -> Image.Image:
    """An official seal: ring, `org_name` along the upper arc, a star, optional bottom line.

    Returns an RGBA image (`diameter_px` wide; an oval seal is 2/3 as high) whose
    alpha carries the ink, with uneven pressure and speckle drawn from `rng`.
    `ink` scales the whole alpha (0.4 = a faint press).
    """
    if not org_name:
        raise ValueError("a seal needs an organisation name")
    if diameter_px < 40:
        raise ValueError(f"seal diameter {diameter_px}px is too small to draw legibly")
    rng = rng or random.Random(0)
    ss = 2  # supersample, then downscale: smooth edges without a blur
    w = diameter_px * ss
    h = round(w * (2 / 3)) if oval else w
    cx, cy = w / 2, h / 2
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)

    border = max(2, round(w * 0.035))
    draw.ellipse((1, 1, w - 2, h - 2), outline=255, width=border)

    n = len(org_name)
    char_h = round(w * (0.15 if n <= 12 else 0.13 if n <= 18 else 0.11))
    if oval:
        char_h = round(char_h * 0.8)
    gap = w * 0.03
    a = w / 2 - border - gap - char_h / 2
    b = h / 2 - border - gap - char_h / 2
    span = min(250.0, max(150.0, n * 19.0))
    _ring_text(mask, org_name, cx, cy, a, b, char_h, span)

    if star:
        r_star = (h if oval else w) * (0.14 if oval else 0.18)
        _star(draw, cx, cy - (h * 0.02), r_star)
    if bottom_text:
        # A line under the star (e.g. 合同专用章 or a registration number), squeezed
        # to fit inside the ring as seal engravers do.
        size = round(w * (0.08 if oval else 0.09))
        font = _font(size)
        x0, y0, x1, y1 = font.getbbox(bottom_text)
        line = Image.new("L", (x1 - x0, y1 - y0), 0)
        ImageDraw.Draw(line).text((-x0, -y0), bottom_text, font=font, fill=255)
        max_w = round(w * (0.5 if oval else 0.46))
        if line.width > max_w:
            line = line.resize((max_w, line.height), Image.LANCZOS)
        ty = cy + h * (0.2 if oval else 0.24)
        mask.paste(255, (round(cx - line.width / 2), round(ty - line.height / 2)), line)

    mask = mask.resize((diameter_px, round(h / ss)), Image.LANCZOS)
    alpha = np.asarray(mask, dtype=np.float32) / 255.0
    alpha *= _ink_texture(alpha.shape, rng, ink)
    out = Image.new("RGBA", mask.size, color + (0,))
    out.putalpha(Image.fromarray(np.round(alpha * 255).astype(np.uint8), "L"))
    return out


def composite_seal(page: Image.Image, seal: Image.Image, center: tuple[int, int],
                   angle: float = 0) -> Image.Image:
    """Press `seal` onto a copy of `page` at `center`, rotated by `angle` degrees (counter-clockwise).

    Multiply blending: each page pixel is multiplied by the ink colour where the
    ink lands, so text under the seal stays readable and dark. Works on RGB and
    L pages (an L page gets the seal's luminance, as a grayscale scan would).
    """
    if seal.mode != "RGBA":
        raise ValueError(f"seal must be RGBA, got {seal.mode}")
    mode = page.mode
    base = page.convert("RGB")
    s = seal.rotate(angle, resample=Image.BICUBIC, expand=True) if angle else seal
    x0 = round(center[0] - s.width / 2)
    y0 = round(center[1] - s.height / 2)
    # Clip the seal to the page: seals pressed at the edge are cut off.
    px0, py0 = max(0, x0), max(0, y0)
    px1, py1 = min(base.width, x0 + s.width), min(base.height, y0 + s.height)
    if px0 >= px1 or py0 >= py1:
        return page.copy()
    sub = np.asarray(s.crop((px0 - x0, py0 - y0, px1 - x0, py1 - y0)), dtype=np.float32) / 255.0
    region = np.asarray(base.crop((px0, py0, px1, py1)), dtype=np.float32) / 255.0
    a = sub[..., 3:4]
    blended = region * (1.0 - a + a * sub[..., :3])
    base.paste(Image.fromarray(np.round(blended * 255).astype(np.uint8), "RGB"), (px0, py0))
    return base.convert(mode) if mode in ("L", "1") else base


def _red_key(rgb: np.ndarray) -> np.ndarray:
    """Alpha 0..1 from how much redder than green/blue a pixel is."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    redness = r - np.maximum(g, b)
    return np.clip((redness - 25.0) / 90.0, 0.0, 1.0)


def real_seal(name: str, directory: Path | None = None) -> Image.Image:
    """A real seal from the shared crops, as an RGBA stamp cropped to its ink.

    `name` is a file name in `directory` (default `../shared/real-seals`), with or
    without extension. RGBA files are used as they are; others are colour-keyed:
    red pixels become ink, everything else (paper, black digits) transparent.
    """
    directory = directory or REAL_SEALS_DIR
    path = directory / name
    if not path.suffix:
        hits = sorted(directory.glob(name + ".*"))
        if not hits:
            raise FileNotFoundError(f"no real seal named {name!r} in {directory}")
        path = hits[0]
    if not path.exists():
        raise FileNotFoundError(f"no real seal {path}")
    img = Image.open(path)
    if img.mode == "RGBA":
        out = img.copy()
    else:
        rgb = np.asarray(img.convert("RGB"), dtype=np.float32)
        alpha = _red_key(rgb)
        # Ink colour: the observed pixel, pushed toward saturated red where the
        # scan washed it out, so multiply blending reproduces the stamp's red.
        col = np.clip(rgb * 0.6 + np.array(SEAL_RED, dtype=np.float32) * 0.4, 0, 255)
        out = Image.fromarray(np.dstack([col, alpha * 255]).round().astype(np.uint8), "RGBA")
    bbox = out.getchannel("A").point(lambda v: 255 if v > 20 else 0).getbbox()
    if bbox is None:
        raise ValueError(f"{path.name}: no red ink found to cut a seal from")
    return out.crop(bbox)
