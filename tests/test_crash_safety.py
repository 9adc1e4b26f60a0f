"""Crash safety: ``warta ingest`` killed with SIGKILL at random points, then re-run, ends with
exactly what a clean run gives; ``warta doctor`` finds and repairs broken states.

The write protocol (assistant/store.py) makes this hold: articles are written ``pending``,
then the vectors go to Chroma, then chunks, lexical rows and ``complete`` in one SQLite
transaction; the next run removes whatever an interrupted one left pending.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.clients import cli
from assistant.index.doctor import check_and_repair
from assistant.records import Article
from assistant.service import Warta
from tests.conftest import REPO

WORDS = ("banjir kota jakarta polisi rapat gubernur pemilu warga jalan sekolah pasar harga beras listrik "
         "air sungai hujan kereta bandara pelabuhan rumah sakit dokter guru petani nelayan").split()


def make_articles(folder: Path, n: int = 40, paragraphs: int = 160, seed: int = 11) -> Path:
    """``n`` distinct small articles, large enough together that ingestion takes seconds."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        lines = []
        for j in range(paragraphs):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16)))
            lines.append(f"{words.capitalize()} pada hari ke-{j} laporan {i}.")
        (folder / f"artikel-{i:03d}.txt").write_text(f"Laporan Nomor {i}\n\n" + "\n".join(lines) + "\n",
                                                     encoding="utf-8")
    return folder


