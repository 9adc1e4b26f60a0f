"""The reader's training and validation data: public Indonesian extractive-QA sets and Warta's
own news questions.

Read from ``data/reader/`` (gzipped copies of the public train and valid splits, CC BY-SA 4.0,
see ``data/reader/SOURCES.md``; test splits are never read) and ``data/reader/news_qa/`` (questions
written for this project about CLICK-ID articles, CC BY 4.0, see its ``DATASHEET.md``). Every
example keeps the character offset of its answer so that windows can be labelled exactly.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

SETS = {
    "tydiqa": ("tydiqa_id_{split}.json.gz", "squad"),
    "idk_mrc": ("idk_mrc_{split}.json.gz", "squad"),
    "facqa": ("facqa_{split}.jsonl.gz", "facqa"),
}
TRANSLATIONS = "questions_en_{split}.jsonl.gz"
"""English versions of some questions (``{"id", "question_en"}``), written by translators from the
Indonesian originals: they teach the reader to take English questions about Indonesian text."""


@dataclass(frozen=True)
class Example:
    id: str
    source: str
    question: str
    context: str
    answer_start: int | None
    """Character offset of the answer in ``context``; None when the passage does not answer."""
    answer: str = ""
    lang: str = "id"
    kind: str = ""
    """The news question's kind (``say``, ``office``, ...); empty for the public sets."""

    @property
    def answerable(self) -> bool:
        return self.answer_start is not None


def _open(path: Path):
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else open(path, encoding="utf-8")


def load_split(data_dir: Path, split: str, sets: tuple[str, ...] = tuple(SETS)) -> list[Example]:
    """All examples of a split; a question asked twice on one passage (TyDi questions reappear
    in IDK-MRC) is kept once."""
    examples: list[Example] = []
    seen: set[tuple[str, str]] = set()
    for name in sets:
        pattern, kind = SETS[name]
        path = Path(data_dir) / pattern.format(split=split)
        loaded = _load_squad(path, name) if kind == "squad" else _load_facqa(path)
        for example in loaded:
            key = (" ".join(example.question.lower().split()), example.context)
            if key not in seen:
                seen.add(key)
                examples.append(example)
    return examples


def _load_squad(path: Path, source: str) -> list[Example]:
    with _open(path) as handle:
        data = json.load(handle)
    paragraphs = data if isinstance(data, list) else [p for item in data["data"] for p in item["paragraphs"]]
    out = []
    for paragraph in paragraphs:
        context = paragraph["context"]
        for qa in paragraph["qas"]:
            answers = [a for a in qa.get("answers", []) if a["text"].strip()]
            if qa.get("is_impossible") or not answers:
                out.append(Example(str(qa["id"]), source, qa["question"], context, None))
                continue
            answer = answers[0]
            start = _locate(context, answer["text"], answer.get("answer_start"))
            if start is not None:
                out.append(Example(str(qa["id"]), source, qa["question"], context, start, answer["text"]))
    return out


def _load_facqa(path: Path) -> list[Example]:
    out = []
    with _open(path) as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            answer = record["answers"][0]
            start = _locate(record["passage"], answer, None)
            if start is not None:
                out.append(Example(record["id"], "facqa", record["question"], record["passage"], start, answer))
    return out


def _locate(context: str, answer: str, hint: int | None) -> int | None:
    """The answer's offset: the given one when the text is there, else the nearest occurrence."""
    if hint is not None and context[hint:hint + len(answer)] == answer:
        return hint
    found = [m.start() for m in re.finditer(re.escape(answer), context)]
    if not found:
        return None
    return min(found, key=lambda i: abs(i - hint)) if hint is not None else found[0]


NEWS_DIR = "news_qa"


def load_news(data_dir: Path, split: str, limit: int = 0, seed: int = 0) -> list[Example]:
    """The news questions of a split as examples over their whole article (the reader cuts it
    into windows). A follow-up is asked as the pipeline asks it: made standalone by the rules.
    A list question gives one example per item. ``limit`` keeps the questions of whole
    articles, in a seeded article order, until at least that many: nested subsets for a
    learning curve, split by article like the data."""
    from assistant.answer.followup import condense
    from assistant.ingest.loaders import record_text

    folder = Path(data_dir) / NEWS_DIR
    with _open(folder / "articles.jsonl.gz") as handle:
        texts = {r["id"]: record_text(r["content"]) for r in map(json.loads, filter(str.strip, handle))}
    with _open(folder / f"{split}.jsonl.gz") as handle:
        items = [json.loads(line) for line in handle if line.strip()]
    if limit:
        per_article = Counter(i["doc_id"] for i in items)
        order = sorted(per_article)
        random.Random(seed).shuffle(order)
        kept, taken = set(), 0
        for doc_id in order:
            if taken >= limit:
                break
            kept.add(doc_id)
            taken += per_article[doc_id]
        items = [i for i in items if i["doc_id"] in kept]
    out = []
    for item in items:
        history = [tuple(turn) for turn in item["history"]]
        question = condense(item["question"], history)
        common = dict(source="news", question=question, context=texts[item["doc_id"]], lang=item["lang"], kind=item["kind"])
        if not item["answerable"]:
            out.append(Example(item["id"], answer_start=None, **common))
            continue
        answers = item["answers"] if item["kind"] == "list" else item["answers"][:1]
        for n, answer in enumerate(answers):
            out.append(Example(f"{item['id']}#{n}" if n else item["id"], answer_start=answer["start"],
                               answer=answer["text"], **common))
    return out


def load_translations(data_dir: Path, split: str) -> dict[str, str]:
    path = Path(data_dir) / TRANSLATIONS.format(split=split)
    if not path.exists():
        return {}
    with _open(path) as handle:
        return {r["id"]: r["question_en"] for r in map(json.loads, filter(str.strip, handle))}


def english_versions(examples: list[Example], translations: dict[str, str]) -> list[Example]:
    """The translated questions as examples of their own, same passage and answer."""
    return [replace(e, id=f"{e.id}-en", question=translations[e.id], lang="en")
            for e in examples if e.id in translations]


_WORD = re.compile(r"\w+")


def unrelated_passages(examples: list[Example], share: float, seed: int) -> list[Example]:
    """For a ``share`` of the questions, the most similar *other* passage of the same set (by
    idf-weighted shared words) that does not hold the answer, as a no-answer example. The answer
    step reads the top retrieved chunks, most of which are such near misses."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        by_source[example.source].append(example.context)
    rng = random.Random(seed)
    out = []
    for source, contexts in by_source.items():
        passages = list(dict.fromkeys(contexts))
        postings: dict[str, list[int]] = defaultdict(list)
        for i, passage in enumerate(passages):
            for word in set(_WORD.findall(passage.lower())):
                postings[word].append(i)
        idf = {w: 1.0 / len(ids) for w, ids in postings.items()}
        for example in (e for e in examples if e.source == source):
            if rng.random() >= share:
                continue
            scores: Counter[int] = Counter()
            for word in sorted(set(_WORD.findall(example.question.lower()))):  # sorted: no hash-seed order
                if len(postings.get(word, ())) < 200:  # skip very common words: they pick nothing
                    for i in postings.get(word, ()):
                        scores[i] += idf[word]
            for i, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:4]:
                passage = passages[i]
                if passage == example.context or (example.answer and example.answer in passage):
                    continue
                out.append(replace(example, id=f"{example.id}-neg", context=passage, answer_start=None, answer=""))
                break
    return out
