"""From label/value pairs and table rows to fields, equipment rows and summary rows.

Shared by every medium: the xlsx and PDF readers and the OCR path all reduce what
they read to `LabelValue` pairs and lists of row cells, and hand them here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel
from stdnum.cn import uscc as stdnum_uscc

from extractors.labels import (
    FIELD_SPECS_BY_KEY,
    FieldType,
    match_equipment_column,
    match_label,
    match_summary_column,
    strip_label_tail,
    unit_from_label,
)
from extractors.values import (
    clean_text,
    find_province,
    normalize_text,
    parse_bool,
    parse_count,
    parse_field,
    parse_money_wan,
    parse_person,
    parse_phone,
    parse_uscc,
)
from pilot_intake.models import EquipmentRow, FieldValue, Flag, FlagCode, SummaryRow

BBox = tuple[float, float, float, float]


class LabelValue(BaseModel):
    """A label as printed and the value beside it, with where and how surely it was read."""

    label: str
    value: str
    conf: float = 1.0
    page: int | None = None
    bbox: BBox | None = None  # of the value


def _invalid_flag(key: str, raw: str, error: str) -> Flag:
    label = FIELD_SPECS_BY_KEY[key].label if key in FIELD_SPECS_BY_KEY else key
    return Flag(
        code=FlagCode.INVALID_VALUE,
        field=key,
        message=f"「{label}」的值无法识别 / value of {key} cannot be read: {raw!r} — {error}",
    )


# A value whose own check holds is trusted at least this much (above Settings.low_confidence),
# provided it was read with at least SELF_CHECK_MIN_CONF: a check confirms a fair reading,
# it does not rescue a guess.
SELF_CHECKED_CONF = 0.9
SELF_CHECK_MIN_CONF = 0.5


def self_check(key: str, value: object) -> bool:
    """Whether `value` passes a check of its own that a misreading almost never passes.

    Only the uscc has one: its GB 32100 check digit (python-stdnum), which one misread
    character passes with a chance of 1 in 31. Dates, counts and amounts that parse
    are not checked this way: a misread digit gives another plausible value.
    """
    spec = FIELD_SPECS_BY_KEY.get(key)
    if spec is None or spec.type != FieldType.USCC or not isinstance(value, str):
        return False
    return stdnum_uscc.is_valid(value)


def fields_from_pairs(pairs: Iterable[LabelValue]) -> tuple[dict[str, FieldValue], list[Flag]]:
    """Typed fields from label/value pairs; an unparseable value gives INVALID_VALUE.

    The first readable value of a key wins (a sheet may repeat 依托单位 in its
    signature block); an unreadable one is replaced by a later readable one.
    Confidence = reading confidence × parse certainty.
    """
    fields: dict[str, FieldValue] = {}
    for pair in pairs:
        key = match_label(pair.label)
        if key is None:
            continue
        text = strip_label_tail(key, pair.value)
        raw = clean_text(text)
        if not raw:
            continue
        if key in fields and fields[key].error is None:
            continue
        value, certainty, error = parse_field(key, text, unit_hint=pair.label)
        conf = max(0.0, min(1.0, pair.conf)) * certainty
        if conf >= SELF_CHECK_MIN_CONF and self_check(key, value):
            conf = max(conf, SELF_CHECKED_CONF)
        fields[key] = FieldValue(
            key=key,
            raw=raw,
            value=value,
            confidence=round(conf, 4),
            page=pair.page,
            bbox=pair.bbox,
            error=error,
        )
    flags = [_invalid_flag(k, f.raw, f.error) for k, f in fields.items() if f.error]
    return fields, flags


_KV_SPLIT = re.compile(r"^(?P<label>[^:：]{1,60}?)\s*[:：]\s*(?P<value>.*)$")


def split_label_value(text: str) -> tuple[str, str] | None:
    """`平台名称：某平台` → (label, value) when the part before the colon is a known label."""
    m = _KV_SPLIT.match(clean_text(text))
    if not m or match_label(m["label"]) is None:
        return None
    # Specks after the colon read as punctuation (`：;深圳市…`) are not part of the value.
    return m["label"], m["value"].lstrip(";；:：,，、|｜.·'\"“”‘’ ")


def pairs_from_rows(
    rows: Sequence[Sequence[str | None]],
    *,
    page: int | None = None,
    conf: float = 1.0,
    bboxes: Sequence[Sequence[BBox | None]] | None = None,
) -> list[LabelValue]:
    """Label/value pairs from table rows, in any column layout.

    A cell that names a field is a label and the next non-empty cell to its right is
    its value (so label|value and label|value|label|value both work); a single cell
    `label：value` is split at the colon. A row whose label cell is empty continues
    the previous value (a value wrapped onto two rows).
    """
    out: list[LabelValue] = []
    for r, row in enumerate(rows):
        cells = [clean_text(c or "") for c in row]
        c = 0
        found = False
        while c < len(cells):
            cell = cells[c]
            if not cell:
                c += 1
                continue
            split = split_label_value(cell) if re.search("[:：]", cell) else None
            if split is not None and split[1]:
                box = bboxes[r][c] if bboxes is not None and c < len(bboxes[r]) else None
                out.append(LabelValue(label=split[0], value=split[1], conf=conf, page=page, bbox=box))
                found = True
            elif match_label(cell) is not None:
                v = next((j for j in range(c + 1, len(cells)) if cells[j]), None)
                if v is not None and match_label(cells[v]) is None:
                    box = bboxes[r][v] if bboxes is not None and v < len(bboxes[r]) else None
                    out.append(LabelValue(label=cell, value=cells[v], conf=conf, page=page, bbox=box))
                    found = True
                    c = v + 1
                    continue
            c += 1
        nonempty = [x for x in cells if x]
        if not found and out and len(nonempty) == 1 and cells and not cells[0] and len(cells) >= 2:
            prev = out[-1]
            out[-1] = prev.model_copy(update={"value": f"{prev.value}{nonempty[0]}"})
    return out


def find_header(
    rows: Sequence[Sequence[str | None]], matcher: Callable[[str], str | None], *, minimum: int
) -> tuple[int, dict[int, str]] | None:
    """The first row with at least `minimum` distinct column keys: (row index, {col: key})."""
    for r, row in enumerate(rows):
        mapping: dict[int, str] = {}
        for c, cell in enumerate(row):
            key = matcher(cell or "") if cell else None
            if key and key not in mapping.values():
                mapping[c] = key
        if len(mapping) >= minimum:
            return r, mapping
    return None


def equipment_header(rows: Sequence[Sequence[str | None]]) -> tuple[int, dict[int, str]] | None:
    """The equipment table's header row: it names a device column and two more."""
    found = find_header(rows, match_equipment_column, minimum=3)
    if found and "name" in found[1].values():
        return found
    return None


