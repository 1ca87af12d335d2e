"""The sample platforms: field values, equipment rows, personal data, and how they are written.

A `Platform` holds the true values of one filing (personal data raw). A `Style`
says how one filing writes them (label synonyms, stray spaces, bracket width,
money/yes-no/date forms, as in filings.md §6). `sheet_rows` turns the two into
the label | value rows every renderer draws, so the xlsx, the born-digital PDF
and the scan of a filing say the same thing unless a case says otherwise.

The masking functions follow docs/architecture.md "Masking conventions".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from stdnum.cn import uscc as uscc_mod

# ---------------------------------------------------------------- fields

# key -> (label synonyms, unit suffix or ""). The first synonym is the canonical label.
FIELD_LABELS: dict[str, tuple[tuple[str, ...], str]] = {
    "platform_name": (("平台名称", "中试平台名称"), ""),
    "host_unit": (("依托单位", "依托单位名称", "申报单位"), ""),
    "uscc": (("统一社会信用代码",), ""),
    "province": (("所在省份", "省（区、市）"), ""),
    "city": (("所在地市", "所在城市"), ""),
    "address": (("通讯地址", "单位地址"), ""),
    "key_direction": (("重点方向", "所属领域", "所属行业领域"), ""),
    "service_types": (("中试服务类型",), ""),
    "legal_rep": (("法定代表人",), ""),
    "contact_name": (("联系人",), ""),
    "contact_phone": (("联系电话", "手机"), ""),
    "contact_email": (("电子邮箱", "邮箱"), ""),
    "tech_leader": (("工程技术带头人", "技术负责人"), ""),
    "equipment_value_wan": (("中试设备或设施原值",), "万元"),
    "fulltime_staff": (("专职技术或管理人员", "专职人员数"), "人"),
    "service_revenue_wan": (("上年度中试服务收入",), "万元"),
    "host_revenue_wan": (("依托单位主营业务收入",), "万元"),
    "served_enterprises": (("服务企业数量",), "家"),
    "major_achievements": (("完成国家级或省部级重大自主创新成果中试验证",), "项"),
    "new_products": (("成功完成新产品产业化",), "项"),
    "violations_3y": (("近三年是否发生违法违规行为或较大及以上安全、质量、环境污染、失泄密事故",), ""),
    "has_roadmap": (("是否制定中试技术路线图",), ""),
    "has_service_list": (("是否制定中试服务清单",), ""),
    "has_management_rules": (("是否建立财务、安全、质量、保密等内部管理制度",), ""),
    "has_3yr_plan": (("是否制定规划建设方案（未来3年发展目标）",), ""),
    "miit_affiliated": (("是否依托工业和信息化部直属单位",), ""),
    "fill_date": (("填报日期", "日期"), ""),
}
FIELD_ORDER = tuple(FIELD_LABELS)
MONEY_FIELDS = ("equipment_value_wan", "service_revenue_wan", "host_revenue_wan")
COUNT_FIELDS = ("fulltime_staff", "served_enterprises", "major_achievements", "new_products")
BOOL_FIELDS = ("violations_3y", "has_roadmap", "has_service_list", "has_management_rules",
               "has_3yr_plan", "miit_affiliated")
PERSONAL_FIELDS = ("legal_rep", "contact_name", "contact_phone", "contact_email", "tech_leader")
PERSON_NAME_FIELDS = ("legal_rep", "contact_name", "tech_leader")

EQUIPMENT_HEADER = ("序号", "设备名称", "型号规格", "数量", "原值（万元）", "核心指标", "是否自主可控")
SIGNATURE_LABEL = "依托单位（盖章）："
SHEET_TITLE = "储备中试平台申报信息表"
EQUIPMENT_TITLE = "设备要素表"

SERVICE_TYPES = ("设计验证", "功能性能验证", "工艺验证", "适配验证", "生产验证")
CRITERIA = ("equipment_value", "fulltime_staff", "service_revenue", "served_enterprises",
            "achievements", "no_violations", "roadmap", "service_list", "management_rules",
            "development_plan")


@dataclass(frozen=True)
class EquipmentItem:
    name: str
    model: str
    quantity: int
    value_wan: Decimal  # one decimal place
    core_metric: str
    self_controlled: bool

    def as_truth(self) -> dict:
        return {"name": self.name, "model": self.model, "quantity": self.quantity,
                "value_wan": float(self.value_wan), "core_metric": self.core_metric,
                "self_controlled": self.self_controlled}


@dataclass(frozen=True)
class Platform:
    """True values of one filing. Personal data is raw here; masking happens on output."""

    key: str
    platform_name: str
    host_unit: str
    uscc: str
    province: str
    city: str
    address: str
    key_direction: str
    service_types: tuple[str, ...]
    legal_rep: str
    contact_name: str
    contact_phone: str
    contact_email: str
    tech_leader: str
    equipment_value_wan: Decimal
    fulltime_staff: int
    service_revenue_wan: Decimal
    host_revenue_wan: Decimal
    served_enterprises: int
    major_achievements: int
    new_products: int
    violations_3y: bool
    has_roadmap: bool
    has_service_list: bool
    has_management_rules: bool
    has_3yr_plan: bool
    miit_affiliated: bool
    fill_date: dt.date
    equipment: tuple[EquipmentItem, ...]

    def value(self, key: str):
        return getattr(self, key)

    def equipment_total(self) -> Decimal:
        return sum((e.value_wan for e in self.equipment), Decimal("0"))

    def replace(self, **changes) -> Platform:
        return dataclasses.replace(self, **changes)


# ---------------------------------------------------------------- masking


def mask_mobile(raw: str) -> str:
    """`13812345678` / `+86 138 1234 5678` -> `138****5678`."""
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) != 11:
        raise ValueError(f"not an 11-digit mobile number: {raw!r}")
    return f"{digits[:3]}****{digits[-4:]}"


def mask_landline(raw: str) -> str:
    """`020-87654321` -> `020-****4321` (area code kept, last 4 kept)."""
    area, _, local = raw.partition("-")
    if not local:
        raise ValueError(f"landline without an area code: {raw!r}")
    return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"


def mask_phone(raw: str) -> str:
    return mask_landline(raw) if "-" in raw and not raw.startswith("+") else mask_mobile(raw)


def mask_id_card(raw: str) -> str:
    return f"{raw[:6]}{'*' * 8}{raw[-4:]}"


def mask_email(raw: str) -> str:
    local, _, domain = raw.partition("@")
    return f"{local[:2]}***@{domain}"


def mask_bank_card(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    return f"{digits[:4]} **** **** {digits[-4:]}"


def mask_passport(raw: str) -> str:
    return f"{raw[:2]}{'*' * (len(raw) - 4)}{raw[-2:]}"


def mask_name(raw: str) -> str:
    """`张伟` -> `张*`, `欧阳娜娜` -> `欧***` (first character, one `*` per further character)."""
    return raw[0] + "*" * (len(raw) - 1)


def mask_personal(key: str, raw: str) -> str:
    if key == "contact_phone":
        return mask_phone(raw)
    if key == "contact_email":
        return mask_email(raw)
    if key in PERSON_NAME_FIELDS:
        return mask_name(raw)
    raise KeyError(f"{key} is not a personal-data field")


# ---------------------------------------------------------------- uscc

_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def org_code_check(code8: str) -> str:
    """GB 11714 check character of the 8-character organisation code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(code8, weights))
    c9 = 11 - total % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def make_uscc(rng: random.Random, division: str, *, kind: str = "91") -> str:
    """A valid GB 32100 code: registration kind, 6-digit division, organisation code, check digit."""
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    body = "MA" + body[2:] if kind == "91" and rng.random() < 0.6 else body  # post-2015 style
    partial = kind + division + body + org_code_check(body)
    return partial + uscc_mod.calc_check_digit(partial)


