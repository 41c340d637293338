"""Real receivers for alert deliveries, on 127.0.0.1: an HTTP server taking webhook
POSTs (it can fail the first N requests or hang on one until released) and an
aiosmtpd SMTP server with a mailbox (optionally requiring a login)."""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.dashboard_fixtures import free_port


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class WebhookReceiver:
    fail_first: int = 0  # answer 503 to this many requests first
    hang: bool = False  # hold the first request until `release` is set
    delay: float = 0.0  # seconds before answering (a slow receiver, for concurrent senders)
    posts: list[Post] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                hold = receiver.hang and not receiver.arrived.is_set()
                receiver.arrived.set()
                if hold:
                    receiver.release.wait(60)
                    receiver.posts.append(Post(self.path, dict(self.headers), body, 0))
                    return  # the sender was killed: no answer
                time.sleep(receiver.delay)
                failing = sum(p.status >= 500 for p in receiver.posts) < receiver.fail_first
                status = 503 if failing else 200
                receiver.posts.append(Post(self.path, dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @property
    def accepted(self) -> list[Post]:
        return [p for p in self.posts if p.status == 200]


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's naming
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


class SmtpMailbox:
    """aiosmtpd on 127.0.0.1; with `login` it refuses mail until AUTH succeeds."""

    def __init__(self, login: tuple[str, str] | None = None, tls: ssl.SSLContext | None = None):
        self.login = login
        self.tls = tls  # with a context the server offers STARTTLS and refuses mail and login before it
        self.box = _Mailbox()
        self.port = free_port()

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.login is not None
            and (
                auth_data.login.decode(),
                auth_data.password.decode(),
            )
            == self.login
        )
        return AuthResult(success=ok)

    def __enter__(self) -> SmtpMailbox:
        kwargs: dict = {}
        if self.login:
            kwargs = {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": bool(self.tls)}
        if self.tls:
            kwargs |= {"tls_context": self.tls, "require_starttls": True}
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.box.messages


def self_signed(directory) -> tuple[ssl.SSLContext, str]:
    """A certificate for 127.0.0.1 made by Debian's openssl: (server context, CA file for the client)."""
    import subprocess

    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, str(cert)
