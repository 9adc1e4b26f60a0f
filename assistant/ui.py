"""The Gradio chat: a thin client of the service.

Everything shown comes from ``Answer`` and ``Citation``; every piece of article or answer text is
HTML-escaped before our own markup is added, so a hostile article is shown, never rendered.
Per-visitor state lives in ``gr.State``; the only shared object is the thread-safe service.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no outside calls

import gradio as gr  # noqa: E402

from assistant.answer import Answer, Citation  # noqa: E402
from assistant.errors import WartaError  # noqa: E402
from assistant.records import Article, Filters  # noqa: E402
from assistant.settings import Settings  # noqa: E402

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".csv", ".html", ".htm")
MAX_UPLOAD_NAME_CHARS = 120
CHAT_CONCURRENCY = 4
PARAGRAPH_CONTEXT_CHARS = 400
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MARKDOWN_PUNCTUATION = set("\\`*_{}[]()#+-.!|~$")

EXAMPLES_FILE = "examples.json"
MAX_EXAMPLES = 8

SOURCES_PLACEHOLDER = "Sources of the latest answer appear here."
NOT_IN_SOURCES = {"id": "Tidak ada di sumber", "en": "Not in the sources"}
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
"""


# ---------------------------------------------------------------- rendering (pure, escaped)

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


