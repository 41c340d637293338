"""Alerts end to end with real receivers: a planted surge in a real store, the rules
deciding events once, a real HTTP server checking the HMAC signature of each POST,
a real SMTP server (aiosmtpd) receiving plain text + HTML mail, retries, digests,
and a sender killed with SIGKILL between "decided" and "delivered".

Every test that touches a store runs twice, on SQLite and on a real PostgreSQL server
(`store_url` sets MONITOR_STORE_URL, which the configs loaded here and the commands
started here inherit)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from ingest.alerting import after_run, read_secret
from ingest.config import ConfigError, load_config
from store import Store, now_utc
from store.reads import StoreReader
from store.watches import AlertRules, Watch, WatchBook
from tests.alert_receivers import SmtpMailbox, WebhookReceiver, self_signed
from tests.builders import REPO, SourceSpec, write_config, write_jsonl
from tests.dashboard_fixtures import FIELDS, run_ingest

SECRET = "s3cret-hmac-key-for-tests"
GSI_TEXT = "The minister praised the Global Security Initiative at length."
PLAIN = "Ministers discussed trade, the weather and tourism at a regional fair."
DISTANCED = 'Diplomats called the so-called "Global Security Initiative" a rebranding.'
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> GSI praised'


def rows(start: date, days: int, per_day: list[str], prefix: str) -> list[dict]:
    out = []
    for d in range(days):
        day = start + timedelta(days=d)
        for i, text in enumerate(per_day):
            out.append(
                {
                    "date": day.isoformat(),
                    "title": f"{prefix} {day} {i}",
                    "text": text,
                    "url": f"https://{prefix}.example/{day}/{i}",
                }
            )
    return out


BASELINE = rows(date(2026, 10, 5), 28, [PLAIN, PLAIN, PLAIN], "wire") + [
    {
        "date": (date(2026, 10, 5) + timedelta(days=7 * k)).isoformat(),
        "title": f"GSI {k}",
        "text": GSI_TEXT,
        "url": f"https://wire.example/gsi/{k}",
    }
    for k in range(4)
]
SURGE = rows(date(2026, 11, 2), 7, [PLAIN, PLAIN, PLAIN, GSI_TEXT, GSI_TEXT, GSI_TEXT], "surge")
WEST_BEFORE = [{"date": "2026-10-20", "title": "Weather", "text": PLAIN, "url": "https://west.example/0"}]
WEST_AFTER = WEST_BEFORE + [
    {"date": "2026-11-05", "title": HOSTILE, "text": GSI_TEXT, "url": "https://west.example/1"},
    {"date": "2026-11-06", "title": "Doubts", "text": DISTANCED, "url": "https://west.example/2"},
]


class Planted:
    def __init__(self, tmp_path: Path, alerts: dict, secret_dir: Path):
        self.dir = tmp_path
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.wire = write_jsonl(tmp_path / "wire.jsonl", BASELINE)
        self.west = write_jsonl(tmp_path / "west.jsonl", WEST_BEFORE)
        settings = {"alerts": {"retries": 2, "backoff_seconds": 0.01, "timeout_seconds": 5.0, **alerts}}
        secret = secret_dir / "webhook.key"
        secret.write_text(SECRET + "\n", encoding="utf-8")
        settings["alerts"].setdefault("webhook_secret_file", str(secret))
        self.config_path = write_config(
            tmp_path,
            [
                SourceSpec("wire", "cn-official", "archive", {"path": str(self.wire), "fields": FIELDS}, name="Wire"),
                SourceSpec(
                    "west",
                    "western-media",
                    "archive",
                    {"path": str(self.west), "fields": FIELDS},
                    name="West <b>Daily</b>",
                ),
            ],
            settings=settings,
        )
        run_ingest(self.config_path)
        self.config = load_config(self.config_path)

    def watch(self, **rules) -> None:
        with Store(self.config.store_target) as s:
            book = WatchBook(s.conn)
            book.save(
                Watch(
                    "gsi", "concept", "GSI watch", concepts=("global_security_initiative",), rules=AlertRules(**rules)
                ),
                now_utc(),
            )
            book.evaluate("gsi")

    def surge(self) -> None:
        write_jsonl(self.wire, BASELINE + SURGE)
        write_jsonl(self.west, WEST_AFTER)
        run_ingest(self.config_path)

    def alerts(self):
        with Store(self.config.store_target) as s:
            return after_run(self.config, s)

    def table(self, sql: str) -> list[tuple]:
        """Rows as tuples, read through the store's own connection (either backend)."""
        with StoreReader(self.config.store_target) as reader:
            return [tuple(r) for r in reader.conn.execute(sql).fetchall()]


