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


def test_seal_is_not_accused_on_a_misread_host_name(tmp_path):
    """A scan-only filing whose host unit OCR could not read: a mismatch becomes 'unclear'."""
    from PIL import Image

    from pilot_intake.models import Page, Word
    from pilot_intake.pipeline import find_seal
    from pilot_intake.settings import Settings
    from samples.sealdraw import composite_seal, draw_seal

    page = Image.new("RGB", (2480, 3508), "white")
    page = composite_seal(page, draw_seal("汕头市铺宇半导体有限公司", diameter_px=496), (1600, 1500))
    path = tmp_path / "p1.png"
    page.save(path)
    words = [Word(text=ch, bbox=(300 + 60 * i, 1450, 350 + 60 * i, 1510), conf=0.9) for i, ch in enumerate("依托单位（盖章）：")]
    src = SourceFile(path="s.png", abs_path=path, sha256="1" * 64, size=1, file_type=FileType.PNG)

    def doc_with(host_conf: float) -> ExtractedDoc:
        # OCR's reading of the host unit: another organisation's name altogether.
        host = FieldValue(key="host_unit", raw="广州市沛钧新材料科技有限公司", value="广州市沛钧新材料科技有限公司",
                          confidence=host_conf)
        return ExtractedDoc(source=src, kind=DocKind.INFO_SHEET, medium=Medium.SCAN,
                            pages=[Page(number=1, width=2480, height=3508, dpi=300, image_path=path, words=words)],
                            fields={"host_unit": host}, signer=host.value)  # the block read the same way

    settings = Settings(workers=1)
    unsure, sure = doc_with(0.0), doc_with(0.99)
    find_seal(unsure, settings)
    find_seal(sure, settings)
    # Read confidently, the host name contradicts the seal: a mismatch.
    assert sure.seals and sure.seals[0].matches_signer is False
    # Read with no confidence, the same contradiction is only "unclear".
    assert unsure.seals and unsure.seals[0].matches_signer is None


# --- corroboration of unsure scan readings (rules/corroboration.py) in a whole filing ------

U1 = "91440101MA59ABCD1D"  # valid check digit
NAME, HOST = "睿铂先进陶瓷材料中试验证平台", "广州市睿铂新材料科技有限公司"


def _scan_only_group(**values):
    """A scan-only filing whose every value OCR read at 0.75 (two engines disagreed)."""
    from types import SimpleNamespace

    from pilot_intake.grouping import FilingGroup
    from pilot_intake.models import EquipmentRow, Role
    from pilot_intake.settings import Settings

    base = {"platform_name": NAME, "host_unit": HOST, "uscc": U1, "city": "广州市", "equipment_value_wan": 1250.5,
            "fulltime_staff": 12, "served_enterprises": 8}
    base.update(values)
    src = SourceFile(path="01/scan.pdf", abs_path=Path("/nonexistent/scan.pdf"), sha256="2" * 64, size=1,
                     file_type=FileType.PDF)
    doc = ExtractedDoc(source=src, kind=DocKind.INFO_SHEET, medium=Medium.SCAN,
                       fields={k: FieldValue(key=k, raw=str(v), value=v, confidence=0.75) for k, v in base.items()},
                       equipment=[EquipmentRow(name="中试线", value_wan=1000.0, confidence=0.75),
                                  EquipmentRow(name="检测仪", value_wan=250.5, confidence=0.75)])
    services = SimpleNamespace(settings=Settings(workers=1), redactor=Redactor())
    return FilingGroup(key="k", docs=[(doc, Role.SCAN)]), services


def _assemble(group, services, rows):
    from pilot_intake.assemble import BatchRules, assemble_filing
    from pilot_intake.models import SummaryRow

    rules = BatchRules(summary_rows=[SummaryRow(**r) for r in rows])
    return assemble_filing(group, services, rules, {}).record


def _low(record) -> set[str]:
    return {f["field"] for f in record["flags"] if f["code"] == "LOW_CONFIDENCE"}


def test_corroborated_scan_values_lose_low_confidence_and_count_for_the_rules():
    group, services = _scan_only_group()
    rec = _assemble(group, services, [{"platform_name": NAME, "host_unit": HOST, "uscc": U1, "city": "广州市"}])
    # Summary row (name, host, city), check digit (uscc), rows' sum (equipment): confirmed.
    # Nothing in the filing confirms the counts: they stay for a person to check.
    assert _low(rec) == {"fulltime_staff", "served_enterprises"}
    assert rec["eligibility"]["equipment_value"] == "pass"
    assert rec["eligibility"]["fulltime_staff"] == "unknown"
    assert rec["field_confidence"]["equipment_value_wan"] == 0.75  # the reading's own confidence is kept


def test_a_wrong_scan_value_is_never_confirmed():
    # OCR dropped a digit of the equipment value (125.5 for 1250.5) and misread the city:
    # the rows and the summary row disagree, so both keep LOW_CONFIDENCE and the
    # equipment rule does not fail on the wrong number (unknown, not INELIGIBLE).
    group, services = _scan_only_group(equipment_value_wan=125.5, city="广卅市")
    rec = _assemble(group, services, [{"platform_name": NAME, "host_unit": HOST, "uscc": U1, "city": "广州市"}])
    assert {"equipment_value_wan", "city"} <= _low(rec)
    assert rec["eligibility"]["equipment_value"] == "unknown"
    assert not any(f["code"] == "INELIGIBLE" for f in rec["flags"])


def test_without_a_summary_row_only_self_contained_evidence_counts():
    group, services = _scan_only_group()
    rec = _assemble(group, services, [])
    assert {"platform_name", "host_unit", "city"} <= _low(rec)
    assert "uscc" not in _low(rec) and "equipment_value_wan" not in _low(rec)
