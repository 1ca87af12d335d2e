"""Plausible, made-up Chinese values for sample platforms (no real companies or people).

Every function draws from the `random.Random` it is given; the pools are
constant tuples, so the same seed gives the same platforms.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import chinese_calendar

from samples.model import SERVICE_TYPES, EquipmentItem, Platform, make_uscc

# city -> (district division codes with district names). Guangdong only for now;
# other provinces can be added as rows of PROVINCES.
PROVINCES: dict[str, dict] = {
    "广东省": {
        "department": "广东省工业和信息化厅",
        "short": "粤",
        "cities": {
            "广州市": (("440106", "天河区"), ("440112", "黄埔区"), ("440113", "番禺区")),
            "深圳市": (("440305", "南山区"), ("440306", "宝安区"), ("440309", "龙华区")),
            "佛山市": (("440606", "顺德区"), ("440605", "南海区")),
            "东莞市": (("441900", "松山湖"),),
            "珠海市": (("440402", "香洲区"), ("440404", "金湾区")),
            "惠州市": (("441302", "惠城区"), ("441303", "惠阳区")),
            "中山市": (("442000", "火炬开发区"),),
            "江门市": (("440703", "蓬江区"),),
            "肇庆市": (("441202", "端州区"),),
            "汕头市": (("440507", "龙湖区"),),
        },
        "mobile_prefixes": ("135", "136", "137", "138", "139", "150", "158", "186", "189", "133"),
        "area_codes": {"广州市": "020", "深圳市": "0755", "佛山市": "0757", "东莞市": "0769",
                       "珠海市": "0756", "惠州市": "0752", "中山市": "0760", "江门市": "0750",
                       "肇庆市": "0758", "汕头市": "0754"},
    },
}


# (programme field, free-text direction, platform topic, company business word, equipment pool)
# equipment pool rows: (name, model prefix, core metric)
DOMAINS: tuple[tuple[str, str, str, str, tuple[tuple[str, str, str], ...]], ...] = (
    ("原材料工业", "先进陶瓷材料", "先进陶瓷材料", "新材料科技", (
        ("气氛烧结炉", "QSL", "最高温度1800℃，控温精度±1℃"),
        ("等静压成型机", "DJY", "最大压力300MPa"),
        ("流延成型生产线", "LYX", "膜厚精度±2μm"),
        ("激光粒度分析仪", "LPS", "测量范围0.02～2000μm"),
        ("热等静压炉", "HIP", "工作压力200MPa，温度2000℃"),
        ("精密平面磨床", "PMC", "平面度≤1μm"),
    )),
    ("原材料工业", "高性能电子化学品", "电子化学品", "电子材料", (
        ("高纯精馏装置", "JLZ", "产品纯度≥99.9999%"),
        ("电感耦合等离子体质谱仪", "ICP", "检出限≤0.1ppt"),
        ("百级洁净灌装线", "GZX", "洁净度ISO 5级"),
        ("连续流微反应系统", "WFY", "停留时间0.1～600s"),
        ("颗粒计数仪", "KLJ", "最小粒径0.05μm"),
    )),
    ("装备制造", "精密减速器", "精密减速器", "智能装备", (
        ("五轴联动加工中心", "WZL", "定位精度±3μm"),
        ("齿轮测量中心", "CLC", "测量精度1级"),
        ("减速器综合性能试验台", "JSQ", "额定扭矩5000N·m"),
        ("真空热处理炉", "ZKR", "真空度6.7×10⁻³Pa"),
        ("三坐标测量机", "SZB", "示值误差1.5+L/350μm"),
    )),
    ("装备制造", "新能源汽车电驱系统", "新能源汽车电驱系统", "动力科技", (
        ("电驱总成测功机台架", "CGJ", "最高转速20000rpm"),
        ("高低温环境试验舱", "GDW", "温度范围-40～150℃"),
        ("电机绕线验证线", "RXX", "节拍≤60s/件"),
        ("电磁兼容测试系统", "EMC", "频率范围9kHz～6GHz"),
        ("振动试验台", "ZDT", "最大推力60kN"),
    )),
    ("消费品工业", "生物基纤维", "生物基纤维", "纺织科技", (
        ("熔融纺丝中试线", "RRF", "产能500t/年"),
        ("湿法纺丝试验机", "SFF", "纺速50～300m/min"),
        ("纤维强伸度仪", "QSD", "测力精度±0.5%"),
        ("聚合反应釜系统", "JHF", "容积2m³，耐压1.6MPa"),
    )),
    ("信息技术", "集成电路先进封装", "集成电路先进封装", "半导体", (
        ("晶圆级键合机", "JHJ", "对准精度±1μm"),
        ("倒装焊设备", "DZH", "贴装精度±3μm"),
        ("X射线检测系统", "XRD", "分辨率0.5μm"),
        ("等离子清洗机", "DLZ", "处理尺寸12英寸"),
        ("探针测试台", "TZC", "定位重复精度±1μm"),
        ("回流焊炉", "HLH", "温区10个"),
    )),
    ("信息技术", "新型显示", "新型显示", "光电科技", (
        ("蒸镀中试线", "ZDX", "基板尺寸G2.5"),
        ("光刻机", "GKJ", "线宽3μm"),
        ("显示光学测试系统", "GXC", "亮度范围0.01～50000cd/m²"),
        ("喷墨打印设备", "PMD", "墨滴体积1pL"),
    )),
    ("新兴和未来产业", "固态电池", "固态电池", "新能源科技", (
        ("固态电解质烧结线", "SJX", "最高温度1200℃"),
        ("干法电极成膜设备", "GFD", "膜厚均匀性±2%"),
        ("叠片机", "DPJ", "叠片精度±0.2mm"),
        ("电池充放电测试系统", "CFD", "通道数512"),
        ("手套箱系统", "STX", "水氧含量≤0.1ppm"),
    )),
    ("新兴和未来产业", "合成生物", "合成生物", "生物技术", (
        ("发酵罐系统", "FJG", "容积500L"),
        ("高通量菌种筛选平台", "GTS", "通量10000株/天"),
        ("连续离心机", "LXJ", "转速15000rpm"),
        ("液相色谱质谱联用仪", "LCM", "质量精度≤2ppm"),
    )),
    ("共性需求", "检验检测与可靠性验证", "可靠性验证", "检测技术", (
        ("步入式环境试验箱", "BRS", "温变速率15℃/min"),
        ("盐雾试验箱", "YWX", "容积1000L"),
        ("扫描电子显微镜", "SEM", "分辨率1nm"),
        ("冲击试验机", "CJS", "冲击能量750J"),
    )),
)

# Two-character trade names, chosen to read naturally and not to copy any real firm.
TRADE_NAMES = ("澜启", "穗瓷", "恒熠", "睿铂", "拓川", "中澜", "科岚", "晟沅", "禾骐", "峻拓",
               "鸿曜", "湾芯", "融沣", "粤翎", "泓晞", "铖宇", "朗钜", "弘霁", "琨越", "嘉砾",
               "昱衡", "锐澄", "沛钧", "崇熙")
SURNAMES = ("张", "王", "李", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
            "胡", "郭", "何", "林", "罗", "梁", "郑", "谢", "欧阳", "司马")
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
         "明", "超", "秀英", "晓东", "志强", "海燕", "建华", "文博", "思远", "嘉怡", "子轩", "雨桐",
         "国庆", "丽娟", "振宇")
PINYIN = ("zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu",
          "sun", "ma", "zhu", "hu", "guo", "he", "lin", "luo", "liang")
EMAIL_DOMAINS = ("example.com", "example.cn", "example.org.cn", "example.net")
ROADS = ("科创路", "科学大道", "创新大道", "智造路", "新材路", "高新一路", "产业园大道", "研发路")


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def mobile(rng: random.Random, province: str) -> str:
    return rng.choice(PROVINCES[province]["mobile_prefixes"]) + "".join(rng.choice("0123456789") for _ in range(8))


def landline(rng: random.Random, province: str, city: str) -> str:
    area = PROVINCES[province]["area_codes"][city]
    return f"{area}-{rng.choice('2345678')}{''.join(rng.choice('0123456789') for _ in range(7))}"


def email(rng: random.Random) -> str:
    local = rng.choice(PINYIN) + rng.choice(PINYIN) + (str(rng.randint(1, 99)) if rng.random() < 0.4 else "")
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def last_workdays(year: int, month: int, n: int = 5) -> list[dt.date]:
    """The last `n` working days of a month by China's official calendar (调休 included)."""
    d = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))
    out: list[dt.date] = []
    while len(out) < n:
        if chinese_calendar.is_workday(d):
            out.append(d)
        d -= dt.timedelta(days=1)
    return sorted(out)


