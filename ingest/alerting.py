"""After each ingest: top up every watch, decide the alert events (each once, by its
key in the store) and deliver what is pending to the configured channels.

Decided and delivered are separate steps with separate records, so a process
killed in between leaves pending deliveries that the next run (or `python -m
ingest alerts deliver`) sends; a storm of events goes out as one digest.
"""

from __future__ import annotations

import logging
import os
import smtplib
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from analysis.alerts import decide_events
from store import Store, StoreError, now_utc
from store.alert_log import AlertEvent, AlertLog
from store.timefmt import iso
from store.watch_reads import WatchReads
from store.watches import WatchBook

from .config import Config, ConfigError

log = logging.getLogger(__name__)
SECRET_ENV = {"webhook_secret_file": "MONITOR_WEBHOOK_SECRET", "smtp_password_file": "MONITOR_SMTP_PASSWORD"}


@dataclass
class AlertReport:
    matched: dict[str, int] = field(default_factory=dict)  # watch -> items added
    decided: list[AlertEvent] = field(default_factory=list)
    delivered: dict[str, int] = field(default_factory=dict)  # channel -> events delivered
    failed: dict[str, str] = field(default_factory=dict)  # channel -> last error

    def lines(self) -> list[str]:
        out = [f"alerts: {len(self.decided)} new event(s)"]
        out += [f"  {printable(e.title)}" for e in self.decided[:20]]
        out += [f"  delivered {n} by {ch}" for ch, n in self.delivered.items() if n]
        out += [f"  {ch} delivery failed (will retry next run): {err}" for ch, err in self.failed.items()]
        return out


def printable(text: str) -> str:
    """Feed titles reach the terminal: no control characters (escape sequences) pass."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def read_secret(config: Config, key: str) -> str | None:
    """The secret named by the setting `alerts.<key>` (a file path) or its environment
    variable.  A file inside the project folder is refused: it would end up committed."""
    path_text = str(config.get("alerts", key))
    if path_text:
        path = config.resolve(path_text).resolve()
        if path.is_relative_to(config.base.resolve()):
            raise ConfigError(
                f"{config.path}: 'alerts.{key}' points inside the project folder ({path}); keep secrets "
                f"outside it or in ${SECRET_ENV[key]}"
            )
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{config.path}: 'alerts.{key}': cannot read the secret file: {exc.strerror}") from None
    return os.environ.get(SECRET_ENV[key]) or None


def channels(config: Config) -> list[str]:
    settings = config.settings["alerts"]
    out = []
    if settings["webhook_url"]:
        out.append("webhook")
    if settings["smtp_host"] and settings["mail_to"]:
        out.append("email")
    return out


def evaluate_watches(store: Store, report: AlertReport) -> None:
    book = WatchBook(store.conn)
    for watch in book.list():
        report.matched[watch.name] = book.evaluate(watch.name)


def decide_all(store: Store, config: Config, report: AlertReport, now: datetime) -> None:
    reads, alert_log = WatchReads(store.conn), AlertLog(store.conn)
    newest = reads.newest_day()
    for watch in WatchBook(store.conn).list():
        for event in decide_events(reads, watch, config.get("alerts", "dashboard_url"), newest):
            if alert_log.decide(event, channels(config), now):
                report.decided.append(event)


def after_run(config: Config, store: Store, now: datetime | None = None) -> AlertReport:
    now = now or now_utc()
    report = AlertReport()
    evaluate_watches(store, report)
    decide_all(store, config, report, now)
    if config.get("alerts", "briefing_mail"):
        from .alert_briefing import decide_briefing

        event = decide_briefing(config, store, None, now)
        if event is not None:
            report.decided.append(event)
    deliver_pending(config, store, report)
    return report


def alerts_after_ingest(config: Config, store: Store) -> AlertReport | None:
    """`after_run` when alerts are enabled; a failure is logged, never the ingest's failure."""
    if not config.get("alerts", "enabled"):
        return None
    try:
        return after_run(config, store)
    except (OSError, ValueError, StoreError) as exc:
        log.warning("alerts not evaluated: %s", exc)
        return None


def deliver_pending(
    config: Config, store: Store, report: AlertReport, sleep: Callable[[float], None] = time.sleep
) -> None:
    alert_log = AlertLog(store.conn)
    for channel in channels(config):
        try:
            send = _sender(config, channel)
        except ConfigError as exc:  # e.g. a webhook without a secret: the other channels still go out
            report.failed[channel] = str(exc)
            continue
        events = alert_log.claim(channel, now_utc())
        briefings = [e for e in events if e.rule == "briefing"]
        alerts = [e for e in events if e.rule != "briefing"]
        digest_after = int(config.get("alerts", "digest_after"))
        batches = [alerts] if len(alerts) > digest_after else [[e] for e in alerts]
        for batch in [*batches, *[[b] for b in briefings]]:
            if batch and _send_batch(config, alert_log, channel, batch, send, report, sleep):
                report.delivered[channel] = report.delivered.get(channel, 0) + len(batch)


def _sender(config: Config, channel: str) -> Callable[[Sequence[AlertEvent], str], str]:
    settings = config.settings["alerts"]
    if channel == "webhook":
        from .deliver_webhook import post_alerts, webhook_body

        secret = read_secret(config, "webhook_secret_file")
        if not secret:
            raise ConfigError(
                f"{config.path}: 'alerts.webhook_url' is set but no secret: set 'alerts.webhook_secret_file' "
                "or $MONITOR_WEBHOOK_SECRET"
            )
        key = secret.encode("utf-8")
        if not str(settings["webhook_url"]).lower().startswith(("http://", "https://")):
            raise ConfigError(f"{config.path}: 'alerts.webhook_url' must be an http:// or https:// URL")

        def send_webhook(events: Sequence[AlertEvent], batch: str) -> str:
            body = webhook_body(events, batch, now_utc())
            return post_alerts(
                settings["webhook_url"], key, body, [e.event_key for e in events], settings["timeout_seconds"]
            )

        return send_webhook
    from .deliver_email import alert_message, send_mail

    password = read_secret(config, "smtp_password_file") if settings["smtp_user"] else None
    if settings["smtp_ca_file"]:
        settings = settings | {"smtp_ca_file": str(config.resolve(settings["smtp_ca_file"]))}

    def send_email(events: Sequence[AlertEvent], batch: str) -> str:
        return send_mail(settings, password, alert_message(events, settings["mail_from"], settings["mail_to"]))

    return send_email


def _send_batch(config, alert_log: AlertLog, channel, events, send, report: AlertReport, sleep) -> bool:
    retries, backoff = int(config.get("alerts", "retries")), float(config.get("alerts", "backoff_seconds"))
    keys = [e.event_key for e in events]
    batch = f"{channel}-{iso(now_utc())}-{uuid.uuid4().hex[:8]}"
    error = ""
    for attempt in range(1, retries + 2):
        try:
            detail = send(events, batch)
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
            alert_log.log_attempt(batch, channel, attempt, False, len(events), error, now_utc())
            log.warning("alert delivery by %s failed (attempt %d): %s", channel, attempt, error)
            if attempt <= retries:
                sleep(backoff * 2 ** (attempt - 1))
            continue
        alert_log.log_attempt(batch, channel, attempt, True, len(events), detail, now_utc())
        alert_log.finish(keys, channel, True, batch, None, now_utc(), attempt)
        return True
    alert_log.finish(keys, channel, False, batch, error, now_utc(), retries + 1)
    report.failed[channel] = error
    return False
