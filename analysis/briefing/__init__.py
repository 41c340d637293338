"""The weekly briefing: compute once (compute.py), render as Markdown, HTML or CSV."""

from .compute import compute_briefing, resolve_week
from .model import Briefing
from .render_csv import render_csv
from .render_html import render_html
from .render_md import render_markdown, render_text

RENDERERS = {"md": render_markdown, "txt": render_text, "html": render_html, "csv": render_csv}

__all__ = [
    "RENDERERS",
    "Briefing",
    "compute_briefing",
    "render_csv",
    "render_html",
    "render_markdown",
    "render_text",
    "resolve_week",
]
