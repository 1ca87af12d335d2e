"""Thin wrapper around the tesseract binary: a start-up probe and one TSV call.

We call the binary ourselves (the same TSV output `pytesseract.image_to_data`
parses) so that each call gets its own environment: OMP_THREAD_LIMIT=1 keeps one
tesseract process on one core when pages run in parallel, without touching
this process's `os.environ`.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pilot_intake.errors import MissingDependencyError

INSTALL_ADVICE = "install it with `apt-get install tesseract-ocr tesseract-ocr-chi-sim` (Debian/Ubuntu)"

# A page of dense Chinese text takes 5–15 s on one core; far beyond that the
# process is hung (a pathological image), and the page is reported unreadable.
DEFAULT_TIMEOUT_S = 180


@dataclass(frozen=True)
class TsvWord:
    """One word of tesseract's TSV output, in the pixels of the image it was given."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float  # 0..100 as tesseract reports it
    block: int
    par: int
    line: int


def _lang_packs(lang: str) -> list[str]:
    return [p for p in lang.split("+") if p]


def probe(cmd: str, lang: str) -> str:
    """Check that `cmd` runs and has every language pack of `lang`; return its version.

    Raises MissingDependencyError with install advice otherwise.
    """
    exe = shutil.which(cmd)
    if exe is None:
        raise MissingDependencyError(f"tesseract ({cmd!r}) was not found", INSTALL_ADVICE)
    try:
        out = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise MissingDependencyError(f"tesseract ({exe}) does not run: {exc}", INSTALL_ADVICE) from exc
    first = (out.stdout or out.stderr).strip().splitlines()
    version = first[0].split()[-1] if first else "unknown"
    major = version.lstrip("v").split(".")[0]
    if major.isdigit() and int(major) < 4:
        raise MissingDependencyError(
            f"tesseract {version} is too old (the LSTM models need 4 or later)", INSTALL_ADVICE
        )
    listed = subprocess.run(
        [exe, "--list-langs"], capture_output=True, text=True, timeout=30
    )
    # The first line is a header ("List of available languages in ...").
    have = {ln.strip() for ln in (listed.stdout or "").splitlines()[1:] if ln.strip()}
    missing = [p for p in _lang_packs(lang) if p not in have]
    if missing:
        packages = " ".join("tesseract-ocr-" + m.replace("_", "-").lower() for m in missing)
        raise MissingDependencyError(
            f"tesseract language data {', '.join(missing)} is missing",
            f"install it with `apt-get install {packages}` "
            "(or put the .traineddata files in TESSDATA_PREFIX)",
        )
    return version


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def image_to_data(
    image: Path,
    *,
    cmd: str = "tesseract",
    lang: str = "chi_sim",
    psm: int = 6,
    dpi: int | None = None,
    extra: tuple[str, ...] = (),
    timeout: float = DEFAULT_TIMEOUT_S,
) -> list[TsvWord]:
    """Run tesseract on one image file and return its words (TSV level 5 rows)."""
    args = [cmd, str(image), "stdout", "-l", lang, "--psm", str(psm)]
    if dpi:
        args += ["--dpi", str(dpi)]
    args += [*extra, "tsv"]
    try:
        proc = subprocess.run(args, capture_output=True, timeout=timeout, env=_env())
    except FileNotFoundError as exc:
        raise MissingDependencyError(f"tesseract ({cmd!r}) was not found", INSTALL_ADVICE) from exc
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"tesseract failed on {image.name}: {msg[-1] if msg else proc.returncode}")
    return parse_tsv(proc.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> list[TsvWord]:
    """Parse tesseract's TSV; keep only word rows (level 5) with text."""
    words: list[TsvWord] = []
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        if not text:
            continue
        words.append(
            TsvWord(
                text=text,
                left=int(row["left"]),
                top=int(row["top"]),
                width=int(row["width"]),
                height=int(row["height"]),
                conf=max(0.0, float(row["conf"])),
                block=int(row["block_num"]),
                par=int(row["par_num"]),
                line=int(row["line_num"]),
            )
        )
    return words


def osd_rotation(image: Path, *, cmd: str = "tesseract", timeout: float = 60) -> tuple[int, float] | None:
    """Tesseract's orientation detection: (degrees to rotate clockwise, confidence), or None."""
    args = [cmd, str(image), "stdout", "--psm", "0", "-l", "osd"]
    try:
        proc = subprocess.run(args, capture_output=True, timeout=timeout, env=_env())
    except (OSError, subprocess.SubprocessError):
        return None
    rotate, conf = None, 0.0
    for ln in proc.stdout.decode("utf-8", "replace").splitlines():
        if ln.startswith("Rotate:"):
            rotate = int(ln.split(":")[1])
        elif ln.startswith("Orientation confidence:"):
            conf = float(ln.split(":")[1])
    return None if rotate is None else (rotate, conf)
