"""Seal drawing: shape, determinism, multiply compositing, real-seal cutting."""

import random

import numpy as np
import pytest
from PIL import Image

from samples.sealdraw import REAL_SEALS_DIR, composite_seal, draw_seal, real_seal, seal_diameter_px


def test_seal_size_at_300_dpi():
    assert seal_diameter_px(300) == 496


def test_draw_seal_is_rgba_transparent_and_deterministic():
    a = draw_seal("广州华粤新材料科技有限公司", diameter_px=300, rng=random.Random(5))
    b = draw_seal("广州华粤新材料科技有限公司", diameter_px=300, rng=random.Random(5))
    c = draw_seal("广州华粤新材料科技有限公司", diameter_px=300, rng=random.Random(6))
    assert a.mode == "RGBA" and a.size == (300, 300)
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()  # ink texture follows the rng
    alpha = np.asarray(a.getchannel("A"))
    assert alpha[0, 0] == 0 and alpha[150, 150] > 0  # transparent corner, inked star centre
    assert 0.05 < (alpha > 60).mean() < 0.5


def test_oval_seal_is_wider_than_high_and_faint_ink_is_lighter():
    oval = draw_seal("深圳市某某精密制造股份有限公司", diameter_px=300, oval=True, rng=random.Random(1))
    assert oval.width == 300 and oval.height == 200
    full = draw_seal("某某公司", diameter_px=200, rng=random.Random(1))
    faint = draw_seal("某某公司", diameter_px=200, ink=0.4, rng=random.Random(1))
    assert np.asarray(faint.getchannel("A")).sum() < 0.5 * np.asarray(full.getchannel("A")).sum()


def test_composite_multiplies_red_over_white_and_keeps_black():
    page = Image.new("RGB", (400, 400), "white")
    page.paste((0, 0, 0), (0, 195, 400, 205))  # a black text line under the seal
    seal = draw_seal("广东省工业和信息化厅", diameter_px=300, ink=1.0, rng=random.Random(2))
    out = composite_seal(page, seal, (200, 200), angle=15)
    arr = np.asarray(out).astype(int)
    assert page.getpixel((200, 100)) == (255, 255, 255)  # the input is not modified
    assert (arr[..., 0] - arr[..., 1] > 100).sum() > 1000  # red ink landed
    assert arr[200, 5].max() < 30  # black stays black outside and under the ink
    assert arr[200, 200].max() < 30
    gray = composite_seal(page.convert("L"), seal, (200, 200))
    assert gray.mode == "L"


def test_composite_clips_at_page_edge():
    page = Image.new("RGB", (100, 100), "white")
    seal = draw_seal("某某公司", diameter_px=120, rng=random.Random(3))
    out = composite_seal(page, seal, (0, 0))
    assert out.size == (100, 100)


@pytest.mark.skipif(not REAL_SEALS_DIR.is_dir(),
                    reason=f"real seal crops not found at {REAL_SEALS_DIR} (the shared folder beside the repository)")
def test_real_seal_colour_key_and_rgba_source():
    keyed = real_seal("getseal_source")
    assert keyed.mode == "RGBA"
    alpha = np.asarray(keyed.getchannel("A"))
    assert alpha.max() > 200 and (alpha == 0).mean() > 0.3  # ink and clear paper
    assert real_seal("getseal_out.png").mode == "RGBA"
