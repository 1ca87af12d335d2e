"""The labelled evaluation set (bench/redaction_eval.py) meets the targets on a seed of its own."""

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "redaction_eval", Path(__file__).resolve().parents[2] / "bench" / "redaction_eval.py")
ev = importlib.util.module_from_spec(_spec)
sys.modules["redaction_eval"] = ev  # dataclasses look their module up there
_spec.loader.exec_module(ev)


@pytest.fixture(scope="module")
def result(redactor):
    return ev.evaluate(redactor, ev.make_set(seed=11, n=320))


@pytest.mark.parametrize("entity,target", sorted(ev.TARGET_RECALL.items()))
def test_recall(result, entity, target):
    assert result["counts"][entity].recall >= target


def test_precision_and_decoys(result):
    counts = result["counts"].values()
    tp, fp = sum(c.tp for c in counts), sum(c.fp for c in counts)
    assert tp / (tp + fp) >= ev.TARGET_PRECISION
    assert result["decoy_hits"] == 0
    assert result["masked_ok"] == result["masked_total"] > 0
