"""Presidio pattern recognizers for Chinese personal data and classification markings.

Conventions: no `\\b` (it does not separate digits from Chinese characters, which
are word characters too) — numbers are delimited with digit look-arounds instead.
Every recognizer may carry `context` (words that raise its score when they stand
shortly before a match) and `negative_context` (words that drop the match), read
by `RawPrefixContextEnhancer` from the raw characters before the match.
Recognizers whose `masked` is true find values that are already masked.
"""

from __future__ import annotations

import regex
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult

from redaction.checks import is_valid_resident_id, is_valid_uscc, luhn_ok, digits_only
from redaction.masking import (
    CLASSIFIED_MARKING,
    CN_BANK_CARD,
    CN_ID_CARD,
    CN_MOBILE,
    CN_PASSPORT,
    CN_PHONE,
    EMAIL_ADDRESS,
    PERSON,
    STAR,
)

LANG = "zh"

# Numbers that are not personal data even when they look like one.
_NOT_PERSONAL = [
    "订单号", "订单编号", "单号", "编号", "合同号", "流水号", "序列号", "批号", "批次号",
    "发票号", "项目编号", "登记号", "证书号", "专利号", "信用代码", "税号", "纳税人识别号",
    "型号", "规格", "注册号", "备案号",
]
_PHONE_CONTEXT = ["电话", "手机", "联系方式", "联系电话", "移动电话", "Tel", "Mobile", "Phone", "座机", "传真", "Fax"]
_ID_CONTEXT = ["身份证", "证件号", "公民身份号码", "身份号码", "ID"]
_BANK_CONTEXT = ["卡号", "账号", "帐号", "银行", "开户", "账户", "帐户", "银行卡"]
_PASSPORT_CONTEXT = ["护照", "Passport"]

# Labels after which a natural person's name follows.
PERSON_LABELS = [
    "法定代表人", "法人代表", "工程技术带头人", "技术带头人", "技术负责人", "项目负责人",
    "主要负责人", "负责人", "联系人", "联络人", "经办人", "填表人", "填报人", "申报人",
    "审核人", "签字人", "姓名",
]
# Top Chinese surnames (covers well over 95 % of the population).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘"
    "祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟"
    "艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞"
    "姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕"
    "楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣"
    "晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉"
    "银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
COMPOUND_SURNAMES = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
    "司徒", "夏侯", "轩辕", "令狐", "端木", "西门", "南宫", "独孤", "呼延", "万俟", "澹台",
    "公冶", "申屠", "太史", "闻人", "拓跋", "百里", "东郭", "钟离",
]
# What may directly follow a name in running text (the next label, a title).
_NAME_END = (
    r"(?=$|[^\u4e00-\u9fff]|联系|电话|手机|职务|职称|邮箱|电子|身份|性别|先生|女士|同志|签字|签名"
    r"|日期|座机|办公|传真|地址|单位|部门|工程|技术|法定|负责|总经理|经理|主任|院长|所长|教授|博士"
    r"|工程师|董事|处长|科长|部长|厂长|书记|校长|年龄|出生|民族|学历|护照|银行|开户|账号|证件|盖章|审核)"
)
_LABEL = r"(?:" + "|".join(PERSON_LABELS) + r")(?:[（(][^）)\n]{0,10}[）)])?\s*[:：]?\s*"
_SURNAME = r"(?:" + "|".join(COMPOUND_SURNAMES) + r"|[" + SURNAMES + r"])"
_GIVEN = r"[\u4e00-\u9fff]{1,2}?"
_MARK_STAR = r"[★☆*＊✱✩⭐]"
_LEVEL = r"(?:绝密|机密|秘密)"


