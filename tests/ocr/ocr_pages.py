"""Small rendered pages for the OCR tests: real text drawn with Noto Sans CJK, real tesseract.

Pages are drawn at a chosen dpi on an A4 canvas; positions are given in mm so
that the same page can be drawn at 150 or 300 dpi.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

INFO_FIELDS = [
    ("平台名称", "华南先进材料中试平台"),
    ("依托单位", "广州新材科技股份有限公司"),
    ("统一社会信用代码", "91440101MA5CXY4R2K"),
    ("所在地市", "广州市"),
    ("中试设备或设施原值（万元）", "1,250.5"),
    ("专职技术或管理人员（人）", "12"),
    ("联系电话", "138****5678"),
    ("是否制定中试技术路线图", "是"),
    ("填报日期", "2026年12月28日"),
]

EQUIPMENT_HEADER = ["序号", "设备名称", "型号规格", "数量", "原值（万元）", "核心指标", "是否自主可控"]
EQUIPMENT_ROWS = [
    ["1", "真空熔炼炉", "VF-200", "2", "320.0", "1600℃", "是"],
    ["2", "热等静压机", "HIP-50", "1", "930.5", "200MPa", "否"],
]


@dataclass
class PageSpec:
    """What to draw: a title, a label|value table, optional equipment table and footer lines."""

    title: str = "储备中试平台申报信息表"
    fields: list[tuple[str, str]] = field(default_factory=lambda: list(INFO_FIELDS))
    equipment: list[list[str]] | None = None
    footer: list[str] = field(default_factory=list)
    grid: bool = True
    value_col_mm: float = 70.0  # width of the label column


def render_page(path: Path, spec: PageSpec, dpi: int = 300) -> Path:
    """Draw `spec` on a white A4 page at `dpi` and save it (PNG or JPEG by suffix)."""
    mm = dpi / 25.4
    width, height = int(210 * mm), int(297 * mm)
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    body = ImageFont.truetype(FONT, int(3.6 * mm))  # ~10.5 pt
    title_font = ImageFont.truetype(FONT, int(6 * mm))
    line_w = max(1, int(0.3 * mm))
    left, right = int(20 * mm), int(190 * mm)
    y = int(20 * mm)
    tw = draw.textlength(spec.title, font=title_font)
    draw.text(((width - tw) / 2, y), spec.title, font=title_font, fill="black")
    y += int(16 * mm)
    row_h = int(9 * mm)
    split = left + int(spec.value_col_mm * mm)
    for label, value in spec.fields:
        if spec.grid:
            draw.rectangle([left, y, right, y + row_h], outline="black", width=line_w)
            draw.line([split, y, split, y + row_h], fill="black", width=line_w)
        draw.text((left + int(2 * mm), y + int(2.2 * mm)), label, font=body, fill="black")
        draw.text((split + int(3 * mm), y + int(2.2 * mm)), value, font=body, fill="black")
        y += row_h
    if spec.equipment:
        y += int(8 * mm)
        draw.text((left, y), "设备要素表", font=body, fill="black")
        y += int(8 * mm)
        widths = [12, 32, 24, 14, 26, 30, 32]
        for row in spec.equipment:
            x = left
            for w, cell in zip(widths, row):
                cw = int(w * mm)
                if spec.grid:
                    draw.rectangle([x, y, x + cw, y + row_h], outline="black", width=line_w)
                draw.text((x + int(1.5 * mm), y + int(2.2 * mm)), cell, font=body, fill="black")
                x += cw
            y += row_h
    y += int(10 * mm)
    for text in spec.footer:
        draw.text((left + int(80 * mm), y), text, font=body, fill="black")
        y += int(9 * mm)
    img.save(path, dpi=(dpi, dpi))
    return path


def stamp(path: Path, out: Path, centre_mm: tuple[float, float], dpi: int, org: str = "广州新材科技股份有限公司") -> Path:
    """Press a red official seal (samples.sealdraw) centred at `centre_mm` of the page."""
    import random

    from samples.sealdraw import composite_seal, draw_seal, seal_diameter_px

    page = Image.open(path).convert("RGB")
    seal = draw_seal(org, diameter_px=seal_diameter_px(dpi), rng=random.Random(7))
    mm = dpi / 25.4
    composite_seal(page, seal, (int(centre_mm[0] * mm), int(centre_mm[1] * mm))).convert("RGB").save(out, dpi=(dpi, dpi))
    return out


def degrade(
    path: Path,
    out: Path,
    *,
    skew: float = 0.0,
    rotate180: bool = False,
    gray: bool = False,
    bilevel: bool = False,
    jpeg_quality: int | None = None,
    noise: float = 0.0,
    seed: int = 1,
) -> Path:
    """A photocopy/scanner look: skew (degrees, counter-clockwise), 180° turn, gray or B&W, grain, JPEG."""
    import numpy as np

    img = Image.open(path).convert("RGB")
    dpi = img.info.get("dpi", (300, 300))
    if skew:
        img = img.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor="white")
    if rotate180:
        img = img.rotate(180)
    if noise:
        arr = np.asarray(img).astype(np.int16)
        rng = np.random.default_rng(seed)
        arr = arr + rng.normal(0, noise, arr.shape[:2])[..., None].astype(np.int16)
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if gray:
        img = img.convert("L")
    if bilevel:
        img = img.convert("L").point(lambda v: 255 if v > 150 else 0).convert("1")
    if jpeg_quality:
        img.convert("L" if (gray or bilevel) else "RGB").save(out, "JPEG", quality=jpeg_quality, dpi=dpi)
    else:
        img.save(out, dpi=dpi)
    return out
