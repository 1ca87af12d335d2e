"""The pipeline's business logic as plain functions; `flows/` wraps them in Prefect tasks.

Stages: collect (ingest) → analyse each source (extract, seals, sensitive data) →
group into filings → assemble records (rules, masking, status) → write outputs.
Every function here runs without Prefect, so it is tested directly.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extractors.ingest import Quarantine
from pilot_intake.errors import BadInputError, ExtractionError, MissingDependencyError
from pilot_intake.models import (
    DocKind,
    ExtractedDoc,
    FileType,
    Medium,
    QuarantineReason,
    SourceFile,
)
from pilot_intake.settings import Settings

log = logging.getLogger("pilot_intake")



@dataclass
class Services:
    """Heavy objects built once per process and shared by every file of the batch."""

    settings: Settings
    redactor: object  # redaction.Redactor; typed loosely to keep this module import-light
    ocr_engine: object  # extractors.ocr.OcrEngine, shared by every scan of the batch
    ring_reader: object  # extractors.seal_text.RingReader, sharing the OCR engine's model
    # extractors.printed.PrintedLabels: the form's labels, learned once for the whole batch
    printed: object = None

    @classmethod
    def build(cls, settings: Settings) -> "Services":
        from extractors.ocr import make_engine, rapid_model
        from extractors.printed import PrintedLabels
        from extractors.scan import default_engine_name, one_opencv_thread
        from extractors.seal_text import RingReader
        from redaction.redactor import Redactor

        # Seal checks and burned-in redaction run in the flow's parallel tasks too.
        one_opencv_thread()
        engine = make_engine(settings.ocr_engine or default_engine_name(),
                             tesseract_cmd=settings.tesseract_cmd, lang=settings.ocr_lang,
                             runtime=settings.ocr_runtime, streams=settings.workers)
        return cls(settings=settings, redactor=Redactor(), ocr_engine=engine,
                   ring_reader=RingReader(settings.tesseract_cmd, rapid=rapid_model(engine)),
                   printed=PrintedLabels() if settings.recall_labels else None)


def check_dependencies(settings: Settings) -> str:
    """Fail early, with install advice, when tesseract or its language data is missing."""
    from extractors.tesseract import probe

    return probe(settings.tesseract_cmd, settings.ocr_lang)


def extract_source(source: SourceFile, workdir: Path, settings: Settings, engine=None, printed=None,
                   workers: int = 1) -> ExtractedDoc:
    """Read one file into an ExtractedDoc, choosing the reader from its detected type.

    `printed`: the batch's learned form labels (extractors.printed.PrintedLabels), for scans.
    `workers`: pages of a scan read at a time (the batch flow reads files in parallel instead,
    except the first scans, read alone while the labels are learned).
    """
    if source.file_type is FileType.XLSX:
        from extractors.xlsx import extract_xlsx

        return extract_xlsx(source)
    if source.file_type is FileType.PDF:
        from extractors.pdf import extract_text_pdf, inspect_pdf

        info = inspect_pdf(source.abs_path, max_pages=settings.max_pdf_pages)
        if info.is_born_digital:
            return extract_text_pdf(source, info)
        from extractors.scan import extract_scan

        return extract_scan(source, workdir / _slug(source), settings, page_count=info.pages, engine=engine,
                            printed=printed, workers=workers)
    if source.file_type in (FileType.JPEG, FileType.PNG, FileType.TIFF):
        from extractors.scan import extract_scan

        return extract_scan(source, workdir / _slug(source), settings, engine=engine, printed=printed, workers=workers)
    raise BadInputError(QuarantineReason.UNSUPPORTED_TYPE, f"unsupported file type {source.file_type}")


SCAN_TYPES = frozenset({FileType.PDF, FileType.JPEG, FileType.PNG, FileType.TIFF})


def learning_scans(sources: list[SourceFile], services: Services) -> Iterator[SourceFile]:
    """The files to read first, one at a time, while the batch learns its form's labels.

    In path order, and only while `services.printed` is still learning: what later
    pages recall is then fixed by the batch's content, not by which thread ran first,
    so a rerun gives the same records. The rest of the batch is read in parallel.
    """
    printed = services.printed
    for source in sorted(sources, key=lambda s: s.path):
        if printed is None or not printed.learning:
            return
        if source.file_type in SCAN_TYPES:
            yield source


def _slug(source: SourceFile) -> str:
    return source.sha256[:16]


def analyse_source(source: SourceFile, workdir: Path, services: Services, workers: int = 1) -> ExtractedDoc | Quarantine:
    """Extract one file, then find its seal and its personal data. Bad input → Quarantine.

    `workers`: pages read at a time (`extract_source`).
    """
    settings = services.settings
    def clean(message: str) -> str:
        # Records must not depend on where the batch was unpacked (reruns give the same records).
        return message.replace(str(source.abs_path), source.path).replace(str(workdir), "…")

    try:
        doc = extract_source(source, workdir, settings, services.ocr_engine, services.printed, workers=workers)
    except BadInputError as exc:
        return Quarantine(source.path, source.sha256, exc.reason, clean(exc.message))
    except MissingDependencyError:
        raise  # the whole batch needs it: stop with install advice
    except ExtractionError as exc:
        return Quarantine(source.path, source.sha256, QuarantineReason.UNREADABLE, clean(f"无法读取内容（{exc}）"))
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        # A bug or an unexpected file shape: the file is quarantined and the batch goes on.
        log.warning("%s: %s: %s", source.path, type(exc).__name__, exc)
        log.debug("%s", traceback.format_exc())
        return Quarantine(source.path, source.sha256, QuarantineReason.UNREADABLE,
                          clean(f"读取失败（{type(exc).__name__}: {exc}）"))

    if doc.medium is Medium.SCAN:
        find_seal(doc, settings, reader=services.ring_reader)
    return doc


def expected_signer(doc: ExtractedDoc, low_confidence: float = 0.0) -> str | None:
    """Whom the seal should name. A host unit that OCR misread must not accuse the seal:
    below `low_confidence` the name in the signature block is used, if it was read."""
    if doc.kind is DocKind.SUMMARY_TABLE:
        return doc.signer or doc.province
    host = doc.fields.get("host_unit")
    if host is not None and host.value and host.confidence >= low_confidence:
        return str(host.value)
    return doc.signer


def find_seal(doc: ExtractedDoc, settings: Settings, signer: str | None = None, *, reader=None) -> None:
    """Look for the official seal at the signature block of a scanned document."""
    from extractors.pageimage import has_image
    from extractors.seals import check_document_seal

    pages = [p for p in doc.pages if has_image(p)]
    if not pages:
        return
    check = check_document_seal(pages, signer or expected_signer(doc, settings.low_confidence), kind=doc.kind,
                                settings=settings,
                                reader=reader)
    seal = check.seal
    host = doc.fields.get("host_unit")
    if (seal is not None and seal.matches_signer is False and doc.kind is not DocKind.SUMMARY_TABLE
            and not signer and (host is None or host.confidence < settings.low_confidence)):
        # Both names came from OCR and the host's was unsure: too weak to accuse the seal.
        seal = seal.model_copy(update={"matches_signer": None})
    doc.seals = [seal] if seal is not None else []


def find_sensitive(doc: ExtractedDoc, redactor, reference: dict | None = None) -> None:
    """Personal data and classification markings in the document's text, with boxes to burn.

    Runs once the filing is grouped, so that a scan's reading can be checked against the
    data file (`reference`): OCR turns `张*` into `张米`, which is not an unmasked name.
    """
    pages = {p.number: p for p in doc.pages}
    for page in doc.pages:
        page.redact_boxes = []
    doc.findings = []
    for finding in redactor.scan_pages(doc.pages, reference=reference):
        if finding.page in pages:
            pages[finding.page].redact_boxes.extend(finding.boxes)
        doc.findings.append(finding.as_sensitive())


@dataclass
class BatchResult:
    """Everything the writer needs."""

    records: list[dict] = field(default_factory=list)
    redaction_jobs: list[ExtractedDoc] = field(default_factory=list)  # scans to burn into redacted/
    round_name: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def assemble_batch(docs: list[ExtractedDoc], quarantined: list[Quarantine], services: Services) -> BatchResult:
    """Group documents, run the cross-document checks, and build every record."""
    from pilot_intake.assemble import (
        assemble_filing,
        assemble_summary,
        batch_rules,
        merged_fields,
        quarantine_record,
        summary_rows,
        unattached_record,
    )
    from pilot_intake.grouping import group_documents
    from rules.consistency import summary_vs_sheets

    grouping = group_documents(docs)
    rules = batch_rules(docs, services.settings)
    result = BatchResult(notes=list(rules.notes), round_name=rules.round_name)

    # Summary table vs information sheets, both ways.
    all_rows = [(i, row) for i, g in enumerate(grouping.summaries) for row in summary_rows(g)]
    # Only confident values identify a sheet: a misread name must not hide a matching uscc.
    low = services.settings.low_confidence
    sheets = [(g.key, {k: fv.value for k, fv in merged_fields(g).items()
                       if fv.value is not None and fv.confidence >= low})
              for g in grouping.filings]
    check = summary_vs_sheets([row for _, row in all_rows], sheets, has_summary=bool(grouping.summaries))
    missing_by_summary: dict[int, list] = {i: [] for i in range(len(grouping.summaries))}
    for flag, row_index in zip(check.summary_flags, check.missing_rows):
        # Each MISSING_INFO_SHEET flag belongs to the summary table that lists the platform.
        missing_by_summary[all_rows[row_index][0]].append(flag)

    filings = [assemble_filing(g, services, rules, check.filing_flags) for g in grouping.filings]
    summaries = [assemble_summary(g, services, missing_by_summary.get(i, [])) for i, g in enumerate(grouping.summaries)]

    records = [s.record for s in summaries]
    records += sorted((f.record for f in filings), key=lambda r: (r["sources"][0]["path"] if r["sources"] else "", r["filing_id"]))
    quarantines = [quarantine_record(q) for q in quarantined] + [unattached_record(u) for u in grouping.unattached]
    records += sorted(quarantines, key=lambda r: r["path"])
    result.records = records
    result.redaction_jobs = [d for f in filings for d in f.scan_docs] + [d for s in summaries for d in s.scan_docs]
    result.counts = _count(records)
    return result


def _count(records: list[dict]) -> dict[str, int]:
    counts = {"filings": 0, "summary_tables": 0, "ready": 0, "needs_review": 0, "quarantined": 0, "files_quarantined": 0}
    for rec in records:
        if rec["kind"] == "filing":
            counts["filings"] += 1
            counts[rec["status"]] += 1
        elif rec["kind"] == "summary_table":
            counts["summary_tables"] += 1
        else:
            counts["files_quarantined"] += 1
    return counts


def write_batch(out_dir: Path, result: BatchResult, settings: Settings) -> None:
    """Save the records in the store, export records.jsonl from it, and write review.xlsx."""
    from records.store import batch_key, default_url, open_store
    from records.writer import RECORDS_FILE, write_review

    store = open_store(settings.db_url or default_url(out_dir))
    try:
        store.save_batch(result.records, round=result.round_name)
        store.export_jsonl(batch_key(result.records), out_dir / RECORDS_FILE)
    finally:
        store.close()
    write_review(out_dir, result.records)


def redact_scan(doc: ExtractedDoc, target: Path) -> Path:
    """Burn the document's personal data into its page images and write an image-only PDF."""
    from redaction import burn_redactions

    boxes = {p.number: list(p.redact_boxes) for p in doc.pages}
    dpi = next((p.dpi for p in doc.pages if p.dpi), 300)
    burn_redactions(doc.pages, boxes, target, dpi=dpi)
    return target
