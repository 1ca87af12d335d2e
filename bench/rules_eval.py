"""Score a run's flags and statuses against a sample's ground truth.

    python bench/rules_eval.py OUT_DIR TRUTH_DIR [--min 0.98] [--json]

OUT_DIR holds records.jsonl; TRUTH_DIR is a generated sample's truth/ (manifest.json,
filings/<key>.json; docs/architecture.md). Filing records are matched to truth filings
by uscc + platform_name (whitespace and full/half width ignored), then by uscc alone,
then by name alone, then by the files the manifest assigns to the filing (a quarantined
filing has no fields). Summary tables match by their source files.

Per flag code, presence per record counts: precision = TP / (TP + FP), recall =
TP / (TP + FN); an unmatched record's flags are false positives, an unmatched truth
filing's flags false negatives and its status wrong. Codes the truth names with
fields (flag_fields) are also scored per field, e.g. INELIGIBLE[equipment_value].

Silent wrong values: a matched filing's field whose value differs from the truth and
that no flag names (`field` = the key). A misread that carries LOW_CONFIDENCE,
INVALID_VALUE or DATA_SCAN_MISMATCH is not silent; one the rules used as if right is.
With --min, exits 1 when any measured figure is below it or any value is silently wrong.

The truth assumes OCR reads what the generator wrote, so a LOW_CONFIDENCE the truth does
not expect counts as a false positive even when the value it names really was misread.
Those are counted apart ("LOW_CONFIDENCE on misread values"), and a second line gives
LOW_CONFIDENCE's precision with them counted as right; the strict figure stays the one
--min checks.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _norm(text: Any) -> str | None:
    if not text:
        return None
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).upper() or None


@dataclass
class Truth:
    filings: dict[str, dict[str, Any]]  # key -> truth filing, with "_paths"
    summaries: list[dict[str, Any]]


@dataclass
class Tally:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    status_right: int = 0
    status_total: int = 0
    summary_status_right: int = 0
    summary_status_total: int = 0
    unmatched_records: int = 0
    unmatched_truth: int = 0
    silent_wrong: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # (truth key, field, read, truth)
    # Unexpected LOW_CONFIDENCE whose named field was in fact misread: (truth key, fields).
    warranted_low: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, predicted: set[str], expected: set[str]) -> None:
        for code in predicted & expected:
            self.tp[code] += 1
        for code in predicted - expected:
            self.fp[code] += 1
        for code in expected - predicted:
            self.fn[code] += 1


def load_truth(truth_dir: Path) -> Truth:
    manifest = json.loads((truth_dir / "manifest.json").read_text(encoding="utf-8"))
    files = manifest.get("files", {})
    filings = {}
    for path in sorted((truth_dir / "filings").glob("*.json")):
        t = json.loads(path.read_text(encoding="utf-8"))
        t["_paths"] = {p for p, f in files.items() if f.get("fate") == "filing" and f.get("filing") == t["key"]}
        filings[t["key"]] = t
    return Truth(filings, manifest.get("summary_tables", []))


def load_records(out_dir: Path) -> list[dict[str, Any]]:
    lines = (out_dir / "records.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _codes(flags: list[dict[str, Any]]) -> set[str]:
    return {f["code"] for f in flags}


def _truth_codes(t: dict[str, Any]) -> set[str]:
    out = set(t.get("flags", []))
    for code, fields in (t.get("flag_fields") or {}).items():
        out |= {f"{code}[{f}]" for f in fields}
    return out


def _record_codes(r: dict[str, Any], detailed: set[str]) -> set[str]:
    """Codes, plus CODE[field] for the codes the truth scores per field."""
    flags = r.get("flags", [])
    return _codes(flags) | {f"{f['code']}[{f['field']}]" for f in flags if f["code"] in detailed and f.get("field")}


def match_filings(records: list[dict[str, Any]], truth: Truth) -> tuple[dict[int, str], list[int], list[str]]:
    """record index -> truth key; unmatched record indexes; unmatched truth keys."""
    recs = {i: r for i, r in enumerate(records) if r.get("kind") == "filing"}
    free = dict(truth.filings)
    pairs: dict[int, str] = {}

    def ident(fields: dict[str, Any]) -> tuple[str | None, str | None]:
        return _norm(fields.get("uscc")), _norm(fields.get("platform_name"))

    passes = [
        lambda r, t: None not in ident(r) and ident(r) == ident(t),
        lambda r, t: ident(r)[0] is not None and ident(r)[0] == ident(t)[0],
        lambda r, t: ident(r)[1] is not None and ident(r)[1] == ident(t)[1],
    ]
    for same in passes:
        for i, r in recs.items():
            if i in pairs:
                continue
            hits = [k for k, t in free.items() if same(r.get("fields") or {}, t)]
            if len(hits) == 1:
                pairs[i] = hits[0]
                del free[hits[0]]
    for i, r in recs.items():  # by files: the only way to find a quarantined filing
        if i in pairs:
            continue
        paths = {s["path"] for s in r.get("sources", [])}
        votes = Counter(k for k, t in free.items() for p in paths if p in t["_paths"])
        if votes:
            key = votes.most_common(1)[0][0]
            pairs[i] = key
            del free[key]
    return pairs, [i for i in recs if i not in pairs], sorted(free)


def _same_value(key: str, read: Any, true: Any) -> bool:
    from records.schema import PERSONAL_FIELDS
    from rules.consistency import personal_agree

    if isinstance(read, bool) or isinstance(true, bool):
        return read is true
    if isinstance(read, int | float) and isinstance(true, int | float):
        return abs(float(read) - float(true)) < 1e-6
    if isinstance(read, list) and isinstance(true, list):
        return sorted(map(_norm, read)) == sorted(map(_norm, true))
    if key in PERSONAL_FIELDS and read and true:
        return personal_agree(str(read), str(true))  # both masked: compare what both show
    return _norm(read) == _norm(true)


def unflagged_wrong(record: dict[str, Any], t: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, read, truth) for each value that differs from the truth with no flag naming the field."""
    named = {f.get("field") for f in record.get("flags", [])}
    fields = record.get("fields") or {}
    return [(k, fields[k], v) for k, v in sorted((t.get("fields") or {}).items())
            if k in fields and k not in named and not _same_value(k, fields[k], v)]


