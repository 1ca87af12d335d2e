"""The store's tables (SQLAlchemy 2). Changes go through a new Alembic migration.

Records are kept as JSON text exactly as written to records.jsonl (not a JSON column):
PostgreSQL's jsonb would reorder keys, and the export must be the same on every backend.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints so migrations can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Batch(Base):
    """One province's upload for one round, identified by its files (paths and hashes)."""

    __tablename__ = "batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_key: Mapped[str] = mapped_column(String(64), unique=True)
    records_sha: Mapped[str] = mapped_column(String(64))  # of the batch's records as last saved
    province: Mapped[str | None] = mapped_column(String(40))
    round: Mapped[str | None] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class Filing(Base):
    """A platform's filing across rounds; each round's record is a Version."""

    __tablename__ = "filings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_key: Mapped[str] = mapped_column(String(400), unique=True)
    platform_name: Mapped[str | None] = mapped_column(String(400))
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("filing_id", "version_no", name="uq_versions_filing_id_version_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"))
    version_no: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    round: Mapped[str | None] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(64))  # the record's filing_id
    status: Mapped[str] = mapped_column(String(20))
    record_json: Mapped[str] = mapped_column(Text)
    record_sha: Mapped[str] = mapped_column(String(64))
    diff_json: Mapped[str | None] = mapped_column(Text)  # to the previous version; None for the first
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FlagRow(Base):
    """A version's flags, one row each, so reviewers can query by code."""

    __tablename__ = "flags"
    __table_args__ = (Index("ix_flags_code", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(80))
    message: Mapped[str] = mapped_column(Text)


class BatchEntry(Base):
    """The batch's records in order: a filing points at its version, others carry their JSON."""

    __tablename__ = "batch_entries"
    __table_args__ = (UniqueConstraint("batch_id", "position", name="uq_batch_entries_batch_id_position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    record_json: Mapped[str | None] = mapped_column(Text)


class AuditEvent(Base):
    """Who did what when; written in the same transaction as the change it describes."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    filing_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    detail_json: Mapped[str] = mapped_column(Text)
