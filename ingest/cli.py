"""`python -m ingest ...`: the ingest job's command line."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from .config import ConfigError, load_config
from .lexicon import LexiconError, load_lexicon

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Discourse monitor ingest: gather seeds, feeds and archives, score them against "
        "the concept lexicon and keep every match as evidence in the SQLite store.",
    )
    p.add_argument(
        "--config",
        default=os.environ.get("MONITOR_CONFIG", "config.toml"),
        help="config file (default: $MONITOR_CONFIG or ./config.toml)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="ingest all enabled sources (or the ones named)",
        description="Fetch due feeds, read seeds and archives, score and store new items. "
        "Each source is committed on its own; a failing source is reported and the rest go on.",
    )
    run.add_argument("sources", nargs="*", metavar="SOURCE", help="source ids to ingest (default: all enabled)")
    run.add_argument("--force", action="store_true", help="fetch feeds even if backing off after errors")
    run.add_argument(
        "--wait",
        type=float,
        default=None,
        metavar="SECONDS",
        help="if another ingest is running, wait up to SECONDS for it (default: lock_wait_seconds)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    score = sub.add_parser(
        "score",
        help="score text files without storing them",
        description="Print the lexicon matches of each file. Nothing is stored.",
    )
    score.add_argument("paths", nargs="+", metavar="PATH")
    score.add_argument("--json", action="store_true", help="print one JSON object with every item")
    score.add_argument("--language", default="auto", help="en, zh-hans, zh-hant, ru or auto (default)")

    resc = sub.add_parser(
        "rescore",
        help="rescore every stored item after a lexicon edit (no refetch)",
        description="Re-run the matcher over every stored item with the current lexicon, "
        "in one transaction, and rebuild the daily aggregates. With --batches: in batches of "
        "items, each its own transaction, shared with every running `worker` that has the same "
        "lexicon and scoring settings; an interrupted batched rescore resumes when run again.",
    )
    resc.add_argument("--batches", action="store_true", help="rescore as batch jobs that running workers share")
    resc.add_argument(
        "--lease", type=float, default=120.0, metavar="SECONDS", help="batch claim lifetime with --batches (120)"
    )

    back = sub.add_parser(
        "backfill",
        help="import one archive source as batch jobs that running workers share",
        description="Cut the archive into batches of ingest.archive_batch_rows rows (byte ranges "
        "at row boundaries), enqueue them and work on them together with every running `worker` "
        "that has the same lexicon, scoring settings and archive file. Batches are read and scored "
        "in parallel but written in file order, so the store ends as `run SOURCE` leaves it; an "
        "interrupted backfill resumes when run again; an unchanged archive is skipped.",
    )
    back.add_argument("source", metavar="SOURCE", help="an archive source id")
    back.add_argument("--lease", type=float, default=120.0, metavar="SECONDS", help="batch claim lifetime (120)")

    feeds = sub.add_parser("feeds", help="list, check, import or export feeds")
    fsub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    fsub.add_parser("list", help="configured feeds with their group and URL")
    fsub.add_parser("health", help="per-feed status: last success, last error, HTTP status, failures")
    imp = fsub.add_parser("import", help="append the feeds of an OPML file to the config")
    imp.add_argument("file", type=Path, metavar="FILE.opml")
    imp.add_argument("--group", help="group for feeds whose OPML category is no known group")
    exp = fsub.add_parser("export", help="write the feed list as OPML (to stdout or FILE)")
    exp.add_argument("file", nargs="?", type=Path, metavar="FILE.opml")

    sub.add_parser("stats", help="what the store holds: items, matches, sources, last run")

    store = sub.add_parser("store", help="copy the store to PostgreSQL")
    ssub = store.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    copy = ssub.add_parser(
        "copy",
        help="copy this (SQLite) store into a PostgreSQL store: resumable, verified by counts",
        description="Copies items, evidence, feed state, runs, aggregates, watches and alerts in batches. "
        "Interrupted, it resumes where it stopped when run again.",
    )
    copy.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host:5432/db (an empty database)")
    copy.add_argument("--batch", type=int, default=5000, metavar="ROWS", help="rows per transaction (5000)")

    worker = sub.add_parser(
        "worker",
        help="fetch feeds (and backfill/rescore batches) as one of any number of workers sharing a PostgreSQL store",
        description="Claim due feeds (at most --per-host requests in flight to one host across all "
        "workers), fetch, store, repeat; before feeds, take batches of a `backfill` or `rescore --batches` job "
        "made with the same lexicon and scoring settings. Start as many as you like, on one machine or many; "
        "a killed worker's feeds and batches are taken over once its lease runs out. Stops on SIGTERM "
        "after storing what it fetched.",
    )
    worker.add_argument(
        "--concurrency", type=int, default=None, metavar="N", help="feeds in flight (default: ingest.concurrency)"
    )
    worker.add_argument(
        "--per-host", type=int, default=2, metavar="K", help="requests in flight to one host, all workers (2)"
    )
    worker.add_argument("--lease", type=float, default=300.0, metavar="SECONDS", help="claim lifetime (300)")
    worker.add_argument(
        "--interval", type=float, default=900.0, metavar="SECONDS", help="fetch a feed at most this often (900)"
    )
    worker.add_argument("--poll", type=float, default=5.0, metavar="SECONDS", help="wait when nothing is due (5)")
    worker.add_argument("--once", action="store_true", help="exit when no feed is due and none is leased")

    brief = sub.add_parser(
        "briefing",
        help="write the weekly briefing (Markdown, HTML or CSV)",
        description="The weekly briefing for one ISO week: headline and coverage caveats, "
        "concepts that moved, groups, top articles, emerging phrases, trend.",
    )
    brief.add_argument("--week", help="ISO week such as 2026-W47 (default: the last complete week)")
    brief.add_argument("--groups", nargs="+", metavar="GROUP", help="group ids to include (default: all)")
    brief.add_argument(
        "--format",
        choices=("md", "txt", "html", "csv"),
        default="md",
        help="output format: md (Markdown), txt (plain text for email), html, csv (default md)",
    )
    brief.add_argument("--out", type=Path, metavar="FILE", help="write to FILE (default: stdout)")

    from .watch_args import add_parsers as add_watch_parsers

    add_watch_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    from . import commands

    try:
        status = commands.dispatch(args)
        sys.stdout.flush()  # inside the try: a reader that went away is noticed here, not at exit
        return status
    except BrokenPipeError:
        return _reader_went_away()
    except (ConfigError, LexiconError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted: everything committed so far is kept; rerun to finish", file=sys.stderr)
        return 130


def _reader_went_away() -> int:
    """`... | head` closed the pipe: stop quietly as Unix tools do.  Pointing stdout at
    /dev/null keeps Python's final flush from printing a BrokenPipeError traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + 13  # killed by SIGPIPE, as the shell reports it


def load(args: argparse.Namespace):
    config = load_config(args.config)
    return config, load_lexicon(config.lexicon_path)


def print_json(obj: object) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
