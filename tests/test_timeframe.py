"""Questions that name a time prefer articles from that time (through the date filter)."""

from __future__ import annotations

import pytest

from assistant.records import Filters
from assistant.retrieval.timeframe import time_filter
from tests.news import CRIME, ECONOMY, ENGLISH, SPORTS

NEWEST = "2024-03-12"


@pytest.mark.parametrize("question, expected", [
    ("Apa berita terbaru soal sabu?", Filters("2024-03-05", "2024-03-12")),
    ("What is the latest on the floods?", Filters("2024-03-05", "2024-03-12")),
    ("Siapa yang ditangkap kemarin?", Filters("2024-03-11", "2024-03-11")),
    ("What happened yesterday in Medan?", Filters("2024-03-11", "2024-03-11")),
    ("Apa yang terjadi hari ini?", Filters("2024-03-12", "2024-03-12")),
    ("Berita banjir bulan Januari?", Filters("2024-01-01", "2024-01-31")),
    ("What did BI decide in February 2024?", Filters("2024-02-01", "2024-02-29")),
    ("Kasus narkoba tahun 2023?", Filters("2023-01-01", "2023-12-31")),
    ("Who scored?", None),
    ("May I ask who scored?", None),  # "may" alone is no month
    ("Berapa skor pertandingan?", None),
])
def test_time_words_become_a_date_range(question, expected):
    assert time_filter(question, NEWEST) == expected


def test_without_a_newest_date_only_explicit_times_count():
    assert time_filter("berita terbaru?", None) is None
    assert time_filter("berita Maret 2024?", None) == Filters("2024-03-01", "2024-03-31")


def test_the_service_prefers_articles_of_the_time_the_question_names(news_service):
    answer = news_service.ask("Apa berita terbaru?", top_k=3)
    assert answer.filters == Filters("2024-03-05", "2024-03-12") and answer.filters_from_question
    dates = [h.date for h in answer.evidence]
    newest_first = [d for d in dates if d and d >= "2024-03-05"]
    assert dates[: len(newest_first)] == newest_first and {h.doc_id for h in answer.evidence[:2]} == {CRIME, SPORTS}
    january = news_service.ask("What happened in January 2024?", top_k=2)
    assert january.evidence[0].doc_id == ENGLISH and january.filters_from_question


def test_a_filter_set_by_the_user_wins(news_service):
    answer = news_service.ask("Apa berita terbaru?", top_k=3, filters=Filters(date_to="2024-02-28"))
    assert answer.filters == Filters(date_to="2024-02-28") and not answer.filters_from_question
    assert {h.doc_id for h in answer.evidence} <= {ECONOMY, ENGLISH}


def test_a_time_no_article_has_falls_back_to_any_time(news_service):
    answer = news_service.ask("Siapa pencetak gol Persib tahun 1999?", top_k=3)
    assert answer.filters is None and answer.evidence
