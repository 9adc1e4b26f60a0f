"""Shared fixtures. Tests never reach the network: hubs are offline, Gradio analytics off."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SEED_ARTICLE = REPO / "data" / "articles" / "seed.md"
NEWS_DIR = REPO / "tests" / "fixtures" / "news"


@pytest.fixture(autouse=True)
def _clean_warta_env(monkeypatch):
    """A developer's own WARTA_* settings must not leak into tests."""
    for key in list(os.environ):
        if key.startswith("WARTA_"):
            monkeypatch.delenv(key)


@pytest.fixture
def fake_settings(tmp_path):
    from assistant.settings import Settings

    return Settings.from_env(index_dir=tmp_path / "index", embedding_model="fake", reader="fake",
                             data_dir=tmp_path / "data")


@pytest.fixture
def fake_service(fake_settings):
    from assistant.service import Warta

    service = Warta(fake_settings)
    yield service
    service.close()


@pytest.fixture
def news_service(fake_service):
    """A model-free service (hashing embedder, fake reader) over the short news fixtures."""
    report = fake_service.ingest([NEWS_DIR])
    assert report.articles_added == 4 and not report.errors
    return fake_service


@pytest.fixture
def seeded_service(news_service):
    """The news fixtures and the seed article (for what the mission names about it)."""
    assert news_service.ingest([SEED_ARTICLE]).articles_added == 1
    return news_service


@pytest.fixture(scope="session")
def e5_service(tmp_path_factory):
    """The real multilingual-e5 model and trained reader over a real Chroma index of the bundled articles."""
    from assistant.service import Warta
    from assistant.settings import Settings

    index_dir = tmp_path_factory.mktemp("e5-index")
    service = Warta(Settings.from_env(index_dir=index_dir))
    service.ingest([REPO / "data" / "articles"])
    yield service
    service.close()
    shutil.rmtree(index_dir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory):
    """A real ``chroma run`` server on a free loopback port, for the integration tier."""
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma run did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)
