"""The archive import against the code of an older commit (issue 11's baseline, 4f23f7f),
checked out in a temporary `git worktree` and run with the same interpreter.

Each import runs in a fresh interpreter whose working directory is the tree being
measured, so it imports that tree's `ingest` and uses that tree's lexicon; the two
trees take turns over the rounds.  Only APIs present in both trees are used
(`load_config`, `load_lexicon`, `Ingest(...).run()`, `Store`, `tests.builders`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .common import REPO, Row, fmt_ratio, interleaved, median, ratio_spread, spread, verdict

BASELINE = "4f23f7f"

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, ".")
from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
try:
    from store import Store
except ImportError:  # before the store moved out of ingest/
    from ingest.store import Store
from tests.builders import SourceSpec, write_config

def cpu():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

specs = [SourceSpec(sid, group, "archive", {"path": path, "fields": fields})
         for sid, path, group, fields in json.loads(sys.argv[2])]
config = load_config(write_config(Path(sys.argv[1]), specs))
lexicon = load_lexicon(config.lexicon_path)
with Store(config.store_path) as store:
    c0, t0 = cpu(), time.perf_counter()
    report = Ingest(config, lexicon, store).run()
    seconds, used = time.perf_counter() - t0, cpu() - c0
print(json.dumps({"seconds": seconds, "cpu": used, "new": report.new, "errors": len(report.errors)}))
"""


def compare(label: str, archives: list[tuple[str, str, str, dict]], rounds: int, bench: str) -> list[Row]:
    """Rows comparing this tree's import of `archives` with the baseline commit's."""
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        tmp_path = Path(tmp)
        old_tree = tmp_path / "baseline"
        added = subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(old_tree), BASELINE],
                               capture_output=True, text=True, check=False)
        if added.returncode != 0:
            return [Row(bench, f"baseline {BASELINE}", f"no worktree: {added.stderr.strip()[:150]}", "", "ERROR")]
        try:
            results: dict[str, list[dict]] = {"old": [], "new": []}

            def side(key: str, tree: Path):
                def go() -> None:
                    directory = tmp_path / f"{key}{len(results[key])}"
                    directory.mkdir()
                    proc = subprocess.run([sys.executable, "-c", _CHILD, str(directory), json.dumps(archives)],
                                          cwd=tree, capture_output=True, text=True, check=False)
                    if proc.returncode != 0:
                        raise RuntimeError(f"{key} import failed: {proc.stderr[-1500:]}")
                    results[key].append(json.loads(proc.stdout.strip().splitlines()[-1]))

                return go

            interleaved({"old": side("old", old_tree), "new": side("new", REPO)}, rounds)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old_tree)],
                           capture_output=True, check=False)
    cpu = {k: [r["cpu"] for r in v] for k, v in results.items()}
    wall = {k: [r["seconds"] for r in v] for k, v in results.items()}
    speed = median(cpu["old"]) / median(cpu["new"])
    items = f"{results['new'][0]['new']:,} items now, {results['old'][0]['new']:,} at {BASELINE}"
    return [
        Row(bench, f"{label}: import at {BASELINE} (its own code and lexicon), CPU",
            f"{median(cpu['old']):.1f} s median ({spread(cpu['old'])}); wall {median(wall['old']):.1f} s"),
        Row(bench, f"{label}: import now, CPU ({items})",
            f"{median(cpu['new']):.1f} s median ({spread(cpu['new'])}); wall {median(wall['new']):.1f} s"),
        Row(bench, f"{label}: speed-up over {BASELINE} (issue: full default ingest >= 2x)",
            f"{fmt_ratio(speed)} ({ratio_spread(cpu['old'], cpu['new'])})", ">= 2x", verdict(speed >= 2)),
    ]
