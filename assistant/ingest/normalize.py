"""The one canonical form of article text and metadata, so equal articles hash equal and every
offset stays valid: Unicode and whitespace normalization, scraped-text repairs (mojibake,
paragraphs joined by commas) and the date formats news sites use."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

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


# --- names ---------------------------------------------------------------------------------------

def without_title_line(body: str, title: str) -> str:
    """The body without a first line that repeats the title: the title is kept as metadata."""
    first, _, rest = body.partition("\n")
    return rest.strip("\n") if first == title and rest.strip() else body


def title_from_name(name: str) -> str:
    words = re.sub(r"[-_\s]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else "Untitled"


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "article"