def misread_low_confidence(record: dict[str, Any], t: dict[str, Any]) -> list[str]:
    """Fields a LOW_CONFIDENCE flag of `record` names whose value differs from the truth."""
    fields = record.get("fields") or {}
    truth_fields = t.get("fields") or {}
    named = {f.get("field") for f in record.get("flags", []) if f["code"] == "LOW_CONFIDENCE"}
    return sorted(k for k in named if k in truth_fields
                  and (k not in fields or not _same_value(k, fields.get(k), truth_fields[k])))


def score(records: list[dict[str, Any]], truth: Truth) -> Tally:
    tally = Tally()
    detailed = {code for t in truth.filings.values() for code in (t.get("flag_fields") or {})}
    pairs, lone_records, lone_truth = match_filings(records, truth)
    for i, key in pairs.items():
        t = truth.filings[key]
        tally.add(_record_codes(records[i], detailed), _truth_codes(t))
        tally.status_total += 1
        tally.status_right += records[i].get("status") == t.get("status")
        tally.silent_wrong += [(key, *w) for w in unflagged_wrong(records[i], t)]
        if "LOW_CONFIDENCE" in _codes(records[i].get("flags", [])) - _truth_codes(t):
            misread = misread_low_confidence(records[i], t)
            if misread:
                tally.warranted_low.append((key, misread))
    for i in lone_records:
        tally.add(_record_codes(records[i], detailed), set())
    for key in lone_truth:
        tally.add(set(), _truth_codes(truth.filings[key]))
        tally.status_total += 1
    tally.unmatched_records, tally.unmatched_truth = len(lone_records), len(lone_truth)

    summaries = [r for r in records if r.get("kind") == "summary_table"]
    taken: set[int] = set()
    for t in truth.summaries:
        wanted = set(t.get("sources", []))
        hit = next((j for j, r in enumerate(summaries)
                    if j not in taken and wanted & {s["path"] for s in r.get("sources", [])}), None)
        tally.summary_status_total += 1
        if hit is None:
            tally.add(set(), set(t.get("flags", [])))
            continue
        taken.add(hit)
        tally.add(_codes(summaries[hit].get("flags", [])), set(t.get("flags", [])))
        tally.summary_status_right += summaries[hit].get("status") == t.get("status")
    for j, r in enumerate(summaries):
        if j not in taken:
            tally.add(_codes(r.get("flags", [])), set())
    return tally


