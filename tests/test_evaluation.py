"""Evaluation: question-set loading and adapters, metrics on hand-made answers, reports,
run comparison, and a whole run (with the LangChain baseline) on a fake service."""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from assistant.answer.contract import Answer, Citation, SentenceSupport
from assistant.answer.matching import contains, normalize, token_f1
from assistant.evaluation import metrics
from assistant.evaluation import runner as evaluation
from assistant.errors import InvalidQuestion
from assistant.evaluation.sets import (
    Question, QuestionSetError, detect_format, load_belebele, load_facqa, load_question_set, load_squad, load_warta,
)
from assistant.evaluation.metrics import gold_rank, group_metrics, percentile, score_answer
from assistant.evaluation.runner import compare_runs, run_eval
from assistant.records import Article, Hit

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "eval"
SEED_QUESTIONS = ROOT / "data" / "questions" / "seed.jsonl"
SEED_ID = "seed-polres-jakbar-rakor-pilkada"
SEED_TEXT = (
    "Polres Metro Jakarta Barat menggelar rapat koordinasi (rakor) bersama Forum Komunikasi Pimpinan Kota. "
    "Rakor digelar di kantor Wali Kota Jakarta Barat, Kembangan, Jakarta Barat, pada Selasa, 30 Juli 2024. "
    "Dia juga mencatat adanya tantangan, seperti potensi konflik horizontal di daerah."
)


# ---------------------------------------------------------------- fakes

class BagOfWordsEmbedder(Embeddings):
    """Hashed bag of words: similar wording, similar vectors; no model needed."""

    model_id = "fake-bow"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        vector = [0.0] * 64
        for word in normalize(text).split():
            vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]


class FakeService:
    """The service API with word-overlap retrieval over sentences and a one-sentence answer."""

    def __init__(self, articles: list[Article] = ()):
        self.embedder = BagOfWordsEmbedder()
        self.articles: dict[str, Article] = {}
        self.retrieve_calls = 0
        self.ingest_articles(articles)

    def ingest_articles(self, articles, progress=False):
        self.articles.update({a.doc_id: a for a in articles})

    def close(self):
        self.closed = True

    def iter_articles(self):
        return iter(self.articles.values())

    def article(self, doc_id):
        return self.articles.get(doc_id)

    def retrieve(self, query, k=10, filters=None):
        self.retrieve_calls += 1
        words = set(normalize(query).split())
        hits = []
        for article in self.articles.values():
            for m in re.finditer(r"[^.]+\.?", article.text):
                overlap = len(words & set(normalize(m.group()).split()))
                if overlap:
                    hits.append(_hit(article, m.start(), m.end(), overlap))
        return sorted(hits, key=lambda h: -h.score)[:k]

    def ask(self, question, history=None, top_k=None, backend=None, filters=None):
        if "ignore" in question.lower():
            raise InvalidQuestion("not a question")
        hits = self.retrieve(question, k=3)
        timings = {"retrieve": 0.01, "total": 0.02}
        if not hits or hits[0].score < 2:
            return Answer(question=question, text="Not found.", abstained=True, evidence=hits, timings=timings)
        top = hits[0]
        citation = Citation(1, top.doc_id, top.title, None, None, None, top.chunk_id, top.text, top.start, top.end)
        return Answer(
            question=question, text=f"{top.text} [1]", citations=[citation], evidence=hits, timings=timings,
            standalone_question=question,
            sentences=[SentenceSupport(top.text, [1], 1.0, True)],
        )


def _hit(article: Article, start: int, end: int, score: float) -> Hit:
    return Hit(
        chunk_id=f"{article.doc_id}#{start}", doc_id=article.doc_id, text=article.text[start:end],
        start=start, end=end, sentences=((start, end),), score=score, title=article.title,
    )


def _question(**overrides) -> Question:
    fields = dict(id="q", question="Kapan rakor digelar?", answers=("30 Juli 2024",), support=("30 Juli 2024",),
                  doc_id=SEED_ID, lang="id", tags=("when",))
    return Question(**{**fields, **overrides})


