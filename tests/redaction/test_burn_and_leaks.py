"""Burned-in redaction of a scanned page, proven by the leak check (OCR included) and by x-ray."""

import asyncio
import json
import sqlite3

import openpyxl
import pikepdf
import pytest
import xray
from PIL import PngImagePlugin
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from pages import ocr_page, render_lines
from pilot_intake.errors import RedactionError
from pilot_intake.models import Page
from redaction.burn import burn_redactions
from redaction.leakcheck import Leak, leakcheck
from redaction.redactor import boxes_by_page

LINES = [
    "储备中试平台申报信息表",
    "依托单位：广州精密机械有限公司",
    "统一社会信用代码：91440101MA5C12345X",
    "法定代表人：欧阳娜娜",
    "联系人：张伟",
    "联系电话：13812345678",
    "电子邮箱：zhangwei@example.com",
    "身份证号：440106198503151233",
    "办公电话：020-87654321",
    "中试设备原值：1250.5万元",
]
RAW = ["欧阳娜娜", "张伟", "13812345678", "zhangwei@example.com", "440106198503151233", "020-87654321"]
KEPT = ["广州精密机械有限公司", "91440101MA5C12345X", "1250.5"]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """A scanned page whose PNG also carries a name in a text chunk, OCRed once for the module."""
    tmp = tmp_path_factory.mktemp("scan")
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "欧阳娜娜")
    page = ocr_page(render_lines(LINES, tmp / "page1.png", pnginfo=info))
    return page


@pytest.fixture(scope="module")
def redacted(scanned, redactor, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    found = redactor.scan_pages([scanned])
    burn_redactions([scanned], boxes_by_page(found), out / "redacted" / "p1.pdf", dpi=200)
    return out, found


def test_every_personal_value_on_the_page_is_found(redacted):
    _, found = redacted
    assert sorted(f.masked for f in found) == sorted(
        ["欧***", "张*", "138****5678", "zh***@example.com", "440106********1233", "020-****4321"])
    assert all(f.boxes for f in found)


def test_redacted_pdf_has_no_text_layer_and_no_metadata(redacted):
    out, _ = redacted
    pdf_path = out / "redacted" / "p1.pdf"
    with pikepdf.open(pdf_path) as pdf:
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root
        fonts = [p.Resources.get("/Font") for p in pdf.pages]
        assert fonts == [None]
    assert "欧阳娜娜".encode() not in pdf_path.read_bytes()


def test_leak_check_finds_nothing_but_reads_what_was_kept(redacted):
    out, _ = redacted
    assert leakcheck(out, RAW) == []
    # The same OCR pass does read the organisation data that stays: the check can see text.
    kept = leakcheck(out, KEPT)
    assert {lk.where for lk in kept} == {"pdf page 1 OCR"} and len(kept) == len(KEPT)


def test_xray_finds_nothing_under_the_boxes(redacted):
    out, _ = redacted
    assert asyncio.run(xray.inspect(out / "redacted" / "p1.pdf")) == {}


def test_a_box_drawn_over_text_is_caught(tmp_path):
    # What burn-in avoids: a black rectangle drawn over a text layer. Both checks must see it.
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    bad = tmp_path / "redacted" / "bad.pdf"
    bad.parent.mkdir()
    c = canvas.Canvas(str(bad), pagesize=A4)
    c.setFont("STSong-Light", 14)
    c.drawString(72, 700, "联系电话：13812345678 联系人：张伟")
    c.rect(140, 695, 260, 20, fill=1)
    c.save()
    leaks = leakcheck(tmp_path, ["13812345678", "张伟"], ocr=False)
    assert Leak("redacted/bad.pdf", "pdf page 1 text layer", "138****5678") in leaks
    assert Leak("redacted/bad.pdf", "pdf page 1 text layer", "张*") in leaks
    assert asyncio.run(xray.inspect(bad)) != {}


def test_a_scanned_pdf_page_is_rendered_again_and_burned(scanned, redactor, tmp_path):
    """A PDF page is not kept as a PNG (extractors.pageimage): burning renders it from the PDF."""
    from PIL import Image

    pdf = tmp_path / "scan.pdf"
    with Image.open(scanned.image_path) as im:
        im.convert("RGB").save(pdf, resolution=200)
    page = scanned.model_copy(update={"image_path": None, "pdf_page": (pdf, 0)})
    found = redactor.scan_pages([page])
    out = tmp_path / "out"
    burn_redactions([page], boxes_by_page(found), out / "redacted" / "p1.pdf", dpi=200)
    assert leakcheck(out, RAW, ocr=True) == []
    with pikepdf.open(out / "redacted" / "p1.pdf") as done:
        assert len(done.pages) == 1


def test_burn_refuses_a_page_without_image(tmp_path):
    with pytest.raises(RedactionError):
        burn_redactions([Page(number=1, width=10, height=10)], {}, tmp_path / "x.pdf", dpi=200)


def _write_outputs(out, rows):
    (out / "records.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=True) for r in rows), "utf-8")
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(list(r.values()))
    wb.save(out / "review.xlsx")
    (out / "summary.csv").write_text("\n".join(",".join(map(str, r.values())) for r in rows), "utf-8")
    with sqlite3.connect(out / "store.sqlite") as db:
        db.execute("create table t (v text)")
        db.executemany("insert into t values (?)", [(json.dumps(r, ensure_ascii=False),) for r in rows])


LEAK_CASES = [
    ([{"contact_name": "张*", "contact_phone": "138****5678"}], []),
    (  # ensure_ascii JSON hides the name as \u escapes; the check decodes it
        [{"contact_name": "张伟", "contact_phone": "138****5678"}],
        [Leak("records.jsonl", "json (decoded)", "张*"),
         Leak("review.xlsx", "zip member xl/worksheets/sheet1.xml", "张*"), Leak("store.sqlite", "bytes", "张*"),
         Leak("summary.csv", "bytes", "张*"), Leak("summary.csv", "text", "张*")],
    ),
    (  # a phone written with spaces still counts
        [{"contact_phone": "138 1234 5678"}],
        [Leak("records.jsonl", "json (decoded)", "138****5678"), Leak("records.jsonl", "text", "138****5678"),
         Leak("review.xlsx", "zip member xl/worksheets/sheet1.xml", "138****5678"),
         Leak("summary.csv", "text", "138****5678")],
    ),
]


@pytest.mark.parametrize("rows,expected", LEAK_CASES)
def test_leak_check_reads_json_xlsx_csv_and_stores(tmp_path, rows, expected):
    _write_outputs(tmp_path, rows)
    assert leakcheck(tmp_path, ["张伟", "13812345678"], ocr=False) == expected
