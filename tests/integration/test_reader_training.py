"""The training script on a handful of examples (CI never trains for real): it writes an adapter
the reader can load, prints validation metrics, and a rerun resumes from its checkpoint."""

from __future__ import annotations

import json

import pytest

from assistant.answer.reader import train
from assistant.answer.reader.model import ADAPTER_FILE, CONFIG_FILE, TrainedReader, read_config
from assistant.settings import Settings

pytestmark = pytest.mark.integration


def test_a_tiny_training_run_writes_a_loadable_adapter_and_resumes(tmp_path, capsys):
    out, work = tmp_path / "weights", tmp_path / "work"
    args = ["--limit", "12", "--batch-size", "4", "--valid-limit", "4", "--out", str(out), "--work", str(work),
            "--checkpoint-every", "1", "--rank", "4", "--alpha", "8", "--max-tokens", "96", "--stride", "32"]
    assert train.main([*args, "--max-steps", "2"]) == 0
    printed = capsys.readouterr().out
    assert "training examples" in printed and "valid set" in printed and "english" in printed
    config = read_config(out)  # the digest matches, all keys are there
    assert config["steps"] == 2
    assert set(config["valid"]) == {"tydiqa", "idk_mrc", "facqa", "english", "news_dev"}  # the news corpus's dev
    assert (out / ADAPTER_FILE).stat().st_size < 2 * 2**20

    assert train.main([*args, "--max-steps", "3"]) == 0  # another configuration: starts over
    assert "starting over" in capsys.readouterr().out
    assert train.main([*args, "--max-steps", "3"]) == 0  # the same one again: resumes at its end
    assert "resumed at step 3/3" in capsys.readouterr().out

    reader = TrainedReader(Settings.from_env().cache_dir, out, backend="torch")
    spans = reader.read("Siapa pencetak gol kemenangan Persib?",
                        ["Gol kemenangan Persib dicetak oleh Ciro Alves pada menit ke-81."])
    assert spans and all(0 <= s.start < s.end for s in spans)
    assert json.loads((out / CONFIG_FILE).read_text())["training"]["rank"] == 4