def _answer(text: str, quotes: list[tuple[str, str]], abstained=False, supported=(True,)) -> Answer:
    citations = []
    for n, (doc_id, quote) in enumerate(quotes, start=1):
        start = SEED_TEXT.find(quote)
        citations.append(Citation(n, doc_id, "t", None, None, None, f"{doc_id}#0", quote, start, start + len(quote)))
    sentences = [SentenceSupport("s", [1], 1.0 if s else 0.0, s) for s in supported]
    return Answer(question="q", text=text, citations=citations, abstained=abstained, sentences=sentences)


SEED_ARTICLES = {SEED_ID: Article(SEED_ID, "Rakor", SEED_TEXT)}


# ---------------------------------------------------------------- question sets

def test_seed_set_is_valid_and_balanced():
    questions = load_warta(SEED_QUESTIONS)
    assert len(questions) >= 45
    langs = [q.lang for q in questions]
    assert abs(langs.count("en") - langs.count("id")) <= len(questions) // 5
    assert sum(not q.answerable for q in questions) >= 10
    by_text = {q.question: q for q in questions}
    assert set(by_text["Who chaired the meeting?"].answers) == {"Polres Metro Jakarta Barat", "Syahduddi"}
    assert by_text["What did the Wakil Wali Kota say about conflict risk?"].support == ("konflik horizontal",)
    assert all(q.doc_id == SEED_ID for q in questions)


def test_seed_answers_and_support_are_in_the_seed_article():
    from assistant.ingest.loaders import load_articles

    repo = Path(__file__).resolve().parents[1]
    text = load_articles([repo / "data" / "articles" / "seed.md"]).articles[0].text
    for q in load_warta(SEED_QUESTIONS):
        assert all(contains(text, s) for s in q.support), q.id
        assert all(contains(text, a) for a in q.answers), q.id


def test_warta_loader_names_every_bad_line():
    with pytest.raises(QuestionSetError) as caught:
        load_warta(FIXTURES / "warta_bad.jsonl")
    message = str(caught.value)
    for line, reason in [(2, "needs at least one answer"), (3, "invalid JSON"), (4, "duplicate id"),
                         (5, "'lang'"), (6, "unknown field(s) answer")]:
        assert f"warta_bad.jsonl:{line}: " in message and reason in message, (line, message)
    assert "warta_bad.jsonl:1:" not in message


def test_squad_adapter_reads_tydi():
    qs = load_squad(FIXTURES / "tydiqa_mini.json")
    assert len(qs.questions) == 2 and len(qs.articles) == 2
    first = qs.questions[0]
    assert first.question == "Apa kepanjangan dari GPS?"
    assert first.answers == ("Global Positioning System",) and first.answerable
    assert first.doc_id == qs.articles[0].doc_id and contains(qs.articles[0].text, first.answers[0])
    assert load_squad(FIXTURES / "tydiqa_mini.json").articles[0].doc_id == first.doc_id  # stable ids


def test_squad_adapter_reads_idk_mrc_unanswerable():
    qs = load_squad(FIXTURES / "idk_mrc_mini.json")
    answerable = [q for q in qs.questions if q.answerable]
    impossible = [q for q in qs.questions if not q.answerable]
    assert answerable and impossible and len(qs.articles) == 1
    assert all(q.answers == () and "unanswerable" in q.tags for q in impossible)
    assert {q.doc_id for q in qs.questions} == {qs.articles[0].doc_id}


def test_squad_adapter_reads_nested_squad(tmp_path):
    flat = json.loads((FIXTURES / "tydiqa_mini.json").read_text())
    nested = tmp_path / "squad.json"
    nested.write_text(json.dumps({"version": "2", "data": [{"title": "x", "paragraphs": flat}]}))
    assert [q.id for q in load_squad(nested).questions] == [q.id for q in load_squad(FIXTURES / "tydiqa_mini.json").questions]


def test_facqa_adapter_shares_articles_between_questions_on_one_passage():
    qs = load_facqa(FIXTURES / "facqa_mini.jsonl")
    assert len(qs.questions) == 3 and len(qs.articles) == 2
    assert qs.questions[1].doc_id == qs.questions[2].doc_id != qs.questions[0].doc_id
    assert qs.questions[0].answers == ("Panthera tigris sumatrensis",) == qs.questions[0].support


