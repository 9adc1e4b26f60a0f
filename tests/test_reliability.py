"""Bad input, end to end: every case gets a clear message and nothing good is lost.

Questions go through ``Warta.ask`` and the CLI (``assistant.clients.cli.main`` in-process, and once as a
real ``python -m assistant.clients.cli`` subprocess for the exit codes); files go through
``Warta.ingest`` and ``warta ingest``. Loader details are unit-tested in tests/test_articles.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.clients import cli
from assistant.errors import IndexMismatch, IndexMissing, InvalidQuestion
from assistant.service import Warta
from assistant.settings import Settings
from tests.conftest import NEWS_DIR, REPO

ANSWERED = "Kapan Persib mengalahkan Persija?"  # the fake reader answers this one from the sports article


# ---------------------------------------------------------------- helpers

def run_cli(*args: str, index_dir: Path, capsys) -> tuple[int, str, str]:
    """``warta <args>`` in this process with the fake embedder; (exit code, stdout, stderr)."""
    os.environ["WARTA_EMBEDDING_MODEL"] = "fake"
    os.environ["WARTA_READER"] = "fake"
    os.environ["WARTA_INDEX_DIR"] = str(index_dir)
    try:
        code = cli.main(list(args))
    finally:
        del os.environ["WARTA_EMBEDDING_MODEL"], os.environ["WARTA_READER"], os.environ["WARTA_INDEX_DIR"]
    out = capsys.readouterr()
    return code, out.out, out.err


def cli_env(index_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env.update(WARTA_EMBEDDING_MODEL="fake", WARTA_READER="fake", WARTA_INDEX_DIR=str(index_dir), HF_HUB_OFFLINE="1",
               GRADIO_ANALYTICS_ENABLED="False", PYTHONPATH=str(REPO))
    return env


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def counts(service: Warta) -> tuple[int, int, int, int]:
    s = service.stats()
    return s["articles"], s["chunks"], s["catalog_chunks"], s["lexical_chunks"]


# ---------------------------------------------------------------- questions

@pytest.mark.parametrize(
    "question, reason",
    [
        ("", "empty"),
        ("   \n\t  ", "empty"),
        ("\x00\x01\x1b\x7f", "empty"),
        ("x" * 100_000, "100000 characters; the limit is 2000"),
        (None, "must be text"),
    ],
    ids=["empty", "whitespace", "only-control-chars", "100k-chars", "not-text"],
)
def test_bad_question_is_refused_with_a_clear_message(news_service, question, reason):
    before = counts(news_service)
    with pytest.raises(InvalidQuestion, match=reason):
        news_service.ask(question)
    assert counts(news_service) == before
    # the service still answers afterwards
    assert not news_service.ask(ANSWERED).abstained


def test_control_characters_are_removed_not_fatal(news_service):
    clean = news_service.ask(ANSWERED)
    dirty = news_service.ask("Kapan\x00 Persib\x1b[31m mengalahkan Persija\x07?\r\n")
    assert "\x00" not in dirty.question and "\x1b" not in dirty.question
    assert dirty.text == clean.text and dirty.citations == clean.citations


def test_question_exactly_at_the_limit_is_accepted(fake_settings):
    service = Warta(fake_settings.replace(max_question_chars=40))
    service.ingest([NEWS_DIR])
    service.ask(("Kapan Persib menang? " * 3)[:40])  # no exception
    with pytest.raises(InvalidQuestion, match="41 characters; the limit is 40"):
        service.ask("y" * 41)
    service.close()


def test_cli_ask_exit_codes_in_process(news_service, fake_settings, capsys):
    index = fake_settings.index_dir
    code, out, err = run_cli("ask", "", index_dir=index, capsys=capsys)
    assert code == 2 and "the question is empty" in err and "Traceback" not in err
    code, out, err = run_cli("ask", "x" * 100_000, index_dir=index, capsys=capsys)
    assert code == 2 and "limit is 2000" in err
    code, out, err = run_cli("ask", "Kapan\x1b Persib\x07 mengalahkan Persija?", index_dir=index, capsys=capsys)
    assert code == 0 and "10 Maret 2024" in out
    code, out, err = run_cli("ask", "What did Anies Baswedan say at the meeting?", index_dir=index, capsys=capsys)
    assert code == cli.EXIT_ABSTAINED
    code, out, err = run_cli("ask", ANSWERED, index_dir=index.parent / "nowhere", capsys=capsys)
    assert code == 3 and "warta ingest" in err


@pytest.mark.slow
def test_cli_ask_exit_codes_as_a_real_process(news_service, fake_settings, tmp_path):
    """The same through ``python -m assistant.clients.cli`` (argv cannot carry NUL; ESC and BEL can)."""
    env = cli_env(fake_settings.index_dir)
    cases = [("", 2), ("   ", 2), ("x" * 100_000, 2), ("Kapan\x1b Persib\x07 mengalahkan Persija?", 0),
             ("What did Anies Baswedan say at the meeting?", 10)]
    for question, expected in cases:
        done = subprocess.run([sys.executable, "-m", "assistant.clients.cli", "ask", question], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == expected, (question[:40], done.stdout[-500:], done.stderr[-2000:])
        assert "Traceback" not in done.stderr
    missing = subprocess.run([sys.executable, "-m", "assistant.clients.cli", "ask", ANSWERED],
                             env=cli_env(tmp_path / "nothing-here"), cwd=REPO, capture_output=True, text=True,
                             timeout=120)
    assert missing.returncode == 3 and "warta ingest" in missing.stderr


# ---------------------------------------------------------------- files

@pytest.fixture
def messy_folder(tmp_path) -> Path:
    """Good articles mixed with every kind of bad file."""
    folder = tmp_path / "messy"
    write(folder, "good.txt", "Banjir di Kemang\n\nBanjir setinggi satu meter merendam Kemang pada Senin pagi.\n")
    write(folder, "empty.txt", "")
    write(folder, "blank.md", "   \n\n  \n")
    write(folder, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    write(folder, "latin1.txt", "Harga Cabai\n\nHarga cabai naik menjadi Rp50.000 per kilogram di pasar "
                                "caf\xe9 Senen.\n".encode("latin-1"))
    write(folder, "records.jsonl", "\n".join([
        json.dumps({"id": "j1", "title": "Jalan tol", "content": "Jalan tol baru dibuka untuk umum hari ini."}),
        '{"id": "j2", "title": "Broken", "content": "never closed',
        json.dumps({"id": "j3", "title": "Pasar murah", "content": "Pasar murah digelar di delapan kecamatan."}),
        json.dumps({"id": "j4", "title": "No body here"}),
        json.dumps({"id": "j5", "title": "Empty body", "content": ""}),
        json.dumps({"id": "j6", "title": "Sekolah", "text": "Sekolah dasar di Bekasi mulai belajar tatap muka."}),
    ]) + "\n")
    write(folder, "nocontent.csv", "id,title,date\nc1,Judul,2024-01-01\n")
    write(folder, "scripts.html", """<!doctype html><html><head><title>Gempa Guncang Garut</title>
        <script>var SCRIPTMARKER1 = "steal()";</script><style>.x{color:red}</style></head>
        <body><script>alert("SCRIPTMARKER2")</script>
        <article><p>Gempa bermagnitudo 5,1 mengguncang Garut pada Kamis pagi.</p>
        <script type="text/javascript">document.write("SCRIPTMARKER3")</script>
        <p>Warga sempat berhamburan keluar rumah.</p><noscript>SCRIPTMARKER4</noscript></article>
        <script src="https://evil.example/x.js"></script></body></html>""")
    body = "Kebakaran Pasar\n\nKebakaran melanda pasar tradisional di Tangerang pada Rabu malam.\n"
    write(folder, "dup-a.txt", body)
    write(folder, "sub/dup-b-other-name.txt", body)
    untitled = "Gedung sekolah roboh setelah hujan deras semalaman di Bogor.\n"
    write(folder, "untitled-one.txt", untitled)  # title comes from the file name
    write(folder, "untitled-two.txt", untitled)
    write(folder, "slides.pptx", b"PK\x03\x04 not an article")  # skipped inside a folder
    return folder


def test_messy_folder_reports_every_bad_file_and_keeps_every_good_one(fake_service, messy_folder):
    report = fake_service.ingest([messy_folder])
    errors = "\n".join(report.errors)
    warnings = "\n".join(report.warnings)
    expected_errors = {
        "empty.txt": "empty file",
        "blank.md": "empty file",
        "binary.txt": "binary file",
        "records.jsonl:2": "malformed JSON",
        "records.jsonl:4": "no 'content' or 'text'",
        "records.jsonl:5": "empty content",
        "nocontent.csv": "no 'content' or 'text' column",
    }
    for where, reason in expected_errors.items():
        assert any(where in e and reason in e for e in report.errors), (where, reason, errors)
    assert len(report.errors) == len(expected_errors), errors
    assert any("latin1.txt" in w and "invalid UTF-8" in w for w in report.warnings), warnings
    assert report.duplicates == 2 and warnings.count("same content as article") == 2
    assert report.articles_added == 8  # good, latin1, j1, j3, j6, scripts, one dup, one untitled
    ids = {a.doc_id for a in fake_service.iter_articles()}
    assert {"good", "latin1", "j1", "j3", "j6", "scripts"} <= ids and len(ids) == 8
    assert len({"dup-a", "dup-b-other-name"} & ids) == 1 and len({"untitled-one", "untitled-two"} & ids) == 1
    assert "\ufffd" in fake_service.article("latin1").text  # replaced, not dropped
    articles, vectors, catalog, lexical = counts(fake_service)
    assert articles == 8 and vectors == catalog == lexical >= 8


def test_scripts_in_html_are_never_indexed(fake_service, messy_folder):
    fake_service.ingest([messy_folder / "scripts.html"])
    article = fake_service.article("scripts")
    assert "Gempa bermagnitudo 5,1" in article.text and "Warga sempat" in article.text
    conn = fake_service.index().conn
    stored = " ".join(r[0] for r in conn.execute("SELECT text FROM chunks")) + article.text + article.title
    for marker in ("SCRIPTMARKER", "alert", "steal()", "document.write", "color:red", "evil.example"):
        assert marker not in stored
    for hit in fake_service.retrieve("SCRIPTMARKER1 alert steal document write", k=10):
        assert "SCRIPTMARKER" not in hit.text


def test_reingesting_the_messy_folder_changes_nothing(fake_service, messy_folder):
    fake_service.ingest([messy_folder])
    before = counts(fake_service)
    again = fake_service.ingest([messy_folder])
    assert again.articles_added == again.articles_replaced == again.chunks_added == 0
    assert again.articles_unchanged == 8 and again.duplicates == 2
    assert counts(fake_service) == before


def test_same_id_twice_in_one_load_counts_once(fake_service, tmp_path):
    write(tmp_path, "a.jsonl", json.dumps({"id": "same", "content": "Isi pertama berita."}) + "\n"
          + json.dumps({"id": "same", "content": "Isi kedua yang menggantikan."}) + "\n")
    report = fake_service.ingest([tmp_path / "a.jsonl"])
    assert report.articles_added == 1 and any("appears twice" in w for w in report.warnings)
    assert fake_service.article("same").text == "Isi kedua yang menggantikan."


def test_unknown_type_and_missing_path_named_explicitly(fake_service, tmp_path):
    pdf = write(tmp_path, "report.pdf", b"%PDF-1.4 not really")
    good = write(tmp_path, "ok.txt", "Judul\n\nSatu berita yang baik.\n")
    report = fake_service.ingest([pdf, tmp_path / "does-not-exist.txt", good])
    assert any("report.pdf" in e and "unsupported file type '.pdf'" in e for e in report.errors)
    assert any("does-not-exist.txt" in e and "no such file" in e for e in report.errors)
    assert report.articles_added == 1


@pytest.mark.slow
def test_a_5mb_article_ingests_with_bounded_chunks(fake_service, tmp_path):
    sentence = ("Pemerintah kota Jakarta mengumumkan pembangunan {n} ruas jalan baru yang menghubungkan "
                "kawasan timur dan barat, menurut keterangan resmi. ")
    paragraph = "".join(sentence.format(n=i) for i in range(8))
    paragraphs, size, i = [], 0, 0
    while size < 5 * 1024 * 1024:
        paragraphs.append(f"Bagian {i}. " + paragraph)
        size += len(paragraphs[-1]) + 1
        i += 1
    path = write(tmp_path, "besar.txt", "Artikel Sangat Panjang\n\n" + "\n".join(paragraphs) + "\n")
    assert path.stat().st_size >= 5 * 1024 * 1024
    report = fake_service.ingest([path])
    assert report.articles_added == 1 and not report.errors
    conn = fake_service.index().conn
    n, longest = conn.execute("SELECT count(*), max(length(text)) FROM chunks").fetchone()
    assert longest <= fake_service.settings.chunk_max_chars
    assert n >= size // fake_service.settings.chunk_max_chars
    article = fake_service.article("besar")
    for chunk_id, start, end, text in conn.execute("SELECT chunk_id, start, end, text FROM chunks LIMIT 200"):
        assert article.text[start:end] == text
    _, vectors, catalog, lexical = counts(fake_service)
    assert vectors == catalog == lexical == n
    assert fake_service.retrieve("ruas jalan baru timur barat", k=3)


def test_cli_ingest_reports_bad_files_and_exit_codes(messy_folder, tmp_path, capsys):
    index = tmp_path / "cli-index"
    code, out, err = run_cli("ingest", str(messy_folder), str(tmp_path / "nope"), index_dir=index, capsys=capsys)
    assert code == 0, err  # some articles went in
    assert "records.jsonl:2: malformed JSON" in err and "nope: no such file or folder" in err
    assert "same content as article" in err and "8 added" in out and "2 duplicates" in out
    code, out, err = run_cli("ingest", str(messy_folder / "empty.txt"), index_dir=index, capsys=capsys)
    assert code == 1 and "empty file" in err  # nothing at all could be ingested
    code, out, err = run_cli("stats", "--json", index_dir=index, capsys=capsys)
    assert json.loads(out)["articles"] == 8


# ---------------------------------------------------------------- index folders

def test_folder_that_is_not_an_index_is_refused_and_left_untouched(fake_settings, capsys):
    folder = fake_settings.index_dir
    folder.mkdir(parents=True)
    (folder / "thesis.docx").write_bytes(b"precious")
    service = Warta(fake_settings)
    with pytest.raises(IndexMismatch, match="not a Warta index.*thesis.docx"):
        service.ingest([NEWS_DIR])
    with pytest.raises(IndexMismatch, match="not a Warta index"):
        service.ask(ANSWERED)
    with pytest.raises(IndexMismatch, match="not a Warta index"):
        service.retrieve("banjir")
    code, out, err = run_cli("ask", ANSWERED, index_dir=folder, capsys=capsys)
    assert code == 4 and "not a Warta index" in err
    code, out, err = run_cli("ingest", str(NEWS_DIR), index_dir=folder, capsys=capsys)
    assert code == 4 and "not a Warta index" in err
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.docx"]
    assert (folder / "thesis.docx").read_bytes() == b"precious"


def test_a_file_where_the_index_folder_should_be_is_refused(fake_settings):
    fake_settings.index_dir.parent.mkdir(parents=True, exist_ok=True)
    fake_settings.index_dir.write_text("not a folder")
    with pytest.raises(IndexMismatch, match="is a file"):
        Warta(fake_settings).ingest([NEWS_DIR])


def test_missing_index_is_missing_not_mismatch(fake_settings):
    with pytest.raises(IndexMissing, match="warta ingest"):
        Warta(fake_settings).ask(ANSWERED)
    assert not fake_settings.index_dir.exists()  # asking never creates an index


def test_index_of_another_model_is_refused_and_never_mixed(news_service, fake_settings, capsys):
    before = counts(news_service)
    news_service.close()
    other = type(news_service.embedder)()
    other.model_id = "intfloat/multilingual-e5-small"
    foreign = Warta(fake_settings, embedder=other)
    for action in (lambda: foreign.ask(ANSWERED), lambda: foreign.retrieve("banjir"),
                   lambda: foreign.ingest([REPO / "tests" / "fixtures" / "articles" / "plain_story.txt"])):
        with pytest.raises(IndexMismatch, match="hashing-256.*multilingual-e5-small.*cannot be mixed"):
            action()
    again = Warta(fake_settings)
    assert counts(again) == before  # nothing was written by the refused service
    again.close()


def test_cli_refuses_an_index_of_another_model(news_service, fake_settings, capsys):
    """As if the index had been built with e5 and the CLI now runs with the fake embedder."""
    news_service.close()
    conn = sqlite3.connect(fake_settings.index_dir / "catalog.sqlite")
    conn.execute("UPDATE meta SET value = 'intfloat/multilingual-e5-small' WHERE key = 'embedding_model'")
    conn.commit()
    conn.close()
    for args in (("ask", ANSWERED), ("search", "banjir"), ("ingest", str(NEWS_DIR))):
        code, out, err = run_cli(*args, index_dir=fake_settings.index_dir, capsys=capsys)
        assert code == 4, (args, err)
        assert "multilingual-e5-small" in err and "cannot be mixed" in err and "Traceback" not in err


# ---------------------------------------------------------------- end-to-end fuzzing

from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st  # noqa: E402

PIECES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60),
    st.sampled_from(['"', "“", "”", "'", "‘", "’", "\n", "\n\n", "\r\n", ". ", "! ", "? ", "...", "Dr. ", "Rp5.000",
                     "3,5 persen", "(mea/mea)", "[1]", "<b>", "&amp;", "\t", "\u00a0", "\u200b", "é", "e\u0301",
                     "Jakarta", "banjir", "gol dicetak", "—", "😀", "ا", "中文"]),
)
ARTICLE_TEXT = st.lists(PIECES, min_size=1, max_size=40).map("".join)
QUESTION = st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=20).map("".join),
                     st.text(min_size=1, max_size=3).map(lambda s: s * 1000))


@pytest.fixture(scope="module")
def fuzz_service(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    service = Warta(Settings.from_env(index_dir=root / "index", embedding_model="fake", reader="fake"))
    service.ingest([NEWS_DIR])
    service.fuzz_root = root
    yield service
    service.close()


def _check_offsets(service: Warta, items) -> None:
    cache: dict[str, str] = {}
    for item in items:
        if item.doc_id not in cache:
            cache[item.doc_id] = service.article(item.doc_id).text
        quoted = item.quote if hasattr(item, "quote") else item.text  # a Citation, or a Hit
        assert cache[item.doc_id][item.start:item.end] == quoted


@pytest.mark.slow
@hyp_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ARTICLE_TEXT, query=st.lists(PIECES, min_size=1, max_size=6).map("".join))
def test_fuzzed_articles_ingest_and_every_hit_is_exact(fuzz_service, text, query):
    fuzz_service.fuzz_count = getattr(fuzz_service, "fuzz_count", 0) + 1
    path = fuzz_service.fuzz_root / f"fuzz-{fuzz_service.fuzz_count}.txt"
    path.write_text(text, encoding="utf-8", newline="")
    report = fuzz_service.ingest([path])
    assert report.articles_added + report.duplicates + len(report.errors) == 1, report
    for error in report.errors:
        assert path.name in error and ("no text" in error or "empty file" in error or "binary" in error), error
    try:
        hits = fuzz_service.retrieve(query + " " + text[:80], k=10)
    except InvalidQuestion:
        return
    _check_offsets(fuzz_service, hits)
    stats = fuzz_service.stats()
    assert stats["chunks"] == stats["catalog_chunks"] == stats["lexical_chunks"]


@pytest.mark.slow
@hyp_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=QUESTION)
def test_fuzzed_questions_answer_exactly_or_are_refused(fuzz_service, question):
    try:
        answer = fuzz_service.ask(question)
    except InvalidQuestion:
        return
    _check_offsets(fuzz_service, answer.citations + answer.related)
    assert answer.text
    if not answer.abstained:
        import re

        assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)} <= {c.n for c in answer.citations}
