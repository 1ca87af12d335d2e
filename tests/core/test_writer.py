"""review.xlsx: one row per record, untrusted text never becomes a formula."""

from __future__ import annotations

import json
import zipfile

from openpyxl import load_workbook

from records.schema import validate_line
from records.store import batch_key, default_url, open_store
from records.writer import redacted_name, write_review


def _filing(**fields):
    return {
        "kind": "filing", "filing_id": "F-0123456789abcdef", "status": "needs_review",
        "sources": [{"path": "a/表.xlsx", "sha256": "0" * 64, "role": "data", "pages": 1}],
        "fields": {"platform_name": "广东省先进陶瓷材料中试平台", **fields},
        "field_confidence": {"platform_name": 1.0}, "equipment": [], "stamp": {"present": False},
        "sensitive": [], "eligibility": {},
        "flags": [{"code": "NO_STAMPED_SCAN", "message": "未收到盖章扫描件"}],
    }


def test_formula_like_values_are_text(tmp_path):
    records = [
        _filing(host_unit="=HYPERLINK(\"http://x\",\"点我\")", city="+cmd|' /C calc'!A0"),
        {"kind": "quarantined", "path": "-x.pdf", "sha256": None, "reason": "EMPTY", "message": "@SUM(1,2)"},
    ]
    path = write_review(tmp_path, records)
    wb = load_workbook(path)
    ws = wb.active
    values = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert "=HYPERLINK(\"http://x\",\"点我\")" in values
    # No cell is stored as a formula, in openpyxl's view or in the file itself.
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet


def test_review_layout(tmp_path):
    records = [_filing(), {"kind": "quarantined", "path": "empty.pdf", "sha256": None,
                           "reason": "EMPTY", "message": "文件为空"}]
    ws = load_workbook(write_review(tmp_path, records)).active
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert ws.max_row == 3  # header + one row per record
    header = [c.value for c in ws[1]]
    name_col = header.index("平台名称") + 1
    # Width fits the Chinese name (two columns per character).
    assert ws.column_dimensions[ws.cell(row=1, column=name_col).column_letter].width >= 2 * len("广东省先进陶瓷材料中试平台")
    assert ws.cell(row=3, column=header.index("标记代码") + 1).value == "EMPTY"


def test_records_jsonl_is_utf8_and_valid(tmp_path):
    rec = _filing()
    rec["eligibility"] = {k: "unknown" for k in ("equipment_value", "fulltime_staff")}
    # records.jsonl is the store's export: the path the pipeline takes.
    store = open_store(default_url(tmp_path))
    try:
        store.save_batch([rec])
        path = store.export_jsonl(batch_key([rec]), tmp_path / "records.jsonl")
    finally:
        store.close()
    text = path.read_text(encoding="utf-8")
    assert "广东省" in text  # ensure_ascii off
    assert validate_line(text.splitlines()[0]).filing_id == rec["filing_id"]
    assert json.loads(text)["fields"]["platform_name"] == "广东省先进陶瓷材料中试平台"


def test_redacted_names_are_unique():
    taken: set[str] = set()
    assert redacted_name("a/附件3.pdf", taken) == "a/附件3.pdf"
    assert redacted_name("a/scan_01.jpg", taken) == "a/scan_01.pdf"
    assert redacted_name("a/scan_01.png", taken) == "a/scan_01_png.pdf"
