"""Follow-up questions made standalone, so retrieval and the reader see what "he" or "itu"
refers to.

With a chat model the model rewrites the question (``prompts/condense.txt``); without one, or if
it fails, three general rules do: "what about X?" / "kalau X?" asks the previous question about
X; a person pronoun becomes the person the previous answer named (after "who?") or else the
previous question named; a thing
anaphor, or a question of frame words only ("why?", "di mana tempatnya?"), takes the previous
question's words.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.answer import MARKER_RE
from assistant.prompts import condense_prompt
from assistant.textproc import bare_name, content_terms, stopwords

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

FRAME_STEMS = frozenset("tempat lokasi waktu tanggal hari jam nama jumlah place time date name".split())
"""Words that only frame an answer ("di mana *tempatnya*?"): a question of them alone has no topic."""
PERSON_PRONOUNS = frozenset("he she him his her dia ia beliau".split())
THING_ANAPHORS = frozenset("it its that this there those these they them their itu tersebut sana situ mereka".split())
MAX_HISTORY_TURNS = 3

_I = re.IGNORECASE
_LEADING_CONNECTIVE_RE = re.compile(r"^(?:and|also|then|so|dan|lalu|terus|trus|kemudian)\b[,\s]*", _I)
_WHAT_ABOUT_RE = re.compile(
    r"^(?:what about|how about|and about|about|bagaimana dengan|gimana dengan|kalau|kalo)\s+(?P<x>.+?)[?.!]*$", _I)
_POSSESSIVE_NYA = re.compile(r"[a-z]{3,}nya")
_NAME_RUN_RE = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|\d+))*")


def needs_context(question: str) -> bool:
    """Does the question lean on the conversation (a pronoun, a possessive "-nya" as in "judul
    lagunya apa?", "what about", no topic of its own)?"""
    tokens = re.findall(r"[^\W_]+", question.lower())
    return (
        not set(content_terms(question)) - FRAME_STEMS
        or any(t in PERSON_PRONOUNS or t in THING_ANAPHORS or _POSSESSIVE_NYA.fullmatch(t) for t in tokens)
        or bool(_LEADING_CONNECTIVE_RE.match(question) or _WHAT_ABOUT_RE.match(question))
    )


def condense(question: str, history: list[tuple[str, str]], chat_model: BaseChatModel | None = None) -> str:
    """A standalone version of ``question`` given earlier (question, answer) turns. A chat model
    that fails raises ``LLMFailed`` (after its retries) so the caller knows it is down; use
    ``condense_by_rules`` then."""
    if not history or not needs_context(question):
        return question
    if chat_model is not None:
        rewritten = _condense_with_model(question, history, chat_model)
        if rewritten:
            return rewritten
    return condense_by_rules(question, history)


def _condense_with_model(question: str, history: list[tuple[str, str]], chat_model: BaseChatModel) -> str:
    from assistant.llm import LLMFailed

    turns = "\n".join(f"User: {q}\nAssistant: {a}" for q, a in history[-MAX_HISTORY_TURNS:])
    try:
        reply = (condense_prompt() | chat_model).invoke({"history": turns, "question": question})
    except LLMFailed:
        raise
    except Exception as exc:  # an unwrapped model (tests, custom code) fails the same way
        raise LLMFailed(f"the language model did not answer: {type(exc).__name__}") from exc
    text = reply.content if isinstance(reply.content, str) else ""
    return text.strip().splitlines()[0].strip() if text.strip() else ""


def condense_by_rules(question: str, history: list[tuple[str, str]]) -> str:
    previous_question, previous_answer = history[-1]
    question = _LEADING_CONNECTIVE_RE.sub("", question.strip()) or question.strip()
    what_about = _WHAT_ABOUT_RE.match(question)
    if what_about:
        return _swap_into(previous_question, what_about.group("x"))
    tokens = re.findall(r"[^\W_]+", question.lower())
    if any(t in PERSON_PRONOUNS for t in tokens):
        person = _previous_person(previous_question, previous_answer)
        if person:
            return _replace_words(question, PERSON_PRONOUNS, person)
    key = _key_words(previous_question, exclude=set(tokens))
    if not key:
        return question
    if any(t in THING_ANAPHORS for t in tokens):
        return _replace_words(question, THING_ANAPHORS, key)
    return f"{question.rstrip('?.! ')} {key}?"


def _names(text: str, is_question: bool) -> list[tuple[int, int]]:
    """Spans of runs of capitalized words (possessives left out). In a question the first word
    is never part of one: its "Who" or "Siapa" is capitalized only because it comes first."""
    runs = []
    for match in _NAME_RUN_RE.finditer(text):
        start, end = match.start(), match.start() + len(bare_name(match.group()))
        if is_question and start == 0:
            first = match.group().split(" ", 1)
            if len(first) == 1:
                continue
            start += len(first[0]) + 1
        runs.append((start, end))
    return runs


def _swap_into(previous_question: str, other: str) -> str:
    """The previous question about ``other``: its last name run replaced, else ``other`` added."""
    names = _names(previous_question, is_question=True)
    if not names:
        return f"{previous_question.rstrip('?.! ')} {other}?"
    start, end = names[-1]
    return previous_question[:start] + other + previous_question[end:]


_ASKS_WHO_RE = re.compile(r"\b(?:who|whom|siapa|siapakah)\b", _I)


def _previous_person(previous_question: str, previous_answer: str) -> str:
    """Who the last turn was about: the person its answer named when it asked "who", else the
    last name its question gave, else the first name in its answer."""
    answer = MARKER_RE.sub("", previous_answer)
    answer_names = _names(answer, is_question=False)
    question_names = _names(previous_question, is_question=True)
    if answer_names and (_ASKS_WHO_RE.search(previous_question) or not question_names):
        return answer[slice(*answer_names[0])]
    return previous_question[slice(*question_names[-1])] if question_names else ""


def _key_words(previous_question: str, exclude: set[str]) -> str:
    stop = stopwords()
    kept = [w for w in re.findall(r"[^\W_][\w'’-]*", previous_question)
            if w.lower() not in stop and w.lower() not in exclude]
    return " ".join(dict.fromkeys(kept))


def _replace_words(question: str, targets: frozenset[str], replacement: str) -> str:
    """Replace the first anaphor (and drop any others) with ``replacement``."""
    done = False

    def swap(match: re.Match[str]) -> str:
        nonlocal done
        if match.group().lower() not in targets:
            return match.group()
        if done:
            return ""
        done = True
        return replacement

    return re.sub(r"\s{2,}", " ", re.sub(r"[^\W_]+", swap, question)).strip()
