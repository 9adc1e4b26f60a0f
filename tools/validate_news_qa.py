"""Check Warta's news question corpus so that a bad item can never land.

    python tools/validate_news_qa.py [data/reader/news_qa]

Checks every record's format, that every answer is the exact span of the article text as Warta
loads it at its offset, that no item is about an article reserved for evaluation or asked about
by Warta's own question sets (or bundled in the demo index), and that train and dev share no
article. Exit 0 when clean; otherwise each problem is printed as ``file:line: reason``.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ingest.loaders import record_text  # noqa: E402

DATA_DIR = ROOT / "data" / "reader" / "news_qa"
RESERVED = Path(__file__).with_name("reserved_for_evaluation.txt")
"""The shared list of articles reserved for evaluation: kept beside this checker, never with training data."""
KINDS = ("office", "led", "say", "what", "when", "where", "how-many", "why", "how", "list", "followup")
FIELDS = ("id", "doc_id", "question", "lang", "kind", "answerable", "answers", "history", "writer")
SPLITS = ("train", "dev")
_TRAILING_PUNCTUATION = tuple(".,;:!?-–—")
_PAIRS = (("(", ")"), ("[", "]"), ("“", "”"), ("‘", "’"))


def article_texts(records: Iterable[dict]) -> dict[str, str]:
    """Each CLICK-ID record's text exactly as Warta's loader makes it (offsets count in it)."""
    return {r["id"]: record_text(r["content"]) for r in records}


def off_limits_ids(root: Path = ROOT) -> set[str]:
    """Articles no item may be about: reserved for evaluation, asked about by Warta's question
    sets (news_dev, news_holdout, the seed sets) or bundled in the demo index."""
    ids = {line.strip() for line in RESERVED.read_text(encoding="utf-8").splitlines()
           if line.strip() and not line.startswith("#")}
    for path in (root / "data" / "questions").glob("*.jsonl"):
        ids |= {row.get("doc_id") for row in read_jsonl(path)}
    ids |= {row["id"] for row in read_jsonl(root / "data" / "articles" / "clickid_demo.jsonl")}
    ids.discard(None)
    return ids


_APOSTROPHE = re.compile(r"(?<=\w)[’'‘](?=\w)")


def unbalanced(text: str) -> bool:
    """An opening bracket or quote mark without its closing one (or the reverse); an apostrophe
    inside a word ("Sa’diah", "Chapelle‘s") is not a quote mark."""
    text = _APOSTROPHE.sub("", text)
    return text.count('"') % 2 == 1 or any(text.count(a) != text.count(b) for a, b in _PAIRS)


def item_problems(item: dict, text: str) -> list[str]:
    """What is wrong with one record, given its article's text (empty when it is fine)."""
    problems = []
    if tuple(sorted(item)) != tuple(sorted(FIELDS)):
        return [f"fields must be exactly {list(FIELDS)}, got {sorted(item)}"]
    if not isinstance(item["question"], str) or not item["question"].strip() or len(item["question"]) > 400:
        problems.append("question must be non-empty text of at most 400 characters")
    if item["lang"] not in ("en", "id"):
        problems.append("lang must be 'en' or 'id'")
    if item["kind"] not in KINDS:
        problems.append(f"kind must be one of {list(KINDS)}")
    if not isinstance(item["answerable"], bool):
        problems.append("answerable must be true or false")
    if not isinstance(item["writer"], str) or not item["writer"]:
        problems.append("writer must be named")
    history = item["history"]
    if not isinstance(history, list) or not all(
            isinstance(turn, list) and len(turn) == 2 and all(isinstance(t, str) and t.strip() for t in turn) for turn in history):
        problems.append("history must be a list of [question, answer] pairs")
    elif item["kind"] == "followup" and not history:
        problems.append("a followup needs its history")
    answers = item["answers"]
    if not isinstance(answers, list):
        return problems + ["answers must be a list"]
    if item["answerable"] is True and not answers:
        problems.append("an answerable item needs at least one answer")
    if item["answerable"] is False and answers:
        problems.append("an unanswerable item has no answers")
    if item["kind"] == "list" and item["answerable"] is True and len(answers) < 2:
        problems.append("a list item gives each item as its own answer (at least two)")
    for answer in answers:
        problems += [f"answer {answer.get('text')!r}: {p}" if isinstance(answer, dict) else p for p in _answer_problems(answer, text)]
    return problems


def _answer_problems(answer: object, text: str) -> list[str]:
    if not isinstance(answer, dict) or sorted(answer) != ["start", "text"]:
        return ["each answer is {\"text\", \"start\"}"]
    span, start = answer["text"], answer["start"]
    if not isinstance(span, str) or not span.strip() or not isinstance(start, int) or isinstance(start, bool):
        return ["text must be non-empty and start an integer"]
    if text[start:start + len(span)] != span:
        return [f"is not the article's text at start={start}"]
    problems = []
    if span != span.strip():
        problems.append("has spaces at its ends")
    if span.endswith(_TRAILING_PUNCTUATION):
        problems.append("ends with punctuation")
    if unbalanced(span):
        problems.append("has an unbalanced bracket or quote mark")
    return problems


def span_f1(prediction: str, gold: str) -> float:
    """Token F1 of two spans (lowercased words), as SQuAD scores answers."""
    a, b = _words(prediction), _words(gold)
    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def read_jsonl(path: Path) -> list[dict]:
    """JSON lines split at newlines only (article text may hold U+2028, which splitlines() cuts)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_gz(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def validate(folder: Path = DATA_DIR) -> list[str]:
    """Every problem in the committed corpus, as ``file:line: reason``."""
    problems: list[str] = []
    articles = read_gz(folder / "articles.jsonl.gz")
    texts = article_texts(articles)
    blocked = off_limits_ids()
    docs_of: dict[str, set[str]] = {}
    seen_ids: set[str] = set()
    for split in SPLITS:
        name = f"{split}.jsonl.gz"
        docs_of[split] = set()
        for number, item in enumerate(read_gz(folder / name), start=1):
            where = f"{name}:{number}"
            doc_id = item.get("doc_id")
            if doc_id not in texts:
                problems.append(f"{where}: article {doc_id!r} is not in articles.jsonl.gz")
                continue
            if doc_id in blocked:
                problems.append(f"{where}: article {doc_id} is off limits")
            if item.get("id") in seen_ids:
                problems.append(f"{where}: id {item.get('id')!r} is not unique")
            seen_ids.add(item.get("id"))
            docs_of[split].add(doc_id)
            problems += [f"{where}: {p}" for p in item_problems(item, texts[doc_id])]
    shared = docs_of["train"] & docs_of["dev"]
    if shared:
        problems.append(f"train and dev share {len(shared)} articles, e.g. {sorted(shared)[:3]}")
    unused = set(texts) - docs_of["train"] - docs_of["dev"]
    if unused:
        problems.append(f"articles.jsonl.gz holds {len(unused)} articles no item is about")
    return problems


def main(argv: list[str] | None = None) -> int:
    folder = Path(argv[0]) if argv else DATA_DIR
    problems = validate(folder)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problems" if problems else "news_qa: valid")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
