"""The seal evaluation set: rendered signature pages with seals, scan conditions and decoys.

Each `SealSample` is one page image with its ground truth (is a seal at the
signature block, where, whose, which conditions). Pages are rendered on the fly
from a seed, so nothing large is committed; `build_set` yields them one at a
time so a caller never holds the whole set's pixels.

Seals come from `samples.sealdraw` (drawn) and from `../shared/real-seals`
(real crops, when that folder is present beside the repository).
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from samples.sealdraw import REAL_SEALS_DIR, composite_seal, draw_seal, real_seal, seal_diameter_px

TEXT_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TEXT_FONT_INDEX = 2  # the Simplified Chinese member of the collection
A4_CM = (21.0, 29.7)
SEAL_RED = (218, 37, 29)

HOST_UNITS = [
    "广东华南新材料中试基地有限公司",
    "江苏先进制造技术研究院有限公司",
    "浙江精密仪器工程技术中心有限公司",
    "山东海洋装备中试验证有限公司",
    "湖北光谷信息技术中试平台有限公司",
    "四川天府生物医药中试服务有限公司",
    "北京中关村智能装备研究院",
    "上海临港集成电路中试有限公司",
    "安徽合肥新能源材料股份有限公司",
    "陕西西安航空部件中试中心有限公司",
]
DEPARTMENTS = ["广东省工业和信息化厅", "浙江省经济和信息化厅", "重庆市经济和信息化委员会", "江苏省工业和信息化厅"]
BOTTOM_TEXTS = [None, None, "合同专用章", "4401060012345", None]
# Real crops that hold one whole stamp (the rest are cut or crowded by design).
REAL_NAMES = ["getseal_out", "khoi_stamp_14", "khoi_stamp_43", "khoi_stamp_66", "khoi_stamp_116",
              "khoi_stamp_28", "khoi_stamp_0", "khoi_stamp_57"]
REAL_SIGNERS = {
    "getseal_out": "北京中导开源科技有限公司",
    "khoi_stamp_14": "招商银行股份有限公司",
    "khoi_stamp_43": "招商银行股份有限公司",
    "khoi_stamp_57": "招商银行股份有限公司",
    "khoi_stamp_66": "支付宝(中国)网络技术有限公司",
    "khoi_stamp_116": "支付宝(中国)网络技术有限公司",
    "khoi_stamp_0": "支付宝(中国)网络技术有限公司",
    "khoi_stamp_28": "北京银行",
}


@dataclass
class RenderedPage:
    """A rendered page, its words (one per character for Chinese, as OCR often splits them) and the anchor."""

    image: Image.Image
    dpi: int
    words: list[tuple[str, tuple[float, float, float, float]]]
    anchor: tuple[float, float, float, float]  # the `（盖章）` label's box
    signer: str  # the organisation named at the signature block


@dataclass
class SealSample:
    """One evaluation page and its truth."""

    name: str
    image: Image.Image  # RGB, or L for grayscale / black-and-white scans
    dpi: int
    words: list[tuple[str, tuple[float, float, float, float]]]
    expected_signer: str
    seal_bbox: tuple[float, float, float, float] | None  # truth box of the seal at the block, clipped
    seal_text: str | None  # the name on the seal's ring
    legible: bool  # ring text drawn clearly enough that a reader should manage it (B&W: no glyph lost)
    conditions: list[str] = field(default_factory=list)  # colour|gray|bw, round|oval, faint, ...
    summary: bool = False
    glyphs_lost: bool = False  # legible as drawn, but a glyph did not survive the B&W threshold

    @property
    def has_seal(self) -> bool:
        return self.seal_bbox is not None


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(TEXT_FONT), size, index=TEXT_FONT_INDEX)


def _px(cm: float, dpi: int) -> int:
    return round(cm / 2.54 * dpi)


def _text_words(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int,
                fill=(0, 0, 0), per_char: bool = True) -> tuple[list, tuple[int, int, int, int]]:
    """Draw `text`; return its words (one per character, or one for the whole run) and its box."""
    font = _font(size)
    x, y = xy
    words = []
    if per_char:
        for ch in text:
            w = font.getlength(ch)
            if not ch.isspace():
                words.append((ch, (x, y, x + w, y + size)))
            x += w
    else:
        w = font.getlength(text)
        words.append((text, (x, y, x + w, y + size)))
        x += w
    draw.text(xy, text, font=font, fill=fill)
    return words, (xy[0], xy[1], round(x), xy[1] + size)


def render_page(signer: str, *, dpi: int, rng: random.Random, summary: bool = False,
                anchor_at: tuple[float, float] | None = None) -> RenderedPage:
    """A last page of an information sheet (or a summary table) with its signature block.

    The table above the block gives the seal text and ruled lines to overlap; the
    block sits at `anchor_at` (fractions of the page) or at a random lower spot.
    """
    wcm, hcm = (A4_CM[1], A4_CM[0]) if summary else A4_CM
    W, H = _px(wcm, dpi), _px(hcm, dpi)
    img = Image.new("RGB", (W, H), (255, 255, 255))
    d = ImageDraw.Draw(img)
    words: list = []
    fs = _px(0.42, dpi)
    margin = _px(2.2, dpi)
    y = _px(2.0, dpi)
    title = "储备中试平台汇总表" if summary else "储备中试平台申报信息表（续）"
    ws, _ = _text_words(d, (margin, y), title, round(fs * 1.4))
    words += ws
    y += round(fs * 3)
    # A ruled table: label | value rows, then the equipment table rows.
    rows = rng.randint(6, 10)
    row_h = round(fs * 2.0)
    col = margin + _px(6.5, dpi)
    right = W - margin
    labels = ["是否制定中试技术路线图", "是否制定中试服务清单", "是否建立内部管理制度", "是否制定规划建设方案",
              "是否依托工业和信息化部直属单位", "服务企业数量（家）", "新产品产业化（项）", "专职技术人员（人）",
              "上年度中试服务收入（万元）", "填报日期"]
    values = ["是", "否", "是", "128", "2026年12月28日", "1,250.5万元", "15", "☑是 □否"]
    line_w = max(1, round(dpi / 150))
    for i in range(rows + 1):
        d.line((margin, y + i * row_h, right, y + i * row_h), fill=(0, 0, 0), width=line_w)
    for x in (margin, col, right):
        d.line((x, y, x, y + rows * row_h), fill=(0, 0, 0), width=line_w)
    for i in range(rows):
        ty = y + i * row_h + (row_h - fs) // 2
        ws, _ = _text_words(d, (margin + fs // 2, ty), labels[i % len(labels)], fs)
        words += ws
        ws, _ = _text_words(d, (col + fs // 2, ty), rng.choice(values), fs)
        words += ws
    y += rows * row_h + round(fs * 2)
    # A paragraph of running text between the table and the block.
    para = "本单位承诺所填报信息真实、准确、完整，并对其真实性负责。如有不实，愿承担相应责任。"
    per_line = max(10, (right - margin) // fs - 1)
    for k in range(0, len(para), per_line):
        ws, _ = _text_words(d, (margin, y), para[k:k + per_line], fs)
        words += ws
        y += round(fs * 1.8)
    # The signature block.
    if anchor_at is None:
        ax = rng.uniform(0.12, 0.35) if not summary else rng.uniform(0.45, 0.6)
        ay = rng.uniform(max(y / H + 0.05, 0.55), 0.8)
    else:
        ax, ay = anchor_at
    label = f"{signer}（盖章）：" if summary else "依托单位（盖章）："
    ws, box = _text_words(d, (round(ax * W), round(ay * H)), label, fs)
    words += ws
    anchor = box
    if not summary:
        ws, _ = _text_words(d, (box[2], box[1]), signer, fs)
        words += ws
    ws, _ = _text_words(d, (box[0] + _px(4, dpi), box[1] + round(fs * 2.5)), "日期：2026年12月28日", fs)
    words += ws
    return RenderedPage(img, dpi, words, anchor, signer)


# ---------------------------------------------------------------- decoys


def _red_letterhead(img: Image.Image, dpi: int, rng: random.Random) -> None:
    """红头: a large red title and a red rule under it, at the top of the page."""
    d = ImageDraw.Draw(img)
    W = img.width
    size = _px(1.1, dpi)
    text = rng.choice(["广东省工业和信息化厅文件", "关于报送储备中试平台的函", "浙江省经济和信息化厅"])
    f = _font(size)
    tw = f.getlength(text)
    y = _px(0.6, dpi)
    d.text(((W - tw) / 2, y), text, font=f, fill=SEAL_RED)
    ry = y + size + _px(0.5, dpi)
    d.line((_px(1.5, dpi), ry, W - _px(1.5, dpi), ry), fill=SEAL_RED, width=max(2, _px(0.08, dpi)))
    # Some letterheads have a star in the rule, which a careless detector takes for a seal's.
    if rng.random() < 0.5:
        cx, r = W / 2, _px(0.35, dpi)
        pts = [(cx + (r if k % 2 == 0 else r * 0.38) * math.cos(math.radians(-90 + 36 * k)),
                ry + (r if k % 2 == 0 else r * 0.38) * math.sin(math.radians(-90 + 36 * k))) for k in range(10)]
        d.polygon(pts, fill=SEAL_RED)


def _logo(img: Image.Image, dpi: int, rng: random.Random, colour: tuple[int, int, int],
          center: tuple[int, int] | None = None, diameter_cm: float | None = None) -> None:
    """A round logo: filled disc with a letter, a thick ring with an emblem, or a small badge."""
    d = ImageDraw.Draw(img)
    style = rng.choice(["disc", "thick_ring", "badge", "emblem"])
    dia = _px(diameter_cm or (rng.uniform(1.2, 2.0) if style == "badge" else rng.uniform(3.8, 4.6)), dpi)
    cx, cy = center or (_px(rng.uniform(2.5, 4.0), dpi), _px(rng.uniform(1.5, 3.0), dpi))
    r = dia / 2
    box = (cx - r, cy - r, cx + r, cy + r)
    if style == "disc":
        d.ellipse(box, fill=colour)
        f = _font(round(dia * 0.5))
        d.text((cx - f.getlength("中") / 2, cy - dia * 0.3), "中", font=f, fill=(255, 255, 255))
    elif style == "thick_ring":
        d.ellipse(box, outline=colour, width=round(dia * 0.16))
        d.ellipse((cx - r * 0.4, cy - r * 0.4, cx + r * 0.4, cy + r * 0.4), fill=colour)
    elif style == "badge":
        d.ellipse(box, outline=colour, width=max(2, round(dia * 0.05)))
        f = _font(round(dia * 0.45))
        d.text((cx - f.getlength("①") / 2, cy - dia * 0.3), "①", font=f, fill=colour)
    else:  # an emblem: ring, a gear-like inner ring and spokes, no lettering
        w = max(2, round(dia * 0.035))
        d.ellipse(box, outline=colour, width=w)
        d.ellipse((cx - r * 0.45, cy - r * 0.45, cx + r * 0.45, cy + r * 0.45), outline=colour, width=w * 2)
        for k in range(8):
            a = math.radians(k * 45)
            d.line((cx + r * 0.45 * math.cos(a), cy + r * 0.45 * math.sin(a),
                    cx + r * 0.7 * math.cos(a), cy + r * 0.7 * math.sin(a)), fill=colour, width=w * 2)


def _handwriting(img: Image.Image, dpi: int, rng: random.Random, center: tuple[int, int],
                 colour: tuple[int, int, int]) -> None:
    """Handwritten strokes: a signature scrawl and a loop drawn around a value, as reviewers do."""
    d = ImageDraw.Draw(img)
    cx, cy = center
    w = max(2, _px(0.06, dpi))
    pts = []
    x = cx - _px(2.5, dpi)
    for k in range(60):
        x += _px(0.09, dpi)
        pts.append((x, cy + _px(0.5, dpi) * math.sin(k * rng.uniform(0.5, 0.9)) + rng.uniform(-3, 3)))
    d.line(pts, fill=colour, width=w, joint="curve")
    # A hand-drawn loop (not closed, wobbly) around some text.
    r = _px(rng.uniform(1.8, 2.6), dpi)
    loop = []
    for k in range(80):
        a = math.radians(-30 + k * 4.3)
        rr = r * (1 + 0.08 * math.sin(k * 0.3)) 
        loop.append((cx + rr * 1.3 * math.cos(a), cy - _px(3, dpi) + rr * 0.6 * math.sin(a)))
    d.line(loop, fill=colour, width=w, joint="curve")


def _red_table_lines(img: Image.Image, dpi: int, rng: random.Random) -> None:
    """A red-ruled grid over the middle of the page (reviewers' red tables, red forms)."""
    d = ImageDraw.Draw(img)
    W, H = img.size
    x0, x1 = _px(2, dpi), W - _px(2, dpi)
    y0 = round(H * rng.uniform(0.35, 0.5))
    rows, cols = rng.randint(4, 7), rng.randint(3, 6)
    rh, cw = _px(1.0, dpi), (x1 - x0) / cols
    lw = max(1, round(dpi / 150))
    for i in range(rows + 1):
        d.line((x0, y0 + i * rh, x1, y0 + i * rh), fill=SEAL_RED, width=lw)
    for j in range(cols + 1):
        d.line((x0 + j * cw, y0, x0 + j * cw, y0 + rows * rh), fill=SEAL_RED, width=lw)


# ---------------------------------------------------------------- scan conditions


def to_gray(img: Image.Image) -> Image.Image:
    return img.convert("L")


def to_bw(img: Image.Image, threshold: int = 150) -> Image.Image:
    """A black-and-white scan: a fixed threshold, as office scanners do (kept as L, 0/255)."""
    return img.convert("L").point(lambda v: 255 if v >= threshold else 0)


def jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert(img.mode)


def _scanner_noise(img: Image.Image, rng: random.Random) -> Image.Image:
    """Slight blur, paper tint and sensor noise of a real scanner."""
    import cv2  # noqa: PLC0415 - only the set needs it, and it is fast on full pages

    arr = cv2.GaussianBlur(np.asarray(img), (0, 0), rng.uniform(0.3, 0.8))
    nrng = np.random.default_rng(rng.getrandbits(32))
    noise = nrng.integers(-6, 7, size=arr.shape, dtype=np.int16)
    out = arr.astype(np.int32) * round(rng.uniform(0.93, 1.0) * 256) // 256 + noise
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), img.mode)


