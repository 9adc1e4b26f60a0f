"""Uploads from the chat: they can add articles, never rewrite one, stay within limits, leave
nothing behind when rejected, and can be listed and removed (chunks, lexical rows and file)."""

from __future__ import annotations

import json

import pytest

from assistant.clients.cli import main as cli_main
from assistant.errors import UploadRejected
from assistant.clients.ui import ChatHandlers
from assistant.clients.uploads import UPLOAD_NAMESPACE, Uploads
from tests.conftest import SEED_ARTICLE
from tests.test_security import NoProgress

SEED_ID = "seed-polres-jakbar-rakor-pilkada"
OVERWRITE = f"---\nid: {SEED_ID}\ntitle: Rakor\n---\nRapat koordinasi itu dipimpin oleh Budi Santoso.\n"


def upload(handlers: ChatHandlers, tmp_path, name: str, text: str) -> str:
    incoming = tmp_path / "incoming"
    incoming.mkdir(exist_ok=True)
    (incoming / name).write_text(text, encoding="utf-8")
    result, *_ = handlers.add_articles([str(incoming / name)], progress=NoProgress())
    return result


@pytest.fixture
def handlers(seeded_service):
    return ChatHandlers(seeded_service, seeded_service.settings)


def test_an_upload_naming_an_existing_article_is_refused_and_leaves_nothing(handlers, tmp_path):
    service = handlers.service
    before = service.article(SEED_ID)
    result = upload(handlers, tmp_path, "rakor.md", OVERWRITE)
    assert f"an article with id '{SEED_ID}' is already in the index" in result
    assert service.article(SEED_ID) == before
    assert not any(d.startswith(UPLOAD_NAMESPACE) for d in (a.doc_id for a in service.iter_articles()))
    assert not list(service.settings.uploads_dir.iterdir())  # the stored copy is gone again
    hits = service.retrieve("Budi Santoso memimpin rapat koordinasi", k=10)
    assert all("Budi Santoso" not in h.text for h in hits)


def test_uploads_live_in_their_own_namespace_and_never_replace_each_other(handlers, tmp_path):
    service = handlers.service
    record = {"id": "festival-1", "title": "Festival Kopi", "content": "Festival kopi digelar di Bandung pada Sabtu."}
    assert "1 article(s) added" in upload(handlers, tmp_path, "a.jsonl", json.dumps(record))
    assert service.article(UPLOAD_NAMESPACE + "festival-1").text == record["content"]
    assert service.article("festival-1") is None
    # the same record again: unchanged; another text under the same id: refused
    assert "1 unchanged" in upload(handlers, tmp_path, "b.jsonl", json.dumps(record))
    changed = dict(record, content="Festival kopi dibatalkan karena hujan deras sepanjang hari.")
    assert "already in the index" in upload(handlers, tmp_path, "c.jsonl", json.dumps(changed))
    assert service.article(UPLOAD_NAMESPACE + "festival-1").text == record["content"]
    assert [p.name for p in service.settings.uploads_dir.iterdir()] == ["a.jsonl"]


@pytest.mark.parametrize("setting, text, message", [
    ({"max_upload_records": 2}, "\n".join(json.dumps({"id": f"r{i}", "content": f"Berita nomor {i} hari ini."})
                                          for i in range(3)), "at most 2"),
    ({"max_article_chars": 100}, json.dumps({"id": "long", "content": "Kalimat. " * 30}), "the limit is 100"),
    ({}, json.dumps({"id": "ok", "content": "Berita baik."}) + "\n{not json\n", "unreadable record"),
    ({}, json.dumps({"id": "empty", "content": ""}), "unreadable record"),
])
def test_limits_and_broken_records_reject_the_whole_upload(seeded_service, tmp_path, setting, text, message):
    settings = seeded_service.settings.replace(**setting)
    seeded_service.settings = settings
    handlers = ChatHandlers(seeded_service, settings)
    before = seeded_service.stats()["articles"]
    assert message in upload(handlers, tmp_path, "batch.jsonl", text)
    assert seeded_service.stats()["articles"] == before
    assert not list(settings.uploads_dir.iterdir())


def test_add_upload_raises_with_the_reason(seeded_service, tmp_path):
    path = tmp_path / "rakor.md"
    path.write_text(OVERWRITE, encoding="utf-8")
    with pytest.raises(UploadRejected, match="cannot replace articles"):
        Uploads(seeded_service).add(path)


def test_uploads_can_be_listed_and_removed_with_their_chunks_and_file(handlers, tmp_path, capsys):
    service = handlers.service
    text = "Judul: Festival Kopi\n\nFestival kopi Nusantara digelar di Bandung pada Sabtu pagi."
    upload(handlers, tmp_path, "kopi.txt", text)
    stored = service.settings.uploads_dir / "kopi.txt"
    assert stored.exists()
    [listed] = Uploads(service).list()
    assert listed["doc_id"] == "upload:kopi" and listed["chunks"] >= 1
    assert any(h.doc_id == "upload:kopi" for h in service.retrieve("festival kopi Bandung", k=3))
    with pytest.raises(Exception, match="not an upload"):
        Uploads(service).remove([SEED_ID])
    assert Uploads(service).remove(["upload:kopi"]) == ["upload:kopi"]
    assert Uploads(service).list() == [] and not stored.exists()
    assert all(h.doc_id != "upload:kopi" for h in service.retrieve("festival kopi Bandung", k=10))
    assert service.stats()["chunks"] == service.stats()["lexical_chunks"]
    assert service.article(SEED_ID) is not None


def test_cli_lists_and_removes_uploads(handlers, tmp_path, capsys, monkeypatch):
    service = handlers.service
    upload(handlers, tmp_path, "kopi.txt", "Festival Kopi\n\nFestival kopi digelar di Bandung pada Sabtu.")
    monkeypatch.setenv("WARTA_EMBEDDING_MODEL", "fake")
    monkeypatch.setenv("WARTA_READER", "fake")
    monkeypatch.setenv("WARTA_DATA_DIR", str(service.settings.data_dir))
    index = ["--index", str(service.settings.index_dir)]
    service.close()
    assert cli_main(["uploads", "list", *index]) == 0
    assert "upload:kopi" in capsys.readouterr().out
    assert cli_main(["uploads", "remove", "upload:kopi", *index]) == 0
    assert "removed upload:kopi" in capsys.readouterr().out
    assert cli_main(["uploads", "remove", "upload:nope", *index]) == 1
    assert "no upload with id" in capsys.readouterr().err
    assert cli_main(["uploads", "list", *index]) == 0
    assert "no uploads" in capsys.readouterr().out
    assert SEED_ARTICLE.exists()
