"""The presidio AnalyzerEngine for Chinese, built without any language model.

Presidio's defaults load (and try to download) spaCy models. Our recognizers are
all patterns, so the NLP engine is presidio's NoOpNlpEngine, and context boosting
is done by `RawPrefixContextEnhancer`, which reads the raw characters before a
match: the stock lemma-based enhancer never fires on Chinese (a blank spaCy zh
pipeline yields one token per character and empty lemmas).
"""

from __future__ import annotations

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, NoOpNlpEngine

from redaction.recognizers import LANG, all_recognizers

SCORE_THRESHOLD = 0.5


class RawPrefixContextEnhancer(ContextAwareEnhancer):
    """Raises a score when a context word stands in the `window` characters before the match.

    The nearest label wins: when a negative word (订单号, 编号 …) is closer to the
    match than any positive one, the match is dropped (score 0).
    """

    def __init__(self, window: int = 14, boost: float = 0.4, min_score: float = 0.6):
        super().__init__(context_similarity_factor=boost, min_score_with_context_similarity=min_score,
                         context_prefix_count=window, context_suffix_count=0)
        self.window = window

    def enhance_using_context(self, text: str, raw_results: list[RecognizerResult], nlp_artifacts: NlpArtifacts,
                              recognizers: list[EntityRecognizer], context: list[str] | None = None
                              ) -> list[RecognizerResult]:
        by_id = {r.id: r for r in recognizers}
        extra = [w.lower() for w in (context or [])]
        out = []
        for result in raw_results:
            rec = by_id.get(result.recognition_metadata.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY))
            positive = [w.lower() for w in (getattr(rec, "context", None) or [])]
            negative = [w.lower() for w in (getattr(rec, "negative_context", None) or [])]
            if positive or negative:
                prefix = "".join(text[max(0, result.start - 3 * self.window):result.start].split())
                prefix = prefix[-self.window:].lower()
                pos_at = max((prefix.rfind(w) + len(w) for w in positive if w in prefix), default=-1)
                neg_at = max((prefix.rfind(w) + len(w) for w in negative if w in prefix), default=-1)
                if neg_at > pos_at:
                    result.score = 0.0
                elif pos_at >= 0 or any(w in positive for w in extra):
                    result.score = min(self.MAX_SCORE, max(result.score + self.context_similarity_factor,
                                                           self.min_score_with_context_similarity))
            out.append(result)
        return out


def build_analyzer() -> AnalyzerEngine:
    """An AnalyzerEngine for `zh` that loads no model and touches no network. Build once per process."""
    nlp = NoOpNlpEngine(models=[{"lang_code": LANG, "model_name": "none"}])
    registry = RecognizerRegistry(recognizers=all_recognizers(), supported_languages=[LANG])
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=[LANG],
                          default_score_threshold=SCORE_THRESHOLD,
                          context_aware_enhancer=RawPrefixContextEnhancer())
