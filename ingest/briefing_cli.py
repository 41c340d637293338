"""`python -m ingest briefing`: compute the briefing and write it in one format."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from analysis.briefing import RENDERERS, compute_briefing
from store.briefing_reads import BriefingReader

from .config import Config

EXIT_OK, EXIT_USAGE = 0, 2


def write_briefing(config: Config, week: str | None, groups: Sequence[str] | None, fmt: str, out: Path | None) -> int:
    known = {g.id for g in config.groups}
    unknown = sorted(set(groups or ()) - known)
    if unknown:
        print(f"error: unknown group(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})", file=sys.stderr)
        return EXIT_USAGE
    reader = BriefingReader(config.store_target)
    try:
        briefing = compute_briefing(reader, week, groups)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        reader.close()
    text = RENDERERS[fmt](briefing)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        print(f"wrote the {briefing.week} briefing ({briefing.scope}) to {out}", file=sys.stderr)
    return EXIT_OK
