"""A real OpenAI-compatible chat-completions server on loopback, scripted per request.

Each request pops the next behaviour from `script` (the last one repeats):
  ("json", obj)         200 with obj as the message content (JSON-encoded)
  ("text", str)         200 with str as the content (e.g. malformed JSON)
  ("status", code)      an error status with a JSON error body
  ("hang", seconds)     wait (on an Event, so the test can release it) before answering
  ("stream", [pieces], delay_s)  SSE stream of content deltas, `delay_s` between them
Every request body is recorded in `received`; a client that goes away mid-stream sets
`disconnected`.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeLLMServer:
    def __init__(self) -> None:
        self.script: list[tuple[Any, ...]] = []
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.disconnected = threading.Event()
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                server.received.append(json.loads(self.rfile.read(length)))
                server.headers.append(dict(self.headers))
                step = server.script.pop(0) if len(server.script) > 1 else server.script[0]
                getattr(self, "_" + step[0])(*step[1:])

            def _send(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _text(self, content: str) -> None:
                self._send(
                    200,
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": content},
                            }
                        ],
                    },
                )

            def _json(self, obj: Any) -> None:
                self._text(json.dumps(obj))

            def _status(self, code: int) -> None:
                self._send(code, {"error": {"message": "scripted failure"}})

            def _hang(self, seconds: float) -> None:
                server.release.wait(seconds)
                self._text("{}")

            def _stream(self, pieces: list[str], delay_s: float = 0.0) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                try:
                    for piece in pieces:
                        chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                        if delay_s and server.release.wait(delay_s):
                            pass
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    server.disconnected.set()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