def summary_header(rows: Sequence[Sequence[str | None]]) -> tuple[int, dict[int, str]] | None:
    """The summary table's header row: 平台名称 and at least three more of its columns."""
    found = find_header(rows, match_summary_column, minimum=4)
    if found and "platform_name" in found[1].values():
        return found
    return None


_TOTAL_ROW = re.compile(r"^(?:合计|总计|小计|共计|合计金额)")
_DEFAULT_EQUIPMENT = ("seq", "name", "model", "quantity", "value_wan", "core_metric", "self_controlled")
_DEFAULT_SUMMARY = ("seq", "platform_name", "host_unit", "uscc", "key_direction", "city", "contact_name", "contact_phone")


def _is_total(cells: Sequence[str]) -> bool:
    return any(_TOTAL_ROW.match(c.replace(" ", "")) for c in cells[:3] if c)


def _body(rows, header, default) -> tuple[list[list[str]], dict[int, str], dict[int, str]]:
    """Data rows, the column → key mapping, and the header texts."""
    clean = [[clean_text(c or "") for c in row] for row in rows]
    if header is not None:
        r, mapping = header
        texts = {c: clean[r][c] for c in mapping}
        return clean[r + 1:], mapping, texts
    return clean, dict(enumerate(default)), {}


def equipment_from_rows(rows: list[list[str]], *, conf: float = 1.0) -> list[EquipmentRow]:
    """Equipment rows from table rows; the header (if any) maps the columns, 合计 rows are skipped.

    Without a header the columns are taken in the layout order 序号 | 设备名称 | 型号规格 |
    数量 | 原值（万元） | 核心指标 | 是否自主可控. A value that cannot be parsed stays None
    and halves the row's confidence.
    """
    body, mapping, texts = _body(rows, equipment_header(rows), _DEFAULT_EQUIPMENT)
    value_unit = next((unit_from_label(texts[c]) for c, k in mapping.items() if k == "value_wan" and c in texts), None)
    out: list[EquipmentRow] = []
    for cells in body:
        if not any(cells) or _is_total(cells):
            continue
        got = {key: cells[c] for c, key in mapping.items() if c < len(cells) and cells[c]}
        name = got.get("name")
        if not name or not ({"model", "quantity", "value_wan", "seq"} & got.keys()):
            continue
        if equipment_header([cells]):
            continue  # a repeated header on the next page
        row_conf = conf
        parsed: dict[str, object] = {}
        for key, parse in (("quantity", parse_count), ("self_controlled", parse_bool)):
            if key in got:
                try:
                    parsed[key] = parse(got[key])
                except ValueError:
                    row_conf *= 0.5
        if "value_wan" in got:
            try:
                parsed["value_wan"] = parse_money_wan(got["value_wan"], unit_hint=value_unit)
            except ValueError:
                row_conf *= 0.5
        out.append(EquipmentRow(
            name=name,
            model=got.get("model"),
            core_metric=got.get("core_metric"),
            confidence=round(row_conf, 4),
            **parsed,
        ))
    return out


