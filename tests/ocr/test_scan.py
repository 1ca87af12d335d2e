"""extract_scan end to end on rendered pages: real rendering, real tesseract."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from ocr_pages import EQUIPMENT_HEADER, EQUIPMENT_ROWS, PageSpec, degrade, render_page, stamp
from PIL import Image

from pilot_intake.errors import BadInputError
from pilot_intake.models import DocKind, FileType, Medium, QuarantineReason, SourceFile

from extractors.pageimage import open_page_image
from extractors.scan import extract_scan


def _source(path: Path, ftype: FileType) -> SourceFile:
    data = path.read_bytes()
    return SourceFile(path=path.name, abs_path=path, sha256=hashlib.sha256(data).hexdigest(),
                      size=len(data), file_type=ftype)


def _image_pdf(pngs: list[Path], out: Path, dpi: int) -> Path:
    images = [Image.open(p).convert("RGB") for p in pngs]
    images[0].save(out, save_all=True, append_images=images[1:], resolution=dpi)
    return out


@pytest.fixture(scope="module")
def clean_pdf_doc(tmp_path_factory, settings, tess):
    """A clean 300-dpi two-page image-only PDF: info sheet, then equipment table and signature."""
    d = tmp_path_factory.mktemp("scan")
    p1 = render_page(d / "p1.png", PageSpec())
    p2 = render_page(d / "p2.png", PageSpec(title="设备要素表", fields=[],
                                            equipment=[EQUIPMENT_HEADER, *EQUIPMENT_ROWS],
                                            footer=["依托单位（盖章）：广州新材科技股份有限公司", "日期：2026年12月28日"]))
    pdf = _image_pdf([p1, p2], d / "sheet.pdf", 300)
    return extract_scan(_source(pdf, FileType.PDF), d / "work", settings, workers=2, engine=tess)


def test_clean_scan_reads_fields(clean_pdf_doc):
    doc = clean_pdf_doc
    assert doc.medium == Medium.SCAN
    assert doc.kind == DocKind.INFO_SHEET
    got = {k: v.value for k, v in doc.fields.items()}
    assert got["platform_name"] == "华南先进材料中试平台"
    assert got["host_unit"] == "广州新材科技股份有限公司"
    assert got["uscc"] == "91440101MA5CXY4R2K"
    assert got["city"] == "广州市"
    assert got["equipment_value_wan"] == pytest.approx(1250.5)
    assert got["fulltime_staff"] == 12
    assert got["has_roadmap"] is True
    assert got["fill_date"] == "2026-12-28"


def test_clean_scan_keeps_pages_words_and_original_images(clean_pdf_doc):
    doc = clean_pdf_doc
    assert [p.number for p in doc.pages] == [1, 2]
    for p in doc.pages:
        # A PDF page is not written out: it is rendered again, at the OCR's size, when needed.
        assert p.dpi == 300 and p.image_path is None and p.pdf_page == (doc.source.abs_path, p.number - 1)
        assert (p.width, p.height) == open_page_image(p).size
        assert p.words and all(0.0 <= w.conf <= 1.0 for w in p.words)
    assert not list((Path(doc.source.abs_path).parent / "work").glob("page-*.png"))
    # Chinese is joined without tesseract's spaces; the title sits near the top of page 1.
    assert "储备中试平台申报信息表" in doc.pages[0].text
    title = [w for w in doc.pages[0].words if w.text in ("储备", "储")]
    assert title and title[0].bbox[1] < doc.pages[0].height * 0.15


def test_value_box_points_at_the_value_in_the_original_page(clean_pdf_doc):
    fv = clean_pdf_doc.fields["platform_name"]
    x0, y0, x1, y1 = fv.bbox
    # The value column starts 90 mm from the left edge (20 mm margin + 70 mm label column).
    assert 85 * 300 / 25.4 < x0 < 100 * 300 / 25.4
    assert fv.page == 1 and y1 > y0


def test_unreadable_page_is_bad_input(tmp_path, settings, tess):
    blank = tmp_path / "blank.png"
    Image.new("RGB", (1240, 1754), "white").save(blank)
    with pytest.raises(BadInputError) as err:
        extract_scan(_source(blank, FileType.PNG), tmp_path / "w", settings, engine=tess)
    assert err.value.reason == QuarantineReason.UNREADABLE
    assert "no text" in err.value.message


def test_corrupt_image_is_bad_input(tmp_path, settings, tess):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    with pytest.raises(BadInputError) as err:
        extract_scan(_source(bad, FileType.JPEG), tmp_path / "w", settings, engine=tess)
    assert err.value.reason == QuarantineReason.UNREADABLE


def test_clean_scan_reads_equipment_rows_and_signer(clean_pdf_doc):
    eq = clean_pdf_doc.equipment
    assert [(r.name, r.model, r.quantity, r.value_wan) for r in eq] == [
        ("真空熔炼炉", "VF-200", 2, 320.0),
        ("热等静压机", "HIP-50", 1, 930.5),
    ]
    assert clean_pdf_doc.signer == "广州新材科技股份有限公司"


def test_degraded_stamped_scan_reads_the_numbers_under_the_seal(tmp_path, settings, tess):
    """150 dpi, skewed 2.5°, grain, JPEG q55, a red seal pressed over the figures."""
    base = render_page(tmp_path / "base.png", PageSpec(), dpi=150)
    sealed = stamp(base, tmp_path / "sealed.png", (120, 100), 150)
    jpg = degrade(sealed, tmp_path / "scan.jpg", skew=2.5, noise=12, jpeg_quality=55)
    doc = extract_scan(_source(jpg, FileType.JPEG), tmp_path / "w", settings, engine=tess)
    got = {k: v.value for k, v in doc.fields.items()}
    assert got["equipment_value_wan"] == pytest.approx(1250.5)
    assert got["fulltime_staff"] == 12
    assert got["has_roadmap"] is True
    assert got["fill_date"] == "2026-12-28"
    # Whatever could not be read right is flagged, never passed on as sure.
    low = {f.field for f in doc.flags if f.code.value == "LOW_CONFIDENCE"}
    for key, fv in doc.fields.items():
        if fv.value is None:
            assert key in low
    # Boxes are in the original (skewed, 150-dpi) image's pixels.
    fv = doc.fields["fulltime_staff"]
    assert fv.bbox[2] <= doc.pages[0].width and 80 * 150 / 25.4 < fv.bbox[0] < 100 * 150 / 25.4


def test_upside_down_page_is_read(tmp_path, settings, tess):
    base = render_page(tmp_path / "base.png", PageSpec(fields=PageSpec().fields[:4]), dpi=200)
    png = degrade(base, tmp_path / "upside.png", rotate180=True, gray=True)
    doc = extract_scan(_source(png, FileType.PNG), tmp_path / "w", settings, engine=tess)
    assert doc.fields["platform_name"].value == "华南先进材料中试平台"
    # Mapped back into the upside-down original: the first table row is near the bottom.
    assert doc.fields["platform_name"].bbox[1] > doc.pages[0].height / 2


def test_ocr_misreads_of_written_out_numbers_and_dates_are_fixed():
    from extractors.scan import fix_date_misreads, fix_numeral_misreads

    assert fix_numeral_misreads("肆什伍佰零贰万伍什元") == "肆仟伍佰零贰万伍仟元"
    assert fix_numeral_misreads("贰什零未万肆什元") == "贰仟零柒万肆仟元"
    assert fix_numeral_misreads("什邡市") == "什邡市"  # not an amount: untouched
    assert fix_date_misreads("二@二六年十二月二十八日") == "二〇二六年十二月二十八日"
    assert fix_date_misreads("2026年12月28日") == "2026年12月28日"


def test_value_split_by_a_stray_line_is_merged():
    from extractors.layout import CellText, Row
    from extractors.scan import merge_split_value

    row = Row((CellText("联系人", 0.9, (0, 0, 100, 30)), CellText("何", 0.9, (110, 0, 140, 30)),
               CellText("子轩", 0.8, (150, 0, 200, 30))), ruled=True)
    merged = merge_split_value(row)
    assert [c.text for c in merged.cells] == ["联系人", "何子轩"] and merged.cells[1].conf == 0.8
    two_pairs = Row((CellText("联系人", 0.9, (0, 0, 100, 30)), CellText("何*", 0.9, (110, 0, 140, 30)),
                     CellText("联系电话", 0.9, (150, 0, 200, 30))), ruled=True)
    assert merge_split_value(two_pairs) == two_pairs


def test_default_engine_follows_the_installed_extra():
    import importlib.util

    from extractors.scan import default_engine_name

    has_rapid = importlib.util.find_spec("rapidocr_onnxruntime") is not None
    assert default_engine_name() == ("tesseract+rapidocr" if has_rapid else "tesseract")


def test_extract_scan_runs_opencv_on_one_thread(tmp_path, settings, tess):
    # Pages are the unit of parallelism; OpenCV's own pool on top only cost CPU (one_opencv_thread).
    import cv2

    before = cv2.getNumThreads()
    cv2.setNumThreads(4)
    try:
        png = render_page(tmp_path / "p.png", PageSpec(), dpi=200)
        doc = extract_scan(_source(png, FileType.PNG), tmp_path / "work", settings, engine=tess)
        assert doc.pages[0].words
        assert cv2.getNumThreads() == 1
    finally:
        cv2.setNumThreads(before)


def test_pages_read_at_once_are_prepared_one_at_a_time(tmp_path, settings, tess, monkeypatch):
    # Preparation holds ~150 MB of page-sized arrays; two at once made the peak memory.
    from extractors import pageprep

    running, most = [0], [0]
    real = pageprep.prepare_page

    def counted(*args, **kwargs):
        running[0] += 1
        most[0] = max(most[0], running[0])
        try:
            time.sleep(0.3)  # widen the window in which a second page could start preparing
            return real(*args, **kwargs)
        finally:
            running[0] -= 1

    monkeypatch.setattr(pageprep, "prepare_page", counted)
    pngs = [render_page(tmp_path / f"p{i}.png", PageSpec(), dpi=200) for i in range(2)]
    pdf = _image_pdf(pngs, tmp_path / "two.pdf", 200)
    doc = extract_scan(_source(pdf, FileType.PDF), tmp_path / "work", settings, workers=2, engine=tess)
    assert len(doc.pages) == 2 and all(p.words for p in doc.pages)
    assert most[0] == 1


def test_the_forms_own_chinese_words_do_not_call_for_the_second_opinion():
    from pilot_intake.models import Word

    from extractors.scan import _open_cjk_count

    def words(text):
        return [Word(text=text, bbox=(0, 0, 10, 10), conf=0.9)]

    # Dates, yes/no answers and units are a closed vocabulary: read like digits.
    assert _open_cjk_count(words("2026年12月28日")) == 0
    assert _open_cjk_count(words("☑是 □否")) == 0
    assert _open_cjk_count(words("1,250.5万元")) == 0
    # Names and written-out amounts are where tesseract is sure of a wrong character.
    assert _open_cjk_count(words("先进陶资材料")) == 6
    assert _open_cjk_count(words("壹仟叁佰万元")) == 4


@pytest.mark.parametrize("printed, sure", [("谢汪", False), ("谢**", True)])
def test_asterisks_an_engine_read_must_be_on_the_page(tmp_path, tess, printed, sure):
    # Where an engine reads a mask (谢*) the page must show one: over an unmasked name
    # the reading is marked unsure, not taken as masked.
    from extractors import layout, pageprep
    from extractors.scan import UNSEEN_MASK_CONF, mark_asterisks

    png = render_page(tmp_path / "p.png", PageSpec(fields=[("法定代表人", printed), ("联系人", "王**")]), dpi=300)
    prep = pageprep.prepare_page(png, tmp_path / "ocr.png", dpi=300, detect_orientation=False, write=False)
    pixels = prep.image()
    words = tess.read(pixels, dpi=prep.dpi)
    cells = [c.bbox for c in prep.cells]

    def in_cell(w, c):
        cx, cy = layout._centre(w.bbox)
        return c[0] <= cx <= c[2] and c[1] <= cy <= c[3]

    # The value column starts right of the 70 mm label column.
    value_cell = next(c for c in cells if c[0] > 60 * 300 / 25.4
                      and any(w.text.startswith("谢") and in_cell(w, c) for w in words))
    inside = [w for w in words if in_cell(w, value_cell)]
    box = layout.union([w.bbox for w in inside])
    # What the masked-value vote leaves: the second engine's 谢* at 0.9.
    read = [w for w in words if w not in inside] + [
        w.model_copy(update={"text": "谢*", "bbox": box, "conf": 0.9}) for w in inside[:1]]
    rows = layout.page_rows(read, cells)
    out, _ = mark_asterisks(prep, read, rows, image=pixels)
    value = [w for w in out if in_cell(w, value_cell)]
    assert "*" in layout.join_words(value)
    if sure:
        assert min(w.conf for w in value) > UNSEEN_MASK_CONF  # the page shows the asterisks
    else:
        assert max(w.conf for w in value) <= UNSEEN_MASK_CONF


def test_a_value_the_page_pass_dropped_is_read_from_its_cell(tmp_path, tess):
    """The page pass sometimes drops a short value as noise; its cell still has ink, so it is read."""
    from extractors import layout, pageprep
    from extractors.scan import read_missed_cells

    png = render_page(tmp_path / "p.png", PageSpec())
    prep = pageprep.prepare_page(png, tmp_path / "ocr.png", detect_orientation=False, write=False)
    cells = [c.bbox for c in prep.cells]
    words = tess.read(prep.image(), dpi=prep.dpi)
    per_cell, _ = layout.assign_to_cells(words, cells)
    target = next(i for i, ws in enumerate(per_cell) if layout.join_words(ws) == "广州市")
    # The fault injected: the page pass returned nothing for that cell.
    dropped = [w for w in words if w not in per_cell[target]]
    got = read_missed_cells(dropped, cells, tess, prep.image(), prep.dpi)
    again, _ = layout.assign_to_cells(got, cells)
    assert layout.join_words(again[target]) == "广州市"
    # Nothing else was added: every other cell had its words, or no ink.
    assert len(got) == len(dropped) + len(again[target])


def test_a_masked_e_mail_read_in_two_words_keeps_its_confidence(tmp_path, tess):
    # Seed 53: `li***` and `@example.net` came as two words, joined with a space; the masking
    # shape was checked on that spaced text and failed, so a right value was flagged.
    from extractors import layout, pageprep
    from extractors.scan import mark_asterisks

    png = render_page(tmp_path / "p.png", PageSpec(fields=[("电子邮箱", "li***@example.net")]), dpi=300)
    prep = pageprep.prepare_page(png, tmp_path / "ocr.png", dpi=300, detect_orientation=False, write=False)
    pixels = prep.image()
    words = tess.read(pixels, dpi=prep.dpi)
    cells = [c.bbox for c in prep.cells]
    value_cell = next(c for c in cells if c[0] > 60 * 300 / 25.4
                      and any("example" in w.text and layout._centre(w.bbox)[0] > c[0] for w in words))
    inside = [w for w in words if value_cell[0] <= layout._centre(w.bbox)[0] <= value_cell[2]
              and value_cell[1] <= layout._centre(w.bbox)[1] <= value_cell[3]]
    x0, y0, x1, y1 = layout.union([w.bbox for w in inside])
    cut = x0 + 0.3 * (x1 - x0)  # `li***` | gap | `@example.net`, as the second engine's words came
    two = [inside[0].model_copy(update={"text": "li***", "bbox": (x0, y0, cut, y1), "conf": 0.9}),
           inside[0].model_copy(update={"text": "@example.net", "bbox": (cut + 0.5 * (y1 - y0), y0, x1, y1), "conf": 0.9})]
    read = [w for w in words if w not in inside] + two
    assert " " in layout.join_words(two)
    out, _ = mark_asterisks(prep, read, layout.page_rows(read, cells), image=pixels)
    value = [w for w in out if value_cell[0] <= layout._centre(w.bbox)[0] <= value_cell[2]
             and value_cell[1] <= layout._centre(w.bbox)[1] <= value_cell[3]]
    assert "".join(layout.join_words(value).split()) == "li***@example.net"
    assert min(w.conf for w in value) == 0.9
