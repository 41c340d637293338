"""The arguments of `python -m ingest watch ...` and `alerts ...` (argparse only, so
building the parser stays cheap for every other command; the actions are in watch_cli)."""

from __future__ import annotations

import argparse
from pathlib import Path


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
    add.add_argument("--min-items", type=int, default=None, help="fewest items for a rise alert (default 5)")
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