def load_examples(data_dir: Path, doc_ids_present: Callable[[list[str]], set[str]]) -> list[str]:
    """Example questions from ``examples.json`` beside the articles ({"examples": [{"question",
    "doc_id"}]}), only those whose article is in the index: a user's own index gets none."""
    path = Path(data_dir) / EXAMPLES_FILE
    try:
        examples = json.loads(path.read_text(encoding="utf-8"))["examples"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    present = doc_ids_present([e.get("doc_id", "") for e in examples if isinstance(e, dict)])
    return [e["question"] for e in examples if isinstance(e, dict) and e.get("doc_id") in present][:MAX_EXAMPLES]


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


# ---------------------------------------------------------------- uploads

def safe_upload_name(name: str) -> str:
    """A file name that is safe to create in the uploads folder: the basename only (either slash),
    no control characters, no leading dots (hidden files), only letters, digits, ``._-``."""
    basename = re.split(r"[\\/]", name.replace("\x00", ""))[-1]
    basename = unicodedata.normalize("NFKC", basename)
    cleaned = re.sub(r"[^\w.\-]+", "_", basename, flags=re.ASCII).strip("._-")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    stem, suffix = os.path.splitext(cleaned)
    stem = stem.strip("._-")[: MAX_UPLOAD_NAME_CHARS - len(suffix)] or "article"
    return stem + suffix.lower()


def upload_rejection(name: str, size_bytes: int, max_upload_mb: float) -> str | None:
    """Why a file cannot be added, or None when it is acceptable."""
    shown = os.path.basename(name.replace("\\", "/")) or name
    suffix = Path(shown).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return f"{shown}: not a supported format; use one of {', '.join(SUPPORTED_SUFFIXES)}."
    if size_bytes > max_upload_mb * 1024 * 1024:
        return f"{shown}: {size_bytes / 1024 / 1024:.1f} MB is over the {max_upload_mb:g} MB limit."
    if size_bytes == 0:
        return f"{shown}: the file is empty."
    return None


def store_upload(source: Path, original_name: str, uploads_dir: Path) -> Path:
    """Copy an uploaded file into ``uploads_dir`` under a safe, unused name (suffix on collision)."""
    uploads_dir.mkdir(parents=True, exist_ok=True)
    safe = safe_upload_name(original_name)
    stem, suffix = os.path.splitext(safe)
    for attempt in range(1, 10_000):
        target = uploads_dir / (safe if attempt == 1 else f"{stem}-{attempt}{suffix}")
        try:
            with open(target, "xb") as out, open(source, "rb") as src:  # "x": never overwrite
                shutil.copyfileobj(src, out)
            return target
        except FileExistsError:
            continue
    raise WartaError(f"too many uploads named {safe}")


# ---------------------------------------------------------------- settings from the panel

def parse_date(value: str | None, label: str) -> str | None:
    """The picked or typed date as yyyy-mm-dd (a time of day the picker may add is dropped)."""
    value = str(value or "").strip()
    if not value:
        return None
    if not ISO_DATE_RE.match(value[:10]) or (len(value) > 10 and value[10] not in " T"):
        raise WartaError(f"The {label} date must look like 2024-07-30, not {value!r}.")
    return value[:10]


def filters_from_panel(date_from: str, date_to: str, sources: list[str] | None) -> Filters | None:
    filters = Filters(parse_date(date_from, "from"), parse_date(date_to, "to"), tuple(sources or ()))
    return None if filters.is_empty() else filters


def configured_backends(settings: Settings) -> list[str]:
    """Answer backends the user can pick: extractive always, plus the configured ones."""
    backends = ["extractive"]
    if settings.backend != "extractive":
        backends.append(settings.backend)
    if settings.llamacpp_model_path and "llamacpp" not in backends:
        backends.append("llamacpp")
    return backends


# ---------------------------------------------------------------- the app

class ChatHandlers:
    """What the page's events do, per request; state arrives and leaves through ``gr.State``."""

    def __init__(self, service: Any, settings: Settings):
        self.service = service
        self.settings = settings
        self.uploads_dir = settings.uploads_dir

    def examples(self) -> list[str]:
        return load_examples(self.settings.data_dir, self.service.articles_present)

    def status_html(self) -> str:
        return render_status(self.service.stats())

    def source_choices(self) -> list[str]:
        return list(self.service.stats().get("sources") or [])

    def refresh_panels(self) -> tuple[str, Any]:
        return self.status_html(), gr.update(choices=self.source_choices())

    def respond(self, question, chat, conversation, top_k, date_from, date_to, sources, backend):
        """Yields (chat, sources panel, conversation, question box): the box is emptied at once,
        then the answer streams in and the sources panel follows."""
        question = (question or "").strip()
        if not question:
            yield chat, gr.skip(), conversation, ""
            return
        turn = len(conversation) + 1
        chat = chat + [{"role": "user", "content": escape_chat_text(question)},
                       {"role": "assistant", "content": "…"}]
        yield chat, render_message_panel("Searching the articles…", 0), conversation, ""
        try:
            filters = filters_from_panel(date_from, date_to, sources)
            written = ""
            for event in self.service.ask_stream(question, history=list(conversation), top_k=int(top_k),
                                                 backend=backend, filters=filters):
                if isinstance(event, str):  # an LLM's words as it writes them, not yet verified
                    written += event
                    chat = [*chat[:-1], {"role": "assistant", "content": escape_chat_text(written) + " …"}]
                    yield chat, render_message_panel("Checking every claim against its source…", 0), \
                        conversation, gr.skip()
                else:
                    answer = event
        except WartaError as error:
            yield self._failed(chat, str(error)), render_message_panel(str(error), turn), conversation, gr.skip()
            return
        except Exception:
            log.exception("answering %r failed", question)
            message = "Something went wrong while answering; the details are in the server log."
            yield self._failed(chat, message), render_message_panel(message, turn), conversation, gr.skip()
            return
        chat = [*chat[:-1], {"role": "assistant", "content": chat_reply(answer, answer.text)}]
        conversation = conversation + [(question, answer.text)]
        yield chat, render_sources(answer, self.service.article, turn), conversation, gr.skip()

    @staticmethod
    def _failed(chat: list[dict], message: str) -> list[dict]:
        return chat[:-1] + [{"role": "assistant", "content": escape_chat_text(f"⚠️ {message}")}]

    def add_articles(self, files, progress=gr.Progress()):
        """Store accepted uploads safely, index them one by one; returns (result, status, sources, upload)."""
        messages = []
        stored = []
        for upload in files or []:
            path = Path(upload)  # Gradio keeps the uploaded file's own name as the basename
            rejection = upload_rejection(path.name, path.stat().st_size, self.settings.max_upload_mb)
            if rejection:
                messages.append(rejection)
            else:
                stored.append(store_upload(path, path.name, self.uploads_dir))
        for path in progress.tqdm(stored, desc="Indexing"):
            messages.extend(self._ingest(path))
        result = "\n".join(messages) or "No file received."
        return (result, *self.refresh_panels(), None)

    def _ingest(self, path: Path) -> list[str]:
        """Index one stored upload; the stored file is deleted again when nothing new came of it
        (rejected, or only duplicates), so uploads never pile up."""
        try:
            report = self.service.add_upload(path)
        except WartaError as error:
            path.unlink(missing_ok=True)
            return [str(error)]
        if not report.articles_added:
            path.unlink(missing_ok=True)
        summary = (
            f"{path.name}: {report.articles_added} article(s) added, {report.articles_unchanged} unchanged, "
            f"{report.duplicates} duplicate(s), {report.chunks_added} chunk(s)."
        )
        return [summary, *(f"{path.name}: {problem}" for problem in [*report.errors, *report.warnings])]


def build_app(service: Any, settings: Settings) -> gr.Blocks:
    """The chat UI around ``service`` (the real ``Warta`` or a test fake with the same methods)."""
    handlers = ChatHandlers(service, settings)

    with gr.Blocks(title="Warta: news answers with citations") as app:
        gr.Markdown("## Warta\nAsk about the news articles. Every claim cites the exact words it rests on.")
        conversation = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(elem_id="warta-chat", label="Chat", height=480, sanitize_html=True,
                                  feedback_options=None, buttons=["copy", "copy_all"])
                question = gr.Textbox(elem_id="warta-question", show_label=False, lines=1,
                                      placeholder="Ask about the articles… / Tanyakan tentang artikel…")
                if examples := handlers.examples():
                    gr.Examples(examples, inputs=question, label="Examples / Contoh")
            with gr.Column(scale=2):
                sources_panel = gr.HTML(render_message_panel(SOURCES_PLACEHOLDER, 0), elem_id="warta-sources")
        with gr.Row():
            with gr.Column():
                gr.Markdown("### Index")
                status_panel = gr.HTML(handlers.status_html(), elem_id="warta-status")
                upload = gr.File(label=f"Add articles ({' '.join(SUPPORTED_SUFFIXES)}; up to "
                                       f"{settings.max_upload_mb:g} MB each)",
                                 file_count="multiple", elem_id="warta-upload")
                upload_result = gr.Textbox(label="Upload result", interactive=False, lines=3,
                                           elem_id="warta-upload-result")
            with gr.Column():
                gr.Markdown("### Retrieval")
                top_k = gr.Slider(1, 20, value=settings.top_k, step=1, label="Passages to retrieve (k)")
                with gr.Row():
                    date_from = gr.DateTime(label="Date from", include_time=False, type="string",
                                            elem_id="warta-date-from")
                    date_to = gr.DateTime(label="Date to", include_time=False, type="string",
                                          elem_id="warta-date-to")
                sources = gr.Dropdown(handlers.source_choices(), multiselect=True, label="Sources", elem_id="warta-source-filter")
                backend = gr.Dropdown(configured_backends(settings), value=settings.backend,
                                      label="Answer backend", elem_id="warta-backend")

        question.submit(
            handlers.respond,
            inputs=[question, chat, conversation, top_k, date_from, date_to, sources, backend],
            outputs=[chat, sources_panel, conversation, question],
            concurrency_limit=CHAT_CONCURRENCY,
        )
        chat.clear(lambda: ([], render_message_panel(SOURCES_PLACEHOLDER, 0)), outputs=[conversation, sources_panel])
        upload.upload(handlers.add_articles, inputs=upload, outputs=[upload_result, status_panel, sources, upload],
                      concurrency_limit=1)
        app.load(handlers.refresh_panels, outputs=[status_panel, sources])
    return app


def serve(settings: Settings) -> None:
    """Start the chat on settings.host:port over the index, building the index first if missing."""
    from assistant.service import get_service

    service = get_service(settings)
    report = service.ensure_index()
    if report is not None:
        print(f"Built the index: {report.articles_added} article(s), {report.chunks_added} chunk(s).", flush=True)
    service.warm_up()
    auth = tuple(settings.auth.split(":", 1)) if settings.auth else None
    app = build_app(service, settings)
    app.queue(default_concurrency_limit=CHAT_CONCURRENCY)
    app.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=auth,
        auth_message="Warta: please log in." if auth else None,
        max_file_size=int(settings.max_upload_mb * 1024 * 1024),
        css=APP_CSS,
        show_error=False,
    )
