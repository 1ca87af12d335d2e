"""Check digits: resident ID (GB 11643, MOD 11-2 and birth date), bank cards (Luhn), uscc (GB 32100)."""

from __future__ import annotations

import datetime as dt
import re

from stdnum.cn import uscc as _uscc

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def digits_only(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def is_valid_resident_id(text: str, *, today: dt.date | None = None) -> bool:
    """MOD 11-2 check and a real birth date not in the future.

    The region code is only checked for its first digit: stdnum's region table
    rejects real IDs whose region code was renamed or did not exist in the birth
    year, and a missed ID is worse than a masked non-ID.
    """
    s = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[1-9]\d{16}[\dX]", s):
        return False
    if id_check_char(s[:17]) != s[17]:
        return False
    try:
        born = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= (today or dt.date.today())


def luhn_ok(number: str) -> bool:
    d = digits_only(number)
    if not d:
        return False
    total = 0
    for i, c in enumerate(reversed(d)):
        n = int(c)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def is_valid_uscc(text: str) -> bool:
    return bool(_uscc.is_valid(re.sub(r"\s", "", text).upper()))
