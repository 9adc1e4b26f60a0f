"""Articles from HTML pages: the main text (article/main/body, without scripts, navigation and
other chrome) with the page's title, date, site name and canonical URL from its metadata."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from bs4 import BeautifulSoup

from assistant.ingest.normalize import normalize_inline, normalize_text, parse_date, repair_mojibake, slug, title_from_name, without_title_line
from assistant.records import Article, ArticleError

_DROPPED_TAGS = "script style noscript template nav header footer aside form iframe svg".split()
_BLOCK_TAGS = "p h1 h2 h3 h4 h5 h6 li blockquote pre figcaption td th div section dt dd tr".split()
_PARAGRAPH_MARK = "\u2029"  # normalize_text turns it into a blank line
_LINE_MARK = "\u2028"  # and this into a line break
_MARKUP_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")


def load_html(path: Path, text: str) -> Iterator[Article | ArticleError]:
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
    body = without_title_line(body, title)
    if not body:
        yield ArticleError(origin, "no text found in the HTML")
        return
    yield Article(
        doc_id=slug(path.stem),
        title=title or title_from_name(path.stem),
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
