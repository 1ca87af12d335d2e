"""The records store: every batch's records, each platform's versions, flags and an audit trail.

SQLite file by default, PostgreSQL by URL (`postgresql+psycopg://…`). Opening a store
brings its schema to the latest Alembic migration. Saving a batch is idempotent: the
same batch with the same records writes nothing at all; records.jsonl is an export of
what the store holds.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from pilot_intake.errors import StoreError
from records.store.tables import AuditEvent, Batch, BatchEntry, Filing, FlagRow, Version
from rules.fields import norm_text, norm_uscc

MIGRATIONS = Path(__file__).parent / "migrations"
DB_FILE = "pilot-intake.sqlite3"


def dump(record: dict[str, Any]) -> str:
    """One record as a line of records.jsonl (UTF-8 text, not escaped; key order kept)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_url(out_dir: Path) -> str:
    """The SQLite file under OUT_DIR used when no --db is given."""
    return f"sqlite:///{(Path(out_dir) / DB_FILE).resolve()}"


def default_actor() -> str:
    try:
        return f"{getpass.getuser()}@{socket.gethostname()}"
    except (OSError, KeyError):  # no user name in a bare container
        return f"unknown@{socket.gethostname()}"


def platform_key(uscc: str | None, platform_name: str | None) -> str | None:
    """`<uscc>/<platform name>` with whitespace and full/half-width differences removed."""
    u, n = norm_uscc(uscc) if uscc else None, norm_text(platform_name) if platform_name else None
    if not u and not n:
        return None
    return f"{u or '-'}/{n or '-'}"


def batch_key(records: list[dict[str, Any]]) -> str:
    """A batch is its files: the sorted (path, sha256) of every source and quarantined file."""
    files = set()
    for r in records:
        if r.get("kind") == "quarantined":
            files.add((r["path"], r.get("sha256") or ""))
        for s in r.get("sources", []):
            files.add((s["path"], s["sha256"]))
    return _sha("\n".join(f"{p}\t{h}" for p, h in sorted(files)))


def field_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any] | None:
    """What changed from one version's record to the next: fields, status, eligibility, flags, equipment.

    None for a first version; `{}` when nothing a reviewer reads changed.
    """
    if old is None:
        return None
    out: dict[str, Any] = {}
    for part in ("fields", "eligibility"):
        a, b = old.get(part) or {}, new.get(part) or {}
        changes = {k: {"old": a.get(k), "new": b.get(k)} for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)}
        if changes:
            out[part] = changes
    if old.get("status") != new.get("status"):
        out["status"] = {"old": old.get("status"), "new": new.get("status")}

    def flag_keys(r: dict[str, Any]) -> set[str]:
        return {f"{f['code']}:{f['field']}" if f.get("field") else f["code"] for f in r.get("flags", [])}

    added, removed = sorted(flag_keys(new) - flag_keys(old)), sorted(flag_keys(old) - flag_keys(new))
    if added or removed:
        out["flags"] = {"added": added, "removed": removed}
    if (old.get("equipment") or []) != (new.get("equipment") or []):
        out["equipment"] = {"old": old.get("equipment") or [], "new": new.get("equipment") or []}
    return out


@dataclass
class SaveResult:
    batch_key: str
    created: bool  # a batch the store had not seen
    changed: bool  # anything was written
    new_versions: list[tuple[str, int]] = field(default_factory=list)  # (platform key, version number)


def _filing_identity(record: dict[str, Any]) -> tuple[str, str | None, str | None]:
    fields = record.get("fields") or {}
    name, uscc = fields.get("platform_name"), fields.get("uscc")
    # A quarantined filing carries no fields: it is known by its record id only.
    key = platform_key(uscc, name) or f"record:{record['filing_id']}"
    return key, name, (norm_uscc(uscc) if uscc else None)


