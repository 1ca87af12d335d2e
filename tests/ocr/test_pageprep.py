"""Each preparation step on synthetic pages with a known transform."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from ocr_pages import PageSpec, render_page

from extractors import pageprep


def _page(tmp_path: Path, dpi: int = 150, **kw) -> Path:
    return render_page(tmp_path / "page.png", PageSpec(**kw), dpi=dpi)


def test_affine_round_trip_maps_boxes_back():
    a = pageprep.Affine.identity()
    _, m = pageprep.rotate_quarter_turns(np.zeros((100, 50), np.uint8), 90)
    a = a.then(m).then(np.array([[2.0, 0, 0], [0, 2.0, 0]]))
    box = (10.0, 20.0, 30.0, 25.0)
    fwd = a.map_box(box)
    # 90° clockwise of a 50×100 image: (x, y) → (99 - y, x); then ×2.
    assert fwd == pytest.approx((2 * (99 - 25), 20.0, 2 * (99 - 20), 60.0))
    assert a.inverse().map_box(fwd) == pytest.approx(box)


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_quarter_turn_matrix_matches_pixels(degrees):
    img = np.zeros((40, 60), np.uint8)
    img[5, 7] = 255
    out, m = pageprep.rotate_quarter_turns(img, degrees)
    x, y = m @ np.array([7, 5, 1.0])
    assert out[int(round(y)), int(round(x))] == 255


@pytest.mark.parametrize("angle", [-2.5, 1.2, 3.0])
def test_estimate_skew_recovers_known_rotation(tmp_path, angle):
    gray = cv2.imread(str(_page(tmp_path)), cv2.IMREAD_GRAYSCALE)
    turned, _ = pageprep.rotate_by(gray, angle)
    # Rotating back by the estimate must undo the known rotation.
    assert pageprep.estimate_skew(turned) == pytest.approx(-angle, abs=0.15)


def test_estimate_skew_of_straight_page_is_zero(tmp_path):
    gray = cv2.imread(str(_page(tmp_path)), cv2.IMREAD_GRAYSCALE)
    assert abs(pageprep.estimate_skew(gray)) < 0.1


def test_text_direction_test_sees_quarter_turn(tmp_path):
    gray = cv2.imread(str(_page(tmp_path)), cv2.IMREAD_GRAYSCALE)
    assert not pageprep.text_is_vertical(gray)
    assert pageprep.text_is_vertical(cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE))


def test_red_dropout_keeps_black_text_under_red_ink():
    img = np.full((60, 120, 3), 255, np.uint8)
    cv2.rectangle(img, (10, 10), (110, 50), (40, 40, 220), -1)  # red seal ink (BGR)
    cv2.rectangle(img, (50, 20), (60, 40), (0, 0, 0), -1)  # black digit stroke under it
    gray, dropped = pageprep.drop_red(img)
    assert dropped
    assert gray[15, 20] > 200  # red became near-white
    assert gray[30, 55] < 60  # black stayed black
    plain = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    assert plain[15, 20] < 120  # without dropout the seal would be dark ink


def test_no_dropout_on_gray_page():
    gray = np.full((50, 50), 200, np.uint8)
    out, dropped = pageprep.drop_red(gray)
    assert not dropped and out is gray


def test_scale_to_dpi_only_upscales_low_resolution():
    img = np.zeros((100, 80), np.uint8)
    out, m, dpi = pageprep.scale_to_dpi(img, 150)
    assert out.shape == (200, 160) and dpi == 300 and m[0][0] == 2.0
    same, _, dpi2 = pageprep.scale_to_dpi(img, 300)
    assert same is img and dpi2 == 300


def test_guess_dpi_from_a4_when_metadata_is_missing_or_bogus():
    assert pageprep.guess_dpi(2480, 3508, None) == 300
    assert pageprep.guess_dpi(2480, 3508, 72) == 300  # 72 dpi declared, 300 dpi pixels
    assert pageprep.guess_dpi(1240, 1754, 150) == 150


def test_table_cells_found_from_rules(tmp_path):
    spec = PageSpec(fields=[("平台名称", "甲"), ("依托单位", "乙"), ("所在地市", "丙")])
    gray = cv2.imread(str(render_page(tmp_path / "p.png", spec, dpi=150)), cv2.IMREAD_GRAYSCALE)
    cells = pageprep.find_cells(pageprep.table_lines(255 - pageprep.ink_mask(gray), 150).all(), 150)
    assert len(cells) == 6  # three rows of label | value
    rows = sorted({c.bbox[1] for c in cells})
    assert len(rows) == 3


def test_prepare_page_undoes_180_and_maps_back(tmp_path, settings):
    src = _page(tmp_path, dpi=150)
    upside = tmp_path / "upside.png"
    cv2.imwrite(str(upside), cv2.rotate(cv2.imread(str(src)), cv2.ROTATE_180))
    prep = pageprep.prepare_page(upside, tmp_path / "ocr.png", dpi=150, tesseract_cmd=settings.tesseract_cmd)
    assert prep.rotation == 180
    assert prep.dpi == 300  # 150 dpi scaled up for OCR
    # The original's top-left corner lands at the prepared image's bottom-right.
    x0, y0, x1, y1 = prep.to_prepared.map_box((0, 0, 1, 1))
    h, w = cv2.imread(str(prep.ocr_image), cv2.IMREAD_GRAYSCALE).shape
    assert x1 == pytest.approx(w, abs=3) and y1 == pytest.approx(h, abs=3)


def test_gray_seal_is_lightened_but_black_print_stays():
    img = np.full((400, 400), 255, np.uint8)
    cv2.circle(img, (200, 200), 150, 110, 18)  # a seal ring scanned in gray
    cv2.circle(img, (200, 200), 60, 110, -1)  # its star, roughly
    cv2.putText(img, "12", (150, 220), cv2.FONT_HERSHEY_SIMPLEX, 2, 0, 6)  # black print under it
    out, dropped = pageprep.drop_gray_seal(img, 300)
    assert dropped
    assert out[200, 50 + 6] == 255  # ring gone
    assert (out[180:230, 150:250] < 60).sum() > 500  # digits kept


def test_gray_page_without_seal_is_left_alone(tmp_path):
    gray = cv2.imread(str(_page(tmp_path)), cv2.IMREAD_GRAYSCALE)
    out, dropped = pageprep.drop_gray_seal(gray, 150)
    assert not dropped and out is gray


def test_despeckle_removes_grain_but_keeps_full_stops():
    bw = np.full((100, 100), 255, np.uint8)
    bw[10, 10] = 0  # grain
    bw[50:54, 50:54] = 0  # a full stop, 4×4 px at 300 dpi
    out = pageprep.despeckle(bw, 300)
    assert out[10, 10] == 255 and out[51, 51] == 0


def test_photocopy_streak_does_not_split_cells(tmp_path):
    spec = PageSpec(fields=[("平台名称", "甲"), ("依托单位", "乙"), ("所在地市", "丙")])
    gray = cv2.imread(str(render_page(tmp_path / "p.png", spec, dpi=150)), cv2.IMREAD_GRAYSCALE)
    x = int(130 * 150 / 25.4)  # through the value column, top to bottom of the page
    cv2.line(gray, (x, 0), (x + 4, gray.shape[0] - 1), 0, 2)
    rules = pageprep.table_lines(255 - pageprep.ink_mask(gray), 150)
    assert len(pageprep.find_cells(rules.all(), 150)) > 6  # the streak alone would split the values
    assert len(pageprep.find_cells(pageprep.without_streaks(rules, 150), 150)) == 6


@pytest.mark.parametrize("text", ["欧***", "吴*", "吴**", "蔡***"])
def test_find_asterisks_on_a_rendered_masked_name(text):
    from PIL import Image, ImageDraw, ImageFont

    from ocr_pages import FONT

    img = Image.new("L", (400, 80), 255)
    ImageDraw.Draw(img).text((10, 15), text, font=ImageFont.truetype(FONT, 42), fill=0)
    bw = np.asarray(img)
    bw = np.where(bw < 128, 0, 255).astype(np.uint8)
    stars = pageprep.find_asterisks(bw, (0, 0, 400, 80), 42.0)
    # The parts of 欧 are not taken for asterisks; 吴, printed as 口 over 天, is one
    # character tall, not as short as its pieces (its asterisk was missed so).
    assert len(stars) == text.count("*")
    assert all(s[0] > 50 for s in stars)  # all right of the character


def _streaked(tmp_path: Path, *, level: int) -> tuple[np.ndarray, np.ndarray, int]:
    """A 300-dpi page, and the same page with a streak of gray `level` running through its values' first characters."""
    spec = PageSpec(fields=[("平台名称", "有有有"), ("依托单位", "无无无"), ("所在地市", "有无有")])
    clean = cv2.imread(str(render_page(tmp_path / "p.png", spec, dpi=300)), cv2.IMREAD_GRAYSCALE)
    x = int((20 + 70 + 3 + 1.6) * 300 / 25.4)  # the middle of the first character of each value
    streaked = clean.copy()
    band = streaked[:, x : x + 5]
    streaked[:, x : x + 5] = np.minimum(band, level)  # a toner streak darkens paper, print stays black
    return clean, streaked, x