def env_for(index_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env.update(WARTA_EMBEDDING_MODEL="fake", WARTA_READER="fake", WARTA_INDEX_DIR=str(index_dir), HF_HUB_OFFLINE="1",
               PYTHONPATH=str(REPO))
    return env


def warta(*args: str, index_dir: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.clients.cli", *args], env=env_for(index_dir), cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def stats_json(index_dir: Path) -> dict:
    done = warta("stats", "--json", index_dir=index_dir)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def catalog_state(index_dir: Path) -> dict:
    conn = sqlite3.connect(index_dir / "catalog.sqlite")
    try:
        return {
            "chunks": {r for r in conn.execute("SELECT chunk_id, doc_id, start, end, text FROM chunks")},
            "lexical": {r[0] for r in conn.execute("SELECT chunk_id FROM lexical")},
            "articles": {r for r in conn.execute("SELECT doc_id, content_hash, status, n_chunks FROM articles")},
        }
    finally:
        conn.close()


def vector_ids(index_dir: Path) -> set[str]:
    from assistant.settings import Settings

    service = Warta(Settings.from_env(index_dir=index_dir, embedding_model="fake"))
    try:
        return service.index().vectors.ids()
    finally:
        service.close()


def pending_count(index_dir: Path) -> int | None:
    if not (index_dir / "catalog.sqlite").exists():
        return None
    conn = sqlite3.connect(index_dir / "catalog.sqlite", timeout=30)
    try:
        return conn.execute("SELECT count(*) FROM articles WHERE status != 'complete'").fetchone()[0]
    except sqlite3.OperationalError:  # killed before the schema was written
        return None
    finally:
        conn.close()


def ingest_and_kill(folder: Path, index_dir: Path, delay: float) -> dict:
    """Start ``warta ingest``, wait until it is ingesting (its progress bar appears), wait
    ``delay`` more seconds and SIGKILL it. Returns what happened."""
    proc = subprocess.Popen([sys.executable, "-m", "assistant.clients.cli", "ingest", str(folder)], env=env_for(index_dir),
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    started = threading.Event()
    err: list[bytes] = []

    def read_stderr() -> None:
        for chunk in iter(lambda: proc.stderr.read1(4096), b""):
            err.append(chunk)
            if b"ingest:" in b"".join(err[-3:]):
                started.set()
        started.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    started.wait(timeout=120)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    code = proc.wait(timeout=60)
    reader.join(timeout=10)
    return {"delay": round(delay, 2), "killed": code == -signal.SIGKILL, "code": code,
            "pending_after": pending_count(index_dir), "stderr_tail": b"".join(err)[-300:].decode(errors="replace")}


@pytest.mark.slow
def test_sigkilled_ingestion_rerun_equals_a_clean_run(tmp_path):
    folder = make_articles(tmp_path / "articles")

    clean_dir = tmp_path / "clean-index"
    done = warta("ingest", str(folder), index_dir=clean_dir)
    assert done.returncode == 0, done.stderr
    clean = catalog_state(clean_dir)
    clean_stats = stats_json(clean_dir)
    assert clean_stats["articles"] == 40 and clean_stats["pending_articles"] == 0

    crash_dir = tmp_path / "crash-index"
    rng = random.Random(20240730)
    kills = [ingest_and_kill(folder, crash_dir, rng.uniform(0.2, 3.0)) for _ in range(4)]
    print("kills:", json.dumps(kills, indent=1))
    assert any(k["killed"] for k in kills), kills  # at least one kill landed mid-ingestion

    done = warta("ingest", str(folder), index_dir=crash_dir)
    assert done.returncode == 0, done.stderr
    crashed = catalog_state(crash_dir)
    crashed_stats = stats_json(crash_dir)

    assert crashed["chunks"] == clean["chunks"]  # same chunk ids, offsets and texts
    assert crashed["lexical"] == clean["lexical"] == {c[0] for c in clean["chunks"]}
    assert {a[:2] + a[3:] for a in crashed["articles"]} == {a[:2] + a[3:] for a in clean["articles"]}
    assert all(a[2] == "complete" for a in crashed["articles"])
    assert vector_ids(crash_dir) == vector_ids(clean_dir) == {c[0] for c in clean["chunks"]}
    for key in ("articles", "pending_articles", "chunks", "catalog_chunks", "lexical_chunks"):
        assert crashed_stats[key] == clean_stats[key], key

    doctor = warta("doctor", index_dir=crash_dir)
    assert doctor.returncode == 0 and "healthy" in doctor.stdout and "problem" not in doctor.stdout, doctor.stdout

    again = warta("ingest", "--json", str(folder), index_dir=crash_dir)
    report = json.loads(again.stdout)
    assert report["articles_unchanged"] == 40 and report["chunks_added"] == 0 and report["recovered"] == 0


@pytest.mark.slow
def test_killed_ingestion_leaves_nothing_half_served(tmp_path):
    """Between the kill and the re-run, every article a reader can see is complete: its chunks
    are all in the catalog, the lexical index and Chroma."""
    folder = make_articles(tmp_path / "articles", n=30)
    index_dir = tmp_path / "index"
    outcome = ingest_and_kill(folder, index_dir, 1.5)
    if pending_count(index_dir) is None:
        pytest.skip(f"killed before the catalog existed: {outcome}")
    from assistant.settings import Settings

    service = Warta(Settings.from_env(index_dir=index_dir, embedding_model="fake"))
    try:
        conn = service.index().conn
        complete = {r[0]: r[1] for r in conn.execute("SELECT doc_id, n_chunks FROM articles WHERE status='complete'")}
        vectors = service.index().vectors.ids()
        for doc_id, n_chunks in complete.items():
            ids = {r[0] for r in conn.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))}
            assert len(ids) == n_chunks and ids <= vectors
        for hit in service.retrieve("banjir jakarta polisi", k=20):
            assert hit.doc_id in complete
    finally:
        service.close()


# ---------------------------------------------------------------- doctor on broken states

def _article(i: int) -> Article:
    return Article(doc_id=f"doc-{i}", title=f"Berita {i}",
                   text=f"Banjir melanda kampung {i} pada Senin. Warga {i} mengungsi ke masjid. "
                        f"Bantuan tiba pada Selasa pagi untuk {i} keluarga.")


@pytest.fixture
def small_index(fake_service):
    fake_service.ingest_articles([_article(i) for i in range(12)])
    return fake_service


def _healthy_counts(service: Warta) -> dict:
    stats = service.stats()
    assert stats["chunks"] == stats["catalog_chunks"] == stats["lexical_chunks"]
    return {k: stats[k] for k in ("articles", "pending_articles", "chunks", "catalog_chunks", "lexical_chunks")}


def test_doctor_on_a_healthy_index_does_nothing(small_index):
    report = check_and_repair(small_index)
    assert report.problems == 0 and report.verdict == "healthy"


def test_doctor_reembeds_deleted_vectors(small_index):
    before = _healthy_counts(small_index)
    index = small_index.index()
    victims = sorted(index.vectors.ids())[:5]
    index.collection.delete(ids=victims)
    assert small_index.stats()["chunks"] == before["chunks"] - 5

    check = check_and_repair(small_index, repair=False)
    assert not check.healthy and any("5 catalog chunk(s) have no vector" in line for line in check.lines)
    assert small_index.stats()["chunks"] == before["chunks"] - 5  # check-only changed nothing

    report = check_and_repair(small_index)
    assert report.healthy and "repaired: re-embedded 5 chunk(s)" in report.lines
    assert _healthy_counts(small_index) == before
    vectors = index.vectors_for(victims)
    expected = small_index.embedder.embed_documents([h.text for h in index.hits_for(victims).values()])
    assert len(vectors) == 5 and all(len(v) == len(expected[0]) for v in vectors.values())
    assert check_and_repair(small_index).problems == 0


def test_doctor_rebuilds_deleted_lexical_rows(small_index):
    before = _healthy_counts(small_index)
    index = small_index.index()
    with index.catalog.transaction() as tx:
        tx.execute("DELETE FROM lexical WHERE rowid IN (SELECT rowid FROM lexical LIMIT 4)")
    assert small_index.stats()["lexical_chunks"] == before["lexical_chunks"] - 4
    report = check_and_repair(small_index)
    assert report.healthy and "repaired: rebuilt the lexical index from the catalog" in report.lines
    assert any(f"lexical index has {before['lexical_chunks'] - 4} rows" in line for line in report.lines)
    assert _healthy_counts(small_index) == before
    assert {h.doc_id for h in small_index.retrieve("banjir kampung 3 mengungsi", k=12)}


def test_doctor_removes_a_pending_article_and_its_vectors(small_index):
    before = _healthy_counts(small_index)
    index = small_index.index()
    half = _article(99)
    from assistant.ingest.chunking import chunk_article

    chunks = chunk_article(half)
    index.begin_articles([half], [])  # crash after step 2: pending row + vectors, no chunk rows
    index.write_vectors(chunks, {half.doc_id: half}, small_index.embedder.embed_documents([c.text for c in chunks]))
    assert small_index.stats()["pending_articles"] == 1
    assert all(h.doc_id != "doc-99" for h in small_index.retrieve("kampung 99 banjir", k=20))

    report = check_and_repair(small_index)
    assert report.healthy
    assert "problem: 1 article(s) left half-written by an interrupted ingestion" in report.lines
    assert "repaired: removed 1 half-written article(s); ingest them again" in report.lines
    assert _healthy_counts(small_index) == before
    assert not any(cid.startswith("doc-99::") for cid in index.vectors.ids())
    assert small_index.ingest_articles([half]).articles_added == 1  # and it can be ingested again


def test_doctor_deletes_orphan_vectors(small_index):
    before = _healthy_counts(small_index)
    index = small_index.index()
    ghost = Article(doc_id="ghost", title="Ghost", text="Hantu di Chroma tanpa katalog.")
    from assistant.ingest.chunking import chunk_article

    chunks = chunk_article(ghost)
    index.write_vectors(chunks, {"ghost": ghost}, small_index.embedder.embed_documents([c.text for c in chunks]))
    report = check_and_repair(small_index)
    assert report.healthy and any("vector(s) in Chroma belong to no catalog chunk" in line for line in report.lines)
    assert _healthy_counts(small_index) == before


def test_doctor_cli_says_what_it_did_and_exit_codes(small_index, fake_settings, capsys):
    index = small_index.index()
    index.collection.delete(ids=sorted(index.vectors.ids())[:2])
    with index.catalog.transaction() as tx:
        tx.execute("DELETE FROM lexical WHERE rowid IN (SELECT rowid FROM lexical LIMIT 1)")
    index.begin_articles([_article(50)], [])
    small_index.close()

    os.environ.update(WARTA_EMBEDDING_MODEL="fake", WARTA_READER="fake", WARTA_INDEX_DIR=str(fake_settings.index_dir))
    try:
        assert cli.main(["doctor", "--check-only"]) == 1
        checked = capsys.readouterr().out
        assert cli.main(["doctor"]) == 0
        repaired = capsys.readouterr().out
        assert cli.main(["doctor"]) == 0
        after = capsys.readouterr().out
    finally:
        del os.environ["WARTA_EMBEDDING_MODEL"], os.environ["WARTA_READER"], os.environ["WARTA_INDEX_DIR"]
    assert checked.count("problem:") == 3 and "problems remain" in checked and "repaired" not in checked
    assert "repaired: removed 1 half-written article(s)" in repaired
    assert "repaired: re-embedded 2 chunk(s)" in repaired
    assert "repaired: rebuilt the lexical index" in repaired
    assert repaired.strip().endswith("healthy")
    assert "problem" not in after and after.strip().endswith("healthy")
