"""The chat model for the optional LLM backends, chosen by settings and imported only when used.

ollama → ``ChatOllama``; openai → ``ChatOpenAI`` (any OpenAI-compatible server via
``llm_base_url``); llamacpp → llama.cpp's OpenAI-compatible server when ``llm_base_url`` is set,
else a GGUF file loaded in-process with ``llama-cpp-python`` (the ``llamacpp`` extra).

Every model is wrapped in ``ResilientChat``: each request has a timeout (``llm_timeout_s``, set on
the HTTP client, so a hung server cannot hang a chat), and a failed request (timeout, closed
connection, a 5xx) is retried ``llm_retries`` times with doubling backoff; then ``LLMFailed``
says what happened, and the answer chain falls back to the extractive answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.errors import WartaError
from assistant.settings import Settings


log = logging.getLogger("warta")


class LLMUnavailable(WartaError):
    """The configured LLM backend cannot be used: a missing extra, model or setting."""


class LLMFailed(WartaError):
    """The LLM server did not answer (timed out, closed the connection, or failed) after retries."""


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model ``settings.backend`` names, with timeouts and retries (never called for
    the extractive backend)."""
    return ResilientChat(inner=_client(settings), retries=settings.llm_retries, backoff_s=settings.llm_backoff_s)


def _client(settings: Settings) -> BaseChatModel:
    backend = settings.backend
    if backend == "ollama":
        chat_ollama = _import("langchain_ollama", "ChatOllama", "llm")
        kwargs: dict[str, Any] = {"model": _required(settings.llm_model, "WARTA_LLM_MODEL"),
                                  "temperature": settings.llm_temperature,
                                  "client_kwargs": {"timeout": settings.llm_timeout_s}}
        if settings.llm_base_url:
            kwargs["base_url"] = settings.llm_base_url
        return chat_ollama(**kwargs)
    if backend == "openai" or (backend == "llamacpp" and settings.llm_base_url):
        chat_openai = _import("langchain_openai", "ChatOpenAI", "llm")
        return chat_openai(
            model=settings.llm_model or "local-model",
            base_url=settings.llm_base_url or None,
            api_key=settings.llm_api_key or "not-needed",
            temperature=settings.llm_temperature,
            timeout=settings.llm_timeout_s,
            max_retries=0,  # ResilientChat retries, the same way for every backend
        )
    if backend == "llamacpp":
        llama = _import("llama_cpp", "Llama", "llamacpp")
        path = _required(settings.llamacpp_model_path, "WARTA_LLAMACPP_MODEL_PATH")
        try:
            engine = llama(model_path=path, n_ctx=4096, verbose=False)
        except (ValueError, OSError) as exc:
            raise LLMUnavailable(f"cannot load the GGUF model {path}: {exc}") from exc
        return LlamaCppChat(engine=engine, temperature=settings.llm_temperature)
    raise LLMUnavailable(f"backend {backend!r} has no chat model")


class ResilientChat(BaseChatModel):
    """Another chat model with bounded retries and backoff; a stream is retried only until its
    first chunk arrived (after that, a retry would repeat what the user already saw)."""

    inner: BaseChatModel
    retries: int = 2
    backoff_s: float = 0.5

    @property
    def _llm_type(self) -> str:
        return f"resilient-{type(self.inner).__name__}"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        for attempt in range(self.retries + 1):
            try:
                reply = self.inner.invoke(messages, stop=stop, **kwargs)
                return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply.content))])
            except Exception as exc:  # noqa: BLE001 - classified below
                self._give_up_or_wait(exc, attempt)
        raise AssertionError("unreachable")

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for attempt in range(self.retries + 1):
            started = False
            try:
                for chunk in self.inner.stream(messages, stop=stop, **kwargs):
                    started = True
                    piece = ChatGenerationChunk(message=AIMessageChunk(content=chunk.content))
                    if run_manager is not None:
                        run_manager.on_llm_new_token(str(chunk.content), chunk=piece)
                    yield piece
                return
            except Exception as exc:  # noqa: BLE001 - classified below
                if started:
                    raise LLMFailed(f"the language model stopped mid-answer: {_describe(exc)}") from exc
                self._give_up_or_wait(exc, attempt)

    def _give_up_or_wait(self, exc: Exception, attempt: int) -> None:
        if not _retryable(exc) or attempt == self.retries:
            raise LLMFailed(f"the language model did not answer: {_describe(exc)}") from exc
        log.warning("LLM request failed (%s); retry %d of %d", _describe(exc), attempt + 1, self.retries)
        time.sleep(self.backoff_s * 2**attempt)


def _retryable(exc: Exception) -> bool:
    """A timeout, a dropped connection or a server error may pass; a client error (401, 404) won't."""
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    return not (isinstance(status, int) and 400 <= status < 500)


def _describe(exc: Exception) -> str:
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    name = type(exc).__name__
    return f"{name} (HTTP {status})" if status else name


class LlamaCppChat(BaseChatModel):
    """A ``llama_cpp.Llama`` as a LangChain chat model (uses the GGUF's own chat template)."""

    engine: Any
    temperature: float = 0.0
    max_tokens: int = 384

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        roles = {"system": "system", "human": "user", "ai": "assistant"}
        reply = self.engine.create_chat_completion(
            messages=[{"role": roles.get(m.type, "user"), "content": str(m.content)} for m in messages],
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            stop=stop,
        )
        text = reply["choices"][0]["message"]["content"] or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def _import(module: str, name: str, extra: str) -> Any:
    try:
        return getattr(__import__(module, fromlist=[name]), name)
    except ImportError as exc:
        raise LLMUnavailable(f"{module} is not installed: pip install 'warta[{extra}]'") from exc


def _required(value: str, env_name: str) -> str:
    if not value:
        raise LLMUnavailable(f"set {env_name} to use this backend")
    return value