def _split_value(rng: random.Random, total_tenths: int, n: int) -> list[int]:
    """`total_tenths` split into `n` positive parts (tenths of 万元) that add up exactly."""
    cuts = sorted(rng.sample(range(total_tenths // (4 * n), total_tenths - total_tenths // (4 * n)), n - 1))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [total_tenths])]
    if min(parts) <= 0:
        return [total_tenths // n] * (n - 1) + [total_tenths - (total_tenths // n) * (n - 1)]
    return parts


def equipment_for(rng: random.Random, domain_index: int, total_wan: Decimal) -> tuple[EquipmentItem, ...]:
    pool = DOMAINS[domain_index][4]
    n = min(len(pool), rng.randint(4, 5))
    picks = rng.sample(range(len(pool)), n)
    parts = _split_value(rng, int(total_wan * 10), n)
    items = []
    for idx, tenths in zip(sorted(picks), parts):
        name, prefix, metric = pool[idx]
        items.append(EquipmentItem(
            name=name, model=f"{prefix}-{rng.randint(2, 9)}{rng.choice(['00', '50', '20'])}{rng.choice(['', 'A', 'S', 'Pro'])}",
            quantity=rng.choice([1, 1, 1, 2, 2, 3]), value_wan=Decimal(tenths) / 10,
            core_metric=metric, self_controlled=rng.random() < 0.7))
    return tuple(items)


def make_platform(rng: random.Random, key: str, *, province: str = "广东省", fill_window: list[dt.date],
                  domain_index: int | None = None, city: str | None = None,
                  host_kind: str = "company", trade_name: str | None = None) -> Platform:
    """A platform that meets every basic condition; cases then change what they need."""
    prov = PROVINCES[province]
    di = rng.randrange(len(DOMAINS)) if domain_index is None else domain_index
    field_, direction, topic, business, _ = DOMAINS[di]
    city = city or rng.choice(sorted(prov["cities"]))
    division, district = rng.choice(prov["cities"][city])
    trade = trade_name or rng.choice(TRADE_NAMES)
    if host_kind == "company":
        host = f"{city}{trade}{business}有限公司" if rng.random() < 0.7 else f"{prov['short']}{trade}{business}股份有限公司"
        kind = "91"
    else:  # a research institute registered as a public institution
        host = f"{province}{trade}{topic}研究院"
        kind = "12"
    name = rng.choice([f"{province}{topic}中试平台", f"{city}{topic}中试基地", f"{trade}{topic}中试验证平台"])
    equipment_value = Decimal(rng.randrange(12000, 46000, 5)) / 10
    host_revenue = Decimal(rng.randrange(30000, 400000, 5)) / 10
    # Meet the revenue rule either by the absolute floor or by the 5 % share.
    if rng.random() < 0.5:
        service_revenue = Decimal(rng.randrange(10200, 30000, 5)) / 10
    else:
        service_revenue = (host_revenue * Decimal("0.06") + Decimal(rng.randrange(0, 500))).quantize(Decimal("0.1"))
    major = rng.choice([0, 1, 1, 2, 3])
    return Platform(
        key=key, platform_name=name, host_unit=host, uscc=make_uscc(rng, division, kind=kind),
        province=province, city=city,
        address=f"{province}{city}{district}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
        key_direction=f"{field_}（{direction}）",
        service_types=tuple(t for t in SERVICE_TYPES if rng.random() < 0.6) or (SERVICE_TYPES[2],),
        legal_rep=person_name(rng), contact_name=person_name(rng),
        contact_phone=mobile(rng, province), contact_email=email(rng), tech_leader=person_name(rng),
        equipment_value_wan=equipment_value, fulltime_staff=rng.randint(8, 46),
        service_revenue_wan=service_revenue, host_revenue_wan=host_revenue,
        served_enterprises=rng.randint(6, 80), major_achievements=major,
        new_products=rng.randint(1 if major == 0 else 0, 6),
        violations_3y=False, has_roadmap=True, has_service_list=True, has_management_rules=True,
        has_3yr_plan=True, miit_affiliated=False, fill_date=rng.choice(fill_window),
        equipment=equipment_for(rng, di, equipment_value),
    )