@pytest.mark.parametrize("lang", ["en", "id"])
def test_belebele_adapter_asks_in_either_language(lang):
    qs = load_belebele(FIXTURES / "belebele_mini.jsonl", lang=lang)
    record = json.loads((FIXTURES / "belebele_mini.jsonl").read_text().splitlines()[0])
    first = qs.questions[0]
    assert first.question == record[f"question_{lang}"] and first.answers == (record[f"answer_{lang}"],)
    assert first.lang == lang and first.doc_id == record["passage_id"] and first.support == ()
    assert ("cross-lingual" in first.tags) == (lang == "en")
    assert len(qs.articles) == 2 and qs.articles[0].text == record["passage_id_text"]


def test_format_detection():
    assert detect_format(FIXTURES / "tydiqa_mini.json") == "squad"
    assert detect_format(FIXTURES / "facqa_mini.jsonl") == "facqa"
    assert detect_format(SEED_QUESTIONS) == "warta"
    with pytest.raises(QuestionSetError, match="belebele-en or belebele-id"):
        load_question_set(FIXTURES / "belebele_mini.jsonl")
    assert load_question_set(FIXTURES / "belebele_mini.jsonl", "belebele-id").questions[0].lang == "id"


# ---------------------------------------------------------------- metrics

def test_text_matching():
    assert normalize("  Hendra   HIDAYAT, ") == "hendra hidayat"
    assert contains("pada Selasa, 30 Juli 2024.", "30 juli 2024")
    assert not contains("Situasi aman", "Siti")  # whole words only
    assert token_f1("Hendra Hidayat", "Hendra Hidayat") == 1.0
    assert token_f1("Wakil Hendra Hidayat", "Hendra Hidayat") == pytest.approx(0.8)
    assert token_f1("Syahduddi", "Hendra") == 0.0


def test_score_of_a_correct_cited_answer():
    answer = _answer("Rakor digelar pada Selasa, 30 Juli 2024 [1].", [(SEED_ID, "pada Selasa, 30 Juli 2024")],
                     supported=(True, False))
    scores = score_answer(_question(), answer, gold_rank=2, articles=SEED_ARTICLES)
    assert scores["hit@1"] == 0.0 and scores["hit@5"] == 1.0 and scores["mrr@10"] == 0.5
    assert scores["answer_accuracy"] == 1.0
    assert scores["answer_f1"] == pytest.approx(0.6)  # 3 of 7 words, all 3 gold words
    assert scores["citation_precision"] == 1.0 and scores["citation_recall"] == 1.0
    assert scores["citation_exact"] == 1.0 and scores["faithfulness"] == 0.5


def test_score_counts_a_quote_without_support_as_imprecise():
    answer = _answer("Kembangan [1][2].", [(SEED_ID, "30 Juli 2024"), (SEED_ID, "Kembangan")])
    answer.citations[1].quote = "Kembangan!"  # no longer the article text at its offsets
    scores = score_answer(_question(), answer, gold_rank=None, articles=SEED_ARTICLES)
    assert scores["hit@10"] == 0.0 and scores["mrr@10"] == 0.0
    assert scores["answer_accuracy"] == 1.0  # the gold answer is in a cited quote
    assert scores["citation_precision"] == 0.5 and scores["citation_recall"] == 1.0
    assert scores["citation_exact"] == 0.5


def test_score_without_support_falls_back_to_the_gold_article():
    answer = _answer("x [1][2]", [(SEED_ID, "Kembangan"), ("other", "Kembangan")])
    scores = score_answer(_question(support=()), answer, gold_rank=1, articles=SEED_ARTICLES)
    assert scores["citation_precision"] == 0.5 and scores["citation_exact"] == 0.5


def test_score_of_abstentions():
    abstain = _answer("Tidak ditemukan.", [], abstained=True)
    wrong = score_answer(_question(), abstain, gold_rank=1, articles={})
    assert wrong["answer_accuracy"] == 0.0 and wrong["citation_recall"] == 0.0
    assert "citation_precision" not in wrong and "faithfulness" not in wrong
    right = score_answer(_question(answerable=False, answers=(), support=()), abstain, gold_rank=None, articles={})
    assert right["abstained"] and "answer_accuracy" not in right and "hit@1" not in right


