"""Load news articles from files (their text normalized by ``normalize``, so every later offset
is stable).

Formats: ``.txt``/``.md`` (optional YAML front matter), ``.json`` (a record, a list, or
``{"articles": [...]}``), ``.jsonl`` and ``.csv`` (one record per line/row, streamed), and
``.html``/``.htm`` (main text only).

``iter_articles`` yields, in order, an ``Article`` for every good record, an ``ArticleError`` for
every file or record that cannot become one, and a ``LoadWarning`` for problems that do not stop
a record (undecodable bytes were replaced, front matter was unreadable). A broken record never
stops the others. Folders are walked recursively in sorted order; inside a folder, hidden files
and files of other types are skipped silently, while a file named explicitly with another type
is an error.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml
from assistant.ingest.html import load_html
from assistant.ingest.normalize import (
    normalize_inline,
    normalize_text,
    parse_date,
    repair_mojibake,
    slug,
    split_comma_joined_paragraphs,
    title_from_name,
    without_title_line,
)
from assistant.records import Article, ArticleError

SUPPORTED_SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".csv", ".html", ".htm")
MAX_TITLE_LINE_CHARS = 200
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class LoadWarning:
    """A problem worth telling the user that still let the record load."""

    origin: str
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


@dataclass
class LoadReport:
    """Everything one load produced; ``warnings`` are the ``LoadWarning`` messages as text."""

    articles: list[Article] = field(default_factory=list)
    errors: list[ArticleError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


Item = Article | ArticleError | LoadWarning

# --- public API --------------------------------------------------------------------------------


FOLDER_DOCUMENT_STEMS = frozenset({"readme", "license", "licence", "attribution", "notice", "sources", "examples"})
"""Files in a folder of articles that describe the folder (its licence, its sources, the chat's
example questions about it): skipped when the folder is scanned, loaded when named on their own."""


def iter_articles(paths: Iterable[str | Path]) -> Iterator[Item]:
    """Stream articles, errors and warnings from files and folders, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(path).parts
                if file.is_file() and file.suffix.lower() in SUPPORTED_SUFFIXES and not any(
                    part.startswith(".") for part in relative
                ) and file.stem.lower() not in FOLDER_DOCUMENT_STEMS:
                    yield from _load_file(file)
        elif path.is_file():
            yield from _load_file(path)
        elif path.exists():
            yield ArticleError(str(path), "not a regular file")
        else:
            yield ArticleError(str(path), "no such file or folder")


def load_articles(paths: Iterable[str | Path]) -> LoadReport:
    """All of ``iter_articles`` collected: for small sets and for tests."""
    report = LoadReport()
    for item in iter_articles(paths):
        if isinstance(item, Article):
            report.articles.append(item)
        elif isinstance(item, ArticleError):
            report.errors.append(item)
        else:
            report.warnings.append(str(item))
    return report


# --- files -------------------------------------------------------------------------------------


def _load_file(path: Path) -> Iterator[Item]:
    origin = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        yield ArticleError(origin, f"unsupported file type {suffix or '(none)'!r}; supported: {supported}")
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
        if problem := _content_problem(head):
            yield ArticleError(origin, problem)
            return
        if suffix == ".jsonl":
            yield from _load_jsonl(path)
        elif suffix == ".csv":
            yield from _load_csv(path)
        else:
            text, warning = _decode(path.read_bytes(), origin)
            if warning:
                yield warning
            yield from _WHOLE_FILE_LOADERS[suffix](path, text)
    except OSError as exc:
        yield ArticleError(origin, f"cannot read: {exc.strerror or exc}")


def _content_problem(head: bytes) -> str | None:
    """Why the file's first bytes cannot be an article (empty, binary), or None."""
    if not head.strip() and len(head) < _SNIFF_BYTES:
        return "empty file"
    if b"\x00" in head:
        return "binary file (NUL bytes)"
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\x0c")
    if controls > len(head) * 0.1:
        return "binary file (mostly control characters)"
    return None


def _decode(data: bytes, origin: str) -> tuple[str, LoadWarning | None]:
    try:
        text = data.decode("utf-8")
        warning = None
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        warning = LoadWarning(origin, "invalid UTF-8; undecodable bytes were replaced with U+FFFD")
    return text.removeprefix("\ufeff"), warning


