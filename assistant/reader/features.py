"""Question + passage → model inputs, and model outputs → character spans.

Training and inference share this module, so the model always sees the same input form:
``<s> query: QUESTION </s></s> passage: PASSAGE </s>`` (the e5 prefixes), passages longer than
one window are split into overlapping windows, and every token keeps its character offsets
into the passage so a span maps back to exact article text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

QUESTION_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
MAX_QUESTION_TOKENS = 64
MAX_ANSWER_TOKENS = 40
"""Longest span considered (news answers are names, numbers, short clauses; statements are
quoted whole by the answer step, which extends a span to its sentence)."""


@dataclass
class Window:
    """One model input: a question with (part of) one passage."""

    passage: int
    """Index of the passage among those read together."""
    input_ids: list[int]
    offsets: list[tuple[int, int] | None]
    """Per token: (start, end) in the passage's characters, or None outside the passage."""

    @property
    def context_range(self) -> tuple[int, int]:
        first = next(i for i, o in enumerate(self.offsets) if o is not None)
        last = max(i for i, o in enumerate(self.offsets) if o is not None)
        return first, last


def make_windows(tokenizer, question: str, passages: list[str], max_tokens: int, stride: int) -> list[Window]:
    """Windows of ``max_tokens`` over each passage, overlapping by ``stride`` tokens."""
    if not passages:
        return []
    question_ids = tokenizer(QUESTION_PREFIX + question, add_special_tokens=False)["input_ids"][:MAX_QUESTION_TOKENS]
    encoded = tokenizer([PASSAGE_PREFIX + p for p in passages], add_special_tokens=False,
                        return_offsets_mapping=True)
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
    room = max_tokens - len(question_ids) - 4  # <s> q </s></s> p </s>
    if room < 16:
        raise ValueError(f"max_tokens={max_tokens} leaves no room for the passage")
    step = max(1, room - stride)
    shift = len(PASSAGE_PREFIX)
    windows = []
    for index, (ids, offsets) in enumerate(zip(encoded["input_ids"], encoded["offset_mapping"])):
        # tokens of the prefix end at or before its length: they are not passage text
        positions = [_trim(passages[index], s - shift, e - shift) if e > shift else None for s, e in offsets]
        start = 0
        while True:
            piece, piece_offsets = ids[start:start + room], positions[start:start + room]
            windows.append(Window(
                passage=index,
                input_ids=[bos, *question_ids, eos, eos, *piece, eos],
                offsets=[None] * (len(question_ids) + 3) + piece_offsets + [None],
            ))
            if start + room >= len(ids):
                break
            start += step
    return windows


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A token's characters without the space its "▁" stands for (or None when nothing is left)."""
    start = max(0, start)
    while start < end and text[start].isspace():
        start += 1
    return (start, end) if end > start else None


def pad_batch(windows: list[Window], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """int64 ``input_ids`` and ``attention_mask``, right-padded to the longest window."""
    longest = max(len(w.input_ids) for w in windows)
    ids = np.full((len(windows), longest), pad_id, dtype=np.int64)
    mask = np.zeros((len(windows), longest), dtype=np.int64)
    for row, window in enumerate(windows):
        ids[row, : len(window.input_ids)] = window.input_ids
        mask[row, : len(window.input_ids)] = 1
    return ids, mask


@dataclass(frozen=True)
class SpanScore:
    passage: int
    start: int
    """Character offsets into the passage."""
    end: int
    score: float
    """start + end logit of the span."""
    null_score: float
    """start + end logit of "no answer" (the <s> token) in the same window."""

    @property
    def margin(self) -> float:
        """How much the span beats "no answer" in its window: the abstention decision's input."""
        return self.score - self.null_score


def best_spans(window: Window, start_logits: np.ndarray, end_logits: np.ndarray, top: int = 5,
               max_answer_tokens: int = MAX_ANSWER_TOKENS) -> list[SpanScore]:
    """The ``top`` best-scoring spans of one window, best first (possibly overlapping)."""
    first, last = window.context_range
    null = float(start_logits[0] + end_logits[0])
    starts = first + np.argsort(start_logits[first:last + 1])[::-1][:20]
    ends = first + np.argsort(end_logits[first:last + 1])[::-1][:20]
    found = []
    for s in starts:
        for e in ends:
            if e < s or e - s + 1 > max_answer_tokens or window.offsets[s] is None or window.offsets[e] is None:
                continue  # a token of spacing alone has no characters to start or end a span on
            found.append((float(start_logits[s] + end_logits[e]), int(s), int(e)))
    found.sort(reverse=True)
    return [SpanScore(window.passage, window.offsets[s][0], window.offsets[e][1], score, null)
            for score, s, e in found[:top]]
