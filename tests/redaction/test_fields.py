"""mask_fields: (fields, reference, expected masked fields, expected findings (entity, field, masked, already_masked))."""

import pytest

from redaction.redactor import flags_for, mask_text

CASES = [
    (  # a data file that arrived unmasked
        {"contact_name": "张伟", "legal_rep": "欧阳娜娜", "contact_phone": "13812345678",
         "contact_email": "zhangwei@example.com", "tech_leader": "王建国"},
        None,
        {"contact_name": "张*", "legal_rep": "欧***", "contact_phone": "138****5678",
         "contact_email": "zh***@example.com", "tech_leader": "王**"},
        [("PERSON", "contact_name", "张*", False), ("PERSON", "legal_rep", "欧***", False),
         ("CN_MOBILE", "contact_phone", "138****5678", False),
         ("EMAIL_ADDRESS", "contact_email", "zh***@example.com", False), ("PERSON", "tech_leader", "王**", False)],
    ),
    (  # already masked: kept as it is, not unmasked
        {"contact_name": "张*", "contact_phone": "138****5678", "contact_email": "zh***@example.com"},
        None,
        {"contact_name": "张*", "contact_phone": "138****5678", "contact_email": "zh***@example.com"},
        [("PERSON", "contact_name", "张*", True), ("CN_MOBILE", "contact_phone", "138****5678", True),
         ("EMAIL_ADDRESS", "contact_email", "zh***@example.com", True)],
    ),
    (  # read from a scan: OCR turned the stars into x and 六; the data file says they were masked
        {"contact_phone": "139xxxx9836", "tech_leader": "秦六"},
        {"contact_phone": "139****9836", "tech_leader": "秦**"},
        {"contact_phone": "139****9836", "tech_leader": "秦**"},
        [("CN_MOBILE", "contact_phone", "139****9836", True), ("PERSON", "tech_leader", "秦**", True)],
    ),
    (  # the same name without a data file to check against is called unmasked
        {"tech_leader": "秦六"}, None, {"tech_leader": "秦*"}, [("PERSON", "tech_leader", "秦*", False)],
    ),
    (  # landline in the phone field; personal data inside another text field
        {"contact_phone": "020-87654321", "address": "广州市天河区XX路1号 联系人李四 13812345678"},
        None,
        {"contact_phone": "020-****4321", "address": "广州市天河区XX路1号 联系人李* 138****5678"},
        [("CN_PHONE", "contact_phone", "020-****4321", False), ("PERSON", "address", "李*", False),
         ("CN_MOBILE", "address", "138****5678", False)],
    ),
    (  # organisation data and figures stay as they are
        {"platform_name": "张伟精密中试平台", "host_unit": "广州张伟精密机械有限公司", "uscc": "91440101MA5C12345X",
         "equipment_value_wan": 1250.5, "fulltime_staff": 12, "fill_date": "2026-12-28", "violations_3y": False},
        None,
        {"platform_name": "张伟精密中试平台", "host_unit": "广州张伟精密机械有限公司", "uscc": "91440101MA5C12345X",
         "equipment_value_wan": 1250.5, "fulltime_staff": 12, "fill_date": "2026-12-28", "violations_3y": False},
        [],
    ),
    (  # a garbled phone no pattern recognises is still masked whole
        {"contact_phone": "1381234567"}, None, {"contact_phone": "1*********"},
        [("CN_MOBILE", "contact_phone", "1*********", False)],
    ),
]


@pytest.mark.parametrize("fields,reference,masked,findings", CASES)
def test_mask_fields(redactor, fields, reference, masked, findings):
    out, found = redactor.mask_fields(fields, reference=reference)
    assert out == masked
    assert [(f.entity, f.field, f.masked, f.already_masked) for f in found] == findings


def test_findings_carry_page_and_never_the_raw_value(redactor):
    fields = {"contact_name": "张伟", "contact_phone": "13812345678"}
    _, found = redactor.mask_fields(fields, page_of={"contact_name": 1, "contact_phone": 2})
    assert [(f.field, f.page) for f in found] == [("contact_name", 1), ("contact_phone", 2)]
    dumped = " ".join(f.model_dump_json() for f in found)
    assert "张伟" not in dumped and "13812345678" not in dumped


FLAG_CASES = [
    ({"contact_phone": "13812345678"}, ["UNREDACTED_PERSONAL_DATA"]),
    ({"contact_phone": "138****5678"}, []),
    ({"remarks": "本表密级：秘密★5年"}, ["CLASSIFIED_MARKING"]),
    ({"remarks": "已建立保密制度，保护商业秘密"}, []),
]


@pytest.mark.parametrize("fields,codes", FLAG_CASES)
def test_flags(redactor, fields, codes):
    _, found = redactor.mask_fields(fields)
    assert [f.code.value for f in flags_for(found)] == codes


TEXT_CASES = [
    ("联系人张伟（电话13812345678）未脱敏", "联系人张*（电话138****5678）未脱敏"),
    ("密级：机密，联系人：张*", "密级：机密，联系人：张*"),
]


@pytest.mark.parametrize("text,masked", TEXT_CASES)
def test_mask_text(redactor, text, masked):
    assert mask_text(text, redactor.find_text(text)) == masked
