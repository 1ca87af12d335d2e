"""Recognizers on text: (text, expected findings as (entity, matched text, already_masked))."""

import pytest

from redaction.checks import is_valid_resident_id, luhn_ok

M, U = True, False  # already masked / unmasked

CASES = [
    # resident ID: MOD 11-2 and birth date
    ("身份证号：11010519491231002X", [("CN_ID_CARD", "11010519491231002X", U)]),
    ("证件号码440106198503151233。", [("CN_ID_CARD", "440106198503151233", U)]),
    ("公民身份号码 450122198001011232", [("CN_ID_CARD", "450122198001011232", U)]),  # stdnum rejects its region
    ("身份证号：110105194912310030", []),  # bad check digit
    ("身份证号：110105194913310037", []),  # month 13
    ("身份证号：110105********002X", [("CN_ID_CARD", "110105********002X", M)]),
    ("身份证号：110105xxxxxxxx002X", [("CN_ID_CARD", "110105xxxxxxxx002X", M)]),
    # mobile
    ("联系电话：13812345678", [("CN_MOBILE", "13812345678", U)]),
    ("手机+86 138 1234 5678。", [("CN_MOBILE", "+86 138 1234 5678", U)]),
    ("手机：138-1234-5678", [("CN_MOBILE", "138-1234-5678", U)]),
    ("电话１３８１２３４５６７８", [("CN_MOBILE", "１３８１２３４５６７８", U)]),
    ("电 话 ： 1 3 8 1 2 3 4 5 6 7 8", [("CN_MOBILE", "1 3 8 1 2 3 4 5 6 7 8", U)]),
    ("电话：138O2345678", [("CN_MOBILE", "138O2345678", U)]),  # OCR O for 0
    ("联系电话：138****5678", [("CN_MOBILE", "138****5678", M)]),
    ("联系电话：139xxxx9836", [("CN_MOBILE", "139xxxx9836", M)]),
    ("订单号：13812345678", []),
    ("电话13812345678和13912345678", [("CN_MOBILE", "13812345678", U), ("CN_MOBILE", "13912345678", U)]),
    # landline
    ("办公电话：020-87654321", [("CN_PHONE", "020-87654321", U)]),
    ("座机（0755）26543210", [("CN_PHONE", "（0755）26543210", U)]),
    ("传真 02087654321", [("CN_PHONE", "02087654321", U)]),
    ("电话：020-****4321", [("CN_PHONE", "020-****4321", M)]),
    # e-mail
    ("邮箱：zhangwei@example.com", [("EMAIL_ADDRESS", "zhangwei@example.com", U)]),
    ("电子邮箱zhang.wei_01@mail.example.com.cn联系", [("EMAIL_ADDRESS", "zhang.wei_01@mail.example.com.cn", U)]),
    ("邮箱：zh***@example.com", [("EMAIL_ADDRESS", "zh***@example.com", M)]),
    ("邮箱 he***Q@example.cn", [("EMAIL_ADDRESS", "he***Q@example.cn", M)]),  # seen: OCR adds a letter
    ("工程技术带头人 率*", [("PERSON", "率*", M)]),  # seen: OCR misread the surname, the star stayed
    # bank card: Luhn, 16-19 digits, and a valid ID is an ID
    ("开户账号：6222021234567890128", [("CN_BANK_CARD", "6222021234567890128", U)]),
    ("银行卡号 6222 0212 3456 7890 128", [("CN_BANK_CARD", "6222 0212 3456 7890 128", U)]),
    ("收款账号4367420123456781", [("CN_BANK_CARD", "4367420123456781", U)]),
    ("卡号6222021234567890127", []),  # Luhn fails
    ("账号440106198503151233", [("CN_ID_CARD", "440106198503151233", U)]),
    ("卡号 6222 **** **** 0128", [("CN_BANK_CARD", "6222 **** **** 0128", M)]),
    # passport: only near 护照
    ("护照号码：E12345678", [("CN_PASSPORT", "E12345678", U)]),
    ("型号E12345678", []),
    ("护照：E1*****78", [("CN_PASSPORT", "E1*****78", M)]),
    # names after labels
    ("联系人：张伟", [("PERSON", "张伟", U)]),
    ("联系人：张伟联系电话：138****5678", [("PERSON", "张伟", U), ("CN_MOBILE", "138****5678", M)]),
    ("法定代表人（负责人）：欧阳娜娜\n", [("PERSON", "欧阳娜娜", U)]),
    ("技术负责人 王建国 职称 高级工程师", [("PERSON", "王建国", U)]),
    ("联 系 人 ： 李 四", [("PERSON", "李 四", U)]),
    ("联系人：张*", [("PERSON", "张*", M)]),
    ("负责人员应当签字", []),
    # markings: the star forms and a 密级 field; not 商业秘密/技术秘密/内部控制
    ("秘密★5年", [("CLASSIFIED_MARKING", "秘密★5年", U)]),
    ("机密★", [("CLASSIFIED_MARKING", "机密★", U)]),
    ("绝密★长期", [("CLASSIFIED_MARKING", "绝密★长期", U)]),
    ("密级：机密", [("CLASSIFIED_MARKING", "机密", U)]),
    ("保护商业秘密和技术秘密，健全内部控制与保密制度", []),
    # tesseract reads the star as a look-alike character; the period keeps it a marking
    ("秘密女5年", [("CLASSIFIED_MARKING", "秘密女5年", U)]),
    ("机密大长期", [("CLASSIFIED_MARKING", "机密大长期", U)]),
    ("保守商业秘密10年", []),
    ("严格保守秘密，期限5年", []),
    ("密级：公开", []),
    # never personal: uscc, organisation names, amounts, dates, counts
    ("统一社会信用代码：91440101MA5C12345X", []),
    ("依托单位：广州张伟精密机械有限公司", []),
    ("中试设备原值1,250.5万元，专职人员12人，填报日期2026年12月28日", []),
    ("订单编号 2026122800012345678", []),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_find_text(redactor, text, expected):
    found = [(f.entity, text[f.start:f.end], f.already_masked) for f in redactor.find_text(text)]
    assert found == expected


MASKS = [
    ("CN_MOBILE", "13812345678", "138****5678"),
    ("CN_MOBILE", "+86 138 1234 5678", "138****5678"),
    ("CN_PHONE", "020-87654321", "020-****4321"),
    ("CN_ID_CARD", "11010519491231002X", "110105********002X"),
    ("EMAIL_ADDRESS", "zhangwei@example.com", "zh***@example.com"),
    ("CN_BANK_CARD", "6222021234567890123", "6222 **** **** 0123"),
    ("CN_PASSPORT", "E12345678", "E1*****78"),
    ("PERSON", "张伟", "张*"),
    ("PERSON", "欧阳娜娜", "欧***"),
    ("CN_MOBILE", "139xxxx9836", "139****9836"),  # already masked: kept, OCR x written as *
]


@pytest.mark.parametrize("entity,raw,masked", MASKS)
def test_mask_value(redactor, entity, raw, masked):
    assert redactor.mask_value(entity, raw) == masked


@pytest.mark.parametrize("number,valid", [
    ("11010519491231002X", True), ("110105194912310030", False), ("110105205012310034", False),
    ("450122198001011232", True), ("11010519490230002X", False),
])
def test_resident_id_check(number, valid):
    assert is_valid_resident_id(number) is valid


@pytest.mark.parametrize("number,valid", [("6222021234567890128", True), ("6222021234567890127", False)])
def test_luhn(number, valid):
    assert luhn_ok(number) is valid
