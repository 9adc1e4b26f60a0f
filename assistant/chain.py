"""The answer pipeline as LangChain Runnables: validate → condense follow-up → retrieve →
select evidence → answer → verify → ``Answer``.

Each stage is a ``RunnableLambda`` over one state dict and records its seconds in
``Answer.timings``; the service, CLI, UI and evaluator all call this one chain.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, Callable

from langchain_core.embeddings import Embeddings
from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer import Answer, Citation, SentenceSupport
from assistant.answering import (
    Draft,
    Quote,
    answer_extractively,
    answer_with_llm,
    related_quotes,
    unanswerable_detail,
)
from assistant.errors import InvalidQuestion
from assistant.evidence import (
    VectorCache,
    attribute_speakers,
    match_speaker,
    reading_order,
    score_candidates,
    speakers_of,
)
from assistant.followup import condense
from assistant.language import analyze_question
from assistant.prompts import message
from assistant.records import Filters, Hit
from assistant.settings import BACKENDS, Settings, SettingsError
from assistant.textproc import content_terms
from assistant.verify import check_claims

if TYPE_CHECKING:  # chat-model classes import slowly (~1 s); the extractive path never needs them
    from langchain_core.language_models import BaseChatModel

Retrieve = Callable[[str, int, Filters | None], list[Hit]]
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def warm_up(embedder: Embeddings | None = None) -> None:
    """Load what the first question would otherwise wait for: the stemmer's dictionary, the stop
    words, the question rules and one query and one passage through the embedder. Call it when
    the service starts (it takes ~1 s on 2 cores); answers are the same without it."""
    analyze_question("Siapa yang menghadiri rapat koordinasi itu?")
    content_terms("Rakor dihadiri para pejabat pada Selasa.")
    if embedder is not None:
        embedder.embed_query("warm up")
        embedder.embed_documents(["Rakor dihadiri para pejabat pada Selasa."])


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


def build_answer_chain(retrieve: Retrieve, settings: Settings, embedder: Embeddings | None = None,
                       chat_model: BaseChatModel | None = None) -> Runnable:
    """The pipeline; invoke with {"question", "history", "top_k", "filters", "backend"}."""
    vectors = VectorCache(embedder) if embedder is not None else None
    models: dict[str, BaseChatModel] = {}

    def model_for(backend: str) -> BaseChatModel | None:
        if backend == "extractive":
            return None
        if chat_model is not None:
            return chat_model
        if backend not in models:
            from assistant.llm import make_chat_model

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
        state["standalone"] = condense(state["question"], state["history"], model_for(state["backend"]))
        state["analysis"] = analyze_question(state["standalone"])
        return state

    def retrieve_stage(state: dict) -> dict:
        off_topic = state["analysis"].off_topic
        state["hits"] = [] if off_topic else retrieve(state["standalone"], state["top_k"], state["filters"])
        return state

    def select_stage(state: dict) -> dict:
        analysis = state["analysis"]
        if vectors is not None:
            vectors.remember_hits(state["hits"])
        ordered = reading_order(state["hits"])
        attribute_speakers(ordered)
        speaker = None
        if analysis.speaker:
            speaker = match_speaker(analysis.speaker, speakers_of(ordered))
        state.update(ordered=ordered, speaker=speaker,
                     ranked=score_candidates(ordered, analysis, vectors, speaker))
        return state

    def answer_stage(state: dict) -> dict:
        analysis, ranked = state["analysis"], state["ranked"]
        if analysis.off_topic:
            state["draft"] = Draft(abstained=True, declined=True)
            return state
        detail = unanswerable_detail(analysis, state["hits"], ranked, state["speaker"])
        if detail is not None:
            state["draft"] = Draft(abstained=True, detail=detail, related=related_quotes(ranked))
            return state
        model = model_for(state["backend"])
        if model is None:
            state["draft"] = answer_extractively(analysis, ranked, state["ordered"], state["speaker"])
        else:
            state["draft"] = answer_with_llm(model, analysis, state["hits"], ranked, vectors)
        return state

    def verify_stage(state: dict) -> dict:
        check_claims(state["draft"].claims, vectors)
        return state

    stages = [
        ("validate", validate),
        ("condense", condense_stage),
        ("retrieve", retrieve_stage),
        ("select", select_stage),
        ("answer", answer_stage),
        ("verify", verify_stage),
        ("finalize", finalize),
    ]
    chain: Runnable = RunnableLambda(_start_clock, name="start")
    for name, fn in stages:
        chain = chain | RunnableLambda(_timed(name, fn), name=name)
    return chain.with_config(run_name="warta_answer")


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
    language = state["analysis"].language
    answer = Answer(
        question=state["question"],
        text="",
        language=language,
        evidence=state["hits"],
        timings=state["timings"],
        standalone_question=state["standalone"],
        backend=state["backend"],
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
        answer.text = " ".join(parts)
        return answer
    answer.abstained = True
    answer.citations = []
    if draft.declined:
        answer.text = message("decline", language)
    else:
        answer.text = message("abstain", language, detail=draft.detail)
        related = draft.related or related_quotes(state["ranked"])
        answer.related = [_citation(i, q) for i, q in enumerate(related, 1)]
    return answer


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
