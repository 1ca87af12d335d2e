"""Documents are grouped into filings by content, tolerant of OCR damage."""

from __future__ import annotations

from pathlib import Path

from pilot_intake.grouping import group_documents
from pilot_intake.models import DocKind, ExtractedDoc, FieldValue, FileType, Medium, Role, SourceFile

_TYPES = {".xlsx": FileType.XLSX, ".pdf": FileType.PDF, ".jpg": FileType.JPEG}


def doc(path: str, kind=DocKind.INFO_SHEET, medium=Medium.XLSX, name=None, uscc=None, province=None):
    fields = {}
    if name:
        fields["platform_name"] = FieldValue(key="platform_name", raw=name, value=name)
    if uscc:
        fields["uscc"] = FieldValue(key="uscc", raw=uscc, value=uscc)
    src = SourceFile(path=path, abs_path=Path("/nonexistent") / path, sha256=str(abs(hash(path))).ljust(64, "0")[:64],
                     size=1, file_type=_TYPES[Path(path).suffix])
    return ExtractedDoc(source=src, kind=kind, medium=medium, fields=fields, province=province)


A, UA = "广东省先进陶瓷材料中试平台", "91440101MA5C1234X1"
B, UB = "广东省智能传感器中试平台", "91440300MA5D5678Y2"


def test_groups_by_name_and_uscc_with_roles():
    docs = [
        doc("x/1.xlsx", name=A, uscc=UA),
        doc("x/扫描.pdf", medium=Medium.SCAN, name="广东省先进陶瓷材料中试平合", uscc=UA),  # OCR: 台→合
        doc("y/2.xlsx", name=B, uscc=UB),
        doc("y/设备.xlsx", kind=DocKind.EQUIPMENT_TABLE, uscc=UB),
        doc("汇总.xlsx", kind=DocKind.SUMMARY_TABLE, province="广东省"),
    ]
    g = group_documents(docs)
    assert [len(f.docs) for f in g.filings] == [2, 2]
    by_key = {f.name: f for f in g.filings}
    assert {d.source.path: r for d, r in by_key[A].docs} == {"x/1.xlsx": Role.DATA, "x/扫描.pdf": Role.SCAN}
    assert {d.source.path: r for d, r in by_key[B].docs} == {"y/2.xlsx": Role.DATA, "y/设备.xlsx": Role.EQUIPMENT}
    assert len(g.summaries) == 1 and g.summaries[0].province == "广东省"
    assert g.unattached == []


def test_same_host_two_platforms_stay_apart():
    g = group_documents([doc("1.xlsx", name=A, uscc=UA), doc("2.xlsx", name=B, uscc=UA)])
    assert len(g.filings) == 2


def test_page_images_without_identity_join_their_sibling():
    docs = [
        doc("p/scan_p1.jpg", medium=Medium.SCAN, name=A, uscc=UA),
        doc("p/scan_p2.jpg", kind=DocKind.OTHER, medium=Medium.SCAN),
        doc("q/lonely.jpg", kind=DocKind.OTHER, medium=Medium.SCAN),
        doc("q/b.xlsx", name=B, uscc=UB),
        doc("stray.jpg", kind=DocKind.OTHER, medium=Medium.SCAN),
    ]
    g = group_documents(docs)
    by_key = {f.name: f for f in g.filings}
    assert [d.source.path for d, _ in by_key[A].docs] == ["p/scan_p1.jpg", "p/scan_p2.jpg"]
    assert all(r is Role.SCAN for _, r in by_key[A].docs)
    # The only filing in its folder takes an unidentified file there.
    assert "q/lonely.jpg" in [d.source.path for d, _ in by_key[B].docs]
    # At the batch root nothing can be inferred: quarantined, with a reason.
    assert [u.doc.source.path for u in g.unattached] == ["stray.jpg"]
    assert g.unattached[0].reason.value == "UNRECOGNIZED"


def test_two_platforms_of_the_same_name_stay_apart():
    # Valid check digits, different units: the same generic name is two platforms.
    u1, u2 = "91440113MAYPKHTN0F", "91441900BKU7ERMW2J"
    docs = [
        doc("01/a.xlsx", name=A, uscc=u1),
        doc("01/a.pdf", medium=Medium.SCAN, name=A, uscc=u1),
        doc("11/b.xlsx", name=A, uscc=u2),
        doc("11/b.pdf", medium=Medium.SCAN, name=A, uscc=u2[:5] + "8" + u2[6:]),  # OCR-damaged, fails the check
    ]
    g = group_documents(docs)
    assert sorted(sorted(d.source.path for d, _ in f.docs) for f in g.filings) == [
        ["01/a.pdf", "01/a.xlsx"], ["11/b.pdf", "11/b.xlsx"]]
    # An OCR slip in one uscc (check digit fails) does not split a platform.
    g = group_documents([doc("01/a.xlsx", name=A, uscc=u1), doc("01/a.pdf", medium=Medium.SCAN, name=A,
                                                                  uscc=u1[:5] + "8" + u1[6:])])
    assert len(g.filings) == 1
