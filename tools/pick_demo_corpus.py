"""Pick the bundled demo corpus: a few hundred CLICK-ID articles across outlets and topics.

    python tools/pick_demo_corpus.py PATH/TO/clickid_news_corpus.jsonl [--n 300] [--out data/articles]

Deterministic (seeded): the same input gives the same files. Articles are kept when their text is
a readable length (800-5,000 characters after loading), their date parses and their title is
present; then an equal share per (topic, outlet) cell is drawn at random. Writes
``clickid_demo.jsonl`` (the records unchanged) beside ``ATTRIBUTION.md``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.ingest.normalize import normalize_text, parse_date, repair_mojibake, split_comma_joined_paragraphs  # noqa: E402

TOPICS = {
    "politics": {"news", "nasional", "berita utama", "daerah", "regional", "metro", "peristiwa", "hukum", "politik"},
    "sports": {"bola", "sports", "sport", "super skor", "sepakbola", "olahraga"},
    "economy": {"bisnis", "ekbis", "economy", "money", "ekonomi", "finance"},
    "entertainment": {"selebriti", "celebrity", "seleb", "entertainment", "tv", "musik", "news & entertainment", "film"},
    "lifestyle": {"lifestyle", "gaya", "cantik", "beauty", "travel", "health", "kesehatan", "food"},
    "technology": {"otomotif", "autotekno", "tekno", "techno", "teknologi", "sains"},
    "world": {"international", "dunia", "internasional", "global"},
}
SEED = 20261130


def topic_of(category: str) -> str | None:
    name = (category or "").strip().lower()
    return next((topic for topic, names in TOPICS.items() if name in names), None)


def readable(record: dict) -> bool:
    text = normalize_text(split_comma_joined_paragraphs(repair_mojibake(record.get("content") or "")))
    return 800 <= len(text) <= 5000 and bool(parse_date(record.get("date"))) and bool((record.get("title") or "").strip())


def pick(records: list[dict], n: int) -> list[dict]:
    cells: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for record in records:
        topic = topic_of(record.get("category", ""))
        if topic and readable(record):
            cells[(topic, record["source"])].append(record)
    rng = random.Random(SEED)
    for cell in cells.values():
        rng.shuffle(cell)
    chosen: list[dict] = []
    order = sorted(cells)
    while len(chosen) < n and any(cells.values()):
        for key in order:  # round robin: every (topic, outlet) cell gives one article per round
            if cells[key] and len(chosen) < n:
                chosen.append(cells[key].pop())
    return sorted(chosen, key=lambda r: r["id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--out", default="data/articles")
    args = parser.parse_args(argv)
    with open(args.corpus, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    chosen = pick(records, args.n)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "clickid_demo.jsonl", "w", encoding="utf-8") as handle:
        for record in chosen:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    counts: dict[str, int] = defaultdict(int)
    for record in chosen:
        counts[topic_of(record["category"])] += 1
    print(f"{len(chosen)} articles from {len({r['source'] for r in chosen})} outlets; by topic: {dict(sorted(counts.items()))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
