"""Every chat model Warta builds keeps the same promises behind ``ResilientChat``: ``invoke``
answers with text, ``stream`` yields pieces that join to the same text, and a dead server ends in
``LLMFailed`` (never a hang or a raw client error). Run against the local stub server for the
OpenAI-compatible and Ollama clients, and a fake model for the wrapper itself."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import HumanMessage

from assistant.answer.llm import LLMFailed, ResilientChat, make_chat_model
from assistant.settings import Settings
from tests import llm_stub
from tests.llm_stub import StubLLM

REPLY = "Persib menang dua satu [1]."
MESSAGES = [HumanMessage(content="Siapa yang menang?")]


@pytest.fixture(scope="module")
def stub():
    server, url = llm_stub.serve()
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _reply():
    StubLLM.mode, StubLLM.reply = "ok", staticmethod(lambda prompt: REPLY)


class ChatModelContract:
    @pytest.fixture
    def model(self, stub):
        raise NotImplementedError

    def test_invoke_answers_with_text(self, model):
        assert model.invoke(MESSAGES).content == REPLY

    def test_stream_pieces_join_to_the_answer(self, model):
        pieces = [chunk.content for chunk in model.stream(MESSAGES)]
        assert "".join(pieces) == REPLY

    def test_a_dead_server_ends_in_llm_failed(self, model):
        StubLLM.mode = "500"
        with pytest.raises(LLMFailed):
            model.invoke(MESSAGES)


SETTINGS = dict(llm_model="stub-model", llm_timeout_s=2.0, llm_retries=1, llm_backoff_s=0.01)


class TestOpenAICompatible(ChatModelContract):
    @pytest.fixture
    def model(self, stub):
        return make_chat_model(Settings(backend="openai", llm_base_url=stub + "/v1", **SETTINGS))


class TestOllama(ChatModelContract):
    @pytest.fixture
    def model(self, stub):
        return make_chat_model(Settings(backend="ollama", llm_base_url=stub, **SETTINGS))


class TestResilientFake(ChatModelContract):
    class Fake(FakeListChatModel):
        def _call(self, *args, **kwargs):
            if StubLLM.mode != "ok":
                raise ConnectionError("down")
            return REPLY

    @pytest.fixture
    def model(self, stub):
        return ResilientChat(inner=self.Fake(responses=[REPLY]), retries=1, backoff_s=0.01)
