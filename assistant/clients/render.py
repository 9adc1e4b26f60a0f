"""The chat's HTML, from ``Answer`` and ``Citation`` only: every piece of article or answer text
is escaped before Warta's own markup is added, so a hostile article is shown, never rendered."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from assistant.answer.contract import Answer, Citation
from assistant.records import Article

PARAGRAPH_CONTEXT_CHARS = 400
MARKDOWN_PUNCTUATION = set("\\`*_{}[]()#+-.!|~$")
SOURCES_PLACEHOLDER = "Sources of the latest answer appear here."
NOT_IN_SOURCES = {"id": "Tidak ada di sumber", "en": "Not in the sources"}
CONFIDENCE = {"id": "keyakinan", "en": "confidence"}
CLOSEST_PASSAGES = {
    "id": "Bagian terdekat yang ditemukan (bukan jawaban):",
    "en": "Closest passages found (not an answer):",
}

APP_CSS = """
#warta-sources .warta-source { margin: 0 0 1em 0; padding: .5em .75em; border-left: 3px solid #3b82f6; }
#warta-sources .warta-title { font-weight: 600; }
#warta-sources .warta-meta { color: #6b7280; font-size: .85em; }
#warta-sources blockquote { margin: .4em 0 0 0; white-space: pre-wrap; }
#warta-sources mark { background: #fde68a; color: inherit; padding: 0 .1em; }
#warta-sources .warta-abstained .warta-source { border-left-color: #9ca3af; }
.warta-badge-abstained { display: inline-block; background: #fef3c7; color: #92400e;
  border: 1px solid #f59e0b; border-radius: 999px; padding: 0 .6em; font-weight: 600; }
#warta-sources .warta-abstained-title { color: #92400e; }
#warta-sources .warta-filters { color: #1d4ed8; font-size: .9em; }
.warta-cited { color: #6b7280; font-size: .85em; }
.warta-notice { color: #6b7280; font-style: italic; }
.warta-confidence { color: #6b7280; font-size: .85em; }
"""


def escape_html(text: str) -> str:
    return html.escape(text, quote=True)


def escape_chat_text(text: str) -> str:
    """Text for the chat bubble (Markdown): escape HTML, and Markdown and LaTeX punctuation,
    so article words are shown literally (``[1]`` stays a visible marker, never a link)."""
    backslashed = "".join("\\" + ch if ch in MARKDOWN_PUNCTUATION else ch for ch in text)
    return escape_html(backslashed)


def abstention_badge(language: str) -> str:
    label = NOT_IN_SOURCES.get(language, NOT_IN_SOURCES["en"])
    return f'<span class="warta-badge-abstained">{escape_html(label)}</span>'


def chat_reply(answer: Answer, shown_text: str) -> str:
    """The bot message: the answer text, with a badge when it abstained, the answer's notice
    (e.g. the LLM did not answer) above it and the cited articles with their dates below it."""
    body = escape_chat_text(shown_text)
    if answer.abstained:
        body = f"{abstention_badge(answer.language)} {body}"
    if answer.notice:
        body = f'<span class="warta-notice">{escape_chat_text(answer.notice)}</span>\n\n{body}'
    if cited := cited_articles(answer.citations):
        body += f'\n\n<span class="warta-cited">{cited}</span>'
    if answer.confidence is not None:
        label = CONFIDENCE.get(answer.language, CONFIDENCE["en"])
        body += f'\n\n<span class="warta-confidence">{label} {answer.confidence:.0%}</span>'
    return body


def cited_articles(citations: list[Citation]) -> str:
    """ "[1][2] Title (2019-09-10, source) · [3] ..." for the articles an answer cites."""
    by_article: dict[str, list[Citation]] = {}
    for citation in citations:
        by_article.setdefault(citation.doc_id, []).append(citation)
    parts = []
    for group in by_article.values():
        first = group[0]
        when = ", ".join(part for part in (first.date or "no date", first.source) if part)
        markers = "".join(f"[{c.n}]" for c in group)
        parts.append(escape_chat_text(f"{markers} {first.title or first.doc_id} ({when})"))
    return " · ".join(parts)


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The line/paragraph of ``text`` holding [start, end), trimmed to some context each side."""
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end == -1 else para_end
    para_start = max(para_start, start - PARAGRAPH_CONTEXT_CHARS)
    para_end = min(para_end, end + PARAGRAPH_CONTEXT_CHARS)
    return para_start, para_end


def highlighted_paragraph(citation: Citation, article: Article | None) -> str:
    """The quote inside its paragraph, quote in <mark>; just the quote when the article is gone
    or no longer holds it at those offsets."""
    mark = f"<mark>{escape_html(citation.quote)}</mark>"
    if article is None or article.text[citation.start : citation.end] != citation.quote:
        return mark
    text = article.text
    para_start, para_end = paragraph_bounds(text, citation.start, citation.end)
    before = ("…" if para_start > 0 and text[para_start - 1] != "\n" else "") + text[para_start : citation.start]
    after = text[citation.end : para_end] + ("…" if para_end < len(text) and text[para_end] != "\n" else "")
    return f"{escape_html(before)}{mark}{escape_html(after)}"


def safe_link(url: str | None, label: str) -> str:
    """A link only for http(s) URLs (no javascript: or data:); otherwise the plain label."""
    if url and re.match(r"^https?://", url, re.IGNORECASE):
        return f'<a href="{escape_html(url)}" target="_blank" rel="noopener noreferrer">{escape_html(label)}</a>'
    return escape_html(label)


def render_article_citations(citations: list[Citation], article: Article | None) -> str:
    """One cited article: title (linked), date, source, link, then each quote in its paragraph."""
    first = citations[0]
    meta = " · ".join(escape_html(part) for part in (first.date, first.source) if part)
    link = f'<div class="warta-meta">{safe_link(first.url, first.url)}</div>' if first.url else ""
    quotes = "".join(
        f'<blockquote data-n="{c.n}"><strong>[{c.n}]</strong> {highlighted_paragraph(c, article)}</blockquote>'
        for c in citations
    )
    return (
        f'<li class="warta-source"><div class="warta-title">{safe_link(first.url, first.title or first.doc_id)}</div>'
        f'<div class="warta-meta">{meta}</div>{link}{quotes}</li>'
    )


def render_citation_list(citations: list[Citation], article_of: Callable[[str], Article | None]) -> str:
    by_article: dict[str, list[Citation]] = {}
    for citation in citations:
        by_article.setdefault(citation.doc_id, []).append(citation)
    items = "".join(render_article_citations(group, article_of(doc_id)) for doc_id, group in by_article.items())
    return f"<ol>{items}</ol>"


def render_sources(answer: Answer, article_of: Callable[[str], Article | None], turn: int) -> str:
    """The sources panel for the latest answer. ``data-turn`` tells tests the answer is complete."""
    filters = render_filters(answer)
    if answer.abstained:
        language = answer.language if answer.language in NOT_IN_SOURCES else "en"
        return (
            f'<div class="warta-sources warta-abstained" data-turn="{turn}">'
            f'<h3 class="warta-abstained-title">{abstention_badge(language)}</h3>{filters}'
            f"<p>{escape_html(CLOSEST_PASSAGES[language])}</p>{render_citation_list(answer.related, article_of)}</div>"
        )
    return (
        f'<div class="warta-sources" data-turn="{turn}"><h3>Sources</h3>{filters}'
        f"{render_citation_list(answer.citations, article_of)}</div>"
    )


def render_filters(answer: Answer) -> str:
    """Which dates and sources the answer was searched in, and who chose them."""
    filters = answer.filters
    if filters is None or filters.is_empty():
        return ""
    parts = []
    if filters.date_from or filters.date_to:
        parts.append(f"dates {filters.date_from or '…'} to {filters.date_to or '…'}")
    if filters.sources:
        parts.append("sources " + ", ".join(filters.sources))
    origin = "named in the question" if answer.filters_from_question else "set in the retrieval panel"
    return f'<p class="warta-filters">Searched {escape_html("; ".join(parts))} ({origin}).</p>'


def render_message_panel(message: str, turn: int) -> str:
    return f'<div class="warta-sources" data-turn="{turn}"><p>{escape_html(message)}</p></div>'


def render_status(stats: dict[str, Any]) -> str:
    dates = ""
    if stats.get("date_min") or stats.get("date_max"):
        dates = f" · dates {escape_html(str(stats.get('date_min') or '?'))} to {escape_html(str(stats.get('date_max') or '?'))}"
    return (
        f'<div class="warta-status"><strong>{int(stats.get("articles", 0))}</strong> articles · '
        f'<strong>{int(stats.get("chunks", 0))}</strong> chunks · model '
        f'<code>{escape_html(str(stats.get("embedding_model", "")))}</code>{dates}</div>'
    )
