"""xlsx writers: the information sheet, the equipment table on its own, the summary table.

openpyxl stamps the current time into docProps/core.xml and into every zip
entry; `_freeze_zip` rewrites both to a fixed time so the same input gives the
same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from samples.layout import SUMMARY_HEADER
from samples.model import (COUNT_FIELDS, EQUIPMENT_HEADER, EQUIPMENT_TITLE, MONEY_FIELDS, SHEET_TITLE,
                           SIGNATURE_LABEL, Platform, SheetRow, Style, equipment_rows)

FIXED_TIME = dt.datetime(2026, 12, 1, 9, 0, 0)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _freeze_zip(path: Path, when: dt.datetime = FIXED_TIME) -> None:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              lambda m: m.group(1) + stamp.encode() + m.group(3), data)
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, data)
    src.close()
    path.write_bytes(buf.getvalue())


def _save(wb: Workbook, path: Path) -> None:
    wb.properties.creator = "pilot-intake samples"
    wb.properties.created = FIXED_TIME
    wb.save(path)
    _freeze_zip(path)


def _typed(row: SheetRow, p: Platform, style: Style):
    """The cell value: a number or date where an online-form export would give one, else the text."""
    if not style.xlsx_numeric:
        return row.text
    v = p.value(row.key)
    if row.key in MONEY_FIELDS and style.money == "plain":
        return float(v) if v != v.to_integral() else int(v)
    if row.key in COUNT_FIELDS and not style.count_units and not style.fullwidth_digits:
        return int(v)
    if row.key == "fill_date" and style.date == "iso":
        return dt.datetime(v.year, v.month, v.day)
    return row.text


def _equipment_block(ws, start_row: int, p: Platform, style: Style) -> None:
    for j, h in enumerate(EQUIPMENT_HEADER, 1):
        c = ws.cell(start_row, j, h)
        c.font = Font(bold=True)
        c.border = _BOX
    for i, er in enumerate(equipment_rows(p, style), start_row + 1):
        for j, text in enumerate(er, 1):
            v: object = text
            if style.xlsx_numeric and j in (4, 5) and text:
                d = Decimal(text)
                v = int(d) if d == d.to_integral() else float(d)
            elif j == 1 and text.isdigit():
                v = int(text)
            c = ws.cell(i, j, v)
            c.border = _BOX


def write_info_xlsx(path: Path, p: Platform, style: Style, rows: list[SheetRow], *,
                    equipment: str = "inline", sign_date: str | None = None) -> None:
    """The information sheet. `equipment`: "inline" (after a blank row), "sheet" (a second
    sheet 设备要素表) or "none" (it travels as its own file)."""
    if equipment not in ("inline", "sheet", "none"):
        raise ValueError(f"equipment must be inline, sheet or none, not {equipment!r}")
    wb = Workbook()
    ws = wb.active
    ws.title = "申报信息表"
    ws["A1"] = SHEET_TITLE
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 48
    r = 2
    for row in rows:
        ws.cell(r, 1, row.label).border = _BOX
        c = ws.cell(r, 2, _typed(row, p, style))
        c.border = _BOX
        c.alignment = Alignment(wrap_text=True)
        if row.key == "fill_date" and isinstance(c.value, dt.datetime):
            c.number_format = "yyyy-mm-dd"
        r += 1
    if equipment == "inline":
        r += 1
        ws.cell(r, 1, EQUIPMENT_TITLE).font = Font(bold=True)
        _equipment_block(ws, r + 1, p, style)
        r += len(equipment_rows(p, style)) + 2
    elif equipment == "sheet":
        es = wb.create_sheet(EQUIPMENT_TITLE)
        es["A1"] = EQUIPMENT_TITLE
        _equipment_block(es, 2, p, style)
    if sign_date is not None:
        r += 1
        ws.cell(r, 1, SIGNATURE_LABEL + p.host_unit)
        ws.cell(r + 1, 1, "日期：" + sign_date)
    _save(wb, path)


def write_equipment_xlsx(path: Path, p: Platform, style: Style) -> None:
    """The equipment table as a file of its own, with the lines that tie it to its platform."""
    wb = Workbook()
    ws = wb.active
    ws.title = EQUIPMENT_TITLE
    ws["A1"] = EQUIPMENT_TITLE
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"平台名称：{p.platform_name}"
    ws["A3"] = f"统一社会信用代码：{p.uscc}"
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["F"].width = 30
    _equipment_block(ws, 5, p, style)
    _save(wb, path)


def write_summary_xlsx(path: Path, title: str, rows: list[tuple[str, ...]], *,
                       department: str, date_text: str) -> None:
    """The province's summary table: title in A1, header in row 2, one row per platform."""
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总表"
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    for j, h in enumerate(SUMMARY_HEADER, 1):
        c = ws.cell(2, j, h)
        c.font = Font(bold=True)
        c.border = _BOX
    for i, row in enumerate(rows, 3):
        for j, v in enumerate(row, 1):
            ws.cell(i, j, int(v) if j == 1 else v).border = _BOX
    for col, w in zip("ABCDEFGH", (6, 30, 32, 22, 28, 10, 10, 16)):
        ws.column_dimensions[col].width = w
    end = len(rows) + 4
    ws.cell(end, 5, f"{department}（盖章）")
    ws.cell(end + 1, 5, date_text)
    _save(wb, path)
