"""A reader without a model, for tests of everything around it: deterministic and fast.

Each sentence scores the number of distinct question words (lower-cased, 3+ letters) it holds;
the span is the longest run of that sentence's words the question does not use (what the
sentence adds: usually the answer). "No answer" scores 1.5, so a sentence must share at least
two words with the question to answer it.
"""

from __future__ import annotations

import re

from assistant.answer.reader.features import SpanScore

NULL_SCORE = 1.5
_WORD = re.compile(r"[^\W_][\w'’-]*")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


class FakeReader:
    null_margin = 0.0
    rank_penalty = 0.0
    window_chars = 0

    def confidence(self, margin: float | None, abstained: bool) -> float | None:
        return None

    def read(self, question: str, passages: list[str]) -> list[SpanScore]:
        asked = {w.lower() for w in _WORD.findall(question) if len(w) >= 3}
        spans = []
        for index, passage in enumerate(passages):
            for sentence in _SENTENCE.finditer(passage):
                tokens = list(_WORD.finditer(sentence.group()))
                shared = {t.group().lower() for t in tokens} & asked
                span = _longest_new_run(tokens, asked)
                if span is not None:
                    start, end = sentence.start() + span[0], sentence.start() + span[1]
                    spans.append(SpanScore(index, start, end, float(len(shared)), NULL_SCORE))
        spans.sort(key=lambda s: (-s.margin, s.passage, s.start))
        return spans


def _longest_new_run(tokens: list[re.Match[str]], asked: set[str]) -> tuple[int, int] | None:
    best, run = None, []
    for token in [*tokens, None]:
        if token is not None and token.group().lower() not in asked:
            run.append(token)
            continue
        if run and (best is None or len(run) > best[2]):
            best = (run[0].start(), run[-1].end(), len(run))
        run = []
    return (best[0], best[1]) if best else None
