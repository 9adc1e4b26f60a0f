"""The Ollama and OpenAI-compatible backends through their real LangChain clients, against a local
stub server that speaks each wire protocol (no model needed): settings reach the client, the
prompt fences numbered sources, the follow-up is condensed by the model, and whatever the model
replies is verified before it reaches the user."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.service import Warta
from tests.conftest import REPO

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
SOURCE_RE = re.compile(r'<source id="(\d+)"[^>]*>\n(.*?)\n</source>', re.DOTALL)


def reply_for(prompt: str) -> str:
    """``REPLY`` with the numbers the prompt gave the opening and the attendee passages."""
    sources = {text: n for n, text in SOURCE_RE.findall(prompt)}
    number = {key: next(n for text, n in sources.items() if phrase in text)
              for key, phrase in (("opening", "(Forkopimko)"), ("attendees", "Rakor dihadiri"))}
    return REPLY.format(**number, unknown=len(sources) + 1)
STANDALONE = "Kapan rakor Polres Metro Jakarta Barat digelar?"


class StubLLM(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions (OpenAI) and /api/chat (Ollama, streamed as NDJSON)."""

    requests: list[tuple[str, dict]] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append((self.path, body))
        prompt = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
        text = STANDALONE if "Standalone question:" in prompt else reply_for(prompt)
        if self.path.endswith("/chat/completions"):
            payload = {"id": "stub", "object": "chat.completion", "created": 0, "model": body["model"],
                       "choices": [{"index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": text}}],
                       "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
            self._send("application/json", json.dumps(payload))
        elif self.path == "/api/chat":
            common = {"model": body["model"], "created_at": "2024-07-30T00:00:00Z"}
            lines = [{**common, "message": {"role": "assistant", "content": text}, "done": False},
                     {**common, "message": {"role": "assistant", "content": ""}, "done": True,
                      "done_reason": "stop"}]
            self._send("application/x-ndjson", "\n".join(json.dumps(line) for line in lines) + "\n")
        else:
            self.send_error(404)

    def _send(self, content_type: str, text: str) -> None:
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub_server():
    StubLLM.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubLLM)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("backend, path", [("openai", "/v1"), ("ollama", "")])
def test_backend_reply_is_verified_before_it_reaches_the_user(backend, path, stub_server, fake_settings):
    settings = fake_settings.replace(backend=backend, llm_model="stub-model", llm_base_url=stub_server + path)
    service = Warta(settings)
    try:
        service.ingest([REPO / "data" / "articles"])
        answer = service.ask("Siapa yang menggelar rakor?")
        article = service.article("seed-polres-jakbar-rakor-pilkada")
    finally:
        service.close()

    assert answer.backend == backend and not answer.abstained
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
    service = Warta(settings)
    try:
        service.ingest([REPO / "data" / "articles"])
        answer = service.ask("kapan itu?", history=[("Siapa yang menggelar rakor?", "Polres Metro Jakarta Barat [1]")])
    finally:
        service.close()
    assert answer.standalone_question == STANDALONE
    condense_request = next(body for _, body in StubLLM.requests
                            if "Standalone question:" in body["messages"][0]["content"])
    assert "Siapa yang menggelar rakor?" in condense_request["messages"][0]["content"]
