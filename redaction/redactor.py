"""The Redactor: finds personal data and classification markings in text, fields and scanned pages."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from presidio_analyzer import AnalyzerEngine, RecognizerResult

from pilot_intake.models import Flag, FlagCode, Page, SensitiveFinding
from redaction.analyzer import build_analyzer
from redaction.masking import (
    CLASSIFIED_MARKING,
    CN_MOBILE,
    CN_PHONE,
    EMAIL_ADDRESS,
    PERSON,
    canonical_masked,
    guess_entity,
    is_masked,
    mask_value,
)
from redaction.normalize import compact_key, is_cjk, views
from redaction.recognizers import LANG, ChineseRecognizer

BBox = tuple[float, float, float, float]

# Personal-data fields of filings.md §2 and the entity each holds.
PERSONAL_FIELDS = {
    "legal_rep": PERSON,
    "contact_name": PERSON,
    "tech_leader": PERSON,
    "contact_phone": CN_MOBILE,
    "contact_email": EMAIL_ADDRESS,
}
# Organisation identifiers and names: never personal data, never masked (downstream needs them).
NEVER_PERSONAL_FIELDS = frozenset({
    "platform_name", "host_unit", "uscc", "province", "city", "key_direction", "service_types", "fill_date",
})
_NAME_LABEL = "联系人："  # lets the labelled-name recognizer read a bare name field


@dataclass(frozen=True)
class TextFinding:
    """A span of analysed text. Carries the masked form only, never the raw value."""

    entity: str
    start: int
    end: int
    score: float
    masked: str
    already_masked: bool = False

    @property
    def is_marking(self) -> bool:
        return self.entity == CLASSIFIED_MARKING


@dataclass(frozen=True)
class PageFinding:
    """A finding on a page image, with the word (or part-of-word) boxes to burn out."""

    page: int
    entity: str
    masked: str
    already_masked: bool
    score: float
    boxes: tuple[BBox, ...] = ()
    field: str | None = None

    def as_sensitive(self) -> SensitiveFinding:
        return SensitiveFinding(entity=self.entity, field=self.field, page=self.page, masked=self.masked,
                                already_masked=self.already_masked)


@dataclass
class _Candidate:
    entity: str
    start: int
    end: int
    score: float
    masked_form: bool
    view_text: str  # the matched text in the normalised view (what masking reads)


class Redactor:
    """Holds the analyzer (built once per process) and applies the masking conventions."""

    def __init__(self, analyzer: AnalyzerEngine | None = None):
        self.analyzer = analyzer or build_analyzer()
        self._masked_ids = {
            r.id for r in self.analyzer.registry.recognizers if isinstance(r, ChineseRecognizer) and r.masked
        }

    # -- text ---------------------------------------------------------------------------------

    def find_text(self, text: str, *, entities: list[str] | None = None) -> list[TextFinding]:
        """Personal data (masked or not) and classification markings in `text`, by position."""
        if not text or not text.strip():
            return []
        candidates: list[_Candidate] = []
        for view in views(text):
            for r in self.analyzer.analyze(view.text, LANG, entities=entities):
                start, end = view.span(r.start, r.end)
                candidates.append(_Candidate(r.entity_type, start, end, r.score, self._is_masked_result(r),
                                             view.text[r.start:r.end]))
        return [self._finding(c, text) for c in _resolve(candidates)]

    def find_markings(self, text: str) -> list[TextFinding]:
        return self.find_text(text, entities=[CLASSIFIED_MARKING])

    def mask_value(self, entity: str, raw: str) -> str:
        return mask_value(entity, raw)

    def _is_masked_result(self, r: RecognizerResult) -> bool:
        return r.recognition_metadata.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY) in self._masked_ids

    @staticmethod
    def _finding(c: _Candidate, text: str) -> TextFinding:
        if c.masked_form:
            masked = canonical_masked(c.view_text)
        else:
            masked = mask_value(c.entity, c.view_text)
        return TextFinding(c.entity, c.start, c.end, round(c.score, 3), masked, c.masked_form)

    # -- structured fields --------------------------------------------------------------------

    def mask_fields(self, fields: dict[str, Any], *, page_of: dict[str, int | None] | None = None,
                    reference: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[SensitiveFinding]]:
        """Masked copy of `fields` and the findings (entity, field, page, masked form).

        `reference` holds the same fields as read from the data file: a value read
        from a scan that fits the reference's masked form (OCR reads `**` as 六, x …)
        counts as masked.
        """
        page_of = page_of or {}
        reference = reference or {}
        out: dict[str, Any] = {}
        findings: list[SensitiveFinding] = []
        for key, value in fields.items():
            if not isinstance(value, str) or key in NEVER_PERSONAL_FIELDS or not value.strip():
                out[key] = value
                continue
            ref = reference.get(key)
            masked_value, found = self._mask_field(key, value.strip(), ref if isinstance(ref, str) else None)
            out[key] = masked_value
            findings += [
                SensitiveFinding(entity=f.entity, field=key, page=page_of.get(key), masked=f.masked,
                                 already_masked=f.already_masked)
                for f in found
            ]
        return out, findings

    def _mask_field(self, key: str, value: str, ref: str | None) -> tuple[str, list[TextFinding]]:
        entity = PERSONAL_FIELDS.get(key)
        if entity == PERSON:
            shifted = self.find_text(_NAME_LABEL + value)
            found = [_shift(f, -len(_NAME_LABEL)) for f in shifted if f.end > len(_NAME_LABEL)]
        else:
            found = self.find_text(value)
        personal = [f for f in found if not f.is_marking]
        if entity is not None and not _covers(personal, value):
            # A personal-data field is masked whole even when no pattern recognises its value.
            guessed = guess_entity(value)
            ent = entity if entity == PERSON or guessed == "UNKNOWN" else guessed
            if is_masked(ent, value) or (entity == PERSON and is_masked(PERSON, value)):
                whole = TextFinding(ent, 0, len(value), 1.0, canonical_masked(value), True)
            else:
                whole = TextFinding(ent, 0, len(value), 0.5, mask_value(ent, value), False)
            found = [whole] + [f for f in found if f.is_marking]
        found = [_against_reference(f, value, ref) for f in found]
        return mask_text(value, found), found

    # -- scanned pages ------------------------------------------------------------------------

    def scan_pages(self, pages: list[Page], *, reference: dict[str, Any] | None = None) -> list[PageFinding]:
        """Findings per page with the boxes to burn. Chinese may come one character per word;
        a finding inside a longer word gets the part of the word box its characters cover.

        `reference` (the data file's fields): its raw personal values are also searched
        for on the page, and masked ones decide whether a name read from the scan is masked.
        """
        reference = reference or {}
        out: list[PageFinding] = []
        for page in pages:
            text, spans = page_text(page)
            if not text.strip():
                continue
            found = self.find_text(text)
            found += _reference_hits(text, reference, found)
            for f in found:
                ref_key = _matching_reference_key(f, reference)
                if ref_key is not None:
                    f = _against_reference(f, text[f.start:f.end], reference[ref_key])
                boxes = tuple(_boxes_for_span(page, spans, f.start, f.end))
                out.append(PageFinding(page.number, f.entity, f.masked, f.already_masked, f.score, boxes, ref_key))
        return out


# -- helpers -----------------------------------------------------------------------------------


def _resolve(cands: list[_Candidate]) -> list[_Candidate]:
    """One finding per place: drop candidates inside a longer one; on equal spans a masked
    form beats a raw one, then the higher score wins."""
    keep: list[_Candidate] = []
    ordered = sorted(cands, key=lambda c: (-(c.end - c.start), not c.masked_form, -c.score))
    for c in ordered:
        if any(k.start <= c.start and c.end <= k.end for k in keep):
            continue
        keep.append(c)
    return sorted(keep, key=lambda c: c.start)


def _shift(f: TextFinding, delta: int) -> TextFinding:
    return TextFinding(f.entity, max(0, f.start + delta), f.end + delta, f.score, f.masked, f.already_masked)


def _covers(found: list[TextFinding], value: str) -> bool:
    """True when the findings cover every letter and digit of the value."""
    covered = set()
    for f in found:
        covered.update(range(f.start, f.end))
    return all(i in covered for i, ch in enumerate(value) if ch.isalnum())


def mask_text(text: str, findings) -> str:
    """`text` with every personal-data finding replaced by its masked form (markings are kept)."""
    spans = sorted((f for f in findings if f.entity != CLASSIFIED_MARKING), key=lambda f: (f.start, -f.end))
    out: list[str] = []
    pos = 0
    for f in spans:
        if f.end <= pos:
            continue
        if f.start < pos:  # partial overlap: star the part not yet replaced
            out.append("*" * (f.end - pos))
        else:
            out.append(text[pos:f.start])
            out.append(f.masked)
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def fits_masked(read: str, masked_ref: str) -> bool:
    """Whether a value read from a scan could be OCR's reading of the masked reference value.

    The visible head and tail of the reference must be there; what OCR made of the
    stars in between (六, x, nothing) does not matter.
    """
    ref = canonical_masked(masked_ref)
    if "*" not in ref:
        return False
    head, tail = ref[: ref.index("*")], ref[ref.rindex("*") + 1:]
    r = "".join(unicodedata.normalize("NFKC", read).split())
    h, t = "".join(head.split()), "".join(tail.split())
    return (len(h) + len(t) < len(r) <= len(ref) + 2 and r.startswith(h) and r.endswith(t)
            and (h or t) != "")


def _against_reference(f: TextFinding, read: str, ref: str | None) -> TextFinding:
    if f.already_masked or f.is_marking or not ref:
        return f
    part = read[f.start:f.end] if f.end <= len(read) and f.start < f.end else read
    if fits_masked(part, ref) or fits_masked(read, ref):
        return TextFinding(f.entity, f.start, f.end, f.score, canonical_masked(ref), True)
    return f


def _matching_reference_key(f: TextFinding, reference: dict[str, Any]) -> str | None:
    """The personal field of the reference this page finding most likely is."""
    for key, entity in PERSONAL_FIELDS.items():
        ref = reference.get(key)
        if not isinstance(ref, str) or not ref:
            continue
        same_kind = f.entity == entity or (entity == CN_MOBILE and f.entity == CN_PHONE)
        if same_kind and (f.masked == canonical_masked(ref) or f.masked == mask_value(entity, ref)
                          or (is_masked(entity, ref) and f.masked[:1] == canonical_masked(ref)[:1])):
            return key
    return None


def _reference_hits(text: str, reference: dict[str, Any], found: list[TextFinding]) -> list[TextFinding]:
    """Raw personal values of the data file that appear on the page but no pattern found."""
    hits: list[TextFinding] = []
    compact = [(i, ch) for i, ch in enumerate(text) if not ch.isspace()]
    joined = compact_key("".join(ch for _, ch in compact))
    # compact_key only drops characters, never adds: rebuild its index map the same way
    keep = [(i, ch) for i, ch in compact if ch not in "-()（）"]
    for key, entity in PERSONAL_FIELDS.items():
        raw = reference.get(key)
        if not isinstance(raw, str) or not raw.strip() or is_masked(entity, raw) or "*" in raw:
            continue
        needle = compact_key(raw)
        if len(needle) < 2 or len(joined) != len(keep):
            continue
        pos = joined.find(needle)
        while pos >= 0:
            start, end = keep[pos][0], keep[pos + len(needle) - 1][0] + 1
            if not any(f.start <= start and end <= f.end for f in found):
                ent = entity if entity == PERSON else guess_entity(raw)
                hits.append(TextFinding(ent if ent != "UNKNOWN" else entity, start, end, 1.0,
                                        mask_value(ent if ent != "UNKNOWN" else entity, raw), False))
            pos = joined.find(needle, pos + len(needle))
    return hits


def page_text(page: Page) -> tuple[str, list[tuple[int, int, int]]]:
    """The page's words joined in reading order, and (start, end, word index) per word.

    Words on one line are joined with a space (the compact view removes it again,
    so one-character Chinese words read as one string); a new line starts where a
    word sits below the previous one or goes back to the left.
    """
    if not page.words:
        return page.text, []
    parts: list[str] = []
    spans: list[tuple[int, int, int]] = []
    pos = 0
    prev = None
    for i, w in enumerate(page.words):
        if not w.text:
            continue
        if prev is not None:
            h = max(prev.bbox[3] - prev.bbox[1], 1.0)
            cy_prev, cy = (prev.bbox[1] + prev.bbox[3]) / 2, (w.bbox[1] + w.bbox[3]) / 2
            sep = "\n" if abs(cy - cy_prev) > 0.6 * h or w.bbox[0] < prev.bbox[0] - h else " "
            parts.append(sep)
            pos += 1
        parts.append(w.text)
        spans.append((pos, pos + len(w.text), i))
        pos += len(w.text)
        prev = w
    return "".join(parts), spans


def _char_weight(ch: str) -> float:
    return 1.0 if is_cjk(ch) or unicodedata.east_asian_width(ch) in "WF" else 0.55


def _boxes_for_span(page: Page, spans: list[tuple[int, int, int]], start: int, end: int) -> list[BBox]:
    """Boxes covering characters [start, end): whole words, or the covered part of a word."""
    boxes: list[BBox] = []
    for ws, we, idx in spans:
        if we <= start or ws >= end:
            continue
        word = page.words[idx]
        x0, y0, x1, y1 = word.bbox
        a, b = max(start, ws) - ws, min(end, we) - ws
        if a == 0 and b == len(word.text):
            boxes.append((x0, y0, x1, y1))
            continue
        weights = [_char_weight(c) for c in word.text]
        total = sum(weights) or 1.0
        left = x0 + (x1 - x0) * sum(weights[:a]) / total
        right = x0 + (x1 - x0) * sum(weights[:b]) / total
        boxes.append((left, y0, right, y1))
    return boxes


def boxes_by_page(findings: list[PageFinding]) -> dict[int, list[BBox]]:
    """The boxes to burn per page: every personal-data finding, masked or not.

    Already-masked values are burned too: on a scan "masked" is OCR's judgement,
    and covering a masked value costs nothing.
    """
    out: dict[int, list[BBox]] = {}
    for f in findings:
        if f.entity == CLASSIFIED_MARKING:
            continue
        out.setdefault(f.page, []).extend(f.boxes)
    return out


def flags_for(findings) -> list[Flag]:
    """UNREDACTED_PERSONAL_DATA and CLASSIFIED_MARKING flags for a filing's findings."""
    flags: list[Flag] = []
    raw = [f for f in findings if f.entity != CLASSIFIED_MARKING and not f.already_masked]
    if raw:
        where = sorted({getattr(f, "field", None) or f"page {getattr(f, 'page', '?')}" for f in raw})
        flags.append(Flag(code=FlagCode.UNREDACTED_PERSONAL_DATA,
                          message=f"unmasked personal data arrived in: {', '.join(where)}"))
    if any(f.entity == CLASSIFIED_MARKING for f in findings):
        flags.append(Flag(code=FlagCode.CLASSIFIED_MARKING,
                          message="a classification marking was found; the filing is quarantined"))
    return flags


__all__ = [
    "BBox", "PageFinding", "Redactor", "TextFinding", "boxes_by_page", "fits_masked", "flags_for",
    "mask_text", "page_text", "PERSONAL_FIELDS", "NEVER_PERSONAL_FIELDS",
]
