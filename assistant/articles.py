"""Load news articles from files and normalize their text, so every later offset is stable.

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
import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml
from bs4 import BeautifulSoup

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

# --- text normalization ----------------------------------------------------------------------

_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_SPACE_RUNS = re.compile(" {2,}")
_LINE_EDGES = re.compile(" *\n *")
_BLANK_RUNS = re.compile("\n{3,}")


def normalize_text(text: str) -> str:
    """One canonical form of a body, so equal articles hash equal and offsets never shift.

    NFC (not NFKC: characters are kept), invisible and control characters removed, every
    Unicode space made a plain space, LF line ends, lines stripped, at most one blank line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _CONTROL.sub("", _INVISIBLE.sub("", text))
    text = unicodedata.normalize("NFC", text)
    text = _SPACE_RUNS.sub(" ", _SPACES.sub(" ", text))
    text = _BLANK_RUNS.sub("\n\n", _LINE_EDGES.sub("\n", text))
    return text.strip(" \n")


def normalize_inline(text: str) -> str:
    """Like ``normalize_text`` but one line: for titles and other metadata."""
    return " ".join(normalize_text(text).split())


_MOJIBAKE = re.compile("[\u00ac\u221a\u201a][^\x00-\x7f]+")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Mac Roman ("‚Äú" → "“", "¬†" → no-break space), seen in scraped news.

    Only runs that start like a UTF-8 lead byte and decode cleanly are replaced; anything else
    stays as it was.
    """

    def fix(match: re.Match[str]) -> str:
        run = match.group()
        try:
            return run.encode("mac_roman").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return run

    return _MOJIBAKE.sub(fix, text)


_COMMA_JOINED = re.compile(r"[.!?][\"”’']?,(?=\S)")
_COMMA_JOIN = re.compile(r"([.!?][\"”’']?) ?(?:, ?)*,(?=\S)")
_LEADING_RESIDUE = re.compile(r"^[\s,;\-–—]+")


def split_comma_joined_paragraphs(text: str) -> str:
    """Scraped corpora (e.g. clickid) join paragraphs with commas: "…berkembang.,Lewat seni".

    When a text shows that pattern twice (once, in a text without line breaks), a comma run
    right after a sentence end becomes a paragraph break, and the comma/dash residue of removed
    datelines is dropped.
    """
    seen = len(_COMMA_JOINED.findall(text, 0, 20000))
    if seen < 2 and not (seen == 1 and "\n" not in text):
        return text
    return _LEADING_RESIDUE.sub("", _COMMA_JOIN.sub(r"\1\n\n", text))


# --- dates -------------------------------------------------------------------------------------

MONTHS = {
    **dict.fromkeys(["januari", "january", "jan"], 1),
    **dict.fromkeys(["februari", "february", "pebruari", "feb", "peb"], 2),
    **dict.fromkeys(["maret", "march", "mar"], 3),
    **dict.fromkeys(["april", "apr"], 4),
    **dict.fromkeys(["mei", "may"], 5),
    **dict.fromkeys(["juni", "june", "jun"], 6),
    **dict.fromkeys(["juli", "july", "jul"], 7),
    **dict.fromkeys(["agustus", "august", "agu", "agt", "aug", "agus"], 8),
    **dict.fromkeys(["september", "sep", "sept"], 9),
    **dict.fromkeys(["oktober", "october", "okt", "oct"], 10),
    **dict.fromkeys(["november", "nopember", "nov", "nop"], 11),
    **dict.fromkeys(["desember", "december", "des", "dec"], 12),
}
_ISO_DATE = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?!\d)")
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})[\s-]+([A-Za-z]+)\.?[\s,-]+(\d{4}|\d{2})(?!\d)")
_MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})(?!\d)")


def parse_date(value: Any) -> str | None:
    """ISO ``yyyy-mm-dd`` from the date formats news sites use, or None: never an exception.

    Numeric dates are read day first (Indonesian and European use) unless only month-first
    makes sense; two-digit years are 19xx from 70 up, else 20xx.
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    candidates: list[tuple[int, int, int]] = []
    if m := _ISO_DATE.search(text):
        candidates.append((int(m[1]), int(m[2]), int(m[3])))
    elif m := _NUMERIC_DATE.search(text):
        day, month, year = int(m[1]), int(m[2]), _full_year(m[3])
        candidates += [(year, month, day), (year, day, month)]
    elif m := _DAY_MONTH_YEAR.search(text):
        if (month := MONTHS.get(m[2].lower())) is not None:
            candidates.append((_full_year(m[3]), month, int(m[1])))
    if not candidates and (m := _MONTH_DAY_YEAR.search(text)):
        if (month := MONTHS.get(m[1].lower())) is not None:
            candidates.append((int(m[3]), month, int(m[2])))
    for year, month, day in candidates:
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            continue
    return None


