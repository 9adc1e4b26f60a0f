"""The one pipeline object that ``ask()``, the CLI, the Gradio app and the evaluator all call."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from assistant.answer.contract import Answer
from assistant.ingest.loaders import LoadWarning, iter_articles
from assistant.ingest.chunking import chunk_article
from assistant.errors import IndexMissing, InvalidQuestion
from assistant.records import Article, ArticleError, Chunk, Filters, Hit
from assistant.retrieval.hybrid import hybrid_search
from assistant.settings import Settings
from assistant.index.embedding_cache import EmbeddingCache
from assistant.index.store import CATALOG_FILE, Index

log = logging.getLogger("warta")

EMBED_BATCH_CHUNKS = 256


@dataclass
class IngestReport:
    articles_added: int = 0
    articles_replaced: int = 0
    articles_unchanged: int = 0
    duplicates: int = 0
    chunks_added: int = 0
    recovered: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        parts = [f"{self.articles_added} added", f"{self.articles_replaced} replaced",
                 f"{self.articles_unchanged} unchanged", f"{self.duplicates} duplicates",
                 f"{self.chunks_added} chunks added", f"{len(self.errors)} errors"]
        if self.recovered:
            parts.append(f"{self.recovered} interrupted articles cleaned up")
        return ", ".join(parts) + f" in {self.seconds:.1f}s"


class Warta:
    """Ingest articles, retrieve passages, answer questions — one object, one index."""

    def __init__(self, settings: Settings | None = None, *, embedder=None, chat_model=None, reader=None):
        self.settings = settings or Settings.from_env()
        if embedder is None:
            from assistant.index.embeddings import load_embedder

            embedder = load_embedder(self.settings)
        self.embedder = embedder
        self.embeddings = EmbeddingCache(embedder)
        self.chat_model = chat_model
        self._reader = reader
        self._reader_lock = threading.Lock()
        self._index: Index | None = None
        self._index_lock = threading.Lock()
        self._chain = None
        self._chain_lock = threading.Lock()

    @property
    def reader(self):
        """The answer reader, loaded at the first question (ingestion and search never need it)."""
        with self._reader_lock:
            if self._reader is None:
                from assistant.answer.reader import load_reader

                self._reader = load_reader(self.settings.reader, self.settings.cache_dir, self.settings.reader_weights)
            return self._reader

    # ---- index -------------------------------------------------------------------------------
    def index_exists(self) -> bool:
        return bool(self.settings.chroma_url) or (Path(self.settings.index_dir) / CATALOG_FILE).exists()

    def index(self, create: bool = False) -> Index:
        with self._index_lock:
            if self._index is None:
                self._index = Index(self.settings, self.embedder, create=create or bool(self.settings.chroma_url))
            return self._index

    def _require_index(self) -> None:
        """Raise the right error when there is no catalog: IndexMismatch for a folder that holds
        something else (it is not a Warta index), else IndexMissing."""
        if self.index_exists():
            return
        Index.check_folder(Path(self.settings.index_dir))
        raise IndexMissing(f"no index at {self.settings.index_dir} yet: run `warta ingest data/articles` first")

    def ensure_index(self) -> IngestReport | None:
        """Build the index from the bundled articles when there is none yet."""
        if self.index_exists():
            return None
        return self.ingest([self.settings.data_dir], progress=True)

    # ---- ingestion ---------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], progress: bool = False) -> IngestReport:
        paths = [Path(p) for p in paths]
        report = IngestReport()
        items = self._load(paths, report)
        return self.ingest_articles(items, progress=progress, report=report, total=_count_records(paths))

    def _load(self, paths: list[Path], report: IngestReport) -> Iterator[Article]:
        for item in iter_articles(paths):
            if isinstance(item, ArticleError):
                report.errors.append(str(item))
            elif isinstance(item, LoadWarning):
                report.warnings.append(str(item))
            else:
                yield item

    def ingest_articles(self, articles: Iterable[Article], progress: bool = False,
                        report: IngestReport | None = None, total: int | None = None,
                        replace_existing: bool = True) -> IngestReport:
        """Content-hash keyed: unchanged articles are skipped, changed ones replace their chunks
        (only when ``replace_existing``: else that is an error), the same text under another id
        is a duplicate. Streams in batches (bounded memory)."""
        report = report or IngestReport()
        started = time.perf_counter()
        index = self.index(create=True)
        with _writer_lock(index.dir), _progress(progress, total) as bar:
            report.recovered = len(index.recover())
            batch: list[Article] = []
            batch_chunks = 0
            seen_texts: dict[str, str] = {}  # body hash → doc id, across batches of this load
            for article in articles:
                batch.append(article)
                batch_chunks += max(1, len(article.text) // max(1, self.settings.chunk_max_chars // 2))
                if batch_chunks >= EMBED_BATCH_CHUNKS:
                    self._ingest_batch(index, batch, report, bar, seen_texts, replace_existing)
                    batch, batch_chunks = [], 0
            if batch:
                self._ingest_batch(index, batch, report, bar, seen_texts, replace_existing)
        report.seconds = time.perf_counter() - started
        return report

    def _ingest_batch(self, index: Index, batch: list[Article], report: IngestReport, bar,
                      seen_texts: dict[str, str], replace_existing: bool) -> None:
        """``seen_texts``: body hash → doc id over the whole load, so the same text under two file
        names (which differ only in their derived titles) is caught as a duplicate."""
        states = index.article_states([a.doc_id for a in batch])
        fresh: dict[str, Article] = {}
        replaced: list[str] = []
        for article in batch:
            state = states.get(article.doc_id)
            digest = article.content_hash
            text_key = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
            repeat = article.doc_id in fresh
            if repeat:
                report.warnings.append(f"{article.origin}: id {article.doc_id!r} appears twice in one load; "
                                       "the later record wins")
            if state and state.content_hash == digest and state.status == "complete":
                report.articles_unchanged += 1
                seen_texts.setdefault(text_key, article.doc_id)
                continue
            if state and not replace_existing:
                report.errors.append(f"{article.origin}: an article with id {article.doc_id!r} already exists; "
                                     "it was not replaced")
                continue
            other = seen_texts.get(text_key) or index.doc_with_hash(digest)
            if other and other != article.doc_id:
                report.duplicates += 1
                report.warnings.append(f"{article.origin}: same content as article {other!r}; skipped")
                continue
            if not repeat:  # a repeated id replaces its earlier record; it is still one article
                if state:
                    replaced.append(article.doc_id)
                    report.articles_replaced += 1
                else:
                    report.articles_added += 1
            fresh[article.doc_id] = article
            seen_texts[text_key] = article.doc_id
        if fresh:
            chunks: list[Chunk] = []
            for article in fresh.values():
                chunks.extend(chunk_article(article, self.settings.chunk_max_chars,
                                            self.settings.chunk_overlap_sentences))
            index.begin_articles(list(fresh.values()), replaced)
            t0 = time.perf_counter()
            vectors = self.embedder.embed_documents([c.text for c in chunks]) if chunks else []
            report.embed_seconds += time.perf_counter() - t0
            index.write_vectors(chunks, fresh, vectors)
            index.complete_articles(chunks, fresh)
            report.chunks_added += len(chunks)
        if bar is not None:
            bar.update(len(batch))
            bar.set_postfix(chunks=report.chunks_added, refresh=False)

    def writing(self):
        """The index's one-writer lock (across processes), for changes made outside ``ingest``."""
        return _writer_lock(self.index(create=True).dir)

    # ---- questions ---------------------------------------------------------------------------
    def retrieve(self, query: str, k: int = 10, filters: Filters | None = None,
                 query_vector: list[float] | None = None) -> list[Hit]:
        query = (query or "").strip()
        if not query:
            raise InvalidQuestion("the query is empty")
        self._require_index()
        _check_filters(filters)
        if query_vector is None:
            query_vector = self.embeddings.embed_query(query)
        index = self.index()
        index.sync()
        return hybrid_search(index, query, query_vector, k, filters)

    def ask(self, question: str, history: list[tuple[str, str]] | None = None, top_k: int | None = None,
            backend: str | None = None, filters: Filters | None = None) -> Answer:
        self._require_index()
        return self._answer_chain().invoke(self._inputs(question, history, top_k, backend, filters))

    def ask_stream(self, question: str, history: list[tuple[str, str]] | None = None, top_k: int | None = None,
                   backend: str | None = None, filters: Filters | None = None) -> Iterator[str | Answer]:
        """With an LLM backend, the model's text as it is written (str pieces); always last, the
        verified ``Answer`` (the only item for the extractive backend)."""
        self._require_index()
        yield from self._answer_chain().stream(self._inputs(question, history, top_k, backend, filters))

    def prepare(self, question: str, history: list[tuple[str, str]] | None = None, top_k: int | None = None,
                filters: Filters | None = None) -> dict:
        """What the extractive answer starts from, without answering: the state of the pipeline's
        first half ("standalone" question, retrieved "hits", the "passages" read (hits widened
        with their article's text), the reader's "spans" over them, "timings").
        The calibration and the benchmarks re-compose answers from it without reading again."""
        self._require_index()
        return self._answer_chain().prepare.invoke(self._inputs(question, history, top_k, "extractive", filters))

    def newest_date(self) -> str | None:
        return self.index().newest_date() if self.index_exists() else None

    def as_retriever(self, k: int | None = None, filters: Filters | None = None):
        """This index's hybrid retrieval as a LangChain ``BaseRetriever`` (Documents with Warta's metadata)."""
        from assistant.retrieval.retriever import WartaRetriever

        return WartaRetriever(service=self, k=k or self.settings.top_k, filters=filters)

    def _inputs(self, question, history, top_k, backend, filters) -> dict:
        return {"question": question, "history": list(history or []), "top_k": top_k or self.settings.top_k,
                "filters": filters, "backend": backend or self.settings.backend}

    def warm_up(self) -> None:
        """Load what the first question would otherwise wait for (UI start): the embedder, the
        reader (its first use also builds its ONNX export, once per adapter), the stemmer."""
        from assistant.ingest.text import content_terms

        self._answer_chain()
        self.embeddings.query("warm up")
        self.reader.read("warm up", ["Pemanasan model pembaca."])
        content_terms("Rapat itu dihadiri para pejabat pada Selasa.")
        if self.index_exists():
            self.index()

    def _answer_chain(self):
        with self._chain_lock:  # concurrent first questions build one chain
            if self._chain is None:
                from assistant.answer.chain import build_answer_chain

                self._chain = build_answer_chain(self.as_retriever(), self.reader, self.settings,
                                                 embeddings=self.embeddings, chat_model=self.chat_model,
                                                 article_text=self._article_text)
            return self._chain

    # ---- reading -----------------------------------------------------------------------------
    def stats(self) -> dict:
        if not self.index_exists():
            return {"articles": 0, "chunks": 0, "lexical_chunks": 0, "embedding_model": _model_id(self.embedder),
                    "index_dir": str(self.settings.index_dir), "sources": [], "date_min": None,
                    "date_max": None, "missing": True}
        index = self.index()
        index.sync(force=True)
        return index.stats()

    def articles_present(self, doc_ids: list[str]) -> set[str]:
        """Which of these ids name a complete article of the index."""
        if not self.index_exists():
            return set()
        return {d for d, state in self.index().article_states(doc_ids).items() if state.status == "complete"}

    def article(self, doc_id: str) -> Article | None:
        return self.index().article(doc_id) if self.index_exists() else None

    def _article_text(self, doc_id: str) -> str | None:
        article = self.article(doc_id)
        return article.text if article is not None else None

    def iter_articles(self) -> Iterator[Article]:
        if self.index_exists():
            yield from self.index().iter_articles()

    def close(self) -> None:
        if self._index is not None:
            self._index.close()


