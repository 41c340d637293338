"""Scoring in worker processes stores exactly what one process stores: every item, score,
match, per-concept figure, copy link and daily aggregate, for an archive import and for
a rescore.  Real worker processes, real corpus text (English, Chinese, Russian)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from ingest.rescore import rescore
from ingest.workers import Scorer
from store import Store
from tests.builders import LEXICON, REPO, SourceSpec, corpus_rows, write_config, write_jsonl
from tests.reliability_fixtures import snapshot

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url", "language": "lang"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    rows = (
        corpus_rows("mfa_spokesperson_2016_2020/mfa_en.jsonl", limit=30)
        + corpus_rows("mfa_spokesperson_2016_2020/mfa_zh.jsonl", limit=30)
        + corpus_rows("ru_official_ru/kremlin_ru_2025.jsonl", limit=20)
    )
    return write_jsonl(
        tmp_path_factory.mktemp("archive") / "mixed.jsonl", [dict(r, text=r["text"][:4000]) for r in rows]
    )


def _ingest(directory, archive, processes, lexicon=LEXICON):
    directory.mkdir(parents=True, exist_ok=True)
    cfg = write_config(
        directory,
        [SourceSpec("mixed", "cn-official", "archive", {"path": str(archive), "fields": FIELDS})],
        lexicon=lexicon,
    )
    config = load_config(cfg)
    with Store(config.store_path) as store:
        ingest = Ingest(config, load_lexicon(config.lexicon_path), store, now=NOW)
        ingest.archive_batch = 4  # more batches than PARALLEL_AFTER_BATCHES, so the workers are used
        ingest.scorer.processes = processes
        report = ingest.run()
        assert not ingest.scorer.started, "the run shuts its workers down"
        assert (ingest.scorer.scored_in_workers > 0) == (processes > 1)
    assert not report.errors and report.new == 80
    return config


def test_archive_import_on_two_processes_stores_what_one_process_stores(archive, tmp_path):
    one = _ingest(tmp_path / "one", archive, processes=1)
    two = _ingest(tmp_path / "two", archive, processes=2)
    assert snapshot(two.store_path) == snapshot(one.store_path)


def test_rescore_on_two_processes_stores_what_one_process_stores(archive, tmp_path):
    edited = tmp_path / "lexicon.toml"
    edited.write_text(
        LEXICON.read_text(encoding="utf-8")
        + '\n[[concepts]]\nid = "test-dialogue"\nlabel = "Dialogue"\nfamily = "official"\n'
        'definition = "Added by a test."\nen = ["dialogue"]\nzh = ["对话"]\n',
        encoding="utf-8",
    )
    stores = {}
    for processes in (1, 2):
        config = _ingest(tmp_path / f"p{processes}", archive, processes=1)
        with Store(config.store_path) as store:
            done = rescore(store, load_lexicon(edited), 1.0, 0.5, processes=processes)
        assert done == 80
        stores[processes] = snapshot(config.store_path)
    assert stores[2] == stores[1]
    assert any("test-dialogue" in item["concepts"] for item in stores[2]["items"].values())


def test_scorer_keeps_the_order_of_its_jobs():
    lexicon = load_lexicon(LEXICON)
    rows = corpus_rows("mfa_spokesperson_2016_2020/mfa_en.jsonl", limit=12)
    jobs = [(r["text"][:2000], "en") for r in rows] * 25  # more chunks than workers
    with Scorer(lexicon, 1.0, 0.5, processes=2) as scorer:
        parallel = scorer.score_all(jobs, parallel=True)
        assert scorer.started
        batches = [jobs[i : i + 7] for i in range(0, len(jobs), 7)]  # scored one batch ahead of the caller
        ahead = list(scorer.score_ahead(iter(batches), lambda batch: batch))
    with Scorer(lexicon, 1.0, 0.5, processes=1) as scorer:
        single = scorer.score_all(jobs, parallel=True)
    assert parallel == single
    assert [b for b, _ in ahead] == batches and [r for _, rs in ahead for r in rs] == single


def test_workers_exit_when_the_ingest_is_killed(tmp_path):
    """SIGKILL of the scoring process leaves no worker behind (each watches its parent)."""
    script = tmp_path / "victim.py"
    script.write_text(
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from ingest.lexicon import load_lexicon\n"
        "from ingest.workers import Scorer\n"
        "if __name__ == '__main__':\n"
        f"    scorer = Scorer(load_lexicon({str(LEXICON)!r}), 1.0, 0.5, processes=2)\n"
        "    scorer.score_all([('security', 'en')] * 400, parallel=True)\n"
        "    print(' '.join(str(p) for p in scorer._pool._processes), flush=True)\n"
        "    time.sleep(600)\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in proc.stdout.readline().split()]  # type: ignore[union-attr]
        assert workers and all(_alive(p) for p in workers)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()  # type: ignore[union-attr]
    for _ in range(200):  # bounded wait for them to notice
        if not any(_alive(p) for p in workers):
            break
        time.sleep(0.05)
    assert not any(_alive(p) for p in workers)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().split(") ")[1][0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False
