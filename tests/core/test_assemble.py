"""Record assembly: messages never quote raw personal data; OCR doubt is not a malformed value."""

from __future__ import annotations

from pathlib import Path

import pytest

from pilot_intake.assemble import _scrub_messages
from pilot_intake.models import DocKind, ExtractedDoc, FieldValue, FileType, Flag, FlagCode, Medium, SourceFile
from redaction import Redactor


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


def _doc(**raw: str) -> ExtractedDoc:
    src = SourceFile(path="a.pdf", abs_path=Path("/nonexistent/a.pdf"), sha256="0" * 64, size=1,
                     file_type=FileType.PDF)
    fields = {k: FieldValue(key=k, raw=v, value=None) for k, v in raw.items()}
    return ExtractedDoc(source=src, kind=DocKind.INFO_SHEET, medium=Medium.SCAN, fields=fields)


def test_messages_are_scrubbed_of_personal_values(redactor):
    doc = _doc(contact_name="张伟x", contact_phone="1381234567８", legal_rep="李*")
    flags = [
        Flag(code=FlagCode.INVALID_VALUE, field="contact_name", message="value of contact_name cannot be read: '张伟x'"),
        Flag(code=FlagCode.INVALID_VALUE, field="contact_phone", message="无法识别：1381234567８"),
        Flag(code=FlagCode.DATA_SCAN_MISMATCH, field="address", message="地址不同：联系电话13912345678"),
        Flag(code=FlagCode.MISSING_FIELD, field="city", message="缺少“所在地市”"),
    ]
    out = _scrub_messages(flags, [doc], redactor)
    text = " ".join(f.message for f in out)
    assert "张伟x" not in text and "1381234567８" not in text and "13912345678" not in text
    assert "139****5678" in text  # found by the analyzer, masked by the convention
    assert out[3] is flags[3]  # nothing to mask: unchanged
