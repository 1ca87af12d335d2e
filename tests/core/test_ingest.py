"""Batch intake: every file is accounted for; archives cannot escape the work folder."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pikepdf
import pytest
from openpyxl import Workbook

from extractors.ingest import collect, sniff, unpack_zip
from pilot_intake.errors import UsageError
from pilot_intake.models import FileType, QuarantineReason
from pilot_intake.settings import Settings


def _pdf(path: Path, password: str | None = None) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if password:
        pdf.save(path, encryption=pikepdf.Encryption(user=password, owner=password))
    else:
        pdf.save(path)
    return path


def _xlsx(path: Path) -> Path:
    wb = Workbook()
    wb.active["A1"] = "储备中试平台申报信息表"
    wb.save(path)
    return path


def _png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (20, 20), "white").save(path, format="PNG")
    return path


@pytest.fixture()
def settings() -> Settings:
    return Settings(workers=1)


@pytest.mark.parametrize(
    "maker, name, expected",
    [
        (_pdf, "noext", FileType.PDF),
        (_xlsx, "表.pdf", FileType.XLSX),  # the extension lies; the bytes decide
        (_png, "scan.jpg", FileType.PNG),
    ],
)
def test_sniff_uses_bytes_not_extension(tmp_path, maker, name, expected):
    assert sniff(maker(tmp_path / name)) is expected


def test_every_file_is_accounted_for(tmp_path, settings):
    batch = tmp_path / "batch"
    (batch / "sub").mkdir(parents=True)
    _xlsx(batch / "a.xlsx")
    _pdf(batch / "sub" / "scan.pdf")
    (batch / "sub" / "copy.pdf").write_bytes((batch / "sub" / "scan.pdf").read_bytes())
    (batch / "empty.pdf").write_bytes(b"")
    _pdf(batch / "locked.pdf", password="x")
    (batch / "note.txt").write_text("说明", encoding="utf-8")
    (batch / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")

    files = collect(batch, tmp_path / "work", settings)
    seen = [s.path for s in files.sources] + [q.path for q in files.quarantined]
    all_files = sorted(p.relative_to(batch).as_posix() for p in batch.rglob("*") if p.is_file())
    assert sorted(seen) == all_files
    assert len(seen) == len(set(seen))
    reasons = {q.path: q.reason for q in files.quarantined}
    assert reasons["empty.pdf"] is QuarantineReason.EMPTY
    assert reasons["note.txt"] is QuarantineReason.UNSUPPORTED_TYPE
    assert reasons[".DS_Store"] is QuarantineReason.UNSUPPORTED_TYPE
    # The later path in sorted order is the duplicate, and its message names the first.
    assert reasons["sub/scan.pdf"] is QuarantineReason.DUPLICATE
    dup = next(q for q in files.quarantined if q.path == "sub/scan.pdf")
    assert "sub/copy.pdf" in dup.message
    # Encryption is found when the PDF is opened (extractors.pdf), not at intake.
    assert {s.path for s in files.sources} == {"a.xlsx", "sub/copy.pdf", "locked.pdf"}


def _zip(path: Path, members: dict[str, bytes], *, utf8_names: bool = True) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            # Windows archivers write GBK bytes without the UTF-8 flag: write an ASCII
            # placeholder of the same length, then put the GBK bytes in its place.
            zf.writestr(name if utf8_names else "A" * len(name.encode("gbk")), data)
    if not utf8_names:
        blob = path.read_bytes()
        for name in members:
            gbk = name.encode("gbk")
            blob = blob.replace(b"A" * len(gbk), gbk)
        path.write_bytes(blob)
    return path


def test_zip_entries_cannot_escape(tmp_path, settings):
    archive = _zip(tmp_path / "b.zip", {
        "ok/表.xlsx": b"x" * 10,
        "../evil.txt": b"owned",
        "/etc/passwd-copy": b"owned",
        "a/../../evil2.txt": b"owned",
    })
    dest = tmp_path / "work" / "unpacked"
    refused = unpack_zip(archive, dest, settings)
    assert {q.reason for q in refused} == {QuarantineReason.UNSAFE_ARCHIVE_ENTRY}
    assert len(refused) == 3
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "work" / "evil2.txt").exists()
    assert (dest / "ok" / "表.xlsx").read_bytes() == b"x" * 10


def test_zip_symlink_entry_is_refused(tmp_path, settings):
    archive = tmp_path / "l.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    refused = unpack_zip(archive, tmp_path / "out", settings)
    assert [q.reason for q in refused] == [QuarantineReason.UNSAFE_ARCHIVE_ENTRY]


def test_zip_gbk_names_are_recovered(tmp_path, settings):
    archive = _zip(tmp_path / "gbk.zip", {"广东省/汇总表.txt": "内容".encode("utf-8")}, utf8_names=False)
    unpack_zip(archive, tmp_path / "out", settings)
    assert (tmp_path / "out" / "广东省" / "汇总表.txt").exists()


def test_zip_bomb_member_is_capped(tmp_path):
    settings = Settings(workers=1, max_file_bytes=1000)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.bin", b"\0" * 100_000)
    refused = unpack_zip(archive, tmp_path / "out", settings)
    assert [q.reason for q in refused] == [QuarantineReason.TOO_LARGE]
    assert not (tmp_path / "out" / "big.bin").exists()


def test_collect_from_zip_uses_batch_paths(tmp_path, settings):
    _xlsx(tmp_path / "s.xlsx")
    archive = _zip(tmp_path / "b.zip", {"省/s.xlsx": (tmp_path / "s.xlsx").read_bytes()})
    files = collect(archive, tmp_path / "work", settings)
    assert [s.path for s in files.sources] == ["省/s.xlsx"]
    assert files.sources[0].file_type is FileType.XLSX


def test_batch_must_exist_or_be_archive(tmp_path, settings):
    with pytest.raises(UsageError):
        collect(tmp_path / "missing", tmp_path / "w", settings)
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(UsageError):
        collect(tmp_path / "x.txt", tmp_path / "w", settings)
