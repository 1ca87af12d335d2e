"""Open a batch (folder or .zip), account for every file, hash it and sniff its type.

Every input ends up either as a `SourceFile` for extraction or as a `Quarantine`
entry with a reason from the contract: nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pilot_intake.errors import UsageError
from pilot_intake.models import FileType, QuarantineReason, SourceFile
from pilot_intake.settings import Settings

# Files that operating systems and archivers leave behind; they are accounted for
# (quarantined with a clear message) but never parsed.
_OS_LITTER = {".ds_store", "thumbs.db", "desktop.ini"}

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Quarantine:
    """An input file that made no record, and why."""

    path: str
    sha256: str | None
    reason: QuarantineReason
    message: str


@dataclass
class BatchFiles:
    """The files of a batch: those to extract, and those already quarantined."""

    root: Path  # folder holding the files (the batch folder, or the unpacked zip)
    sources: list[SourceFile] = field(default_factory=list)
    quarantined: list[Quarantine] = field(default_factory=list)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sniff(path: Path) -> FileType:
    """Detect the file type from its bytes; the extension is never trusted."""
    with path.open("rb") as fh:
        head = fh.read(2048)
    if b"%PDF-" in head[:1024]:
        return FileType.PDF
    if head.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return FileType.TIFF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError):
            return FileType.UNKNOWN
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return FileType.XLSX
        if "[Content_Types].xml" in names:
            return FileType.UNKNOWN  # .docx, .pptx: not documents of a filing
        return FileType.ZIP
    return FileType.UNKNOWN


def _describe_unknown(path: Path) -> tuple[QuarantineReason, str]:
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(_OLE2_MAGIC):
        with path.open("rb") as fh:
            blob = fh.read(1 << 20)
        # Password-protected .xlsx files are stored inside an OLE2 container.
        if "EncryptedPackage".encode("utf-16-le") in blob:
            return QuarantineReason.ENCRYPTED, "受密码保护的 Excel 文件，无法读取（password-protected workbook: upload it without a password）"
        return QuarantineReason.UNSUPPORTED_TYPE, "旧版 Office 文件（.xls/.doc），请另存为 .xlsx 或 PDF 后上传（legacy Office file: save as .xlsx or PDF）"
    if head.startswith(b"PK\x03\x04"):
        return QuarantineReason.UNSUPPORTED_TYPE, "Word/PowerPoint 等 Office 文档不是申报材料的受理格式，请提供 .xlsx、PDF 或扫描图片（Office document other than .xlsx）"
    if head.startswith(b"PK") or head.startswith(b"Rar!") or head.startswith(b"7z\xbc\xaf"):
        return QuarantineReason.UNSUPPORTED_TYPE, "压缩包中的压缩包不会被展开，请解压后放入批次（nested archive: unpack it into the batch）"
    kind = "文本文件" if _looks_like_text(head) else "无法识别的文件"
    return QuarantineReason.UNSUPPORTED_TYPE, f"{kind}，不是 .xlsx、PDF 或 JPG/PNG/TIFF（unsupported file type）"


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError:
        try:
            head.decode("gb18030")
            return True
        except UnicodeDecodeError:
            return False


def _zip_member_name(info: zipfile.ZipInfo) -> str:
    """Recover a member's real name: Windows archivers write GBK names without the UTF-8 flag."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return name


