"""Text → typed values, tolerant of the variation of filings.md §6.

Every `parse_*` function takes the text as read (any medium) and returns the
normalised value, or raises ValueError with a reason a reviewer can act on.
`parse_field` dispatches on the field's type (labels.FIELD_SPECS) and never raises.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from extractors.labels import FIELD_SPECS_BY_KEY, FieldType, unit_from_label

# CJK ideographs, CJK punctuation and full-width forms: spaces between two of these are layout noise.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")

# Chinese numerals, financial (大写) and everyday forms; 〇/○ is zero in dates.
_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "洞": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3, "参": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7, "染": 7,  # 染: how OCR reads 柒
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
# 什 is an old form of 十; 任 and 陌 are how OCR reads 仟 and 佰 on scans.
_SMALL_UNITS = {"十": 10, "拾": 10, "什": 10, "百": 100, "佰": 100, "陌": 100, "千": 1000, "仟": 1000, "任": 1000}
# 乙 is how OCR reads 亿 (the person radical lost): only ever a unit between numerals here.
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000, "乙": 100_000_000}
_NUMBER_TOKEN = re.compile(r"\d+(?:\.\d+)?|\.\d+|.")
_THOUSANDS = re.compile(r"(?<=\d)[,，'](?=\d{3}(?:\D|$))")

_YUAN_PER = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}


def normalize_text(s: str) -> str:
    """NFKC (full-width digits, latin and punctuation → half-width), drop spaces inside Chinese runs.

    Spaces between separate tokens (`1250.5 万元`, `138 1234 5678`) stay as one space;
    line breaks count as spaces, so a value wrapped onto two lines joins up.
    """
    s = unicodedata.normalize("NFKC", s or "")
    s = _CJK_SPACE.sub("", s)
    return _SPACES.sub(" ", s).strip()


def clean_text(s: str) -> str:
    """Whitespace only: trim, one space between tokens, none inside Chinese runs or wrapped lines.

    Every other character stays as written (`（先进陶瓷材料）`, `2000℃`, `0.02～2000μm`):
    text values are recorded as the filer wrote them; only parsing uses NFKC.
    """
    s = _CJK_SPACE.sub("", s or "")
    return _SPACES.sub(" ", s).strip()


def _squash(s: str) -> str:
    """Normalised text without any whitespace (numbers, codes, dates)."""
    return _SPACES.sub("", normalize_text(s))


# A number with two or more dots cannot have them all as decimal points: the ones
# before a group of three digits are thousands separators read as dots (4.583.5).
_DOTTED_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:\.\d+)?$")


def _dots_as_thousands(text: str) -> str:
    m = re.match(r"^[\d.]+", text)
    if not m or m[0].count(".") < 2 or not _DOTTED_THOUSANDS.match(m[0]):
        return text
    groups = m[0].split(".")
    # 1.234.567: all separators; 4.583.5: the last dot is the decimal point.
    number = "".join(groups) if len(groups[-1]) == 3 else "".join(groups[:-1]) + "." + groups[-1]
    return number + text[len(m[0]):]


def parse_number(s: str) -> Decimal:
    """An Arabic, Chinese (一二三 / 壹贰叁) or mixed (`1.5万`, `3千万`) number as Decimal.

    Magnitude characters (十百千万亿) multiply: `壹仟贰佰伍拾万` = 12500000.
    A run of bare Chinese digits is positional: `二〇二六` = 2026.
    """
    text = _THOUSANDS.sub("", _dots_as_thousands(_squash(s)))
    if not text:
        raise ValueError("空值 / empty value")
    tokens = _NUMBER_TOKEN.findall(text)
    if all(t in _DIGITS for t in tokens) and len(tokens) > 1:
        return Decimal("".join(str(_DIGITS[t]) for t in tokens))
    if not any(t[0].isdigit() or t in _DIGITS or t in _SMALL_UNITS for t in tokens):
        raise ValueError(f"没有数字 / no digits in {s!r}")
    total = Decimal(0)  # everything already closed by 万/亿
    section = Decimal(0)  # below the next 万/亿
    number: Decimal | None = None
    for tok in tokens:
        if tok[0].isdigit() or tok[0] == ".":
            if number is not None:
                raise ValueError(f"数字格式不对 / malformed number {s!r}")
            number = Decimal(tok)
        elif tok in _DIGITS:
            number = Decimal(_DIGITS[tok])
        elif tok in _SMALL_UNITS:
            section += (number if number is not None else Decimal(1)) * _SMALL_UNITS[tok]
            number = None
        elif tok in _BIG_UNITS:
            unit = _BIG_UNITS[tok]
            section += number if number is not None else Decimal(0)
            number = None
            if unit == 100_000_000:
                total = (total + section) * unit
            else:
                total += section * unit
            section = Decimal(0)
        else:
            raise ValueError(f"不是数字 / not a number: {s!r} (unexpected {tok!r})")
    return total + section + (number if number is not None else Decimal(0))


def _unit_of(hint: str | None) -> str | None:
    return unit_from_label(hint) if hint else None


# A trailing bracketed remark (`1250万元（含税）`, `12（人）`): the number is before it.
_REMARK = re.compile(r"\((?!\d)[^()]*\)$")


def parse_money_wan(s: str, *, unit_hint: str | None = None) -> float:
    """An amount in 万元. The value's own unit (元/万元/亿元) wins; else the label's; else 万元.

    `1,250.5万元`, `1250.5 万元`, `0.125亿元`, `12,505,000元`, `壹仟贰佰伍拾万元整`, `¥1,250.5`.
    """
    text = _REMARK.sub("", _squash(s))
    text = re.sub(r"^(?:人民币|RMB|CNY|¥|￥|约|共计|合计|共)+", "", text, flags=re.I)
    text = re.sub(r"(?:人民币|RMB|CNY)$", "", text, flags=re.I)
    text = re.sub(r"[圆元]整?$|整$", lambda m: "元", text)
    if not text or text == "元":
        raise ValueError(f"金额为空 / no amount in {s!r}")
    explicit_unit: str | None = None
    if text.endswith("元"):
        body = text[:-1]
        explicit_unit = "元"
    else:
        body = text
    if body.startswith("-"):
        raise ValueError(f"金额不能为负 / negative amount {s!r}")
    try:
        number = parse_number(body)
    except ValueError as exc:
        raise ValueError(f"无法识别金额 / not an amount: {s!r}") from exc
    has_magnitude = any(ch in _BIG_UNITS for ch in body)
    if explicit_unit or has_magnitude:
        # 万/亿 inside the number already scaled it to 元 (1250.5万 = 12,505,000)
        yuan = number
    else:
        unit = _unit_of(unit_hint) or "万元"
        yuan = number * _YUAN_PER[unit]
    return float(yuan / _YUAN_PER["万元"])


_COUNT_SUFFIX = re.compile(r"(?:人|名|位|家|个|項|项|台|套|件|户|次)$")


# What chi_sim makes of a lone digit 1 or 0 in a count cell (工, I, l, |; O, o).
_COUNT_LOOKALIKES = {"工": 1, "I": 1, "l": 1, "|": 1, "丨": 1, "O": 0, "o": 0}


def parse_count_ocr(s: str) -> tuple[int, float]:
    """parse_count, or else a lone look-alike of 1/0 (`工`, `I项`) read as that digit with certainty 0.6."""
    try:
        return parse_count(s), 1.0
    except ValueError:
        body = _COUNT_SUFFIX.sub("", _REMARK.sub("", _squash(s)))
        if body in _COUNT_LOOKALIKES:
            return _COUNT_LOOKALIKES[body], 0.6  # a guess: below the LOW_CONFIDENCE threshold on purpose
        raise


def parse_count(s: str) -> int:
    """A non-negative whole number: `12`, `12人`, `十二人`, `5家`, `3项`; `无` = 0."""
    text = _REMARK.sub("", _squash(s))
    text = re.sub(r"^(?:共|约|合计)", "", text)
    if text in {"无", "没有", "暂无"}:
        return 0
    body = _COUNT_SUFFIX.sub("", text)
    if not body:
        raise ValueError(f"数量为空 / no count in {s!r}")
    try:
        number = parse_number(body)
    except ValueError as exc:
        raise ValueError(f"无法识别数量 / not a count: {s!r}") from exc
    if number != number.to_integral_value():
        raise ValueError(f"数量应为整数 / count is not a whole number: {s!r}")
    return int(number)


# Word's symbol fonts put tick boxes in the private use area: Wingdings þ/¨, Wingdings 2 R/£.
_CHECKED = set("☑✓✔√■●◉⊙◎☒▣⬛✅\uf0fe\uf052")
_UNCHECKED = set("□☐○◯〇口囗⬜\uf0a8\uf0a3")
_CROSS = set("×✗✘Xx")
_OPTIONS = {"是": True, "否": False, "有": True, "无": False}
_TRUE_WORDS = {"是", "有", "已", "对", "Y", "YES", "TRUE", "T", "1", "√", "✓", "✔", "☑", "已制定", "已建立", "已发生", "发生"}
_FALSE_WORDS = {"否", "无", "未", "没有", "不是", "N", "NO", "FALSE", "F", "0", "×", "✗", "✘", "未制定", "未建立", "未发生", "不"}


# What tesseract makes of a ticked box in front of an option (☑ → 因/团/区/v ...).
_OCR_TICKS = set("vVyY✓√因团囚区回图凶囡")


def _ocr_ticked(text: str) -> bool | None:
    """`因是口否`, `v是`, `口是团否`: the option after a tick look-alike, when the other one is an empty box."""
    marks = [(text[i - 1], _OPTIONS[ch]) for i, ch in enumerate(text) if ch in _OPTIONS and i > 0]
    ticked = {opt for mark, opt in marks if mark in _OCR_TICKS}
    empty = {opt for mark, opt in marks if mark in _UNCHECKED}
    if len(ticked) == 1 and not (ticked & empty):
        return ticked.pop()
    # Two options, one behind an empty box and the other behind anything at all.
    if len(marks) == 2 and len(empty) == 1 and len({opt for _, opt in marks}) == 2:
        return ({True, False} - empty).pop()
    return None


def parse_bool(s: str) -> bool:
    """是/否, 有/无, √/×, ticked boxes (`☑是 □否`, `□是 ☑否`, `●是 ○否`, `是(√) 否( )`)."""
    text = _squash(s)
    if not text:
        raise ValueError("空值 / empty value")
    word = text.strip("()[]").upper()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    tokens = [ch for ch in text if ch in _CHECKED or ch in _UNCHECKED or ch in _OPTIONS]
    marks = [t for t in tokens if t in _CHECKED or t in _UNCHECKED]
    options = [t for t in tokens if t in _OPTIONS]
    if marks and options:
        # Marks either all precede their option (☑是 □否) or all follow it (是(√) 否( )).
        mark_first = tokens[0] not in _OPTIONS
        chosen: set[bool] = set()
        for i, tok in enumerate(tokens):
            if tok not in _CHECKED:
                continue
            j = i + 1 if mark_first else i - 1
            if 0 <= j < len(tokens) and tokens[j] in _OPTIONS:
                chosen.add(_OPTIONS[tokens[j]])
        if len(chosen) == 1:
            return chosen.pop()
        if not chosen:
            ocr = _ocr_ticked(text)
            if ocr is not None:
                return ocr
            raise ValueError(f"没有勾选任何选项 / no option ticked in {s!r}")
        raise ValueError(f"是与否都被勾选 / both yes and no ticked in {s!r}")
    ocr = _ocr_ticked(text)
    if ocr is not None:
        return ocr
    if len(options) == 1 and text[0] in _OPTIONS:
        return _OPTIONS[text[0]]  # 是，已制定 / 无违法违规行为
    if text[0] in "已" and len(text) <= 6:
        return True
    if text[0] in "未" and len(text) <= 6:
        return False
    raise ValueError(f"无法识别是/否 / not a yes/no answer: {s!r}")


_DATE_ARABIC = re.compile(r"(\d{4})[年\-./](\d{1,2})[月\-./](\d{1,2})(?:日|号)?")
_DATE_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_DATE_CHINESE = re.compile(r"([零〇○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})[日号]")


def parse_date(s: str) -> str:
    """An ISO date from `2026年6月26日`, `2026-06-26`, `2026.6.26`, `2026/6/26`, `二〇二六年六月二十六日`."""
    text = _squash(s)
    m = _DATE_ARABIC.search(text) or _DATE_COMPACT.fullmatch(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _DATE_CHINESE.search(text)
        if not m:
            raise ValueError(f"无法识别日期 / not a date: {s!r}")
        y, mo, d = (int(parse_number(g)) for g in m.groups())
    if not 1949 <= y <= 2100:
        # OCR adds or drops a digit (二〇〇二六 → 0026): no filing date is that far off.
        raise ValueError(f"年份不合理 / implausible year {y} in {s!r}")
    try:
        return dt.date(y, mo, d).isoformat()
    except ValueError as exc:
        raise ValueError(f"日期不存在 / no such date {y}-{mo}-{d} in {s!r}") from exc


_FIVE_NUMERAL_YEAR = re.compile(r"([零〇○一二三四五六七八九]{5})(?=年)")


def parse_date_ocr(s: str) -> tuple[str, float]:
    """parse_date, or else a year in Chinese numerals with one numeral doubled by OCR
    (`二〇〇二六年` → 2026) with certainty 0.6; only a doubled pair is undone, so the
    reading stays unsure (other single deletions would give 2006 or 2002 just as well)."""
    try:
        return parse_date(s), 1.0
    except ValueError:
        text = _squash(s)
        m = _FIVE_NUMERAL_YEAR.search(text)
        pairs = [i for i in range(4) if m and m[1][i] == m[1][i + 1]] if m else []
        if len(pairs) != 1:
            raise
        year = m[1][: pairs[0]] + m[1][pairs[0] + 1 :]
        return parse_date(text[: m.start()] + year + text[m.end() :]), 0.6


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z


def parse_uscc(s: str) -> str:
    """A unified social credit code, 18 characters, uppercase (check digit: rules/consistency.py)."""
    text = re.sub(r"[\s\-_]", "", _squash(s)).upper()
    if len(text) != 18:
        raise ValueError(f"统一社会信用代码应为18位，实为{len(text)}位 / credit code must have 18 characters, got {len(text)}: {s!r}")
    bad = sorted({ch for ch in text if ch not in _USCC_CHARS})
    if bad:
        raise ValueError(f"统一社会信用代码含无效字符 {''.join(bad)} / credit code has characters outside GB 32100: {s!r}")
    return text


# OCR reads these letters for the digits they resemble; codes never contain them.
_USCC_OCR_FIXES = str.maketrans({"O": "0", "I": "1", "Z": "2", "S": "5", "V": "U"})


_MASK_RUN = r"[*xX×]"
_MOBILE = re.compile(rf"^(?:\+?86)?(1[3-9]\d)(\d{{4}}|{_MASK_RUN}{{4}})(\d{{4}})$")
# Area codes: 010 and 02x have three digits, all others (03x–09x) four.
_LANDLINE = re.compile(rf"^\(?(0(?:10|2\d|[3-9]\d\d))\)?-?((?:\d|{_MASK_RUN}){{7,8}})(?:(?:-|转)(\d{{1,6}}))?$")


def parse_phone(s: str) -> str:
    """A mobile (`13812345678`, `+86 138 1234 5678`) or landline (`020-87654321`) number.

    Mobiles come back as 11 digits, landlines as `area-number`. Already masked forms
    (`138****5678`, `020-****4321`, also x/× for *) are kept as masked.
    """
    text = _squash(s)
    m = _MOBILE.match(re.sub(r"[\-()]", "", text))
    if m:
        return "".join(m.groups())
    m = _LANDLINE.match(text)
    if m:
        area, number, ext = m.groups()
        return f"{area}-{number}" + (f"-{ext}" if ext else "")
    raise ValueError(f"无法识别电话号码 / not a phone number: {s!r}")


_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-*×]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")


def parse_email(s: str) -> str:
    """An e-mail address (`zhangwei@example.com`, masked `zh***@example.com`)."""
    text = _squash(s).replace("#", "@")
    if not _EMAIL.match(text):
        raise ValueError(f"无法识别电子邮箱 / not an e-mail address: {s!r}")
    local, domain = text.split("@", 1)
    return f"{local}@{domain.lower()}"


def parse_person(s: str) -> str:
    """A person's name; Chinese names lose their inner spaces (`张 伟` → `张伟`)."""
    text = clean_text(s)
    if re.search(r"[\u4e00-\u9fff*]", text):
        text = text.replace(" ", "")
    if not text:
        raise ValueError("姓名为空 / empty name")
    if len(text) > 30 or re.search(r"\d{3}", text):
        raise ValueError(f"不像姓名 / does not look like a name: {s!r}")
    return text


