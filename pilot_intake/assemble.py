"""Turn grouped documents into the contract's records: merge, check, mask, decide status."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from extractors.ingest import Quarantine
from pilot_intake.grouping import FilingGroup, SummaryGroup, Unattached, norm_name, norm_uscc
from pilot_intake.models import (
    DocKind,
    ExtractedDoc,
    FieldValue,
    Flag,
    FlagCode,
    Medium,
    Page,
    Role,
    Seal,
    SensitiveFinding,
    Status,
    SummaryRow,
)
from pilot_intake.pipeline import find_sensitive
from pilot_intake.settings import Settings
from records.schema import ELIGIBILITY_CRITERIA, PERSONAL_FIELDS
from rules.corroboration import corroborate, summary_row_for
from rules.fields import label

log = logging.getLogger("pilot_intake")


@dataclass
class BatchRules:
    """Batch-wide inputs of the rules: the round's window and the registry."""

    window: Any | None = None  # rules.calendar.Window
    registry: Any | None = None  # rules.registry.Registry
    round_name: str | None = None  # e.g. "2026-12", given or derived
    notes: list[str] = field(default_factory=list)
    summary_rows: list[SummaryRow] = field(default_factory=list)  # to corroborate scan readings


def _batch_summary_rows(docs: list[ExtractedDoc]) -> list[SummaryRow]:
    """The summary tables' rows, from the most exact medium the batch has them in."""
    tables = [d for d in docs if d.kind is DocKind.SUMMARY_TABLE and d.summary_rows]
    for medium in (Medium.XLSX, Medium.TEXT_PDF, Medium.SCAN):
        rows = [r for d in tables if d.medium is medium for r in d.summary_rows]
        if rows:
            return rows
    return []


def batch_rules(docs: list[ExtractedDoc], settings: Settings) -> BatchRules:
    """Work out the round (given, or derived from the fill dates), its window, and load the registry."""
    from rules.calendar import Round, derive_round, submission_window
    from rules.registry import Registry

    out = BatchRules(summary_rows=_batch_summary_rows(docs))
    if settings.round:
        rnd = Round.parse(settings.round)
    else:
        dates = [str(d.fields["fill_date"].value) for d in docs
                 if "fill_date" in d.fields and d.fields["fill_date"].value]
        rnd = derive_round(dates)
        if rnd is None:
            out.notes.append("未能从填报日期推断申报轮次，未检查报送时间窗口（no round given or derivable: window not checked）")
    if rnd is not None:
        out.round_name = str(rnd)
        out.window = submission_window(rnd, holidays_file=settings.holidays_file)
        note = getattr(out.window, "note", None)
        # Worth a line on the terminal only when the official calendar could not be used.
        if note and not str(out.window.calendar_source).startswith("chinesecalendar"):
            out.notes.append(str(note))
    if settings.registry is not None:
        out.registry = Registry.load(settings.registry)
    return out


@dataclass
class FilingOutcome:
    record: dict[str, Any]
    scan_docs: list[ExtractedDoc]  # to burn into redacted/ (empty when quarantined)
    raw_values: list[str] = field(default_factory=list)  # never written; for tests and the leak check


def filing_id(group: FilingGroup) -> str:
    """Stable: the same platform with the same files gives the same id."""
    uscc = next((norm_uscc(str(d.fields["uscc"].value or d.fields["uscc"].raw))
                  for d, _ in group.docs if "uscc" in d.fields), "")
    basis = "|".join([norm_name(group.name or group.key), uscc] + sorted(d.source.sha256 for d, _ in group.docs))
    return "F-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def _merge_fields(data_docs: list[ExtractedDoc], scan_docs: list[ExtractedDoc]) -> dict[str, FieldValue]:
    """Data files win (typed at source, confidence 1.0); the scan fills what they lack."""
    merged: dict[str, FieldValue] = {}
    for doc in scan_docs + data_docs:  # later wins
        for key, fv in doc.fields.items():
            if fv.value is None and key in merged:
                continue
            merged[key] = fv
    return merged


def merged_fields(group: FilingGroup) -> dict[str, FieldValue]:
    """A filing's fields: the data file's, completed by the scan's."""
    return _merge_fields(group.by_role(Role.DATA), group.by_role(Role.SCAN) + group.by_role(Role.EQUIPMENT))


