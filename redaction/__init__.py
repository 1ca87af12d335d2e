"""Desensitization (脱敏脱密): find, mask and burn out personal data; catch classification markings.

The pipeline builds one `Redactor` per process and passes it where it is needed.
"""

from redaction.burn import burn_redactions
from redaction.leakcheck import Leak, leakcheck, load_values, truth_values
from redaction.redactor import PageFinding, Redactor, TextFinding, boxes_by_page, flags_for, mask_text

__all__ = [
    "Leak", "PageFinding", "Redactor", "TextFinding", "boxes_by_page", "burn_redactions", "flags_for",
    "leakcheck", "load_values", "mask_text", "truth_values",
]
