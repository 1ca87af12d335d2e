"""The born-digital PDF reader on real PDFs made with reportlab (WenQuanYi Zen Hei)."""

from __future__ import annotations

import pikepdf
import pytest
from extract_files import (
    CANONICAL, EQUIPMENT, EQUIPMENT_TRUTH, SUMMARY_ROWS, TRUTH, VARIED, write_image_only_pdf, write_info_pdf,
    write_lines_pdf, write_summary_pdf,
)

from extractors.pdf import extract_text_pdf, inspect_pdf
from pilot_intake.errors import BadInputError
from pilot_intake.models import DocKind, FileType, Medium, QuarantineReason


def _read(path, source_of):
    info = inspect_pdf(path, max_pages=50)
    assert info.is_born_digital
    return extract_text_pdf(source_of(path, FileType.PDF), info)


@pytest.mark.parametrize("rows", [CANONICAL, VARIED], ids=["canonical", "varied"])
def test_info_sheet_every_field_typed(tmp_path, source_of, rows):
    path = write_info_pdf(tmp_path / "a.pdf", rows, EQUIPMENT, signer=TRUTH["host_unit"])
    doc = _read(path, source_of)
    assert doc.kind is DocKind.INFO_SHEET and doc.medium is Medium.TEXT_PDF
    assert {k: f.value for k, f in doc.fields.items()} == TRUTH
    assert doc.flags == []
    assert [(e.name, e.model, e.quantity, e.value_wan, e.core_metric, e.self_controlled) for e in doc.equipment] == EQUIPMENT_TRUTH
    assert doc.signer == TRUTH["host_unit"]
    assert len(doc.pages) >= 2  # 27 rows and the equipment table do not fit on one A4 page


def test_words_boxes_and_provenance(tmp_path, source_of):
    path = write_info_pdf(tmp_path / "a.pdf", CANONICAL[:5], None, signer=TRUTH["host_unit"])
    doc = _read(path, source_of)
    page = doc.pages[0]
    assert page.dpi == 72 and page.width == pytest.approx(595.3, abs=0.5) and page.height == pytest.approx(841.9, abs=0.5)
    title = [w for w in page.words if "申报信息表" in w.text]
    assert title, [w.text for w in page.words][:10]
    x0, y0, x1, y1 = title[0].bbox
    assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 < page.height / 4  # near the top: y grows downwards
    field = doc.fields["uscc"]
    assert field.page == 1 and field.bbox is not None
    bx0, by0, bx1, by1 = field.bbox
    inside = [w for w in page.words if w.text == TRUTH["uscc"]]
    assert inside and bx0 <= inside[0].bbox[0] and inside[0].bbox[2] <= bx1 and by0 <= inside[0].bbox[1] <= by1


def test_text_lines_without_ruling(tmp_path, source_of):
    lines = ["储备中试平台申报信息表", "平台名称：粤港先进材料中试平台", "统一社会信用代码: 91440101MA5CXK7Q1X",
             "中试设备或设施原值（万元）：1,250.5", "专职技术或管理人员（人）：12", "是否制定中试技术路线图：■是 □否",
             "依托单位（盖章）：广州粤材新材料科技有限公司", "日期：2026.12.24"]
    doc = _read(write_lines_pdf(tmp_path / "l.pdf", lines), source_of)
    assert doc.kind is DocKind.INFO_SHEET
    assert {k: f.value for k, f in doc.fields.items()} == {
        "platform_name": TRUTH["platform_name"], "uscc": TRUTH["uscc"], "equipment_value_wan": 1250.5,
        "fulltime_staff": 12, "has_roadmap": True, "host_unit": TRUTH["host_unit"], "fill_date": "2026-12-24",
    }
    assert doc.signer == TRUTH["host_unit"]


def test_borderless_two_column_layout(tmp_path, source_of):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    from extract_files import font

    path = tmp_path / "b.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont(font(), 10.5)
    c.drawString(200, 780, "储备中试平台申报信息表")
    for i, (label, value) in enumerate(CANONICAL[:5]):
        c.drawString(60, 740 - 20 * i, " ".join(label) if i == 0 else label)  # 平 台 名 称
        c.drawString(260, 740 - 20 * i, value)
    c.drawString(60, 600, "通讯地址")
    c.drawString(260, 600, "广州市黄埔区")
    c.drawString(260, 585, "科学大道188号")  # wrapped onto the next line
    c.save()
    doc = _read(path, source_of)
    assert {k: f.value for k, f in doc.fields.items()} == {k: TRUTH[k] for k in
                                                           ("platform_name", "host_unit", "uscc", "province", "city", "address")}


def test_summary_table(tmp_path, source_of):
    path = write_summary_pdf(tmp_path / "s.pdf", "广东省储备中试平台汇总表", SUMMARY_ROWS, "广东省工业和信息化厅")
    doc = _read(path, source_of)
    assert doc.kind is DocKind.SUMMARY_TABLE and doc.province == "广东省" and doc.signer == "广东省工业和信息化厅"
    assert [(r.platform_name, r.host_unit, r.uscc, r.key_direction, r.city, r.contact_name, r.contact_phone)
            for r in doc.summary_rows] == [tuple(r[1:]) for r in SUMMARY_ROWS]


def test_equipment_table_running_over_pages(tmp_path, source_of):
    many = [[str(i), f"设备{i}", f"M-{i}", "1", "10", "指标", "是"] for i in range(1, 81)]
    path = write_info_pdf(tmp_path / "e.pdf", CANONICAL[:3], many, signer=TRUTH["host_unit"])
    doc = _read(path, source_of)
    assert [e.name for e in doc.equipment] == [f"设备{i}" for i in range(1, 81)]
    assert sum(e.value_wan for e in doc.equipment) == pytest.approx(800.0)


def test_inspect_scan_has_no_text_layer(tmp_path):
    info = inspect_pdf(write_image_only_pdf(tmp_path / "scan.pdf"), max_pages=10)
    assert info.pages == 1 and info.text_pages == [] and info.is_scan and not info.is_born_digital


def test_inspect_encrypted_pdf(tmp_path):
    plain = write_lines_pdf(tmp_path / "p.pdf", ["平台名称：甲平台"] * 3)
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="u", owner="o", R=4, aes=False, metadata=False))
    with pytest.raises(BadInputError) as err:
        inspect_pdf(locked, max_pages=10)
    assert err.value.reason is QuarantineReason.ENCRYPTED and "locked.pdf" in err.value.message


def test_inspect_owner_password_only_pdf_is_readable(tmp_path):
    plain = write_lines_pdf(tmp_path / "p.pdf", ["平台名称：粤港先进材料中试平台"] * 3)
    restricted = tmp_path / "r.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(restricted, encryption=pikepdf.Encryption(user="", owner="o", R=4, aes=False, metadata=False))
    info = inspect_pdf(restricted, max_pages=10)
    assert info.encrypted and info.is_born_digital


def test_inspect_corrupt_and_too_large(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(BadInputError) as err:
        inspect_pdf(bad, max_pages=10)
    assert err.value.reason is QuarantineReason.UNREADABLE
    big = write_lines_pdf(tmp_path / "big.pdf", ["平台名称：甲平台"] * 3)
    with pytest.raises(BadInputError) as err:
        inspect_pdf(big, max_pages=0)
    assert err.value.reason is QuarantineReason.TOO_LARGE and "limit of 0" in err.value.message
