"""Prompt and message templates, kept as files in ``prompts/`` so they can be read and changed
without touching code: LLM prompts as LangChain ``ChatPromptTemplate``s, user-facing messages
per language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    """The text of ``prompts/<name>.txt`` without its final newline."""
    return (PROMPTS_DIR / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")


@lru_cache(maxsize=None)
def answer_prompt() -> ChatPromptTemplate:
    """System: the rules and the fenced sources (``answer.txt``: {language}, {abstain},
    {sources}); human: the question alone, never mixed with article text."""
    return ChatPromptTemplate.from_messages([("system", load_prompt("answer")), ("human", "{question}")])


@lru_cache(maxsize=None)
def condense_prompt() -> ChatPromptTemplate:
    """``condense.txt`` ({history}, {question}) as one human message."""
    return ChatPromptTemplate.from_messages([("human", load_prompt("condense"))])


def message(name: str, language: str, **values: str) -> str:
    """A user-facing message in the question's language (``<name>_<language>.txt``, English
    when that language has none)."""
    path = PROMPTS_DIR / f"{name}_{language}.txt"
    template = load_prompt(f"{name}_{language}" if path.exists() else f"{name}_en")
    return template.format(**values)
