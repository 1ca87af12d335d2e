"""Build an image-only PDF of N dense 300-dpi information-sheet pages for the OCR benchmarks.

    python bench/ocr_pages_pdf.py OUT.pdf --pages 20 [--dpi 300]

Pages are drawn with tests/ocr/ocr_pages.py (Noto Sans CJK, ruled label|value
table, equipment table, signature block), each with different values, then
stored as JPEG (q 85) page images in one PDF, as a scanner would.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ocr"))
from ocr_pages import EQUIPMENT_HEADER, PageSpec, render_page  # noqa: E402

EXTRA_LABELS = [
    ("通讯地址", "广东省广州市天河区科韵路{n}号"),
    ("重点方向", "新材料"),
    ("法定代表人", "李*"),
    ("联系人", "王*"),
    ("电子邮箱", "wa***@example.com"),
    ("上年度中试服务收入（万元）", "{rev}"),
    ("依托单位主营业务收入（万元）", "{host}"),
    ("服务企业数量（家）", "{ent}"),
    ("成功完成新产品产业化（项）", "{prod}"),
    ("是否制定中试服务清单", "是"),
    ("是否依托工业和信息化部直属单位", "否"),
]


def page_spec(i: int) -> PageSpec:
    rng = random.Random(i)
    base = PageSpec().fields
    extra = [
        (k, v.format(n=rng.randint(1, 999), rev=f"{rng.uniform(900, 5000):,.1f}", host=f"{rng.uniform(1e4, 9e4):,.1f}",
                     ent=rng.randint(5, 80), prod=rng.randint(1, 9)))
        for k, v in EXTRA_LABELS
    ]
    equipment = [EQUIPMENT_HEADER] + [
        [str(j), f"中试设备{j}号", f"M-{rng.randint(100, 999)}", str(rng.randint(1, 5)),
         f"{rng.uniform(50, 900):.1f}", f"{rng.randint(100, 900)}MPa", rng.choice("是否")]
        for j in range(1, 5)
    ]
    return PageSpec(fields=base + extra, equipment=equipment,
                    footer=["依托单位（盖章）：广州新材科技股份有限公司", "日期：2026年12月28日"])


def build(out: Path, pages: int, dpi: int = 300) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        images = []
        for i in range(pages):
            png = render_page(Path(tmp) / f"p{i}.png", page_spec(i), dpi=dpi)
            buf = io.BytesIO()
            Image.open(png).convert("L").save(buf, "JPEG", quality=85)
            images.append(Image.open(io.BytesIO(buf.getvalue())))
        images[0].save(out, save_all=True, append_images=images[1:], resolution=dpi)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--dpi", type=int, default=300)
    a = ap.parse_args()
    build(a.out, a.pages, a.dpi)
    print(f"{a.out}: {a.pages} pages at {a.dpi} dpi")


if __name__ == "__main__":
    main()
