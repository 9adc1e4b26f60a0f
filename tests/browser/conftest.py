"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, and the real app
(``python app.py``) in a subprocess on a free loopback port, over a temporary copy of
data/articles and a temporary index.

The app reads its settings from the environment like any run: set ``WARTA_EMBEDDING_MODEL``
(e.g. ``fake``) to test with another embedder than the packaged e5 model.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port, serving

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
READY_TIMEOUT_S = 180
QUESTION_BOX = "#warta-question textarea"


@dataclass
class RunningApp:
    url: str
    process: subprocess.Popen
    log_path: Path
    data_dir: Path
    index_dir: Path
    auth: str = ""

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]


def ensure_chromium() -> None:
    """Install Debian's Chromium when missing; skip (fail in CI) when that is impossible."""
    if CHROMIUM.exists():
        return
    problem = ""
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=900)
        except (OSError, subprocess.SubprocessError) as error:
            problem = f"{' '.join(command)} failed: {error}"
            break
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing and could not be installed ({problem})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def start_app(workdir: Path, articles: list[str] | None = None, index_dir: Path | None = None,
              **settings_env: str) -> RunningApp:
    """``python app.py`` over a copy of data/articles (or of some of its files; uploads land in
    the copy, not in the repo) and its own index, or ``index_dir`` shared with another app."""
    data_dir = workdir / "articles"
    if articles is None:
        shutil.copytree(REPO / "data" / "articles", data_dir, ignore=shutil.ignore_patterns("uploads"))
    else:
        data_dir.mkdir(parents=True)
        for name in articles:
            shutil.copy(REPO / "data" / "articles" / name, data_dir / name)
    env = {
        **os.environ,
        "WARTA_DATA_DIR": str(data_dir),
        "WARTA_INDEX_DIR": str(index_dir or workdir / "index"),
        "WARTA_AUTH": "",
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
        **settings_env,
    }
    port = free_port()
    log_path = workdir / "app.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)],
                                   cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    app = RunningApp(f"http://127.0.0.1:{port}", process, log_path, data_dir, Path(env["WARTA_INDEX_DIR"]),
                     env["WARTA_AUTH"])
    wait_until_ready(app)
    return app


def wait_until_ready(app: RunningApp) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            pytest.fail(f"the app exited with {app.process.returncode}:\n{app.log_tail()}")
        try:
            with urllib.request.urlopen(app.url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    stop_app(app)
    pytest.fail(f"the app was not ready after {READY_TIMEOUT_S}s:\n{app.log_tail()}")


def stop_app(app: RunningApp) -> None:
    app.process.terminate()
    try:
        app.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        app.process.kill()
        app.process.wait()


@pytest.fixture(scope="session")
def browser():
    ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    running = start_app(tmp_path_factory.mktemp("warta-app"))
    yield running
    stop_app(running)


@pytest.fixture(scope="module")
def app_with_login(tmp_path_factory):
    """A second app that asks for a login (over the seed article alone: quick to index)."""
    running = start_app(tmp_path_factory.mktemp("warta-login"), articles=["seed.md"],
                        WARTA_AUTH="reader:kopi-tubruk-42")
    yield running
    stop_app(running)


@pytest.fixture(scope="module")
def stub_llm():
    """The local LLM stand-in (tests/llm_stub.py) as its own process, streaming token by token."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "tests.llm_stub", "--port", str(port), "--token-delay", "0.15"],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    serving(port, process, "the stub LLM server", timeout=30)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def app_with_llm(tmp_path_factory, app, stub_llm):
    """An app whose answer backend is an OpenAI-compatible server (the stub), sharing the main
    app's index."""
    running = start_app(tmp_path_factory.mktemp("warta-llm"), articles=["seed.md"], index_dir=app.index_dir,
                        WARTA_BACKEND="openai", WARTA_LLM_MODEL="stub-model", WARTA_LLM_BASE_URL=stub_llm + "/v1")
    yield running
    stop_app(running)


@pytest.fixture
def open_chat(browser, app):
    """Opens the chat in a fresh browser context (its own session); several per test are fine.
    ``open_chat(other_app)`` opens another app's chat."""
    contexts = []

    def open_page(running: RunningApp = app):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto(running.url, wait_until="domcontentloaded")  # never "networkidle" on Gradio
        page.wait_for_selector(QUESTION_BOX, timeout=60_000)
        return page

    yield open_page
    for context in contexts:
        context.close()
