"""When a news question names a time, retrieval prefers articles from then.

"terbaru" / "latest" / "recent" → the newest week of the index; "kemarin" / "yesterday" → the
day before the newest article (the index's "today": a news archive's clock is its newest
story); "hari ini" / "today" → that day; a month ("September 2019", "bulan Oktober") → that
month, of the index's newest year when no year is given; a year ("2019") → that year. The result
is a date filter the retriever applies; when it finds nothing, the question is asked without it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from assistant.ingest.normalize import MONTHS
from assistant.records import Filters

LATEST_DAYS = 7
_I = re.IGNORECASE
_LATEST_RE = re.compile(r"\b(?:terbaru|terkini|paling baru|latest|newest|most recent|recent(?:ly)?)\b", _I)
_YESTERDAY_RE = re.compile(r"\b(?:kemarin|yesterday)\b", _I)
_TODAY_RE = re.compile(r"\b(?:hari ini|today)\b", _I)
_MONTH_RE = re.compile(r"\b(%s)\b\.?(?:\s+(\d{4}))?" % "|".join(sorted(MONTHS, key=len, reverse=True)), _I)
_YEAR_RE = re.compile(r"\b(?:tahun\s+|in\s+|year\s+)?((?:19|20)\d{2})\b", _I)
_AMBIGUOUS_MONTHS = frozenset({"may", "mar", "jan", "jun", "jul", "des", "sep", "agu"})
"""Month names that are also common words or need a year to be read as a month ("may", "mar")."""


def time_filter(question: str, newest: str | None) -> Filters | None:
    """The date range the question asks about, or None; ``newest`` is the index's newest date."""
    today = _date(newest)
    if today is not None:
        if _YESTERDAY_RE.search(question):
            day = (today - dt.timedelta(days=1)).isoformat()
            return Filters(date_from=day, date_to=day)
        if _TODAY_RE.search(question):
            return Filters(date_from=today.isoformat(), date_to=today.isoformat())
    for match in _MONTH_RE.finditer(question):
        name, year = match.group(1).lower(), match.group(2)
        if name in _AMBIGUOUS_MONTHS and not year:
            continue
        year_number = int(year) if year else (today.year if today else None)
        if year_number is None:
            continue
        month = MONTHS[name]
        last = calendar.monthrange(year_number, month)[1]
        return Filters(date_from=f"{year_number:04d}-{month:02d}-01", date_to=f"{year_number:04d}-{month:02d}-{last:02d}")
    if year := _YEAR_RE.search(question):
        return Filters(date_from=f"{year.group(1)}-01-01", date_to=f"{year.group(1)}-12-31")
    if today is not None and _LATEST_RE.search(question):
        return Filters(date_from=(today - dt.timedelta(days=LATEST_DAYS)).isoformat(), date_to=today.isoformat())
    return None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
