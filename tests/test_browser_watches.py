"""A real dashboard, a real browser, a real ingest and a real SMTP server: the analyst
creates a watch in the dashboard, an ingest brings a planted surge, and the alert is in
the dashboard's log and in the mailbox."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.alert_receivers import SmtpMailbox
from tests.builders import REPO, SourceSpec, write_config, write_jsonl
from tests.dashboard_fixtures import CHROMIUM, CHROMIUM_ARGS, FIELDS, start_dashboard
from tests.test_alerts import BASELINE, SURGE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium"),
]


def ingest(config) -> subprocess.CompletedProcess:
    out = subprocess.run(
        [sys.executable, "-m", "ingest", "--config", str(config), "run", "--quiet"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return out


def test_watch_created_in_the_browser_alerts_after_a_surge(tmp_path):
    from playwright.sync_api import sync_playwright

    with SmtpMailbox() as smtp:
        wire = write_jsonl(tmp_path / "wire.jsonl", BASELINE)
        config = write_config(
            tmp_path,
            [SourceSpec("wire", "cn-official", "archive", {"path": str(wire), "fields": FIELDS}, name="Wire")],
            settings={
                "alerts": {
                    "smtp_host": "127.0.0.1",
                    "smtp_port": smtp.port,
                    "smtp_starttls": False,
                    "mail_to": ["analyst@example.org"],
                },
                "dashboard": {"refresh_seconds": 3600},
            },
        )
        ingest(config)
        proc, base, stderr = start_dashboard(config, tmp_path)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1200})
                page.set_default_timeout(30_000)
                page.goto(f"{base}/watches")
                page.get_by_text("No watches yet").wait_for()
                # the form is drawn once its expander is opened
                page.locator("[data-testid='stExpander'] summary").filter(has_text="Create or edit a watch").click()
                page.get_by_label("Name (lower-case letters, digits, - and _)").fill("gsi")
                page.get_by_label("Label").fill("GSI surge watch")
                concepts = page.locator("[data-testid='stMultiSelect']").filter(has_text="Concepts (for a concept")
                concepts.locator("input").click()
                concepts.locator("input").fill("Global Security Initiative")
                page.keyboard.press("Enter")
                page.keyboard.press("Escape")  # close the options list that covers the button
                page.get_by_role("button", name="Save watch").click()
                page.get_by_text("Saved the watch; 4 matching item(s)").wait_for()

                write_jsonl(wire, BASELINE + SURGE)
                ran = ingest(config)
                assert "alerts: 1 new event(s)" in ran.stdout and "delivered 1 by email" in ran.stdout

                page.goto(f"{base}/alerts")
                page.get_by_text("1 unseen alert(s)").wait_for()
                page.get_by_text("significant rise · watch gsi").first.wait_for()
                browser.close()
        except Exception:
            print("---- streamlit stderr ----\n" + stderr.read_text(errors="replace"))
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        (mail,) = smtp.messages
        assert mail["Subject"] == "Monitor alert: GSI surge watch: significant rise"
        body = mail.get_body(("plain",)).get_content()
        assert "Global Security Initiative" in body and "/watches?watch=gsi" in body
