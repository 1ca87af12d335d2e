"""The .xlsx reader on real workbooks made with openpyxl."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from extract_files import (
    CANONICAL, EQUIPMENT, EQUIPMENT_TRUTH, SUMMARY_ROWS, TRUTH, VARIED, write_info_xlsx, write_summary_xlsx,
)
from openpyxl import Workbook

from extractors.xlsx import cell_text, extract_xlsx
from pilot_intake.errors import BadInputError
from pilot_intake.models import DocKind, FileType, Medium, QuarantineReason


def _values(doc) -> dict:
    return {k: f.value for k, f in doc.fields.items()}


@pytest.mark.parametrize("rows", [CANONICAL, VARIED], ids=["canonical", "varied"])
@pytest.mark.parametrize("equipment_sheet", [False, True], ids=["same-sheet", "own-sheet"])
def test_info_sheet_every_field_typed(tmp_path, source_of, rows, equipment_sheet):
    path = write_info_xlsx(tmp_path / "a.xlsx", rows, EQUIPMENT, equipment_sheet=equipment_sheet,
                           signer=TRUTH["host_unit"])
    doc = extract_xlsx(source_of(path, FileType.XLSX))
    assert doc.kind is DocKind.INFO_SHEET and doc.medium is Medium.XLSX
    assert _values(doc) == TRUTH
    assert all(f.confidence == 1.0 for f in doc.fields.values())
    assert doc.flags == []
    assert [(e.name, e.model, e.quantity, e.value_wan, e.core_metric, e.self_controlled) for e in doc.equipment] == EQUIPMENT_TRUTH
    assert doc.signer == TRUTH["host_unit"]
    assert len(doc.pages) == (2 if equipment_sheet else 1)
    assert "储备中试平台申报信息表" in doc.pages[0].text
    assert "欧阳娜娜" in doc.text  # every cell reaches the page text, for redaction


def test_numbers_dates_and_booleans_stored_natively(tmp_path, source_of):
    rows = [
        ("平台名称", "甲平台"), ("中试设备或设施原值（万元）", 1250.5), ("专职技术或管理人员（人）", 12),
        ("上年度中试服务收入（元）", 10800000), ("服务企业数量（家）", 30.0), ("是否制定中试技术路线图", True),
        ("是否依托工业和信息化部直属单位", False), ("填报日期", dt.datetime(2026, 12, 24)),
    ]
    doc = extract_xlsx(source_of(write_info_xlsx(tmp_path / "n.xlsx", rows, None), FileType.XLSX))
    assert _values(doc) == {
        "platform_name": "甲平台", "equipment_value_wan": 1250.5, "fulltime_staff": 12, "service_revenue_wan": 1080.0,
        "served_enterprises": 30, "has_roadmap": True, "miit_affiliated": False, "fill_date": "2026-12-24",
    }


@pytest.mark.parametrize("value, iso", [(46380, "2026-12-24"), ("46380", "2026-12-24"), (46380.0, "2026-12-24")])
def test_date_cell_without_date_format(tmp_path, source_of, value, iso):
    doc = extract_xlsx(source_of(write_info_xlsx(tmp_path / "d.xlsx", [("填报日期", value)], None), FileType.XLSX))
    assert doc.fields["fill_date"].value == iso


@pytest.mark.parametrize(
    "value, text",
    [(None, ""), (12.0, "12"), (1250.5, "1250.5"), (0.1 + 0.2, "0.3"), (True, "是"), (False, "否"),
     (dt.datetime(2026, 6, 26), "2026-06-26"), (dt.date(2026, 6, 26), "2026-06-26"), (" 甲 ", "甲")],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_label_table_found_anywhere_with_merged_and_wrapped_cells(tmp_path, source_of):
    wb = Workbook()
    ws = wb.active
    ws["C3"] = "储备中试平台申报信息表"
    ws.merge_cells("C3:F3")
    ws["C5"], ws["D5"] = "平台名称", "甲平台"
    ws.merge_cells("D5:F5")  # value spread over three columns
    ws["C6"], ws["D6"] = "通讯地址", "广州市黄埔区"
    ws["D7"] = "科学大道188号"  # wrapped onto the next row
    ws.merge_cells("C6:C7")
    ws["C8"], ws["E8"] = "联系人", "张伟"  # the label spans C:D
    ws.merge_cells("C8:D8")
    ws["C9"] = "填报日期：2026年12月24日"  # label and value in one cell
    path = tmp_path / "m.xlsx"
    wb.save(path)
    doc = extract_xlsx(source_of(path, FileType.XLSX))
    assert _values(doc) == {"platform_name": "甲平台", "address": "广州市黄埔区科学大道188号", "contact_name": "张伟",
                            "fill_date": "2026-12-24"}


def test_invalid_value_is_flagged_not_dropped(tmp_path, source_of):
    rows = [("平台名称", "甲平台"), ("中试设备或设施原值（万元）", "一千多万"), ("填报日期", "2026年")]
    doc = extract_xlsx(source_of(write_info_xlsx(tmp_path / "bad.xlsx", rows, None), FileType.XLSX))
    assert doc.fields["equipment_value_wan"].value is None and doc.fields["equipment_value_wan"].raw == "一千多万"
    assert {(f.code.value, f.field) for f in doc.flags} == {("INVALID_VALUE", "equipment_value_wan"), ("INVALID_VALUE", "fill_date")}


def test_classified_marking_reaches_page_text(tmp_path, source_of):
    path = write_info_xlsx(tmp_path / "s.xlsx", CANONICAL[:3], None, marking="秘密★5年")
    doc = extract_xlsx(source_of(path, FileType.XLSX))
    assert "秘密★5年" in doc.pages[0].text
    assert doc.fields["platform_name"].value == TRUTH["platform_name"]


def test_equipment_file(tmp_path, source_of):
    wb = Workbook()
    ws = wb.active
    ws.title = "设备要素表"
    ws.append(["设备要素表"])
    ws.append(["平台名称：粤港先进材料中试平台"])
    ws.append(["统一社会信用代码", "91440101MA5CXK7Q1X"])
    ws.append(["序号", "设备名称", "规格型号", "数量", "原值（元）", "主要技术指标", "是否自主可控"])
    ws.append([1, "高温反应釜", "HR-500", 2, 3200000, "耐压10MPa", "是"])
    ws.append([2, "质谱联用仪", "MS-2000", 1, 9305000, "分辨率0.1nm", "否"])
    path = tmp_path / "eq.xlsx"
    wb.save(path)
    doc = extract_xlsx(source_of(path, FileType.XLSX))
    assert doc.kind is DocKind.EQUIPMENT_TABLE
    assert _values(doc) == {"platform_name": TRUTH["platform_name"], "uscc": TRUTH["uscc"]}
    assert [(e.name, e.model, e.quantity, e.value_wan, e.core_metric, e.self_controlled) for e in doc.equipment] == EQUIPMENT_TRUTH


def test_summary_table(tmp_path, source_of):
    path = write_summary_xlsx(tmp_path / "sum.xlsx", "广东省储备中试平台汇总表", SUMMARY_ROWS, "广东省工业和信息化厅")
    doc = extract_xlsx(source_of(path, FileType.XLSX))
    assert doc.kind is DocKind.SUMMARY_TABLE
    assert doc.province == "广东省"
    assert doc.signer == "广东省工业和信息化厅"
    assert [(r.platform_name, r.host_unit, r.uscc, r.key_direction, r.city, r.contact_name, r.contact_phone)
            for r in doc.summary_rows] == [tuple(r[1:]) for r in SUMMARY_ROWS]
    assert doc.equipment == []


def test_corrupt_workbook_is_unreadable(tmp_path, source_of):
    good = write_info_xlsx(tmp_path / "g.xlsx", CANONICAL[:2], None)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[:400])  # truncated zip
    with pytest.raises(BadInputError) as err:
        extract_xlsx(source_of(bad, FileType.XLSX))
    assert err.value.reason is QuarantineReason.UNREADABLE and "bad.xlsx" in err.value.message


def test_zip_without_workbook_is_unreadable(tmp_path, source_of):
    path = tmp_path / "z.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(BadInputError) as err:
        extract_xlsx(source_of(path, FileType.XLSX))
    assert err.value.reason is QuarantineReason.UNREADABLE


def test_password_protected_workbook_is_encrypted(tmp_path, source_of):
    msoffcrypto = pytest.importorskip("msoffcrypto", reason="msoffcrypto-tool makes the encrypted workbook")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_info_xlsx(tmp_path / "p.xlsx", CANONICAL[:2], None)
    enc = tmp_path / "enc.xlsx"
    with plain.open("rb") as src, enc.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    assert msoffcrypto.OfficeFile(enc.open("rb")).is_encrypted()
    with pytest.raises(BadInputError) as err:
        extract_xlsx(source_of(enc, FileType.XLSX))
    assert err.value.reason is QuarantineReason.ENCRYPTED and "password" in err.value.message
