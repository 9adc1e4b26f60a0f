"""The language of a question ("en" or "id"), so messages and LLM answers use it."""

from __future__ import annotations

from assistant.textproc import words

_ID_MARKERS = frozenset(
    """yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan juga oleh apa siapa
    kapan mana dimana berapa bagaimana mengapa kenapa apakah tentang soal mengenai terkait kata
    digelar dia ia tersebut saja sudah belum bagi para menurut gimana kah lalu""".split()
)
_EN_MARKERS = frozenset(
    """the a an is are was were of in on at to for and what who whom whose when where why how which
    did does do has have had said say about it he she they this that with by from many much""".split()
)


def detect_language(text: str) -> str:
    """"id" or "en" by counting function words; English when there is no signal."""
    tokens = words(text)
    id_hits = sum(t in _ID_MARKERS for t in tokens) + sum(t.endswith("nya") for t in tokens)
    en_hits = sum(t in _EN_MARKERS for t in tokens)
    return "id" if id_hits > en_hits else "en"
