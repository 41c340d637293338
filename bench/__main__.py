"""Run the benchmarks: `python -m bench` (full, ~10 min) or `python -m bench --quick` (<2 min).

Each benchmark runs in a fresh interpreter (so its peak memory is its own), prints
its rows as JSON, and the table of all rows is printed and written to
docs/benchmarks.md (full runs only, unless --write is given).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from .common import REPO, Row
from .report import render_markdown, render_table

BENCHMARKS = ("scoring", "feeds", "rescore", "dashboard", "archive", "scaling", "pages")
_MARK = "BENCH-ROWS:"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes; for CI and a smoke test")
    ap.add_argument("--only", default="", help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    ap.add_argument("--write", action="store_true", help="write docs/benchmarks.md even in --quick mode")
    ap.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    ap.add_argument("--rounds", type=int, default=0, help="rounds per ratio (default 5; fewer only for partial runs)")
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one benchmark in this process
    args = ap.parse_args(argv)
    if args.one:
        return _run_one(args.one, args.quick)
    if args.rounds:
        os.environ["BENCH_ROUNDS"] = str(args.rounds)  # read by bench.common in each child
    names = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    rows: list[Row] = []
    started = time.perf_counter()
    for name in names:
        rows += _run_child(name, args.quick)
        print(render_table([r for r in rows if r.bench.split(" ")[0] == rows[-1].bench.split(" ")[0]]), flush=True)
    elapsed = time.perf_counter() - started
    print("\n" + render_table(rows))
    print(f"\nall benchmarks: {elapsed:.0f} s ({'quick' if args.quick else 'full'})")
    if (args.write or not args.quick) and not args.no_write:
        out = REPO / args.out if not args.out.startswith("/") else args.out
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(render_markdown(rows, quick=args.quick, elapsed=elapsed))
        print(f"written: {out}")
    return 1 if any(r.verdict == "ERROR" for r in rows) else 0


def _run_child(name: str, quick: bool) -> list[Row]:
    cmd = [sys.executable, "-m", "bench", "--one", name] + (["--quick"] if quick else [])
    print(f"== {name} ...", flush=True)
    proc = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith(_MARK):
            return [Row(**d) for d in json.loads(line[len(_MARK):])]
    print(proc.stdout, file=sys.stderr)
    return [Row(name, "benchmark failed", f"exit code {proc.returncode} (see stderr above)", "", "ERROR")]


def name_of(rows: list[Row], name: str) -> str:
    return rows[0].bench if rows else name


def _run_one(name: str, quick: bool) -> int:
    import importlib

    from .common import load_average

    module = importlib.import_module(f"bench.{name}")
    before = load_average()
    rows = module.run(quick)
    # the machine is shared: the load beside each table says how busy it was meanwhile
    load = f"{before}; {load_average()}"
    rows.append(Row(name_of(rows, name), "machine load average (1/5/15 min) before / after", load))
    print(_MARK + json.dumps([r.as_dict() for r in rows], ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
