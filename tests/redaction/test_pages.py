"""Findings on pages mapped to word boxes, including characters inside a longer word."""

import pytest

from pilot_intake.models import Page, Word

W = Word


def _page(words):
    return Page(number=1, width=1000, height=200, dpi=200, words=words)


CASES = [
    (  # one word per Chinese character: the name's two boxes
        [W(text=c, bbox=(100 + 50 * i, 10, 140 + 50 * i, 50)) for i, c in enumerate("联系人：张伟")],
        [("PERSON", "张*", [(300, 10, 340, 50), (350, 10, 390, 50)])],
    ),
    (  # label and value in one word: only the value's part of the box
        [W(text="联系人：张伟", bbox=(0, 10, 600, 50))],
        [("PERSON", "张*", [(400, 10, 600, 50)])],
    ),
    (  # mixed CJK and digits in one word: digits count narrower than ideographs
        [W(text="电话13812345678", bbox=(0, 10, 805, 50))],
        [("CN_MOBILE", "138****5678", [(200, 10, 805, 50)])],
    ),
    (  # a spaced-out number split over several words, on the second line
        [W(text="电话", bbox=(0, 10, 100, 50)), W(text="138", bbox=(0, 80, 90, 120)),
         W(text="1234", bbox=(100, 80, 200, 120)), W(text="5678", bbox=(210, 80, 310, 120))],
        [("CN_MOBILE", "138****5678", [(0, 80, 90, 120), (100, 80, 200, 120), (210, 80, 310, 120)])],
    ),
    (  # nothing personal: no finding
        [W(text="统一社会信用代码：91440101MA5C12345X", bbox=(0, 10, 900, 50))], [],
    ),
]


@pytest.mark.parametrize("words,expected", CASES)
def test_scan_pages_boxes(redactor, words, expected):
    found = redactor.scan_pages([_page(words)])
    got = [(f.entity, f.masked, [tuple(round(v) for v in b) for b in f.boxes]) for f in found]
    assert got == [(e, m, [tuple(b) for b in boxes]) for e, m, boxes in expected]


def test_reference_raw_values_are_found_without_a_label(redactor):
    # The data file names the contact; on the scan the label was misread, the name was not.
    words = [W(text=c, bbox=(50 * i, 10, 40 + 50 * i, 50)) for i, c in enumerate("联糸入张伟")]
    found = redactor.scan_pages([_page(words)], reference={"contact_name": "张伟"})
    assert [(f.entity, f.masked, f.already_masked, len(f.boxes)) for f in found] == [("PERSON", "张*", False, 2)]


def test_scan_name_checked_against_masked_reference(redactor):
    words = [W(text=c, bbox=(50 * i, 10, 40 + 50 * i, 50)) for i, c in enumerate("技术负责人：秦六")]
    plain = redactor.scan_pages([_page(words)])
    checked = redactor.scan_pages([_page(words)], reference={"tech_leader": "秦**"})
    assert [(f.masked, f.already_masked) for f in plain] == [("秦*", False)]
    assert [(f.masked, f.already_masked, f.field) for f in checked] == [("秦**", True, "tech_leader")]