def summary_from_rows(rows: list[list[str]], *, conf: float = 1.0) -> list[SummaryRow]:
    """Summary-table rows (汇总表); uscc and phone normalised when they parse, else kept as read."""
    body, mapping, _ = _body(rows, summary_header(rows), _DEFAULT_SUMMARY)
    out: list[SummaryRow] = []
    for cells in body:
        if not any(cells) or _is_total(cells):
            continue
        got = {key: cells[c] for c, key in mapping.items() if c < len(cells) and cells[c]}
        if not got.get("platform_name") or "盖章" in "".join(cells):
            continue
        if summary_header([cells]):
            continue
        row_conf = conf
        for key, parse in (("uscc", parse_uscc), ("contact_phone", parse_phone), ("contact_name", parse_person)):
            if key in got:
                try:
                    got[key] = parse(got[key])
                except ValueError:
                    row_conf *= 0.5
        got.pop("seq", None)
        out.append(SummaryRow(confidence=round(row_conf, 4), **got))
    return out


_TITLE = re.compile(r"(.{0,24}?)储备中试平台(?:汇总表|申报)")


def province_from_title(text: str) -> str | None:
    """The province a title names (`广东省储备中试平台汇总表` → 广东省; short forms too)."""
    squashed = re.sub(r"\s+", "", normalize_text(text))
    m = _TITLE.search(squashed)
    return find_province(m[1] if m and m[1] else squashed)


_SEAL_WORDS = r"(?:盖章|公章|签章|印章)"
_AFTER_SEAL = re.compile(rf"依托单位[(（]?{_SEAL_WORDS}[)）]?[:：]?\s*([^\n]+)")
_BEFORE_SEAL = re.compile(rf"([^\n:：]{{2,60}}?)\s*[(（]{_SEAL_WORDS}[)）]")
_TRAILING_DATE = re.compile(r"\s*(?:日期|填报日期)?[:：]?\s*(?:\d{4}|[〇零一二]{4})\s*年.*$|\s*日期.*$")


def signer_from_text(text: str) -> str | None:
    """The organisation of the signature block: after `依托单位（盖章）：`, or before `（盖章）`."""
    norm = "\n".join(clean_text(line) for line in (text or "").splitlines())
    m = _AFTER_SEAL.search(norm)
    if m:
        name = _TRAILING_DATE.sub("", m[1]).strip(" :：")
        if name:
            return name
    for m in _BEFORE_SEAL.finditer(norm):
        name = re.sub(r"^.*[:：]", "", m[1]).strip()
        if name and name not in {"依托单位", "单位"} and not name.endswith("依托单位"):
            return name
    return None
