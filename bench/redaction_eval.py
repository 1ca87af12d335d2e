"""Evaluation of the redaction recognizers on a generated, labelled set of snippets.

    python bench/redaction_eval.py [--seed 7] [--n 420] [--show-errors]

Prints per-entity precision and recall, how often already-masked values were
judged masked, whether any uscc / organisation name / figure was hit, and the
time to analyse a typical information-sheet page after start-up.

The set is generated (deterministic for a seed): clean values, OCR-noised
(O for 0, l for 1, stray spaces), full-width, spaced-out, masked (also with
OCR's x for *), and decoys that must never be masked (uscc, organisation names,
order and contract numbers, amounts, dates, counts, 商业秘密/技术秘密/内部控制).
A prediction counts when its entity matches a labelled span it overlaps.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stdnum.cn import uscc as stdnum_uscc  # noqa: E402

from redaction.checks import id_check_char, luhn_ok  # noqa: E402
from redaction.masking import mask_value  # noqa: E402
from redaction.redactor import Redactor  # noqa: E402

ENTITIES = ["CN_ID_CARD", "CN_MOBILE", "CN_PHONE", "EMAIL_ADDRESS", "CN_BANK_CARD", "CN_PASSPORT", "PERSON",
            "CLASSIFIED_MARKING"]
TARGET_RECALL = {"CN_ID_CARD": 0.99, "CN_MOBILE": 0.99, "EMAIL_ADDRESS": 0.99, "CN_BANK_CARD": 0.99,
                 "CLASSIFIED_MARKING": 0.99, "PERSON": 0.95}
TARGET_PRECISION = 0.95

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
COMPOUND = ["欧阳", "司马", "上官", "诸葛", "东方"]
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英晓东志海燕建华文博思远嘉怡子轩雨桐国庆振宇红梅玉兰"
NAME_LABELS = ["联系人", "法定代表人", "负责人", "技术负责人", "工程技术带头人", "项目负责人", "经办人", "填表人"]
PINYIN = ["zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu"]
DOMAINS = ["example.com", "example.cn", "mail.example.org.cn", "example.net"]
AREA = ["010", "020", "021", "022", "023", "0755", "0571", "0512", "0731", "0991"]
REGIONS = ["110105", "440106", "320583", "510107", "330106", "450122", "610113", "370202", "420111", "530102"]
MOBILE_PREFIX = ["130", "135", "138", "139", "150", "158", "166", "177", "180", "186", "189", "199"]
ORGS = ["广州张伟精密机械有限公司", "深圳市王氏新材料科技有限公司", "浙江李记智能装备股份有限公司",
        "上海陈家渠生物医药研究院", "中国科学院苏州纳米技术与纳米仿生研究所", "华南理工大学", "北京国联中试服务有限公司"]
FILLER = ["", "", "本单位承诺所填信息真实有效。", "详见附件。", "（以下空白）", "中试服务收入 1,250.5万元；",
          "专职人员 12 人，", "填报日期：2026年12月28日。", "服务企业数量 35 家。"]


@dataclass
class Snippet:
    text: str
    gold: list[tuple[str, int, int, bool]] = field(default_factory=list)  # entity, start, end, masked
    decoys: list[tuple[int, int]] = field(default_factory=list)  # spans nothing may touch
    kind: str = "clean"


class Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.gold: list[tuple[str, int, int, bool]] = []
        self.decoys: list[tuple[int, int]] = []

    @property
    def pos(self) -> int:
        return sum(len(p) for p in self.parts)

    def add(self, text: str, entity: str | None = None, masked: bool = False, decoy: bool = False) -> None:
        start = self.pos
        self.parts.append(text)
        if entity:
            self.gold.append((entity, start, self.pos, masked))
        if decoy:
            self.decoys.append((start, self.pos))

    def build(self, kind: str) -> Snippet:
        return Snippet("".join(self.parts), self.gold, self.decoys, kind)


# -- values ------------------------------------------------------------------------------------

def v_name(r: random.Random) -> str:
    sur = r.choice(COMPOUND) if r.random() < 0.1 else r.choice(SURNAMES)
    return sur + "".join(r.choice(GIVEN) for _ in range(r.choice([1, 1, 2])))


def v_id(r: random.Random) -> str:
    y, m, d = r.randint(1950, 2005), r.randint(1, 12), r.randint(1, 28)
    first = f"{r.choice(REGIONS)}{y}{m:02d}{d:02d}{r.randint(0, 999):03d}"
    return first + id_check_char(first)


def v_mobile(r: random.Random) -> str:
    return r.choice(MOBILE_PREFIX) + "".join(r.choice("0123456789") for _ in range(8))


def v_landline(r: random.Random) -> str:
    area = r.choice(AREA)
    n = 8 if len(area) == 3 else r.choice([7, 8])
    return area, r.choice("2345678") + "".join(r.choice("0123456789") for _ in range(n - 1))


def v_email(r: random.Random) -> str:
    local = r.choice(PINYIN) + r.choice(["", ".", "_"]) + r.choice(PINYIN) + (str(r.randint(1, 99)) if r.random() < 0.4 else "")
    return f"{local}@{r.choice(DOMAINS)}"


def v_card(r: random.Random) -> str:
    prefix = r.choice(["622202", "621700", "622848", "621483", "436742", "523100"])
    body = prefix + "".join(r.choice("0123456789") for _ in range(r.choice([16, 17, 18, 19]) - len(prefix) - 1))
    return next(body + c for c in "0123456789" if luhn_ok(body + c))


def v_uscc(r: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = r.choice("159") + r.choice("123") + r.choice(REGIONS) + "".join(r.choice(alphabet) for _ in range(9))
    return body + stdnum_uscc.calc_check_digit(body)


# -- noise -------------------------------------------------------------------------------------

def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def spaced(s: str) -> str:
    return " ".join(s)


def ocr_noise(r: random.Random, s: str) -> str:
    chars = list(s)
    digits = [i for i, c in enumerate(chars) if c in "01"]
    if digits and r.random() < 0.8:
        i = r.choice(digits)
        chars[i] = {"0": r.choice("Oo"), "1": r.choice("lI")}[chars[i]]
    if r.random() < 0.5 and len(chars) > 4:
        chars.insert(r.randint(1, len(chars) - 1), " ")
    return "".join(chars)


def noisy(r: random.Random, kind: str, s: str) -> str:
    if kind == "fullwidth":
        return fullwidth(s)
    if kind == "spaced":
        return spaced(s)
    if kind == "ocr":
        return ocr_noise(r, s)
    return s


def x_stars(s: str) -> str:
    """A masked value as tesseract reads it: x for *."""
    return s.replace("*", "x")


# -- snippets ----------------------------------------------------------------------------------

def personal_snippet(r: random.Random, entity: str, kind: str) -> Snippet:
    b = Builder()
    b.add(r.choice(FILLER))
    masked = kind == "masked"
    if entity == "PERSON":
        raw = v_name(r)
        label = r.choice(NAME_LABELS)
        sep = r.choice(["：", ":", " ", "（签字）：", ""])
        value = mask_value("PERSON", raw) if masked else (spaced(raw) if kind == "spaced" else raw)
        b.add(spaced(label) if kind == "spaced" else label)
        b.add(sep)
        b.add(value, entity, masked)
        b.add(r.choice(["", "，", "\n", " 联系电话：", "（总经理）", " 职务：总工程师"]))
        return b.build(kind)
    label, raw = {
        "CN_ID_CARD": (r.choice(["身份证号：", "公民身份号码 ", "证件号码:", "身份证"]), v_id(r)),
        "CN_MOBILE": (r.choice(["联系电话：", "手机:", "手机号码 ", "电话", "联系方式："]), v_mobile(r)),
        "EMAIL_ADDRESS": (r.choice(["电子邮箱：", "邮箱:", "E-mail: ", "邮箱"]), v_email(r)),
        "CN_BANK_CARD": (r.choice(["开户账号：", "银行卡号:", "卡号 ", "收款账户："]), v_card(r)),
        "CN_PASSPORT": (r.choice(["护照号码：", "护照号:", "护照 "]), "E" + "".join(r.choice("0123456789") for _ in range(8))),
    }.get(entity, (None, None))
    if entity == "CN_PHONE":
        area, local = v_landline(r)
        label, raw = r.choice(["办公电话：", "座机:", "传真 ", "电话："]), r.choice([f"{area}-{local}", f"({area}){local}", f"{area}-{local}"])
    if entity == "CN_MOBILE" and kind == "clean" and r.random() < 0.3:
        raw = r.choice([f"+86 {raw[:3]} {raw[3:7]} {raw[7:]}", f"{raw[:3]}-{raw[3:7]}-{raw[7:]}"])
    if entity == "CN_BANK_CARD" and kind == "clean" and r.random() < 0.3:
        raw = " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))
    if masked:
        value = mask_value(entity, raw)
        value = x_stars(value) if r.random() < 0.3 and entity != "EMAIL_ADDRESS" else value
    else:
        value = noisy(r, kind, raw)
    b.add(spaced(label) if kind == "spaced" else label)
    b.add(value, entity, masked)
    b.add(r.choice(["", "。", "，", "\n", " 联系人：张*", "；"]))
    if b.gold[-1][0] != entity:  # the tail added its own masked name: label it
        pass
    snippet = b.build(kind)
    if snippet.text.endswith("联系人：张*"):
        start = len(snippet.text) - 2
        snippet.gold.append(("PERSON", start, start + 2, True))
    return snippet


def marking_snippet(r: random.Random, kind: str) -> Snippet:
    b = Builder()
    b.add(r.choice(["", "储备中试平台申报信息表\n", "附件1 "]))
    mark = r.choice(["秘密★5年", "机密★", "绝密★长期", "秘密★10年", "机密★3年", "秘密★"])
    if r.random() < 0.3:
        b.add(r.choice(["密级：", "密级:", "密 级 ："]))
        mark = r.choice(["秘密", "机密", "绝密"])
    b.add(spaced(mark) if kind == "spaced" else mark, "CLASSIFIED_MARKING")
    b.add(r.choice(["", "\n", " 第1页"]))
    return b.build(kind)


def decoy_snippet(r: random.Random) -> Snippet:
    b = Builder()
    choice = r.randrange(10)
    if choice == 0:
        b.add("统一社会信用代码：")
        b.add(v_uscc(r), decoy=True)
    elif choice == 1:
        b.add(r.choice(["依托单位：", "申报单位：", "单位名称 "]))
        b.add(r.choice(ORGS), decoy=True)
    elif choice == 2:
        b.add(r.choice(["订单号：", "合同编号：", "流水号 ", "项目编号:", "发票号码："]))
        b.add("".join(r.choice("0123456789") for _ in range(r.choice([11, 16, 18, 19]))), decoy=True)
    elif choice == 3:
        b.add("中试设备或设施原值：")
        b.add(f"{r.randint(1000, 99999):,}.{r.randint(0, 9)}万元", decoy=True)
    elif choice == 4:
        b.add("填报日期：")
        b.add(r.choice(["2026年12月28日", "2026-06-26", "2026.6.26", "二〇二六年六月二十六日"]), decoy=True)
    elif choice == 5:
        b.add(r.choice(["本单位建立了商业秘密保护制度", "技术秘密不得外泄", "健全内部控制和保密管理制度",
                        "近三年未发生失泄密事故", "是否建立财务、安全、质量、保密等内部管理制度：是"]), decoy=True)
    elif choice == 6:
        b.add("型号规格：")
        b.add(r.choice(["E12345678", "G20231188", "HX-2000A", "DN150-PN16"]), decoy=True)
    elif choice == 7:
        b.add("专职技术或管理人员")
        b.add(f"{r.randint(5, 200)}人，服务企业数量{r.randint(5, 300)}家", decoy=True)
    elif choice == 8:
        b.add(r.choice(["负责人员应当持证上岗", "联系人信息见附件", "法定代表人签字：", "技术负责人（签字）："]), decoy=True)
    else:
        b.add("设备编号 ")
        b.add(f"{r.randint(2020, 2026)}{r.randint(1, 12):02d}{r.randint(10000000, 99999999)}", decoy=True)
    b.add(r.choice(["", "。", "\n"]))
    return b.build("decoy")


def make_set(seed: int, n: int) -> list[Snippet]:
    r = random.Random(seed)
    personal = ["CN_ID_CARD", "CN_MOBILE", "CN_PHONE", "EMAIL_ADDRESS", "CN_BANK_CARD", "CN_PASSPORT", "PERSON"]
    kinds = ["clean", "clean", "ocr", "fullwidth", "spaced", "masked"]
    out: list[Snippet] = []
    while len(out) < n:
        roll = r.random()
        if roll < 0.62:
            entity = r.choice(personal)
            kind = r.choice(kinds)
            if entity in ("EMAIL_ADDRESS", "PERSON", "CN_PASSPORT") and kind == "ocr":
                kind = "clean"  # O/l noise in letters is a different value, not noise
            out.append(personal_snippet(r, entity, kind))
        elif roll < 0.72:
            out.append(marking_snippet(r, r.choice(["clean", "clean", "spaced"])))
        else:
            out.append(decoy_snippet(r))
    return out


# -- scoring -----------------------------------------------------------------------------------

@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def evaluate(redactor: Redactor, snippets: list[Snippet], show_errors: bool = False) -> dict:
    counts = {e: Counts() for e in ENTITIES}
    masked_ok = masked_total = decoy_hits = 0
    for s in snippets:
        found = redactor.find_text(s.text)
        used = set()
        for ent, a, b, masked in s.gold:
            hit = next((i for i, f in enumerate(found) if f.entity == ent and f.start < b and a < f.end), None)
            if hit is None:
                counts[ent].fn += 1
                if show_errors:
                    print(f"MISS {ent} [{s.kind}] {s.text!r}")
                continue
            used.add(hit)
            counts[ent].tp += 1
            if masked:
                masked_total += 1
                masked_ok += found[hit].already_masked
                if show_errors and not found[hit].already_masked:
                    print(f"MASKED-NOT-SEEN {ent} {s.text!r}")
        for i, f in enumerate(found):
            if i in used:
                continue
            if any(f.entity == ent and f.start < b and a < f.end for ent, a, b, _ in s.gold):
                continue  # a second piece of an already counted value
            counts[f.entity].fp += 1
            if any(f.start < b and a < f.end for a, b in s.decoys):
                decoy_hits += 1
            if show_errors:
                print(f"FALSE {f.entity} {s.text[f.start:f.end]!r} in [{s.kind}] {s.text!r}")
    return {"counts": counts, "masked_ok": masked_ok, "masked_total": masked_total, "decoy_hits": decoy_hits}


def typical_page(seed: int = 1) -> str:
    r = random.Random(seed)
    lines = ["储备中试平台申报信息表", f"平台名称：{r.choice(ORGS)[:6]}中试平台", f"依托单位：{r.choice(ORGS)}",
             f"统一社会信用代码：{v_uscc(r)}", "所在省份：广东省", "所在地市：广州市", "通讯地址：广州市黄埔区科学大道88号",
             "重点方向：装备制造", "中试服务类型：工艺验证、生产验证", f"法定代表人：{v_name(r)}",
             f"联系人：{v_name(r)}", f"联系电话：{v_mobile(r)}", f"电子邮箱：{v_email(r)}", f"工程技术带头人：{v_name(r)}",
             "中试设备或设施原值（万元）：1,250.5", "专职技术或管理人员（人）：12", "上年度中试服务收入（万元）：1,080",
             "依托单位主营业务收入（万元）：35,000", "服务企业数量（家）：35", "完成国家级或省部级重大自主创新成果中试验证（项）：2",
             "成功完成新产品产业化（项）：3", "近三年是否发生违法违规行为或较大及以上安全、质量、环境污染、失泄密事故：否",
             "是否制定中试技术路线图：是", "是否制定中试服务清单：是", "是否建立财务、安全、质量、保密等内部管理制度：是",
             "是否制定规划建设方案（未来3年发展目标）：是", "是否依托工业和信息化部直属单位：否", "设备要素表",
             "序号 设备名称 型号规格 数量 原值（万元） 核心指标 是否自主可控"]
    lines += [f"{i} 中试反应釜 HX-{1000 + i}A 2 {r.randint(50, 400)}.0 容积{r.randint(1, 20)}m3 是" for i in range(1, 9)]
    lines += ["合计 1,250.5", "依托单位（盖章）：", "日期：2026年12月28日"]
    return "\n".join(lines)


def time_page(redactor: Redactor, runs: int = 200) -> tuple[float, float, int]:
    text = typical_page()
    redactor.find_text(text)  # warm-up: first call compiles the patterns
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        redactor.find_text(text)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1], len(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--n", type=int, default=420)
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    redactor = Redactor()
    startup = time.perf_counter() - t
    snippets = make_set(args.seed, args.n)
    res = evaluate(redactor, snippets, args.show_errors)
    kinds = {}
    for s in snippets:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    print(f"snippets: {len(snippets)} (seed {args.seed}) " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(f"{'entity':<20}{'gold':>6}{'tp':>6}{'fp':>6}{'fn':>6}{'precision':>11}{'recall':>9}  target")
    total = Counts()
    ok = True
    for e in ENTITIES:
        c = res["counts"][e]
        total.tp += c.tp
        total.fp += c.fp
        total.fn += c.fn
        target = TARGET_RECALL.get(e)
        met = target is None or c.recall >= target
        ok &= met
        print(f"{e:<20}{c.tp + c.fn:>6}{c.tp:>6}{c.fp:>6}{c.fn:>6}{c.precision:>11.3f}{c.recall:>9.3f}  "
              + (f"recall>={target} {'ok' if met else 'MISSED'}" if target else ""))
    ok &= total.precision >= TARGET_PRECISION
    print(f"{'overall':<20}{total.tp + total.fn:>6}{total.tp:>6}{total.fp:>6}{total.fn:>6}{total.precision:>11.3f}"
          f"{total.recall:>9.3f}  precision>={TARGET_PRECISION} {'ok' if total.precision >= TARGET_PRECISION else 'MISSED'}")
    print(f"already-masked values judged masked: {res['masked_ok']}/{res['masked_total']}")
    print(f"hits on decoys (uscc, organisation names, numbers, figures): {res['decoy_hits']}")
    ok &= res["decoy_hits"] == 0 and res["masked_ok"] == res["masked_total"]
    median, p95, chars = time_page(redactor)
    print(f"start-up (Redactor()): {startup * 1000:.0f} ms; typical page ({chars} chars): "
          f"median {median:.2f} ms, p95 {p95:.2f} ms (target <= 5 ms)")
    ok &= median <= 5.0
    print("all targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
