"""Write the batch's outputs beside the store: review.xlsx and the redacted scans.

records.jsonl is exported from the store (records/store), which owns its line format.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

RECORDS_FILE = "records.jsonl"
REVIEW_FILE = "review.xlsx"
REDACTED_DIR = "redacted"


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file so a crash never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def redacted_name(source_path: str, taken: set[str]) -> str:
    """`a/附件3.pdf` → `a/附件3.pdf`; `a/scan_01.jpg` → `a/scan_01.pdf` (suffix kept on a clash)."""
    p = PurePosixPath(source_path)
    name = str(p.with_suffix(".pdf"))
    if name in taken:
        name = str(p.with_name(p.name.replace(".", "_") + ".pdf"))
    taken.add(name)
    return name


def reset_redacted(out_dir: Path) -> Path:
    """A rerun rewrites redacted/ from scratch, so no stale file survives."""
    target = out_dir / REDACTED_DIR
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    return target


# --- review.xlsx --------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@")

_FILING_COLUMNS = [
    ("类型", "kind"),
    ("状态", "status"),
    ("平台名称", "platform_name"),
    ("依托单位", "host_unit"),
    ("统一社会信用代码", "uscc"),
    ("所在地市", "city"),
    ("重点方向", "key_direction"),
    ("中试设备原值（万元）", "equipment_value_wan"),
    ("专职人员（人）", "fulltime_staff"),
    ("中试服务收入（万元）", "service_revenue_wan"),
    ("服务企业（家）", "served_enterprises"),
    ("填报日期", "fill_date"),
    ("联系人", "contact_name"),
    ("联系电话", "contact_phone"),
    ("公章", "stamp"),
    ("标记代码", "flag_codes"),
    ("标记说明", "flag_messages"),
    ("来源文件", "sources"),
    ("记录编号", "filing_id"),
]

_STATUS_LABEL = {"ready": "可上报 ready", "needs_review": "需复核 needs_review", "quarantined": "已隔离 quarantined"}
_STATUS_FILL = {
    "ready": PatternFill("solid", fgColor="E2F0D9"),
    "needs_review": PatternFill("solid", fgColor="FFF2CC"),
    "quarantined": PatternFill("solid", fgColor="F8CBAD"),
}


def _display_width(text: str) -> int:
    """Chinese characters take two columns in a spreadsheet."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _stamp_text(stamp: dict[str, Any]) -> str:
    if not stamp or not stamp.get("present"):
        return "无"
    parts = [f"第{stamp.get('page')}页"]
    if stamp.get("matches_signer") is True:
        parts.append("与单位一致")
    elif stamp.get("matches_signer") is False:
        parts.append("与单位不符")
    else:
        parts.append("单位未核对")
    return "，".join(parts)


def review_rows(records: Iterable[dict[str, Any]]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for rec in records:
        kind = rec["kind"]
        if kind == "filing":
            f = rec.get("fields", {})
            values = {
                "kind": "申报", "status": _STATUS_LABEL.get(rec["status"], rec["status"]),
                "stamp": _stamp_text(rec.get("stamp", {})), "filing_id": rec["filing_id"],
            }
        elif kind == "summary_table":
            f = {"platform_name": f"{rec.get('province') or ''}汇总表（{len(rec.get('rows', []))} 个平台）"}
            values = {"kind": "汇总表", "status": _STATUS_LABEL.get(rec["status"], rec["status"]),
                      "stamp": _stamp_text(rec.get("stamp", {}))}
        else:
            f = {}
            values = {"kind": "隔离文件", "status": _STATUS_LABEL["quarantined"],
                      "flag_codes": rec["reason"], "flag_messages": rec["message"], "sources": rec["path"]}
        if kind != "quarantined":
            flags = rec.get("flags", [])
            values["flag_codes"] = "\n".join(fl["code"] + (f"({fl['field']})" if fl.get("field") else "") for fl in flags)
            values["flag_messages"] = "\n".join(fl["message"] for fl in flags)
            values["sources"] = "\n".join(s["path"] for s in rec.get("sources", []))
        row = []
        for _, key in _FILING_COLUMNS:
            v = values.get(key, f.get(key))
            row.append(v)
        rows.append(row)
    return rows


def write_review(out_dir: Path, records: list[dict[str, Any]]) -> Path:
    """One row per filing, summary table and quarantined file, for reviewers in a spreadsheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "审核清单"
    headers = [h for h, _ in _FILING_COLUMNS]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    widths = [_display_width(h) for h in headers]
    status_col = [k for _, k in _FILING_COLUMNS].index("status")
    for r_idx, (row, rec) in enumerate(zip(review_rows(records), records), start=2):
        for c_idx, value in enumerate(row, start=1):
            cell = ws.cell(row=r_idx, column=c_idx)
            if isinstance(value, str):
                cell.value = value
                # Uploaded data is untrusted: never let it become a formula.
                cell.data_type = "s"
                if value.startswith(_FORMULA_START):
                    cell.quotePrefix = True
                cell.alignment = Alignment(vertical="top", wrap_text="\n" in value)
                longest = max((_display_width(line) for line in value.split("\n")), default=0)
            else:
                cell.value = value
                longest = _display_width(str(value)) if value is not None else 0
            widths[c_idx - 1] = max(widths[c_idx - 1], min(longest, 60))
        status = rec.get("status", "quarantined") if rec["kind"] != "quarantined" else "quarantined"
        ws.cell(row=r_idx, column=status_col + 1).fill = _STATUS_FILL.get(status, PatternFill())
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, w + 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, ws.max_row)}"
    path = out_dir / REVIEW_FILE
    _atomic_write(path, lambda tmp: wb.save(tmp))
    return path
