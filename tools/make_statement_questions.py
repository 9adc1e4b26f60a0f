"""Write "what did X say about Y?" training questions from news quotes (the reader's train split
has few statement questions; news is full of them).

    python tools/make_statement_questions.py CLICKID/clickid_news_corpus.jsonl [--out data/reader]

From every sentence of the form ``"<quote>," kata <Name>`` (kata, ujar, ungkap, jelas, imbuh...)
in an article that is **not** one of the bundled ones (``data/articles``, which holds every
article of the news question sets), a question asks what that person said, in Indonesian or
English, about one or two words of the quote or of the article's title; the answer is the quote,
the passage is the article's chunk that holds it. A quarter of the questions ask instead about
somebody the passage never quotes, with no answer. Seeded: the same corpus gives the same files.
Articles are split by id hash into train (``statements_train.jsonl.gz``) and valid
(``statements_valid.jsonl.gz``). The corpus is CLICK-ID (CC BY 4.0): see data/reader/SOURCES.md.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.ingest.loaders import iter_articles  # noqa: E402
from assistant.ingest.chunking import chunk_article  # noqa: E402
from assistant.records import Article  # noqa: E402
from assistant.ingest.text import stopwords  # noqa: E402

QUOTE = re.compile(
    r"^[“\"](?P<quote>[^“”\"]{25,300}?)[,.!?]?[”\"],?\s+(?:kata|ujar|ungkap|jelas|tutur|imbuh|tambah|lanjut|pungkas"
    r"|terang|tegas|papar|ucap|sebut)(?:nya)?\s+(?P<name>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,3})")
TEMPLATES = {
    "id": ["Apa kata {name} soal {topic}?", "Apa yang disampaikan {name} tentang {topic}?",
           "{name} bilang apa soal {topic}?", "Bagaimana tanggapan {name} mengenai {topic}?",
           "Menurut {name}, bagaimana soal {topic}?", "Apa kata {name}?"],
    "en": ["What did {name} say about {topic}?", "What did {name} say regarding {topic}?",
           "What was {name}'s comment on {topic}?", "According to {name}, what about {topic}?",
           "What did {name} say?"],
}
VALID_SHARE = 0.06
NEGATIVE_SHARE = 0.25
SEED = 20261130


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--out", default="data/reader")
    parser.add_argument("--bundled", default="data/articles", help="articles never used (the question sets' articles)")
    parser.add_argument("--max", type=int, default=4000, help="answerable questions in all")
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    bundled = {a.doc_id for a in iter_articles([Path(args.bundled)]) if isinstance(a, Article)}
    found = []
    for article in iter_articles([Path(args.corpus)]):
        if isinstance(article, Article) and article.doc_id not in bundled:
            found.extend(quotes_of(article))
    rng.shuffle(found)
    found = found[: args.max]
    names = sorted({f["name"] for f in found})
    rows = {"train": [], "valid": []}
    for i, quote in enumerate(found):
        split = "valid" if int(hashlib.sha1(quote["doc_id"].encode()).hexdigest(), 16) % 1000 < VALID_SHARE * 1000 else "train"
        lang = "en" if rng.random() < 0.4 else "id"
        name = quote["name"] if rng.random() < 0.6 else quote["name"].split()[-1]
        answerable = rng.random() >= NEGATIVE_SHARE
        if not answerable:
            name = rng.choice([n for n in names if n.split()[-1] not in quote["context"]] or names)
        question = rng.choice(TEMPLATES[lang]).format(name=name, topic=topic(quote, rng))
        rows[split].append({"id": f"statement-{i}", "question": question, "context": quote["context"], "lang": lang,
                            "answer": quote["answer"] if answerable else "",
                            "answer_start": quote["answer_start"] if answerable else None})
    out = Path(args.out)
    for split, records in rows.items():
        with gzip.open(out / f"statements_{split}.jsonl.gz", "wt", encoding="utf-8", compresslevel=9) as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"{split}: {len(records)} questions, {sum(r['answer_start'] is None for r in records)} without an answer")
    return 0


def quotes_of(article: Article) -> list[dict]:
    """Every quoted statement of the article with its speaker and the chunk holding it."""
    out = []
    for chunk in chunk_article(article):
        for start, end in chunk.sentences:
            match = QUOTE.match(article.text[start:end])
            if not match or len(match.group("quote").split()) < 5:
                continue
            name = match.group("name").rstrip(".")
            answer_start = start + match.start("quote") - chunk.start
            out.append({"doc_id": article.doc_id, "name": name, "title": article.title, "context": chunk.text,
                        "answer": match.group("quote"), "answer_start": answer_start})
    return out


def topic(quote: dict, rng: random.Random) -> str:
    """One or two content words of the quote or of the title, as a reader would name the subject."""
    source = quote["answer"] if rng.random() < 0.5 else quote["title"]
    words = [w for w in re.findall(r"[A-Za-z][a-z]{4,}", source) if w.lower() not in stopwords()]
    if not words:
        return "hal itu"
    i = rng.randrange(len(words))
    return " ".join(words[i:i + rng.choice((1, 2))]).lower()


if __name__ == "__main__":
    raise SystemExit(main())
