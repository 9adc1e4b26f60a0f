"""The Gradio chat: a thin client of the service.

Everything shown comes from ``Answer`` and ``Citation`` through ``render`` (escaped HTML);
uploads go through ``uploads``. Per-visitor state lives in ``gr.State``; the only shared object
is the thread-safe service.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no outside calls

import gradio as gr  # noqa: E402

from assistant.clients.render import (  # noqa: E402
    APP_CSS,
    SOURCES_PLACEHOLDER,
    chat_reply,
    escape_chat_text,
    render_message_panel,
    render_sources,
    render_status,
)
from assistant.clients.uploads import Uploads, store_upload, upload_rejection  # noqa: E402
from assistant.errors import WartaError  # noqa: E402
from assistant.ingest.loaders import SUPPORTED_SUFFIXES  # noqa: E402
from assistant.records import Filters  # noqa: E402
from assistant.settings import Settings  # noqa: E402

log = logging.getLogger(__name__)

CHAT_CONCURRENCY = 4
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EXAMPLES_FILE = "examples.json"
MAX_EXAMPLES = 8


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
        self.uploads = Uploads(service)

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
            report = self.uploads.add(path)
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
