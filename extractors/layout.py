"""Page geometry: OCR words → text lines → table rows of cells → label/value pairs.

Parsing works on positions, not on flat text: a value belongs to the label in
the same table row (ruled cells when the page has rules, else word boxes in
rows and columns), a value wrapped over two lines stays in its cell, and
tesseract's spaces between Chinese characters are removed while a wide gap
between two fields is kept as a cell boundary.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from statistics import median

import numpy as np

from pilot_intake.models import Word

from extractors.labels import CLOSED_OPTIONS
from extractors.ocr import is_cjk, is_subsequence

# A gap wider than this many line heights separates two fields on one line
# (label and value of an unruled form); narrower gaps are inside one field,
# including the stray spaces of `平 台 名 称`.
FIELD_GAP_LINES = 1.6
# Words whose vertical centres are within this fraction of the line height share a line.
SAME_LINE = 0.5


@dataclass(frozen=True)
class TextLine:
    words: tuple[Word, ...]
    bbox: tuple[float, float, float, float]

    @property
    def text(self) -> str:
        return join_words(list(self.words))

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


@dataclass(frozen=True)
class CellText:
    """The text of one table cell (or one field segment of an unruled line)."""

    text: str
    conf: float
    bbox: tuple[float, float, float, float]


def union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def needs_space(left: str, right: str) -> bool:
    """Whether two adjacent pieces of text are joined with a space.

    Chinese is written without spaces, so no space next to a CJK character;
    between two Latin/digit words tesseract's word break is a real space.
    """
    if not left or not right:
        return False
    return not (is_cjk(left[-1]) or is_cjk(right[0]))


def join_words(words: list[Word]) -> str:
    """Join the words of one line (or one cell line) in reading order.

    Latin words touching each other (a gap under a fifth of the line height,
    as between `138` and `****` split by the engine) are one token.
    """
    out = ""
    prev: Word | None = None
    for w in sorted(words, key=lambda w: w.bbox[0]):
        t = w.text.strip()
        if not t:
            continue
        tight = prev is not None and w.bbox[0] - prev.bbox[2] < 0.2 * max(
            1.0, w.bbox[3] - w.bbox[1], prev.bbox[3] - prev.bbox[1]
        )
        out = out + (" " if needs_space(out, t) and not tight else "") + t
        prev = w
    return out


def join_lines(texts: list[str]) -> str:
    """Join the lines of a wrapped value: no break inside Chinese text."""
    out = ""
    for t in texts:
        t = t.strip()
        if t:
            out = out + (" " if needs_space(out, t) else "") + t
    return out


def text_conf(words: list[Word]) -> float:
    """Mean confidence of a piece of text, weighted by characters (for whole pages)."""
    total = sum(len(w.text) for w in words)
    if not total:
        return 0.0
    return sum(w.conf * len(w.text) for w in words) / total


def field_conf(words: list[Word]) -> float:
    """Confidence of one field's text: its least sure word.

    One misread character makes the whole value wrong (陶瓷 → 陶资), and in a
    long name it barely moves the mean; the weakest word is what decides
    whether a person should look.
    """
    return min((w.conf for w in words if w.text.strip()), default=0.0)


def group_lines(words: list[Word]) -> list[TextLine]:
    """Group words into text lines by vertical overlap, top to bottom."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0])):
        cy = (w.bbox[1] + w.bbox[3]) / 2
        h = w.bbox[3] - w.bbox[1]
        placed = False
        for line in reversed(lines[-3:]):
            ly0 = median(x.bbox[1] for x in line)
            ly1 = median(x.bbox[3] for x in line)
            lh = max(ly1 - ly0, 1.0)
            if abs(cy - (ly0 + ly1) / 2) <= SAME_LINE * max(lh, h):
                line.append(w)
                placed = True
                break
        if not placed:
            lines.append([w])
    out = [TextLine(tuple(sorted(ln, key=lambda w: w.bbox[0])), union([w.bbox for w in ln])) for ln in lines]
    out.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    return out


def reading_order(words: list[Word]) -> list[Word]:
    """A cell's words line by line, top to bottom, each line left to right."""
    return [w for ln in group_lines(words) for w in ln.words]


