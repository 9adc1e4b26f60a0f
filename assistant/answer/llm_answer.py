"""The LLM answerer: a chat model writes the answer from fenced, numbered sources, and each
``[n]`` it writes is tied back to the sentence of source n that best supports that sentence, so
verification can check every claim against exact article words."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from assistant.answer.contract import MARKER_RE
from assistant.answer.draft import Claim, Draft, Quote
from assistant.answer.prompts import answer_prompt, load_prompt
from assistant.records import Hit
from assistant.ingest.text import content_terms
from assistant.index.embedding_cache import EmbeddingCache

if TYPE_CHECKING:  # chat-model classes import slowly; only this answerer needs them
    from langchain_core.language_models import BaseChatModel

LANGUAGE_NAMES = {"en": "English", "id": "Indonesian (Bahasa Indonesia)"}
_SOURCE_TAG_RE = re.compile(r"<\s*/?\s*source\b[^>]*>", re.IGNORECASE)
_MARKER_LIST_RE = re.compile(r"\[(\d+(?:\s*,\s*\d+)+)\]")


def render_sources(hits: list[Hit]) -> str:
    """Number and fence the sources; tags and bracketed numbers inside them are neutralized."""
    blocks = []
    for i, hit in enumerate(hits, 1):
        body = MARKER_RE.sub(r"(\1)", _SOURCE_TAG_RE.sub("(source tag removed)", hit.text))
        title = html.escape(_SOURCE_TAG_RE.sub("", hit.title), quote=True)
        date = html.escape(hit.date or "", quote=True)
        blocks.append(f'<source id="{i}" title="{title}" date="{date}">\n{body}\n</source>')
    return "\n\n".join(blocks)


def prompt_values(question: str, language: str, hits: list[Hit]) -> dict[str, str]:
    """What ``prompts.answer_prompt()`` is filled with."""
    return {"language": LANGUAGE_NAMES.get(language, "English"), "abstain": load_prompt("abstain_phrase"),
            "sources": render_sources(hits), "question": question}


def answer_with_llm(chat_model: BaseChatModel, question: str, language: str, hits: list[Hit],
                    vectors: EmbeddingCache | None, related: list[Quote]) -> Draft:
    """Ask the model for a cited answer and tie each [n] to a sentence of source n."""
    reply = (answer_prompt() | chat_model).invoke(prompt_values(question, language, hits))
    text = reply.content if isinstance(reply.content, str) else str(reply.content)
    return parse_reply(text, hits, vectors, related)


def parse_reply(text: str, hits: list[Hit], vectors: EmbeddingCache | None, related: list[Quote]) -> Draft:
    """Claims from a model reply; markers naming no given source are dropped (and recorded)."""
    text = _MARKER_LIST_RE.sub(lambda m: "".join(f"[{n.strip()}]" for n in m.group(1).split(",")), text.strip())
    if not text or load_prompt("abstain_phrase").lower() in text.lower():
        return Draft(abstained=True, related=related)
    draft = Draft(related=related)
    for sentence in _reply_sentences(text):
        numbers = [int(n) for n in MARKER_RE.findall(sentence)]
        valid = list(dict.fromkeys(n for n in numbers if 1 <= n <= len(hits)))
        draft.dropped_markers += [n for n in numbers if n not in valid]
        claim_text = re.sub(r"\s+([.,;:!?])", r"\1", MARKER_RE.sub("", sentence)).strip()
        if claim_text:
            quotes = [best_quote(claim_text, hits[n - 1], vectors) for n in valid]
            draft.claims.append(Claim(text=claim_text, quotes=quotes))
    return draft


def _reply_sentences(text: str) -> list[str]:
    """Sentences of a reply, each keeping the markers written right after it."""
    out: list[str] = []
    for part in re.split(r"(?<=[.!?])\s+|\n+", text):
        part = part.strip()
        if not part:
            continue
        if out and re.fullmatch(r"(?:\[\d+\]\s*)+[.!?]?", part):
            out[-1] += " " + part
        else:
            out.append(part)
    return out


def best_quote(claim: str, hit: Hit, vectors: EmbeddingCache | None) -> Quote:
    """The sentence of ``hit`` that best supports ``claim``: shared stems, then embedding."""
    sentences = hit.sentence_texts() or [(hit.start, hit.end, hit.text)]
    claim_terms = set(content_terms(claim))
    scores = [len(claim_terms & set(content_terms(t))) / (len(claim_terms) or 1) for _, _, t in sentences]
    if vectors is not None and len(sentences) > 1:
        cosines = vectors.documents([t for _, _, t in sentences]) @ vectors.query(claim)
        scores = [s + float(c) for s, c in zip(scores, cosines)]
    start, end, _ = sentences[max(range(len(sentences)), key=scores.__getitem__)]
    return Quote(hit, start, end)
