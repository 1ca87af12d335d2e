"""bench/rules_eval.py on a small hand-made truth folder and records file."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "rules_eval.py"
spec = importlib.util.spec_from_file_location("rules_eval", SCRIPT)
rules_eval = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = rules_eval  # dataclasses look their module up there
spec.loader.exec_module(rules_eval)

U1, U2, U3 = "91440101MA59ABCD1X", "91110000600037341L", "91440300MA5FXXXX1A"


def truth_filing(key, name, uscc, flags=(), status="ready", flag_fields=None):
    return {"key": key, "platform_name": name, "uscc": uscc, "fields": {}, "flags": list(flags),
            "flag_fields": flag_fields or {}, "status": status}


def record(name, uscc, flags=(), status="ready", paths=()):
    return {"kind": "filing", "filing_id": f"F-{name}", "status": status,
            "sources": [{"path": p, "sha256": "0" * 64, "role": "scan", "pages": 1} for p in paths],
            "fields": {k: v for k, v in (("platform_name", name), ("uscc", uscc)) if v},
            "flags": [{"code": c, "message": "m", **({"field": f} if f else {})} for c, f in flags]}


@pytest.fixture
def sample(tmp_path):
    truth = tmp_path / "truth"
    (truth / "filings").mkdir(parents=True)
    filings = [
        truth_filing("p1", "甲中试平台", U1),
        truth_filing("p2", "乙中试平台", U2, ["INELIGIBLE"], "needs_review", {"INELIGIBLE": ["equipment_value"]}),
        truth_filing("p3", "丙中试平台", U3, ["CLASSIFIED_MARKING"], "quarantined"),
    ]
    for f in filings:
        (truth / "filings" / f"{f['key']}.json").write_text(json.dumps(f, ensure_ascii=False), encoding="utf-8")
    manifest = {"files": {"p3/scan.pdf": {"fate": "filing", "filing": "p3", "role": "scan"},
                          "汇总表.pdf": {"fate": "summary_table"}},
                "summary_tables": [{"sources": ["汇总表.pdf"], "flags": ["MISSING_STAMP"], "status": "needs_review"}]}
    (truth / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    return out, truth


def write(out, records):
    (out / "records.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def summary(flags=("MISSING_STAMP",), status="needs_review"):
    return {"kind": "summary_table", "province": "广东省", "status": status,
            "sources": [{"path": "汇总表.pdf", "sha256": "0" * 64, "role": "scan", "pages": 1}],
            "flags": [{"code": c, "message": "m"} for c in flags]}


def test_perfect_run(sample, capsys):
    out, truth = sample
    write(out, [
        summary(),
        record("甲中试平台", U1),
        record("乙 中试平台", U2.lower(), [("INELIGIBLE", "equipment_value")], "needs_review"),
        record(None, None, [("CLASSIFIED_MARKING", None)], "quarantined", paths=["p3/scan.pdf"]),
    ])
    assert rules_eval.main([str(out), str(truth), "--min", "0.98"]) == 0
    report = rules_eval.figures(rules_eval.score(rules_eval.load_records(out), rules_eval.load_truth(truth)))
    assert report["status_accuracy"] == 1.0 and report["summary_status_accuracy"] == 1.0
    assert report["flags"]["INELIGIBLE[equipment_value]"] == {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0}
    assert "INELIGIBLE" in capsys.readouterr().out


def test_errors_are_counted(sample):
    out, truth = sample
    write(out, [
        summary(flags=(), status="ready"),
        record("甲中试平台", U1, [("LOW_CONFIDENCE", "city")], "needs_review"),  # a false positive
        record("乙中试平台", U2, [("INELIGIBLE", "fulltime_staff")], "needs_review"),  # right code, wrong field
        record("丁中试平台", "91440300MA5FYYYY2B"),  # matches nothing
    ])
    report = rules_eval.figures(rules_eval.score(rules_eval.load_records(out), rules_eval.load_truth(truth)))
    flags = report["flags"]
    assert (flags["LOW_CONFIDENCE"]["fp"], flags["LOW_CONFIDENCE"]["precision"]) == (1, 0.0)
    assert flags["INELIGIBLE"]["recall"] == 1.0
    assert (flags["INELIGIBLE[equipment_value]"]["fn"], flags["INELIGIBLE[fulltime_staff]"]["fp"]) == (1, 1)
    assert flags["CLASSIFIED_MARKING"]["recall"] == 0.0  # p3 has no record
    assert flags["MISSING_STAMP"]["recall"] == 0.0
    assert report["status_accuracy"] == pytest.approx(1 / 3)  # p1 wrong, p2 right, p3 missing
    assert (report["unmatched_records"], report["unmatched_truth"]) == (1, 1)
    assert rules_eval.main([str(out), str(truth), "--min", "0.98"]) == 1


def test_missing_inputs(tmp_path):
    assert rules_eval.main([str(tmp_path), str(tmp_path)]) == 2


def test_a_wrong_value_without_a_flag_is_counted_as_silent(sample, capsys):
    out, truth = sample
    p1 = json.loads((truth / "filings" / "p1.json").read_text(encoding="utf-8"))
    p1["fields"] = {"equipment_value_wan": 1250.5, "city": "广州市", "has_roadmap": True, "contact_name": "张*"}
    (truth / "filings" / "p1.json").write_text(json.dumps(p1, ensure_ascii=False), encoding="utf-8")

    def run(fields, flags=()):
        rec = record("甲中试平台", U1, flags)
        rec["fields"].update(fields)
        write(out, [summary(), rec,
                    record("乙中试平台", U2, [("INELIGIBLE", "equipment_value")], "needs_review"),
                    record(None, None, [("CLASSIFIED_MARKING", None)], "quarantined", paths=["p3/scan.pdf"])])
        return rules_eval.figures(rules_eval.score(rules_eval.load_records(out), rules_eval.load_truth(truth)))

    right = {"equipment_value_wan": 1250.5, "city": "广州 市", "has_roadmap": True, "contact_name": "张*"}
    assert run(right)["silent_wrong_values"] == []
    wrong = dict(right, equipment_value_wan=125.5, has_roadmap=False)
    report = run(wrong)
    assert [(w["field"], w["read"]) for w in report["silent_wrong_values"]] == [("equipment_value_wan", 125.5),
                                                                                ("has_roadmap", False)]
    assert rules_eval.main([str(out), str(truth), "--min", "0.98"]) == 1  # a silent wrong value fails the run
    assert "silent wrong values" in capsys.readouterr().err
    # The same misreads with LOW_CONFIDENCE on their fields are not silent.
    flagged = run(wrong, [("LOW_CONFIDENCE", "equipment_value_wan"), ("LOW_CONFIDENCE", "has_roadmap")])
    assert flagged["silent_wrong_values"] == []


def test_low_confidence_on_a_misread_value_is_counted_apart(sample):
    out, truth = sample
    p1 = json.loads((truth / "filings" / "p1.json").read_text(encoding="utf-8"))
    p1["fields"] = {"host_unit": "汕头市铖宇半导体有限公司", "city": "汕头市"}
    (truth / "filings" / "p1.json").write_text(json.dumps(p1, ensure_ascii=False), encoding="utf-8")

    def run(fields, flags):
        rec = record("甲中试平台", U1, flags, "needs_review")
        rec["fields"].update(fields)
        write(out, [summary(), rec,
                    record("乙中试平台", U2, [("INELIGIBLE", "equipment_value")], "needs_review"),
                    record(None, None, [("CLASSIFIED_MARKING", None)], "quarantined", paths=["p3/scan.pdf"])])
        return rules_eval.figures(rules_eval.score(rules_eval.load_records(out), rules_eval.load_truth(truth)))

    # The flag names a field that really was misread: strict FP, but listed as warranted.
    misread = run({"host_unit": "汕头市氏宇半导体有限公司", "city": "汕头市"}, [("LOW_CONFIDENCE", "host_unit")])
    assert misread["flags"]["LOW_CONFIDENCE"]["precision"] == 0.0
    assert misread["low_confidence_on_misreads"] == [{"filing": "p1", "fields": ["host_unit"]}]
    assert misread["low_confidence_precision_counting_misreads"] == 1.0
    # A flag on a value read right stays a false positive in both figures.
    right = run({"host_unit": "汕头市铖宇半导体有限公司", "city": "汕头市"}, [("LOW_CONFIDENCE", "host_unit")])
    assert right["low_confidence_on_misreads"] == []
    assert right["low_confidence_precision_counting_misreads"] == 0.0
