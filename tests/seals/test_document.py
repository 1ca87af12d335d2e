"""check_document_seal: the seal that counts is the one at the signature block of the right page."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image

from extractors.seals import check_document_seal, find_signature_block
from pilot_intake.models import DocKind, Page, Word
from pilot_intake.settings import Settings
from samples.sealdraw import composite_seal, draw_seal, seal_diameter_px
from samples.sealset import render_page

DPI = 200
HOST = "浙江精密仪器工程技术中心有限公司"
DEPT = "广东省工业和信息化厅"


def _page(tmp: Path, number: int, image: Image.Image, words, *, fmt: str = "png") -> Page:
    path = tmp / f"p{number}.{fmt}"
    image.save(path, quality=85) if fmt == "jpg" else image.save(path)
    return Page(number=number, width=image.width, height=image.height, dpi=DPI, image_path=path,
                words=[Word(text=t, bbox=b) for t, b in words])


def _stamp(rendered, name: str, where: str = "block") -> Image.Image:
    seal = draw_seal(name, diameter_px=seal_diameter_px(DPI), rng=random.Random(1))
    a = rendered.anchor
    center = (round(a[2] + seal.width * 0.4), round(a[1] + seal.height * 0.2))
    if where == "top":
        center = (rendered.image.width - seal.width, seal.height)
    return composite_seal(rendered.image, seal, center)


def _codes(check) -> list[str]:
    return [f.code.value for f in check.flags]


def test_seal_at_the_block_counts(tmp_path):
    r = render_page(HOST, dpi=DPI, rng=random.Random(1))
    check = check_document_seal([_page(tmp_path, 2, _stamp(r, HOST), r.words)], HOST,
                                kind=DocKind.INFO_SHEET, settings=Settings())
    assert check.seal is not None and check.seal.page == 2 and check.seal.near_signature
    assert check.seal.matches_signer is True, check.seal.text
    assert "MISSING_STAMP" not in _codes(check) and "STAMP_SIGNER_MISMATCH" not in _codes(check)


def test_seal_elsewhere_does_not_count(tmp_path):
    r = render_page(HOST, dpi=DPI, rng=random.Random(2), anchor_at=(0.15, 0.8))
    check = check_document_seal([_page(tmp_path, 1, _stamp(r, HOST, where="top"), r.words)], HOST,
                                kind=DocKind.INFO_SHEET, settings=Settings())
    assert check.seal is None
    assert _codes(check) == ["MISSING_STAMP"]
    assert "elsewhere" in check.flags[0].message


def test_only_the_last_page_with_the_block_is_checked(tmp_path):
    # Page 1 carries a seal but no block; page 2 has the block and no seal: missing.
    first = render_page(HOST, dpi=DPI, rng=random.Random(3))
    words_without_block = [w for w in first.words if w[1][1] < first.anchor[1] - 5]
    p1 = _page(tmp_path, 1, _stamp(first, HOST), words_without_block)
    second = render_page(HOST, dpi=DPI, rng=random.Random(4))
    p2 = _page(tmp_path, 2, second.image, second.words)
    check = check_document_seal([p1, p2], HOST, kind=DocKind.INFO_SHEET, settings=Settings())
    assert check.seal is None and _codes(check) == ["MISSING_STAMP"]


def test_seal_of_another_unit_is_a_mismatch(tmp_path):
    r = render_page(HOST, dpi=DPI, rng=random.Random(5))
    other = "广东华南新材料中试基地有限公司"
    check = check_document_seal([_page(tmp_path, 1, _stamp(r, other), r.words)], HOST,
                                kind=DocKind.INFO_SHEET, settings=Settings())
    assert check.seal is not None and check.seal.matches_signer is False, check.seal
    assert "STAMP_SIGNER_MISMATCH" in _codes(check)


def test_summary_table_department_seal_on_gray_jpeg(tmp_path):
    r = render_page(DEPT, dpi=DPI, rng=random.Random(6), summary=True)
    page = _page(tmp_path, 1, _stamp(r, DEPT).convert("L"), r.words, fmt="jpg")
    # No expected signer given: the department named in the block is the one to match.
    check = check_document_seal([page], None, kind=DocKind.SUMMARY_TABLE, settings=Settings())
    assert check.seal is not None and check.seal.near_signature
    assert check.seal.matches_signer is not False
    assert "MISSING_STAMP" not in _codes(check)


def test_block_found_over_single_character_words():
    # OCR splits Chinese into glyphs and writes full- or half-width brackets.
    text = "依托单位(盖章）：" + HOST
    words = [Word(text=ch, bbox=(100 + 20 * i, 500, 118 + 20 * i, 520)) for i, ch in enumerate(text)]
    block = find_signature_block([Word(text="承诺", bbox=(100, 100, 140, 120)), *words], DocKind.INFO_SHEET)
    assert block is not None
    assert block.bbox[0] == 100 and block.bbox[1] == 500
    assert block.signer == HOST


def test_no_block_label_gives_none():
    assert find_signature_block([Word(text="平台名称", bbox=(0, 0, 80, 20))], DocKind.INFO_SHEET) is None


def test_pages_without_images_mean_missing_stamp():
    check = check_document_seal([Page(number=1, width=100, height=100)], HOST,
                                kind=DocKind.INFO_SHEET, settings=Settings())
    assert check.seal is None and _codes(check) == ["MISSING_STAMP"]