def _safe_member_path(name: str) -> PurePosixPath | None:
    """The member's path inside the work folder, or None when it would escape it."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return PurePosixPath(*parts)


def unpack_zip(archive: Path, dest: Path, settings: Settings) -> list[Quarantine]:
    """Unpack `archive` into `dest` safely; return the entries that were refused."""
    refused: list[Quarantine] = []
    dest.mkdir(parents=True, exist_ok=True)
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UsageError(f"{archive} is not a readable .zip archive ({exc})") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > settings.max_archive_entries:
            raise UsageError(
                f"{archive} holds {len(infos)} entries, more than the limit of {settings.max_archive_entries}"
            )
        total = 0
        for info in infos:
            name = _zip_member_name(info)
            if info.is_dir():
                continue
            rel = _safe_member_path(name)
            mode = (info.external_attr >> 16) & 0xFFFF
            if rel is None or stat.S_ISLNK(mode):
                refused.append(
                    Quarantine(name, None, QuarantineReason.UNSAFE_ARCHIVE_ENTRY,
                               "压缩包条目指向批次目录之外或是符号链接，已拒绝解压（archive entry escapes the batch folder or is a link）")
                )
                continue
            if info.flag_bits & 0x1:
                refused.append(Quarantine(str(rel), None, QuarantineReason.ENCRYPTED,
                                          "压缩包条目已加密，无法解压（encrypted archive entry）"))
                continue
            if info.file_size > settings.max_file_bytes:
                refused.append(Quarantine(str(rel), None, QuarantineReason.TOO_LARGE,
                                          f"文件解压后 {info.file_size} 字节，超过上限 {settings.max_file_bytes} 字节（file too large）"))
                continue
            total += info.file_size
            if total > settings.max_archive_bytes:
                refused.append(Quarantine(str(rel), None, QuarantineReason.TOO_LARGE,
                                          "压缩包解压总量超过上限，其余条目未解压（archive expands beyond the size limit）"))
                continue
            target = dest.joinpath(*rel.parts)
            # Defence in depth: the resolved path must stay under dest.
            if not str(target.resolve()).startswith(str(dest.resolve()) + os.sep):
                refused.append(Quarantine(str(rel), None, QuarantineReason.UNSAFE_ARCHIVE_ENTRY,
                                          "压缩包条目指向批次目录之外（archive entry escapes the batch folder）"))
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, target.open("wb") as out:
                    # Copy with a hard cap: the declared size of a member can lie.
                    copied = 0
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        copied += len(chunk)
                        if copied > settings.max_file_bytes:
                            raise OverflowError
                        out.write(chunk)
            except OverflowError:
                target.unlink(missing_ok=True)
                refused.append(Quarantine(str(rel), None, QuarantineReason.TOO_LARGE,
                                          "文件解压后超过大小上限（file expands beyond the size limit）"))
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                target.unlink(missing_ok=True)
                refused.append(Quarantine(str(rel), None, QuarantineReason.UNREADABLE,
                                          f"压缩包条目损坏，无法解压（corrupt archive entry: {exc}）"))
    return refused


def collect(batch: Path, workdir: Path, settings: Settings) -> BatchFiles:
    """Account for every file of the batch: sources to extract, or quarantine entries."""
    if not batch.exists():
        raise UsageError(f"batch not found: {batch}")
    if batch.is_dir():
        root = batch
        refused: list[Quarantine] = []
    elif batch.is_file() and sniff(batch) is FileType.ZIP:
        root = workdir / "unpacked"
        if root.exists():
            shutil.rmtree(root)
        refused = unpack_zip(batch, root, settings)
    else:
        raise UsageError(f"batch must be a folder or a .zip archive: {batch}")

    out = BatchFiles(root=root, quarantined=list(refused))
    paths = sorted(
        (p for p in root.rglob("*") if p.is_file() or p.is_symlink()),
        key=lambda p: p.relative_to(root).as_posix(),
    )
    first_by_hash: dict[str, str] = {}
    for path in paths:
        rel = path.relative_to(root).as_posix()
        q = _screen(path, rel, root, settings)
        if q is not None:
            out.quarantined.append(q)
            continue
        digest = sha256_file(path)
        if digest in first_by_hash:
            out.quarantined.append(Quarantine(rel, digest, QuarantineReason.DUPLICATE,
                                              f"与 {first_by_hash[digest]} 内容完全相同（exact duplicate of {first_by_hash[digest]}）"))
            continue
        first_by_hash[digest] = rel
        ftype = sniff(path)
        if ftype in (FileType.UNKNOWN, FileType.ZIP):
            reason, message = _describe_unknown(path)
            out.quarantined.append(Quarantine(rel, digest, reason, message))
            continue
        out.sources.append(SourceFile(path=rel, abs_path=path, sha256=digest,
                                      size=path.stat().st_size, file_type=ftype))
    return out


def _screen(path: Path, rel: str, root: Path, settings: Settings) -> Quarantine | None:
    """Reasons to quarantine a file before reading a byte of its content."""
    if path.is_symlink():
        try:
            inside = str(path.resolve()).startswith(str(root.resolve()) + os.sep)
        except OSError:
            inside = False
        if not inside:
            return Quarantine(rel, None, QuarantineReason.UNSAFE_ARCHIVE_ENTRY,
                              "符号链接指向批次目录之外，未读取（link points outside the batch）")
    parts = rel.split("/")
    if parts[0] == "__MACOSX" or parts[-1].lower() in _OS_LITTER or parts[-1].startswith("._"):
        return Quarantine(rel, sha256_file(path) if path.stat().st_size else None,
                          QuarantineReason.UNSUPPORTED_TYPE,
                          "操作系统生成的附属文件，不是申报材料（operating-system metadata file）")
    size = path.stat().st_size
    if size == 0:
        return Quarantine(rel, sha256_file(path), QuarantineReason.EMPTY, "文件为空（0 字节）（empty file）")
    if size > settings.max_file_bytes:
        return Quarantine(rel, None, QuarantineReason.TOO_LARGE,
                          f"文件 {size} 字节，超过上限 {settings.max_file_bytes} 字节（file too large）")
    return None