def figures(tally: Tally) -> dict[str, Any]:
    rows = {}
    for code in sorted(set(tally.tp) | set(tally.fp) | set(tally.fn)):
        tp, fp, fn = tally.tp[code], tally.fp[code], tally.fn[code]
        rows[code] = {
            "tp": tp, "fp": fp, "fn": fn,
            "precision": tp / (tp + fp) if tp + fp else None,  # None: nothing predicted, nothing to measure
            "recall": tp / (tp + fn) if tp + fn else None,
        }
    return {
        "flags": rows,
        "status_accuracy": tally.status_right / tally.status_total if tally.status_total else None,
        "filings": tally.status_total,
        "summary_status_accuracy": (tally.summary_status_right / tally.summary_status_total
                                    if tally.summary_status_total else None),
        "unmatched_records": tally.unmatched_records,
        "unmatched_truth": tally.unmatched_truth,
        "low_confidence_on_misreads": [{"filing": k, "fields": f} for k, f in sorted(tally.warranted_low)],
        "low_confidence_precision_counting_misreads": _warranted_precision(tally),
        "silent_wrong_values": [{"filing": k, "field": f, "read": r, "truth": v}
                                for k, f, r, v in sorted(tally.silent_wrong, key=lambda w: w[:2])],
    }


def _warranted_precision(tally: Tally) -> float | None:
    tp, fp = tally.tp["LOW_CONFIDENCE"], tally.fp["LOW_CONFIDENCE"]
    if not tp + fp:
        return None
    return (tp + len(tally.warranted_low)) / (tp + fp)


def below(report: dict[str, Any], minimum: float) -> list[str]:
    out = [f"{code} {name}" for code, row in report["flags"].items()
           for name in ("precision", "recall") if row[name] is not None and row[name] < minimum]
    for name in ("status_accuracy", "summary_status_accuracy"):
        if report[name] is not None and report[name] < minimum:
            out.append(name)
    if report["silent_wrong_values"]:
        out.append(f"{len(report['silent_wrong_values'])} silent wrong values")
    return out


def _pct(x: float | None) -> str:
    return "   —  " if x is None else f"{x:6.3f}"


def render(report: dict[str, Any]) -> str:
    lines = [f"{'flag code':<40} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}"]
    for code, r in report["flags"].items():
        lines.append(f"{code:<40} {r['tp']:>4} {r['fp']:>4} {r['fn']:>4} {_pct(r['precision']):>9} {_pct(r['recall']):>7}")
    lines.append(f"status accuracy (filings): {_pct(report['status_accuracy']).strip()} over {report['filings']} filings")
    lines.append(f"status accuracy (summary tables): {_pct(report['summary_status_accuracy']).strip()}")
    lines.append(f"unmatched records: {report['unmatched_records']}, unmatched truth filings: {report['unmatched_truth']}")
    misreads = report["low_confidence_on_misreads"]
    if misreads:
        lines.append(f"LOW_CONFIDENCE on misread values (counted FP above): {len(misreads)} filings; "
                     f"precision counting them right: {_pct(report['low_confidence_precision_counting_misreads']).strip()}")
        lines += [f"  {m['filing']}: {', '.join(m['fields'])}" for m in misreads]
    wrong = report["silent_wrong_values"]
    lines.append(f"silent wrong values (differ from the truth, no flag names the field): {len(wrong)}")
    # Personal fields are shown masked in records and truth alike; nothing raw is printed.
    lines += [f"  {w['filing']} {w['field']}: read {w['read']!r}, truth {w['truth']!r}" for w in wrong]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("truth_dir", type=Path)
    parser.add_argument("--min", type=float, default=None, help="exit 1 when a figure is below this (e.g. 0.98)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    for path in (args.out_dir / "records.jsonl", args.truth_dir / "manifest.json"):
        if not path.is_file():
            print(f"error: {path} not found", file=sys.stderr)
            return 2
    report = figures(score(load_records(args.out_dir), load_truth(args.truth_dir)))
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else render(report))
    if args.min is not None:
        failing = below(report, args.min)
        if failing:
            print(f"below {args.min}: {', '.join(failing)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