def _full_year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        year += 1900 if year >= 70 else 2000
    return year


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
        yield _article_from_record(record, origin, number, fallback_id=f"{_slug(path.stem)}-{number}")
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
            yield _article_from_record(record, origin, row_start, fallback_id=f"{_slug(path.stem)}-{row_start}")
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
        yield _article_from_record(data, origin, None, fallback_id=_slug(path.stem))
    elif isinstance(data, list):
        for number, record in enumerate(data, start=1):
            fallback_id = f"{_slug(path.stem)}-{number}"
            yield _article_from_record(record, f"{origin}#{number}", None, fallback_id=fallback_id)
    else:
        yield ArticleError(origin, "JSON must be a record, a list of records or {\"articles\": [...]}")


def _article_from_record(record: Any, origin: str, line: int | None, fallback_id: str) -> Article | ArticleError:
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
    text = normalize_text(split_comma_joined_paragraphs(repair_mojibake(body)))
    if not text:
        return ArticleError(origin, "record has empty content", line=line)
    doc_id = _text_field(record.get("id")) or fallback_id
    return Article(
        doc_id=doc_id,
        title=_text_field(record.get("title")) or _title_from_name(doc_id),
        text=text,
        date=parse_date(record.get("date")),
        source=_text_field(record.get("source")) or None,
        url=_text_field(record.get("url")) or None,
        origin=f"{origin}:{line}" if line is not None else origin,
    )


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
        body = _without_title_line(body, title)
    else:
        title, body = _title_from_body(body, path)
    if not body:
        yield ArticleError(origin, "no text")
        return
    doc_id = _text_field(meta.get("id")) or _slug(path.stem)
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
    return _title_from_name(path.stem), body


def _without_title_line(body: str, title: str) -> str:
    """The body without a first line that repeats the title: the title is kept as metadata."""
    first, _, rest = body.partition("\n")
    return rest.strip("\n") if first == title and rest.strip() else body


def _title_from_name(name: str) -> str:
    words = re.sub(r"[-_\s]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else "Untitled"


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "article"


# --- html --------------------------------------------------------------------------------------

_DROPPED_TAGS = "script style noscript template nav header footer aside form iframe svg".split()
_BLOCK_TAGS = "p h1 h2 h3 h4 h5 h6 li blockquote pre figcaption td th div section dt dd tr".split()
_PARAGRAPH_MARK = "\u2029"  # normalize_text turns it into a blank line
_LINE_MARK = "\u2028"  # and this into a line break
_MARKUP_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")


def _load_html(path: Path, text: str) -> Iterator[Item]:
    origin = str(path)
    soup = BeautifulSoup(text, "html.parser")
    title = _html_title(soup)
    date = _html_date(soup)
    source = _meta_content(soup, "og:site_name")
    url = _meta_content(soup, "og:url") or _canonical_url(soup)
    for tag in soup.find_all(_DROPPED_TAGS):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before(_PARAGRAPH_MARK)
        tag.insert_after(_PARAGRAPH_MARK)
    for tag in root.find_all("br"):
        tag.replace_with(_LINE_MARK)
    body = normalize_text(repair_mojibake(_MARKUP_WHITESPACE.sub(" ", root.get_text())))
    body = _without_title_line(body, title)
    if not body:
        yield ArticleError(origin, "no text found in the HTML")
        return
    yield Article(
        doc_id=_slug(path.stem),
        title=title or _title_from_name(path.stem),
        text=body,
        date=date,
        source=source or None,
        url=url or None,
        origin=origin,
    )


def _meta_content(soup: BeautifulSoup, *names: str) -> str:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if tag and isinstance(tag.get("content"), str) and tag["content"].strip():
            return normalize_inline(tag["content"])
    return ""


def _html_title(soup: BeautifulSoup) -> str:
    if title := _meta_content(soup, "og:title"):
        return title
    for tag in (soup.title, soup.find("h1")):
        if tag and (text := normalize_inline(tag.get_text(" "))):
            return text
    return ""


def _html_date(soup: BeautifulSoup) -> str | None:
    value = _meta_content(soup, "article:published_time", "date", "pubdate", "publishdate")
    if not value:
        tag = soup.find("time", attrs={"datetime": True})
        value = tag["datetime"] if tag else ""
    return parse_date(value)


def _canonical_url(soup: BeautifulSoup) -> str:
    link = soup.find("link", attrs={"rel": "canonical", "href": True})
    return normalize_inline(link["href"]) if link else ""


_WHOLE_FILE_LOADERS = {
    ".txt": _load_text,
    ".md": _load_text,
    ".json": _load_json,
    ".html": _load_html,
    ".htm": _load_html,
}
