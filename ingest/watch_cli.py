"""`python -m ingest watch ...` and `python -m ingest alerts ...`: what each action does
(the arguments are in watch_args)."""

from __future__ import annotations

import argparse
import sys

from analysis.watches import watch_state
from store import Store, now_utc
from store.alert_log import AlertLog
from store.reads import StoreReader
from store.watch_reads import WatchReads
from store.watches import AlertRules, Watch, WatchBook, WatchError

from .alerting import printable
from .config import Config, ConfigError

EXIT_OK, EXIT_USAGE = 0, 2
# Actions that only read: they open the store read-only, so they answer while an ingest holds
# the write lock and never wait for it (PostgreSQL: a read-only session, no lock of its own).
READ_ONLY_WATCH = frozenset({"list", "show", "export"})
READ_ONLY_ALERTS = frozenset({"list"})


def _open(config: Config) -> Store:
    store = Store(config.store_target)
    from .lexicon import load_lexicon

    # Watches name concepts, groups and sources: mirror the current config first.
    store.sync_config(config, load_lexicon(config.lexicon_path), now_utc())
    return store


def _connect(config: Config, read_only: bool) -> Store | StoreReader:
    return StoreReader(config.store_target) if read_only else _open(config)


def cmd_watch(args: argparse.Namespace, config: Config) -> int:
    with _connect(config, args.watch_command in READ_ONLY_WATCH) as store:
        book = WatchBook(store.conn)
        try:
            return _watch_action(args, store, book)
        except WatchError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE


def _watch_action(args: argparse.Namespace, store: Store | StoreReader, book: WatchBook) -> int:
    action = args.watch_command
    if action == "add":
        saved = book.save(_from_args(args), now_utc())
        added = book.evaluate(saved.name)
        print(f"saved watch {saved.name}: {added} matching item(s) in the stored history")
    elif action == "list":
        reads = WatchReads(store.conn)
        for w in book.list():
            print(f"{w.name:<24} {w.kind:<8} {watch_state(reads, w).sentence()}")
    elif action == "show":
        return _show(args.name, store, book)
    elif action == "rm":
        if not book.delete(args.name):
            raise WatchError(f"no watch named {args.name!r}")
        print(f"deleted watch {args.name}")
    elif action == "export":
        from .watchfile import export_watches

        text = export_watches(book.list())
        if args.file:
            args.file.write_text(text, encoding="utf-8")
            print(f"wrote {len(book.list())} watch(es) to {args.file}")
        else:
            sys.stdout.write(text)
    else:
        from .watchfile import parse_watches

        watches = parse_watches(args.file, book.reference())
        for w in watches:
            book.save(w, now_utc())
            book.evaluate(w.name)
        print(f"imported {len(watches)} watch(es) from {args.file}")
    return EXIT_OK


def _from_args(args: argparse.Namespace) -> Watch:
    kind = "concept" if args.concept else "concepts" if args.concepts else "query"
    return Watch(
        name=args.name,
        kind=kind,
        label=args.label,
        concepts=tuple([args.concept] if args.concept else args.concepts or ()),
        query=args.query or "",
        groups=tuple(args.groups),
        sources=tuple(args.sources),
        languages=tuple(args.languages),
        rules=AlertRules(
            not args.no_rise,
            AlertRules().min_items if args.min_items is None else args.min_items,
            tuple(args.first_in),
            tuple(args.new_from),
        ),
    )


def _show(name: str, store: Store | StoreReader, book: WatchBook) -> int:
    w = book.get(name)
    if w is None:
        raise WatchError(f"no watch named {name!r}")
    what = w.query if w.kind == "query" else ", ".join(w.concepts)
    print(f"{w.name} ({w.kind}): {w.title}\n  matches: {what}")
    for key in ("groups", "sources", "languages"):
        print(f"  {key}: {', '.join(getattr(w, key)) or 'all'}")
    r = w.rules
    print(
        f"  alerts: rise={'on' if r.rise else 'off'} (min {r.min_items} items), first in groups: "
        f"{', '.join(r.first_in_groups) or '-'}, new items from: {', '.join(r.new_item_sources) or '-'}"
    )
    print(f"  now: {watch_state(WatchReads(store.conn), w).sentence()}")
    events = AlertLog(store.conn).events(200)
    for row in events[events["watch_name"] == name].drop_duplicates("event_key").head(10).itertuples():
        print(f"  {row.decided_at}  {printable(row.title)}")
    return EXIT_OK


def cmd_alerts(args: argparse.Namespace, config: Config) -> int:
    from .alerting import AlertReport, after_run, deliver_pending

    action = args.alerts_command
    if action in READ_ONLY_ALERTS:
        with StoreReader(config.store_target) as reader:
            events = AlertLog(reader.conn).events(args.limit)
        for row in events.itertuples():
            state = f"{row.channel}: {row.state}" if isinstance(row.channel, str) else "log only"
            print(f"{row.decided_at}  {printable(row.title)}  [{state}]")
        return EXIT_OK
    with _open(config) as store:
        if action == "run":
            report = after_run(config, store)
        else:
            report = AlertReport()
            if action == "send-briefing":
                from .alert_briefing import decide_briefing

                try:
                    event = decide_briefing(config, store, args.week, now_utc())
                except ValueError as exc:
                    raise ConfigError(str(exc)) from None
                print("briefing decided" if event else "this week's briefing was mailed before")
            deliver_pending(config, store, report)
    print("\n".join(report.lines()))
    return EXIT_OK if not report.failed else 1