def _decoded_lines(path: Path, bad_lines: list[int]) -> Iterator[str]:
    """The file's lines, read one at a time; numbers of lines with undecodable bytes are noted."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                line = raw.decode("utf-8", errors="replace")
                bad_lines.append(number)
            yield line.removeprefix("\ufeff") if number == 1 else line


def _bad_lines_warning(origin: str, bad_lines: list[int]) -> Iterator[LoadWarning]:
    if bad_lines:
        shown = ", ".join(map(str, bad_lines[:5])) + (" ..." if len(bad_lines) > 5 else "")
        message = f"invalid UTF-8 on {len(bad_lines)} line(s) ({shown}); bytes were replaced with U+FFFD"
        yield LoadWarning(origin, message)


def _load_jsonl(path: Path) -> Iterator[Item]:
    origin = str(path)
    bad_lines: list[int] = []
    for number, line in enumerate(_decoded_lines(path, bad_lines), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ArticleError(origin, f"malformed JSON: {exc.msg}", line=number)
            continue
        except RecursionError:
            yield ArticleError(origin, "malformed JSON: nested too deeply", line=number)
            continue
        yield article_from_record(record, origin, number, fallback_id=f"{slug(path.stem)}-{number}")
    yield from _bad_lines_warning(origin, bad_lines)


def _load_csv(path: Path) -> Iterator[Item]:
    origin = str(path)
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
    bad_lines: list[int] = []
    reader = csv.reader(line.replace("\x00", "") for line in _decoded_lines(path, bad_lines))
    try:
        header = [normalize_inline(name).lower() for name in next(reader)]
    except (StopIteration, csv.Error) as exc:
        yield ArticleError(origin, f"unreadable CSV header: {exc}")
        return
    if not {"content", "text"} & set(header):
        yield ArticleError(origin, "CSV has no 'content' or 'text' column")
        return
    row_start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield ArticleError(origin, f"malformed CSV row: {exc}", line=row_start)
            row_start = reader.line_num + 1
            continue
        if any(cell.strip() for cell in row):
            record = dict(zip(header, row))
            yield article_from_record(record, origin, row_start, fallback_id=f"{slug(path.stem)}-{row_start}")
        row_start = reader.line_num + 1
    yield from _bad_lines_warning(origin, bad_lines)


def _load_json(path: Path, text: str) -> Iterator[Item]:
    origin = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield ArticleError(origin, f"malformed JSON: {exc.msg}", line=exc.lineno)
        return
    except RecursionError:
        yield ArticleError(origin, "malformed JSON: nested too deeply")
        return
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        yield article_from_record(data, origin, None, fallback_id=slug(path.stem))
    elif isinstance(data, list):
        for number, record in enumerate(data, start=1):
            fallback_id = f"{slug(path.stem)}-{number}"
            yield article_from_record(record, f"{origin}#{number}", None, fallback_id=fallback_id)
    else:
        yield ArticleError(origin, "JSON must be a record, a list of records or {\"articles\": [...]}")


def article_from_record(record: Any, origin: str, line: int | None, fallback_id: str) -> Article | ArticleError:
    """One article from a json/jsonl/csv record; only a missing or empty body is an error."""
    if not isinstance(record, dict):
        return ArticleError(origin, "record is not an object", line=line)
    body = record.get("content")
    if body is None or body == "":
        body = record.get("text")
    if body is None:
        missing = "content" not in record and "text" not in record
        reason = "record has no 'content' or 'text'" if missing else "record has empty content"
        return ArticleError(origin, reason, line=line)
    if not isinstance(body, str):
        return ArticleError(origin, "record content is not text", line=line)
    text = record_text(body)
    if not text:
        return ArticleError(origin, "record has empty content", line=line)
    doc_id = _text_field(record.get("id")) or fallback_id
    return Article(
        doc_id=doc_id,
        title=_text_field(record.get("title")) or title_from_name(doc_id),
        text=text,
        date=parse_date(record.get("date")),
        source=_text_field(record.get("source")) or None,
        url=_text_field(record.get("url")) or None,
        origin=f"{origin}:{line}" if line is not None else origin,
    )


def record_text(body: str) -> str:
    """A record's body as Warta keeps it (every offset into an article counts in this text):
    mojibake repaired, comma-joined paragraphs split, whitespace normalized."""
    return normalize_text(split_comma_joined_paragraphs(repair_mojibake(body)))


def _text_field(value: Any) -> str:
    """A metadata value as one clean line; numbers (ids) become strings, other kinds ''."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    return normalize_inline(repair_mojibake(str(value)))


# --- text and markdown -------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+(.*?)[ \t#]*$", re.MULTILINE)
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_FENCE = re.compile(r"^[ \t]*(```|~~~).*$", re.MULTILINE)
_MD_QUOTE = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _load_text(path: Path, text: str) -> Iterator[Item]:
    origin = str(path)
    meta: dict[str, Any] = {}
    if path.suffix.lower() == ".md":
        meta, text, warning = _split_front_matter(text, origin)
        if warning:
            yield warning
        text = _markdown_to_text(text)
    body = normalize_text(repair_mojibake(text))
    title = _text_field(meta.get("title"))
    if title:
        body = without_title_line(body, title)
    else:
        title, body = _title_from_body(body, path)
    if not body:
        yield ArticleError(origin, "no text")
        return
    doc_id = _text_field(meta.get("id")) or slug(path.stem)
    yield Article(
        doc_id=doc_id,
        title=title,
        text=body,
        date=parse_date(meta.get("date")),
        source=_text_field(meta.get("source")) or None,
        url=_text_field(meta.get("url")) or None,
        origin=origin,
    )


def _split_front_matter(text: str, origin: str) -> tuple[dict[str, Any], str, LoadWarning | None]:
    normalized = text.replace("\r\n", "\n")
    match = _FRONT_MATTER.match(normalized)
    if not match:
        return {}, text, None
    body = normalized[match.end() :]
    try:
        meta = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as exc:
        return {}, body, LoadWarning(origin, f"front matter ignored, not valid YAML: {str(exc).splitlines()[0]}")
    if not isinstance(meta, dict):
        return {}, body, LoadWarning(origin, "front matter ignored, not a mapping")
    return {str(key).lower(): value for key, value in meta.items()}, body, None


def _markdown_to_text(text: str) -> str:
    """Markdown markup that would otherwise be quoted in citations: headings, links, emphasis."""
    text = _HTML_COMMENT.sub("", text)
    text = _MD_FENCE.sub("", text)
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_STRONG.sub(r"\2", text)
    text = _MD_QUOTE.sub("", text)
    return _MD_HEADING.sub(r"\1", text)


def _title_from_body(body: str, path: Path) -> tuple[str, str]:
    """A short first line of a multi-paragraph text is its title; else the file name is."""
    first, _, rest = body.partition("\n")
    rest = rest.strip("\n")
    if rest and len(first) < MAX_TITLE_LINE_CHARS and not first.endswith("."):
        return first, rest
    return title_from_name(path.stem), body


_WHOLE_FILE_LOADERS = {
    ".txt": _load_text,
    ".md": _load_text,
    ".json": _load_json,
    ".html": load_html,
    ".htm": load_html,
}
