"""ISO weeks as the briefing counts them: Monday to Sunday, by the stored UTC day."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        m = _WEEK.match(text.strip())
        if not m:
            raise ValueError(f"not an ISO week: {text!r} (expected e.g. 2026-W47)")
        year, week = int(m.group(1)), int(m.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"{year} has no ISO week {week}") from None
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def first_day(self) -> str:
        return self.monday.isoformat()

    @property
    def last_day(self) -> str:
        return self.sunday.isoformat()

    def days(self) -> list[str]:
        return [(self.monday + timedelta(days=i)).isoformat() for i in range(7)]

    def shift(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.monday + timedelta(weeks=weeks))

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def week_of_day(day: str) -> str:
    return str(IsoWeek.of(date.fromisoformat(day)))


def default_week(today: date, newest_day: str | None, with_data: Iterable[str] = ()) -> IsoWeek:
    """The last complete week before `today`, or the newest week with data if the store ends
    earlier; given the weeks that have data, the latest of them that is complete (so a gap in
    ingest never opens the briefing on an empty week).  The CLI and the page both call this."""
    last_complete = IsoWeek.of(today).shift(-1)
    candidate = last_complete if newest_day is None else min(last_complete, IsoWeek.of(date.fromisoformat(newest_day)))
    complete = [w for w in (IsoWeek.parse(x) for x in with_data) if w <= candidate]
    return max(complete) if complete else candidate
