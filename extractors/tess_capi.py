"""Resident tesseract: the system's libtesseract through its C API (ctypes), models loaded once.

The tesseract CLI loads its language model on every call (chi_sim: ≈ 0.4 s CPU,
chi_sim+eng ≈ 0.6 s), twice per page. Here each `TessBaseAPI` handle is
initialised once and reused for every page of a batch.

Why ctypes over the Debian library rather than the `tesserocr` wheel: the library
is the one the `tesseract` binary itself runs (libtesseract5, installed with
tesseract-ocr), so the words, boxes and confidences are identical to the CLI's
TSV; tesserocr's wheel bundles its own tesseract 5.5 (same text, boxes up to
25 px and confidences ≈ 1.5 points apart on a test page), see docs/ocr-speed.md.
The C API (capi.h) is tesseract's stable ABI since 4.0.

Thread safety: a handle is not re-entrant. `ApiPool` hands each caller a handle of
its own for the length of one call (a free one, or a new one), so a handle is
never used by two threads at once and the pool grows to the number of threads
that read at the same time (the scan workers), then stays.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import threading
import weakref
from collections.abc import Iterator

import numpy as np

from pilot_intake.errors import MissingDependencyError

log = logging.getLogger(__name__)

_TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
_LIB_NAMES = ("libtesseract.so.5", "libtesseract.so.4")

_load_lock = threading.Lock()
_lib: ctypes.CDLL | None = None
_lib_error: str | None = None


class Unavailable(RuntimeError):
    """The resident engine cannot be used here (no library, or it would not stay on one core)."""


def _declare(lib: ctypes.CDLL) -> None:
    vp, ip, cp = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    sig = {
        "TessVersion": ([], cp),
        "TessBaseAPICreate": ([], vp),
        "TessBaseAPIDelete": ([vp], None),
        "TessBaseAPIEnd": ([vp], None),
        "TessBaseAPIInit3": ([vp, cp, cp], ip),
        "TessBaseAPISetVariable": ([vp, cp, cp], ip),
        "TessBaseAPISetPageSegMode": ([vp, ip], None),
        "TessBaseAPISetImage": ([vp, vp, ip, ip, ip, ip], None),
        "TessBaseAPISetSourceResolution": ([vp, ip], None),
        "TessBaseAPIRecognize": ([vp, vp], ip),
        "TessBaseAPIGetTsvText": ([vp, ip], vp),  # freed with TessDeleteText: not a c_char_p
        "TessBaseAPIClear": ([vp], None),
        "TessDeleteText": ([vp], None),
        "TessMonitorCreate": ([], vp),
        "TessMonitorDelete": ([vp], None),
        "TessMonitorSetDeadlineMSecs": ([vp, ip], None),
    }
    for name, (args, res) in sig.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, res


def _omp_thread_limit() -> int | None:
    try:
        gomp = ctypes.CDLL("libgomp.so.1")
    except OSError:
        return None  # no OpenMP runtime: tesseract runs single-threaded anyway
    return int(gomp.omp_get_thread_limit())


def library() -> ctypes.CDLL:
    """The loaded libtesseract, or Unavailable with the reason."""
    global _lib, _lib_error
    with _load_lock:
        if _lib is not None:
            return _lib
        if _lib_error is not None:
            raise Unavailable(_lib_error)
        # Debian's libtesseract uses OpenMP; libgomp reads OMP_THREAD_LIMIT once, when it
        # is loaded. Pages already run one per core, so each reading must stay on one
        # core, as the CLI path does with OMP_THREAD_LIMIT=1 in the subprocess.
        if "OMP_THREAD_LIMIT" not in os.environ:
            os.environ["OMP_THREAD_LIMIT"] = "1"
        names = list(_LIB_NAMES)
        found = ctypes.util.find_library("tesseract")
        if found:
            names.append(found)
        lib = None
        for name in names:
            try:
                lib = ctypes.CDLL(name)
                break
            except OSError:
                continue
        if lib is None:
            _lib_error = "libtesseract was not found (the tesseract-ocr package installs libtesseract5)"
        else:
            try:
                _declare(lib)
            except AttributeError as exc:
                _lib_error = f"libtesseract lacks a C API function: {exc}"
            else:
                limit = _omp_thread_limit()
                if limit is not None and limit != 1:
                    _lib_error = (f"OpenMP thread limit is {limit}, not 1 (OMP_THREAD_LIMIT was set, or "
                                  "libgomp was loaded before): in-process tesseract would use several cores per page")
        if _lib_error is not None:
            raise Unavailable(_lib_error)
        _lib = lib
        return lib


def version() -> str:
    return library().TessVersion().decode()


class TessApi:
    """One initialised TessBaseAPI handle for one language string. Not thread-safe."""

    def __init__(self, lib: ctypes.CDLL, lang: str, datapath: str | None = None,
                 variables: tuple[tuple[str, str], ...] = ()):
        self._lib = lib
        self.lang = lang
        self._h = lib.TessBaseAPICreate()
        # datapath None: the library's own default (TESSDATA_PREFIX, else the packaged
        # tessdata), the same data the `tesseract` binary uses.
        rc = lib.TessBaseAPIInit3(self._h, datapath.encode() if datapath else None, lang.encode())
        if rc != 0:
            lib.TessBaseAPIDelete(self._h)
            self._h = None
            raise MissingDependencyError(
                f"tesseract language data {lang} could not be loaded",
                "install it with `apt-get install tesseract-ocr-" + lang.split("+")[0].replace("_", "-").lower()
                + "` (or put the .traineddata files in TESSDATA_PREFIX)",
            )
        for name, value in variables:
            if not lib.TessBaseAPISetVariable(self._h, name.encode(), value.encode()):
                self.close()
                raise ValueError(f"tesseract has no parameter {name!r}")

    def tsv(self, image: np.ndarray, *, psm: int, dpi: int | None, timeout_s: float) -> str:
        """Recognise a gray (H×W) or RGB (H×W×3) uint8 image; tesseract's TSV with a header line."""
        img = np.ascontiguousarray(image, dtype=np.uint8)
        bpp = 1 if img.ndim == 2 else img.shape[2]
        lib, h = self._lib, self._h
        lib.TessBaseAPISetPageSegMode(h, psm)
        lib.TessBaseAPISetImage(h, img.ctypes.data, img.shape[1], img.shape[0], bpp, img.strides[0])
        if dpi:
            lib.TessBaseAPISetSourceResolution(h, int(dpi))
        monitor = lib.TessMonitorCreate()
        try:
            # A pathological image can run for minutes; the deadline ends it as the
            # CLI path's subprocess timeout does.
            lib.TessMonitorSetDeadlineMSecs(monitor, int(timeout_s * 1000))
            if lib.TessBaseAPIRecognize(h, monitor) != 0:
                raise RuntimeError(f"tesseract could not recognise the image (or ran past {timeout_s:.0f} s)")
            ptr = lib.TessBaseAPIGetTsvText(h, 0)
            try:
                text = ctypes.string_at(ptr).decode("utf-8", "replace") if ptr else ""
            finally:
                if ptr:
                    lib.TessDeleteText(ptr)
        finally:
            lib.TessMonitorDelete(monitor)
            lib.TessBaseAPIClear(h)  # drop the page's results and image; the model stays
        return _TSV_HEADER + text

    def close(self) -> None:
        if self._h is not None:
            self._lib.TessBaseAPIEnd(self._h)
            self._lib.TessBaseAPIDelete(self._h)
            self._h = None


def _close_all(handles: list[TessApi]) -> None:
    for api in handles:
        api.close()
    handles.clear()


class ApiPool:
    """Initialised handles of one language, lent to one caller at a time."""

    def __init__(self, lang: str, datapath: str | None = None, variables: tuple[tuple[str, str], ...] = ()):
        self.lang = lang
        self._lib = library()
        self._datapath = datapath
        self._variables = variables
        self._idle: list[TessApi] = []
        self._all: list[TessApi] = []
        self._lock = threading.Lock()
        # Free the models when the pool goes (or at exit: libtesseract warns about
        # handles still alive when it unloads).
        self._finalizer = weakref.finalize(self, _close_all, self._all)

    @contextlib.contextmanager
    def handle(self) -> Iterator[TessApi]:
        with self._lock:
            api = self._idle.pop() if self._idle else None
        if api is None:
            api = TessApi(self._lib, self.lang, self._datapath, self._variables)  # outside the lock: init takes ~0.4 s
            with self._lock:
                self._all.append(api)
        try:
            yield api
        finally:
            with self._lock:
                self._idle.append(api)

    @property
    def size(self) -> int:
        return len(self._all)

    def close(self) -> None:
        self._finalizer()