_services: dict[tuple, Warta] = {}
_services_lock = threading.Lock()


def get_service(settings: Settings | None = None) -> Warta:
    """One shared service per settings in this process (models load once, never per request)."""
    settings = settings or Settings.from_env()
    key = tuple(sorted(settings.public_dict().items()))
    with _services_lock:
        service = _services.get(key)
        if service is None:
            service = _services[key] = Warta(settings)
        return service


def _model_id(embedder) -> str:
    return getattr(embedder, "model_id", type(embedder).__name__)


def _check_filters(filters: Filters | None) -> None:
    from assistant.index.catalog import date_int

    if filters is None:
        return
    for name in ("date_from", "date_to"):
        value = getattr(filters, name)
        if value and date_int(value) is None:
            raise InvalidQuestion(f"{name} must be a date like 2024-07-30, not {value!r}")


def _count_records(paths: list[Path]) -> int | None:
    """Articles to expect, for the progress bar's ETA (jsonl: lines; other files: one each)."""
    total = 0
    for path in paths:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for f in files:
            if f.suffix.lower() == ".jsonl":
                with f.open("rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            else:
                total += 1
    return total or None


@contextmanager
def _writer_lock(index_dir: Path):
    """One writer per index across processes; readers are never blocked by it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".write.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _progress(enabled: bool, total: int | None):
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, unit="article", desc="ingest", mininterval=1.0)
    try:
        yield bar
    finally:
        bar.close()