def test_abstention_precision_and_recall():
    def row(answerable, abstained):
        return {"answerable": answerable, "error": None, "scores": {"abstained": abstained}}

    rows = [row(False, True), row(False, False), row(True, True), row(True, False), row(False, True)]
    m = group_metrics(rows)
    assert m["abstention_precision"] == pytest.approx(2 / 3) and m["abstention_recall"] == pytest.approx(2 / 3)
    assert m["unanswerable"] == 3 and m["answer_accuracy"] is None


def test_percentile():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 95) == 5
    assert percentile([0, 10], 95) == pytest.approx(9.5)


def test_gold_rank_extends_short_evidence_with_retrieval():
    other = Article("other", "Lain", "Cuaca cerah di Bandung hari ini.")
    service = FakeService([SEED_ARTICLES[SEED_ID], other])
    evidence = [_hit(other, 0, 10, 1.0)]
    answer = Answer(question="q", text="", evidence=evidence, standalone_question="Kapan rakor digelar?")
    assert gold_rank(service, _question(), answer) == 2 and service.retrieve_calls == 1
    answer.evidence = [_hit(SEED_ARTICLES[SEED_ID], 0, 10, 1.0)]
    assert gold_rank(service, _question(), answer) == 1 and service.retrieve_calls == 1


# ---------------------------------------------------------------- runs, reports, comparison

@pytest.fixture
def seed_run():
    service = FakeService([SEED_ARTICLES[SEED_ID], Article("other", "Lain", "Cuaca cerah di Bandung hari ini.")])
    return run_eval(load_warta(SEED_QUESTIONS), service, progress=False)


def test_run_eval_end_to_end(seed_run):
    warta, base = seed_run.warta, seed_run.baseline
    assert len(warta.results) == len(base.results) == len(load_warta(SEED_QUESTIONS))
    overall = warta.summary["overall"]
    assert overall["errors"] == 0
    assert set(warta.summary["by_lang"]) == {"en", "id"} and "unanswerable" in warta.summary["by_tag"]
    assert 0 < overall["hit@1"] <= overall["hit@10"] <= 1
    refused = next(r for r in warta.results if r["id"] == "en-joke")
    assert refused["abstained"] and refused["answer"].startswith("refused:")
    assert base.summary["overall"]["abstention_recall"] == 0.0  # the baseline never abstains
    assert base.summary["overall"]["citation_exact"] == 1.0  # its quotes are the article's own text
    assert set(seed_run.ratios) >= {"answer_accuracy", "hit@1", "latency_total_p50"}
    assert {"total", "retrieve", "wall"} <= set(warta.summary["latency"])


def test_run_eval_limit_and_no_baseline():
    run = run_eval(load_warta(SEED_QUESTIONS), FakeService([SEED_ARTICLES[SEED_ID]]), limit=3, progress=False,
                   baseline=False)
    assert len(run.warta.results) == 3 and run.baseline is None and run.ratios is None


def test_report_files(seed_run, tmp_path):
    seed_run.write(tmp_path)
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(lines) == len(seed_run.warta.results)
    assert {"answer", "citations", "evidence", "scores"} <= set(json.loads(lines[0]))
    assert (tmp_path / "baseline_results.jsonl").exists()
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert {"meta", "warta", "baseline", "ratios"} <= set(summary)
    report = (tmp_path / "report.md").read_text()
    assert "## Overall" in report and "worst failures" in report and "| answer_accuracy |" in report
    assert (tmp_path / "chart.png").read_bytes()[:4] == b"\x89PNG"


def _summary_file(path: Path, accuracy: float, total_p50: float) -> Path:
    overall = {m: 0.5 for m in metrics.QUALITY_METRICS} | {"n": 10, "answer_accuracy": accuracy}
    latency = {"total": {"p50": total_p50, "p95": total_p50 * 2, "mean": total_p50, "n": 10}}
    path.write_text(json.dumps({"warta": {"overall": overall, "latency": latency}}))
    return path


