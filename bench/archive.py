"""5. Archive import: the UN General Debate and MFA (en, zh) JSONL archives imported
through the real ingest (`Ingest.run()` with three archive sources), read by path
from ../shared/corpus and never copied.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from store import Store
from tests.builders import SourceSpec, write_config, write_jsonl

from .common import CORPUS, Row, fmt_rate, jsonl, peak_rss_mib, timed, verdict

BENCH = "5 archive"

_MFA_FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url", "language": "lang"}
ARCHIVES = (
    ("ungdc", "ungdc_selected_1971_2024/ungdc_selected.jsonl", "think-tanks",
     {"text": "text", "title": "id", "date": "year"}),
    ("mfa-en", "mfa_spokesperson_2016_2020/mfa_en.jsonl", "cn-official", _MFA_FIELDS),
    ("mfa-zh", "mfa_spokesperson_2016_2020/mfa_zh.jsonl", "cn-official", _MFA_FIELDS),
)


def run(quick: bool) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        tmp_path = Path(tmp)
        specs = []
        for sid, rel, group, fields in ARCHIVES:
            path = CORPUS / rel
            if quick:  # a slice of each archive, written beside the store
                path = write_jsonl(tmp_path / f"{sid}.jsonl", jsonl(rel)[:60])
            specs.append(SourceSpec(sid, group, "archive", {"path": str(path), "fields": fields}))
        size = sum(Path(s.extra["path"]).stat().st_size for s in specs) / 1e6  # type: ignore[arg-type]
        config = load_config(write_config(tmp_path, specs))
        lexicon = load_lexicon(config.lexicon_path)
        with Store(config.store_path) as store:
            seconds, report = timed(lambda: Ingest(config, lexicon, store).run())
        per_source = {o.source_id: o for o in report.outcomes}
    n = report.new
    rows.append(Row(BENCH, f"UN General Debate + MFA en + MFA zh ({size:.1f} MB JSONL)",
                    f"{n:,} items in {seconds:.1f} s, {fmt_rate(n / seconds, 'items/s')}, {size / seconds:.2f} MB/s",
                    "no errors", verdict(not report.errors)))
    counts = ", ".join(f"{sid} {o.new}" + (f" (error: {o.error})" if o.error else "") for sid, o in per_source.items())
    rows.append(Row(BENCH, "items per archive", counts))
    rows.append(Row(BENCH, "peak RSS of the import process (ru_maxrss)", f"{peak_rss_mib():.0f} MiB"))
    return rows
