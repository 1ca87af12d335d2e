"""The small, named data objects that flow between the pipeline's stages.

Stages hand each other these objects (and file paths inside the work folder),
never big arrays, so that files and pages can be processed in parallel
processes. The public output contract lives in `records/schema.py`; these are
the internal objects it is built from.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FileType(StrEnum):
    """What a file is, detected from its bytes (never from its extension)."""

    PDF = "pdf"
    XLSX = "xlsx"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    ZIP = "zip"
    UNKNOWN = "unknown"


class DocKind(StrEnum):
    """What a document is, classified from its content."""

    INFO_SHEET = "info_sheet"  # 储备中试平台申报信息表 (may carry the equipment table too)
    EQUIPMENT_TABLE = "equipment_table"  # 设备要素表 on its own
    SUMMARY_TABLE = "summary_table"  # <省份>储备中试平台汇总表
    OTHER = "other"


class Medium(StrEnum):
    """How the content was read: decides confidence and which checks apply."""

    XLSX = "xlsx"
    TEXT_PDF = "text_pdf"  # born-digital PDF, read with pdfplumber, never OCRed
    SCAN = "scan"  # page images (image-only PDF, JPG, PNG, TIFF), read with OCR


class Role(StrEnum):
    """A source file's role in a filing record (`sources[].role`)."""

    SCAN = "scan"
    DATA = "data"
    EQUIPMENT = "equipment"


class Status(StrEnum):
    READY = "ready"
    NEEDS_REVIEW = "needs_review"
    QUARANTINED = "quarantined"


class QuarantineReason(StrEnum):
    UNREADABLE = "UNREADABLE"
    ENCRYPTED = "ENCRYPTED"
    UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE"
    EMPTY = "EMPTY"
    DUPLICATE = "DUPLICATE"
    UNSAFE_ARCHIVE_ENTRY = "UNSAFE_ARCHIVE_ENTRY"
    TOO_LARGE = "TOO_LARGE"
    # Extension of the contract: a readable file that cannot be tied to any platform
    # in the batch (no platform name or uscc read, no sibling file to attach it to).
    UNRECOGNIZED = "UNRECOGNIZED"


class FlagCode(StrEnum):
    MISSING_FIELD = "MISSING_FIELD"
    INVALID_VALUE = "INVALID_VALUE"
    MISSING_STAMP = "MISSING_STAMP"
    STAMP_SIGNER_MISMATCH = "STAMP_SIGNER_MISMATCH"
    NO_STAMPED_SCAN = "NO_STAMPED_SCAN"
    DATA_SCAN_MISMATCH = "DATA_SCAN_MISMATCH"
    UNREDACTED_PERSONAL_DATA = "UNREDACTED_PERSONAL_DATA"
    CLASSIFIED_MARKING = "CLASSIFIED_MARKING"
    INELIGIBLE = "INELIGIBLE"
    EQUIPMENT_TOTAL_MISMATCH = "EQUIPMENT_TOTAL_MISMATCH"
    NOT_IN_SUMMARY = "NOT_IN_SUMMARY"
    MISSING_INFO_SHEET = "MISSING_INFO_SHEET"
    OUTSIDE_WINDOW = "OUTSIDE_WINDOW"
    REAPPLICATION_BANNED = "REAPPLICATION_BANNED"
    MIIT_REPORT_REQUIRED = "MIIT_REPORT_REQUIRED"
    LOW_CONFIDENCE = "LOW_CONFIDENCE"


class Flag(BaseModel):
    code: FlagCode
    message: str
    field: str | None = None

    def as_record(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code.value, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        return out


class SourceFile(BaseModel):
    """One input file of the batch."""

    model_config = ConfigDict(frozen=True)

    path: str  # POSIX path inside the batch, as shown in records
    abs_path: Path  # where the bytes are on disk (work folder or batch folder)
    sha256: str
    size: int
    file_type: FileType


class Word(BaseModel):
    """An OCR or PDF word with its box in page-image pixels (x0, y0, x1, y1)."""

    text: str
    bbox: tuple[float, float, float, float]
    conf: float = 1.0  # 0..1


class Page(BaseModel):
    """One page of a document. Scans keep where the page image is, not the pixels."""

    number: int  # 1-based
    width: float
    height: float
    dpi: int | None = None
    image_path: Path | None = None  # original page image file (scans), for seals and redaction
    # Or, for a page of a scanned PDF: (PDF, 0-based page), rendered again at `dpi` when needed
    # (extractors.pageimage; writing every rendered page to a PNG cost more than rendering twice).
    pdf_page: tuple[Path, int] | None = None
    words: list[Word] = Field(default_factory=list)
    text: str = ""
    # Boxes (page-image pixels) to burn out of this page in the redacted copy.
    redact_boxes: list[tuple[float, float, float, float]] = Field(default_factory=list)


class FieldValue(BaseModel):
    """A field read from a document, with provenance and confidence."""

    key: str
    raw: str  # the text as read
    value: Any = None  # typed, normalised value; None when unparseable
    confidence: float = 1.0  # 0..1, OCR confidence combined with parse certainty
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    error: str | None = None  # why the raw text could not be parsed


class EquipmentRow(BaseModel):
    name: str
    model: str | None = None
    quantity: int | None = None
    value_wan: float | None = None
    core_metric: str | None = None
    self_controlled: bool | None = None
    confidence: float = 1.0


class SummaryRow(BaseModel):
    platform_name: str | None = None
    host_unit: str | None = None
    uscc: str | None = None
    key_direction: str | None = None
    city: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    confidence: float = 1.0


class Seal(BaseModel):
    """A seal found on a page (bbox in page-image pixels)."""

    page: int
    bbox: tuple[float, float, float, float]
    confidence: float
    text: str | None = None  # ring text, when read
    text_confidence: float = 0.0  # OCR confidence of the ring text, 0..1
    matches_signer: bool | None = None
    near_signature: bool = False


class SensitiveFinding(BaseModel):
    """Personal data or a classification marking. Never carries the raw value."""

    entity: str  # CN_ID_CARD, CN_MOBILE, CN_PHONE, EMAIL_ADDRESS, CN_BANK_CARD, CN_PASSPORT, PERSON, CLASSIFIED_MARKING
    field: str | None = None
    page: int | None = None
    masked: str
    already_masked: bool = False


class ExtractedDoc(BaseModel):
    """What one source file yielded: its kind, pages, fields and tables."""

    source: SourceFile
    kind: DocKind
    medium: Medium
    pages: list[Page] = Field(default_factory=list)
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    equipment: list[EquipmentRow] = Field(default_factory=list)
    summary_rows: list[SummaryRow] = Field(default_factory=list)
    province: str | None = None  # summary tables: from the title
    signer: str | None = None  # the organisation named in the signature block, if read
    seals: list[Seal] = Field(default_factory=list)
    findings: list[SensitiveFinding] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)
