"""The reader: finds the answer span in retrieved passages, or says there is none.

``Reader.read(question, passages)`` returns candidate spans (character offsets into each
passage) with their margin over "no answer", best first; ``null_margin`` is the margin a span
must beat to be an answer, after ``rank_penalty`` per retrieval rank of its passage;
``window_chars`` is how much article text around each retrieved chunk it reads.
Implementations: ``TrainedReader`` (e5 + the committed adapter, ``model.py``; trained by
``train.py``) and ``FakeReader`` (deterministic word overlap, for tests that need no model).
This package imports only ``features`` at load time; torch and ONNX Runtime load when a real
reader is first used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from assistant.answer.reader.features import SpanScore

__all__ = ["Reader", "SpanScore", "load_reader"]

READERS = ("onnx", "torch", "fake")


class Reader(Protocol):
    null_margin: float
    rank_penalty: float
    window_chars: int

    def read(self, question: str, passages: list[str]) -> list[SpanScore]: ...

    def confidence(self, margin: float | None, abstained: bool) -> float | None:
        """The probability that an answer (or an abstention) at this best margin is right."""
        ...


def load_reader(kind: str, cache_dir: Path, weights_dir: Path | None = None) -> Reader:
    """The reader a setting names: ``onnx`` (default, int8 on CPU), ``torch`` or ``fake``."""
    if kind == "fake":
        from assistant.answer.reader.fake import FakeReader

        return FakeReader()
    from assistant.answer.reader.model import WEIGHTS_DIR, TrainedReader

    return TrainedReader(cache_dir, weights_dir or WEIGHTS_DIR, backend=kind)
