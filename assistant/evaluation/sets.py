"""Question sets for evaluation: Warta's own jsonl format and adapters for the public sets.

Every adapter returns a ``QuestionSet``: the questions plus, for the public sets, their passages
as ``Article``s, so an evaluation can index exactly the passages the questions were written on.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.records import Article

FORMATS = ("auto", "warta", "squad", "facqa", "news-qa", "belebele-en", "belebele-id")
LANGS = ("en", "id")


class QuestionSetError(ValueError):
    """A question file that cannot be read; the message names every bad line."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    answerable: bool = True
    support: tuple[str, ...] = ()
    """Alternatives: a citation supports the answer when its quote holds any one of them."""
    doc_id: str | None = None
    lang: str = "id"
    tags: tuple[str, ...] = ()
    history: tuple[tuple[str, str], ...] = ()
    """Earlier (question, answer) turns, for follow-up questions."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class QuestionSet:
    name: str
    questions: list[Question]
    articles: list[Article] = field(default_factory=list)
    """The set's own passages (empty for Warta's format: those questions ask about an index)."""
    among_bundled: bool = False
    """Ask about the set's articles in an index that also holds the bundled ones (as a reader
    would meet them among other news), not alone."""


def load_question_set(path: str | Path, fmt: str = "auto") -> QuestionSet:
    """Read a question file in any supported format (``auto`` guesses it from the content)."""
    path = Path(path)
    if not path.is_file():
        raise QuestionSetError(f"{path}: no such file")
    if fmt not in FORMATS:
        raise QuestionSetError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "warta":
        return QuestionSet(base_name(path), load_warta(path))
    if fmt == "squad":
        return load_squad(path)
    if fmt == "facqa":
        return load_facqa(path)
    if fmt == "news-qa":
        return load_news_qa(path)
    return load_belebele(path, lang=fmt.split("-")[1])


def read_text(path: Path) -> str:
    """A question file's text; ``.gz`` files (the public sets shipped in ``data/reader``) are unpacked."""
    if path.suffix == ".gz":
        return gzip.decompress(path.read_bytes()).decode("utf-8")
    return path.read_text(encoding="utf-8")


def base_name(path: Path) -> str:
    """The file name without its extensions: "idk_mrc_valid.json.gz" → "idk_mrc_valid"."""
    return path.name.removesuffix(".gz").rsplit(".", 1)[0]


def set_prefix(path: Path) -> str:
    """The public set a file belongs to: "idk_mrc" for both ``idk_mrc/valid.json`` and
    ``idk_mrc_valid.json.gz``, so passage ids and tags agree whichever copy is read."""
    name = base_name(path)
    for split in ("_train", "_valid", "_dev", "_test"):
        if name.endswith(split) and name[: -len(split)]:
            return name[: -len(split)]
    return path.parent.name or "squad"


def detect_format(path: Path) -> str:
    if path.name.removesuffix(".gz").endswith(".json"):
        return "squad"
    first = next((line for line in read_text(path).splitlines() if line.strip()), "")
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        raise QuestionSetError(f"{path}:1: not JSON; cannot guess the format") from None
    if "passage_id_text" in record:
        raise QuestionSetError(f"{path}: a Belebele file; choose --format belebele-en or belebele-id")
    if "passage" in record and "answers" in record:
        return "facqa"
    if "writer" in record and "kind" in record:
        return "news-qa"
    return "warta"


