"""`python -m ingest watch ...` and `python -m ingest alerts ...`: saved questions and
their alerts from the command line (argument parsing and what each action does)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.watches import watch_state
from store import Store, now_utc
from store.alert_log import AlertLog
from store.watch_reads import WatchReads
from store.watches import AlertRules, Watch, WatchBook, WatchError

from .config import Config, ConfigError

EXIT_OK, EXIT_USAGE = 0, 2


def add_parsers(sub: argparse._SubParsersAction) -> None:
    watch = sub.add_parser("watch", help="saved questions tracked as series: add, list, show, rm, export, import")
    wsub = watch.add_subparsers(dest="watch_command", required=True, metavar="ACTION")
    add = wsub.add_parser("add", help="save a watch (or replace one of the same name) and count its history")
    add.add_argument("name", help="lower-case letters, digits, '-' or '_'")
    what = add.add_mutually_exclusive_group(required=True)
    what.add_argument("--concept", help="one lexicon concept id")
    what.add_argument("--concepts", nargs="+", metavar="CONCEPT", help="a set of concept ids (any of them)")
    what.add_argument("--query", help="a search query")
    add.add_argument("--label", default="", help="a readable title")
    for key in ("groups", "sources", "languages"):
        add.add_argument(f"--{key}", nargs="+", default=[], metavar=key[:-1].upper(), help=f"limit to these {key}")
    add.add_argument("--no-rise", action="store_true", help="no alert on a significant rise")
    add.add_argument("--min-items", type=int, default=AlertRules.min_items, help="fewest items for a rise alert")
    add.add_argument("--first-in", nargs="+", default=[], metavar="GROUP", help="alert on a group's first own use")
    add.add_argument("--new-from", nargs="+", default=[], metavar="SOURCE", help="alert on each new item from")
    wsub.add_parser("list", help="every watch with its state this week")
    show = wsub.add_parser("show", help="one watch: definition, state, recent alerts")
    show.add_argument("name")
    rm = wsub.add_parser("rm", help="delete a watch (its alerts stay in the log)")
    rm.add_argument("name")
    exp = wsub.add_parser("export", help="write every watch as TOML (stdout or FILE)")
    exp.add_argument("file", nargs="?", type=Path)
    imp = wsub.add_parser("import", help="save the watches of a TOML file (all checked before any is saved)")
    imp.add_argument("file", type=Path)

    alerts = sub.add_parser("alerts", help="evaluate, list and deliver alerts; mail the weekly briefing")
    asub = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    asub.add_parser("run", help="top up watches, decide new alert events and deliver pending ones")
    asub.add_parser("deliver", help="deliver pending alerts only (after a failure or a kill)")
    lst = asub.add_parser("list", help="the alert log, newest first")
    lst.add_argument("--limit", type=int, default=50)
    brief = asub.add_parser("send-briefing", help="mail the weekly briefing (once per week)")
    brief.add_argument("--week", help="ISO week such as 2026-W47 (default: the last complete week)")


def _open(config: Config) -> Store:
    store = Store(config.store_path)
    from .lexicon import load_lexicon

    # Watches name concepts, groups and sources: mirror the current config first.
    store.sync_config(config, load_lexicon(config.lexicon_path), now_utc())
    return store


def cmd_watch(args: argparse.Namespace, config: Config) -> int:
    with _open(config) as store:
        book = WatchBook(store.conn)
        try:
            return _watch_action(args, store, book)
        except WatchError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE


def _watch_action(args: argparse.Namespace, store: Store, book: WatchBook) -> int:
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
        rules=AlertRules(not args.no_rise, args.min_items, tuple(args.first_in), tuple(args.new_from)),
    )


def _show(name: str, store: Store, book: WatchBook) -> int:
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
        print(f"  {row.decided_at}  {row.title}")
    return EXIT_OK


def cmd_alerts(args: argparse.Namespace, config: Config) -> int:
    from .alerting import AlertReport, after_run, deliver_pending

    action = args.alerts_command
    with _open(config) as store:
        if action == "list":
            events = AlertLog(store.conn).events(args.limit)
            for row in events.itertuples():
                state = f"{row.channel}: {row.state}" if isinstance(row.channel, str) else "log only"
                print(f"{row.decided_at}  {row.title}  [{state}]")
            return EXIT_OK
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
