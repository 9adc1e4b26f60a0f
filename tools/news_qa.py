"""Write Warta's news question corpus in resumable batches (data/reader/news_qa/DATASHEET.md).

    python tools/news_qa.py plan CLICKID.jsonl [--articles 1000] [--writers 30]   # once
    python tools/news_qa.py next   --writer w01      # the writer's current article
    python tools/news_qa.py find   --writer w01 TEXT # where TEXT stands in it (offsets)
    python tools/news_qa.py submit --writer w01 FILE # its items (JSON lines); '-' = stdin
    python tools/news_qa.py skip   --writer w01 --reason "garbled text"
    python tools/news_qa.py status
    python tools/news_qa.py assign-second [--readers 2]   # second readings of 5 % (r01..)
    python tools/news_qa.py collect [--pilot PILOT.jsonl]   # -> data/reader/news_qa/

The work folder (``.cache/news_qa`` by default) holds the plan, one assignment list per writer
and one file per (writer, article) once submitted: a writer sees one article at a time, the
next only after submitting or skipping it, so a stopped writer resumes where it stopped and no
article is written twice by one writer. Offsets are into the article text as Warta loads it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from validate_news_qa import (  # noqa: E402
    DATA_DIR,
    KINDS,
    article_texts,
    item_problems,
    off_limits_ids,
    read_jsonl,
    span_f1,
)

WORK = ROOT / ".cache" / "news_qa"
BUILD = DATA_DIR / "build"
"""What collecting needs besides the writers' files: the pilot's kinds, the review's verdicts."""
SEED = 20261207
DEV_SHARE = 0.10
STORY_SIMILARITY = 0.3
"""tf-idf cosine from which two articles tell one story (read off the pairs writers reported)."""
# Readable and long enough for 6-8 questions, short enough to read whole.
MIN_CHARS, MAX_CHARS = 1000, 3600
WRITER_FIELDS = {"question", "lang", "kind", "answerable", "answers", "history"}


# --- plan ----------------------------------------------------------------------------------------

def plan(corpus: Path, n_articles: int, n_writers: int, double_share: float, work: Path) -> None:
    """Pick articles (every outlet, none off limits) and deal them to writers.

    About 5 % are marked double-written: a second writer later answers the first writer's
    questions on them without seeing the first answers (``answer-next``), for agreement.
    """
    if (work / "plan.json").exists():
        raise SystemExit(f"{work / 'plan.json'} exists: the plan is made once (delete the folder to start over)")
    blocked = off_limits_ids()
    records = read_jsonl(corpus)
    texts = article_texts(records)
    by_source: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        if record["id"] not in blocked and MIN_CHARS <= len(texts[record["id"]]) <= MAX_CHARS:
            by_source[record["source"]].append(record)
    rng = random.Random(SEED)
    total = sum(len(v) for v in by_source.values())
    chosen: list[dict] = []
    for source in sorted(by_source):
        pool = sorted(by_source[source], key=lambda r: r["id"])
        rng.shuffle(pool)
        # Proportional to the outlet's share, but at least 40 from each so small outlets count.
        quota = max(40, round(n_articles * len(pool) / total))
        chosen += pool[:quota]
    rng.shuffle(chosen)
    chosen = chosen[:n_articles] if len(chosen) > n_articles else chosen
    doubles = {r["id"] for r in chosen[: round(len(chosen) * double_share)]}
    lists: list[list[str]] = [[] for _ in range(n_writers)]
    for position, record in enumerate(chosen):
        lists[position % n_writers].append(record["id"])
    for queue in lists:  # double-written articles first, so their second reading can start early
        rng.shuffle(queue)
        queue.sort(key=lambda doc_id: doc_id not in doubles)
    work.mkdir(parents=True, exist_ok=True)
    with open(work / "articles.jsonl", "w", encoding="utf-8") as handle:
        for record in sorted(chosen, key=lambda r: r["id"]):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    (work / "assignments").mkdir(exist_ok=True)
    for number, queue in enumerate(lists, start=1):
        (work / "assignments" / f"w{number:02d}.txt").write_text("\n".join(queue) + "\n", encoding="utf-8")
    (work / "plan.json").write_text(json.dumps({
        "corpus": str(corpus.resolve()), "corpus_sha256": hashlib.sha256(corpus.read_bytes()).hexdigest(), "seed": SEED,
        "articles": len(chosen), "writers": n_writers, "double_written": sorted(doubles),
    }, indent=1) + "\n", encoding="utf-8")
    print(f"{len(chosen)} articles ({len(doubles)} written twice) dealt to {n_writers} writers; "
          f"by outlet: {dict(Counter(r['source'] for r in chosen))}")


