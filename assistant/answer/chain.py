"""The answer pipeline as LangChain Runnables: validate → condense follow-up → retrieve → read
→ answer → verify → ``Answer``.

Retrieval is Warta's ``BaseRetriever``; an LLM is called through the ``ChatPromptTemplate``s of
``prompts/``; each stage records its seconds in ``Answer.timings``. The service, CLI, UI and
evaluator all call this one chain. The reader reads the retrieved chunks in one batch; its spans
become the extractive answer, or, with an LLM backend, the model writes the answer and the spans
only fill the related passages.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Callable

from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer.contract import Answer, Citation, SentenceSupport
from assistant.answer.compose import compose, related_quotes
from assistant.answer.draft import Draft, Quote
from assistant.errors import InvalidQuestion
from assistant.answer.followup import condense, condense_by_rules
from assistant.ingest.text import detect_language
from assistant.answer.llm import LLMFailed, ResilientChat
from assistant.answer.llm_answer import answer_with_llm, parse_reply, prompt_values
from assistant.answer.prompts import answer_prompt, message
from assistant.answer.reader import Reader
from assistant.retrieval.retriever import hit_of
from assistant.settings import BACKENDS, Settings, SettingsError
from assistant.retrieval.timeframe import time_filter
from assistant.index.embedding_cache import EmbeddingCache
from assistant.answer.verify import check_claims
from assistant.answer.windows import article_passages

if TYPE_CHECKING:  # chat-model classes import slowly (~1 s); the extractive path never needs them
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger("warta")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_question(question: Any, max_chars: int) -> str:
    """The question without control characters; InvalidQuestion if empty or too long."""
    if not isinstance(question, str):
        raise InvalidQuestion("the question must be text")
    text = " ".join(_CONTROL_RE.sub(" ", question).split())
    if not text:
        raise InvalidQuestion("the question is empty")
    if len(text) > max_chars:
        raise InvalidQuestion(f"the question has {len(text)} characters; the limit is {max_chars}")
    return text


class AnswerChain:
    """The pipeline in two Runnables: ``prepare`` (validate → condense → retrieve → read: a state
    dict) and ``respond`` (answer → verify → finalize: the ``Answer``). ``invoke`` runs both;
    ``stream`` runs ``prepare``, then yields an LLM's tokens as the model writes them, then the
    verified ``Answer``: verification always sees the finished text."""

    def __init__(self, prepare: Runnable, respond: Runnable, model_for: Callable[[str], Any]):
        self.prepare, self.respond, self.model_for = prepare, respond, model_for
        self.runnable = (prepare | respond).with_config(run_name="warta_answer")

    def invoke(self, inputs: dict) -> Answer:
        return self.runnable.invoke(inputs)

    def stream(self, inputs: dict) -> Iterator[str | Answer]:
        state = self.prepare.invoke(inputs)
        model = self.model_for(state["backend"])
        if model is not None and state["hits"] and "llm_failure" not in state:
            started, pieces = time.perf_counter(), []
            values = prompt_values(state["standalone"], state["language"], state["hits"])
            try:
                for chunk in (answer_prompt() | model).stream(values):
                    pieces.append(str(chunk.content))
                    yield pieces[-1]
                state["llm_text"] = "".join(pieces)
            except LLMFailed as exc:
                state["llm_failure"] = exc
            state["timings"]["generate"] = time.perf_counter() - started
        yield self.respond.invoke(state)


def build_answer_chain(retriever: BaseRetriever, reader: Reader, settings: Settings,
                       embeddings: EmbeddingCache | None = None, chat_model: BaseChatModel | None = None,
                       article_text: Callable[[str], str | None] | None = None) -> AnswerChain:
    """The pipeline; invoke with {"question", "history", "top_k", "filters", "backend"}.
    ``embeddings`` (the service's shared cache) lets verification compare meanings; without it
    claims are checked by their words alone. ``article_text`` (an article's text by id) lets
    the reader read each hit with the text around it (``answer/windows.py``)."""
    vectors = embeddings
    models: dict[str, BaseChatModel] = {}
    models_lock = threading.Lock()

    def model_for(backend: str) -> BaseChatModel | None:
        if backend == "extractive":
            return None
        with models_lock:  # concurrent first questions build one client, not several
            if backend not in models:
                if chat_model is not None:
                    models[backend] = ResilientChat(inner=chat_model, retries=settings.llm_retries,
                                                    backoff_s=settings.llm_backoff_s)
                else:
                    from assistant.answer.llm import make_chat_model

                    models[backend] = make_chat_model(settings.replace(backend=backend))
            return models[backend]

    def validate(state: dict) -> dict:
        backend = state.get("backend") or settings.backend
        if backend not in BACKENDS:
            raise SettingsError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        history = [(str(q), str(a)) for q, a in (state.get("history") or [])]
        return {
            "question": clean_question(state.get("question"), settings.max_question_chars),
            "history": history,
            "top_k": int(state.get("top_k") or settings.top_k),
            "filters": state.get("filters"),
            "backend": backend,
            "timings": {},
        }

    def condense_stage(state: dict) -> dict:
        state["language"] = detect_language(state["question"])
        try:
            state["standalone"] = condense(state["question"], state["history"], model_for(state["backend"]))
        except LLMFailed as exc:
            state["llm_failure"] = exc
            state["standalone"] = condense_by_rules(state["question"], state["history"])
        return state

    def retrieve_stage(state: dict) -> dict:
        query, k, filters = state["standalone"], state["top_k"], state["filters"]
        if filters is None and (when := time_filter(query, newest_date())) is not None:
            # the question names a time: its articles first, the rest of k from any time
            documents = retriever.invoke(query, k=k, filters=when)
            if documents:
                state["time_filter"] = when
            seen = {d.id for d in documents}
            documents += [d for d in retriever.invoke(query, k=k) if d.id not in seen][: k - len(documents)]
        else:
            documents = retriever.invoke(query, k=k, filters=filters)
        state["hits"] = [hit_of(d) for d in documents]
        return state

    def newest_date() -> str | None:
        newest = getattr(retriever, "newest_date", None)
        return newest() if newest else None

    def read_stage(state: dict) -> dict:
        passages = article_passages(state["hits"], article_text, reader.window_chars)
        state["passages"] = passages
        state["spans"] = reader.read(state["standalone"], [p.text for p in passages]) if passages else []
        return state

    def answer_stage(state: dict) -> dict:
        hits, spans, passages = state["hits"], state["spans"], state["passages"]
        related = related_quotes(spans, passages)
        model = model_for(state["backend"])
        if "llm_text" in state:  # streamed already
            state["draft"] = parse_reply(state["llm_text"], hits, vectors, related)
            return state
        if model is not None and hits and "llm_failure" not in state:
            try:
                state["draft"] = answer_with_llm(model, state["standalone"], state["language"], hits, vectors, related)
                return state
            except LLMFailed as exc:
                state["llm_failure"] = exc
        if "llm_failure" in state:  # the extractive answer instead, and the user is told why
            log.warning("answering without the LLM: %s", state["llm_failure"])
            state["notice"] = message("llm_failed", state["language"])
        state["draft"] = draft = compose(spans, passages, reader.null_margin, settings.answer_band, reader.rank_penalty)
        state["confidence"] = reader.confidence(draft.margin, draft.abstained)
        return state

    def verify_stage(state: dict) -> dict:
        check_claims(state["draft"].claims, vectors)
        return state

    def runnable(stages: list[tuple[str, Callable]], first: Runnable | None = None) -> Runnable:
        chain = first
        for name, fn in stages:
            step = RunnableLambda(_timed(name, fn), name=name)
            chain = step if chain is None else chain | step
        return chain

    prepare = runnable([("validate", validate), ("condense", condense_stage), ("retrieve", retrieve_stage),
                        ("read", read_stage)], first=RunnableLambda(_start_clock, name="start"))
    respond = runnable([("answer", answer_stage), ("verify", verify_stage), ("finalize", finalize)])
    return AnswerChain(prepare, respond, model_for)


def _start_clock(state: dict) -> dict:
    return {**state, "_started": time.perf_counter()}


def _timed(name: str, fn: Callable[[dict], Any]) -> Callable[[dict], Any]:
    def run(state: dict) -> Any:
        started_total = state.get("_started", time.perf_counter())
        t0 = time.perf_counter()
        out = fn(state)
        timings = out.timings if isinstance(out, Answer) else out.setdefault("timings", {})
        timings[name] = time.perf_counter() - t0
        if isinstance(out, Answer):
            out.timings["total"] = time.perf_counter() - started_total
        else:
            out["_started"] = started_total
        return out

    return run


def finalize(state: dict) -> Answer:
    """Number the supported claims' quotes 1..N in order of use and build the ``Answer``."""
    draft: Draft = state["draft"]
    language = state["language"]
    answer = Answer(
        question=state["question"],
        text="",
        language=language,
        evidence=state["hits"],
        timings=state["timings"],
        standalone_question=state["standalone"],
        backend=state["backend"],
        notice=state.get("notice", ""),
        filters=state["filters"] or state.get("time_filter"),
        filters_from_question=state["filters"] is None and "time_filter" in state,
    )
    numbers: dict[tuple[str, int, int], int] = {}
    parts = []
    for claim in draft.claims:
        cited = []
        if claim.supported:
            for quote in claim.quotes:
                key = (quote.hit.doc_id, quote.start, quote.end)
                if key not in numbers:
                    numbers[key] = len(numbers) + 1
                    answer.citations.append(_citation(numbers[key], quote))
                cited.append(numbers[key])
            parts.append(_with_markers(claim.text, cited))
        answer.sentences.append(SentenceSupport(
            text=_with_markers(claim.text, cited), citations=cited,
            support=round(claim.support, 3), supported=claim.supported,
        ))
    if parts and not draft.abstained:
        answer.text = _join(parts)
        answer.confidence = state.get("confidence")
        return answer
    answer.confidence = state.get("confidence") if draft.abstained else None
    answer.abstained = True
    answer.citations = []
    answer.text = message("abstain", language)
    answer.related = [_citation(i, q) for i, q in enumerate(draft.related, 1)]
    return answer


def _join(parts: list[str]) -> str:
    """Sentences follow each other; short answers (a name, a number) are listed with semicolons."""
    if all(re.search(r"[.!?…][\"'”’)]*\s*(?:\[\d+\])+$", p) for p in parts):
        return " ".join(parts)
    return "; ".join(parts)


def _with_markers(text: str, numbers: list[int]) -> str:
    markers = "".join(f"[{n}]" for n in dict.fromkeys(numbers))
    if not markers:
        return text
    if text.endswith(":"):
        return f"{text[:-1]} {markers}:"
    return f"{text} {markers}"


def _citation(n: int, quote: Quote) -> Citation:
    hit = quote.hit
    return Citation(n=n, doc_id=hit.doc_id, title=hit.title, source=hit.source, date=hit.date, url=hit.url,
                    chunk_id=hit.chunk_id, quote=quote.text, start=quote.start, end=quote.end)
