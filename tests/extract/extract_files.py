"""Real .xlsx and PDF files in the layouts of docs/architecture.md, for the extractor tests."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT = "WQYZenHeiTest"

EQUIPMENT_HEADER = ["序号", "设备名称", "型号规格", "数量", "原值（万元）", "核心指标", "是否自主可控"]
SUMMARY_HEADER = ["序号", "平台名称", "依托单位", "统一社会信用代码", "重点方向", "所在地市", "联系人", "联系电话"]


SYMBOL_FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SYMBOL_FONT = "DejaVuSansTest"
# Zen Hei has no ballot boxes with a tick; DejaVu Sans draws those, as a form's symbol font would.
SYMBOLS = "☑☐✓✔"


def font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))
        pdfmetrics.registerFont(TTFont(SYMBOL_FONT, SYMBOL_FONT_FILE))
    return FONT


def write_info_xlsx(path: Path, rows: list[tuple[str, object]], equipment: list[list[object]] | None, *,
                    equipment_sheet: bool = False, marking: str | None = None, signer: str | None = None) -> Path:
    """申报信息表 sheet: title A1, labels in A, values in B; equipment after a blank row or in its own sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "申报信息表"
    if marking:
        ws.append([marking])
    ws.append(["储备中试平台申报信息表"])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=7)
    for label, value in rows:
        ws.append([label, value])
    if equipment is not None:
        target = wb.create_sheet("设备要素表") if equipment_sheet else ws
        if not equipment_sheet:
            ws.append([])
        target.append(["设备要素表"])
        target.append(EQUIPMENT_HEADER)
        for row in equipment:
            target.append(row)
    if signer:
        ws.append([])
        ws.append([f"依托单位（盖章）：{signer}"])
        ws.append(["日期：2026年12月28日"])
    wb.save(path)
    return path


def write_summary_xlsx(path: Path, title: str, rows: list[list[str]], department: str) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总表"
    ws.append([title])
    ws.merge_cells("A1:H1")
    ws.append(SUMMARY_HEADER)
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append([f"{department}（盖章）"])
    ws.append(["2026年12月28日"])
    wb.save(path)
    return path


def _para(text: str, size: float = 9.5) -> Paragraph:
    style = ParagraphStyle("cell", fontName=font(), fontSize=size, leading=size * 1.3, wordWrap="CJK")
    for ch in SYMBOLS:
        text = text.replace(ch, f'<font name="{SYMBOL_FONT}">{ch}</font>')
    return Paragraph(text, style)


def _grid(data: list[list[object]], widths: list[float], size: float = 9.5) -> Table:
    table = Table([[_para(str(c), size) for c in row] for row in data], colWidths=widths)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def write_info_pdf(path: Path, rows: list[tuple[str, str]], equipment: list[list[str]] | None, *,
                   signer: str, date_text: str = "2026年12月28日", marking: str | None = None) -> Path:
    """A born-digital 申报信息表: title, ruled label|value table, equipment table, signature block."""
    story = []
    if marking:
        story.append(_para(marking, 14))
    story += [_para("储备中试平台申报信息表", 18), Spacer(1, 12)]
    story.append(_grid([list(r) for r in rows], [200, 300], 10.5))
    if equipment is not None:
        story += [Spacer(1, 16), _para("设备要素表", 12), Spacer(1, 4)]
        story.append(_grid([EQUIPMENT_HEADER, *equipment], [30, 80, 70, 35, 60, 150, 65], 9))
    story += [Spacer(1, 30), _para(f"依托单位（盖章）：{signer}", 10.5), Spacer(1, 10), _para(f"日期：{date_text}", 10.5)]
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(story)
    return path


def write_summary_pdf(path: Path, title: str, rows: list[list[str]], department: str) -> Path:
    story = [_para(title, 17), Spacer(1, 12),
             _grid([SUMMARY_HEADER, *rows], [30, 110, 110, 110, 80, 60, 60, 90], 9),
             Spacer(1, 30), _para(f"{department}（盖章）", 11.5), _para("2026年12月28日", 11.5)]
    SimpleDocTemplate(str(path), pagesize=landscape(A4), invariant=1).build(story)
    return path


def write_lines_pdf(path: Path, lines: list[str]) -> Path:
    """Text lines only, no ruling: `label：value` as a plain letter-style sheet."""
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont(font(), 10.5)
    y = A4[1] - 60
    for line in lines:
        c.drawString(60, y, line)
        y -= 18
    c.save()
    return path


