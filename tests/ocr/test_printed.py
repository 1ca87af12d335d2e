"""Recalling the form's printed labels instead of reading them again (extractors/printed.py).

Real rendered pages and real tesseract: a label is recalled only where its ink is the
same picture, never a value, and reading with recall gives the same fields as without.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from ocr_pages import FONT, INFO_FIELDS, PageSpec, render_page
from PIL import Image, ImageDraw, ImageFont

from pilot_intake.models import FileType, SourceFile
from pilot_intake.pipeline import learning_scans
from pilot_intake.settings import Settings

from extractors import pageprep
from extractors.printed import MAX_LEARNING_PAGES, PrintedLabels, blank_labels, same_print
from extractors.scan import extract_scan


def _ink(text: str, size: int = 42) -> np.ndarray:
    font = ImageFont.truetype(FONT, size)
    img = Image.new("L", (40 + int(font.getlength(text)), 2 * size), 255)
    ImageDraw.Draw(img).text((20, size // 2), text, font=font, fill=0)
    mask = np.asarray(img) < 128
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def test_same_print_takes_the_same_label_and_tolerates_a_pixel_of_edge():
    a = _ink("中试设备或设施原值（万元）")
    assert same_print(a, a.copy())
    # Edges one pixel thicker, as another scan of the same print binarises.
    thicker = np.zeros_like(a)
    thicker[:, 1:] = a[:, 1:] | a[:, :-1]
    assert same_print(a, thicker)


@pytest.mark.parametrize("other", ["中试设备或设施原值（亿元）", "中试设备或设施净值（万元）"])
def test_same_print_refuses_a_label_one_character_apart(other):
    assert not same_print(_ink("中试设备或设施原值（万元）"), _ink(other))


def test_same_print_refuses_another_size():
    assert not same_print(_ink("平台名称"), _ink("平台名称", size=46))


def _prepared(path: Path) -> pageprep.PreparedPage:
    return pageprep.prepare_page(path, path.with_name(path.stem + "-ocr.png"), detect_orientation=False, write=False)


@pytest.fixture(scope="module")
def two_pages(tmp_path_factory):
    d = tmp_path_factory.mktemp("printed")
    first = render_page(d / "a.png", PageSpec())
    # Same form, other values, and one label that differs by a character (亿元 for 万元).
    fields = [(label, value) for label, value in INFO_FIELDS]
    fields[0] = ("平台名称", "华东精细化工中试基地")
    fields[1] = ("依托单位", "杭州精化科技有限公司")
    fields[4] = ("中试设备或设施原值（亿元）", "0.1251")
    second = render_page(d / "b.png", PageSpec(fields=fields))
    return _prepared(first), _prepared(second), fields


def test_labels_learned_on_one_page_are_recalled_on_the_next_and_values_never(two_pages, tess):
    first, second, fields = two_pages
    cells1 = [c.bbox for c in first.cells]
    printed = PrintedLabels()
    words = tess.read(first.image(), dpi=first.dpi)
    assert printed.learn(first.image(), cells1, words, first.dpi) >= 6
    assert not printed.learning  # enough labels: learning stops, later pages only recall

    cells2 = [c.bbox for c in second.cells]
    recalled = printed.recall(second.image(), cells2, second.dpi)
    label_col = min(c[2] for c in cells2)  # the label column is the leftmost cell's right edge
    assert recalled, "no label recalled"
    assert all(cells2[r.cell][2] <= label_col + 2 for r in recalled), "a value cell was recalled"
    texts = {"".join(w.text for w in r.words) for r in recalled}
    assert not any("亿" in t or "万" in t for t in texts if "原值" in t), "the 亿元 label took the 万元 reading"
    # Every other label of the form came back (8 of 9), placed inside its own cell.
    assert len(recalled) == len(fields) - 1
    for r in recalled:
        x0, y0, x1, y1 = cells2[r.cell]
        for w in r.words:
            cx, cy = (w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2
            assert x0 <= cx <= x1 and y0 <= cy <= y1
    # The labels' ink goes from the image the page pass reads, but for about a character at
    # the end (the value beside it is read in the same line as before); values stay.
    image = second.image()
    blanked = blank_labels(image, recalled)
    for r in recalled:
        x0, y0, x1, y1 = r.ink
        kept = x1 - (y1 - y0)
        assert (blanked[y0:y1, x0:kept] == 255).all()
        assert (blanked[y0:y1, kept:x1] == image[y0:y1, kept:x1]).all()
    others = np.ones(image.shape, bool)
    for r in recalled:
        x0, y0, x1, y1 = r.ink
        others[y0:y1, x0:x1] = False
    assert (blanked[others] == image[others]).all()


def test_learning_stops_after_a_few_pages_without_labels():
    printed = PrintedLabels()
    blank = np.full((400, 400), 255, np.uint8)
    for _ in range(MAX_LEARNING_PAGES):
        assert printed.learning
        printed.learn(blank, [(10, 10, 390, 100)], [], 300)
    assert not printed.learning and len(printed) == 0


def _pdf(pages: list[Path], out: Path) -> SourceFile:
    images = [Image.open(p).convert("RGB") for p in pages]
    images[0].save(out, save_all=True, append_images=images[1:], resolution=300)
    data = out.read_bytes()
    return SourceFile(path=out.name, abs_path=out, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                      file_type=FileType.PDF)


def test_reading_with_recall_gives_the_same_fields_and_the_same_words_on_every_run(tmp_path, tess):
    pages = []
    for i, (name, staff) in enumerate([("华南先进材料中试平台", "12"), ("华东精细化工中试基地", "8"),
                                       ("西部新能源中试平台", "23")]):
        fields = list(INFO_FIELDS)
        fields[0], fields[5] = ("平台名称", name), ("专职技术或管理人员（人）", staff)
        pages.append(render_page(tmp_path / f"p{i}.png", PageSpec(fields=fields)))
    src = _pdf(pages, tmp_path / "three.pdf")

    def run(recall: bool, tag: str):
        printed = PrintedLabels() if recall else None
        doc = extract_scan(src, tmp_path / tag, Settings(workers=2, recall_labels=recall), workers=2, engine=tess,
                           printed=printed)
        return doc, printed

    plain, _ = run(False, "plain")
    recalled, printed = run(True, "r1")
    again, _ = run(True, "r2")
    # Pages 1 and 2 are read at once while learning (one wave, two workers): page 2 cannot
    # recall page 1's labels, whichever finishes first. Page 3 recalls them.
    assert len(INFO_FIELDS) - 1 <= printed.recalled < 2 * (len(INFO_FIELDS) - 1)
    assert {k: v.value for k, v in recalled.fields.items()} == {k: v.value for k, v in plain.fields.items()}
    # The pages are read two at a time, in the wave and after it: the same words every run.
    assert [p.words for p in recalled.pages] == [p.words for p in again.pages]


def test_batch_reads_scans_one_at_a_time_only_while_learning():
    def src(name: str, ftype: FileType) -> SourceFile:
        return SourceFile(path=name, abs_path=Path(name), sha256="0" * 64, size=1, file_type=ftype)

    sources = [src("b.pdf", FileType.PDF), src("a.xlsx", FileType.XLSX), src("c.jpg", FileType.JPEG),
               src("a.png", FileType.PNG)]
    printed = PrintedLabels()
    services = SimpleNamespace(printed=printed)
    seen = []
    for s in learning_scans(sources, services):
        seen.append(s.path)
        printed.learn(np.full((50, 50), 255, np.uint8), [], [], 300)  # a page that taught nothing
    # Path order, scans only, and no more than the learning pages allow.
    assert seen == ["a.png", "b.pdf", "c.jpg"][:MAX_LEARNING_PAGES]
    assert list(learning_scans(sources, SimpleNamespace(printed=None))) == []


def test_a_cell_whose_reading_misses_part_of_its_ink_is_not_learned(two_pages, tess):
    """A label cell with ink its reading does not account for must not be copied to other pages.

    The case: a rule between label and value lost (photocopy), so one cell holds both,
    and the page pass read the label but dropped the value (injected here).
    """
    from extractors import layout

    first, _, _ = two_pages
    cells = [c.bbox for c in first.cells]
    words = tess.read(first.image(), dpi=first.dpi)
    per_cell, _ = layout.assign_to_cells(words, cells)
    label = next(i for i, ws in enumerate(per_cell) if layout.join_words(ws) == "是否制定中试技术路线图")
    value = next(i for i, c in enumerate(cells) if abs(c[1] - cells[label][1]) < 5 and c[0] > cells[label][2] - 5)
    merged = (cells[label][0], cells[label][1], cells[value][2], cells[value][3])
    cells2 = [merged if i == label else c for i, c in enumerate(cells) if i != value]
    unread = set(map(id, per_cell[value]))
    assert unread, "the value was not read in the first place"
    printed = PrintedLabels()
    printed.learn(first.image(), cells2, [w for w in words if id(w) not in unread], first.dpi)
    recalled = {cells2[r.cell] for r in printed.recall(first.image(), cells2, first.dpi)}
    assert merged not in recalled, "a cell read only in part was learned"
    assert recalled, "the labels read whole were learned"


@pytest.mark.parametrize("workers, recalled", [(1, True), (2, False)])
def test_a_batch_reads_its_first_scan_on_all_workers(tmp_path, tess, workers, recalled):
    # The batch reads its first scans alone while labels are learned; their pages are read in
    # waves on `workers`, so page 2 runs beside page 1 (and so cannot recall its labels).
    from pilot_intake.pipeline import extract_source

    pages = [render_page(tmp_path / f"p{i}.png", PageSpec()) for i in range(2)]
    src = _pdf(pages, tmp_path / "two.pdf")
    printed = PrintedLabels()
    doc = extract_source(src, tmp_path / "work", Settings(workers=2), engine=tess, printed=printed, workers=workers)
    assert len(doc.pages) == 2
    assert (printed.recalled > 0) is recalled