class ChineseRecognizer(PatternRecognizer):
    """A pattern recognizer for zh with prefix context, negative context and a masked flag.

    A pattern may name a group `v`: the finding is then that group only, so a
    pattern can match its label forwards (`联系人：(?P<v>张伟)`), which is much
    faster than a variable-length look-behind tried at every character.
    """

    negative_context: list[str] = []
    masked: bool = False

    def __init__(self, entity: str, name: str, patterns: list[Pattern], context: list[str] | None = None,
                 negative_context: list[str] | None = None, masked: bool = False):
        super().__init__(supported_entity=entity, name=name, supported_language=LANG,
                         patterns=patterns, context=context)
        self.negative_context = negative_context or []
        self.masked = masked
        # Case matters (E/G passports, X check digits are spelled out); presidio's default ignores it.
        self._compiled = [(p, regex.compile(p.regex, regex.DOTALL | regex.MULTILINE)) for p in patterns]

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None, regex_flags=None) -> list[RecognizerResult]:
        results = []
        for pattern, compiled in self._compiled:
            for m in compiled.finditer(text):
                start, end = m.span("v") if "v" in compiled.groupindex else m.span()
                if start == end:
                    continue
                value = text[start:end]
                score = pattern.score
                validation = self.validate_result(value)
                if validation is not None:
                    score = self.MAX_SCORE if validation else self.MIN_SCORE
                if self.invalidate_result(value):
                    score = self.MIN_SCORE
                if score <= self.MIN_SCORE:
                    continue
                explanation = self.build_regex_explanation(self.name, pattern.name, pattern.regex, pattern.score,
                                                           validation, regex.DOTALL | regex.MULTILINE)
                results.append(RecognizerResult(
                    entity_type=self.supported_entities[0], start=start, end=end, score=score,
                    analysis_explanation=explanation,
                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                          RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}))
        return EntityRecognizer.remove_duplicates(results)


class ResidentIdRecognizer(ChineseRecognizer):
    def __init__(self) -> None:
        super().__init__(CN_ID_CARD, "cn_id_card", [Pattern(
            "id18", r"(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])",
            0.5)], _ID_CONTEXT, _NOT_PERSONAL)

    def validate_result(self, pattern_text: str) -> bool | None:
        return is_valid_resident_id(pattern_text)


class MobileRecognizer(ChineseRecognizer):
    def __init__(self) -> None:
        super().__init__(CN_MOBILE, "cn_mobile", [
            Pattern("mobile", r"(?<!\d)(?:(?:\+|00)?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d{4}){2}(?!\d)", 0.65),
        ], _PHONE_CONTEXT, _NOT_PERSONAL)

    def invalidate_result(self, pattern_text: str) -> bool | None:
        d = digits_only(pattern_text)[-8:]
        return len(set(d)) == 1  # 13800000000-style placeholders


class LandlineRecognizer(ChineseRecognizer):
    def __init__(self) -> None:
        super().__init__(CN_PHONE, "cn_phone", [
            # Area code set apart by a hyphen or brackets: a phone number by its shape.
            Pattern("landline_sep", r"(?<![\d\-])(?:[(（]0\d{2,3}[)）]\s*|0\d{2,3}\s*[\-－—]\s*)[2-9]\d{2,3}[\s\-]?\d{4}(?:-\d{1,5})?(?!\d)", 0.6),
            # Digits only: needs a context word.
            Pattern("landline_bare", r"(?<!\d)0\d{2,3}[2-9]\d{6,7}(?!\d)", 0.2),
        ], _PHONE_CONTEXT, _NOT_PERSONAL)


class EmailRecognizer(ChineseRecognizer):
    """Own pattern: presidio's e-mail recognizer calls tldextract, which goes to the network."""

    def __init__(self) -> None:
        super().__init__(EMAIL_ADDRESS, "cn_email", [Pattern(
            "email", r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,10}(?![A-Za-z0-9])",
            0.9)], ["邮箱", "电子邮件", "Email", "E-mail"])

    def invalidate_result(self, pattern_text: str) -> bool | None:
        return "*" in pattern_text


class BankCardRecognizer(ChineseRecognizer):
    def __init__(self) -> None:
        super().__init__(CN_BANK_CARD, "cn_bank_card", [
            Pattern("card_plain", r"(?<!\d)\d{16,19}(?!\d)", 0.4),
            Pattern("card_grouped", r"(?<![\d\-])\d{4}(?:[\s\-]\d{4}){3}(?:[\s\-]?\d{1,3})?(?![\d\-])", 0.45),
        ], _BANK_CONTEXT, _NOT_PERSONAL)

    def validate_result(self, pattern_text: str) -> bool | None:
        d = digits_only(pattern_text)
        if not 16 <= len(d) <= 19 or not luhn_ok(d):
            return False
        if len(d) == 18 and is_valid_resident_id(d):
            return False  # an 18-digit string that is a valid ID is an ID
        if len(d) == 18 and d[0] in "159" and is_valid_uscc(d):
            return False  # an all-digit uscc (registration authority 1/5/9); cards start with 3-6
        # UnionPay (62) cards are certain by prefix and check digit; others need a context word.
        return True if d.startswith("62") else None