@pytest.mark.parametrize("level", [150, 0])  # a gray streak (photocopy), a black one (black-and-white copy)
def test_erasing_a_streak_keeps_the_characters_under_it(tmp_path, level):
    clean, streaked, x = _streaked(tmp_path, level=level)
    cells = 0
    for gray in (clean, streaked):
        bw = pageprep.binarize(gray)
        rules = pageprep.table_lines(255 - pageprep.ink_mask(gray), 300)
        out = pageprep.erase_rules(bw, rules, 300, gray)
        strip = out[:, x - 4 : x + 9] == 0  # the streak's band with the erased margin
        if gray is clean:
            want, cells = int(strip.sum()), len(pageprep.find_cells(pageprep.without_streaks(rules, 300), 300))
            continue
        got = int(strip.sum())
        assert len(pageprep.find_cells(pageprep.without_streaks(rules, 300), 300)) == cells
    # Under a gray streak the print is told apart by its darkness and comes back whole; under a
    # black one the strokes that cross it do. Erasing the band as it was kept less than half.
    assert want > 0
    assert got >= (0.9 if level else 0.7) * want
    assert got <= 1.1 * want  # the streak itself is not put back


def test_one_opencv_thread_prepares_the_same_image_as_several(tmp_path):
    # extract_scan runs OpenCV on one thread per worker (scan.one_opencv_thread); the
    # prepared page, its cells and skew must not depend on that.
    from ocr_pages import degrade, stamp

    page = stamp(render_page(tmp_path / "p.png", PageSpec(), dpi=200), tmp_path / "s.png", (120, 60), 200)
    page = degrade(page, tmp_path / "d.jpg", skew=1.5, noise=12, jpeg_quality=60)
    image = cv2.imread(str(page))
    before = cv2.getNumThreads()
    try:
        results = []
        for threads in (4, 1):
            cv2.setNumThreads(threads)
            p = pageprep.prepare_page(page, tmp_path / f"out{threads}.png", dpi=200, image=image.copy(),
                                      detect_orientation=False, write=False)
            results.append((p.pixels.tobytes(), p.cells, p.skew, p.seal_dropped))
    finally:
        cv2.setNumThreads(before)
    assert results[0][2] != 0.0 and results[0][3]  # the skew and the seal were really handled
    assert results[0] == results[1]


def test_components_match_opencv_and_survive_more_groups_than_16_bits_hold():
    rng = np.random.default_rng(3)
    mask = ((rng.random((300, 400)) > 0.7) * 255).astype(np.uint8)
    n, labels, stats, _ = pageprep.components(mask)
    n0, labels0, stats0, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    assert labels.dtype == np.uint16
    assert n == n0 and np.array_equal(labels, labels0) and np.array_equal(stats, stats0)
    # 90 000 isolated dots: more groups than 16-bit labels can number.
    dots = np.zeros((600, 600), np.uint8)
    dots[::2, ::2] = 255
    n, labels, _, _ = pageprep.components(dots)
    assert n == 90_001 and labels.dtype == np.int32