def cell_reading(words: list[Word]) -> str:
    """A cell's text as the engines read it, a wrapped value's lines joined in order.

    Sorting a wrapped cell's words by x alone put the second line's `证` after the first
    line's first character (`设证计验证…`), so two engines' readings of the same text
    looked different.
    """
    return join_lines([join_words(list(ln.words)) for ln in group_lines(words)])


def line_height(line: TextLine) -> float:
    """Typical character height on the line (robust to tall brackets and tiny dots)."""
    hs = [w.bbox[3] - w.bbox[1] for w in line.words if any(is_cjk(c) or c.isalnum() for c in w.text)]
    return median(hs) if hs else line.height


def segments(line: TextLine, gap_lines: float = FIELD_GAP_LINES) -> list[CellText]:
    """Split a line at wide gaps into field segments (label, value, ...)."""
    lh = max(line_height(line), 1.0)
    groups: list[list[Word]] = [[line.words[0]]]
    for prev, w in zip(line.words, line.words[1:]):
        if w.bbox[0] - prev.bbox[2] > gap_lines * lh:
            groups.append([w])
        else:
            groups[-1].append(w)
    return [CellText(clean_cell(join_words(g)), field_conf(g), union([w.bbox for w in g])) for g in groups]


def put_asterisks(words: list[Word], stars: list[tuple[int, int, int, int]], conf: float = 0.9) -> list[Word]:
    """Replace what OCR read over asterisk blobs with `*` (one per blob).

    Characters are located inside a multi-character word by dividing its box
    evenly; those centred over a run of asterisks are dropped, the rest kept.
    """
    if not stars:
        return words
    runs: list[list[tuple[int, int, int, int]]] = []
    for s in sorted(stars):
        if runs and s[0] - runs[-1][-1][2] <= 1.5 * (s[2] - s[0]):
            runs[-1].append(s)
        else:
            runs.append([s])
    spans = [(r[0][0] - 0.3 * (r[0][2] - r[0][0]), r[-1][2] + 0.3 * (r[-1][2] - r[-1][0])) for r in runs]

    def starred(x: float) -> bool:
        return any(a <= x <= b for a, b in spans)

    out: list[Word] = []
    consumed: set[int] = set()
    for w in words:
        free = _minus(w.bbox[0], w.bbox[2], spans)
        hit = [j for j, (a, b) in enumerate(spans) if a < w.bbox[2] and w.bbox[0] < b]
        if len(hit) == 1 and re.search(r"\*+", w.text):
            # The engine saw the asterisks itself: trust its character order, fix only the
            # count. A # next to them is one more asterisk misread (谢** read 谢*#).
            text = re.sub(r"[*#]*\*[*#]*", "*" * len(runs[hit[0]]), w.text, count=1)
            # A word of asterisks only is now seen on the page as well: as sure as one put there.
            out.append(Word(text=text, bbox=w.bbox, conf=max(w.conf, conf) if set(text) == {"*"} else w.conf))
            consumed.add(hit[0])
            continue
        if free == [(w.bbox[0], w.bbox[2])]:
            out.append(w)
            continue
        # What OCR made of the asterisks (和全, "w, ***) goes; the other characters are
        # spread over the part of the word's box that the asterisks do not cover.
        chars = [c for c in w.text if is_cjk(c) or c.isalnum() or c in "@._-"]
        if sum(c.isdigit() for c in chars) >= 0.7 * len(chars):
            chars = [c for c in chars if c.isdigit()]  # a phone or ID number: letters are misread stars
        total = sum(b - a for a, b in free)
        if not chars or total < 0.25 * (w.bbox[3] - w.bbox[1]):
            continue
        pos, k = 0.0, 0
        for a, b in free:
            take = round(len(chars) * (pos + b - a) / total) - k
            if take > 0:
                out.append(Word(text="".join(chars[k : k + take]), conf=w.conf, bbox=(a, w.bbox[1], b, w.bbox[3])))
            k += max(0, take)
            pos += b - a
    for j, r in enumerate(runs):
        if j in consumed:
            continue
        box = union([tuple(float(v) for v in s) for s in r])  # type: ignore[misc]
        out.append(Word(text="*" * len(r), bbox=box, conf=conf))
    return out


