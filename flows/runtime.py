"""Prefect's process-wide configuration, applied before prefect is first imported.

Prefect reads its settings from the environment at import time, so this module
must not import prefect itself. We only set defaults: a user who points
PREFECT_API_URL at their own server keeps it.
"""

from __future__ import annotations

import os
from pathlib import Path


def prefect_home() -> Path:
    """Prefect's state (its SQLite database) lives in our cache, not in ~/.prefect."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pilot-intake" / "prefect"


def configure_prefect_env(environ: dict[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    home = prefect_home()
    home.mkdir(parents=True, exist_ok=True)
    defaults = {
        "PREFECT_HOME": str(home),
        # No telemetry, no analytics, no network: batches hold filings of real organisations.
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
        "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
        "PREFECT_UI_ENABLED": "false",
        # Our own progress bar, summary and one-line errors are the output; the CLI lowers
        # this with --traceback.
        "PREFECT_LOGGING_LEVEL": "CRITICAL",
        "PREFECT_LOGGING_LOG_PRINTS": "false",
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
        # Prefect's temporary server needs well over its default 20 s on a loaded machine
        # (seen: > 60 s at load 12 on 2 cores); waiting longer only matters where it would fail.
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    }
    for key, value in defaults.items():
        env.setdefault(key, value)
