"""A local stand-in for an LLM server, speaking OpenAI's /v1/chat/completions (JSON, or SSE when
``stream`` is asked) and Ollama's /api/chat (NDJSON), so the real LangChain clients can be
tested without a model. ``mode`` makes it misbehave: ``hang`` (never answers in time), an HTTP
status such as ``500`` or ``401`` (answers with that error) or ``close`` (drops the connection). ``reply`` decides what the model says.

Run alone for browser tests: ``python -m tests.llm_stub --port 8765``: it then answers with the
first sentence of the first source, cited, token by token.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SOURCE_RE = re.compile(r'<source id="(\d+)"[^>]*>\n(.*?)\n</source>', re.DOTALL)
HANG_SECONDS = 30.0


def cite_first_source(prompt: str) -> str:
    """The first sentence of source 1, cited: an answer the verifier accepts as it stands."""
    sources = SOURCE_RE.findall(prompt)
    if not sources:
        return "NOT_IN_SOURCES"
    number, body = sources[0]
    sentence = re.split(r"(?<=[.!?])\s+", body.strip())[0]
    return f"{sentence} [{number}]"


class StubLLM(BaseHTTPRequestHandler):
    requests: list[tuple[str, dict]] = []
    mode = "ok"
    reply: Callable[[str], str] = staticmethod(cite_first_source)
    token_delay = 0.0

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append((self.path, body))
        if self.mode == "hang":
            time.sleep(HANG_SECONDS)
            return
        if self.mode.isdigit():
            self.send_error(int(self.mode), "stub server error")
            return
        if self.mode == "close":
            self.close_connection = True
            self.connection.close()
            return
        prompt = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
        text = type(self).reply(prompt)
        pieces = re.findall(r"\S+\s*", text) or [""]
        if self.path.endswith("/chat/completions"):
            if body.get("stream"):
                self._stream_sse(body["model"], pieces)
            else:
                self._send("application/json", json.dumps(_openai_completion(body["model"], text)))
        elif self.path == "/api/chat":
            common = {"model": body["model"], "created_at": "2024-07-30T00:00:00Z"}
            lines = [{**common, "message": {"role": "assistant", "content": p}, "done": False} for p in pieces]
            lines.append({**common, "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop"})
            self._send("application/x-ndjson", "\n".join(json.dumps(line) for line in lines) + "\n")
        else:
            self.send_error(404)

    def _stream_sse(self, model: str, pieces: list[str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in pieces:
            chunk = {"id": "stub", "object": "chat.completion.chunk", "created": 0, "model": model,
                     "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
            time.sleep(self.token_delay)
        done = {"id": "stub", "object": "chat.completion.chunk", "created": 0, "model": model,
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
        self.wfile.flush()
        self.close_connection = True

    def _send(self, content_type: str, text: str) -> None:
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def _openai_completion(model: str, text: str) -> dict:
    return {"id": "stub", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def serve(port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", port), StubLLM)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token-delay", type=float, default=0.05, help="seconds between streamed tokens")
    args = parser.parse_args()
    StubLLM.token_delay = args.token_delay
    server = ThreadingHTTPServer(("127.0.0.1", args.port), StubLLM)
    server.daemon_threads = True
    print(f"stub LLM on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
