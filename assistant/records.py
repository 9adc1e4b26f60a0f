"""The records that flow between pipeline stages: articles, chunks and retrieval hits."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """One normalized news article. ``text`` is the normalized body every offset refers to."""

    doc_id: str
    title: str
    text: str
    date: str | None = None  # ISO yyyy-mm-dd when it could be parsed, else None
    source: str | None = None
    url: str | None = None
    origin: str | None = None  # the file (and line) it was loaded from, for messages

    @property
    def content_hash(self) -> str:
        """Hash of what is indexed: a change to the title, text or metadata re-indexes the article."""
        payload = "\x1f".join([self.title, self.text, self.date or "", self.source or "", self.url or ""])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ArticleError(ValueError):
    """A file or record that cannot become an article; names the file (and line)."""

    def __init__(self, origin: str, reason: str, line: int | None = None):
        self.origin = origin
        self.reason = reason
        self.line = line
        where = f"{origin}:{line}" if line is not None else origin
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Chunk:
    """Whole sentences of one article. ``article.text[start:end] == text``; sentence spans are
    absolute offsets into the article text, so citations can quote and highlight exact words."""

    chunk_id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    sentences: tuple[tuple[int, int], ...]


@dataclass
class Hit:
    """One retrieved chunk with its scores and the article metadata needed to cite it."""

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]
    score: float
    title: str = ""
    date: str | None = None
    source: str | None = None
    url: str | None = None
    dense_score: float | None = None
    lexical_score: float | None = None
    rank: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def sentence_texts(self) -> list[tuple[int, int, str]]:
        """(start, end, text) of each sentence, offsets absolute in the article."""
        return [(s, e, self.text[s - self.start : e - self.start]) for s, e in self.sentences]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["sentences"] = [list(s) for s in self.sentences]
        return d


@dataclass(frozen=True)
class Filters:
    """Narrow retrieval to a date range (inclusive ISO dates) and/or some sources."""

    date_from: str | None = None
    date_to: str | None = None
    sources: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.date_from or self.date_to or self.sources)
