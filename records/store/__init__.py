"""The records store (SQLAlchemy 2 + Alembic): batches, filings, versions, flags, audit events."""

from records.store.history import PlatformHistory, VersionView, history, render_history
from records.store.store import (
    SaveResult,
    Store,
    batch_key,
    default_url,
    field_diff,
    open_store,
    platform_key,
)

__all__ = [
    "PlatformHistory",
    "SaveResult",
    "Store",
    "VersionView",
    "batch_key",
    "default_url",
    "field_diff",
    "history",
    "open_store",
    "platform_key",
    "render_history",
]
