"""``warta doctor``: check that the catalog, the lexical index and Chroma agree, and repair them.

The catalog (SQLite) is the source of truth for which chunks exist: Chroma vectors without a
catalog chunk are removed, catalog chunks without a vector are re-embedded, lexical rows are
re-derived from the chunk texts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from assistant import lexical
from assistant.records import Article, Chunk
from assistant.store import Index

PAGE = 5000


@dataclass
class DoctorReport:
    lines: list[str] = field(default_factory=list)
    problems: int = 0
    repaired: int = 0

    @property
    def healthy(self) -> bool:
        return self.problems == self.repaired

    def problem(self, message: str) -> None:
        self.problems += 1
        self.lines.append(f"problem: {message}")


def chroma_ids(index: Index) -> set[str]:
    collection = index.collection
    ids: set[str] = set()
    offset = 0
    while True:
        page = collection.get(include=[], limit=PAGE, offset=offset)["ids"]
        ids.update(page)
        if len(page) < PAGE:
            return ids
        offset += PAGE


def check_reader(settings, report: DoctorReport) -> None:
    """The trained reader's weights: present, readable, the files the config names."""
    if settings.reader == "fake":
        report.lines.append("reader: fake (word overlap, for tests)")
        return
    from assistant.reader.model import WEIGHTS_DIR, ReaderWeightsError, describe_weights

    try:
        report.lines.append(describe_weights(settings.reader_weights or WEIGHTS_DIR))
    except ReaderWeightsError as exc:
        report.problem(f"{exc} (doctor cannot repair this)")


def check_and_repair(service, repair: bool = True) -> DoctorReport:
    report = DoctorReport()
    check_reader(service.settings, report)
    index = service.index()
    conn = index.conn
    pending = [r[0] for r in conn.execute("SELECT doc_id FROM articles WHERE status != 'complete'")]
    if pending:
        report.problem(f"{len(pending)} article(s) left half-written by an interrupted ingestion")
        if repair:
            index.recover()
            report.repaired += 1
            report.lines.append(f"repaired: removed {len(pending)} half-written article(s); ingest them again")

    catalog = {r[0] for r in conn.execute("SELECT chunk_id FROM chunks")}
    vectors = chroma_ids(index)
    orphans = sorted(vectors - catalog)
    missing = sorted(catalog - vectors)
    if orphans:
        report.problem(f"{len(orphans)} vector(s) in Chroma belong to no catalog chunk")
        if repair:
            for start in range(0, len(orphans), PAGE):
                index.collection.delete(ids=orphans[start : start + PAGE])
            report.repaired += 1
            report.lines.append(f"repaired: deleted {len(orphans)} orphan vector(s)")
    if missing:
        report.problem(f"{len(missing)} catalog chunk(s) have no vector in Chroma")
        if repair:
            _reembed(service, index, missing)
            report.repaired += 1
            report.lines.append(f"repaired: re-embedded {len(missing)} chunk(s)")

    linked = conn.execute("SELECT count(*) FROM chunks c JOIN lexical l ON l.rowid = c.rowid "
                          "AND l.chunk_id = c.chunk_id").fetchone()[0]
    if linked != len(catalog) or lexical.count(conn) != len(catalog):
        report.problem(f"lexical index has {lexical.count(conn)} rows for {len(catalog)} chunks")
        if repair:
            index.rebuild_lexical()
            report.repaired += 1
            report.lines.append("repaired: rebuilt the lexical index from the catalog")

    stats = index.stats()
    report.lines.append(
        f"index: {stats['articles']} articles, {stats['catalog_chunks']} catalog chunks, "
        f"{stats['chunks']} vectors, {stats['lexical_chunks']} lexical rows"
    )
    report.lines.append("healthy" if report.healthy else "problems remain (run without --check-only to repair)")
    return report


def _chunks(index: Index, chunk_ids: list[str]) -> tuple[list[Chunk], dict[str, Article]]:
    chunks, articles = [], {}
    for start in range(0, len(chunk_ids), 500):
        part = chunk_ids[start : start + 500]
        rows = index.conn.execute(
            f"SELECT chunk_id, doc_id, idx, start, end, text, sentences FROM chunks "
            f"WHERE chunk_id IN ({','.join('?' * len(part))})", part)
        for cid, doc_id, idx, s, e, text, sentences in rows:
            chunks.append(Chunk(cid, doc_id, idx, s, e, text, tuple(tuple(x) for x in json.loads(sentences))))
            if doc_id not in articles:
                articles[doc_id] = index.article(doc_id, complete_only=False)
    return chunks, articles


def _reembed(service, index: Index, chunk_ids: list[str]) -> None:
    chunks, articles = _chunks(index, chunk_ids)
    vectors = service.embedder.embed_documents([c.text for c in chunks])
    index.write_vectors(chunks, articles, vectors)

