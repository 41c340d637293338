"""A store built by the real ingest from archives holding every date and field case an
analyst's numbers can be misled by (issue 9):

- `wire` (JSONL, cn-official): a full-text wire, daily from 2026-09-07, every field present.
- `think` (JSONL, think-tanks): rows with no `url` key, a `null` url, no title; its first
  own-voice Global Security Initiative use falls in the last complete week (a crossing whose
  example has no URL: the briefing crash of issue 9 point 1).
- `heads` (CSV, western-media): a high-volume headline-only source, empty url cells and
  a blank date cell (an undated row), starting mid-period (2026-10-19).
- `yearly` (JSONL, other-gov): speeches dated by year only (`"year": 2026`).
- `monthly` (JSONL, other-gov): documents dated `2026-10` (month only).
- `odd` (JSONL, other-gov): sentinel and out-of-range dates (1970-01-01, 1900-01-01,
  10000-01-01) and a row without any date.
- `news` (a saved RSS feed, think-tanks): a good date, none, `10000-01-01` (which the feed
  library reads as 2010-11-01) and the epoch: feed items keep their first-seen time, flagged.
- the five seeds, one configured `undated`.

Data end on Wednesday 2026-11-25, so the last week and the last month are partial.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from store import Store
from store.url import StoreTarget
from tests.builders import SourceSpec, seed_sources, write_config, write_jsonl

FIRST, LAST = date(2026, 9, 7), date(2026, 11, 25)
HEADS_FIRST = date(2026, 10, 19)
NOW = datetime(2026, 11, 26, 6, tzinfo=UTC)
FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url"}
FILLER = (
    "The ministry reviewed trade statistics, grain harvests and the weather outlook for the coming "
    "month, and officials took questions on provincial transport plans. "
)
GSI = "China will implement the Global Security Initiative with partners in the region. "
LAST_WEEK_MONDAY = date(2026, 11, 16)  # 2026-W47, the last complete week


@dataclass(frozen=True)
class HonestStore:
    config: Path
    store: Path | StoreTarget  # the SQLite file, or the PostgreSQL store when built with a store_url
    directory: Path

    @property
    def location(self) -> str:
        """The store as the dashboard's queries take it: the file, or the connection URL."""
        return str(self.store if isinstance(self.store, Path) else (self.store.path or self.store.dsn))


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def wire_rows() -> list[dict]:
    rows = []
    for day in _days(FIRST, LAST):
        rows.append(
            {
                "title": f"Wire {day}",
                "date": day.isoformat(),
                "url": f"https://wire.example/{day}",
                "text": FILLER + (GSI if day.weekday() == 0 else "Win-win cooperation was discussed. "),
            }
        )
    return rows


def think_rows() -> list[dict]:
    rows = []
    for n, day in enumerate(_days(FIRST, LAST)):
        if day.weekday() != 2:
            continue
        row: dict = {"date": day.isoformat(), "text": FILLER * 2}
        if n % 3 == 0:
            row["url"] = None
        if n % 2 == 0:
            row["title"] = f"Think note {day}"
        rows.append(row)
    gsi_day = LAST_WEEK_MONDAY + timedelta(days=3)
    rows.append({"date": gsi_day.isoformat(), "text": FILLER + GSI * 2})  # no url, no title
    return rows


def heads_rows() -> list[dict]:
    rows = []
    for day in _days(HEADS_FIRST, LAST):
        for i in range(30):
            title = f"Headline {day} {i}: markets and weather"
            if i == 0:
                title = f"Headline {day}: win-win cooperation agreed"
            rows.append({"title": title, "published": f"{day}T{8 + i % 10:02d}:15", "url": ""})
    rows.append({"title": "Headline without a date: win-win cooperation", "published": "", "url": ""})
    return rows


def yearly_rows() -> list[dict]:
    return [{"id": f"speech-{c}", "country": c, "year": 2026, "text": FILLER + GSI} for c in ("AAA", "BBB", "CCC")] + [
        {"id": "speech-DDD", "country": "DDD", "year": 2025, "text": FILLER + GSI}
    ]