def _minus(x0: float, x1: float, spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The parts of [x0, x1] outside every span."""
    parts = [(x0, x1)]
    for a, b in spans:
        parts = [p for lo, hi in parts for p in ((lo, min(hi, a)), (max(lo, b), hi)) if p[1] - p[0] > 0.5]
    return parts


def _centre(b: tuple[float, float, float, float]) -> tuple[float, float]:
    return ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)


def assign_to_cells(
    words: list[Word], cells: list[tuple[float, float, float, float]]
) -> tuple[list[list[Word]], list[Word]]:
    """Words per cell (by the word's centre), and the words outside every cell."""
    per_cell: list[list[Word]] = [[] for _ in cells]
    loose: list[Word] = []
    if not words or not cells:
        return per_cell, list(words)
    # Every word against every cell at once (a page has ~300 words and ~80 cells; this
    # runs several times a page); a word goes to the first cell that holds its centre.
    boxes = np.array([w.bbox for w in words], dtype=np.float64)
    cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    c = np.array(cells, dtype=np.float64)
    inside = ((c[None, :, 0] <= cx[:, None]) & (cx[:, None] <= c[None, :, 2])
              & (c[None, :, 1] <= cy[:, None]) & (cy[:, None] <= c[None, :, 3]))
    first = inside.argmax(axis=1)
    held = inside[np.arange(len(words)), first]
    for w, i, ok in zip(words, first.tolist(), held.tolist()):
        (per_cell[i] if ok else loose).append(w)
    return per_cell, loose


# Tesseract's chi_sim model reads a full-width bracket as an angle bracket.
OCR_CONFUSABLES = str.maketrans({"〈": "（", "〉": "）"})
# Remnants of an erased table rule read as quotes, bars or semicolons at a cell's edge.
EDGE_JUNK = "|｜”“‘’\"'《》「」_—-~～·.,，、;；"


# Stray quote marks read from specks next to a colon (`）“：`): the colon must stay clean
# for `label：value` splitting.
_QUOTES_AT_COLON = re.compile(r"[“”\"‘’']+\s*(?=[:：])|(?<=[:：])\s*[“”\"‘’']+")


def clean_cell(text: str) -> str:
    """OCR text of a cell without rule remnants at its edges and with confusables fixed."""
    text = _QUOTES_AT_COLON.sub("", text.translate(OCR_CONFUSABLES)).strip()
    text = fix_bracket_pairs(text)
    start = 0
    while start < len(text) and text[start] in EDGE_JUNK:
        start += 1
    end = len(text)
    while end > start and text[end - 1] in EDGE_JUNK and not _ends_number(text[:end]):
        end -= 1
    if end < len(text) and text[end - 1 : end] == "（":
        end -= 1
    return text[start:end].strip()


_OPEN, _CLOSE = "(（《", ")）》"


def fix_bracket_pairs(text: str) -> str:
    """A round bracket closed by an angle one, or the reverse, is a misread round pair.

    chi_sim reads `（` as `《` now and then: `工业《高性能材料)` is `工业（高性能材料）`.
    A real `《书名》` pair is left alone, as is any bracket without a partner.
    """
    chars = list(text)
    stack: list[int] = []
    for i, ch in enumerate(chars):
        if ch in _OPEN:
            stack.append(i)
        elif ch in _CLOSE and stack:
            j = stack.pop()
            if (chars[j] == "《") != (ch == "》"):
                chars[j], chars[i] = "（", "）"
    return "".join(chars)


# What two OCR engines may make of the same print; ignored when comparing their readings.
# Asterisks read as dots, an ellipsis (… is ... in NFKC) or raised quote marks.
# A # beside them is one more asterisk (RapidOCR reads 谢** as 谢*#).
_MASK_RUN = re.compile(r"[*#.·•“”‘’\"'`]*\*[*#.·•“”‘’\"'`]*")
_NUMBER = re.compile(r"\d[\d.,]*\d")
_GROUP_SEP = re.compile(r"(?<=\d)[.,](?=\d{3}(?!\d))")
_CN_DIGITS = "〇零一二三四五六七八九十"
_CN_ZERO = re.compile(rf"(?<=[{_CN_DIGITS}])[@Oo0○]|[@Oo0○](?=[{_CN_DIGITS}])")  # 二@二六
# tesseract reads a tick as v, y or a backslash, now and then as two of them (Vv是)
_TICK_BEFORE_OPTION = re.compile(r"[vVyY\\√✓✔]+(?=[是否有无])")
_FINANCIAL = set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元整")
# 参 is the everyday form of 叁 (the financial numeral derives from it); chi_sim prefers it.
_FINANCIAL_MISREADS = str.maketrans({"什": "仟", "任": "仟", "化": "仟", "未": "柒", "染": "柒", "陌": "佰", "乙": "亿",
                                     "参": "叁"})


def _number_form(number: str) -> str:
    """Thousands separators of one number, read as comma, dot or not at all, made alike.

    With two or more separators those before three digits group thousands whatever they
    were read as (1,701.5 = 1701.5; 4.583.5; 12,060.000): taken out. A lone one before
    three digits (11.687, 11,687) may be either: it becomes a comma, so a dot and a comma
    agree but a number without it (11687) does not, nor does 1.701 with 1701.
    """
    if sum(c in ".," for c in number) >= 2:
        return _GROUP_SEP.sub("", number)
    return _GROUP_SEP.sub(",", number)


def canonical_reading(text: str) -> str:
    """A cell's text with the differences that do not change its meaning taken out.

    Spaces, full/half-width forms, rule remnants at the edges, a run of masking
    asterisks however it was read (its length is checked against the masking
    shape later), thousands separators (see _number_form), 〇 read as @/O/0 in
    a date in Chinese numerals, a tick read as v, y or \\, and chi_sim's misreads of
    the financial numerals inside a written-out amount.
    """
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean_cell(text)))
    if "@" in s:
        s = s.lower()  # an e-mail address has no case (Xu“**Q@… against xu***@…)
    s = _MASK_RUN.sub("*", s)
    s = _NUMBER.sub(lambda m: _number_form(m[0]), s)
    if sum(c in _CN_DIGITS for c in s) >= 3:
        s = _CN_ZERO.sub("〇", s)
    s = _TICK_BEFORE_OPTION.sub("√", s)
    if sum(c in _FINANCIAL for c in s) >= 3:
        s = s.translate(_FINANCIAL_MISREADS)
    return s


