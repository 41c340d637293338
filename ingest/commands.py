"""What each `python -m ingest` subcommand does (argument parsing is in cli.py)."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from store import Store, StoreError, StoreMissing
from store.reads import StoreReader
from store.stats import store_stats

from .cli import EXIT_BUSY, EXIT_ERRORS, EXIT_OK, EXIT_USAGE, load, print_json
from .config import load_config
from .lexicon import load_lexicon
from .matcher import Matcher
from .runlock import IngestBusy, RunLock
from .score import score_text


def dispatch(args: argparse.Namespace) -> int:
    handlers = {
        "run": cmd_run,
        "score": cmd_score,
        "rescore": cmd_rescore,
        "backfill": cmd_backfill,
        "feeds": cmd_feeds,
        "stats": cmd_stats,
        "briefing": cmd_briefing,
        "worker": cmd_worker,
        "store": cmd_store,
        "watch": cmd_watch,
        "alerts": cmd_alerts,
    }
    try:
        return handlers[args.command](args)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except IngestBusy as exc:
        print(f"busy: {exc}", file=sys.stderr)
        return EXIT_BUSY


def cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .pipeline import Ingest

    config, lexicon = load(args)
    wait = args.wait if args.wait is not None else config.get("ingest", "lock_wait_seconds")
    with RunLock(lock_path(config), wait) as lock, Store(config.store_target) as store:
        if lock.stale_pid:
            print(f"note: cleared a stale lock left by pid {lock.stale_pid} (that run was killed)", file=sys.stderr)
        ingest = Ingest(config, lexicon, store)
        try:
            selected = ingest.select(args.sources)
        except KeyError as exc:
            print(f"error: {exc.args[0]}", file=sys.stderr)
            return EXIT_USAGE
        # Progress from the first second: a run's first source (a large archive) can take a minute.
        if not args.quiet:
            print(f"ingesting {len(selected)} source(s)...", file=sys.stderr, flush=True)
        live = not args.quiet and sys.stderr.isatty()
        bar = tqdm(total=len(selected), unit="source", disable=not live, file=sys.stderr, mininterval=0.5)
        bar.refresh()
        done = 0

        def progress(source_id: str, outcome) -> None:
            nonlocal done
            done += 1
            bar.set_postfix_str(source_id[:30])
            bar.update(1)
            if not live and not args.quiet:  # piped or logged: one line per finished source
                print(
                    f"  [{done}/{len(selected)}] {source_id}: {getattr(outcome, 'status', '')}",
                    file=sys.stderr,
                    flush=True,
                )

        report = ingest.run(args.sources, force=args.force, progress=progress)
        bar.close()
    _print_run(report)
    _alerts_after_run(config)
    _scoring_note(config)
    return EXIT_OK


def _scoring_note(config) -> None:
    """Stored items scored by another lexicon, matching code or settings than this run's: said
    after every run until a rescore (analysis/scoring_state.py), as every dashboard page says it."""
    from analysis.scoring_state import mixed_note

    try:
        with StoreReader(config.store_target) as reader:
            note = mixed_note(reader.scoring_state())
    except StoreError:
        return
    if note:
        print(f"note: {note}", file=sys.stderr)


def _print_run(report) -> None:
    print(
        f"run {report.run_id}: {report.new} new item(s), {report.duplicates} duplicate(s), "
        f"{report.updated} updated, {len(report.errors)} source(s) with errors"
    )
    width = max((len(o.source_id) for o in report.outcomes), default=10)
    for o in report.outcomes:
        line = f"  {o.source_id:<{width}}  {o.status:<12} new {o.new:>5}  dup {o.duplicates:>5}"
        if o.failed:
            line += f"  skipped {o.failed}"
        if o.error:
            line += f"  error: {o.error}"
        elif o.warning:
            line += f"  warning: {o.warning}"
        print(line)


def cmd_score(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    lexicon = load_lexicon(config.lexicon_path)
    matcher = Matcher(lexicon)
    threshold, dweight = config.get("scoring", "threshold"), config.get("scoring", "distanced_weight")
    out = []
    status = EXIT_OK
    for path in args.paths:
        try:
            # Exactly as Python reads the file (a BOM stays a character), so offsets slice it.
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            print(f"error: {path}: no such file", file=sys.stderr)
            status = EXIT_ERRORS
            continue
        except IsADirectoryError:
            print(f"error: {path}: is a folder, not a text file", file=sys.stderr)
            status = EXIT_ERRORS
            continue
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: {path}: cannot read as UTF-8 text: {exc}", file=sys.stderr)
            status = EXIT_ERRORS
            continue
        lang = None if args.language == "auto" else args.language
        scored = score_text(text, matcher, lang, threshold, dweight)
        out.append((path, scored))
    if args.json:
        print_json({"items": [_score_json(p, s) for p, s in out]})
    else:
        for path, s in out:
            print(
                f"{path}: {s.language}, {s.words} words, score {s.score}, "
                f"{'matching' if s.matching else 'not matching'}"
            )
            for m in s.matches:
                tag = f" [distanced: {m.how}]" if m.distanced else ""
                print(f"  {m.start:>7}-{m.end:<7} {m.concept:<36} {m.text!r}{tag}")
    return status


def _score_json(path: str, s) -> dict:
    return {
        "path": path,
        "language": s.language,
        "words": s.words,
        "score": s.score,
        "matching": s.matching,
        "matches": [
            {"concept": m.concept, "start": m.start, "end": m.end, "text": m.text, "distanced": m.distanced}
            for m in s.matches
        ],
        "scores": {cid: {"hits": c.hits, "per_1k": c.per_1k} for cid, c in s.scores.items()},
    }


def cmd_rescore(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .batch_rescore import BatchRescorer, rescore_in_batches
    from .rescore import rescore
    from .worker import worker_name

    config, lexicon = load(args)
    threshold, distanced = config.get("scoring", "threshold"), config.get("scoring", "distanced_weight")
    with (
        RunLock(lock_path(config), config.get("ingest", "lock_wait_seconds")),
        Store(config.store_target) as store,
    ):
        total = store.item_count()
        with tqdm(total=total, unit="item", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
            if args.batches:
                rescorer = BatchRescorer(store, lexicon, threshold, distanced, worker_name())
                rescore_in_batches(rescorer, lease_seconds=args.lease, progress=bar.update)
                done = total  # every item stored when the job was cut, by this process or by workers
                changed = ""  # the workers' share is theirs to count
            else:
                done = rescore(store, lexicon, threshold, distanced, progress=bar.update)
                changed = f" ({store.items_rewritten} with changed evidence)"
        stats = store.stats()
    print(
        f"rescored {done} item(s){changed} with lexicon {lexicon.content_hash}: {stats['matching']} matching, "
        f"{stats['matches']} match(es)"
    )
    return EXIT_OK


def cmd_backfill(args: argparse.Namespace) -> int:
    from .batch_backfill import backfill_in_batches
    from .pipeline import Ingest
    from .worker import worker_name

    config, lexicon = load(args)
    with (
        RunLock(lock_path(config), config.get("ingest", "lock_wait_seconds")),
        Store(config.store_target) as store,
    ):
        ingest = Ingest(config, lexicon, store)
        try:
            outcome = backfill_in_batches(ingest, args.source, worker_name(), lease_seconds=args.lease)
        except (ValueError, FileNotFoundError, RuntimeError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE if isinstance(exc, ValueError) else EXIT_ERRORS
        finally:
            ingest.scorer.close()
    line = f"{args.source}: {outcome.status}, {outcome.new} new item(s), {outcome.duplicates} duplicate(s)"
    print(line + (f", {outcome.updated} updated" if outcome.updated else ""))
    if outcome.warning:
        print(f"  warning: {outcome.warning}")
    return EXIT_OK


def cmd_feeds(args: argparse.Namespace) -> int:
    from .opml import export_opml, import_opml

    if args.feeds_command == "import":
        added = import_opml(Path(args.config), args.file, args.group)
        print(f"added {len(added)} feed(s) to {args.config}" + (": " + ", ".join(added) if added else ""))
        return EXIT_OK
    config = load_config(args.config)
    if args.feeds_command == "export":
        text = export_opml(config)
        if args.file:
            args.file.write_text(text, encoding="utf-8")
            print(f"wrote {sum(s.kind == 'feed' for s in config.sources)} feed(s) to {args.file}")
        else:
            sys.stdout.write(text)
        return EXIT_OK
    if args.feeds_command == "list":
        for s in config.sources:
            if s.kind == "feed":
                flag = "" if s.enabled else " (disabled)"
                print(f"{s.id:<28} {s.group:<15} {s.url}{flag}")
        return EXIT_OK
    return _feeds_health(config)


def _feeds_health(config) -> int:
    from datetime import UTC, datetime

    from analysis.feed_health import feed_states, since_day

    today = datetime.now(UTC).date()
    health = StoreReader(config.store_target).feed_health(since_day(today))
    if health.empty:
        print("no feed has been fetched yet: run `python -m ingest run`")
        return EXIT_OK
    # The same state words as the dashboard's Sources page.
    for row in feed_states(health, today).itertuples():
        last_ok = row.last_success_at or "never"
        err = f"  {row.error}" if row.error else ""
        print(
            f"{row.source_id:<28} {row.state:<14} HTTP {row.http_status or '-':<4} "
            f"last ok {last_ok:<20} failures {row.consecutive_failures}  {row.reason}{err}"
        )
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    target = config.store_target
    if target.path is not None and not target.path.exists():  # never create an empty store where a path is mistyped
        raise StoreMissing(f"No store at {target.path}. Run `python -m ingest run` to create it.")
    with StoreReader(target) as reader:  # read-only: never waits for a running ingest's write lock
        stats = store_stats(reader.conn)
    for key, value in stats.items():
        print(f"{key:<14} {value}")
    return EXIT_OK


def cmd_store(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from store.copy import copy_store, totals
    from store.url import StoreUrlError, parse_store_url

    config = load_config(args.config)
    try:
        destination = parse_store_url(args.to)
    except StoreUrlError as exc:
        print(f"error: --to: {exc}", file=sys.stderr)
        return EXIT_USAGE
    source = config.store_path  # a PostgreSQL store has nothing to copy from here
    if not source.exists():
        raise StoreMissing(f"No store at {source} to copy.")
    with tqdm(total=sum(totals(source).values()), unit="row", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
        counts = copy_store(source, destination, max(args.batch, 1), progress=lambda table, n: bar.update(n))
    bad = {t: c for t, c in counts.items() if c[0] != c[1]}
    for table, (src, dst) in counts.items():
        print(f"{table:<18} {src:>10} -> {dst:>10}{'  MISMATCH' if table in bad else ''}")
    if bad:
        print(f"error: {len(bad)} table(s) differ after the copy: {', '.join(bad)}", file=sys.stderr)
        return EXIT_ERRORS
    print(f"copied {sum(c[0] for c in counts.values())} row(s) to {destination.display()}; counts verified")
    return EXIT_OK


def cmd_worker(args: argparse.Namespace) -> int:
    from .worker import WorkerOptions, serve

    config, lexicon = load(args)
    for name in ("concurrency", "per_host", "lease", "interval", "poll"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            print(f"error: --{name.replace('_', '-')} must be positive, got {value}", file=sys.stderr)
            return EXIT_USAGE
    options = WorkerOptions(
        concurrency=args.concurrency or config.get("ingest", "concurrency"),
        per_host=args.per_host,
        lease_seconds=args.lease,
        interval_seconds=args.interval,
        poll_seconds=args.poll,
        once=args.once,
    )
    report = serve(config, lexicon, options)
    print(
        f"worker {report.worker} (run {report.run_id}): {report.feeds} feed(s), {report.new} new item(s), "
        f"{report.duplicates} duplicate(s), {len(report.errors)} feed(s) with errors, "
        f"{report.rescored} item(s) rescored, {report.backfilled} archive row(s) backfilled"
    )
    for error in report.errors:
        print(f"  {error}")
    return EXIT_OK


def lock_path(config) -> Path:
    """One `run` or `rescore` at a time per store.  A PostgreSQL store has no file, so the
    lock sits beside the config (per machine); workers on many machines coordinate in
    the database instead (`python -m ingest worker`)."""
    target = config.store_target
    if target.path is not None:
        return target.path
    digest = hashlib.sha256((target.dsn or "").encode()).hexdigest()[:12]
    return config.resolve(f"data/postgres-{digest}")


def cmd_briefing(args: argparse.Namespace) -> int:
    from .briefing_cli import write_briefing

    return write_briefing(load_config(args.config), args.week, args.groups, args.format, args.out)


def cmd_watch(args: argparse.Namespace) -> int:
    from .watch_cli import cmd_watch as run_watch

    return run_watch(args, load_config(args.config))


def cmd_alerts(args: argparse.Namespace) -> int:
    from .watch_cli import cmd_alerts as run_alerts

    return run_alerts(args, load_config(args.config))


def _alerts_after_run(config) -> None:
    """Watches and alerts after the run; their failure is reported, never the run's."""
    if not config.get("alerts", "enabled"):
        return
    from .alerting import after_run

    try:
        with Store(config.store_target) as store:
            report = after_run(config, store)
    except (OSError, ValueError, StoreError) as exc:
        print(f"alerts: not evaluated: {exc}", file=sys.stderr)
        return
    if report.decided or report.failed or report.delivered:
        print("\n".join(report.lines()))
