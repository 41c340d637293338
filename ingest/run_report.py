"""What an ingest run reports: each source's outcome (new, duplicate, updated and failed
items, its error or warning, the first bad rows) and the run's totals.  The records the
CLI prints and the store keeps per run; the pipeline and the batch backfill both fill them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_PROBLEMS_KEPT = 100  # bad rows are all counted; the first ones are kept to be shown


@dataclass
class SourceOutcome:
    source_id: str
    status: str = "ok"  # ok | not-modified | skipped | error
    new: int = 0
    duplicates: int = 0
    updated: int = 0  # stored items replaced by a newer version of themselves
    failed: int = 0
    error: str | None = None
    warning: str | None = None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "new": self.new,
            "duplicates": self.duplicates,
            "failed": self.failed,
            "error": self.error,
            "warning": self.warning,
        }


@dataclass
class RunReport:
    run_id: int
    outcomes: list[SourceOutcome]
    status: str
    stale_lock_pid: int | None = None

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def duplicates(self) -> int:
        return sum(o.duplicates for o in self.outcomes)

    @property
    def updated(self) -> int:
        return sum(o.updated for o in self.outcomes)

    @property
    def errors(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.error]
