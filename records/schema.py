"""The records contract (../shared/spec/records.md) as pydantic models.

Downstream systems read these records: extend (new optional keys), never rename.
`validate_line` is what tests and `pilot-intake validate` use to check a file.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from pilot_intake.models import FlagCode, QuarantineReason, Role, Status

Verdict = Literal["pass", "fail", "unknown"]

ELIGIBILITY_CRITERIA = (
    "equipment_value",
    "fulltime_staff",
    "service_revenue",
    "served_enterprises",
    "achievements",
    "no_violations",
    "roadmap",
    "service_list",
    "management_rules",
    "development_plan",
)

PERSONAL_FIELDS = ("legal_rep", "contact_name", "contact_phone", "contact_email", "tech_leader")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceRef(_Strict):
    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    role: Role
    pages: int = Field(ge=0)


class FlagRecord(_Strict):
    code: FlagCode
    message: str = Field(min_length=1)
    field: str | None = None


class StampRecord(_Strict):
    present: bool
    page: int | None = None
    bbox: list[float] | None = Field(default=None, min_length=4, max_length=4)
    confidence: float | None = Field(default=None, ge=0, le=1)
    text: str | None = None
    matches_signer: bool | None = None


class SensitiveRecord(_Strict):
    entity: str
    field: str | None = None
    page: int | None = None
    masked: str


class EquipmentRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    model: str | None = None
    quantity: int | None = None
    value_wan: float | None = None


class FilingRecord(_Strict):
    kind: Literal["filing"] = "filing"
    filing_id: str = Field(min_length=1)
    status: Status
    sources: list[SourceRef]
    fields: dict[str, Any]
    field_confidence: dict[str, float]
    equipment: list[EquipmentRecord]
    stamp: StampRecord
    sensitive: list[SensitiveRecord]
    eligibility: dict[str, Verdict]
    flags: list[FlagRecord]


class SummaryRowRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    platform_name: str | None = None
    host_unit: str | None = None
    uscc: str | None = None
    key_direction: str | None = None
    city: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None


class SummaryTableRecord(_Strict):
    kind: Literal["summary_table"] = "summary_table"
    province: str | None
    sources: list[SourceRef]
    rows: list[SummaryRowRecord]
    stamp: StampRecord
    flags: list[FlagRecord]
    status: Status


class QuarantinedRecord(_Strict):
    kind: Literal["quarantined"] = "quarantined"
    path: str
    sha256: str | None
    reason: QuarantineReason
    message: str = Field(min_length=1)


Record = Annotated[FilingRecord | SummaryTableRecord | QuarantinedRecord, Field(discriminator="kind")]

_RECORD = TypeAdapter(Record)


def validate_line(line: str) -> FilingRecord | SummaryTableRecord | QuarantinedRecord:
    """Parse one line of records.jsonl against the contract; raises pydantic.ValidationError."""
    return _RECORD.validate_json(line)