def readings_agree(a: str, b: str) -> bool:
    """Whether two engines' readings of one cell say the same (see canonical_reading)."""
    ca, cb = canonical_reading(a), canonical_reading(b)
    return bool(ca) and ca == cb


# Character vote between two engines (vote_readings): a character the first engine read
# below FIRST_UNSURE is no evidence against the second's; the second must be this sure.
FIRST_UNSURE = 0.6
SECOND_SURE = 0.95
# Confidence of a voted reading: above the LOW_CONFIDENCE threshold (0.80), below a
# reading both engines made alike.
VOTED_CONF = 0.9
# A masked e-mail's or phone's head that only the second engine read (`_unsure_latin_head`)
# is taken from this confidence on: RapidOCR read every masked e-mail of full seed 53 right,
# at 0.95–0.98, where tesseract read heads as `GO`, `I**`, `Le**`.
HEAD_SURE = 0.9


def _char_confs(words: list[Word]) -> tuple[str, list[float]]:
    """The first reading's canonical text with each character's confidence (its word's)."""
    raw, confs = "", []
    for w in reading_order(words):
        t = "".join(w.text.split())
        raw += t
        confs.extend([w.conf] * len(t))
    canon = canonical_reading(raw)
    out: list[float] = [0.0] * len(canon)
    # Canonical forms drop edge remnants and collapse masking runs: map confidences
    # through the alignment; a character with no counterpart counts as unsure.
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, raw, canon, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            out[j1:j2] = confs[i1:i2]
        elif tag == "replace":
            out[j1:j2] = [min(confs[i1:i2])] * (j2 - j1)
    return canon, out


