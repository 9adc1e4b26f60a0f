"""Warta: answers questions about news articles and proves every answer with citations.

    from assistant import ask
    answer = ask("Who chaired the meeting?")
"""

from __future__ import annotations

from pathlib import Path

from assistant.answer import Answer, Citation, SentenceSupport
from assistant.errors import IndexMismatch, IndexMissing, InvalidQuestion, WartaError
from assistant.records import Filters, Hit
from assistant.settings import Settings

__all__ = ["ask", "Answer", "Citation", "SentenceSupport", "Filters", "Hit", "Settings", "WartaError",
           "InvalidQuestion", "IndexMissing", "IndexMismatch"]


def ask(question: str, history: list[tuple[str, str]] | None = None, index_dir: str | Path | None = None,
        top_k: int | None = None, backend: str | None = None, filters: Filters | None = None) -> Answer:
    """Answer a question from the index, with citations (or an honest abstention)."""
    from assistant.service import get_service

    settings = Settings.from_env(index_dir=index_dir) if index_dir else Settings.from_env()
    return get_service(settings).ask(question, history=history, top_k=top_k, backend=backend, filters=filters)
