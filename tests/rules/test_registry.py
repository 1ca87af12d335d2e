import openpyxl
import pytest

from pilot_intake.errors import UsageError
from pilot_intake.models import FlagCode
from rules.registry import Registry

USCC = "91110000600037341L"
OTHER = "91440101MA59ABCD1X"

CSV = f"""platform_name,host_uscc,removed_on,reason
旧材料中试平台,{USCC},2024-03-15,数据资料弄虚作假
在库平台,{OTHER},,
"""


def write_xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


@pytest.fixture(params=["csv", "csv-gbk", "xlsx", "xlsx-chinese-headers"])
def registry(request, tmp_path):
    if request.param == "csv":
        path = tmp_path / "registry.csv"
        path.write_text(CSV, encoding="utf-8")
    elif request.param == "csv-gbk":
        path = tmp_path / "registry.csv"
        path.write_bytes(CSV.encode("gb18030"))
    else:
        from datetime import datetime

        path = tmp_path / "registry.xlsx"
        header = (
            ["platform_name", "host_uscc", "removed_on", "reason"]
            if request.param == "xlsx"
            else ["平台名称", "依托单位统一社会信用代码", "移出日期", "移出原因"]
        )
        write_xlsx(path, [header, ["旧材料中试平台", USCC, datetime(2024, 3, 15), "数据资料弄虚作假"], ["在库平台", OTHER, None, None]])
    return Registry.load(path)


BAN = [
    (USCC, "2026-12-28", True),  # removed 2024-03-15: banned until 2027-03-15
    (USCC.lower(), "2027-03-14", True),
    (USCC, "2027-03-15", False),  # exactly three years later: may apply
    (USCC, "2024-03-14", False),  # before the removal
    (OTHER, "2026-12-28", False),  # in the pool, never removed
    ("91110000600037342X", "2026-12-28", False),
    (USCC, None, False),
    (None, "2026-12-28", False),
]


@pytest.mark.parametrize("uscc,fill_date,banned", BAN)
def test_check(registry, uscc, fill_date, banned):
    flags = registry.check(uscc, fill_date)
    assert [f.code for f in flags] == ([FlagCode.REAPPLICATION_BANNED] if banned else [])
    if banned:
        assert "2024-03-15" in flags[0].message and "2027-03-15" in flags[0].message
        assert "弄虚作假" in flags[0].message


def test_leap_day_removal(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(f"platform_name,host_uscc,removed_on,reason\nx,{USCC},2024-02-29,\n", encoding="utf-8")
    reg = Registry.load(path)
    assert reg.check(USCC, "2027-02-27") and not reg.check(USCC, "2027-02-28")


@pytest.mark.parametrize("content", ["", "platform_name,host_uscc,removed_on,reason\n"])
def test_empty_registry(tmp_path, content):
    path = tmp_path / "registry.csv"
    path.write_text(content, encoding="utf-8")
    assert Registry.load(path).entries == ()


BAD = [
    ("r.csv", "platform_name,host_uscc,reason\nx,y,z\n", "缺少列：removed_on"),
    ("r.csv", f"platform_name,host_uscc,removed_on,reason\nx,{USCC},2024/13/01,\n", "第 2 行"),
    ("r.csv", "platform_name,host_uscc,removed_on,reason\nx,,2024-01-01,\n", "第 2 行缺少"),
    ("r.txt", "anything", "格式无法识别"),
    ("r.xlsx", "not a spreadsheet", "不是可读取的 xlsx"),
]


@pytest.mark.parametrize("name,content,message", BAD)
def test_bad_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        Registry.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(UsageError, match="找不到"):
        Registry.load(tmp_path / "none.csv")
