"""Every reader keeps the same promises: spans are character ranges inside the passage they name,
best margin first, the same answer twice, nothing to read gives nothing, a passage that says it
beats "no answer" and an unrelated question does not; the window it reads and its confidence
are well formed. The fake runs in the unit tier; the
trained reader (ONNX int8 and torch) in the integration tier."""

from __future__ import annotations

import functools

import pytest

from assistant.answer.reader import load_reader
from assistant.answer.reader.fake import FakeReader
from assistant.answer.reader.features import SpanScore
from assistant.settings import Settings

PASSAGES = [
    "Bank Indonesia mempertahankan suku bunga acuan di level 6 persen pada Rabu.",
    "Gol kemenangan Persib dicetak oleh Ciro Alves pada menit ke-81.",
    "Banjir merendam Kampung Melayu setinggi 1,5 meter.",
]


class ReaderContract:
    @pytest.fixture
    def reader(self):
        raise NotImplementedError

    def test_spans_lie_inside_their_passages_best_first(self, reader):
        spans = reader.read("Siapa pencetak gol kemenangan Persib?", PASSAGES)
        assert spans and all(isinstance(s, SpanScore) for s in spans)
        for span in spans:
            assert 0 <= span.passage < len(PASSAGES)
            assert 0 <= span.start < span.end <= len(PASSAGES[span.passage])
        assert [s.margin for s in spans] == sorted((s.margin for s in spans), reverse=True)

    def test_the_passage_that_says_it_answers(self, reader):
        best = reader.read("Siapa pencetak gol kemenangan Persib?", PASSAGES)[0]
        assert best.passage == 1 and "Ciro Alves" in PASSAGES[1][best.start:best.end]
        assert best.margin >= reader.null_margin

    def test_an_unrelated_question_stays_below_the_margin(self, reader):
        spans = reader.read("Siapa presiden Prancis?", PASSAGES)
        assert not spans or spans[0].margin < reader.null_margin

    def test_deterministic_and_empty(self, reader):
        question = "Berapa suku bunga acuan?"
        assert reader.read(question, PASSAGES) == reader.read(question, PASSAGES)
        assert reader.read(question, []) == []

    def test_window_and_confidence_are_well_formed(self, reader):
        assert isinstance(reader.window_chars, int) and reader.window_chars >= 0
        for margin in (-3.0, 0.0, 3.0):
            for abstained in (False, True):
                value = reader.confidence(margin, abstained)
                assert value is None or 0.0 <= value <= 1.0


@functools.cache
def trained_reader(kind: str):
    """One loaded reader per backend for the whole run (loading takes seconds)."""
    return load_reader(kind, Settings().cache_dir)


class TestFakeReader(ReaderContract):
    @pytest.fixture
    def reader(self):
        return FakeReader()


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["onnx", "torch"])
class TestTrainedReader(ReaderContract):
    @pytest.fixture
    def reader(self, kind):
        return trained_reader(kind)