def _masked_ends_agree(canon_a: str, confs: list[float], canon_b: str) -> bool:
    """A masked value (`wa*@example.com`, one mask run in canonical form) whose visible
    ends the first engine read alike, with nothing, only unsure characters or an asterisk
    of its own where the second saw the mask (seed 11: `wac'*Q@example.com` at 0.0)."""
    pre, post = canon_b.split("*")
    if not (pre or post) or len(canon_a) < len(pre) + len(post):
        return False
    if canon_a.endswith(post) and not canon_a.startswith(pre) and _unsure_latin_head(canon_a, confs, pre, post):
        return True
    if not (canon_a.startswith(pre) and canon_a.endswith(post)):
        return False
    # Nothing there (tesseract often drops asterisks: 李** read 李), or what is there is unsure.
    middle = range(len(pre), len(canon_a) - len(post))
    return "*" in canon_a[len(pre) : len(canon_a) - len(post)] or all(confs[i] < FIRST_UNSURE for i in middle)


def _unsure_latin_head(canon_a: str, confs: list[float], pre: str, post: str) -> bool:
    """Everything the first engine read before the shared tail is unsure, and the second's
    head is Latin letters or digits (seed 53: `=**@example.net`, `GO@example.net`, `I**@…`
    at 0.00–0.10 for `li***@example.net`).

    Only for an e-mail's or phone's head: letters and digits, a closed set RapidOCR reads
    well; whether the mask is really there is checked on the page afterwards
    (scan.mark_asterisks). A surname is not voted on this way (see vote_readings).
    """
    head = len(canon_a) - len(post)
    if not pre or any(is_cjk(c) for c in pre) or head > len(pre) + 3:
        return False
    return all(c < FIRST_UNSURE for c in confs[:head])


def vote_readings(first: list[Word], second: list[Word]) -> list[Word] | None:
    """The second engine's reading of a cell, confirmed character by character, or None.

    Two engines that disagree on a cell do not always contradict each other. Taken, at
    confidence VOTED_CONF:

    - **Amounts in financial numerals** (壹…玖拾佰仟万亿元整, seventeen characters chi_sim
      reads poorly and RapidOCR well). tesseract often marks what it cannot read
      (肆什唐佰 for 肆仟肆佰, 唐 at 0.00) and reads the rest alike. Both readings the same
      length (an engine that drops a character gets no vote), the second read at least
      SECOND_SURE, at least half the characters agreeing outright, and every differing
      one read by the first below FIRST_UNSURE or not a numeral at all.
    - **Masked personal values** where the readings differ only where the second saw the
      mask: chi_sim reads a run of asterisks as one character, often sure (谢** as 谢汪),
      or drops it (李** as 李), or reads garbage (`wac'*Q@example.com`); RapidOCR is seldom
      sure of asterisks (0.5–0.9). What both read alike is two engines' agreement, and the
      asterisks are looked for on the page afterwards (scan.mark_asterisks), which marks a
      reading whose asterisks are not there or do not have the masking shape.

    - **Dates written out** (2026年12月31日), by the amounts' rule with digits for numerals:
      tesseract read the day's 1 as `:` at 0.00 (full seed 41's q06). A digit the first
      engine read surely otherwise stops the vote; a number that is not a date is not
      voted on (a misread digit there is another plausible amount).
    - **Items of a closed list** (the five service types, `labels.CLOSED_OPTIONS`): the
      second reading is nothing but such items and separators, and what the first read
      surely of the items' characters is in it, in order (光”对证功能性能验证…生产验j for
      设计验证，功能性能验证…生产验证). A second reading that dropped an item is shorter by
      an item's length and gets no vote.

    Names are not voted on otherwise: an open vocabulary, where RapidOCR read the rare 铖 as
    城 at 0.95 with tesseract having nothing, and a line's confidence does not show one
    wrong character.
    """
    canon_a, confs = _char_confs(first)
    canon_b = canonical_reading(cell_reading(second))
    if not canon_a:
        return None
    if "*" in canon_b:
        shown = _masked_agree(canon_a, confs, canon_b)
        if shown and not canon_a.startswith(canon_b.split("*")[0]) and field_conf(second) < HEAD_SURE:
            return None  # the head rests on the second engine alone (_unsure_latin_head): it must be sure
        # What both show must be read with some confidence by one of them at least.
        if shown and max(min(confs[i] for i in shown), field_conf(second)) >= FIRST_UNSURE:
            return [w.model_copy(update={"conf": VOTED_CONF}) for w in second]
        return None
    if field_conf(second) < SECOND_SURE:
        return None
    if set(canon_b) <= _FINANCIAL:
        agree = _alike_but_unread(canon_a, confs, canon_b, _FINANCIAL)
    elif _DATE_FORM.fullmatch(canon_b):
        agree = _alike_but_unread(canon_a, confs, canon_b, _DIGITS)
    elif _closed_items(canon_b):
        agree = _items_alike_but_unread(canon_a, confs, canon_b)
    else:
        return None
    return [w.model_copy(update={"conf": min(w.conf, VOTED_CONF)}) for w in second] if agree else None


