"""Answer: from retrieved chunks to a verified, cited ``Answer``.

Owns the answer contract every client reads (``contract``: ``Answer``, ``Citation``), follow-up
questions made standalone (``followup``), the trained reader (``reader``), composing cited short
answers from its spans (``compose``, ``draft``), the optional LLM path (``llm``, ``llm_answer``,
``prompts``), checking every claim against its quotes (``verify``, ``embedding_cache``) and the
LangChain chain that runs these stages in order (``chain``).
May import: ``assistant.retrieval``, ``assistant.index``, ``assistant.ingest`` and the shared
records, errors and settings.
"""

from assistant.answer.contract import MARKER_RE, Answer, Citation, SentenceSupport

__all__ = ["MARKER_RE", "Answer", "Citation", "SentenceSupport"]
