"""How numbers and untrusted text are written, shared by the page and every exporter."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pandas as pd

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


def day(iso: object) -> str:
    return text(iso)[:10]


def text(value: object) -> str:
    """A stored field as text; a missing one (None, NaN from a data frame, pandas NA) is blank.
    Archives may omit any field, so every renderer goes through here rather than str()."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # not a scalar: written as it is
        pass
    return str(value)


def optional(value: object) -> str | None:
    """`text`, with a missing or blank field as None."""
    out = text(value).strip()
    return out or None


def safe_url(url: object) -> str | None:
    """The URL if it is an absolute http(s) link, else None: nothing else is ever made clickable."""
    url = text(url).strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1" and the like: not a link
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%~-._")


def md_escape(value: object) -> str:
    """Markdown-inert text: every punctuation mark that could start markup is backslash-escaped."""
    flat = re.sub(r"\s+", " ", text(value))
    return _MD_SPECIAL.sub(r"\\\1", flat)


def md_link(title: object, url: object) -> str:
    link = safe_url(url)
    label = md_escape(text(title).strip()) or "(untitled)"
    if link is None:
        return label
    return f"[{label}]({link.replace('(', '%28').replace(')', '%29')})"
