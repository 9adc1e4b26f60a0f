"""Security: the chat listens on loopback unless told otherwise, asks for a login when
configured, keeps uploads small, of known types and inside the data folder, and nothing logs a
secret or an article's text."""

from __future__ import annotations

import logging

import gradio as gr
import pytest

import app as app_module
from assistant.clients import cli, ui
from assistant.service import Warta
from assistant.ingest.loaders import load_articles
from assistant.settings import Settings
from assistant.clients.ui import ChatHandlers
from assistant.clients.uploads import store_upload, upload_rejection
from tests.conftest import NEWS_DIR

SECRET = "sk-live-THIS-MUST-NEVER-BE-LOGGED-42"


# ---------------------------------------------------------------- where the chat listens

@pytest.fixture
def launched(monkeypatch, news_service):
    """Run ``ui.serve`` with the real app but a recording ``launch``: no server is started."""
    calls: list[dict] = []
    monkeypatch.setattr("assistant.service.get_service", lambda settings=None: news_service)
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kwargs: calls.append(kwargs))
    return calls


def test_chat_binds_to_loopback_by_default(launched, fake_settings):
    ui.serve(fake_settings)
    (kwargs,) = launched
    assert kwargs["server_name"] == "127.0.0.1"
    assert kwargs["share"] is False and kwargs["auth"] is None
    assert kwargs["server_port"] == 7860
    assert kwargs["max_file_size"] == 10 * 1024 * 1024
    assert kwargs["show_error"] is False  # tracebacks stay in the server log


def test_other_host_only_when_asked_and_login_is_passed_to_launch(launched, fake_settings):
    ui.serve(fake_settings.replace(host="0.0.0.0", port=8123, auth="editor:s3cr:et", max_upload_mb=2))
    (kwargs,) = launched
    assert (kwargs["server_name"], kwargs["server_port"]) == ("0.0.0.0", 8123)
    assert kwargs["auth"] == ("editor", "s3cr:et")  # split at the first colon only
    assert kwargs["auth_message"] and kwargs["max_file_size"] == 2 * 1024 * 1024
    assert kwargs["share"] is False


def test_settings_app_and_cli_default_to_loopback(monkeypatch):
    assert Settings().host == "127.0.0.1" and Settings.from_env().host == "127.0.0.1"
    seen: list[Settings] = []
    monkeypatch.setattr(app_module, "serve", seen.append)
    app_module.main([])
    app_module.main(["--port", "9000"])
    monkeypatch.setattr(ui, "serve", seen.append)
    assert cli.main(["serve"]) == 0
    assert [s.host for s in seen] == ["127.0.0.1"] * 3 and seen[1].port == 9000
    monkeypatch.setenv("WARTA_HOST", "0.0.0.0")
    app_module.main([])
    assert seen[-1].host == "0.0.0.0"  # only when the operator says so


def test_auth_setting_must_be_user_colon_password():
    from assistant.settings import SettingsError

    with pytest.raises(SettingsError, match="user:password"):
        Settings(auth="no-colon")
    assert "s3cret" not in str(Settings(auth="u:s3cret").public_dict())


# ---------------------------------------------------------------- uploads

HOSTILE_NAMES = ["../../x.txt", "/etc/passwd", "..\\..\\x.txt", "a\x00b.txt", ".hidden.txt", "../.bashrc.md",
                 "C:\\Windows\\system32\\evil.txt", "....//....//y.txt", "~/.ssh/authorized_keys.txt",
                 "\u202egnp.txt", "con.txt", " .txt", "..", ""]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n) for n in HOSTILE_NAMES])
def test_upload_names_never_escape_the_uploads_folder(tmp_path, name):
    source = tmp_path / "incoming" / "upload.bin"
    source.parent.mkdir()
    source.write_text("Judul\n\nIsi berita.", encoding="utf-8")
    data_dir = tmp_path / "data"
    uploads = data_dir / "uploads"
    before = {p for p in tmp_path.rglob("*")}
    target = store_upload(source, name, uploads)
    assert target.parent == uploads and target.resolve().parent == uploads.resolve()
    assert not target.name.startswith(".") and "\x00" not in target.name and "/" not in target.name
    assert "\\" not in target.name and target.name not in ("", ".", "..")
    created = {p for p in tmp_path.rglob("*")} - before
    assert created <= {data_dir, uploads, target}
    assert target.read_text(encoding="utf-8") == "Judul\n\nIsi berita."


