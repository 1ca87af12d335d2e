"""Page layouts in millimetres, shared by the PDF and the scan renderers.

A layout is a list of pages of drawing operations (text at a baseline, ruled
lines) plus named anchors (value cells, the signature point) so that a case
can smudge a value or press a seal over the numbers. Both renderers draw the
same layout, so a born-digital PDF and a scan of the same sheet look alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from PIL import ImageFont

from samples.model import EQUIPMENT_HEADER, EQUIPMENT_TITLE, SHEET_TITLE, SIGNATURE_LABEL, SheetRow

A4 = (210.0, 297.0)
A4_LANDSCAPE = (297.0, 210.0)
PT_MM = 25.4 / 72  # one typographic point in millimetres
# Metrics come from the font the born-digital PDFs embed; the scan font (Noto
# Sans CJK) has the same 1-em CJK advance, so wrapping matches closely enough.
METRIC_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


@dataclass(frozen=True)
class Text:
    x: float  # mm; left edge, or centre when align == "center"
    y: float  # mm from the top, baseline
    size: float  # pt
    text: str
    bold: bool = False
    align: str = "left"


@dataclass(frozen=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.3  # mm


@dataclass
class PageLayout:
    size: tuple[float, float]  # mm (width, height)
    ops: list = field(default_factory=list)


@dataclass(frozen=True)
class Anchor:
    page: int  # 1-based
    box: tuple[float, float, float, float]  # mm (x0, y0, x1, y1)


@dataclass
class DocLayout:
    pages: list[PageLayout]
    anchors: dict[str, Anchor]  # "field:<key>", "signature", "equipment_values", "sign_date"


@lru_cache(maxsize=8)
def _metric_font(size_pt: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(METRIC_FONT, 100, index=0)


def text_width_mm(text: str, size_pt: float) -> float:
    return _metric_font(0).getlength(text) / 100 * size_pt * PT_MM


def wrap(text: str, width_mm: float, size_pt: float) -> list[str]:
    """Break `text` into lines no wider than `width_mm` (character wrapping, as CJK forms do)."""
    lines: list[str] = []
    cur = ""
    for ch in text:
        if cur and text_width_mm(cur + ch, size_pt) > width_mm:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    return lines + [cur] if cur or not lines else lines


@dataclass
class _Flow:
    """A cursor that moves down the page and opens new pages when full."""

    size: tuple[float, float]
    margin: float
    pages: list[PageLayout] = field(default_factory=list)
    y: float = 0.0

    def __post_init__(self) -> None:
        self.new_page()

    def new_page(self) -> None:
        self.pages.append(PageLayout(self.size))
        self.y = self.margin

    @property
    def page(self) -> PageLayout:
        return self.pages[-1]

    def ensure(self, height: float) -> None:
        if self.y + height > self.size[1] - self.margin:
            self.new_page()


FONT_PT = 10.5
LINE_MM = 5.2
PAD_MM = 1.6


def _row(flow: _Flow, xs: list[float], cells: list[str], size: float = FONT_PT,
         center: tuple[bool, ...] | None = None) -> tuple[float, float, list[tuple[float, float, float, float]]]:
    """Draw one ruled table row; returns (top, bottom, cell boxes)."""
    wrapped = [wrap(c, xs[i + 1] - xs[i] - 2 * PAD_MM, size) for i, c in enumerate(cells)]
    height = max(len(w) for w in wrapped) * LINE_MM + 2 * PAD_MM
    flow.ensure(height)
    top = flow.y
    ops = flow.page.ops
    boxes = []
    for i, lines in enumerate(wrapped):
        x0, x1 = xs[i], xs[i + 1]
        for j, line in enumerate(lines):
            base = top + PAD_MM + (j + 0.8) * LINE_MM
            if center and center[i]:
                ops.append(Text((x0 + x1) / 2, base, size, line, align="center"))
            else:
                ops.append(Text(x0 + PAD_MM, base, size, line))
        boxes.append((x0, top, x1, top + height))
    bottom = top + height
    ops.append(Line(xs[0], top, xs[-1], top))
    ops.append(Line(xs[0], bottom, xs[-1], bottom))
    for x in xs:
        ops.append(Line(x, top, x, bottom))
    flow.y = bottom
    return top, bottom, boxes


def info_sheet_layout(rows: list[SheetRow], equipment: list[tuple[str, ...]] | None, *,
                      host_unit: str, date_text: str, marking: str | None = None,
                      seal_over_table: bool = False) -> DocLayout:
    """The information sheet (docs/architecture.md "Document layouts")."""
    margin = 20.0
    flow = _Flow(A4, margin)
    anchors: dict[str, Anchor] = {}
    width = A4[0] - 2 * margin
    if marking:
        # Classification markings sit at the top left of the first page, above the title.
        flow.page.ops.append(Text(margin, flow.y + 5, 14, marking, bold=True))
        flow.y += 9
    flow.page.ops.append(Text(A4[0] / 2, flow.y + 8, 18, SHEET_TITLE, bold=True, align="center"))
    flow.y += 16
    xs = [margin, margin + width * 0.42, margin + width]
    for r in rows:
        _, _, boxes = _row(flow, xs, [r.label, r.text])
        anchors[f"field:{r.key}"] = Anchor(len(flow.pages), boxes[1])
    if equipment is not None:
        flow.ensure(30)
        flow.y += 8
        flow.page.ops.append(Text(margin, flow.y, 12, EQUIPMENT_TITLE, bold=True))
        flow.y += 3
        fr = [0.06, 0.19, 0.13, 0.06, 0.14, 0.28, 0.14]
        exs = [margin]
        for f in fr:
            exs.append(exs[-1] + f * width)
        exs[-1] = margin + width
        _row(flow, exs, list(EQUIPMENT_HEADER), size=9, center=(True,) * 7)
        first_top = None
        for er in equipment:
            top, bottom, boxes = _row(flow, exs, list(er), size=9.5,
                                      center=(True, False, False, True, True, False, True))
            first_top = top if first_top is None else first_top
            anchors["equipment_values"] = Anchor(len(flow.pages), (exs[3], first_top, exs[5], bottom))
    # Signature block: right half of the page, the seal pressed over the name and date.
    need = 10 if seal_over_table else 45
    flow.ensure(need)
    flow.y += 6 if seal_over_table else 22
    x = margin + width * 0.40
    flow.page.ops.append(Text(x, flow.y, FONT_PT, SIGNATURE_LABEL + host_unit))
    name_w = text_width_mm(SIGNATURE_LABEL + host_unit, FONT_PT)
    sig_y = flow.y
    flow.y += 10
    flow.page.ops.append(Text(x + width * 0.22, flow.y, FONT_PT, "日期：" + date_text))
    anchors["sign_date"] = Anchor(len(flow.pages), (x + width * 0.22, flow.y - 5, x + width * 0.6, flow.y + 1))
    cx = min(x + name_w * 0.62, A4[0] - margin - 18)
    cy = (sig_y + flow.y) / 2 - (14 if seal_over_table else 0)
    anchors["signature"] = Anchor(len(flow.pages), (cx - 21, cy - 21, cx + 21, cy + 21))
    return DocLayout(flow.pages, anchors)


SUMMARY_HEADER = ("序号", "平台名称", "依托单位", "统一社会信用代码", "重点方向", "所在地市", "联系人", "联系电话")


def summary_layout(title: str, rows: list[tuple[str, ...]], *, department: str, date_text: str) -> DocLayout:
    """The province's summary table, landscape."""
    margin = 15.0
    flow = _Flow(A4_LANDSCAPE, margin)
    width = A4_LANDSCAPE[0] - 2 * margin
    flow.page.ops.append(Text(A4_LANDSCAPE[0] / 2, flow.y + 8, 17, title, bold=True, align="center"))
    flow.y += 16
    fr = [0.05, 0.19, 0.19, 0.15, 0.15, 0.07, 0.08, 0.12]
    xs = [margin]
    for f in fr:
        xs.append(xs[-1] + f * width)
    xs[-1] = margin + width
    _row(flow, xs, list(SUMMARY_HEADER), size=9.5, center=(True,) * 8)
    for r in rows:
        _row(flow, xs, list(r), size=9, center=(True, False, False, False, False, True, True, True))
    flow.ensure(40)
    flow.y += 18
    x = margin + width * 0.58
    label = f"{department}（盖章）"
    flow.page.ops.append(Text(x, flow.y, FONT_PT + 1, label))
    sig_y = flow.y
    flow.y += 10
    flow.page.ops.append(Text(x + 20, flow.y, FONT_PT + 1, date_text))
    cx = x + text_width_mm(label, FONT_PT + 1) * 0.55
    cy = (sig_y + flow.y) / 2
    anchors = {"signature": Anchor(len(flow.pages), (cx - 21, cy - 21, cx + 21, cy + 21))}
    return DocLayout(flow.pages, anchors)