def _fields_of(docs: list[ExtractedDoc]) -> dict[str, FieldValue]:
    out: dict[str, FieldValue] = {}
    for doc in docs:
        for key, fv in doc.fields.items():
            if key not in out or (out[key].value is None and fv.value is not None):
                out[key] = fv
    return out


def _renumber_scan_pages(scan_docs: list[ExtractedDoc]) -> list[Page]:
    """A scan delivered as several page files reads as one document, pages in path order."""
    pages: list[Page] = []
    for doc in scan_docs:
        for page in doc.pages:
            pages.append(page.model_copy(update={"number": len(pages) + 1}))
    return pages


def _best_seal(scan_docs: list[ExtractedDoc]) -> Seal | None:
    offset, found = 0, []
    for doc in scan_docs:
        for seal in doc.seals:
            found.append(seal.model_copy(update={"page": seal.page + offset}))
        offset += len(doc.pages)
    if not found:
        return None
    return max(found, key=lambda s: (s.near_signature, s.confidence, s.page))


def _stamp_record(seal: Seal | None) -> dict[str, Any]:
    if seal is None:
        return {"present": False}
    return {
        "present": True,
        "page": seal.page,
        "bbox": [round(float(v), 1) for v in seal.bbox],
        "confidence": round(float(seal.confidence), 3),
        "text": seal.text,
        "matches_signer": seal.matches_signer,
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    return value


def _dedupe_flags(flags: list[Flag]) -> list[Flag]:
    seen, out = set(), []
    for f in flags:
        key = (f.code, f.field, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return sorted(out, key=lambda f: (f.code.value, f.field or "", f.message))


def assemble_filing(group: FilingGroup, services: Any, rules: BatchRules,
                    summary_flags: dict[str, list[Flag]]) -> FilingOutcome:
    from rules import consistency, eligibility
    from rules.status import status_from_flags

    settings: Settings = services.settings
    redactor = services.redactor
    data_docs = [d for d in group.by_role(Role.DATA)]
    scan_docs = [d for d in group.by_role(Role.SCAN)]
    equip_docs = [d for d in group.by_role(Role.EQUIPMENT)]
    all_docs = [d for d, _ in group.docs]

    data_fields = _fields_of(data_docs)
    scan_fields = _fields_of(scan_docs)
    fields = _merge_fields(data_docs, scan_docs)

    # What a scan misread about a field the data file provides is not the filing's
    # problem: the data file's value is used, and the two are compared below.
    # LOW_CONFIDENCE is decided once, below, on the values actually used.
    flags: list[Flag] = []
    for doc, role in group.docs:
        for f in doc.flags:
            if f.code is FlagCode.LOW_CONFIDENCE and f.field != "stamp":
                continue
            if role is not Role.DATA and f.field and f.field in data_fields:
                continue
            read = doc.fields.get(f.field) if f.field else None
            if (f.code is FlagCode.INVALID_VALUE and doc.medium is Medium.SCAN and read is not None
                    and read.confidence < settings.low_confidence):
                # Unparseable text that OCR itself was unsure of says nothing about the
                # filing: the value could not be read, which is LOW_CONFIDENCE's business.
                f = Flag(code=FlagCode.LOW_CONFIDENCE, field=f.field,
                         message=f"{label(f.field)}在扫描件上无法可靠识别（“{read.raw}”），请人工核对（could not be read reliably）")
            flags.append(f)

    reference = {k: fv.value for k, fv in data_fields.items() if fv.value is not None} or None
    for doc, role in group.docs:
        find_sensitive(doc, redactor, reference if role is Role.SCAN else None)

    # Classification markings: the whole filing is quarantined, nothing of it goes on.
    markings = [f for d in all_docs for f in d.findings if f.entity == "CLASSIFIED_MARKING"]
    sources = _sources(group)
    if markings:
        pages = sorted({f.page for f in markings if f.page is not None})
        where = "、".join(f"第 {p} 页" for p in pages) if pages else "文件中"
        flags = [Flag(code=FlagCode.CLASSIFIED_MARKING,
                      message=f"{where}发现密级标识（{markings[0].masked}），该申报不得上传或向下游传递，请人工处理")]
        record = {
            "kind": "filing", "filing_id": filing_id(group), "status": Status.QUARANTINED.value,
            "sources": sources, "fields": {}, "field_confidence": {}, "equipment": [],
            "stamp": {"present": False}, "sensitive": [],
            "eligibility": {c: "unknown" for c in ELIGIBILITY_CRITERIA},
            "flags": [f.as_record() for f in flags],
        }
        return FilingOutcome(record=record, scan_docs=[])

    # Equipment: the data file's table, else a separate equipment file, else the scan's.
    equipment = next((d.equipment for d in data_docs + equip_docs + scan_docs if d.equipment), [])

    # Unsure scan readings the filing confirms elsewhere (rules/corroboration.py).
    low = settings.low_confidence
    row = summary_row_for(fields, rules.summary_rows, low_confidence=low)
    corroborated = corroborate(fields, low_confidence=low, summary_row=row, equipment=equipment)

    # Seal on the stamped scan, matched against the host unit from the data file if any.
    # Not against the summary row's host when the scan's was unsure: rings misread by a
    # character or two (铖→铺) would then be called another organisation's (measured on
    # the full set, seed 23); the scan's own judgement calls them unclear.
    host = fields.get("host_unit")
    seal = _best_seal(scan_docs)
    if seal is not None and seal.text and "host_unit" in data_fields and data_fields["host_unit"].value:
        # The data file names the host unit more reliably than the scan's own OCR.
        from extractors.seals import judge_signer

        seal = seal.model_copy(update={"matches_signer": judge_signer(seal.text, seal.text_confidence,
                                                                      str(data_fields["host_unit"].value))})
    if scan_docs:
        flags.extend(_seal_flags(seal, str(host.value) if host and host.value else None, settings, what="依托单位"))
    elif data_docs:
        flags.append(Flag(code=FlagCode.NO_STAMPED_SCAN,
                          message="只收到数据文件，未收到该平台的盖章扫描件（no stamped scan for this platform）"))

    # Consistency and rules on the unmasked values (masking comes last).
    if data_docs and scan_docs:
        flags.extend(consistency.compare_data_scan(data_fields, scan_fields, low_confidence=settings.low_confidence))
    values = {k: fv.value for k, fv in fields.items() if fv.value is not None}
    # A corroborated value is as good as a sure reading for the rules.
    confidence = {k: 1.0 if k in corroborated else fv.confidence for k, fv in fields.items()}
    # A value that is present but unparseable is INVALID_VALUE (from extraction), not missing.
    flags.extend(consistency.required_fields({k: fv.value if fv.value is not None else fv.raw
                                              for k, fv in fields.items()}))
    flags.extend(consistency.check_uscc(values.get("uscc")))
    declared = values.get("equipment_value_wan")
    if equipment:
        flags.extend(consistency.equipment_total(declared, equipment, low_confidence=settings.low_confidence))
    flags.extend(consistency.miit(values))
    verdicts, elig_flags = eligibility.evaluate(values, confidence, low_confidence=settings.low_confidence)
    flags.extend(elig_flags)
    if rules.window is not None:
        from rules.calendar import check_window

        flags.extend(check_window(values.get("fill_date"), rules.window))
    if rules.registry is not None:
        flags.extend(rules.registry.check(values.get("uscc"), values.get("fill_date")))
    for key, fv in sorted(fields.items()):
        if key in corroborated:
            log.debug("%s: %s read at %.2f, corroborated: %s", group.key, key, fv.confidence,
                      corroborated[key].evidence)
            continue
        if fv.value is not None and fv.confidence < settings.low_confidence:
            flags.append(Flag(code=FlagCode.LOW_CONFIDENCE, field=key,
                              message=f"{label(key)}识别置信度 {fv.confidence:.2f}，低于 {settings.low_confidence:.2f}，请人工核对（read with low confidence）"))
    flags.extend(summary_flags.get(group.key, []))

    # Mask personal data in the structured fields; collect findings from every page.
    page_of = {k: fv.page for k, fv in fields.items()}
    masked_values, field_findings = redactor.mask_fields(values, page_of=page_of, reference=
                                                         {k: fv.value for k, fv in data_fields.items()} or None)
    page_findings = [f for d in all_docs for f in d.findings if f.entity != "CLASSIFIED_MARKING"]
    sensitive = _sensitive_records(field_findings, page_findings)
    if any(not f.already_masked for f in field_findings + page_findings):
        entities = sorted({f.entity for f in field_findings + page_findings if not f.already_masked})
        flags.append(Flag(code=FlagCode.UNREDACTED_PERSONAL_DATA,
                          message=f"申报材料含未脱敏的个人信息（{'、'.join(entities)}），已在输出中遮盖，请督促依托单位脱敏后重新上传"))

    flags = _dedupe_flags(_scrub_messages(flags, all_docs, redactor))
    unreadable = bool(scan_docs) and all(not d.text.strip() for d in scan_docs)
    status = status_from_flags(flags, unreadable_scan=unreadable)
    record = {
        "kind": "filing",
        "filing_id": filing_id(group),
        "status": status.value,
        "sources": sources,
        "fields": {k: _json_value(v) for k, v in sorted(masked_values.items())},
        "field_confidence": {k: round(float(fields[k].confidence), 3) for k in sorted(masked_values) if k in fields},
        "equipment": [_equipment_record(r) for r in equipment],
        "stamp": _stamp_record(seal),
        "sensitive": sensitive,
        "eligibility": {c: verdicts.get(c, "unknown") for c in ELIGIBILITY_CRITERIA},
        "flags": [f.as_record() for f in flags],
    }
    raw = [str(v) for k, v in values.items() if k in PERSONAL_FIELDS and v]
    return FilingOutcome(record=record, scan_docs=scan_docs if status is not Status.QUARANTINED else [],
                         raw_values=raw)


def _scrub_messages(flags: list[Flag], docs: list[ExtractedDoc], redactor: Any) -> list[Flag]:
    """Flag messages quote what was read; personal data in them is masked like everywhere else."""
    from redaction import mask_text

    raws = sorted({str(fv.raw) for d in docs for k, fv in d.fields.items()
                   if k in PERSONAL_FIELDS and len(str(fv.raw or "")) >= 2 and "*" not in str(fv.raw)},
                  key=len, reverse=True)
    out = []
    for f in flags:
        msg = f.message
        for raw in raws:
            msg = msg.replace(raw, "[已遮盖]")
        msg = mask_text(msg, redactor.find_text(msg))
        out.append(f if msg == f.message else f.model_copy(update={"message": msg}))
    return out


def _seal_flags(seal: Seal | None, signer: str | None, settings: Settings, *, what: str) -> list[Flag]:
    if seal is None or not seal.near_signature:
        where = "盖章处" if seal is None else "盖章处（页面其他位置的印章不计）"
        return [Flag(code=FlagCode.MISSING_STAMP,
                     message=f"盖章扫描件{where}未发现{what}公章（no official seal at the signature block）")]
    flags: list[Flag] = []
    if seal.matches_signer is False:
        flags.append(Flag(code=FlagCode.STAMP_SIGNER_MISMATCH,
                          message=f"印章文字“{seal.text or ''}”与{what}“{signer or ''}”不符（seal names another organisation）"))
    elif seal.matches_signer is None:
        flags.append(Flag(code=FlagCode.LOW_CONFIDENCE, field="stamp",
                          message="印章环形文字无法识别，未能核对盖章单位，请人工确认（seal ring text unreadable）"))
    if seal.confidence < settings.low_confidence:
        flags.append(Flag(code=FlagCode.LOW_CONFIDENCE, field="stamp",
                          message=f"印章检测置信度 {seal.confidence:.2f}，请人工确认（seal detected with low confidence）"))
    return flags


def _sources(group: FilingGroup) -> list[dict[str, Any]]:
    return [{"path": d.source.path, "sha256": d.source.sha256, "role": r.value, "pages": len(d.pages)}
            for d, r in sorted(group.docs, key=lambda dr: dr[0].source.path)]


def _equipment_record(row: Any) -> dict[str, Any]:
    out = {"name": row.name, "model": row.model, "quantity": row.quantity,
           "value_wan": _json_value(row.value_wan)}
    if row.core_metric is not None:
        out["core_metric"] = row.core_metric
    if row.self_controlled is not None:
        out["self_controlled"] = row.self_controlled
    return out


def _sensitive_records(field_findings: list[SensitiveFinding], page_findings: list[SensitiveFinding]) -> list[dict]:
    out, seen = [], set()
    # A value found both in a field and on a page is one finding: keep the field's.
    in_fields = {(f.entity, f.masked) for f in field_findings}
    page_findings = [f for f in page_findings if (f.entity, f.masked) not in in_fields]
    for f in field_findings + page_findings:
        rec = {"entity": f.entity, "masked": f.masked}
        if f.field is not None:
            rec["field"] = f.field
        if f.page is not None:
            rec["page"] = f.page
        key = tuple(sorted(rec.items()))
        if key not in seen:
            seen.add(key)
            out.append(rec)
    return sorted(out, key=lambda r: (r.get("field") or "", r.get("page") or 0, r["entity"], r["masked"]))


# --- summary tables -----------------------------------------------------------------------

@dataclass
class SummaryOutcome:
    record: dict[str, Any]
    scan_docs: list[ExtractedDoc]


def summary_rows(group: SummaryGroup) -> list[SummaryRow]:
    """Rows from the spreadsheet if there is one (exact), else from the scan."""
    for medium in (Medium.XLSX, Medium.TEXT_PDF, Medium.SCAN):
        for doc in group.docs:
            if doc.medium is medium and doc.summary_rows:
                return doc.summary_rows
    return []


def assemble_summary(group: SummaryGroup, services: Any, missing_sheet_flags: list[Flag]) -> SummaryOutcome:
    from rules.status import status_from_flags

    settings: Settings = services.settings
    redactor = services.redactor
    flags: list[Flag] = [f for d in group.docs for f in d.flags]
    for doc in group.docs:
        find_sensitive(doc, redactor)
    markings = [f for d in group.docs for f in d.findings if f.entity == "CLASSIFIED_MARKING"]
    sources = [{"path": d.source.path, "sha256": d.source.sha256,
                "role": Role.SCAN.value if d.medium is Medium.SCAN else Role.DATA.value, "pages": len(d.pages)}
               for d in sorted(group.docs, key=lambda d: d.source.path)]
    if markings:
        flags = [Flag(code=FlagCode.CLASSIFIED_MARKING,
                      message="汇总表中发现密级标识，不得上传或向下游传递，请人工处理")]
        return SummaryOutcome(record={"kind": "summary_table", "province": group.province, "sources": sources,
                                      "rows": [], "stamp": {"present": False},
                                      "flags": [f.as_record() for f in flags],
                                      "status": Status.QUARANTINED.value}, scan_docs=[])
    scan_docs = [d for d in group.docs if d.medium is Medium.SCAN]
    seal = _best_seal(scan_docs)
    signer = next((d.signer for d in group.docs if d.signer), None) or group.province
    if scan_docs:
        flags.extend(_seal_flags(seal, signer, settings, what="省级工业和信息化主管部门"))
    else:
        flags.append(Flag(code=FlagCode.MISSING_STAMP,
                          message="汇总表只有电子表格，未收到盖章扫描件（summary table without a stamped scan）"))
    flags.extend(missing_sheet_flags)
    rows = []
    any_unmasked = False
    for row in summary_rows(group):
        values = row.model_dump(exclude={"confidence"}, exclude_none=True)
        masked, findings = redactor.mask_fields(values)
        any_unmasked |= any(not f.already_masked for f in findings)
        rows.append(masked)
    if any_unmasked:
        flags.append(Flag(code=FlagCode.UNREDACTED_PERSONAL_DATA,
                          message="汇总表含未脱敏的联系人信息，已在输出中遮盖"))
    flags = _dedupe_flags(_scrub_messages(flags, group.docs, redactor))
    status = status_from_flags(flags)
    record = {"kind": "summary_table", "province": group.province, "sources": sources, "rows": rows,
              "stamp": _stamp_record(seal), "flags": [f.as_record() for f in flags], "status": status.value}
    return SummaryOutcome(record=record, scan_docs=scan_docs if status is not Status.QUARANTINED else [])


def quarantine_record(q: Quarantine) -> dict[str, Any]:
    return {"kind": "quarantined", "path": q.path, "sha256": q.sha256, "reason": q.reason.value, "message": q.message}


def unattached_record(u: Unattached) -> dict[str, Any]:
    return quarantine_record(Quarantine(u.doc.source.path, u.doc.source.sha256, u.reason, u.message))
