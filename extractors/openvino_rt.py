"""RapidOCR's recogniser run by OpenVINO instead of onnxruntime: same model, same float32.

On this project's machines OpenVINO's CPU plugin runs PP-OCRv4's recogniser about twice as
fast as onnxruntime at one thread (39 → 23 ms for a 320-px line, 99 → 36 ms for 650 px),
with output probabilities within 2.3e-4 of each other (`bench/rec_runtime.py`;
docs/ocr-speed.md, change 17). RapidOCR keeps its pre- and post-processing; only the
session that runs the recogniser is swapped (`use_openvino`). Lines are padded to a few
widths (`padded_width`), which changes a reading now and then in spaces or a bracket's width;
seal rings are read without it (`as_loaded`).

Three settings matter and are not OpenVINO's defaults:
- `INFERENCE_PRECISION_HINT=f32`: on CPUs with AMX or AVX-512 BF16 the default is bf16,
  which moves logits by up to 0.05 and so can change a reading;
- `ENABLE_CPU_PINNING=False`: pinned, the streams of every compiled model sit on the
  same first cores, and the scan workers' calls queue behind one another;
- one stream of one thread per worker: pages are the unit of parallelism, as with
  tesseract (`OMP_THREAD_LIMIT=1`) and onnxruntime (one intra-op thread).
"""

from __future__ import annotations

import logging
import queue
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from pilot_intake.errors import MissingDependencyError

log = logging.getLogger(__name__)

RUNTIMES = ("auto", "openvino", "onnxruntime")

# OpenVINO's CPU plugin keeps code and buffers for every input shape it has run, for the
# life of the process: about 6 MB a shape, 1 GB after 500 line widths (the four evaluation
# sets have 394 widths in 1029 lines). So lines are padded on the right to one of a few
# widths (`padded_width`): at most 8 per doubling of the width, 31 from 320 to 4096 px.
# The padding is rapidocr's own: it pads every line narrower than 320 px with 0 (mid-gray
# after its normalisation). White padding was tried and made the recogniser add a
# character at the end of a few lines (`…二十八日〇`, `N·m²`).
PAD_VALUE = 0.0


def padded_width(width: int) -> int:
    """`width` rounded up to a multiple of 32 px up to 512, of 64 up to 1024, and so on.

    The padding is under 1/8 of the line, after the line's own margin of half its height.
    """
    step = 32
    while width > 16 * step:
        step *= 2
    return -(-width // step) * step


class OpenVinoSession:
    """Stands in for rapidocr's `OrtInferSession`: `session(x)` → the model's outputs, in order.

    The model is compiled on first use: a batch with no scan never needs it. Infer requests
    are pooled: a request serves one call at a time, there are as many as threads have
    called at once, and OpenVINO runs up to `streams` of them in parallel.
    """

    def __init__(self, model_path: Path, streams: int, pad_widths: bool = False, exact=None) -> None:
        self.model_path = Path(model_path)
        self.streams = max(1, streams)
        self.pad_widths = pad_widths
        # onnxruntime's session as rapidocr loaded it, for calls made `as_loaded`.
        self.exact = exact
        self._local = threading.local()
        self._compiled = None
        self._failed = False  # OpenVINO could not compile or run the model: `exact` runs it
        self._lock = threading.Lock()
        self._idle: queue.SimpleQueue = queue.SimpleQueue()

    def _compile(self):
        import openvino as ov

        config = {
            "INFERENCE_PRECISION_HINT": "f32",
            "ENABLE_CPU_PINNING": False,
            "NUM_STREAMS": self.streams,
            "INFERENCE_NUM_THREADS": self.streams,  # one thread per stream
        }
        return ov.Core().compile_model(str(self.model_path), "CPU", config)

    def _request(self):
        """An idle infer request, or None when OpenVINO failed and `exact` is to run the call."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._compiled is None and not self._failed:
                try:
                    self._compiled = self._compile()
                    self._warm_up()
                except Exception as exc:  # noqa: BLE001 - any failure of the runtime: fall back, say why
                    if self.exact is None:
                        raise
                    log.warning("OpenVINO cannot run the recogniser (%s); onnxruntime runs it", exc)
                    self._compiled, self._failed = None, True
            if self._failed:
                return None
        return self._compiled.create_infer_request()

    def _warm_up(self) -> None:
        """Two calls from one thread before any other may call: OpenVINO's Python binding
        initialises function-local statics on first use, and two threads arriving there at
        once deadlocked (one waits for the GIL inside the initialiser, the other holds the
        GIL and waits for the initialiser; 2 runs in 16 from a fresh process)."""
        request = self._compiled.create_infer_request()
        for width in (320, 352):  # a second shape: resizing the input tensor has a first use too
            _run(request, np.full((1, 3, 48, width), PAD_VALUE, np.float32))
        self._idle.put(request)

    def __call__(self, input_content: np.ndarray) -> list[np.ndarray]:
        if self.exact is not None and getattr(self._local, "exact", False):
            return self.exact(input_content)
        original = input_content
        if self.pad_widths:
            width = input_content.shape[-1]
            pad = [(0, 0)] * (input_content.ndim - 1) + [(0, padded_width(width) - width)]
            input_content = np.pad(input_content, pad, constant_values=PAD_VALUE)
        request = self._request()
        if request is None:
            return self.exact(original)
        try:
            return _run(request, input_content)
        finally:
            self._idle.put(request)


def _run(request, input_content: np.ndarray) -> list[np.ndarray]:
    result = request.infer({0: input_content})
    # Copies: the request's output buffers are reused by its next call.
    return [np.array(result[k]) for k in range(len(result))]


def available() -> bool:
    try:
        import openvino  # noqa: F401, PLC0415 - optional, checked once per engine
    except ImportError:
        return False
    return True


def onnx_model_path(ort_session) -> Path:
    """The ONNX file behind a rapidocr `OrtInferSession` (its onnxruntime session knows it)."""
    return Path(ort_session.session._model_path)


def use_openvino(rapid, streams: int) -> None:
    """Run the recogniser of a RapidOCR instance with OpenVINO.

    Only the recogniser: it is what the second opinion on a page calls. The detector runs
    only for `--ocr-engine rapidocr`, on page-sized inputs of every shape, each of which
    would cost OpenVINO memory for good. onnxruntime's session stays for `as_loaded`.
    """
    loaded = rapid.text_rec.session
    rapid.text_rec.session = OpenVinoSession(onnx_model_path(loaded), streams, pad_widths=True, exact=loaded)


@contextmanager
def as_loaded(rapid):
    """Within it, this thread's calls to `rapid`'s recogniser run as rapidocr loaded it: on
    onnxruntime, without padding.

    For the seal reader: a ring is one call per document, so speed does not matter there, and
    on the seal sets the padding changed one match of 104 (`bench/seals_eval.py`, seed 2).
    """
    session = getattr(getattr(rapid, "text_rec", None), "session", None)
    if not isinstance(session, OpenVinoSession) or session.exact is None:
        yield
        return
    session._local.exact = True
    try:
        yield
    finally:
        session._local.exact = False


def choose(runtime: str) -> str:
    """The runtime to use for `runtime` (one of RUNTIMES): auto means OpenVINO when installed."""
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown OCR runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}")
    if runtime == "onnxruntime":
        return runtime
    if available():
        return "openvino"
    if runtime == "openvino":
        raise MissingDependencyError(
            "the openvino runtime was asked for but is not installed",
            "install it with `pip install 'openvino>=2024.0'`, or use --ocr-runtime onnxruntime",
        )
    log.info("RapidOCR runs on onnxruntime: openvino is not installed")
    return "onnxruntime"