PROVINCES: tuple[tuple[str, str], ...] = (
    ("北京市", "北京"), ("天津市", "天津"), ("上海市", "上海"), ("重庆市", "重庆"),
    ("河北省", "河北"), ("山西省", "山西"), ("辽宁省", "辽宁"), ("吉林省", "吉林"),
    ("黑龙江省", "黑龙江"), ("江苏省", "江苏"), ("浙江省", "浙江"), ("安徽省", "安徽"),
    ("福建省", "福建"), ("江西省", "江西"), ("山东省", "山东"), ("河南省", "河南"),
    ("湖北省", "湖北"), ("湖南省", "湖南"), ("广东省", "广东"), ("海南省", "海南"),
    ("四川省", "四川"), ("贵州省", "贵州"), ("云南省", "云南"), ("陕西省", "陕西"),
    ("甘肃省", "甘肃"), ("青海省", "青海"), ("内蒙古自治区", "内蒙古"),
    ("广西壮族自治区", "广西"), ("西藏自治区", "西藏"), ("宁夏回族自治区", "宁夏"),
    ("新疆维吾尔自治区", "新疆"),
)


def find_province(text: str) -> str | None:
    """The province (full name) named earliest in `text`, by full or short name."""
    squashed = _squash(text)
    best: tuple[int, int, str] | None = None
    for full, short in PROVINCES:
        for name in (full, short):
            pos = squashed.find(name)
            if pos >= 0:
                cand = (pos, -len(name), full)
                if best is None or cand < best:
                    best = cand
    return best[2] if best else None