@pytest.fixture
def secret_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("secrets")  # outside the project folder of the config


def verify(post) -> dict:
    expected = "sha256=" + hmac.new(SECRET.encode(), post.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(post.headers["X-Monitor-Signature"], expected)
    return json.loads(post.body)


RULES = {"rise": True, "first_in_groups": ("western-media",), "new_item_sources": ("west",)}


def test_surge_fires_each_rule_once_by_webhook_and_mail(tmp_path, secret_dir, store_url):
    with WebhookReceiver() as hook, SmtpMailbox() as smtp:
        p = Planted(
            tmp_path,
            {
                "webhook_url": hook.url,
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp.port,
                "smtp_starttls": False,
                "mail_to": ["analyst@example.org"],
                "dashboard_url": "http://dash.example:8501",
            },
            secret_dir,
        )
        p.watch(**RULES)
        assert p.alerts().decided == []  # the baseline alone is no news, nor is history
        p.surge()
        report = p.alerts()
        rules = sorted(e.rule for e in report.decided)
        assert rules == ["first_in_group", "new_item", "new_item", "rise"]
        assert report.delivered == {"webhook": 4, "email": 4}
        events = [e for post in hook.accepted for e in verify(post)["events"]]
        assert sorted(e["rule"] for e in events) == rules
        rise = next(e for e in events if e["rule"] == "rise")
        assert rise["key"] == "rise:gsi:2026-W45"
        # 21 wire + 2 west items of 44 this week; 4 of the 89 items of the four weeks before
        assert "23 of 44 items" in rise["reason"] and "4 of 89" in rise["reason"]
        assert rise["link"] == "http://dash.example:8501/watches?watch=gsi"
        assert "Global Security Initiative" in rise["evidence"][0]["passage"]
        first = next(e for e in events if e["rule"] == "first_in_group")
        assert first["evidence"][0]["title"] == HOSTILE  # the own-voice item, not the distanced one
        assert len(smtp.messages) == 4
        # Reruns, as after every ingest: nothing is decided or sent twice.
        assert p.alerts().decided == [] and p.alerts().delivered == {}
        assert len(hook.accepted) == 4 and len(smtp.messages) == 4
        assert p.table("SELECT count(*) FROM alert_deliveries WHERE state = 'delivered'") == [(8,)]


def test_mail_has_plain_and_html_with_the_hostile_title_escaped(tmp_path, secret_dir, store_url):
    with SmtpMailbox(login=("alerts", "pw-from-file")) as smtp:
        pw = secret_dir / "smtp.pw"
        pw.write_text("pw-from-file\n", encoding="utf-8")
        p = Planted(
            tmp_path,
            {
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp.port,
                "smtp_starttls": False,
                "smtp_user": "alerts",
                "smtp_password_file": str(pw),
                "mail_to": ["a@example.org", "b@example.org"],
            },
            secret_dir,
        )
        p.watch(rise=False, first_in_groups=("western-media",))
        p.surge()
        report = p.alerts()
        assert report.delivered == {"email": 1}, report.failed
        (msg,) = smtp.messages
        assert smtp.box.envelopes[0][1] == ["a@example.org", "b@example.org"]
        plain = msg.get_body(("plain",)).get_content()
        html_part = msg.get_body(("html",)).get_content()
        assert HOSTILE in plain and "Global Security Initiative" in plain
        assert "<script>" not in html_part and "<img" not in html_part
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html_part
        assert "West &lt;b&gt;Daily&lt;/b&gt;" in html_part
        assert '<a href="http://localhost:8501/watches?watch=gsi">' in html_part
        assert re.search(r'<a href="http://localhost:8501/article\?item=\d+">in the dashboard</a>', html_part)
        assert "\n" not in msg["Subject"] and "first own-voice use in western-media" in msg["Subject"]


def test_a_failing_receiver_is_retried(tmp_path, secret_dir, store_url):
    with WebhookReceiver(fail_first=2) as hook:
        p = Planted(tmp_path, {"webhook_url": hook.url}, secret_dir)
        p.watch(rise=False, first_in_groups=("western-media",))
        p.surge()
        report = p.alerts()
        assert report.delivered == {"webhook": 1} and [x.status for x in hook.posts] == [503, 503, 200]
        log = p.table("SELECT attempt, ok FROM delivery_log ORDER BY attempt")
        assert log == [(1, 0), (2, 0), (3, 1)]


def test_a_dead_receiver_is_retried_next_run(tmp_path, secret_dir, store_url):
    with WebhookReceiver(fail_first=100) as dead:
        p2 = Planted(tmp_path, {"webhook_url": dead.url}, secret_dir)
        p2.watch(rise=False, first_in_groups=("western-media",))
        p2.surge()
        report = p2.alerts()
        assert report.delivered == {} and "503" in report.failed["webhook"]
        assert len(dead.posts) == 3  # one attempt and two retries
        assert p2.table("SELECT state, attempts FROM alert_deliveries") == [("pending", 3)]
    with WebhookReceiver() as healthy:
        config = p2.config_path.read_text(encoding="utf-8").replace(dead.url, healthy.url)
        p2.config_path.write_text(config, encoding="utf-8")
        p2.config = load_config(p2.config_path)
        assert p2.alerts().delivered == {"webhook": 1}
        assert len(healthy.accepted) == 1
        assert p2.table("SELECT state FROM alert_deliveries") == [("delivered",)]


def test_an_alert_storm_is_one_digest(tmp_path, secret_dir, store_url):
    with SmtpMailbox() as smtp:
        p = Planted(
            tmp_path,
            {
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp.port,
                "smtp_starttls": False,
                "mail_to": ["a@example.org"],
                "digest_after": 3,
            },
            secret_dir,
        )
        p.watch(rise=True, new_item_sources=("wire",))
        p.surge()
        report = p.alerts()
        assert len(report.decided) == 22  # 21 new matching wire items and the rise
        assert report.delivered == {"email": 22}
        (msg,) = smtp.messages
        assert "22 alerts (digest)" in msg["Subject"]
        assert msg.get_body(("plain",)).get_content().count("Open in the dashboard") == 22


def test_killed_between_decided_and_delivered_delivers_once_after_restart(tmp_path, secret_dir, store_url):
    env = os.environ | {"MONITOR_WEBHOOK_SECRET": SECRET}
    with WebhookReceiver(hang=True) as hook:
        p = Planted(tmp_path, {"webhook_url": hook.url, "webhook_secret_file": ""}, secret_dir)
        p.watch(rise=True, first_in_groups=("western-media",))
        p.surge()
        cmd = [sys.executable, "-m", "ingest", "--config", str(p.config_path), "alerts"]
        proc = subprocess.Popen([*cmd, "run"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert hook.arrived.wait(60), proc.communicate(timeout=5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        hook.release.set()
        assert p.table("SELECT count(*) FROM alert_events") == [(2,)]
        assert p.table("SELECT count(*) FROM alert_deliveries WHERE state = 'delivered'") == [(0,)]
        time.sleep(0.2)
        out = subprocess.run([*cmd, "deliver"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        again = subprocess.run([*cmd, "run"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        delivered = [e["key"] for post in hook.accepted for e in verify(post)["events"]]
        assert sorted(delivered) == ["first:gsi:western-media", "rise:gsi:2026-W45"]  # each exactly once
        assert p.table("SELECT count(*) FROM alert_deliveries WHERE state = 'delivered'") == [(2,)]
        assert SECRET not in out.stdout + out.stderr + again.stdout + again.stderr


def test_secrets_never_come_from_the_project_folder(tmp_path, secret_dir):
    inside = tmp_path / "webhook.key"
    inside.write_text(SECRET, encoding="utf-8")
    config = load_config(write_config(tmp_path, [], settings={"alerts": {"webhook_secret_file": str(inside)}}))
    with pytest.raises(ConfigError, match="alerts.webhook_secret_file' points inside the project folder"):
        read_secret(config, "webhook_secret_file")
    config = load_config(write_config(tmp_path, [], settings={"alerts": {"webhook_secret_file": "/nonexistent/k"}}))
    with pytest.raises(ConfigError, match="cannot read the secret file"):
        read_secret(config, "webhook_secret_file")


def test_a_rise_below_the_minimum_count_is_never_called(tmp_path, secret_dir, store_url):
    p = Planted(tmp_path, {}, secret_dir)
    p.watch(rise=True, min_items=1000)
    p.surge()
    assert p.alerts().decided == []
    assert p.table("SELECT count(*) FROM alert_events") == [(0,)]  # logged only when decided


def test_weekly_briefing_is_mailed_once_per_week(tmp_path, secret_dir, store_url):
    with SmtpMailbox() as smtp:
        p = Planted(
            tmp_path,
            {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_starttls": False, "mail_to": ["a@example.org"]},
            secret_dir,
        )
        p.surge()
        cmd = [
            sys.executable,
            "-m",
            "ingest",
            "--config",
            str(p.config_path),
            "alerts",
            "send-briefing",
            "--week",
            "2026-W45",
        ]
        first = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        second = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
        assert "mailed before" in second.stdout
        (msg,) = smtp.messages
        assert "Weekly briefing 2026-W45" in msg["Subject"]
        assert "2026-W45" in msg.get_body(("html",)).get_content()


def test_several_workers_decide_and_deliver_each_event_once(tmp_path, secret_dir, store_url):
    env = os.environ | {"MONITOR_WEBHOOK_SECRET": SECRET}
    with WebhookReceiver(delay=0.3) as hook:
        p = Planted(tmp_path, {"webhook_url": hook.url, "webhook_secret_file": "", "digest_after": 100}, secret_dir)
        p.watch(rise=True, first_in_groups=("western-media",), new_item_sources=("west",))
        p.surge()
        cmd = [sys.executable, "-m", "ingest", "--config", str(p.config_path), "alerts", "run"]
        workers = [
            subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)
        ]
        outputs = [w.communicate(timeout=120) for w in workers]
        assert [w.returncode for w in workers] == [0, 0, 0], outputs
        delivered = sorted(e["key"] for post in hook.accepted for e in verify(post)["events"])
        assert len(delivered) == 4 and len(set(delivered)) == 4  # rise, first, two new items: each once
        assert p.table("SELECT count(*) FROM alert_events") == [(4,)]
        assert p.table("SELECT count(*) FROM alert_deliveries WHERE state = 'delivered'") == [(4,)]


def test_mail_over_starttls_with_login_and_a_private_ca(tmp_path, secret_dir, store_url):
    context, ca_file = self_signed(secret_dir)
    pw = secret_dir / "smtp.pw"
    pw.write_text("tls-pw", encoding="utf-8")
    with SmtpMailbox(login=("alerts", "tls-pw"), tls=context) as smtp:
        mail = {
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_starttls": True,
            "smtp_user": "alerts",
            "smtp_password_file": str(pw),
            "mail_to": ["a@example.org"],
        }
        p = Planted(tmp_path, mail, secret_dir)  # the system's CAs: the private certificate is refused
        p.watch(rise=False, first_in_groups=("western-media",))
        p.surge()
        report = p.alerts()
        assert report.delivered == {} and "CERTIFICATE_VERIFY_FAILED" in report.failed["email"]
        assert smtp.messages == []
        text = p.config_path.read_text(encoding="utf-8").replace(
            "[alerts]", f"[alerts]\nsmtp_ca_file = {json.dumps(ca_file)}"
        )
        p.config_path.write_text(text, encoding="utf-8")
        p.config = load_config(p.config_path)
        assert p.alerts().delivered == {"email": 1}
        assert len(smtp.messages) == 1 and "first own-voice use" in smtp.messages[0]["Subject"]


def test_weekly_briefing_by_setting_goes_out_once_after_runs(tmp_path, secret_dir, store_url):
    with SmtpMailbox() as smtp:
        p = Planted(
            tmp_path,
            {
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp.port,
                "smtp_starttls": False,
                "mail_to": ["a@example.org"],
                "briefing_mail": True,
            },
            secret_dir,
        )
        p.surge()
        first, second = p.alerts(), p.alerts()
        assert [e.rule for e in first.decided] == ["briefing"] and second.decided == []
        (msg,) = smtp.messages
        assert msg["Subject"].startswith("Monitor alert: Weekly briefing 20")


def test_a_backlog_of_new_items_beyond_one_run_is_worked_off(tmp_path, secret_dir, monkeypatch, store_url):
    import analysis.alerts

    monkeypatch.setattr(analysis.alerts, "NEW_ITEMS_PER_RUN", 5)  # the bound per run, made small
    p = Planted(tmp_path, {}, secret_dir)
    p.watch(rise=False, new_item_sources=("wire",))
    p.surge()
    counts = [len(p.alerts().decided) for _ in range(6)]
    assert counts == [5, 5, 5, 5, 1, 0]  # 21 new matching items, each once


def test_ingest_run_evaluates_alerts_and_a_broken_channel_never_fails_the_run(tmp_path, secret_dir, store_url):
    with SmtpMailbox() as smtp:
        p = Planted(
            tmp_path,
            {
                "webhook_url": "http://127.0.0.1:9/hook",
                "webhook_secret_file": "",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp.port,
                "smtp_starttls": False,
                "mail_to": ["a@example.org"],
            },
            secret_dir,
        )
        p.watch(rise=True)
        write_jsonl(p.wire, BASELINE + SURGE)
        env = {k: v for k, v in os.environ.items() if k != "MONITOR_WEBHOOK_SECRET"}
        run = subprocess.run(
            [sys.executable, "-m", "ingest", "--config", str(p.config_path), "run", "--quiet"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr
        assert "alerts: 1 new event(s)" in run.stdout and "delivered 1 by email" in run.stdout
        assert "webhook delivery failed" in run.stdout and "MONITOR_WEBHOOK_SECRET" in run.stdout
        assert len(smtp.messages) == 1
        assert p.table("SELECT channel, state FROM alert_deliveries ORDER BY channel") == [
            ("email", "delivered"),
            ("webhook", "pending"),
        ]


def test_alert_evidence_dates_an_item_as_precisely_as_it_is_known(tmp_path, secret_dir, store_url):
    """A year-dated speech and an undated row alerted as new items: their evidence, reason and
    mail say "2026 (year only)" and "undated", never 1 January or a blank date."""
    from ingest.alert_text import html_text, plain_text

    p = Planted(tmp_path, {}, secret_dir)
    p.watch(rise=False, new_item_sources=("west",), first_in_groups=("western-media",))
    write_jsonl(
        p.west,
        WEST_BEFORE
        + [
            {"date": "2026", "title": "Speech", "text": GSI_TEXT + " A speech.", "url": "https://west.example/y"},
            {"title": "Undated note", "text": GSI_TEXT + " A note.", "url": "https://west.example/u"},
        ],
    )
    run_ingest(p.config_path)
    events = p.alerts().decided
    dates = {ev["title"]: ev["date"] for e in events for ev in e.evidence}
    assert dates == {"Speech": "2026 (year only)", "Undated note": "undated"}
    first = next(e for e in events if e.rule == "first_in_group")
    assert "2026-01-01" not in first.reason and ("2026 (year only)" in first.reason or "undated" in first.reason)
    for text in (plain_text(events), html_text(events)):
        assert "2026 (year only)" in text and "undated" in text and "2026-01-01" not in text
