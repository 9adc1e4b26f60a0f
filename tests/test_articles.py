"""Loading every supported format, the errors a user sees, dates, and text normalization."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.ingest.loaders import SUPPORTED_SUFFIXES, LoadWarning, iter_articles, load_articles
from assistant.ingest.normalize import (
    normalize_inline,
    normalize_text,
    parse_date,
    repair_mojibake,
    split_comma_joined_paragraphs,
)
from assistant.records import Article, ArticleError

FIXTURES = Path(__file__).parent / "fixtures" / "articles"


def load_one(name: str):
    return load_articles([FIXTURES / name])


def by_id(report) -> dict[str, Article]:
    return {article.doc_id: article for article in report.articles}


def test_markdown_front_matter() -> None:
    report = load_one("front_matter.md")
    (article,) = report.articles
    assert (article.doc_id, article.title, article.date) == ("md-banjir-2024", "Banjir Rendam Kembangan", "2024-07-30")
    assert (article.source, article.url) == ("Contoh News", "https://example.org/banjir")
    assert article.text.startswith("Hujan deras")  # the heading that repeats the title is dropped
    assert "**" not in article.text and "](" not in article.text and "balai warga." in article.text
    assert not report.errors and not report.warnings


def test_text_title_from_first_line_or_file_name(tmp_path: Path) -> None:
    (article,) = load_one("plain_story.txt").articles
    assert article.title == "Harga Cabai Naik Jelang Akhir Tahun"
    assert article.doc_id == "plain-story" and article.text.startswith("Harga cabai rawit")
    one_paragraph = tmp_path / "berita_pagi.txt"
    one_paragraph.write_text("Hanya satu paragraf tanpa judul.", encoding="utf-8")
    (article,) = load_articles([one_paragraph]).articles
    assert (article.title, article.doc_id, article.text) == ("Berita pagi", "berita-pagi", "Hanya satu paragraf tanpa judul.")


def test_seed_article_is_bundled_verbatim() -> None:
    seed = Path(__file__).resolve().parents[1] / "data" / "articles" / "seed.md"
    (article,) = load_articles([seed]).articles
    assert article.doc_id == "seed-polres-jakbar-rakor-pilkada"
    assert article.title == "Polres Metro Jakarta Barat Gelar Rakor Pengamanan Pilkada bersama Forkopimko"
    assert article.date == "2024-07-30" and article.url is None
    assert article.text.startswith("Polres Metro Jakarta Barat menggelar rapat koordinasi (rakor)")
    assert article.text.endswith("(mea/mea)")


def test_json_list_ids_and_dates() -> None:
    articles = by_id(load_one("records.json"))
    assert articles["101"].date == "2019-10-01" and articles["101"].title == "Kereta Cepat Catat Rekor Penumpang"
    assert articles["records-2"].date == "2019-10-02"
    assert articles["records-2"].text.startswith("Artikel tanpa id")


def test_json_wrapped_and_malformed(tmp_path: Path) -> None:
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"articles": [{"id": "a", "content": "Isi berita."}]}), encoding="utf-8")
    assert [a.doc_id for a in load_articles([wrapped]).articles] == ["a"]
    broken = tmp_path / "broken.json"
    broken.write_text('{\n "id": "a",\n "content": \n}', encoding="utf-8")
    (error,) = load_articles([broken]).errors
    assert error.origin == str(broken) and "malformed JSON" in error.reason and error.line == 4


def test_jsonl_keeps_going_past_broken_lines() -> None:
    report = load_one("records.jsonl")
    articles = by_id(report)
    assert set(articles) == {"clickid-fimela_combined-0", "tribun-1", "records-6"}
    errors = {error.line: error.reason for error in report.errors}
    assert errors[3].startswith("malformed JSON") and "content" in errors[4]
    assert all(error.origin == str(FIXTURES / "records.jsonl") for error in report.errors)
    assert articles["records-6"].origin == f"{FIXTURES / 'records.jsonl'}:6"


def test_clickid_record() -> None:
    articles = by_id(load_one("records.jsonl"))
    clickid = articles["clickid-fimela_combined-0"]
    assert (clickid.date, clickid.source) == ("2019-09-10", "fimela.com")
    assert clickid.text.startswith("memang sudah melekat")  # dateline residue ", " dropped
    assert "berkembang.\n\nLewat seni" in clickid.text  # comma-joined paragraphs restored
    assert "Hang Tuah, Menteng" in clickid.text  # mojibake no-break space repaired
    tribun = articles["tribun-1"]
    assert tribun.date == "2019-09-10"
    assert tribun.text == "Inggris akan menjamu Kosovo di St Marry Stadium.\n\nSouthgate akan merotasi pemain."


def test_csv_rows_and_missing_column() -> None:
    report = load_one("records.csv")
    articles = by_id(report)
    assert articles["csv-1"].text == "Pemkot menggelar pasar murah di 8 kecamatan.\nWarga antre sejak pukul 06.00 WIB."
    assert articles["csv-1"].date == "2019-10-19" and articles["csv-1"].origin.endswith("records.csv:2")
    assert articles["records-5"].date == "2019-09-20"  # row 5: the quoted row 2 spans two lines
    (error,) = report.errors
    assert error.line == 4 and "empty content" in error.reason
    (missing,) = load_one("no_content_column.csv").errors
    assert "no_content_column.csv" in str(missing) and "'content'" in missing.reason


def test_html_main_text_only() -> None:
    (article,) = load_one("page.html").articles
    assert article.title == "Gempa Guncang Pesisir Selatan"
    assert (article.date, article.source, article.url) == ("2024-08-01", "Contoh News", "https://example.org/gempa")
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == "Gempa bermagnitudo 5,2 mengguncang pesisir selatan pada Kamis pagi."
    assert "Pusat gempa: 80 km barat daya." in paragraphs and "Kedalaman: 10 km." in paragraphs
    for junk in ("tracking", "color", "Menu", "Beranda", "iklan", "JavaScript", "Cari", "Baca juga", "Hak cipta"):
        assert junk not in article.text


@pytest.mark.parametrize(
    "name, reason",
    [
        ("empty.txt", "empty file"),
        ("binary.txt", "binary file"),
        ("notes.rtf", "unsupported file type"),
        ("missing.txt", "no such file"),
    ],
)
def test_file_errors_name_the_file(name: str, reason: str) -> None:
    report = load_one(name)
    (error,) = report.errors
    assert error.origin == str(FIXTURES / name) and reason in error.reason and not report.articles


def test_invalid_utf8_is_a_warning() -> None:
    report = load_one("latin1.txt")
    (article,) = report.articles
    assert "\ufffd" in article.text and not report.errors
    (warning,) = report.warnings
    assert "latin1.txt" in warning and "UTF-8" in warning


def test_folder_walk_is_sorted_and_skips_other_types(tmp_path: Path) -> None:
    items = list(iter_articles([FIXTURES]))
    assert not any(isinstance(i, ArticleError) and "unsupported" in i.reason for i in items)
    assert any(isinstance(i, LoadWarning) for i in items)
    (tmp_path / ".hidden.txt").write_text("Rahasia.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Satu.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("Dua.", encoding="utf-8")
    assert [a.doc_id for a in load_articles([tmp_path]).articles] == ["a", "b"]
    assert set(SUPPORTED_SUFFIXES) >= {".txt", ".md", ".json", ".jsonl", ".csv", ".html", ".htm"}


def test_jsonl_invalid_utf8_line_warns(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"id": "a", "content": "Baik."}\n{"id": "b", "content": "Caf\xe9."}\n')
    report = load_articles([path])
    assert [a.doc_id for a in report.articles] == ["a", "b"]
    (warning,) = report.warnings
    assert "mixed.jsonl" in warning and "(2)" in warning


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2019-09-10", "2019-09-10"), ("2019-10-01 12:00", "2019-10-01"), ("2024-07-30T10:00:00+07:00", "2024-07-30"),
        ("01/10/2019", "2019-10-01"), ("20/09/2019", "2019-09-20"), ("09/20/2019", "2019-09-20"),
        ("1 Oktober 2019", "2019-10-01"), ("Selasa, 30 Juli 2024", "2024-07-30"), ("31 Agustus 2019 14:00 WIB", "2019-08-31"),
        ("Sep 10, 2019", "2019-09-10"), ("Oktober 19, 2019", "2019-10-19"), ("10-Sep-19", "2019-09-10"),
        ("Tuesday, July 30, 2024", "2024-07-30"), ("30 Mei 2024", "2024-05-30"),
        ("", None), ("kemarin", None), ("31/02/2019", None), (None, None), (20190910, None),
    ],
)
def test_parse_date(value, expected) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("a\u00a0\u00a0b", "a b"),
        ("tab\there   and  there", "tab here and there"),
        ("line one\r\nline two\rline three", "line one\nline two\nline three"),
        ("para\n\n\n\n  next  ", "para\n\nnext"),
        ("zero\u200bwidth\ufeff soft\u00adhyphen", "zerowidth softhyphen"),
        ("ctrl\x07char\x00s", "ctrlchars"),
        ("e\u0301", "\u00e9"),
        ("ﬁ full-width Ａ", "ﬁ full-width Ａ"),  # NFC keeps compatibility characters
        ("  \n  ", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_inline_and_repairs() -> None:
    assert normalize_inline("  Judul\n\nbaru\u00a0 sekali ") == "Judul baru sekali"
    assert repair_mojibake("‚ÄúSekarang,‚Äù ujarnya") == "“Sekarang,” ujarnya"
    assert repair_mojibake("Kafé ¬ tetap") == "Kafé ¬ tetap"
    assert split_comma_joined_paragraphs("Ahmad, S.H., M.H. hadir.\nLalu pulang.") == "Ahmad, S.H., M.H. hadir.\nLalu pulang."


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert "\r" not in once and "\n\n\n" not in once and once == once.strip()
    assert normalize_inline(normalize_inline(text)) == normalize_inline(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".txt", ".md", ".json", ".jsonl", ".csv", ".html"]))
def test_random_bytes_never_raise(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    for item in iter_articles([path]):
        assert isinstance(item, (Article, ArticleError, LoadWarning))
        if isinstance(item, Article):
            assert item.text and item.text == normalize_text(item.text)


json_value = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=80), st.lists(st.text(max_size=5), max_size=2))
record = st.dictionaries(st.sampled_from(["id", "title", "content", "text", "date", "source", "url"]), json_value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(record, max_size=5))
def test_random_records_never_raise(tmp_path: Path, records: list[dict]) -> None:
    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    items = list(iter_articles([path]))
    assert all(isinstance(item, (Article, ArticleError)) for item in items)
    assert all(isinstance(item.doc_id, str) and item.doc_id for item in items if isinstance(item, Article))
