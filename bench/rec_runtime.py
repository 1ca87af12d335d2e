"""RapidOCR's recogniser on onnxruntime and on OpenVINO: milliseconds a line and how far the outputs differ.

    python bench/rec_runtime.py [--widths 320 480 650] [--runs 30]

One thread each, as the scan workers run them (extractors/openvino_rt.py). The input is a
rendered line of text normalised as rapidocr does, at each width; CPU milliseconds are the
median of --runs calls after one warm-up call. Prints, per width, both runtimes, their ratio,
the largest difference between the two outputs and whether every time step's best character
is the same.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
TEXT = "广东省先进陶瓷材料中试平台有限公司（盖章）二〇二六年十二月二十八日"


def line_tensor(rec, width: int) -> np.ndarray:
    from samples.render_scan import SC_INDEX, SCAN_FONT

    img = Image.new("L", (width * 2, 96), 255)
    ImageDraw.Draw(img).text((20, 18), TEXT, font=ImageFont.truetype(SCAN_FONT, 56, index=SC_INDEX), fill=0)
    bgr = np.stack([np.asarray(img)] * 3, axis=-1)
    return rec.resize_norm_img(bgr, width / 48)[np.newaxis].astype(np.float32)


def cpu_ms(call, x: np.ndarray, runs: int) -> float:
    call(x)
    times = []
    for _ in range(runs):
        t = time.process_time()
        call(x)
        times.append(time.process_time() - t)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--widths", type=int, nargs="+", default=[320, 480, 650])
    ap.add_argument("--runs", type=int, default=30)
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from extractors import openvino_rt
    from extractors.ocr import load_rapidocr

    if not openvino_rt.available():
        raise SystemExit("openvino is not installed: pip install 'openvino>=2024.0'")
    rec = load_rapidocr("onnxruntime").text_rec
    onnx = rec.session
    vino = openvino_rt.OpenVinoSession(openvino_rt.onnx_model_path(onnx), streams=1)  # unpadded: the same input
    print(f"{'width':>6s} {'onnxruntime ms':>15s} {'openvino ms':>12s} {'ratio':>6s} {'max |diff|':>11s}  same characters")
    for w in a.widths:
        x = line_tensor(rec, w)
        want, got = onnx(x)[0], vino(x)[0]
        t_onnx, t_vino = cpu_ms(onnx, x, a.runs), cpu_ms(vino, x, a.runs)
        same = bool((want.argmax(-1) == got.argmax(-1)).all())
        print(f"{w:6d} {t_onnx:15.1f} {t_vino:12.1f} {t_onnx / t_vino:5.2f}x {np.abs(want - got).max():11.1e}  {same}")


if __name__ == "__main__":
    main()
