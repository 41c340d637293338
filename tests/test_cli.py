"""`python -m ingest` as a user runs it: real subprocesses, real store files.  The
commands whose subject is the store's content (run, stats, feeds health) run on SQLite and
on a real PostgreSQL server (`store_url` sets MONITOR_STORE_URL, which they inherit); the
run lock and its stale-lock note are the SQLite file's and stay on SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.builders import REPO, SEEDS, SourceSpec, seed_sources, write_config


def cli(*args: str, cwd: Path = REPO, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_help_explains_each_subcommand():
    out = cli("--help").stdout
    for name in ("run", "score", "rescore", "feeds", "stats"):
        assert name in out
    assert "OPML" in cli("feeds", "--help").stdout


def test_score_json_prints_exact_slices(tmp_path):
    seed = SEEDS / "003_c96456b41400a445.txt"
    zh = tmp_path / "zh.txt"
    zh.write_text("我们要摒弃冷戰思維和零和博弈，践行共同、综合、合作、可持续的安全观。", encoding="utf-8")
    proc = cli("--config", str(REPO / "config.toml"), "score", str(seed), str(zh), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [i["path"] for i in data["items"]] == [str(seed), str(zh)]
    for item in data["items"]:
        text = Path(item["path"]).read_text(encoding="utf-8")
        assert set(item) >= {"path", "language", "words", "matches", "scores"}
        assert item["matches"], item["path"]
        for m in item["matches"]:
            assert set(m) == {"concept", "start", "end", "text", "distanced"}
            assert text[m["start"] : m["end"]] == m["text"]
        for concept, s in item["scores"].items():
            assert s["hits"] == sum(m["concept"] == concept for m in item["matches"])
    assert data["items"][1]["language"].startswith("zh")


def test_score_reports_unreadable_file(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\xff\xfe\x00garbage\xc3")
    proc = cli("--config", str(REPO / "config.toml"), "score", str(bad))
    assert proc.returncode == 1 and str(bad) in proc.stderr


def test_run_then_stats_then_health(tmp_path, store_url):
    cfg = write_config(
        tmp_path, seed_sources() + [SourceSpec("dead-feed", "western-media", "feed", {"url": "http://127.0.0.1:9/rss"})]
    )
    proc = cli("--config", str(cfg), "run", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "5 new item(s)" in proc.stdout and "dead-feed" in proc.stdout and "error:" in proc.stdout
    stats = cli("--config", str(cfg), "stats").stdout
    assert "items" in stats and " 5" in stats
    assert "#1 errors: 5 new item(s), 0 duplicate(s), 1 source(s) failed" in stats  # the last run
    health = cli("--config", str(cfg), "feeds", "health").stdout
    assert "dead-feed" in health and "failures 1" in health


def test_bad_config_exits_2_with_the_file_named(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[ingest]\nconcurrency = 'x'\n", encoding="utf-8")
    proc = cli("--config", str(cfg), "run")
    assert proc.returncode == 2 and str(cfg) in proc.stderr and "concurrency" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_source_is_refused(tmp_path):
    cfg = write_config(tmp_path, seed_sources())
    proc = cli("--config", str(cfg), "run", "no-such-source")
    assert proc.returncode == 2 and "no-such-source" in proc.stderr


def test_opml_export_then_import_roundtrip(tmp_path):
    src = write_config(
        tmp_path,
        [
            SourceSpec("a-feed", "western-media", "feed", {"url": "http://127.0.0.1:9/a.xml"}, name="A & <Feed>"),
            SourceSpec("b-feed", "cn-official", "feed", {"url": "http://127.0.0.1:9/b.xml"}),
        ],
    )
    opml = tmp_path / "feeds.opml"
    assert cli("--config", str(src), "feeds", "export", str(opml)).returncode == 0
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    dst = write_config(other_dir, [])
    proc = cli("--config", str(dst), "feeds", "import", str(opml))
    assert proc.returncode == 0, proc.stderr
    listed = cli("--config", str(dst), "feeds", "list").stdout
    assert "http://127.0.0.1:9/a.xml" in listed and "western-media" in listed
    assert "cn-official" in listed
    again = cli("--config", str(dst), "feeds", "import", str(opml))
    assert "added 0 feed(s)" in again.stdout, "already configured feeds are skipped"


def test_opml_import_with_unknown_category_needs_group(tmp_path):
    cfg = write_config(tmp_path, [])
    before = cfg.read_text(encoding="utf-8")
    opml = tmp_path / "x.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="Tech">'
        '<outline text="Blog" xmlUrl="http://127.0.0.1:9/b"/></outline></body></opml>'
    )
    proc = cli("--config", str(cfg), "feeds", "import", str(opml))
    assert proc.returncode == 2 and "--group" in proc.stderr
    assert cfg.read_text(encoding="utf-8") == before, "nothing written on error"
    ok = cli("--config", str(cfg), "feeds", "import", str(opml), "--group", "think-tanks")
    assert ok.returncode == 0 and "added 1" in ok.stdout


def test_second_run_during_a_run_exits_with_a_clear_message(tmp_path):
    import fcntl

    cfg = write_config(tmp_path, seed_sources())
    lock = tmp_path / "monitor.sqlite3.lock"
    with open(lock, "w") as fh:
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        proc = cli("--config", str(cfg), "run", "--quiet")
    assert proc.returncode == 3
    assert "Another ingest" in proc.stderr and str(os.getpid()) in proc.stderr


def test_stale_lock_from_a_killed_run_is_cleared(tmp_path):
    cfg = write_config(tmp_path, seed_sources())
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "monitor.sqlite3.lock").write_text(f"{dead.pid}\n")
    proc = cli("--config", str(cfg), "run", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert f"cleared a stale lock left by pid {dead.pid}" in proc.stderr


def test_shipped_config_offline_ingests_the_seeds_and_reports_each_feed(tmp_path):
    """The README's first command, minus the long archive backfill: seeds in, every
    feed failing with its own error (no network here), exit 0."""
    from ingest.config import load_config

    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = text.replace('path = "data/monitor.sqlite3"', f'path = "{tmp_path / "monitor.sqlite3"}"')
    text = text.replace('"data/', f'"{REPO}/data/').replace('"../shared/', f'"{REPO.parent}/shared/')
    text = text.replace("timeout_seconds = 20.0", "timeout_seconds = 3.0")
    cfg = tmp_path / "config.toml"
    cfg.write_text(text, encoding="utf-8")
    config = load_config(cfg)
    wanted = [s.id for s in config.sources if s.kind in ("seed", "feed")]
    proc = cli("--config", str(cfg), "run", "--quiet", *wanted, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "5 new item(s)" in proc.stdout
    feeds = [s.id for s in config.sources if s.kind == "feed"]
    lines = {line.split()[0]: line for line in proc.stdout.splitlines()[1:]}
    for sid in feeds:
        assert "error:" in lines[sid] or " ok " in lines[sid], lines[sid]
    assert "Traceback" not in proc.stderr


# ---- a CLI that behaves like a Unix tool -------------------------------------------------------


def test_output_into_a_closed_pipe_ends_quietly(tmp_path):
    cfg = write_config(tmp_path, [SourceSpec(f"feed-{i:03d}", "western-media", "feed",
                                             {"url": f"http://127.0.0.1:9/{i}"}) for i in range(3000)])
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    pipeline = subprocess.run(
        f"{sys.executable} -m ingest --config {cfg} feeds list | head -n 2", shell=True, cwd=REPO, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert pipeline.stdout.count("\n") == 2 and "feed-000" in pipeline.stdout  # 3,000 lines: more than a pipe holds
    assert "Traceback" not in pipeline.stderr and "BrokenPipe" not in pipeline.stderr, pipeline.stderr


def test_a_missing_file_says_no_such_file(tmp_path):
    gone = tmp_path / "gone.txt"
    score = cli("--config", str(REPO / "config.toml"), "score", str(gone))
    assert score.returncode == 1 and f"{gone}: no such file" in score.stderr and "Traceback" not in score.stderr
    config = cli("--config", str(tmp_path / "nope.toml"), "stats")
    assert config.returncode == 2 and "no such file" in config.stderr
    cfg = write_config(tmp_path, [])
    opml = cli("--config", str(cfg), "feeds", "import", str(tmp_path / "nope.opml"))
    assert opml.returncode == 2 and "no such file" in opml.stderr


def test_opml_import_without_a_category_names_every_feed_and_the_groups(tmp_path):
    cfg = write_config(tmp_path, [])
    opml = tmp_path / "x.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline text="Blog one" xmlUrl="http://127.0.0.1:9/one"/>'
        '<outline text="Tech"><outline text="Blog two" xmlUrl="http://127.0.0.1:9/two"/></outline>'
        '<outline text="Think tanks"><outline text="Known" xmlUrl="http://127.0.0.1:9/known"/></outline>'
        "</body></opml>"
    )
    proc = cli("--config", str(cfg), "feeds", "import", str(opml))
    assert proc.returncode == 2
    assert '"Blog one" <http://127.0.0.1:9/one> (no category)' in proc.stderr
    assert "\"Blog two\" <http://127.0.0.1:9/two> (category 'Tech' is no group)" in proc.stderr
    assert "Known" not in proc.stderr and "2 feed(s)" in proc.stderr
    assert "think-tanks (Think tanks)" in proc.stderr and "--group GROUP" in proc.stderr
    bad = cli("--config", str(cfg), "feeds", "import", str(opml), "--group", "nope")
    assert bad.returncode == 2 and "'nope' is not a group" in bad.stderr and "western-gov (" in bad.stderr


def test_feed_state_words_are_the_dashboards(tmp_path, store_url):
    from analysis.feed_health import STATES

    cfg = write_config(tmp_path, [SourceSpec("dead-feed", "western-media", "feed", {"url": "http://127.0.0.1:9/rss"})])
    run = cli("--config", str(cfg), "run")
    assert run.returncode == 0
    assert run.stderr.startswith("ingesting 1 source(s)"), "progress shows from the first second"
    assert "[1/1] dead-feed" in run.stderr, "a piped run reports each source as it finishes"
    health = cli("--config", str(cfg), "feeds", "health").stdout
    words = health.split()
    assert words[0] == "dead-feed" and words[1] == "failing" and "failing" in STATES
