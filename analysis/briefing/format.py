"""How numbers and untrusted text are written, shared by the page and every exporter."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~#$])")  # what can start markup, links, HTML or LaTeX


def share(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.1f}%"


def pp(x: float | None) -> str:
    return "–" if x is None else f"{x:+.1f} pp"


def g2(x: float) -> str:
    return f"{x:.1f}"


def p_value(x: float) -> str:
    return "<0.001" if x < 0.001 else f"{x:.3f}"


def avg(x: float) -> str:
    return f"{x:.1f}"


def day(iso: str) -> str:
    return iso[:10]


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) link, else None: nothing else is ever made clickable."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%~-._")


def md_escape(text: str) -> str:
    """Markdown-inert text: every punctuation mark that could start markup is backslash-escaped."""
    text = re.sub(r"\s+", " ", str(text))
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_link(title: str, url: str | None) -> str:
    link = safe_url(url)
    label = md_escape(title.strip()) or "(untitled)"
    if link is None:
        return label
    return f"[{label}]({link.replace('(', '%28').replace(')', '%29')})"
