"""A tiny feed server on 127.0.0.1 for the ingest benchmark, run as its own process:
`python -m bench.httpd DIR` serves DIR/*.xml with strong ETags, answers 304 when
If-None-Match carries the ETag, prints its port on the first line of stdout and
reports how many 200s and 304s it sent at /stats.  It stops when stdin closes.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class FeedFiles:
    def __init__(self, directory: Path):
        self.bodies: dict[str, tuple[bytes, str]] = {}
        for path in sorted(directory.glob("*.xml")):
            body = path.read_bytes()
            self.bodies[f"/{path.name}"] = (body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
        self.counts = {"200": 0, "304": 0, "404": 0}
        self.lock = threading.Lock()

    def count(self, status: int) -> None:
        with self.lock:
            self.counts[str(status)] = self.counts.get(str(status), 0) + 1


def handler_for(files: FeedFiles) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path == "/stats":
                return self._send(200, json.dumps(files.counts).encode(), "application/json", count=False)
            found = files.bodies.get(self.path.split("?")[0])
            if found is None:
                return self._send(404, b"not found", "text/plain")
            body, etag = found
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", None, etag)
            return self._send(200, body, "application/rss+xml; charset=utf-8", etag)

        def _send(self, status: int, body: bytes, ctype: str | None, etag: str | None = None, count: bool = True):
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
            if count:
                files.count(status)

    return Handler


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops SYNs under 8 concurrent fetches; the kernel's
    # one-second retransmit then shows up as ingest time.
    request_queue_size = 128


def main() -> None:
    files = FeedFiles(Path(sys.argv[1]))
    httpd = _Server(("127.0.0.1", 0), handler_for(files))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(httpd.server_address[1], flush=True)
    sys.stdin.read()  # the benchmark closes our stdin when it is done
    httpd.shutdown()


if __name__ == "__main__":
    main()