def parse_province(s: str) -> str:
    """A province's full name from its full or short name (`广东` → `广东省`)."""
    text = _squash(s)
    for full, short in PROVINCES:
        if text in (full, short):
            return full
    found = find_province(text)
    if found and len(text) <= len(found) + 2:
        return found
    raise ValueError(f"无法识别省份 / not a province: {s!r}")


_LIST_SPLIT = re.compile(r"[、,，;；/|]+|\s+")


def parse_list(s: str) -> list[str]:
    """Items separated by 、,;/ or spaces; with tick boxes, only the ticked items."""
    text = normalize_text(s)
    if any(ch in _CHECKED or ch in _UNCHECKED for ch in text):
        items = re.findall(rf"([{''.join(_CHECKED | _UNCHECKED)}])\s*([^{''.join(_CHECKED | _UNCHECKED)}]+)", text)
        out = [_LIST_SPLIT.sub("", item).strip() for mark, item in items if mark in _CHECKED]
    else:
        out = [part.strip() for part in _LIST_SPLIT.split(text)]
    out = [item for item in out if item]
    if not out:
        raise ValueError(f"列表为空 / no items in {s!r}")
    return out


def parse_text(s: str) -> str:
    """Free text as written, whitespace cleaned (see clean_text)."""
    text = clean_text(s)
    if not text:
        raise ValueError("空值 / empty value")
    return text