class PassportRecognizer(ChineseRecognizer):
    def __init__(self) -> None:
        super().__init__(CN_PASSPORT, "cn_passport", [Pattern(
            "passport", r"(?<![A-Za-z0-9])(?:E[A-Z]?\d{7,8}|[GDSP]\d{7,8})(?![A-Za-z0-9])", 0.15,
        )], _PASSPORT_CONTEXT)


class LabelledNameRecognizer(ChineseRecognizer):
    def __init__(self) -> None:
        super().__init__(PERSON, "cn_person_labelled", [
            Pattern("name_after_label", rf"{_LABEL}(?P<v>{_SURNAME}{_GIVEN}){_NAME_END}", 0.85),
            Pattern("minority_name_after_label", rf"{_LABEL}(?P<v>[\u4e00-\u9fff]{{2,6}}[·•][\u4e00-\u9fff]{{2,8}})", 0.85),
        ])


class ClassificationMarkingRecognizer(ChineseRecognizer):
    def __init__(self) -> None:
        super().__init__(CLASSIFIED_MARKING, "cn_classification_marking", [
            # 秘密★5年, 机密★, 绝密★长期; 商业秘密/技术秘密 never carry the star.
            Pattern("level_star", rf"(?<!商业|技术|工作|军事|核心){_LEVEL}\s*{_MARK_STAR}\s*(?:长期|\d{{1,2}}\s*年)?", 0.95),
            # OCR reads the star as a look-alike character (seen: 秘密★5年 → 秘密女5年); the
            # secrecy period right after it still makes it a marking.
            Pattern("level_ocr_star", rf"(?<!商业|技术|工作|军事|核心){_LEVEL}\s*[^\s\d]?\s*(?:长期|\d{{1,2}}\s*年)", 0.85),
            # A 密级 field holding a state-secret level.
            Pattern("level_field", rf"密\s*级\s*[:：]?\s*(?P<v>{_LEVEL}(?:\s*{_MARK_STAR}\s*(?:长期|\d{{1,2}}\s*年)?)?)", 0.95),
        ])


def _masked(entity: str, name: str, regex: str, score: float = 0.9) -> ChineseRecognizer:
    return ChineseRecognizer(entity, name, [Pattern(name, regex, score)], masked=True)


def masked_recognizers() -> list[ChineseRecognizer]:
    """Values already masked (stars, or OCR's x/× for them): recognised, not flagged."""
    s = STAR
    return [
        _masked(CN_MOBILE, "masked_mobile", rf"(?<!\d)(?:\+?86[\s\-]?)?1\d{{2}}[\s\-]?{s}{{2,8}}[\s\-]?\d{{2,4}}(?!\d)"),
        _masked(CN_PHONE, "masked_phone", rf"(?<!\d)(?:[(（]0\d{{2,3}}[)）]|0\d{{2,3}}-){s}{{2,8}}\d{{2,4}}(?!\d)"),
        _masked(CN_ID_CARD, "masked_id", rf"(?<!\d)[1-9]\d{{3,5}}{s}{{6,14}}\d{{2,3}}[\dXx](?![\dA-Za-z])"),
        _masked(EMAIL_ADDRESS, "masked_email", r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{0,4}(?:[*＊×]+|[xX]{3,})[A-Za-z0-9]?@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,10}", 0.95),
        _masked(CN_BANK_CARD, "masked_card", rf"(?<!\d)\d{{4}}(?:\s*{s}{{2,}})+\s*\d{{3,4}}(?!\d)"),
        _masked(CN_PASSPORT, "masked_passport", rf"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]{s}{{3,8}}\d{{1,2}}(?![A-Za-z0-9])"),
        _masked(PERSON, "masked_name", rf"{_LABEL}(?P<v>[\u4e00-\u9fff][*＊×]{{1,4}}|{_SURNAME}[xX]{{1,3}}(?![A-Za-z]))"),
    ]


def all_recognizers() -> list[ChineseRecognizer]:
    return [
        ResidentIdRecognizer(), MobileRecognizer(), LandlineRecognizer(), EmailRecognizer(),
        BankCardRecognizer(), PassportRecognizer(), LabelledNameRecognizer(),
        ClassificationMarkingRecognizer(), *masked_recognizers(),
    ]
