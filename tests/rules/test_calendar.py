from datetime import date

import pytest

from pilot_intake.errors import UsageError
from pilot_intake.models import FlagCode
from rules.calendar import Round, check_window, derive_round, submission_window

PARSE = [
    ("2026Q4", Round(2026, 12, "update"), "2026Q4"),
    ("2026q1", Round(2026, 3, "update"), "2026Q1"),
    ("2026-12", Round(2026, 12, "new_batch"), "2026-12"),
    ("2026-06", Round(2026, 6, "new_batch"), "2026-06"),
    (" 2026-6 ", Round(2026, 6, "new_batch"), "2026-06"),
]


@pytest.mark.parametrize("text,expected,shown", PARSE)
def test_round_parse(text, expected, shown):
    assert Round.parse(text) == expected
    assert str(Round.parse(text)) == shown


@pytest.mark.parametrize("text", ["2026Q5", "2026-03", "2026-09", "26Q4", "", "2026/12"])
def test_round_parse_rejects(text):
    with pytest.raises(UsageError, match="轮次"):
        Round.parse(text)


# Windows on the official calendar, 调休 and holidays included (chinesecalendar 1.11).
WINDOWS = [
    ("2026Q4", date(2026, 12, 25), date(2026, 12, 31)),
    ("2026-12", date(2026, 12, 25), date(2026, 12, 31)),
    ("2026-06", date(2026, 6, 24), date(2026, 6, 30)),
    # 25 September 2026 is the Mid-Autumn holiday: the window reaches back to the 23rd.
    ("2026Q3", date(2026, 9, 23), date(2026, 9, 30)),
    # 2024: National Day make-up working day on Sunday 29 September sits in the window.
    ("2024Q3", date(2024, 9, 25), date(2024, 9, 30)),
    ("2025Q1", date(2025, 3, 25), date(2025, 3, 31)),
]


@pytest.mark.parametrize("text,start,end", WINDOWS)
def test_official_windows(text, start, end):
    w = submission_window(Round.parse(text), holidays_file=None)
    assert (w.start, w.end) == (start, end)
    assert w.calendar_source.startswith("chinesecalendar")
    assert w.kind == Round.parse(text).kind


def test_december_new_batch_notes_it_is_also_the_q4_window():
    w = submission_window(Round.parse("2026-12"), holidays_file=None)
    assert "第四季度" in w.note
    assert submission_window(Round.parse("2026Q4"), holidays_file=None).note is None


def test_unknown_year_falls_back_to_weekdays_and_says_so():
    w = submission_window(Round.parse("2027Q1"), holidays_file=None)
    assert (w.start, w.end, w.calendar_source) == (date(2027, 3, 25), date(2027, 3, 31), "weekdays")
    assert "不含 2027 年" in w.note and "周一至周五" in w.note


def test_unknown_year_uses_the_holidays_file(tmp_path):
    holidays = tmp_path / "holidays-2027.txt"
    holidays.write_text(
        "# 2027 年安排（示例）\n2027-12-30,休\n2027-12-31 holiday\n2027-12-26,班\n", encoding="utf-8"
    )
    w = submission_window(Round.parse("2027-12"), holidays_file=holidays)
    # Working days left: 22, 23, 24, 26 (Sunday, make-up), 27, 28, 29.
    assert (w.start, w.end) == (date(2027, 12, 24), date(2027, 12, 29))
    assert w.calendar_source == "weekdays+holidays-2027.txt"
    assert "holidays-2027.txt" in w.note


@pytest.mark.parametrize("content,words", [("2027-13-01\n", "第 1 行"), ("2027-12-30,午休\n", "无法识别")])
def test_bad_holidays_file(tmp_path, content, words):
    holidays = tmp_path / "h.txt"
    holidays.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=words):
        submission_window(Round.parse("2027Q4"), holidays_file=holidays)


def test_missing_holidays_file(tmp_path):
    with pytest.raises(UsageError, match="节假日文件"):
        submission_window(Round.parse("2027Q4"), holidays_file=tmp_path / "nope.txt")


def test_known_year_ignores_the_holidays_file(tmp_path):
    holidays = tmp_path / "h.txt"
    holidays.write_text("2026-12-31,休\n", encoding="utf-8")
    w = submission_window(Round.parse("2026Q4"), holidays_file=holidays)
    assert w.end == date(2026, 12, 31) and w.calendar_source.startswith("chinesecalendar")


DERIVE = [
    (["2026-12-28", "2026-12-29", "2027-01-04"], "2026-12"),
    (["2026-09-28", "2026-09-29"], "2026Q3"),
    (["2026-03-30"], "2026Q1"),
    (["2026-06-29", "bad", ""], "2026-06"),
    (["2026-06-29", "2026-09-29"], "2026Q3"),  # a tie goes to the later quarter
    ([], None),
    (["not a date"], None),
]


@pytest.mark.parametrize("dates,expected", DERIVE)
def test_derive_round(dates, expected):
    got = derive_round(dates)
    assert (str(got) if got else None) == expected


CHECK = [
    ("2026-12-25", []),
    ("2026-12-31", []),
    ("2026-12-24", [FlagCode.OUTSIDE_WINDOW]),
    ("2027-01-04", [FlagCode.OUTSIDE_WINDOW]),
    (None, []),
    ("2026年12月28日", [FlagCode.INVALID_VALUE]),
]


@pytest.mark.parametrize("fill_date,codes", CHECK)
def test_check_window(fill_date, codes):
    w = submission_window(Round.parse("2026-12"), holidays_file=None)
    flags = check_window(fill_date, w)
    assert [f.code for f in flags] == codes
    assert all(f.field == "fill_date" for f in flags)


def test_outside_window_message_names_the_window_and_any_fallback():
    official = check_window("2026-12-24", submission_window(Round.parse("2026Q4"), holidays_file=None))[0]
    assert "2026-12-25 至 2026-12-31" in official.message and "季度信息更新" in official.message
    assert "周一至周五" not in official.message
    fallback = check_window("2027-03-01", submission_window(Round.parse("2027Q1"), holidays_file=None))[0]
    assert "周一至周五" in fallback.message