def test_upload_handler_stores_hostile_names_inside_data_and_rejects_bad_files(tmp_path, fake_settings):
    settings = fake_settings.replace(data_dir=tmp_path / "data", max_upload_mb=0.01)
    service = Warta(settings)
    handlers = ChatHandlers(service, settings)
    incoming = tmp_path / "gradio-tmp"
    incoming.mkdir()
    files = {
        "..\\..\\escape.txt": "Banjir\n\nBanjir melanda Kemang pada Senin pagi.",
        ".hidden.txt": "Gempa\n\nGempa mengguncang Garut pada Kamis.",
        "big.txt": "Besar\n\n" + "Kalimat panjang sekali. " * 1000,  # over 0.01 MB
        "tool.exe": "MZ not an article",
        "page.php": "<?php system($_GET['c']); ?>",
    }
    paths = []
    for name, text in files.items():
        path = incoming / name
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    result, *_ = handlers.add_articles(paths, progress=NoProgress())
    stored = sorted(p.name for p in (tmp_path / "data" / "uploads").iterdir())
    assert stored == ["escape.txt", "hidden.txt"]
    assert "over the 0.01 MB limit" in result and "tool.exe: not a supported format" in result
    assert "page.php: not a supported format" in result
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "gradio-tmp", "index"]  # nothing elsewhere
    assert {a.doc_id for a in service.iter_articles()} == {"upload:escape", "upload:hidden"}
    service.close()


def test_upload_rejection_limits():
    assert upload_rejection("a.txt", 10 * 1024 * 1024, 10) is None
    assert "limit" in upload_rejection("a.txt", 10 * 1024 * 1024 + 1, 10)
    for name in ("a.exe", "a.txt.exe", "a", "a.pdf", "a.sh", "a.svg"):
        assert "not a supported format" in upload_rejection(name, 100, 10), name


class NoProgress:
    def tqdm(self, iterable, desc=None):
        return iterable


# ---------------------------------------------------------------- logs

def test_logs_hold_no_secret_and_no_article_text(monkeypatch, caplog, tmp_path):
    monkeypatch.setenv("WARTA_LLM_API_KEY", SECRET)
    monkeypatch.setenv("WARTA_EMBEDDING_MODEL", "fake")
    monkeypatch.setenv("WARTA_READER", "fake")
    monkeypatch.setenv("WARTA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("WARTA_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    monkeypatch.setenv("WARTA_LLM_BACKOFF_S", "0.01")
    settings = Settings.from_env()
    assert settings.llm_api_key == SECRET
    caplog.set_level(logging.DEBUG)
    service = Warta(settings)
    service.ingest([NEWS_DIR])
    service.ask("Kapan Persib mengalahkan Persija?")
    service.ask("What did Anies Baswedan say at the meeting?")
    service.retrieve("banjir", k=3)
    service.stats()
    # the real OpenAI-compatible client, failing to connect: its error path must not log the key
    assert service.ask("Siapa pelatih Persib?", backend="openai").notice  # fell back, and said so
    # the chat handler logs unexpected errors with their traceback
    handlers = ChatHandlers(service, settings.replace(backend="openai"))
    service.ask_stream = lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError(f"key {SECRET[:4]}… refused"))
    list(handlers.respond("Siapa pelatih Persib?", [], [], 4, "", "", [], "openai"))
    logging.getLogger("warta").debug("settings: %s", settings.public_dict())
    service.close()

    text = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert SECRET not in text and SECRET[8:24] not in text
    for article in load_articles([NEWS_DIR]).articles:
        long_sentences = [line for line in article.text.splitlines() if len(line) > 100]
        assert long_sentences and not any(line in text for line in long_sentences)
    assert any("answering" in r.getMessage() for r in caplog.records)  # the handler did log
    assert any("LLM request failed" in r.getMessage() or "without the LLM" in r.getMessage() for r in caplog.records)


def test_public_settings_mask_secrets():
    public = Settings(llm_api_key=SECRET, auth="user:pw").public_dict()
    assert public["llm_api_key"] == "***" and public["auth"] == "***"
    assert SECRET not in repr(public)


def test_settings_repr_masks_secrets():
    assert SECRET not in repr(Settings(llm_api_key=SECRET))
