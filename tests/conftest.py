"""Shared fixtures. Tests never reach the network: hubs are offline, Gradio analytics off."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SEED_ARTICLE = REPO / "data" / "articles" / "seed.md"


@pytest.fixture(autouse=True)
def _clean_warta_env(monkeypatch):
    """A developer's own WARTA_* settings must not leak into tests."""
    for key in list(os.environ):
        if key.startswith("WARTA_"):
            monkeypatch.delenv(key)


@pytest.fixture
def fake_settings(tmp_path):
    from assistant.settings import Settings

    return Settings.from_env(index_dir=tmp_path / "index", embedding_model="fake", data_dir=tmp_path / "data")


@pytest.fixture
def fake_service(fake_settings):
    from assistant.service import Warta

    service = Warta(fake_settings)
    yield service
    service.close()


@pytest.fixture
def seeded_service(fake_service):
    """A fake-embedder service with the bundled articles ingested."""
    report = fake_service.ingest([REPO / "data" / "articles"])
    assert report.articles_added >= 1 and not report.errors
    return fake_service


@pytest.fixture(scope="session")
def e5_service(tmp_path_factory):
    """The real multilingual-e5 model over a real Chroma index of the bundled articles."""
    from assistant.service import Warta
    from assistant.settings import Settings

    index_dir = tmp_path_factory.mktemp("e5-index")
    service = Warta(Settings.from_env(index_dir=index_dir))
    service.ingest([REPO / "data" / "articles"])
    yield service
    service.close()
    shutil.rmtree(index_dir, ignore_errors=True)
