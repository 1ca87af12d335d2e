"""One error hierarchy for the whole pipeline.

Library code raises these; only the CLI maps them to exit codes and one-line
messages. Bad input is never retried: it becomes a quarantine entry.
"""

from __future__ import annotations

from pilot_intake.models import QuarantineReason


class PilotIntakeError(Exception):
    """Base of every error the pipeline raises on purpose."""

    exit_code = 1


class UsageError(PilotIntakeError):
    """The user asked for something that cannot be done (bad path, bad option)."""

    exit_code = 2


class MissingDependencyError(PilotIntakeError):
    """A system program or data file is missing; the message says how to install it."""

    exit_code = 3

    def __init__(self, what: str, advice: str):
        super().__init__(f"{what} — {advice}")
        self.what = what
        self.advice = advice


class BadInputError(PilotIntakeError):
    """An input file cannot be processed; it goes to quarantine with `reason`."""

    def __init__(self, reason: QuarantineReason, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class ExtractionError(PilotIntakeError):
    """Text or fields could not be extracted from a file that looked valid."""


class RedactionError(PilotIntakeError):
    """Masking or burning-in failed; nothing of the affected document may go downstream."""


class StoreError(PilotIntakeError):
    """The records store could not be opened or written."""