# ---------------------------------------------------------------- the set


def _seal_box(center: tuple[float, float], size: tuple[int, int], angle: float,
              page: tuple[int, int]) -> tuple[float, float, float, float]:
    """Truth box of a seal image pressed at `center`, rotated, clipped to the page."""
    w, h = size
    t = math.radians(angle)
    # The ink is an ellipse inscribed in the seal image: its rotated bounding box.
    hw = math.hypot(w / 2 * math.cos(t), h / 2 * math.sin(t))
    hh = math.hypot(w / 2 * math.sin(t), h / 2 * math.cos(t))
    x0, y0, x1, y1 = center[0] - hw, center[1] - hh, center[0] + hw, center[1] + hh
    return (max(0.0, x0), max(0.0, y0), min(float(page[0]), x1), min(float(page[1]), y1))


def _ring_bbox(seal: Image.Image) -> tuple[int, int]:
    return seal.size


def make_sample(index: int, seed: int = 0, *, dpi: int | None = None, real_dir: Path | None = None,
                conditions: tuple[str, ...] | None = None) -> SealSample:
    """Sample number `index` of the set for `seed`: its conditions cycle through the set's grid."""
    rng = random.Random(seed * 100_003 + index)
    grid = CONDITION_GRID
    conds = list(conditions or grid[index % len(grid)])
    dpi = dpi or rng.choice([200, 300, 300, 300, 150])
    summary = "summary" in conds
    signer = rng.choice(DEPARTMENTS) if summary else rng.choice(HOST_UNITS)
    page = render_page(signer, dpi=dpi, rng=rng, summary=summary)
    img = page.image
    W, H = img.size
    seal_bbox = None
    seal_text = None
    legible = False
    glyphs_lost = False  # drawn legibly, but the B&W threshold wiped out a glyph

    if "decoy" in conds:
        kind = next(c for c in conds if c.startswith("decoy_"))
        near = (round(page.anchor[2]), round(page.anchor[1] - _px(1.0, dpi)))
        colour = (20, 20, 20) if kind == "decoy_black_logo" else SEAL_RED
        if kind == "decoy_letterhead":
            _red_letterhead(img, dpi, rng)
        elif kind == "decoy_logo":
            _logo(img, dpi, rng, SEAL_RED)
            _logo(img, dpi, rng, SEAL_RED, center=near)
        elif kind == "decoy_handwriting":
            _handwriting(img, dpi, rng, (round(page.anchor[2] + _px(2, dpi)), round(page.anchor[3])), SEAL_RED)
        elif kind == "decoy_table":
            _red_table_lines(img, dpi, rng)
        elif kind == "decoy_black_logo":
            _logo(img, dpi, rng, colour)
            _logo(img, dpi, rng, colour, center=near)
        elif kind == "decoy_mix":
            _red_letterhead(img, dpi, rng)
            _red_table_lines(img, dpi, rng)
            _handwriting(img, dpi, rng, (round(page.anchor[2] + _px(2, dpi)), round(page.anchor[3])), SEAL_RED)
    elif "missing" not in conds:
        oval = "oval" in conds
        if "real" in conds:
            names = [n for n in REAL_NAMES if (real_dir or REAL_SEALS_DIR).exists()]
            name = names[index % len(names)]
            seal = real_seal(name, real_dir)
            target = seal_diameter_px(dpi, rng.uniform(4.0, 4.6))
            scale = target / max(seal.size)
            seal = seal.resize((max(1, round(seal.width * scale)), max(1, round(seal.height * scale))), Image.LANCZOS)
            seal_text = REAL_SIGNERS.get(name)
            signer = seal_text or signer
            legible = False  # real crops are blurred, rotated or overprinted; not scored for reading
        else:
            dia = seal_diameter_px(dpi, rng.uniform(4.0, 4.5) if not oval else rng.uniform(4.2, 4.8))
            ink = rng.uniform(0.35, 0.55) if "faint" in conds else rng.uniform(0.8, 1.0)
            other = "mismatch" in conds
            seal_text = rng.choice([u for u in HOST_UNITS + DEPARTMENTS if u != signer]) if other else signer
            seal = draw_seal(seal_text, diameter_px=dia, oval=oval, star="nostar" not in conds,
                             bottom_text=rng.choice(BOTTOM_TEXTS), ink=ink, rng=rng)
            if "lowsat" in conds:
                seal = _desaturate(seal, rng.uniform(0.45, 0.6))
            legible = "faint" not in conds
            if "bw" in conds and legible and not glyphs_survive_threshold(seal, len(seal_text), oval=oval):
                legible, glyphs_lost = False, True
        angle = rng.uniform(-35, 35) if "rotated" in conds else rng.uniform(-4, 4)
        if "edge" in conds:
            # Cut by the right page edge: 55–75 % of the seal stays on the page.
            cx = W - seal.width * rng.uniform(0.05, 0.25)
            cy = page.anchor[1] + rng.uniform(-0.2, 0.3) * seal.height
        else:
            # Pressed over the signer's name and date, as a clerk presses it.
            cx = page.anchor[2] + rng.uniform(0.1, 0.9) * seal.width * 0.8
            cy = page.anchor[1] + rng.uniform(-0.1, 0.6) * seal.height
            cx = min(cx, W - seal.width / 2 - 5)
        center = (round(cx), round(cy))
        if "signature" in conds:
            ImageDraw.Draw(img)  # the scrawl goes on first: the seal is pressed over it
            _handwriting(img, dpi, rng, (center[0] - seal.width // 4, center[1] + seal.height // 5), (25, 25, 60))
        img = composite_seal(img, seal, center, angle)
        seal_bbox = _seal_box(center, seal.size, angle, (W, H))
        if "edge" in conds:
            legible = glyphs_lost = False
    if "gray" in conds:
        img = to_gray(img)
    elif "bw" in conds:
        img = to_bw(img)
    img = _scanner_noise(img, rng)
    if "jpeg" in conds or rng.random() < 0.3:
        img = jpeg(img, rng.randint(55, 85))
    return SealSample(f"{index:03d}-{'+'.join(conds)}", img, dpi, page.words, signer, seal_bbox, seal_text,
                      legible, conds, summary, glyphs_lost)


# A black-and-white scan keeps a pixel black when its gray level is below this (`to_bw`).
BW_THRESHOLD = 150
# A glyph that keeps less than this share of its drawn ink after the threshold has lost
# most of its strokes. (A firmly pressed glyph keeps 0.6-0.7 by this count: its soft rim
# and the speckle where ink did not take count as drawn ink too.)
GLYPH_INK_KEPT = 0.30


def glyph_ink_kept(seal: Image.Image, n_glyphs: int, *, oval: bool,
                   threshold: int = BW_THRESHOLD) -> list[float]:
    """Per glyph of the ring name, the share of its ink that a black-and-white scanner keeps.

    Judged from the drawn seal itself (its ink over white paper, thresholded as `to_bw`
    does), not from any reader's output. Glyphs follow `samples.sealdraw.draw_seal`'s layout:
    evenly over an arc of min(250, max(150, 19 n)) degrees centred on the top, clockwise, in
    a band inside the ring (normalised radius 0.50-0.90 of the semi-axes; 0.40-0.86 on ovals,
    whose lettering sits relatively deeper).
    """
    rgba = np.asarray(seal, dtype=np.float32) / 255.0
    a = rgba[..., 3]
    over_white = 255.0 * (1.0 - a[..., None] + a[..., None] * rgba[..., :3])
    gray = over_white @ np.array([0.299, 0.587, 0.114], np.float32)
    h, w = a.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = (xx + 0.5 - w / 2) / (w / 2), (yy + 0.5 - h / 2) / (h / 2)
    r = np.hypot(u, v)
    t = np.degrees(np.arctan2(u, -v))  # 0 at the top, clockwise positive, as draw_seal places glyphs
    lo, hi = (0.40, 0.86) if oval else (0.50, 0.90)
    band = (r >= lo) & (r <= hi) & (a > 0.05)
    span = min(250.0, max(150.0, n_glyphs * 19.0))
    step = span / n_glyphs
    kept = []
    for i in range(n_glyphs):
        t0 = -span / 2 + step * i
        sel = band & (t >= t0) & (t < t0 + step)
        ink = int(np.count_nonzero(sel))
        kept.append(float(np.count_nonzero(sel & (gray < threshold))) / ink if ink else 0.0)
    return kept


def glyphs_survive_threshold(seal: Image.Image, n_glyphs: int, *, oval: bool) -> bool:
    """True when no glyph of the ring name is lost on a B&W scan (each keeps GLYPH_INK_KEPT of its ink)."""
    return min(glyph_ink_kept(seal, n_glyphs, oval=oval)) >= GLYPH_INK_KEPT


def _desaturate(seal: Image.Image, amount: float) -> Image.Image:
    """A washed-out, brownish ink: the seal's colour pulled toward gray."""
    r, g, b, a = seal.split()
    rgb = np.asarray(Image.merge("RGB", (r, g, b)), dtype=np.float32)
    gray = rgb.mean(axis=2, keepdims=True)
    out = rgb * (1 - amount) + gray * amount
    return Image.merge("RGBA", (*Image.fromarray(out.astype(np.uint8), "RGB").split(), a))


CONDITION_GRID: list[tuple[str, ...]] = [
    ("colour", "round"),
    ("colour", "round", "nostar"),
    ("colour", "oval"),
    ("colour", "oval", "nostar"),
    ("colour", "round", "faint"),
    ("colour", "round", "lowsat"),
    ("colour", "round", "signature"),
    ("colour", "round", "rotated"),
    ("colour", "round", "edge"),
    ("colour", "real"),
    ("colour", "round", "summary"),
    ("colour", "round", "mismatch"),
    ("gray", "round"),
    ("gray", "oval"),
    ("gray", "round", "faint"),
    ("gray", "round", "signature"),
    ("gray", "round", "rotated"),
    ("gray", "real"),
    ("bw", "round"),
    ("bw", "oval"),
    ("bw", "round", "rotated"),
    ("colour", "decoy", "decoy_letterhead"),
    ("colour", "decoy", "decoy_logo"),
    ("colour", "decoy", "decoy_handwriting"),
    ("colour", "decoy", "decoy_table"),
    ("colour", "decoy", "decoy_mix"),
    ("gray", "decoy", "decoy_black_logo"),
    ("bw", "decoy", "decoy_black_logo"),
    ("colour", "missing"),
    ("gray", "missing"),
]


def build_set(n: int, seed: int = 0, *, real_dir: Path | None = None) -> Iterator[SealSample]:
    """The first `n` samples of the set for `seed`, one at a time."""
    have_real = (real_dir or REAL_SEALS_DIR).exists()
    for i in range(n):
        conds = CONDITION_GRID[i % len(CONDITION_GRID)]
        if "real" in conds and not have_real:
            continue
        yield make_sample(i, seed, real_dir=real_dir)
