"""Views of a text for pattern matching, each with a map back to the original offsets.

Recognizers run on normalised views so that full-width digits, OCR spacing
(`1 3 8 1 2 …`, `联 系 人`) and OCR letter/digit confusions (`O`→`0`, `l`→`1`)
still match; every view keeps `origin[i]` = offset in the original text of its
character i, so a span found in a view is mapped back exactly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Letters tesseract reads for digits. S/B/Z/G are left out on purpose: they start
# real passport numbers and would turn them into digit runs.
_DIGIT_LOOKALIKES = {"O": "0", "o": "0", "Q": "0", "〇": "0", "I": "1", "l": "1", "|": "1", "i": "1"}
# A run of digits as OCR may write it: lookalikes, spaces, hyphens and brackets inside.
_DIGIT_RUN = re.compile(r"[0-9OoQ〇Il|i(（][0-9OoQ〇Il|i \-()（）]*[0-9OoQ〇Il|i)）]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF


@dataclass(frozen=True)
class View:
    text: str
    origin: tuple[int, ...]  # origin[i]: offset in the original text of text[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of this view back to the original text."""
        return self.origin[start], self.origin[end - 1] + 1


def _nfkc(text: str) -> View:
    out: list[str] = []
    origin: list[int] = []
    if unicodedata.is_normalized("NFKC", text):
        return View(text, tuple(range(len(text))))
    for i, ch in enumerate(text):
        o = ord(ch)
        # ASCII and the CJK ideographs are NFKC-stable: skip the per-character call for them.
        norm = ch if o < 0x80 or 0x4E00 <= o <= 0x9FFF else unicodedata.normalize("NFKC", ch)
        for c in norm:
            out.append(c)
            origin.append(i)
    return View("".join(out), tuple(origin))


def _fix_lookalikes(view: View) -> View:
    """Replace letters read for digits inside runs of at least 5 digits.

    A lookalike next to another Latin letter is left alone (`Tel`, `Il`), so
    words and e-mail addresses keep their letters.
    """
    text = view.text
    chars = list(text)
    for m in _DIGIT_RUN.finditer(text):
        if sum(c.isdigit() for c in m.group()) < 5:
            continue
        for k in range(m.start(), m.end()):
            if text[k] in _DIGIT_LOOKALIKES and not (_is_letter(text, k - 1) or _is_letter(text, k + 1)):
                chars[k] = _DIGIT_LOOKALIKES[text[k]]
    return View("".join(chars), view.origin)


def _is_letter(text: str, k: int) -> bool:
    """A Latin letter that is not itself a digit lookalike."""
    return 0 <= k < len(text) and text[k].isascii() and text[k].isalpha() and text[k] not in _DIGIT_LOOKALIKES


def _drop_spaces(view: View) -> View:
    keep = [i for i, c in enumerate(view.text) if c not in " \t\u00a0\u3000"]
    return View("".join(view.text[i] for i in keep), tuple(view.origin[i] for i in keep))


def views(text: str) -> list[View]:
    """The views every text is analysed in: spaced as written, and with spaces removed.

    Both are needed: removing spaces joins OCR-spaced digits, but would also glue
    two separate numbers into one run that matches nothing.
    """
    plain = _fix_lookalikes(_nfkc(text))
    compact = _fix_lookalikes(_drop_spaces(_nfkc(text)))
    if compact.text == plain.text:
        return [plain]
    return [plain, compact]


def compact_key(text: str) -> str:
    """A comparison key: NFKC, no spaces or separators, digit lookalikes fixed, lower case."""
    v = _fix_lookalikes(_drop_spaces(_nfkc(text)))
    return re.sub(r"[\s\-()（）]", "", v.text).lower()
