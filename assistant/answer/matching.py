"""How an answer's words are compared with gold answers: lower-cased, punctuation and spacing
ignored, on word boundaries (``contains``), or by SQuAD token F1 (``token_f1``). Shared by the
evaluation and the reader's training, so both measure the same way."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def normalize(text: str) -> str:
    """Lower-case, punctuation to spaces, spacing collapsed: how answers are compared."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(_PUNCT.sub(" ", text).split())


def contains(haystack: str, needle: str) -> bool:
    """``needle`` occurs in ``haystack`` as whole words, after normalization."""
    needle = normalize(needle)
    return bool(needle) and f" {needle} " in f" {normalize(haystack)} "


def token_f1(prediction: str, gold: str) -> float:
    predicted, expected = normalize(prediction).split(), normalize(gold).split()
    common = sum((Counter(predicted) & Counter(expected)).values())
    if not common:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)
