"""Masking conventions of filings.md §5 and recognition of values that are already masked."""

from __future__ import annotations

import re
import unicodedata

from redaction.normalize import is_cjk

CN_ID_CARD = "CN_ID_CARD"
CN_MOBILE = "CN_MOBILE"
CN_PHONE = "CN_PHONE"
EMAIL_ADDRESS = "EMAIL_ADDRESS"
CN_BANK_CARD = "CN_BANK_CARD"
CN_PASSPORT = "CN_PASSPORT"
PERSON = "PERSON"
CLASSIFIED_MARKING = "CLASSIFIED_MARKING"

PERSONAL_ENTITIES = (CN_ID_CARD, CN_MOBILE, CN_PHONE, EMAIL_ADDRESS, CN_BANK_CARD, CN_PASSPORT, PERSON)

# What a mask character looks like in a filing: `*` and the runs OCR reads for it.
STAR = r"[*＊×xX✱]"
_STAR_RUN = re.compile(r"[*＊×✱]+|(?<![A-Za-z])[xX]{2,}(?![A-Za-wyz])")

_MASKED_SHAPES = {
    CN_MOBILE: re.compile(rf"(?:\+?86)?1\d{{2}}{STAR}{{2,8}}\d{{2,4}}"),
    CN_PHONE: re.compile(rf"[(（]?0\d{{2,3}}[)）]?-?{STAR}{{2,8}}\d{{2,4}}"),
    CN_ID_CARD: re.compile(rf"\d{{4,6}}{STAR}{{6,14}}\d{{2,3}}[\dXx]"),
    EMAIL_ADDRESS: re.compile(r"[A-Za-z0-9._%+\-]{0,4}(?:[*＊×]+|[xX]{3,})[A-Za-z0-9]?@[A-Za-z0-9.\-]+"),
    CN_BANK_CARD: re.compile(rf"\d{{4}}(?:\s*{STAR}{{2,}})+\s*\d{{3,4}}"),
    CN_PASSPORT: re.compile(rf"[A-Za-z][A-Za-z0-9]{STAR}{{3,8}}[0-9]{{1,2}}"),
    PERSON: re.compile(rf"[\u4e00-\u9fff]{STAR}{{1,4}}"),
}


def _digits(raw: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", raw) if c.isdigit())


def _stars(n: int) -> str:
    return "*" * max(n, 1)


def mask_value(entity: str, raw: str) -> str:
    """The masked form of a raw value (filings.md §5). A value already masked is returned canonical."""
    raw = raw.strip()
    if is_masked(entity, raw):
        return canonical_masked(raw)
    norm = unicodedata.normalize("NFKC", raw)
    if entity == CN_MOBILE:
        d = _digits(norm)
        d = d[-11:] if len(d) > 11 else d
        return d[:3] + "****" + d[-4:] if len(d) == 11 else _generic(norm)
    if entity == CN_PHONE:
        m = re.match(r"\s*[(（]?(0\d{2,3})[)）]?[\s\-]*([\d\s\-]+)", norm)
        if m:
            local = _digits(m.group(2))
            return f"{m.group(1)}-{_stars(len(local) - 4)}{local[-4:]}"
        return _generic(norm)
    if entity == CN_ID_CARD:
        s = re.sub(r"\s", "", norm).upper()
        return s[:6] + "********" + s[-4:] if len(s) == 18 else _generic(s)
    if entity == EMAIL_ADDRESS:
        local, _, domain = re.sub(r"\s", "", norm).partition("@")
        return f"{local[:2]}***@{domain}"
    if entity == CN_BANK_CARD:
        d = _digits(norm)
        return f"{d[:4]} **** **** {d[-4:]}"
    if entity == CN_PASSPORT:
        s = re.sub(r"\s", "", norm).upper()
        return s[:2] + _stars(len(s) - 4) + s[-2:]
    if entity == PERSON:
        s = re.sub(r"\s", "", raw)
        return s[:1] + _stars(len(s) - 1)
    if entity == CLASSIFIED_MARKING:
        return raw  # a marking is not personal data; it is shown so a person can judge it
    return _generic(norm)


def _generic(raw: str) -> str:
    """Fallback for a value of unknown shape: keep the first character only."""
    s = re.sub(r"\s", "", raw)
    return s[:1] + _stars(len(s) - 1)


def is_masked(entity: str, text: str) -> bool:
    """True when `text` already has the masked shape of `entity` (stars, or OCR's x/× for them)."""
    shape = _MASKED_SHAPES.get(entity)
    if shape is None:
        return False
    s = unicodedata.normalize("NFKC", text.strip())
    if entity != CN_BANK_CARD:
        s = re.sub(r"[\s\-]", "", s) if entity != CN_PHONE else re.sub(r"\s", "", s)
    return shape.fullmatch(s) is not None


def canonical_masked(text: str) -> str:
    """A masked value as read, with OCR's x/× runs for `*` written as `*`."""
    s = unicodedata.normalize("NFKC", text.strip()).replace("＊", "*")
    return _STAR_RUN.sub(lambda m: "*" * len(m.group()), s)


def guess_entity(raw: str) -> str:
    """The entity a raw value most likely is, from its shape (for display and leak reports)."""
    s = unicodedata.normalize("NFKC", raw).strip()
    compact = re.sub(r"[\s\-]", "", s)
    if "@" in s:
        return EMAIL_ADDRESS
    if s and all(is_cjk(c) or c in "·•" for c in s):
        return PERSON
    if re.fullmatch(r"\d{17}[\dXx]", compact):
        return CN_ID_CARD
    if re.fullmatch(r"(?:\+?86)?1[3-9]\d{9}", compact):
        return CN_MOBILE
    if re.fullmatch(r"[(（]?0\d{2,3}[)）]?\d{7,8}", compact):
        return CN_PHONE
    if re.fullmatch(r"\d{16,19}", compact):
        return CN_BANK_CARD
    if re.fullmatch(r"[A-Za-z]{1,2}\d{7,8}", compact):
        return CN_PASSPORT
    return "UNKNOWN"


def display_mask(raw: str) -> str:
    """Masked form of any raw value, for messages that must never show it."""
    entity = guess_entity(raw)
    return mask_value(entity, raw) if entity != "UNKNOWN" else _generic(raw)
