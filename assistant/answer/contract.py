"""The answer contract every client reads: ``Answer`` with its ``Citation``s and evidence."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.records import Filters, Hit

MARKER_RE = re.compile(r"\[(\d+)\]")


@dataclass
class Citation:
    """Exact words of an article backing a claim: ``quote == article.text[start:end]``."""

    n: int
    doc_id: str
    title: str
    source: str | None
    date: str | None
    url: str | None
    chunk_id: str
    quote: str
    start: int
    end: int


@dataclass
class SentenceSupport:
    """One answer sentence, the markers it carries and how well its quotes support it (0..1)."""

    text: str
    citations: list[int]
    support: float
    supported: bool


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    language: str = "en"
    evidence: list[Hit] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    standalone_question: str = ""
    backend: str = "extractive"
    sentences: list[SentenceSupport] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    """When abstained: the closest passages, shown as related, never as an answer."""
    filters: Filters | None = None
    """The date and source filters retrieval used: the caller's, or a date range the question
    itself named ("terbaru", "September 2019")."""
    filters_from_question: bool = False
    notice: str = ""
    """Something the user should know about how this answer was made (the LLM did not answer,
    so this is the extractive answer), in the question's language; empty when all went well."""
    confidence: float | None = None
    """The probability that this answer is right (for an abstention: that the sources indeed
    don't say), fitted on news dev questions from the reader's margin; None for an LLM's answer
    or a reader without a fit."""

    def markers(self) -> list[int]:
        return [int(m) for m in MARKER_RE.findall(self.text)]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["evidence"] = [h.to_dict() for h in self.evidence]
        return d
