import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from rich.console import Console

from pilot_intake.errors import StoreError, UsageError
from records.schema import validate_line
from records.store import field_diff, history, open_store, platform_key, render_history
from records.store.store import dump
from records.store.tables import Base

from .records import A, B, batch_next_quarter, batch_q4, filing


def test_saved_batch_exports_exactly_its_records(store, tmp_path):
    records = batch_q4()
    result = store.save_batch(records, actor="tester", round="2026-12", label="广东省 2026-12")
    assert result.created and result.changed
    assert result.new_versions == [(platform_key(*A[::-1]), 1), (platform_key(*B[::-1]), 1)]
    path = store.export_jsonl(result.batch_key, tmp_path / "records.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == [dump(r) for r in records]
    for line in lines:
        validate_line(line)  # the export is contract-valid
    assert store.counts() == {"batches": 1, "filings": 2, "versions": 2, "flags": 1, "batch_entries": 4,
                              "audit_events": 3}


def test_rerun_changes_nothing(store):
    first = store.save_batch(batch_q4(), actor="tester", round="2026-12")
    before, trail = store.counts(), list(store.audit_trail())
    again = store.save_batch(batch_q4(), actor="someone else", round="2026-12")
    assert (again.batch_key, again.created, again.changed, again.new_versions) == (first.batch_key, False, False, [])
    assert store.counts() == before
    assert list(store.audit_trail()) == trail


def test_later_round_adds_versions_with_field_diffs(store):
    store.save_batch(batch_q4(), actor="tester", round="2026-12")
    result = store.save_batch(batch_next_quarter(), actor="tester", round="2027Q1")
    assert result.created and sorted(result.new_versions) == sorted([(platform_key(*A[::-1]), 2), (platform_key(*B[::-1]), 2)])
    h = history(store, B[1])
    assert [v.version_no for v in h.versions] == [1, 2]
    assert [v.round for v in h.versions] == ["2026-12", "2027Q1"]
    assert h.versions[0].diff is None and h.versions[0].flags == ("INELIGIBLE:equipment_value",)
    diff = h.versions[1].diff
    assert diff["fields"] == {"equipment_value_wan": {"old": 800.0, "new": 1300.0},
                              "fill_date": {"old": "2026-12-28", "new": "2027-03-29"}}
    assert diff["status"] == {"old": "needs_review", "new": "ready"}
    assert diff["flags"] == {"added": [], "removed": ["INELIGIBLE:equipment_value"]}
    unchanged_fields = history(store, A[0]).versions[1].diff
    assert unchanged_fields == {"fields": {"fill_date": {"old": "2026-12-28", "new": "2027-03-29"}}}
    actions = [e["action"] for e in store.audit_trail()]
    assert actions == ["batch_saved", "version_added", "version_added", "batch_saved", "version_added", "version_added"]


def test_reprocessed_batch_replaces_its_records(store, tmp_path):
    first = store.save_batch(batch_q4(), actor="tester", round="2026-12")
    newer = batch_q4()
    newer[1]["flags"] = [{"code": "LOW_CONFIDENCE", "field": "fulltime_staff", "message": "识别置信度低"}]
    newer[1]["status"] = "needs_review"
    result = store.save_batch(newer, actor="tester", round="2026-12")
    assert result.batch_key == first.batch_key and not result.created and result.changed
    assert result.new_versions == [(platform_key(*A[::-1]), 2)]  # B's record did not change
    assert store.records(first.batch_key) == newer
    assert history(store, A[0]).versions[1].diff == {
        "status": {"old": "ready", "new": "needs_review"},
        "flags": {"added": ["LOW_CONFIDENCE:fulltime_staff"], "removed": []},
    }
    assert store.counts()["batch_entries"] == 4


def test_quarantined_filing_without_fields_is_kept_by_record_id(store):
    record = filing(*A, status="quarantined", flags=[{"code": "CLASSIFIED_MARKING", "message": "发现密级标识"}])
    record["fields"] = {}
    result = store.save_batch([record], actor="tester")
    assert result.new_versions == [(f"record:{record['filing_id']}", 1)]
    assert store.records(result.batch_key) == [record]


HISTORY_LOOKUPS = [
    (f"{B[1]}/{B[0]}", B[0]),
    (B[1], B[0]),
    (B[1].lower(), B[0]),
    ("先进陶瓷材料 中试基地", B[0]),
]


@pytest.mark.parametrize("key,name", HISTORY_LOOKUPS)
def test_history_lookup(store, key, name):
    store.save_batch(batch_q4(), actor="tester")
    assert history(store, key).platform_name == name


def test_history_unknown_and_ambiguous(store):
    store.save_batch(batch_q4() + [filing("精密减速器中试平台", "91110000600037341L", files="x")], actor="tester")
    with pytest.raises(UsageError, match="没有平台"):
        history(store, "不存在的平台")
    with pytest.raises(UsageError, match="多个平台"):
        history(store, "精密减速器中试平台")


def test_render_history(store):
    store.save_batch(batch_q4(), actor="tester", round="2026-12", label="广东省 2026-12")
    store.save_batch(batch_next_quarter(), actor="tester", round="2027Q1", label="广东省 2027Q1")
    console = Console(record=True, width=160)
    console.print(render_history(history(store, B[1])))
    text = console.export_text()
    for words in ("先进陶瓷材料中试基地", "共 2 个版本", "首次申报", "中试设备或设施原值：800.0 → 1300.0",
                  "待人工审核 → 可报送", "消除标记：INELIGIBLE:equipment_value", "广东省 2027Q1"):
        assert words in text


def test_field_diff_first_and_unchanged():
    record = filing(*A)
    assert field_diff(None, record) is None
    assert field_diff(record, json.loads(dump(record))) == {}


def test_migrations_match_the_models(store):
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_reopening_a_store_keeps_its_data(store_url):
    with open_store(store_url) as s:
        key = s.save_batch(batch_q4(), actor="tester").batch_key
    with open_store(store_url) as s:
        assert s.records(key) == batch_q4()


def test_unusable_url():
    with pytest.raises(StoreError):
        open_store("nosuchdialect://x")


def test_unknown_batch(store):
    with pytest.raises(StoreError, match="没有该批次"):
        store.batch_lines("0" * 64)


@pytest.mark.postgres
def test_sqlite_and_postgres_give_the_same_records(sqlite_url, pg_url, tmp_path):
    outputs = []
    for url in (sqlite_url, pg_url):
        with open_store(url) as s:
            s.save_batch(batch_q4(), actor="tester", round="2026-12")
            key = s.save_batch(batch_next_quarter(), actor="tester", round="2027Q1").batch_key
            outputs.append((s.export_jsonl(key, tmp_path / f"{len(outputs)}.jsonl").read_bytes(),
                            [(v.version_no, v.status, v.diff) for v in history(s, B[1]).versions]))
    assert outputs[0] == outputs[1]
