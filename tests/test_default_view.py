"""The period a page opens on: the latest well-covered window, and what it leaves out."""

from datetime import date

import pandas as pd
import pytest

from analysis.default_view import default_period, newer_data
from analysis.periods import Period
from tests.builders import SourceSpec

TODAY = date(2026, 11, 30)


def spans(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["source_id", "first_day", "last_day"])


def test_live_store_opens_on_its_latest_days_even_when_some_feeds_died():
    live = [(f"feed{i}", "2024-01-01", "2026-11-29") for i in range(6)]
    dead = [(f"dead{i}", "2023-01-01", "2025-02-01") for i in range(5)]  # 11 active before, 6 now
    period = default_period("2023-01-01", "2026-11-29", 90, TODAY, spans(*live, *dead))
    assert period == Period(date(2026, 9, 1), date(2026, 11, 29))


def test_a_small_newer_archive_does_not_pull_the_view_onto_itself():
    archives = spans(
        ("headlines-a", "2020-01-22", "2022-09-08"),
        ("headlines-b", "2022-02-10", "2022-09-07"),
        ("headlines-c", "2017-12-22", "2022-09-07"),
        ("speeches", "1981-01-14", "2020-08-08"),
        ("telegram", "2025-12-19", "2026-03-10"),  # one source, alone in its last 90 days
    )
    period = default_period("1981-01-14", "2026-03-10", 90, TODAY, archives)
    assert period == Period(date(2022, 6, 11), date(2022, 9, 8))
    assert newer_data(period, archives, "2026-03-10").sources == 1
    assert newer_data(period, archives, "2026-03-10").newest == date(2026, 3, 10)


def test_one_source_or_no_spans_keeps_the_newest_day_rule():
    one = spans(("only", "2019-01-01", "2020-07-03"))
    assert default_period("2019-01-01", "2020-07-03", 90, TODAY, one).end == date(2020, 7, 3)
    assert default_period("2019-01-01", "2020-07-03", 90, TODAY, one.iloc[:0]).end == date(2020, 7, 3)
    assert default_period(None, None, 30, TODAY, one) == Period(date(2026, 11, 1), TODAY)


def test_ends_past_the_newest_trusted_day_are_capped():
    # an item dated at its fetch time (estimated) stretches a span; the window never ends after
    # the newest trusted day the store reports
    stretched = spans(("a", "2020-01-01", "2026-11-30"), ("b", "2020-01-01", "2022-05-01"))
    assert default_period("2020-01-01", "2022-05-01", 90, TODAY, stretched).end == date(2022, 5, 1)


def test_the_window_is_clamped_to_the_first_day_and_says_nothing_when_nothing_is_newer():
    archives = spans(("a", "2022-08-01", "2022-09-08"), ("b", "2022-08-15", "2022-09-08"))
    period = default_period("2022-08-01", "2022-09-08", 90, TODAY, archives)
    assert period == Period(date(2022, 8, 1), date(2022, 9, 8))
    assert newer_data(period, archives, "2022-09-08") is None


# ---- on the Overview, through the real ingest --------------------------------

FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url"}


def _rows(source: str, first: date, days: int, step: int) -> list[dict[str, str]]:
    return [
        {
            "text": f"Remarks {k} on common security and the shared future from {source}.",
            "title": f"{source} remarks {k}",
            "date": date.fromordinal(first.toordinal() + k * step).isoformat(),
            "url": f"https://{source}.example.org/{k}",
        }
        for k in range(days // step)
    ]


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    """Three archives that end on 2022-09-08, one small archive alone in 2026 and, in the seed
    group, a larger archive newer than all of them (seeds date concepts, not coverage: neither the
    Overview nor the briefing may open on it or count it as newer data), ingested."""
    from tests.builders import write_config, write_jsonl
    from tests.dashboard_fixtures import run_ingest

    directory = tmp_path_factory.mktemp("coverage")
    plan = {
        "wire": (date(2022, 1, 1), 251, 5),
        "heads": (date(2021, 6, 1), 465, 7),
        "think": (date(2022, 3, 1), 192, 6),
        "telegram": (date(2026, 1, 1), 60, 3),
    }
    specs = []
    groups = {"heads": "western-media", "canon": "seed"}
    plan["canon"] = (date(2026, 6, 1), 180, 1)
    for source, (first, days, step) in plan.items():
        write_jsonl(directory / f"{source}.jsonl", _rows(source, first, days, step))
        specs.append(SourceSpec(source, groups.get(source, "cn-official"), "archive",
                                {"path": str(directory / f"{source}.jsonl"), "fields": FIELDS, "language": "en"}))
    config = write_config(directory, specs)
    run_ingest(config)
    return config


NEWEST = date.fromordinal(date(2026, 1, 1).toordinal() + (60 // 3 - 1) * 3)


def _newer_notes(at) -> list[str]:
    return [c.value for c in at.caption if "newer items" in c.value]


def test_overview_opens_on_the_covered_window_and_says_what_is_newer(archives, monkeypatch):
    from tests.dashboard_fixtures import open_fresh

    monkeypatch.setenv("MONITOR_CONFIG", str(archives))
    at = open_fresh(None, {})
    start, end = at.date_input(key="ov_period").value
    assert end < date(2023, 1, 1) and (end - start).days == 89  # not the telegram's lonely weeks
    notes = _newer_notes(at)
    assert notes and f"1 source(s) have newer items, up to {NEWEST.isoformat()}" in notes[0]

    moved = open_fresh(None, {"from": "2026-01-01", "to": NEWEST.isoformat()})
    assert not _newer_notes(moved)  # a chosen period says nothing


def test_briefing_opens_on_the_covered_stretch_on_the_page_and_in_the_cli(archives, monkeypatch):
    import subprocess
    import sys

    from analysis.briefing import resolve_week
    from store.briefing_reads import BriefingReader
    from tests.builders import REPO
    from tests.dashboard_fixtures import open_fresh

    with BriefingReader(str(archives.parent / "monitor.sqlite3")) as reader:
        week = resolve_week(reader, None, TODAY)
    assert str(week).startswith("2022-W")
    monkeypatch.setenv("MONITOR_CONFIG", str(archives))
    at = open_fresh("briefing", {})
    assert at.selectbox[1].value.startswith(str(week))
    assert f"1 source(s) have newer items, up to {NEWEST.isoformat()}" in _newer_notes(at)[0]
    out = subprocess.run([sys.executable, "-m", "ingest", "--config", str(archives), "briefing", "--format", "txt"],
                         cwd=REPO, capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.startswith(f"# Weekly briefing {week}")