# --- the writer's loop ---------------------------------------------------------------------------

class Workspace:
    def __init__(self, work: Path) -> None:
        self.work = work
        if not (work / "plan.json").exists():
            raise SystemExit(f"no plan in {work}: run 'plan' first")
        self._records = {r["id"]: r for r in read_jsonl(work / "articles.jsonl")}
        self.texts = article_texts(self._records.values())

    def queue(self, writer: str) -> list[str]:
        path = self.work / "assignments" / f"{writer}.txt"
        if not path.exists():
            raise SystemExit(f"unknown writer {writer!r}")
        return path.read_text(encoding="utf-8").split()

    def done_path(self, writer: str, doc_id: str, suffix: str) -> Path:
        return self.work / "out" / writer / f"{doc_id}.{suffix}"

    def is_done(self, writer: str, doc_id: str) -> bool:
        return any(self.done_path(writer, doc_id, s).exists() for s in ("jsonl", "skip"))

    def current(self, writer: str) -> str | None:
        return next((d for d in self.queue(writer) if not self.is_done(writer, d)), None)

    def first_writing(self, doc_id: str) -> list[dict]:
        """The items of the question writer who wrote this article (for its second reading)."""
        paths = sorted((self.work / "out").glob(f"w*/{doc_id}.jsonl"))
        return read_jsonl(paths[0]) if paths else []

    def title(self, doc_id: str) -> str:
        return self._records[doc_id].get("title", "")


def show_next(ws: Workspace, writer: str) -> None:
    doc_id = ws.current(writer)
    queue = ws.queue(writer)
    if doc_id is None:
        print(f"All {len(queue)} articles of {writer} are done.")
        return
    left = sum(not ws.is_done(writer, d) for d in queue)
    print(f"ARTICLE {doc_id} ({left} of {len(queue)} left for {writer})\nTITLE: {ws.title(doc_id)}\n"
          f"---- text (offsets count from its first character) ----\n{ws.texts[doc_id]}\n---- end ----")
    if is_second_reader(writer):
        print("QUESTIONS to answer from this article (n: question):")
        for number, item in enumerate(ws.first_writing(doc_id), start=1):
            before = "".join(f" [after: {q!r}]" for q, _ in item["history"])
            print(f"{number}: {item['question']}{before}")


def is_second_reader(writer: str) -> bool:
    return writer.startswith("r")


def find(ws: Workspace, writer: str, needle: str) -> None:
    doc_id = ws.current(writer)
    text = ws.texts[doc_id] if doc_id else ""
    starts = _occurrences(text, needle)
    if not starts:
        print(f"not found in {doc_id}: copy the words exactly from the article")
    for start in starts:
        print(f"start={start}: ...{text[max(0, start - 60):start]}[[{needle}]]{text[start + len(needle):start + len(needle) + 60]}...")


def _occurrences(text: str, needle: str) -> list[int]:
    starts, at = [], text.find(needle) if needle else -1
    while at >= 0:
        starts.append(at)
        at = text.find(needle, at + 1)
    return starts


def submit(ws: Workspace, writer: str, lines: list[str]) -> int:
    """Check every item of the writer's current article; save all of them, or none."""
    doc_id = ws.current(writer)
    if doc_id is None:
        print("nothing to submit: all articles are done")
        return 1
    if is_second_reader(writer):
        return _submit_second_reading(ws, writer, doc_id, lines)
    text, items, errors = ws.texts[doc_id], [], []
    for number, line in enumerate((l for l in lines if l.strip()), start=1):
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"item {number}: not JSON ({exc})")
            continue
        if not isinstance(item, dict):
            errors.append(f"item {number}: not an object")
            continue
        unknown = set(item) - WRITER_FIELDS
        if unknown:
            errors.append(f"item {number}: unknown fields {sorted(unknown)} (allowed: {sorted(WRITER_FIELDS)})")
            continue
        item.setdefault("history", [])
        errors += [f"item {number}: {e}" for e in _fill_starts(item.get("answers"), text)]
        record = {"id": f"{writer}-{doc_id}-{number}", "doc_id": doc_id, **item, "writer": writer}
        errors += [f"item {number}: {p}" for p in item_problems(record, text)]
        items.append(record)
    if not items and not errors:
        errors.append("no items given")
    questions = Counter(i.get("question", "").strip().lower() for i in items)
    errors += [f"question asked twice: {q!r}" for q, n in questions.items() if n > 1]
    if _refused(errors):
        return 1
    _save(ws.done_path(writer, doc_id, "jsonl"), items)
    kinds = Counter(i["kind"] for i in items)
    print(f"saved {len(items)} items for {doc_id} ({sum(i['answerable'] for i in items)} answerable; {dict(kinds)}). "
          f"Run 'next' for the next article.")
    return 0