def _alike_but_unread(canon_a: str, confs: list[float], canon_b: str, alphabet: frozenset[str]) -> bool:
    """The same length, at least half the characters alike, and every other character of the
    first reading unsure or outside `alphabet`."""
    if len(canon_a) != len(canon_b):
        return False
    differ = [i for i, (a, b) in enumerate(zip(canon_a, canon_b)) if a != b]
    if 2 * len(differ) > len(canon_a):
        return False
    # A character outside the alphabet (过 for 壹 in an amount, : in a date) is a misread
    # however sure the engine was: it says nothing against the second reading.
    return all(confs[i] < FIRST_UNSURE or canon_a[i] not in alphabet for i in differ)


def _items_alike_but_unread(canon_a: str, confs: list[float], canon_b: str) -> bool:
    """What the first reading read surely of the items' characters is in the second's, in
    order, and is at least half of it; the two differ in length (separators aside) by
    less than an item's length.

    Not character by character: chi_sim adds stray marks in a wrapped cell and drops
    separators (光”对证功能性能验证 for 设计验证，功能性能验证, the first four under 0.35).
    Every item is at least four characters long, so a second reading that dropped one is
    four shorter.
    """
    a = [(c, conf) for c, conf in zip(canon_a, confs) if not _OPTION_SEPARATORS.fullmatch(c)]
    b = _OPTION_SEPARATORS.sub("", canon_b)
    if abs(len(a) - len(b)) >= _SHORTEST_OPTION:
        return False
    said = "".join(c for c, conf in a if conf >= FIRST_UNSURE and c in _OPTION_CHARS)
    return is_subsequence(said, b) and 2 * len(said) >= len(b)


# A date written out (2026年12月31日): the calendar checks it again when it is parsed.
_DATE_FORM = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
_DIGITS = frozenset("0123456789")
_OPTION_SEPARATORS = re.compile(r"[，、,；;/]")
_OPTION_CHARS = frozenset("".join(CLOSED_OPTIONS))
_SHORTEST_OPTION = min(map(len, CLOSED_OPTIONS))


def _closed_items(canon: str) -> bool:
    """Whether a canonical reading is one or more items of a closed list and nothing else."""
    items = _OPTION_SEPARATORS.split(canon)
    return bool(canon) and all(item in CLOSED_OPTIONS for item in items)


def _masked_agree(canon_a: str, confs: list[float], canon_b: str) -> list[int]:
    """Where the first reading shows what the masked second one shows, if it does so
    everywhere but where the second saw the mask; else []."""
    if canon_b.count("*") == 1 and _masked_ends_agree(canon_a, confs, canon_b):
        pre, post = canon_b.split("*")
        return [*range(len(pre)), *range(len(canon_a) - len(post), len(canon_a))]
    if len(canon_a) != len(canon_b):
        return []
    differ = [i for i, (a, b) in enumerate(zip(canon_a, canon_b)) if a != b]
    if 2 * len(differ) > len(canon_a) or not all(canon_b[i] == "*" for i in differ):
        return []
    return [i for i in range(len(canon_a)) if i not in differ]