def monthly_rows() -> list[dict]:
    return [{"title": f"Report {i}", "date": "2026-10", "text": FILLER + GSI} for i in range(2)]


ODD_DATES = ("1970-01-01", "1900-01-01", "1970-01-01T00:00:00Z", "10000-01-01", None, "0000-00-00")


def odd_rows() -> list[dict]:
    rows = []
    for i, when in enumerate(ODD_DATES):
        row: dict = {"title": f"Odd {i} {when}", "text": FILLER + GSI, "url": f"https://odd.example/{i}"}
        if when is not None:
            row["date"] = when
        rows.append(row)
    return rows


FEED_DATES = ("Tue, 24 Nov 2026 09:30:00 +0000", None, "10000-01-01", "Thu, 01 Jan 1970 00:00:00 +0000")


def news_feed() -> str:
    """A saved RSS feed: one good date, none, a five-digit year and the epoch."""
    items = []
    for i, when in enumerate(FEED_DATES):
        date_tag = f"<pubDate>{when}</pubDate>" if when else ""
        items.append(
            f"<item><title>News {i}</title><link>https://news.example/{i}</link>{date_tag}"
            f"<description>{FILLER} Win-win cooperation.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        "<link>https://news.example/</link><description>d</description>" + "".join(items) + "</channel></rss>"
    )


ZH_TEXT = (
    "外交部发言人表示，中方愿同各方一道落实全球安全倡议，推动构建人类命运共同体。"
    "全球安全倡议坚持共同、综合、合作、可持续的安全观。"
)


def build_honest_store(directory: Path, store_url: str | None = None) -> HonestStore:
    write_jsonl(directory / "zh.jsonl", [{"title": "中方落实全球安全倡议", "date": "2026-11-10", "text": ZH_TEXT}])
    (directory / "news.xml").write_text(news_feed(), encoding="utf-8")
    write_jsonl(directory / "wire.jsonl", wire_rows())
    write_jsonl(directory / "think.jsonl", think_rows())
    with (directory / "heads.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["title", "published", "url"])
        writer.writeheader()
        writer.writerows(heads_rows())
    write_jsonl(directory / "yearly.jsonl", yearly_rows())
    write_jsonl(directory / "monthly.jsonl", monthly_rows())
    write_jsonl(directory / "odd.jsonl", odd_rows())
    specs = [
        *seed_sources(),
        SourceSpec("wire", "cn-official", "archive", {"path": str(directory / "wire.jsonl"), "fields": FIELDS}),
        SourceSpec("think", "think-tanks", "archive", {"path": str(directory / "think.jsonl"), "fields": FIELDS}),
        SourceSpec(
            "heads",
            "western-media",
            "archive",
            {
                "path": str(directory / "heads.csv"),
                "format": "csv",
                "fields": {"text": "title", "title": "title", "date": "published", "url": "url"},
            },
        ),
        SourceSpec(
            "yearly",
            "regional-media",
            "archive",
            {"path": str(directory / "yearly.jsonl"), "fields": {"text": "text", "title": "id", "date": "year"}},
        ),
        SourceSpec(
            "monthly", "regional-media", "archive", {"path": str(directory / "monthly.jsonl"), "fields": FIELDS}
        ),
        SourceSpec("odd", "regional-media", "archive", {"path": str(directory / "odd.jsonl"), "fields": FIELDS}),
        SourceSpec("news", "think-tanks", "feed", {"url": str(directory / "news.xml")}),
        SourceSpec(
            "zh",
            "cn-official",
            "archive",
            {"path": str(directory / "zh.jsonl"), "fields": FIELDS, "language": "zh-hans"},
        ),
    ]
    config_path = write_config(directory, specs, settings={"store": {"url": store_url}} if store_url else None)
    config = load_config(config_path)
    lexicon = load_lexicon(config.lexicon_path)
    with Store(config.store_target) as s:
        Ingest(config, lexicon, s, now=NOW).run()
    return HonestStore(config_path, config.store_target if store_url else config.store_path, directory)
