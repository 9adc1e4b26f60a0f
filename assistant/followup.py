"""Follow-up questions made standalone, so retrieval sees what "he" or "itu" refers to.

With a chat model the model rewrites the question (``prompts/condense.txt``); without one, or if
it fails, rules do: a person pronoun becomes the person of the previous turn, a thing anaphor or
a question without a topic of its own ("why?") borrows the previous question's key words, and "what about X?" swaps X
into the previous question.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING


from assistant.language import OFFICE_WORDS, PERSON, QuestionAnalysis, analyze_question
from assistant.prompts import load_prompt
from assistant.textproc import bare_name, content_terms, stopwords

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

FRAME_STEMS = frozenset("tempat lokasi waktu tanggal hari jam nama jumlah place time date name".split())
"""Words that only frame an answer ("di mana *tempatnya*?"): a question of them alone has no topic."""
PERSON_PRONOUNS = frozenset("he she him his her hers dia ia beliau".split())
THING_ANAPHORS = frozenset("it its that this there those these they them their itu tersebut sana situ mereka".split())
MAX_HISTORY_TURNS = 3

_I = re.IGNORECASE
_LEADING_CONNECTIVE_RE = re.compile(r"^(?:and|also|then|so|dan|lalu|terus|kemudian)\b[,\s]*", _I)
_WHAT_ABOUT_RE = re.compile(r"^(?:what about|how about|and about|about|bagaimana dengan|gimana dengan|kalau|kalo)\s+(?P<x>.+?)[?.!]*$", _I)
_LABEL_RE = re.compile(r"(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)\s+\((?P<office>[^)]+)\)")
_NAME_RUN_RE = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+")


def needs_context(question: str) -> bool:
    """Does the question lean on the conversation (a pronoun, "what about", no topic of its own)?"""
    tokens = re.findall(r"[^\W_]+", question.lower())
    return (
        not set(content_terms(question)) - FRAME_STEMS  # only question words: "why?", "di mana tempatnya?"
        or any(t in PERSON_PRONOUNS or t in THING_ANAPHORS for t in tokens)
        or bool(_LEADING_CONNECTIVE_RE.match(question) or _WHAT_ABOUT_RE.match(question))
    )


def condense(question: str, history: list[tuple[str, str]], chat_model: BaseChatModel | None = None) -> str:
    """A standalone version of ``question`` given earlier (question, answer) turns."""
    if not history or not needs_context(question):
        return question
    if chat_model is not None:
        rewritten = _condense_with_model(question, history, chat_model)
        if rewritten:
            return rewritten
    return condense_by_rules(question, history)


def _condense_with_model(question: str, history: list[tuple[str, str]], chat_model: BaseChatModel) -> str:
    turns = "\n".join(f"User: {q}\nAssistant: {a}" for q, a in history[-MAX_HISTORY_TURNS:])
    from langchain_core.messages import HumanMessage

    prompt = load_prompt("condense").format(history=turns, question=question)
    try:
        reply = chat_model.invoke([HumanMessage(content=prompt)])
    except Exception:  # a failing model must not break a question the rules can handle
        return ""
    text = reply.content if isinstance(reply.content, str) else ""
    return text.strip().splitlines()[0].strip() if text.strip() else ""


def condense_by_rules(question: str, history: list[tuple[str, str]]) -> str:
    previous_question, previous_answer = history[-1]
    question = _LEADING_CONNECTIVE_RE.sub("", question.strip()) or question.strip()
    previous = analyze_question(previous_question)
    what_about = _WHAT_ABOUT_RE.match(question)
    if what_about:
        return _swap_into(previous_question, previous, " ".join(map(bare_name, what_about.group("x").split())))
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


def _swap_into(previous_question: str, previous: QuestionAnalysis, other: str) -> str:
    """The previous question about ``other`` instead: "kalau ketua KPUD?" after "Siapa Ketua Bawaslu
    Jakarta Barat?" swaps the office that starts with the same word; a person or office replaces
    the previous speaker ("what about the deputy mayor?"); anything else replaces the topic."""
    bare = re.sub(r"^(?:the|a|an)\s+", "", other, flags=_I)  # the previous question keeps its own article
    head = next((w for w in bare.split() if w.lower() not in stopwords()), bare.split()[0])
    same_head = re.search(rf"\b{re.escape(head)}\b(?:\s+[A-Z0-9][\w/'’-]*)*", previous_question, _I)
    if same_head:
        return previous_question[: same_head.start()] + bare + previous_question[same_head.end():]
    if previous.speaker and _names_someone(bare):
        return previous_question.replace(previous.speaker, bare)
    if previous.topic:
        return previous_question.replace(previous.topic, other)
    return f"{previous_question.rstrip('?.! ')} {other}?"


def _names_someone(phrase: str) -> bool:
    """A phrase naming a person or an office: capitalized, or holding an office word."""
    return any(w[:1].isupper() or w.lower() in OFFICE_WORDS for w in phrase.split())


def _previous_person(previous_question: str, previous_answer: str) -> str:
    """Who the last turn was about: "Office Name" from the answer's lead-in, else the speaker or
    names of the previous question, else the first name in the answer."""
    label = _LABEL_RE.search(previous_answer)
    if label:
        return f"{label.group('office')} {label.group('name')}"
    previous = analyze_question(previous_question)
    names = _NAME_RUN_RE.findall(previous_answer)
    if previous.kind == PERSON and names:  # "Who is the deputy mayor?" → the answer names them
        return names[0]
    if previous.speaker:
        return previous.speaker
    if previous.names:
        return " ".join(previous.names)
    return names[0] if names else ""


def _key_words(previous_question: str, exclude: set[str]) -> str:
    stop = stopwords()
    kept = [w for w in re.findall(r"[^\W_][\w'’-]*", previous_question) if w.lower() not in stop and w.lower() not in exclude]
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