def load_warta(path: str | Path) -> list[Question]:
    """Warta's jsonl (see data/questions/README.md); collects every bad line before failing."""
    path = Path(path)
    questions: list[Question] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            question = _warta_question(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: invalid JSON ({exc.msg})")
            continue
        except ValueError as exc:
            problems.append(f"{path}:{number}: {exc}")
            continue
        if question.id in seen:
            problems.append(f"{path}:{number}: duplicate id {question.id!r}")
            continue
        seen.add(question.id)
        questions.append(question)
    if problems:
        raise QuestionSetError("\n".join(problems))
    if not questions:
        raise QuestionSetError(f"{path}: no questions")
    return questions


def _warta_question(record: Any) -> Question:
    if not isinstance(record, dict):
        raise ValueError("each line must be a JSON object")
    unknown = set(record) - {f for f in Question.__dataclass_fields__}
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    for name in ("id", "question"):
        if not isinstance(record.get(name), str) or not record[name].strip():
            raise ValueError(f"{name!r} must be a non-empty string")
    answerable = record.get("answerable")
    if not isinstance(answerable, bool):
        raise ValueError("'answerable' must be true or false")
    answers = _strings(record, "answers")
    if answerable and not answers:
        raise ValueError("an answerable question needs at least one answer")
    if not answerable and answers:
        raise ValueError("an unanswerable question must have no answers")
    lang = record.get("lang", "id")
    if lang not in LANGS:
        raise ValueError(f"'lang' must be one of {', '.join(LANGS)}")
    doc_id = record.get("doc_id")
    if doc_id is not None and (not isinstance(doc_id, str) or not doc_id):
        raise ValueError("'doc_id' must be a non-empty string")
    history = record.get("history", [])
    if not isinstance(history, list) or not all(
        isinstance(t, list) and len(t) == 2 and all(isinstance(x, str) for x in t) for t in history
    ):
        raise ValueError("'history' must be a list of [question, answer] pairs")
    return Question(
        id=record["id"],
        question=record["question"],
        answers=answers,
        answerable=answerable,
        support=_strings(record, "support"),
        doc_id=doc_id,
        lang=lang,
        tags=_strings(record, "tags"),
        history=tuple(tuple(t) for t in history),
    )


def _strings(record: dict, name: str) -> tuple[str, ...]:
    value = record.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{name!r} must be a list of non-empty strings")
    return tuple(value)


def passage_article(prefix: str, text: str, doc_id: str | None = None) -> Article:
    """A passage as an article; the id is the set's own passage id or a hash of the text, so
    repeated passages collapse into one article and ids stay the same across runs."""
    doc_id = doc_id or f"{prefix}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]}"
    words = text.split()
    title = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
    return Article(doc_id=doc_id, title=title, text=text, origin=prefix)


def load_squad(path: str | Path) -> QuestionSet:
    """SQuAD-style json (TyDi-id, IDK-MRC): either the flat list of ``{context, qas}`` these
    sets ship as, or the nested ``{"data": [{"paragraphs": [...]}]}`` of SQuAD itself.
    Unanswerable: ``is_impossible`` or no answers."""
    path = Path(path)
    prefix = set_prefix(path)
    data = json.loads(read_text(path))
    paragraphs = data if isinstance(data, list) else [p for item in data["data"] for p in item["paragraphs"]]
    articles: dict[str, Article] = {}
    questions = []
    for paragraph in paragraphs:
        article = passage_article(prefix, paragraph["context"])
        articles.setdefault(article.doc_id, article)
        for qa in paragraph["qas"]:
            answers = tuple(dict.fromkeys(a["text"] for a in qa.get("answers", []) if a["text"].strip()))
            answerable = bool(answers) and not qa.get("is_impossible", False)
            questions.append(
                Question(
                    id=str(qa["id"]),
                    question=qa["question"],
                    answers=answers if answerable else (),
                    answerable=answerable,
                    support=answers if answerable else (),
                    doc_id=article.doc_id,
                    lang="id",
                    tags=(prefix,) if answerable else (prefix, "unanswerable"),
                )
            )
    return QuestionSet(f"{prefix}-{base_name(path).removeprefix(prefix + '_')}", questions, list(articles.values()))


def _jsonl_records(path: Path):
    for line in read_text(path).splitlines():
        if line.strip():
            yield json.loads(line)


def load_facqa(path: str | Path) -> QuestionSet:
    """FacQA jsonl: one ``{id, question, passage, answers}`` per line; answers are passage spans."""
    path = Path(path)
    articles: dict[str, Article] = {}
    questions = []
    for record in _jsonl_records(path):
        article = passage_article("facqa", record["passage"])
        articles.setdefault(article.doc_id, article)
        answers = tuple(record["answers"])
        questions.append(
            Question(
                id=record["id"],
                question=record["question"],
                answers=answers,
                support=answers,
                doc_id=article.doc_id,
                lang="id",
                tags=("facqa",),
            )
        )
    return QuestionSet(base_name(path), questions, list(articles.values()))


def load_news_qa(path: str | Path) -> QuestionSet:
    """Warta's news question corpus (``data/reader/news_qa/{train,dev}.jsonl.gz``, beside its
    ``articles.jsonl.gz``): each answer is an exact span, so it is both the answer and the words a
    citation must quote; a list question counts as right when it names one of its items. Tagged
    by kind, "follow-up" and "unanswerable"; asked among the bundled articles."""
    from assistant.ingest.loaders import article_from_record

    path = Path(path)
    records = list(_jsonl_records(path))
    wanted = {r["doc_id"] for r in records}
    articles = {}
    for number, record in enumerate(_jsonl_records(path.parent / "articles.jsonl.gz"), start=1):
        if record["id"] in wanted:
            article = article_from_record(record, "articles.jsonl.gz", number, fallback_id=record["id"])
            if not isinstance(article, Article):
                raise QuestionSetError(str(article))
            articles[article.doc_id] = article
    questions = []
    for record in records:
        spans = tuple(dict.fromkeys(a["text"] for a in record["answers"]))
        tags = (record["kind"], *(("follow-up",) if record["history"] else ()),
                *(() if record["answerable"] else ("unanswerable",)))
        questions.append(Question(
            id=record["id"], question=record["question"], answers=spans, answerable=record["answerable"],
            support=spans, doc_id=record["doc_id"], lang=record["lang"], tags=tags,
            history=tuple(tuple(turn) for turn in record["history"]),
        ))
    name = "news_qa_" + base_name(path)
    return QuestionSet(name, questions, list(articles.values()), among_bundled=True)


def load_belebele(path: str | Path, lang: str) -> QuestionSet:
    """Belebele pairs asked in English or Indonesian over the Indonesian passage. The gold answer
    is the correct choice's text (a paraphrase, rarely a span), so no ``support`` words: a
    citation counts when it comes from the question's passage."""
    if lang not in LANGS:
        raise QuestionSetError(f"Belebele language must be en or id, not {lang!r}")
    path = Path(path)
    articles: dict[str, Article] = {}
    questions = []
    for record in _jsonl_records(path):
        article = passage_article("belebele", record["passage_id_text"], doc_id=record["passage_id"])
        articles.setdefault(article.doc_id, article)
        questions.append(
            Question(
                id=f"{record['id']}-{lang}",
                question=record[f"question_{lang}"],
                answers=(record[f"answer_{lang}"],),
                doc_id=article.doc_id,
                lang=lang,
                tags=("belebele", "cross-lingual") if lang == "en" else ("belebele",),
            )
        )
    return QuestionSet(f"{base_name(path)}-{lang}", questions, list(articles.values()))