def test_compare_runs_detects_regressions(tmp_path):
    a = _summary_file(tmp_path / "a.json", 0.80, 1.0)
    same = _summary_file(tmp_path / "b.json", 0.79, 1.2)
    lines, regressed = compare_runs(a, same)
    assert not regressed and any("answer_accuracy" in line for line in lines)
    lines, regressed = compare_runs(a, _summary_file(tmp_path / "c.json", 0.70, 1.0))
    assert regressed and any(line.startswith("!") and "answer_accuracy" in line for line in lines)
    _, regressed = compare_runs(a, _summary_file(tmp_path / "d.json", 0.80, 1.6))
    assert regressed  # latency grew by 60%


def test_cli_compare_exit_code(tmp_path):
    a = _summary_file(tmp_path / "a.json", 0.80, 1.0)
    (tmp_path / "run").mkdir()
    _summary_file(tmp_path / "run" / "summary.json", 0.5, 1.0)
    assert evaluation.main(["--compare", str(a), str(a)]) == 0
    assert evaluation.main(["--compare", str(a), str(tmp_path / "run")]) == 1


def test_cli_runs_a_public_set_on_its_own_passages(tmp_path, monkeypatch):
    built = {}

    def fake_service_for(args, question_set, tmp, progress):
        built["passages"] = question_set.articles
        return FakeService(question_set.articles)

    monkeypatch.setattr(evaluation, "_service_for", fake_service_for)
    out = tmp_path / "out"
    code = evaluation.main([str(FIXTURES / "facqa_mini.jsonl"), "--out", str(out), "--quiet"])
    assert code == 0 and len(built["passages"]) == 2
    assert {p.name for p in out.iterdir()} >= {"results.jsonl", "summary.json", "report.md", "chart.png"}


def test_cli_rejects_a_bad_question_file(capsys):
    assert evaluation.main([str(FIXTURES / "warta_bad.jsonl")]) == 2
    assert "warta_bad.jsonl:3" in capsys.readouterr().err


def test_cli_help_parses():
    parser = argparse.ArgumentParser()
    evaluation.add_eval_arguments(parser)
    args = parser.parse_args(["q.jsonl", "--format", "belebele-en", "--limit", "5", "--no-baseline"])
    assert args.format == "belebele-en" and args.limit == 5 and args.no_baseline


def test_calibration_recomposes_what_ask_answers(news_service):
    """The calibration reads once through ``service.prepare`` and re-composes; at the reader's own
    margin that must be the answer ``ask()`` gives, or its tables describe another pipeline."""
    from assistant.answer.compose import compose
    from assistant.answer.contract import MARKER_RE
    from assistant.evaluation.calibrate_reader import read_all
    from assistant.evaluation.sets import Question, QuestionSet

    questions = [Question(id="a", question="Kapan Persib mengalahkan Persija?", answers=("x",), answerable=True),
                 Question(id="u", question="Siapa presiden Prancis?", answers=(), answerable=False)]
    reader, band = news_service.reader, news_service.settings.answer_band
    abstained = []
    for q, hits, spans in read_all(QuestionSet("t", questions, []), news_service):
        draft = compose(spans, hits, reader.null_margin, band, reader.rank_penalty)
        answer = news_service.ask(q.question)
        assert draft.abstained == answer.abstained
        assert [c.text for c in draft.claims] == [MARKER_RE.sub("", s.text).strip() for s in answer.sentences]
        abstained.append(answer.abstained)
    assert abstained == [False, True]


def test_calibration_weighs_news_as_much_as_every_public_set_together():
    from assistant.evaluation.calibrate_reader import _objective, _within_floor

    row = {"news_dev": (0.5, 1.0), "news_qa_dev": (0.5, 0.5), "idk_mrc": (0.8, 0.6), "tydiqa": (0.8, None)}
    assert _objective(row) == (0.625 + 0.7333333333333333) / 2
    assert _objective({"idk_mrc": (0.8, 0.6)}) == 0.7
    floor = {"idk_mrc": [0.767, 0.741], "tydiqa": [0.751, None]}
    assert not _within_floor(row, floor)  # IDK-MRC abstained 0.6 is more than 0.03 under 0.741
    assert _within_floor({**row, "idk_mrc": (0.74, 0.72)}, floor)


def test_confidence_fit_rises_with_the_margin():
    from assistant.evaluation.calibrate_reader import _logistic

    points = [(m / 4, float(m > 4 or m % 3 == 0)) for m in range(-8, 16)]
    slope, intercept = _logistic(points)
    assert slope > 0
