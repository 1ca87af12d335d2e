"""Ring text: polar unwrap + real tesseract on drawn seals, and the tolerant signer comparison."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest
from PIL import Image

from extractors.seals import detect_seals, read_ring_text, signer_match
from samples.sealdraw import composite_seal, draw_seal

from .conftest import to_cv

NAME = "江苏先进制造技术研究院有限公司"


def _stamped(name: str, *, angle: float = 0, gray: bool = False) -> tuple[np.ndarray, int]:
    dpi = 300
    page = Image.new("RGB", (900, 900), (255, 255, 255))
    seal = draw_seal(name, diameter_px=496, rng=random.Random(5))
    page = composite_seal(page, seal, (450, 450), angle)
    return to_cv(page.convert("L") if gray else page), dpi


@pytest.mark.parametrize("angle", [0, 25], ids=["upright", "rotated"])
def test_ring_text_names_the_signer(angle):
    image, dpi = _stamped(NAME, angle=angle)
    (cand,) = detect_seals(image, dpi)
    text, conf = read_ring_text(image, cand)
    assert text is not None and 0 < conf <= 1
    ok, score = signer_match(text, NAME)
    assert ok is True, (text, score)


def test_ring_text_on_gray_scan():
    image, dpi = _stamped(NAME, gray=True)
    (cand,) = detect_seals(image, dpi)
    text, _ = read_ring_text(image, cand)
    assert signer_match(text, NAME)[0] is True, text


def test_blank_ring_reads_as_unreadable():
    # A ring with no lettering left (worn out): nothing to read, not a guess.
    img = np.full((700, 700, 3), 255, np.uint8)
    cv2.circle(img, (350, 350), 240, (29, 37, 218), 16)
    from extractors.seal_ring import Ellipse  # noqa: PLC0415
    from extractors.seals import SealCandidate  # noqa: PLC0415
    from extractors.seal_ring import RingEvidence  # noqa: PLC0415

    cand = SealCandidate((110, 110, 590, 590), 0.9, (350, 350), (240, 240), 0, True,
                         RingEvidence(1, 1, 0, 0, 0, 0, 0, 0, 0.05))
    assert read_ring_text(img, cand) == (None, 0.0)
    assert isinstance(Ellipse(0, 0, 1, 1, 0).bbox(), tuple)


@pytest.mark.parametrize(
    ("ring", "expected", "match"),
    [
        ("江苏先进制造技术研究院有限公司", NAME, True),
        ("江苏先进制适技木研究院有限公司", NAME, True),  # two OCR slips
        ("江苏先进制造技术研究院有限公司合同专用章", NAME, True),  # seal role after the name
        ("江苏先进制造技术研究院股份有限公司", NAME, True),  # legal form differs
        ("江 苏 先 进 制 造 技 术 研 究 院", NAME, True),  # spaces, no legal form on the ring
        ("广东华南新材料中试基地有限公司", NAME, False),  # another company
        ("江苏省工业和信息化厅", "广东省工业和信息化厅", False),  # another province's department
        ("广东省工业和信息化厅", "广东省工业和信息化厅", True),
        ("广东省工业和信息化厅(盖章)", "广东省工业和信息化厅", True),
        # one slip in the brand, with the city's 市 on both sides (seen on the demo scans)
        ("广州市浦钧新材料科技有限公司", "广州市沛钧新材料科技有限公司", True),
        # two characters of the brand differ: a misread ring or another company, a person decides
        ("广州市浦江新材料科技有限公司", "广州市沛钧新材料科技有限公司", None),
        ("广东省基碰可靠性验证研究院", "广东省嘉砾可靠性验证研究院", None),
        ("东莞市湾芯贸易有限公司", "东莞市弘霁动力科技有限公司", False),
        # part of the name read, the rest lost under print or a broken B&W press: unclear, not another unit
        ("生物医药中限", "四川天府生物医药中试服务有限公司", None),
        ("州北信息技术中试委", "湖北光谷信息技术中试平台有限公司", None),
        # the strip started mid-name, so its head is read at the end
        ("程技术中心有司专街密仪", "浙江精密仪器工程技术中心有限公司", None),
        # another unit sharing generic words (中试, 有限公司) is still another unit
        ("上海临港集成电路中试有限公司", "山东海洋装备中试验证有限公司", False),
    ],
)
def test_signer_match_table(ring, expected, match):
    ok, score = signer_match(ring, expected)
    assert ok is match, score
    assert 0.0 <= score <= 1.0


def test_signer_match_without_text_is_unknown():
    assert signer_match(None, NAME) == (None, 0.0)
    assert signer_match("", NAME)[0] is None


def test_bw_legibility_is_judged_from_the_drawn_seal():
    # Which glyphs a B&W scanner's threshold keeps, from the drawn seal (not from any reader).
    from samples.sealset import glyph_ink_kept, glyphs_survive_threshold  # noqa: PLC0415

    firm = draw_seal(NAME, diameter_px=496, rng=random.Random(0))
    kept = glyph_ink_kept(firm, len(NAME), oval=False)
    assert len(kept) == len(NAME) and min(kept) >= 0.3
    assert glyphs_survive_threshold(firm, len(NAME), oval=False)
    # This press is light at its lower right: 司, the last glyph, all but vanishes.
    light = draw_seal(NAME, diameter_px=496, rng=random.Random(5))
    kept = glyph_ink_kept(light, len(NAME), oval=False)
    assert kept[-1] < 0.1 and min(kept[:-1]) > 0.5
    assert not glyphs_survive_threshold(light, len(NAME), oval=False)
    # A faint press (ink 0.5) stays lighter than the threshold everywhere.
    faint = draw_seal(NAME, diameter_px=496, rng=random.Random(5), ink=0.5)
    assert max(glyph_ink_kept(faint, len(NAME), oval=False)) == 0.0