def break_check_digit(code: str) -> str:
    """The same code with a wrong final check character."""
    good = code[-1]
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    wrong = alphabet[(alphabet.index(good) + 7) % len(alphabet)]
    return code[:-1] + wrong


def uscc_valid(code: str) -> bool:
    return uscc_mod.is_valid(code)


# ---------------------------------------------------------------- value formatting

_UPPER = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿")


def chinese_upper_amount(yuan: int) -> str:
    """12505000 -> 壹仟贰佰伍拾万伍仟元 (financial numerals, as on cheques)."""
    if yuan <= 0:
        return "零元"
    groups = []
    n = yuan
    while n:
        groups.append(n % 10000)
        n //= 10000
    out = ""
    zero = False  # a 零 is owed before the next non-zero digit
    for gi in range(len(groups) - 1, -1, -1):
        g = groups[gi]
        if g == 0:
            zero = zero or bool(out)
            continue
        for di, d in enumerate((g // 1000, g // 100 % 10, g // 10 % 10, g % 10)):
            if d == 0:
                zero = zero or bool(out)
                continue
            if zero:
                out += "零"
                zero = False
            out += _UPPER[d] + _SMALL_UNITS[3 - di]
        out += _BIG_UNITS[gi]
        zero = False  # trailing zeros of a group are not read
    return out + "元"


def _dec_str(v: Decimal, commas: bool = False) -> str:
    s = format(v.normalize(), "f") if v == v.to_integral() else format(v, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if commas:
        whole, _, frac = s.partition(".")
        whole = f"{int(whole):,}"
        s = whole + ("." + frac if frac else "")
    return s


def format_money(v: Decimal, form: str) -> str:
    """A 万元 amount in one of the forms of filings.md §6."""
    if form == "plain":
        return _dec_str(v)
    if form == "wan":
        return _dec_str(v, commas=True) + "万元"
    if form == "wan_space":
        return _dec_str(v) + " 万元"
    if form == "yi":
        return _dec_str(v / Decimal(10000)) + "亿元"
    if form == "yuan":
        return f"{int(v * 10000):,}元"
    if form == "upper":
        return chinese_upper_amount(int(v * 10000))
    raise ValueError(f"unknown money form {form!r}")


MONEY_FORMS = ("plain", "wan", "wan_space", "yi", "yuan", "upper")

_CN_DIGITS = "〇一二三四五六七八九"


def _cn_small(n: int) -> str:
    if n < 10:
        return "〇一二三四五六七八九"[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def format_date(d: dt.date, form: str) -> str:
    if form == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if form == "iso":
        return d.isoformat()
    if form == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if form == "slash":
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    if form == "hanzi":
        return "".join(_CN_DIGITS[int(c)] for c in str(d.year)) + f"年{_cn_small(d.month)}月{_cn_small(d.day)}日"
    raise ValueError(f"unknown date form {form!r}")


DATE_FORMS = ("cn", "iso", "dot", "slash", "hanzi")


def format_yesno(v: bool, form: str) -> str:
    if form == "shi":
        return "是" if v else "否"
    if form == "you":
        return "有" if v else "无"
    if form == "box":
        return "☑是 □否" if v else "□是 ☑否"
    if form == "tick":
        return "√是" if v else "√否"
    raise ValueError(f"unknown yes/no form {form!r}")


YESNO_FORMS = ("shi", "you", "box", "tick")

_FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def to_fullwidth_digits(s: str) -> str:
    return s.translate(_FULLWIDTH)


_HALF_BRACKETS = str.maketrans({"（": "(", "）": ")", "：": ":"})


def to_halfwidth_punct(s: str) -> str:
    return s.translate(_HALF_BRACKETS)


# ---------------------------------------------------------------- style


@dataclass(frozen=True)
class Style:
    """How one filing writes its values (filings.md §6)."""

    labels: dict[str, str] = field(default_factory=dict)  # key -> label chosen (synonym)
    units_in_label: bool = True
    spaced: frozenset[str] = frozenset()  # keys whose labels get stray spaces
    half_width: bool = False  # brackets and colons as ASCII
    money: str = "plain"
    yesno: str = "shi"
    date: str = "cn"
    count_units: bool = False  # 12人 / 30家 / 2项
    fullwidth_digits: bool = False  # counts written with full-width digits
    service_sep: str = "、"
    xlsx_numeric: bool = True  # numbers as numeric cells in xlsx (when money form is plain)
    equipment_total_row: bool = True

    def label(self, key: str) -> str:
        synonyms, unit = FIELD_LABELS[key]
        text = self.labels.get(key, synonyms[0])
        if unit and self.units_in_label:
            text += f"（{unit}）"
        if key in self.spaced:
            text = " ".join(text)
        return to_halfwidth_punct(text) if self.half_width else text


def canonical_style() -> Style:
    return Style()


def random_style(rng: random.Random) -> Style:
    """A plausible mix of the variations in filings.md §6."""
    labels = {k: rng.choice(syn) for k, (syn, _) in FIELD_LABELS.items()}
    money = rng.choice(MONEY_FORMS)
    # A bare number needs the unit in its label; a number with a unit may drop it.
    units = money == "plain" or rng.random() < 0.5
    spaced = frozenset(rng.sample(["platform_name", "host_unit", "contact_name", "city", "address"], k=rng.choice([0, 1, 2])))
    return Style(labels=labels, units_in_label=units, spaced=spaced,
                 half_width=rng.random() < 0.3, money=money, yesno=rng.choice(YESNO_FORMS),
                 date=rng.choice(DATE_FORMS), count_units=rng.random() < 0.4,
                 fullwidth_digits=rng.random() < 0.15, service_sep=rng.choice(["、", "，", "；"]),
                 xlsx_numeric=rng.random() < 0.7, equipment_total_row=rng.random() < 0.6)


# ---------------------------------------------------------------- rows


def format_value(p: Platform, key: str, style: Style, *, masked: frozenset[str]) -> str:
    """The text of one value as printed on a sheet. `masked` = personal keys printed masked."""
    v = p.value(key)
    if key in MONEY_FIELDS:
        return format_money(v, style.money)
    if key in COUNT_FIELDS:
        s = str(v)
        if style.fullwidth_digits:
            s = to_fullwidth_digits(s)
        if style.count_units:
            s += FIELD_LABELS[key][1]
        return s
    if key in BOOL_FIELDS:
        return format_yesno(v, style.yesno)
    if key == "fill_date":
        return format_date(v, style.date)
    if key == "service_types":
        return style.service_sep.join(v)
    if key in PERSONAL_FIELDS and key in masked:
        return mask_personal(key, v)
    return str(v)


@dataclass(frozen=True)
class SheetRow:
    key: str
    label: str
    text: str


def sheet_rows(p: Platform, style: Style, *, omit: frozenset[str] = frozenset(),
               masked: frozenset[str] = frozenset(PERSONAL_FIELDS)) -> list[SheetRow]:
    return [SheetRow(k, style.label(k), format_value(p, k, style, masked=masked))
            for k in FIELD_ORDER if k not in omit]


def equipment_rows(p: Platform, style: Style) -> list[tuple[str, ...]]:
    """Rows of the equipment table as printed text, with the optional 合计 row."""
    rows = [(str(i), e.name, e.model, str(e.quantity), _dec_str(e.value_wan), e.core_metric,
             "是" if e.self_controlled else "否") for i, e in enumerate(p.equipment, 1)]
    if style.equipment_total_row:
        rows.append(("合计", "", "", str(sum(e.quantity for e in p.equipment)),
                     _dec_str(p.equipment_total()), "", ""))
    return rows


# ---------------------------------------------------------------- truth values


def truth_fields(p: Platform, *, omit: frozenset[str] = frozenset()) -> dict:
    """What the filing record's `fields` must hold: typed, personal data masked."""
    out: dict = {}
    for k in FIELD_ORDER:
        if k in omit:
            continue
        v = p.value(k)
        if k in MONEY_FIELDS:
            out[k] = float(v)
        elif k == "fill_date":
            out[k] = v.isoformat()
        elif k == "service_types":
            out[k] = list(v)
        elif k in PERSONAL_FIELDS:
            out[k] = mask_personal(k, v)
        else:
            out[k] = v
    return out


def eligibility(p: Platform, *, omit: frozenset[str] = frozenset()) -> dict[str, str]:
    """pass/fail/unknown per basic condition (programme-rules.md), from the true values."""

    def has(*keys: str) -> bool:
        return not any(k in omit for k in keys)

    def verdict(ok: bool, *keys: str) -> str:
        return ("pass" if ok else "fail") if has(*keys) else "unknown"

    rev_ok = (p.service_revenue_wan >= 1000
              or p.service_revenue_wan >= Decimal("0.05") * p.host_revenue_wan)
    return {
        "equipment_value": verdict(p.equipment_value_wan >= 1000, "equipment_value_wan"),
        "fulltime_staff": verdict(p.fulltime_staff >= 5, "fulltime_staff"),
        "service_revenue": verdict(rev_ok, "service_revenue_wan", "host_revenue_wan"),
        "served_enterprises": verdict(p.served_enterprises >= 5, "served_enterprises"),
        "achievements": verdict(p.major_achievements >= 1 or p.new_products >= 1,
                                "major_achievements", "new_products"),
        "no_violations": verdict(not p.violations_3y, "violations_3y"),
        "roadmap": verdict(p.has_roadmap, "has_roadmap"),
        "service_list": verdict(p.has_service_list, "has_service_list"),
        "management_rules": verdict(p.has_management_rules, "has_management_rules"),
        "development_plan": verdict(p.has_3yr_plan, "has_3yr_plan"),
    }


def round_wan(v: float | Decimal) -> Decimal:
    return Decimal(str(v)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
