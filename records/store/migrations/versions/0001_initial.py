"""Batches, filings, versions, flags, batch entries, audit events.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_key", sa.String(64), nullable=False),
        sa.Column("records_sha", sa.String(64), nullable=False),
        sa.Column("province", sa.String(40)),
        sa.Column("round", sa.String(16)),
        sa.Column("label", sa.String(400)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_batches"),
        sa.UniqueConstraint("batch_key", name="uq_batches_batch_key"),
    )
    op.create_table(
        "filings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform_key", sa.String(400), nullable=False),
        sa.Column("platform_name", sa.String(400)),
        sa.Column("uscc", sa.String(18)),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_filings"),
        sa.UniqueConstraint("platform_key", name="uq_filings_platform_key"),
    )
    op.create_index("ix_filings_uscc", "filings", ["uscc"])
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("filing_id", sa.Integer, nullable=False),
        sa.Column("version_no", sa.Integer, nullable=False),
        sa.Column("batch_id", sa.Integer, nullable=False),
        sa.Column("round", sa.String(16)),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("record_json", sa.Text, nullable=False),
        sa.Column("record_sha", sa.String(64), nullable=False),
        sa.Column("diff_json", sa.Text),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_versions"),
        sa.ForeignKeyConstraint(["filing_id"], ["filings.id"], name="fk_versions_filing_id_filings"),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name="fk_versions_batch_id_batches"),
        sa.UniqueConstraint("filing_id", "version_no", name="uq_versions_filing_id_version_no"),
    )
    op.create_index("ix_versions_batch_id", "versions", ["batch_id"])
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("field", sa.String(80)),
        sa.Column("message", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_flags"),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], name="fk_flags_version_id_versions"),
    )
    op.create_index("ix_flags_code", "flags", ["code"])
    op.create_index("ix_flags_version_id", "flags", ["version_id"])
    op.create_table(
        "batch_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("version_id", sa.Integer),
        sa.Column("record_json", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_batch_entries"),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name="fk_batch_entries_batch_id_batches"),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], name="fk_batch_entries_version_id_versions"),
        sa.UniqueConstraint("batch_id", "position", name="uq_batch_entries_batch_id_position"),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("batch_id", sa.Integer),
        sa.Column("filing_id", sa.Integer),
        sa.Column("version_id", sa.Integer),
        sa.Column("detail_json", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name="fk_audit_events_batch_id_batches"),
        sa.ForeignKeyConstraint(["filing_id"], ["filings.id"], name="fk_audit_events_filing_id_filings"),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], name="fk_audit_events_version_id_versions"),
    )


def downgrade() -> None:
    for table in ("audit_events", "batch_entries", "flags", "versions", "filings", "batches"):
        op.drop_table(table)