def write_image_only_pdf(path: Path) -> Path:
    """A scan: one page-size image, no text layer."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (620, 877), "white")
    ImageDraw.Draw(img).rectangle((50, 50, 570, 120), outline="black", width=3)
    png = path.with_suffix(".png")
    img.save(png)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.drawImage(str(png), 0, 0, width=A4[0], height=A4[1])
    c.save()
    return path


# ------------------------------------------------------------------ one platform, written several ways

TRUTH = {
    "platform_name": "粤港先进材料中试平台",
    "host_unit": "广州粤材新材料科技有限公司",
    "uscc": "91440101MA5CXK7Q1X",
    "province": "广东省",
    "city": "广州市",
    "address": "广州市黄埔区科学大道188号",
    "key_direction": "原材料工业",
    "service_types": ["设计验证", "工艺验证"],
    "legal_rep": "王建国",
    "contact_name": "张伟",
    "contact_phone": "13812345678",
    "contact_email": "zhangwei@example.com",
    "tech_leader": "欧阳娜娜",
    "equipment_value_wan": 1250.5,
    "fulltime_staff": 12,
    "service_revenue_wan": 1080.0,
    "host_revenue_wan": 32000.0,
    "served_enterprises": 30,
    "major_achievements": 2,
    "new_products": 1,
    "violations_3y": False,
    "has_roadmap": True,
    "has_service_list": True,
    "has_management_rules": True,
    "has_3yr_plan": True,
    "miit_affiliated": False,
    "fill_date": "2026-12-24",
}

# (label, value as printed) — the canonical form of docs/architecture.md
CANONICAL = [
    ("平台名称", "粤港先进材料中试平台"), ("依托单位", "广州粤材新材料科技有限公司"),
    ("统一社会信用代码", "91440101MA5CXK7Q1X"), ("所在省份", "广东省"), ("所在地市", "广州市"),
    ("通讯地址", "广州市黄埔区科学大道188号"), ("重点方向", "原材料工业"), ("中试服务类型", "设计验证、工艺验证"),
    ("法定代表人", "王建国"), ("联系人", "张伟"), ("联系电话", "13812345678"), ("电子邮箱", "zhangwei@example.com"),
    ("工程技术带头人", "欧阳娜娜"), ("中试设备或设施原值（万元）", "1250.5"), ("专职技术或管理人员（人）", "12"),
    ("上年度中试服务收入（万元）", "1080"), ("依托单位主营业务收入（万元）", "32000"), ("服务企业数量（家）", "30"),
    ("完成国家级或省部级重大自主创新成果中试验证（项）", "2"), ("成功完成新产品产业化（项）", "1"),
    ("近三年是否发生违法违规行为或较大及以上安全、质量、环境污染、失泄密事故", "否"),
    ("是否制定中试技术路线图", "是"), ("是否制定中试服务清单", "是"),
    ("是否建立财务、安全、质量、保密等内部管理制度", "是"), ("是否制定规划建设方案（未来3年发展目标）", "是"),
    ("是否依托工业和信息化部直属单位", "否"), ("填报日期", "2026年12月24日"),
]

# The same values with the variation of filings.md §6: synonyms, half-width brackets,
# stray spaces, units in the value instead of the label, tick boxes, Chinese numerals.
VARIED = [
    ("平 台 名 称", "粤港先进材料 中试平台"), ("申报单位", "广州粤材新材料科技有限公司"),
    ("统一社会信用代码:", "９１４４０１０１ＭＡ５ＣＸＫ７Ｑ１Ｘ"), ("省(区、市)", "广东"), ("所在城市", "广州市"),
    ("单位地址", "广州市黄埔区科学大道188号"), ("所属行业领域", "原材料工业"), ("中试服务类型", "☑设计验证 □功能性能验证 ☑工艺验证"),
    ("法定代表人", "王 建国"), ("联系人", "张 伟"), ("手机", "+86 138 1234 5678"), ("邮箱", "zhangwei@example.com"),
    ("技术负责人", "欧阳娜娜"), ("中试设备或设施原值", "12,505,000元"), ("专职人员数", "十二人"),
    ("上年度中试服务收入", "0.108亿元"), ("依托单位主营业务收入(万元)", "３２，０００"), ("服务企业数量", "30家"),
    ("完成国家级或省部级重大自主创新成果中试验证", "贰项"), ("成功完成新产品产业化(项)", "１"),
    ("近三年是否发生违法违规行为或较大及以上安全、质量、环境污染、失泄密事故", "□是 ☑否"),
    ("是否制定中试技术路线图", "●是 ○否"), ("是否制定中试服务清单", "是(√) 否( )"),
    ("是否建立财务、安全、质量、保密等内部管理制度", "有"), ("是否制定规划建设方案(未来3年发展目标)", "√是"),
    ("是否依托工业和信息化部直属单位", "无"), ("日期", "二〇二六年十二月二十四日"),
]

EQUIPMENT = [
    ["1", "高温反应釜", "HR-500", "2", "320", "耐压10MPa", "是"],
    ["2", "质谱联用仪", "MS-2000", "1", "930.5", "分辨率0.1nm", "否"],
    ["合计", "", "", "3", "1250.5", "", ""],
]
EQUIPMENT_TRUTH = [("高温反应釜", "HR-500", 2, 320.0, "耐压10MPa", True), ("质谱联用仪", "MS-2000", 1, 930.5, "分辨率0.1nm", False)]

SUMMARY_ROWS = [
    ["1", "粤港先进材料中试平台", "广州粤材新材料科技有限公司", "91440101MA5CXK7Q1X", "原材料工业", "广州市", "张*", "138****5678"],
    ["2", "深圳智能装备中试平台", "深圳智装科技有限公司", "91440300MA5D2K8P3U", "装备制造", "深圳市", "李*", "139****4321"],
]
