"""Articles added by visitors of the chat: stored under a safe name, checked whole before
anything is written, in their own id namespace, never replacing an article; listed and removed
by an operator (``warta uploads``)."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import unicodedata
from pathlib import Path

from assistant.errors import UploadRejected, WartaError
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, LoadWarning, iter_articles
from assistant.records import Article, ArticleError

MAX_UPLOAD_NAME_CHARS = 120
UPLOAD_NAMESPACE = "upload:"
"""Prefix of every uploaded article's id: an upload can never name (and so never replace) an
article that was not uploaded."""


def safe_upload_name(name: str) -> str:
    """A file name that is safe to create in the uploads folder: the basename only (either slash),
    no control characters, no leading dots (hidden files), only letters, digits, ``._-``."""
    basename = re.split(r"[\\/]", name.replace("\x00", ""))[-1]
    basename = unicodedata.normalize("NFKC", basename)
    cleaned = re.sub(r"[^\w.\-]+", "_", basename, flags=re.ASCII).strip("._-")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    stem, suffix = os.path.splitext(cleaned)
    stem = stem.strip("._-")[: MAX_UPLOAD_NAME_CHARS - len(suffix)] or "article"
    return stem + suffix.lower()


def upload_rejection(name: str, size_bytes: int, max_upload_mb: float) -> str | None:
    """Why a file cannot be added, or None when it is acceptable."""
    shown = os.path.basename(name.replace("\\", "/")) or name
    suffix = Path(shown).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return f"{shown}: not a supported format; use one of {', '.join(SUPPORTED_SUFFIXES)}."
    if size_bytes > max_upload_mb * 1024 * 1024:
        return f"{shown}: {size_bytes / 1024 / 1024:.1f} MB is over the {max_upload_mb:g} MB limit."
    if size_bytes == 0:
        return f"{shown}: the file is empty."
    return None


def store_upload(source: Path, original_name: str, uploads_dir: Path) -> Path:
    """Copy an uploaded file into ``uploads_dir`` under a safe, unused name (suffix on collision)."""
    uploads_dir.mkdir(parents=True, exist_ok=True)
    safe = safe_upload_name(original_name)
    stem, suffix = os.path.splitext(safe)
    for attempt in range(1, 10_000):
        target = uploads_dir / (safe if attempt == 1 else f"{stem}-{attempt}{suffix}")
        try:
            with open(target, "xb") as out, open(source, "rb") as src:  # "x": never overwrite
                shutil.copyfileobj(src, out)
            return target
        except FileExistsError:
            continue
    raise WartaError(f"too many uploads named {safe}")


class Uploads:
    """A visitor's files through one service."""

    def __init__(self, service):
        self.service = service

    def add(self, path: Path):
        """A visitor's file, checked whole before anything is written: every record loads, the
        upload is within the record and size limits, and no record claims the id of an article
        already in the index. Ids get the upload namespace and an upload never replaces anything,
        so a visitor cannot rewrite an article. Raises ``UploadRejected`` (nothing written)."""
        loaded = [item for item in iter_articles([path]) if not isinstance(item, LoadWarning)]
        errors = [str(item) for item in loaded if isinstance(item, ArticleError)]
        articles = [item for item in loaded if isinstance(item, Article)]
        name = Path(path).name
        limit = self.service.settings.max_upload_records
        if errors:
            raise UploadRejected(f"{name}: {len(errors)} unreadable record(s), nothing added: {errors[0]}")
        if not articles:
            raise UploadRejected(f"{name}: no article in the file")
        if len(articles) > limit:
            raise UploadRejected(f"{name}: {len(articles)} articles; one upload may hold at most {limit}")
        if too_long := [a for a in articles if len(a.text) > self.service.settings.max_article_chars]:
            raise UploadRejected(f"{name}: article {too_long[0].doc_id!r} has {len(too_long[0].text):,} characters; "
                                 f"the limit is {self.service.settings.max_article_chars:,}")
        namespaced = [dataclasses.replace(a, doc_id=UPLOAD_NAMESPACE + a.doc_id) for a in articles]
        if self.service.index_exists():
            index = self.service.index()
            existing = index.article_states([a.doc_id for a in articles])
            uploaded = index.article_states([a.doc_id for a in namespaced])
            taken = sorted(existing) + [a.doc_id for a in namespaced
                                        if a.doc_id in uploaded and uploaded[a.doc_id].content_hash != a.content_hash]
            if taken:
                raise UploadRejected(f"{name}: an article with id {taken[0]!r} is already in the index; uploads "
                                     "cannot replace articles (an operator can, with `warta ingest`)")
        return self.service.ingest_articles(namespaced, replace_existing=False)

    def list(self) -> list[dict]:
        """Uploaded articles (id, title, date, origin file, chunks), oldest first."""
        return self.service.index().articles_with_prefix(UPLOAD_NAMESPACE) if self.service.index_exists() else []

    def remove(self, doc_ids: list[str]) -> list[str]:
        """Remove uploaded articles (only those: an id outside the upload namespace is refused)
        from Chroma, the catalog and the lexical index together, and delete each stored file once
        no article of it is left. Returns the removed ids."""
        if outside := [d for d in doc_ids if not d.startswith(UPLOAD_NAMESPACE)]:
            raise WartaError(f"{outside[0]!r} is not an upload; only uploads can be removed this way")
        known = {u["doc_id"]: u for u in self.list()}
        if missing := [d for d in doc_ids if d not in known]:
            raise WartaError(f"no upload with id {missing[0]!r}")
        index = self.service.index()
        with self.service.writing():
            index.remove_articles(doc_ids)
        still_used = {_origin_file(u["origin"]) for u in self.list()}
        for origin in {_origin_file(known[d]["origin"]) for d in doc_ids} - still_used:
            stored = Path(origin)
            if stored.parent.resolve() == self.service.settings.uploads_dir.resolve() and stored.is_file():
                stored.unlink()
        return doc_ids


def _origin_file(origin: str | None) -> str:
    """The file an article was loaded from (its origin without the ``:line`` of a record)."""
    origin = origin or ""
    head, _, line = origin.rpartition(":")
    return head if head and line.isdigit() else origin
