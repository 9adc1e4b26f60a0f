"""The news corpus as the reader trains on it (examples over whole articles, follow-ups made
standalone, list items one by one, nested subsets by article) and as an evaluation set."""

from __future__ import annotations

from pathlib import Path

from assistant.answer.reader.datasets import load_news
from assistant.evaluation.sets import load_question_set

DATA = Path(__file__).resolve().parents[1] / "data" / "reader"


def test_examples_span_their_answers_in_the_whole_article():
    examples = load_news(DATA, "dev")
    answerable = [e for e in examples if e.answerable]
    assert answerable and all(e.context[e.answer_start:e.answer_start + len(e.answer)] == e.answer for e in answerable)
    assert any(not e.answerable for e in examples)
    assert {e.source for e in examples} == {"news"} and {e.lang for e in examples} == {"en", "id"}


def test_a_list_question_teaches_each_item_and_a_follow_up_is_asked_standalone():
    examples = load_news(DATA, "dev")
    by_id: dict[str, list] = {}
    for e in examples:
        by_id.setdefault(e.id.split("#")[0], []).append(e)
    assert any(len(group) > 1 and group[0].kind == "list" for group in by_id.values())
    follow_ups = load_question_set(DATA / "news_qa" / "dev.jsonl.gz").questions
    asked = {e.id: e.question for e in examples}
    changed = [q for q in follow_ups if q.history and asked.get(q.id, q.question) != q.question]
    assert changed  # a pronoun became the person or topic of the turn before


def test_subsets_for_the_learning_curve_are_nested_and_whole_articles():
    small, large = load_news(DATA, "train", limit=500, seed=3), load_news(DATA, "train", limit=1500, seed=3)
    small_docs = {e.context for e in small}
    assert {e.id for e in small} <= {e.id for e in large}
    assert len({e.id.split("#")[0] for e in small}) >= 500
    every = load_news(DATA, "train")
    assert all(sum(e.context == c for e in small) == sum(e.context == c for e in every) for c in list(small_docs)[:5])


def test_the_dev_split_is_an_evaluation_set_asked_among_the_bundled_articles():
    qset = load_question_set(DATA / "news_qa" / "dev.jsonl.gz")
    assert qset.name == "news_qa_dev" and qset.among_bundled
    assert {q.doc_id for q in qset.questions} == {a.doc_id for a in qset.articles}
    unanswerable = [q for q in qset.questions if not q.answerable]
    assert unanswerable and all("unanswerable" in q.tags and not q.answers for q in unanswerable)
    answerable = [q for q in qset.questions if q.answerable]
    assert all(q.support == q.answers and q.tags[0] in {"say", "office", "led", "what", "when", "where", "how-many",
                                                          "why", "how", "list", "followup"} for q in answerable)
