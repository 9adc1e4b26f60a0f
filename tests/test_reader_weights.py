"""The committed reader weights are checked before use: a missing, unreadable or altered file
gives an error naming it (CLI exit code 5), and ``warta doctor`` reports it."""

from __future__ import annotations

import json

import pytest

from assistant.clients.cli import main as cli_main
from assistant.answer.reader.model import (ADAPTER_FILE, CONFIG_FILE, WEIGHTS_DIR, ReaderWeightsError, TrainedReader,
                                    adapter_digest, describe_weights, read_config)


@pytest.fixture
def weights(tmp_path):
    """A weights folder shaped like the committed one (a stand-in adapter file, its digest)."""
    folder = tmp_path / "weights"
    folder.mkdir()
    (folder / ADAPTER_FILE).write_bytes(b"adapter bytes")
    config = {"rank": 2, "alpha": 4, "layers": [10, 11], "max_tokens": 64, "stride": 16, "null_margin": 1.5,
              "adapter_sha256": adapter_digest(folder / ADAPTER_FILE)}
    (folder / CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    return folder


def test_intact_weights_are_described(weights):
    assert read_config(weights)["null_margin"] == 1.5
    line = describe_weights(weights)
    assert "LoRA r=2 on layers 10-11" in line and "margin 1.50" in line and line.endswith("OK")


@pytest.mark.parametrize("damage, message", [
    (lambda f: (f / ADAPTER_FILE).unlink(), "reader weights missing: .*adapter.safetensors"),
    (lambda f: (f / CONFIG_FILE).unlink(), "reader weights missing: .*config.json"),
    (lambda f: (f / ADAPTER_FILE).write_bytes(b"adapter byte"), "reader weights corrupt: .*adapter.safetensors"),
    (lambda f: (f / CONFIG_FILE).write_text("{not json", encoding="utf-8"), "reader config unreadable: .*config.json"),
    (lambda f: (f / CONFIG_FILE).write_text("{}", encoding="utf-8"), "reader config unreadable: .*config.json"),
])
def test_damaged_weights_name_the_file(weights, damage, message):
    damage(weights)
    with pytest.raises(ReaderWeightsError, match=message):
        TrainedReader(weights.parent / "cache", weights)


def test_doctor_reports_damaged_weights(weights, fake_settings, monkeypatch, capsys):
    from assistant.service import Warta

    service = Warta(fake_settings)
    service.ingest_articles([])
    service.close()
    (weights / ADAPTER_FILE).write_bytes(b"tampered")
    for key, value in (("WARTA_EMBEDDING_MODEL", "fake"), ("WARTA_READER", "onnx"),
                       ("WARTA_READER_WEIGHTS", str(weights)), ("WARTA_INDEX_DIR", str(fake_settings.index_dir))):
        monkeypatch.setenv(key, value)
    assert cli_main(["doctor", "--check-only"]) == 1
    out = capsys.readouterr().out
    assert f"problem: reader weights corrupt: {weights / ADAPTER_FILE}" in out
    assert cli_main(["ask", "Kapan banjir terjadi?"]) == 5
    assert "reader weights corrupt" in capsys.readouterr().err


def test_the_committed_weights_are_intact():
    assert describe_weights(WEIGHTS_DIR).endswith("OK")
    assert (WEIGHTS_DIR / ADAPTER_FILE).stat().st_size < 20 * 2**20


def test_confidence_comes_from_the_calibrated_fits(weights):
    config = json.loads((weights / CONFIG_FILE).read_text(encoding="utf-8"))
    config.update(window_chars=1400, confidence={"answered": [1.0, 0.0], "abstained": [-0.5, 1.0]})
    (weights / CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    reader = TrainedReader(weights.parent, weights)
    assert reader.window_chars == 1400
    assert reader.confidence(0.0, abstained=False) == 0.5
    assert reader.confidence(3.0, abstained=False) > reader.confidence(1.0, abstained=False) > 0.5
    assert reader.confidence(-2.0, abstained=True) > reader.confidence(2.0, abstained=True)
    assert reader.confidence(None, abstained=True) is None


def test_a_reader_without_fits_gives_no_confidence(weights):
    reader = TrainedReader(weights.parent, weights)
    assert reader.window_chars == 0 and reader.confidence(2.0, abstained=False) is None