def _parse_uscc_with_ocr_fixes(raw: str) -> tuple[str, float]:
    try:
        return parse_uscc(raw), 1.0
    except ValueError:
        fixed = re.sub(r"[\s\-_]", "", _squash(raw)).upper().translate(_USCC_OCR_FIXES)
        return parse_uscc(fixed), 0.7  # a guess: a person should look


def parse_field(key: str, raw: str, *, unit_hint: str | None = None) -> tuple[Any, float, str | None]:
    """(typed value, parse certainty 0..1, error) for field `key`; never raises.

    `unit_hint` is the label as read or a unit (`（万元）`, `元`): it sets the unit
    of a money value that carries none. Unknown keys are parsed as text.
    """
    spec = FIELD_SPECS_BY_KEY.get(key)
    ftype = spec.type if spec else FieldType.TEXT
    if not normalize_text(raw):
        return None, 0.0, "空值 / empty value"
    try:
        match ftype:
            case FieldType.MONEY:
                hint = unit_hint or (spec.label if spec else None)
                return parse_money_wan(raw, unit_hint=hint), 1.0, None
            case FieldType.COUNT:
                count, certainty = parse_count_ocr(raw)
                return count, certainty, None
            case FieldType.BOOL:
                value = parse_bool(raw)
                word = _squash(raw).upper()
                plain = word in _TRUE_WORDS or word in _FALSE_WORDS or any(c in _CHECKED for c in word)
                return value, 1.0 if plain else 0.9, None
            case FieldType.DATE:
                date, certainty = parse_date_ocr(raw)
                return date, certainty, None
            case FieldType.USCC:
                value, certainty = _parse_uscc_with_ocr_fixes(raw)
                return value, certainty, None
            case FieldType.PHONE:
                return parse_phone(raw), 1.0, None
            case FieldType.EMAIL:
                return parse_email(raw), 1.0, None
            case FieldType.PERSON:
                return parse_person(raw), 1.0, None
            case FieldType.LIST:
                return parse_list(raw), 1.0, None
            case FieldType.PROVINCE:
                return parse_province(raw), 1.0, None
            case _:
                return parse_text(raw), 1.0, None
    except ValueError as exc:
        return None, 0.0, str(exc)