def _ends_number(text: str) -> bool:
    # "1,250." would lose a meaningful dot only if a digit follows; keep "-" in model codes like "VF-".
    return len(text) >= 2 and text[-1] in "-" and text[-2].isalnum()


def cell_text(words: list[Word], bbox: tuple[float, float, float, float]) -> CellText:
    lines = group_lines(words)
    text = clean_cell(join_lines([ln.text for ln in lines]))
    return CellText(text, field_conf(words) if words else 1.0, bbox)


@dataclass(frozen=True)
class Row:
    """One row of the page in reading order: table cells, or the segments of a text line."""

    cells: tuple[CellText, ...]
    ruled: bool  # cells come from table rules (True) or from gaps between words (False)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return union([c.bbox for c in self.cells])

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


def _rows_of_cells(cells: list[CellText]) -> list[Row]:
    """Group ruled cells into rows by vertical centre (cells of one row share top and bottom)."""
    rows: list[list[CellText]] = []
    for c in sorted(cells, key=lambda c: (_centre(c.bbox)[1], c.bbox[0])):
        cy = _centre(c.bbox)[1]
        if rows:
            last = rows[-1]
            ly0, ly1 = min(x.bbox[1] for x in last), max(x.bbox[3] for x in last)
            if abs(cy - (ly0 + ly1) / 2) <= 0.3 * (ly1 - ly0):
                last.append(c)
                continue
        rows.append([c])
    return [Row(tuple(sorted(r, key=lambda c: c.bbox[0])), ruled=True) for r in rows]


def merge_wrapped(rows: list[Row]) -> list[Row]:
    """On unruled pages, fold a value's continuation line into the row above.

    A continuation is a one-segment line that starts under the previous row's
    last segment (same column) and sits close below it.
    """
    out: list[Row] = []
    for row in rows:
        if out and not row.ruled and not out[-1].ruled and len(row.cells) == 1 and len(out[-1].cells) >= 2:
            prev = out[-1]
            last = prev.cells[-1]
            c = row.cells[0]
            h = last.bbox[3] - last.bbox[1]
            if abs(c.bbox[0] - last.bbox[0]) <= 1.0 * h and 0 <= c.bbox[1] - last.bbox[3] <= 1.0 * h:
                merged = CellText(
                    join_lines([last.text, c.text]),
                    (last.conf * len(last.text) + c.conf * len(c.text)) / max(1, len(last.text) + len(c.text)),
                    union([last.bbox, c.bbox]),
                )
                out[-1] = Row(prev.cells[:-1] + (merged,), ruled=False)
                continue
        out.append(row)
    return out


def page_rows(words: list[Word], cells: list[tuple[float, float, float, float]]) -> list[Row]:
    """All rows of a page, top to bottom: ruled table rows and unruled text lines."""
    per_cell, loose = assign_to_cells(words, cells)
    ruled = _rows_of_cells([cell_text(ws, b) for ws, b in zip(per_cell, cells)])
    # Drop ruled rows that are entirely empty (e.g. a blank spacer row).
    ruled = [r for r in ruled if any(c.text for c in r.cells)]
    free = [Row(tuple(segments(ln)), ruled=False) for ln in group_lines(loose)]
    # Text outside every cell but level with a ruled row belongs to it: a cell
    # whose border broke (photocopy, JPEG) was not found, its neighbours were.
    rest: list[Row] = []
    for row in free:
        cy = (row.bbox[1] + row.bbox[3]) / 2
        host = next((i for i, r in enumerate(ruled) if r.bbox[1] <= cy <= r.bbox[3]), None)
        if host is None:
            rest.append(row)
        else:
            cells = sorted(ruled[host].cells + row.cells, key=lambda c: c.bbox[0])
            ruled[host] = Row(tuple(cells), ruled=True)
    rows = sorted(ruled + rest, key=lambda r: (r.bbox[1], r.bbox[0]))
    return merge_wrapped(rows)
