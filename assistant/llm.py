"""The chat model for the optional LLM backends, chosen by settings and imported only when used.

ollama → ``ChatOllama``; openai → ``ChatOpenAI`` (any OpenAI-compatible server via
``llm_base_url``); llamacpp → llama.cpp's OpenAI-compatible server when ``llm_base_url`` is set,
else a GGUF file loaded in-process with ``llama-cpp-python`` (the ``llamacpp`` extra).
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.errors import WartaError
from assistant.settings import Settings


class LLMUnavailable(WartaError):
    """The configured LLM backend cannot be used: a missing extra, model or setting."""


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model ``settings.backend`` names (never called for the extractive backend)."""
    backend = settings.backend
    if backend == "ollama":
        chat_ollama = _import("langchain_ollama", "ChatOllama", "llm")
        kwargs: dict[str, Any] = {"model": _required(settings.llm_model, "WARTA_LLM_MODEL"),
                                  "temperature": settings.llm_temperature}
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