def _fill_starts(answers: object, text: str) -> list[str]:
    """Give each answer without a start the offset of its only occurrence."""
    errors = []
    for answer in answers if isinstance(answers, list) else []:
        if isinstance(answer, dict) and "start" not in answer and isinstance(answer.get("text"), str):
            starts = _occurrences(text, answer["text"])
            if len(starts) > 1:
                errors.append(f"{answer['text']!r} occurs {len(starts)} times (at {starts}); add \"start\" to say which one")
            elif starts:
                answer["start"] = starts[0]
    return errors


def _refused(errors: list[str]) -> bool:
    if errors:
        print("NOT SAVED. Fix these and submit all items again:\n  " + "\n  ".join(errors))
    return bool(errors)


def _save(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    temporary.replace(path)


def _submit_second_reading(ws: Workspace, reader: str, doc_id: str, lines: list[str]) -> int:
    """A second reader's answers to the first writer's questions: {"n", "answerable", "answers"}."""
    first, text, rows, errors = ws.first_writing(doc_id), ws.texts[doc_id], {}, []
    for line in (l for l in lines if l.strip()):
        try:
            row = json.loads(line)
            number = row["n"]
            item = {**first[number - 1], "answerable": row["answerable"], "answers": row.get("answers", []), "writer": reader}
        except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
            errors.append(f"line {line[:60]!r}: needs n (1-{len(first)}), answerable, answers ({exc!r})")
            continue
        errors += [f"question {number}: {e}" for e in _fill_starts(item["answers"], text)]
        errors += [f"question {number}: {p}" for p in item_problems(item, text)]
        rows[number] = item
    missing = sorted(set(range(1, len(first) + 1)) - set(rows))
    if missing:
        errors.append(f"answer every question once; missing {missing}")
    if _refused(errors):
        return 1
    _save(ws.done_path(reader, doc_id, "jsonl"), [rows[n] for n in sorted(rows)])
    print(f"saved {len(rows)} answers for {doc_id}. Run 'next' for the next article.")
    return 0


def assign_second(ws: Workspace, readers: int) -> None:
    """Deal the double-written articles whose first writing is in to second readers r01.."""
    double = json.loads((ws.work / "plan.json").read_text())["double_written"]
    taken = {d for path in (ws.work / "assignments").glob("r*.txt") for d in path.read_text().split()}
    ready = [d for d in double if d not in taken and ws.first_writing(d)]
    existing = len(list((ws.work / "assignments").glob("r*.txt")))
    for offset in range(readers):
        share = ready[offset::readers]
        if share:
            (ws.work / "assignments" / f"r{existing + offset + 1:02d}.txt").write_text("\n".join(share) + "\n")
            print(f"r{existing + offset + 1:02d}: {len(share)} articles")


def skip(ws: Workspace, writer: str, reason: str) -> None:
    doc_id = ws.current(writer)
    if doc_id is None:
        print("nothing to skip")
        return
    path = ws.done_path(writer, doc_id, "skip")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(reason.strip() + "\n", encoding="utf-8")
    print(f"skipped {doc_id}: {reason}")


def status(ws: Workspace) -> None:
    total_items = 0
    for path in sorted((ws.work / "assignments").glob("*.txt")):
        writer = path.stem
        queue = ws.queue(writer)
        done = sum(ws.is_done(writer, d) for d in queue)
        items = sum(len(read_jsonl(p)) for p in (ws.work / "out" / writer).glob("*.jsonl")) \
            if (ws.work / "out" / writer).exists() else 0
        total_items += items
        print(f"{writer}: {done}/{len(queue)} articles, {items} items")
    print(f"total items: {total_items}")


# --- collect -------------------------------------------------------------------------------------

def collect(ws: Workspace, pilot: Path | None, review: Path | None, out: Path) -> None:
    """Merge the writers' items (and the checked pilot), drop what review rejected, measure the
    agreement of second readings, split by article and write the corpus files."""
    items, seconds, skipped = [], [], Counter()
    for path in sorted((ws.work / "out").glob("*/*")):
        if path.suffix == ".skip":
            skipped[path.read_text(encoding="utf-8").strip()] += 1
        elif path.suffix == ".jsonl":
            rows = read_jsonl(path)
            (seconds if is_second_reader(path.parent.name) else items).extend(rows)
    records = dict(ws._records)
    if pilot is not None:
        pilot_items, pilot_records = _pilot_items(pilot, ws)
        records.update(pilot_records)
        items += pilot_items
    kept, dropped, fixed = apply_review(items, review, article_texts(records.values()))
    doc_ids = sorted({i["doc_id"] for i in kept})
    texts = article_texts(records[d] for d in doc_ids)
    story = story_groups({d: texts[d] for d in doc_ids})
    dev_docs = {d for d in doc_ids if int(hashlib.sha256(f"{SEED}:{story[d]}".encode()).hexdigest(), 16) % 1000 < DEV_SHARE * 1000}
    out.mkdir(parents=True, exist_ok=True)
    for name, part in (("train", [i for i in kept if i["doc_id"] not in dev_docs]),
                       ("dev", [i for i in kept if i["doc_id"] in dev_docs])):
        _write_gz(out / f"{name}.jsonl.gz", part)
    _write_gz(out / "articles.jsonl.gz", [records[d] for d in doc_ids])
    _write_gz(out / "second_readings.jsonl.gz", seconds)
    first_by_id = {i["id"]: i for i in items}
    stats = {"items": len(kept), "articles": len(doc_ids), "dev_articles": len(dev_docs),
             "dropped_in_review": dict(dropped), "fixed_in_review": dict(fixed),
             "articles_skipped_by_writers": dict(skipped),
             "stories": len(set(story.values())), "articles_sharing_a_story": sum(
                 n for n in Counter(story.values()).values() if n > 1),
             "agreement": agreement([(first_by_id[s["id"]], s) for s in seconds if s["id"] in first_by_id])}
    (out / "stats.json").write_text(json.dumps(stats, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(stats, indent=1, ensure_ascii=False))


def story_groups(texts: dict[str, str], threshold: float = STORY_SIMILARITY) -> dict[str, str]:
    """Each article's story: articles whose tf-idf cosine reaches ``threshold`` (two outlets on one
    event, a follow-up report) are joined, transitively, so the split never puts one story on
    both sides. The story is named by its first article id."""
    words = {d: Counter(w for w in re.findall(r"\w{3,}", t.lower())) for d, t in texts.items()}
    df = Counter(w for counts in words.values() for w in counts)
    common = len(texts) * 0.2  # words in a fifth of the articles say nothing about the story
    vectors = {}
    for doc_id, counts in words.items():
        v = {w: (1 + math.log(n)) * math.log(len(texts) / df[w]) for w, n in counts.items() if df[w] < common}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors[doc_id] = {w: x / norm for w, x in v.items()}
    postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for doc_id, v in vectors.items():
        for w, x in v.items():
            postings[w].append((doc_id, x))
    parent = {d: d for d in texts}

    def root(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for doc_id, v in vectors.items():
        cosine: Counter = Counter()
        for w, x in v.items():
            for other, y in postings[w]:
                if other > doc_id:
                    cosine[other] += x * y
        for other, value in cosine.items():
            if value >= threshold:
                a, b = sorted((root(doc_id), root(other)))
                parent[b] = a
    return {d: root(d) for d in texts}


def agreement(pairs: list[tuple[dict, dict]]) -> dict:
    """How often two independent readings agree on answerable vs not (with Cohen's kappa), and
    the best span F1 between their answers where both answered."""
    if not pairs:
        return {}
    both = [(a["answerable"], b["answerable"]) for a, b in pairs]
    observed = sum(x == y for x, y in both) / len(both)
    p_first, p_second = sum(x for x, _ in both) / len(both), sum(y for _, y in both) / len(both)
    expected = p_first * p_second + (1 - p_first) * (1 - p_second)
    f1s = [max(span_f1(x["text"], y["text"]) for x in a["answers"] for y in b["answers"])
           for a, b in pairs if a["answerable"] and b["answerable"]]
    return {"questions": len(pairs), "articles": len({a["doc_id"] for a, _ in pairs}),
            "answerable_agreement": round(observed, 3),
            "cohen_kappa": round((observed - expected) / (1 - expected), 3) if expected < 1 else 1.0,
            "first_answerable_second_not": sum(x and not y for x, y in both),
            "second_answerable_first_not": sum(y and not x for x, y in both),
            "span_f1_where_both_answered": round(sum(f1s) / len(f1s), 3) if f1s else None,
            "span_exact_share_where_both_answered": round(sum(f == 1.0 for f in f1s) / len(f1s), 3) if f1s else None}


def _pilot_items(pilot: Path, ws: Workspace) -> tuple[list[dict], dict[str, dict]]:
    """The pilot's items with offsets moved from the raw corpus text to Warta's loaded text."""
    corpus = Path(json.loads((ws.work / "plan.json").read_text()).get("corpus", ""))
    raw = read_jsonl(pilot)
    wanted = {r["doc_id"] for r in raw}
    records = {}
    with open(corpus, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["id"] in wanted:
                records[record["id"]] = record
    texts = article_texts(records.values())
    pilot_kinds = dict(line.split("\t") for line in (BUILD / "pilot_kinds.tsv").read_text(encoding="utf-8").split("\n") if line)
    items = []
    for item in raw:
        text = texts[item["doc_id"]]
        for answer in item["answers"]:
            starts = _occurrences(text, answer["text"])
            # The raw offset counts characters the loader may remove; take the nearest occurrence.
            answer["start"] = min(starts, key=lambda s: abs(s - answer["start"])) if starts else -1
        item.setdefault("history", [])
        if item["kind"] == "unanswerable":  # the pilot named no kind for these; relabelled from the question alone
            item["kind"] = pilot_kinds[item["id"]]
        items.append(item)
    return items, records


def apply_review(items: list[dict], review: Path | None, texts: dict[str, str]) -> tuple[list[dict], Counter, Counter]:
    """The items after the curator's verdicts (``build/review.jsonl``): ``drop`` an item (by
    ``id``) or a whole article (by ``doc_id``), or ``fix`` an item's ``answerable``/``answers``
    (offsets filled like a writer's). Returns (kept items, drops by reason, fixes by reason)."""
    rows = read_jsonl(review) if review is not None and review.exists() else []
    by_item = {r["id"]: r for r in rows if "id" in r}
    by_doc = {r["doc_id"]: r for r in rows if "doc_id" in r and "id" not in r}
    kept, dropped, fixed = [], Counter(), Counter()
    for item in items:
        verdict = by_item.get(item["id"]) or by_doc.get(item["doc_id"])
        if verdict is None:
            kept.append(item)
        elif verdict["verdict"] == "drop":
            dropped[verdict["reason"]] += 1
        else:
            item = {**item, "answerable": verdict["answerable"], "answers": [dict(a) for a in verdict["answers"]]}
            problems = _fill_starts(item["answers"], texts[item["doc_id"]]) + item_problems(item, texts[item["doc_id"]])
            if problems:
                raise SystemExit(f"review fix for {item['id']} is invalid: {problems}")
            kept.append(item)
            fixed[verdict["reason"]] += 1
    return kept, dropped, fixed


def _write_gz(path: Path, rows: list[dict]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=WORK)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("plan")
    p.add_argument("corpus", type=Path)
    p.add_argument("--articles", type=int, default=1000)
    p.add_argument("--writers", type=int, default=30)
    p.add_argument("--double", type=float, default=0.05)
    for name in ("next", "find", "submit", "skip"):
        c = commands.add_parser(name)
        c.add_argument("--writer", required=True)
        if name == "find":
            c.add_argument("text")
        if name == "submit":
            c.add_argument("file")
        if name == "skip":
            c.add_argument("--reason", required=True)
    commands.add_parser("status")
    c = commands.add_parser("assign-second")
    c.add_argument("--readers", type=int, default=2)
    c = commands.add_parser("collect")
    c.add_argument("--pilot", type=Path)
    c.add_argument("--review", type=Path, default=BUILD / "review.jsonl")
    c.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    if args.command == "plan":
        plan(args.corpus, args.articles, args.writers, args.double, args.work)
        return 0
    ws = Workspace(args.work)
    if args.command == "next":
        show_next(ws, args.writer)
    elif args.command == "find":
        find(ws, args.writer, args.text)
    elif args.command == "submit":
        lines = (sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")).split("\n")
        return submit(ws, args.writer, lines)
    elif args.command == "skip":
        skip(ws, args.writer, args.reason)
    elif args.command == "status":
        status(ws)
    elif args.command == "assign-second":
        assign_second(ws, args.readers)
    else:
        collect(ws, args.pilot, args.review, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
