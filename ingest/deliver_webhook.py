"""Alerts as a signed JSON POST.

The body is signed with HMAC-SHA256 under a secret read from the environment or a
file outside the project (never from config.toml, never logged); the receiver
recomputes `sha256=<hex>` over the raw body and compares it with the
`X-Monitor-Signature` header.  `X-Monitor-Events` lists the event keys so a
receiver can drop a repeat (a sender killed after the POST but before recording
it sends the same events again after restart).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import datetime

from store.alert_log import AlertEvent

from .alert_text import event_json

MAX_RESPONSE = 64_000


def signature(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def webhook_body(events: Sequence[AlertEvent], batch: str, sent_at: datetime) -> bytes:
    payload = {
        "batch": batch,
        "sent_at": sent_at.isoformat(),
        "digest": len(events) > 1,
        "events": [event_json(e) for e in events],
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")


def post_alerts(url: str, secret: bytes, body: bytes, keys: Sequence[str], timeout: float) -> str:
    """POST once; returns a short outcome for the delivery log, raises OSError on failure."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "discourse-monitor-alerts/1.0",
            "X-Monitor-Signature": signature(secret, body),
            "X-Monitor-Events": ",".join(keys)[:4000],
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
            response.read(MAX_RESPONSE)
            return f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        raise OSError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise OSError(f"cannot reach the webhook: {exc.reason}") from None
