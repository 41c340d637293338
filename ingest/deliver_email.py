"""Alerts by mail: plain text and HTML in one message, over SMTP with STARTTLS and
login as configured.  The password comes from the environment or a file outside
the project and is never logged (smtplib's debug output stays off)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import make_msgid

from store.alert_log import AlertEvent

from .alert_text import html_text, plain_text, subject


def alert_message(events: Sequence[AlertEvent], sender: str, recipients: Sequence[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject(events)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Message-ID"] = make_msgid(domain="discourse-monitor")
    message.set_content(plain_text(events))
    message.add_alternative(html_text(events), subtype="html")
    return message


def send_mail(settings: dict, password: str | None, message: EmailMessage) -> str:
    """Send once; returns a short outcome, raises OSError / smtplib.SMTPException on failure."""
    host, port, timeout = settings["smtp_host"], int(settings["smtp_port"]), float(settings["timeout_seconds"])
    with smtplib.SMTP(host, port, timeout=timeout) as smtp:
        smtp.ehlo()
        if settings["smtp_starttls"]:
            smtp.starttls(context=ssl.create_default_context(cafile=settings["smtp_ca_file"] or None))
            smtp.ehlo()
        if settings["smtp_user"]:
            smtp.login(settings["smtp_user"], password or "")
        refused = smtp.send_message(message)
    if refused:
        return f"sent; refused by the server for {', '.join(sorted(refused))}"
    return f"sent to {len(settings['mail_to'])} recipient(s)"
