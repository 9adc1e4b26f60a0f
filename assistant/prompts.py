"""Prompt and message templates, kept as files in ``prompts/`` so they can be read and changed
without touching code."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    """The text of ``prompts/<name>.txt`` without its final newline."""
    return (PROMPTS_DIR / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")


def message(name: str, language: str, **values: str) -> str:
    """A user-facing message in the question's language (``<name>_<language>.txt``, English
    when that language has none)."""
    path = PROMPTS_DIR / f"{name}_{language}.txt"
    template = load_prompt(f"{name}_{language}" if path.exists() else f"{name}_en")
    return template.format(**values)
