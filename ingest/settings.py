"""Every setting of config.toml, declared once with its default and help text (the shipped
defaults: a user's config.toml overrides only what it sets).

The README's settings table lists each one (tests/test_config.py checks), and
`ingest/config.py` reads a config file against this registry: an unknown key or a value
of the wrong kind is refused there, an out-of-range one by `ingest/config_ranges.py`.
A new setting is one `Setting(...)` line here plus its README row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    section: str
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("store", "path", "data/monitor.sqlite3", "SQLite store file (WAL mode), relative to config.toml."),
    Setting(
        "store",
        "url",
        "sqlite:///data/monitor.sqlite3",
        "Where the store lives: `sqlite:///file` (relative to config.toml) or `postgresql://user@host:5432/db` "
        "for a shared team store. `MONITOR_STORE_URL` overrides it; when unset, `store.path` is used.",
    ),
    Setting("ingest", "concurrency", 8, "Feeds fetched at once."),
    Setting(
        "ingest",
        "timeout_seconds",
        20.0,
        "Deadline for one whole HTTP request (DNS, connect, headers, body, redirects).",
    ),
    Setting("ingest", "max_bytes", 10_000_000, "Largest feed or article body accepted (after decompression)."),
    Setting("ingest", "max_redirects", 5, "Redirects followed before a fetch is an error."),
    Setting(
        "ingest",
        "user_agent",
        "discourse-monitor/1.0 (+https://github.com/discourse-monitor; policy research feed reader)",
        "User-Agent header sent with every request.",
    ),
    Setting("ingest", "backoff_base_seconds", 300.0, "First wait after a retryable failure; doubles per failure."),
    Setting("ingest", "backoff_max_seconds", 21_600.0, "Longest wait between attempts: a feed is never dropped."),
    Setting(
        "ingest",
        "fulltext_allow_hosts",
        [],
        "Hosts that article links and feed redirects may reach even at private addresses.",
    ),
    Setting("ingest", "lock_wait_seconds", 0.0, "How long a second ingest waits for the first before exiting."),
    Setting(
        "ingest",
        "archive_batch_rows",
        1000,
        "Archive rows scored and stored per transaction: bounds an import's memory and what a crash can lose.",
    ),
    Setting("scoring", "lexicon", "data/lexicon.toml", "Concept lexicon file, relative to config.toml."),
    Setting("scoring", "threshold", 1.0, "Item score at or above which an item counts as matching."),
    Setting("scoring", "distanced_weight", 0.5, "Weight of a distanced (quoted / so-called) hit in the item score."),
    Setting(
        "scoring",
        "processes",
        1,
        "Processes that score archives longer than ten batches (0: every core). More than one was slower "
        "on a busy 2-core machine: see docs/benchmarks.md.",
    ),
    Setting("dashboard", "refresh_seconds", 300, "How often an open dashboard re-reads the store."),
    Setting(
        "dashboard",
        "default_days",
        90,
        "Length of the default period, in days: the latest window of this length that the sources cover "
        'well (docs/methodology.md, "Default view").',
    ),
    Setting("dashboard", "page_size", 50, "Rows per page in the article list."),
    Setting(
        "dashboard",
        "default_concepts",
        [
            "new_security_concept",
            "asian_security_concept",
            "common_comprehensive_cooperative_sustainable_security",
            "global_security_initiative",
            "community_shared_future",
        ],
        "Concepts the Overview chart opens on (lexicon ids): by default the lineage the monitor follows.",
    ),
    Setting(
        "dashboard",
        "min_items",
        20,
        "Buckets with fewer items are thin: drawn hollow and faded, and left out of rose/fell most.",
    ),
    # Alerts (README "Watches and alerts"). Secrets never sit in this file: only where to read them.
    Setting("alerts", "enabled", True, "Evaluate watches and alert rules after each ingest run."),
    Setting("alerts", "dashboard_url", "http://localhost:8501", "Dashboard address used in links inside alerts."),
    Setting("alerts", "digest_after", 5, "More pending alerts than this for one channel go out as one digest."),
    Setting("alerts", "retries", 3, "Further attempts after a failed delivery, waiting backoff_seconds, doubling."),
    Setting("alerts", "backoff_seconds", 2.0, "Wait before the first retry of a failed delivery."),
    Setting("alerts", "timeout_seconds", 10.0, "Timeout of one webhook POST or SMTP session."),
    Setting("alerts", "webhook_url", "", "URL that receives each alert as a signed JSON POST (empty: off)."),
    Setting(
        "alerts",
        "webhook_secret_file",
        "",
        "File (outside the project folder) holding the HMAC-SHA256 key; else $MONITOR_WEBHOOK_SECRET.",
    ),
    Setting("alerts", "smtp_host", "", "SMTP server for alert mail (empty: no mail)."),
    Setting("alerts", "smtp_port", 587, "SMTP port."),
    Setting("alerts", "smtp_starttls", True, "Upgrade the SMTP session with STARTTLS before logging in."),
    Setting("alerts", "smtp_ca_file", "", "CA certificate(s) to trust for the SMTP server (empty: the system's)."),
    Setting("alerts", "smtp_user", "", "SMTP login (empty: no login)."),
    Setting(
        "alerts",
        "smtp_password_file",
        "",
        "File (outside the project folder) holding the SMTP password; else $MONITOR_SMTP_PASSWORD.",
    ),
    Setting("alerts", "mail_from", "monitor@localhost", "Sender address of alert mail."),
    Setting("alerts", "mail_to", [], "Recipients of alert mail."),
    Setting("alerts", "briefing_mail", False, "After each run, mail the last complete week's briefing once."),
)
