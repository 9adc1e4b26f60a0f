"""What an answerer hands to verification: claims, each tied to exact article quotes.

Markers are numbered later, after verification, so numbering is always 1..N in order of use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.answer.contract import MARKER_RE
from assistant.records import Hit


@dataclass(frozen=True)
class Quote:
    """Exact words of a hit: ``text == article.text[start:end]`` (offsets are absolute)."""

    hit: Hit
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.hit.text[self.start - self.hit.start : self.end - self.hit.start]


@dataclass
class Claim:
    """One answer sentence (display text, no markers) and the quotes it cites."""

    text: str
    quotes: list[Quote]
    verbatim: bool = False
    """The text is article text inside its own quotes (extractive), so it supports itself."""
    support: float = 0.0
    supported: bool = False


@dataclass
class Draft:
    claims: list[Claim] = field(default_factory=list)
    abstained: bool = False
    related: list[Quote] = field(default_factory=list)
    """When abstaining: the closest passages, shown as related reading, never as an answer."""
    dropped_markers: list[int] = field(default_factory=list)
    margin: float | None = None
    """The best span's margin over "no answer" after its rank penalty (what confidence is read from)."""


def display_quote(text: str) -> str:
    """Article words as shown in an answer: bracketed numbers become "(3)" so text in an article
    can never pose as a citation marker."""
    return MARKER_RE.sub(r"(\1)", " ".join(text.split()))
