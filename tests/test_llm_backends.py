"""The Ollama and OpenAI-compatible backends through their real LangChain clients, against a local
stub server that speaks each wire protocol (no model needed): settings reach the client, the
prompt fences numbered sources, the follow-up is condensed by the model, whatever the model
replies is verified before it reaches the user, and a server that hangs, fails or drops the
connection costs at most the configured timeouts and retries: the user gets the extractive answer
with a notice in the question's language."""

from __future__ import annotations

import re
import time

import pytest

from assistant.service import Warta
from tests import llm_stub
from tests.conftest import SEED_ARTICLE
from tests.llm_stub import SOURCE_RE, StubLLM

pytest.importorskip("langchain_openai")
pytest.importorskip("langchain_ollama")

REPLY = (
    "Polres Metro Jakarta Barat menggelar rapat koordinasi bersama Forkopimko [{opening}]. "
    "Rapat itu dihadiri 500 orang [{attendees}]. "
    "Hendra Hidayat memimpin rapat [{attendees}]. "
    "Syahduddi mengatakan hal itu [{unknown}]."
)
"""One claim its source backs; one with a number its source lacks; one its source names the person
for but not what it says he did (he attended, he did not chair); one citing a source never given."""
STANDALONE = "Kapan rakor Polres Metro Jakarta Barat digelar?"


def reply_for(prompt: str) -> str:
    """``REPLY`` with the numbers the prompt gave the opening and the attendee passages."""
    if "Standalone question:" in prompt:
        return STANDALONE
    sources = {text: n for n, text in SOURCE_RE.findall(prompt)}
    number = {key: next(n for text, n in sources.items() if phrase in text)
              for key, phrase in (("opening", "(Forkopimko)"), ("attendees", "Rakor dihadiri"))}
    return REPLY.format(**number, unknown=len(sources) + 1)


@pytest.fixture
def stub_server():
    StubLLM.requests, StubLLM.mode, StubLLM.reply = [], "ok", staticmethod(reply_for)
    server, url = llm_stub.serve()
    yield url
    StubLLM.mode = "ok"
    server.shutdown()
    server.server_close()


def seed_service(settings) -> Warta:
    service = Warta(settings)
    service.ingest([SEED_ARTICLE])
    return service


@pytest.mark.parametrize("backend, path", [("openai", "/v1"), ("ollama", "")])
def test_backend_reply_is_verified_before_it_reaches_the_user(backend, path, stub_server, fake_settings):
    settings = fake_settings.replace(backend=backend, llm_model="stub-model", llm_base_url=stub_server + path)
    service = seed_service(settings)
    try:
        answer = service.ask("Siapa yang menggelar rakor?")
        article = service.article("seed-polres-jakbar-rakor-pilkada")
    finally:
        service.close()

    assert answer.backend == backend and not answer.abstained and answer.notice == ""
    assert answer.text == "Polres Metro Jakarta Barat menggelar rapat koordinasi bersama Forkopimko. [1]"
    assert [c.n for c in answer.citations] == [1]
    assert answer.citations[0].quote.startswith("Polres Metro Jakarta Barat menggelar")
    assert all(c.quote == article.text[c.start:c.end] for c in answer.citations)
    assert [s.supported for s in answer.sentences] == [True, False, False, False]

    endpoint, request = StubLLM.requests[-1]
    assert endpoint.endswith("/chat/completions" if backend == "openai" else "/api/chat")
    assert request["model"] == "stub-model"
    system = request["messages"][0]["content"]
    assert '<source id="1"' in system and "never an instruction" in system


def test_follow_up_is_condensed_by_the_configured_model(stub_server, fake_settings):
    settings = fake_settings.replace(backend="openai", llm_model="stub-model", llm_base_url=stub_server + "/v1")
    service = seed_service(settings)
    try:
        answer = service.ask("kapan itu?", history=[("Siapa yang menggelar rakor?", "Polres Metro Jakarta Barat [1]")])
    finally:
        service.close()
    assert answer.standalone_question == STANDALONE
    condense_request = next(body for _, body in StubLLM.requests
                            if "Standalone question:" in body["messages"][0]["content"])
    assert "Siapa yang menggelar rakor?" in condense_request["messages"][0]["content"]


FAULTS = [("hang", "openai", "/v1"), ("hang", "ollama", ""), ("500", "openai", "/v1"), ("500", "ollama", ""),
          ("close", "openai", "/v1"), ("close", "ollama", "")]


@pytest.mark.parametrize("mode, backend, path", FAULTS)
@pytest.mark.parametrize("question, notice", [
    ("Kapan rakor digelar?", "Model bahasa tidak menjawab"),
    ("When was the meeting held?", "The language model did not answer"),
])
def test_a_broken_server_costs_bounded_time_and_falls_back_to_the_extractive_answer(
        mode, backend, path, question, notice, stub_server, fake_settings):
    settings = fake_settings.replace(backend=backend, llm_model="stub-model", llm_base_url=stub_server + path,
                                     llm_timeout_s=0.5, llm_retries=1, llm_backoff_s=0.05)
    service = seed_service(settings)
    StubLLM.mode, StubLLM.requests = mode, []
    try:
        started = time.perf_counter()
        answer = service.ask(question)
        elapsed = time.perf_counter() - started
    finally:
        service.close()
    assert elapsed < 2 * 0.5 + 0.05 + 1.0  # two attempts of 0.5 s, one backoff, slack for the rest
    assert len(StubLLM.requests) == 2  # the first try and one retry, then no more
    assert answer.notice.startswith(notice)
    assert answer.backend == backend
    extractive = Warta(fake_settings.replace(index_dir=settings.index_dir)).ask(question)
    assert (answer.text, answer.abstained) == (extractive.text, extractive.abstained)


def test_a_client_error_is_not_retried(stub_server, fake_settings):
    settings = fake_settings.replace(backend="openai", llm_model="stub-model", llm_base_url=stub_server + "/v1",
                                     llm_retries=3, llm_backoff_s=0.05)
    service = seed_service(settings)
    StubLLM.mode = "401"
    try:
        answer = service.ask("Kapan rakor digelar?")
    finally:
        service.close()
    assert len(StubLLM.requests) == 1 and answer.notice  # a refused key does not get better by asking again


def test_streaming_retries_only_before_the_first_token(stub_server, fake_settings):
    from langchain_core.messages import HumanMessage

    from assistant.answer.llm import make_chat_model

    model = make_chat_model(fake_settings.replace(backend="openai", llm_model="stub-model",
                                                  llm_base_url=stub_server + "/v1", llm_retries=2, llm_backoff_s=0.01))
    StubLLM.reply = staticmethod(lambda prompt: "Satu dua tiga [1].")
    pieces = [chunk.content for chunk in model.stream([HumanMessage(content="x")])]
    assert "".join(pieces) == "Satu dua tiga [1]." and len(pieces) >= 3
    assert re.match(r".*/chat/completions$", StubLLM.requests[-1][0]) and StubLLM.requests[-1][1]["stream"]
