"""A webhook receiver for the tests: a real HTTP server on a free local port, in a thread, that
keeps every request and answers with the statuses it is given (200 once they run out); and the
README's verification recipe, taken from the README itself, so the documented code is what the
tests check every signature with."""

import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self, statuses=(), answer: bytes = b"thanks") -> None:
        self.requests: list[Received] = []
        self.statuses = list(statuses)
        self.answer = answer
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.receiver = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/medspa?clinic=1"

    def next_status(self) -> int:
        return self.statuses.pop(0) if self.statuses else 200

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        status = receiver.next_status()
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(receiver.answer)

    def log_message(self, *args) -> None:
        pass


def readme_verify():
    """`verify(secret, body, header, now=None)` as the README's Webhooks section writes it."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Webhooks", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 (the README's own recipe)
    return namespace["verify"]