class Store:
    def __init__(self, engine: Engine, clock: Callable[[], datetime]):
        self.engine = engine
        self.clock = clock

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # --- writing ------------------------------------------------------------------

    def save_batch(
        self,
        records: list[dict[str, Any]],
        *,
        actor: str | None = None,
        round: str | None = None,  # noqa: A002 - the round's name, as on the CLI
        label: str | None = None,
    ) -> SaveResult:
        """Store a batch's records in order; a platform whose record changed gets a new version.

        Rerunning a batch that gives the same records changes nothing (not even the audit
        trail). A rerun that gives different records (a newer pipeline) replaces the
        batch's entries and adds versions for the platforms whose record changed.
        """
        actor = actor or default_actor()
        key = batch_key(records)
        lines = [dump(r) for r in records]
        records_sha = _sha("\n".join(lines))
        province = next((r.get("province") for r in records if r.get("kind") == "summary_table" and r.get("province")), None)
        try:
            with self.session() as s, s.begin():
                batch = s.scalar(select(Batch).where(Batch.batch_key == key))
                if batch is not None and batch.records_sha == records_sha:
                    return SaveResult(key, created=False, changed=False)
                now = self.clock()
                created = batch is None
                if batch is None:
                    batch = Batch(batch_key=key, records_sha=records_sha, province=province, round=round,
                                  label=label, created_at=now, created_by=actor)
                    s.add(batch)
                    s.flush()
                    self._audit(s, now, actor, "batch_saved", batch_id=batch.id,
                                detail={"records": len(records), "round": round, "label": label})
                else:
                    s.query(BatchEntry).filter(BatchEntry.batch_id == batch.id).delete()
                    batch.records_sha = records_sha
                    batch.round = round or batch.round
                    self._audit(s, now, actor, "batch_reprocessed", batch_id=batch.id,
                                detail={"records": len(records), "round": round, "label": label})
                result = SaveResult(key, created=created, changed=True)
                for position, (record, line) in enumerate(zip(records, lines)):
                    entry = BatchEntry(batch_id=batch.id, position=position, kind=record.get("kind", ""))
                    if record.get("kind") == "filing":
                        version = self._version_for(s, batch, record, line, now, actor, result)
                        entry.version_id = version.id
                    else:
                        entry.record_json = line
                    s.add(entry)
                return result
        except SQLAlchemyError as e:
            raise StoreError(f"无法写入记录库 {self.url}：{e.__class__.__name__}: {e}") from e

    def _version_for(self, s: Session, batch: Batch, record: dict[str, Any], line: str, now: datetime,
                     actor: str, result: SaveResult) -> Version:
        key, name, uscc = _filing_identity(record)
        filing = s.scalar(select(Filing).where(Filing.platform_key == key))
        if filing is None:
            filing = Filing(platform_key=key, platform_name=name, uscc=uscc, created_at=now)
            s.add(filing)
            s.flush()
        last = s.scalar(select(Version).where(Version.filing_id == filing.id).order_by(Version.version_no.desc()).limit(1))
        sha = _sha(line)
        if last is not None and last.record_sha == sha and last.batch_id == batch.id:
            return last  # this batch's record for the platform, unchanged
        diff = field_diff(json.loads(last.record_json) if last else None, record)
        version = Version(
            filing_id=filing.id, version_no=(last.version_no + 1) if last else 1, batch_id=batch.id,
            round=batch.round, record_id=record["filing_id"], status=record["status"], record_json=line,
            record_sha=sha, diff_json=None if diff is None else dump(diff), created_at=now,
        )
        s.add(version)
        s.flush()
        for i, f in enumerate(record.get("flags", [])):
            s.add(FlagRow(version_id=version.id, position=i, code=f["code"], field=f.get("field"), message=f["message"]))
        self._audit(s, now, actor, "version_added", batch_id=batch.id, filing_id=filing.id, version_id=version.id,
                    detail={"platform_key": key, "version_no": version.version_no, "status": version.status,
                            "changed": sorted((diff or {}).get("fields", {}))})
        result.new_versions.append((key, version.version_no))
        return version

    @staticmethod
    def _audit(s: Session, at: datetime, actor: str, action: str, *, detail: dict[str, Any],
               batch_id: int | None = None, filing_id: int | None = None, version_id: int | None = None) -> None:
        s.add(AuditEvent(at=at, actor=actor, action=action, batch_id=batch_id, filing_id=filing_id,
                         version_id=version_id, detail_json=dump(detail)))

    # --- reading ------------------------------------------------------------------

    def batch_lines(self, key: str) -> list[str]:
        """The batch's records.jsonl lines, in the order they were saved."""
        with self.session() as s:
            batch = s.scalar(select(Batch).where(Batch.batch_key == key))
            if batch is None:
                raise StoreError(f"记录库中没有该批次（{key[:12]}…）")
            rows = s.execute(
                select(BatchEntry.record_json, Version.record_json)
                .outerjoin(Version, BatchEntry.version_id == Version.id)
                .where(BatchEntry.batch_id == batch.id)
                .order_by(BatchEntry.position)
            ).all()
        return [own if own is not None else version for own, version in rows]

    def records(self, key: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.batch_lines(key)]

    def export_jsonl(self, key: str, path: Path) -> Path:
        """Write the batch's records.jsonl from the store (atomically, as the writer does)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text("".join(line + "\n" for line in self.batch_lines(key)), encoding="utf-8")
        tmp.replace(path)
        return path

    def counts(self) -> dict[str, int]:
        """Rows per table: what tests and the demo use to show a rerun wrote nothing."""
        with self.session() as s:
            return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0
                    for t in (Batch, Filing, Version, FlagRow, BatchEntry, AuditEvent)}

    def audit_trail(self) -> Iterator[dict[str, Any]]:
        with self.session() as s:
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id)):
                yield {"at": e.at, "actor": e.actor, "action": e.action, "detail": json.loads(e.detail_json)}


def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    # SQLite leaves foreign keys unchecked unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest migration."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_store(url: str, *, clock: Callable[[], datetime] | None = None) -> Store:
    """Open (and migrate) the store at `url`: `sqlite:///path` or `postgresql+psycopg://…`."""
    try:
        engine = create_engine(url)
    except (SQLAlchemyError, ImportError, ValueError) as e:
        raise StoreError(f"记录库地址无法使用：{url}（{e}）") from e
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_foreign_keys)
        if engine.url.database:
            Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        upgrade(engine)
    except SQLAlchemyError as e:
        engine.dispose()
        raise StoreError(f"无法打开记录库 {engine.url.render_as_string(hide_password=True)}：{e}") from e
    return Store(engine, clock or (lambda: datetime.now(UTC)))
