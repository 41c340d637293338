"""The only module that wires the others together: sources -> items -> scores -> store.

Each source is stored in its own transaction together with its feed state, so a
crash or kill loses nothing already committed, and a rerun completes the work
without duplicates (every item is checked against the store by URL, GUID and
content hash before it is inserted).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store import Store, now_utc
from store.records import FeedState, FetchResult, Item

from . import feeds
from .config import Config, Source
from .identity import Placement, distinct_identities, is_known, place_one, placements
from .items import item_from_entry, text_hash
from .lexicon import Lexicon
from .match_cap import kept_matches
from .matcher import Matcher
from .run_report import MAX_PROBLEMS_KEPT, RunReport, SourceOutcome
from .scoring_identity import scoring_identity
from .sources import ArchiveRow, RowProblem, read_archive, seed_item
from .workers import Scorer, default_processes

log = logging.getLogger(__name__)

# Worker processes take a few seconds to start and scoring is about a third of an import's
# work, so they pay only for long archives (bench/archive.py measures both ways).
PARALLEL_AFTER_BATCHES = 10


class Ingest:
    """One ingest run over the configured sources."""

    def __init__(self, config: Config, lexicon: Lexicon, store: Store, now: datetime | None = None):
        self.config = config
        self.lexicon = lexicon
        self.store = store
        self.now = now or now_utc()
        self.threshold = config.get("scoring", "threshold")
        self.distanced_weight = config.get("scoring", "distanced_weight")
        self.fetch_settings = feeds.FetchSettings.from_config(config)
        self.force = False
        self.archive_batch = max(1, int(config.get("ingest", "archive_batch_rows")))
        self.scorer = Scorer(lexicon, self.threshold, self.distanced_weight, _processes(config))

    @property
    def matcher(self) -> Matcher:
        return self.scorer.matcher

    def score(self, item: Item) -> Any:
        return kept_matches(self.scorer.score(item.text, item.language))

    def run(
        self,
        only: Iterable[str] | None = None,
        force: bool = False,
        progress: Callable[[str, SourceOutcome], None] | None = None,
    ) -> RunReport:
        try:
            return self._run(only, force, progress)
        finally:
            self.scorer.close()

    def _run(
        self,
        only: Iterable[str] | None,
        force: bool,
        progress: Callable[[str, SourceOutcome], None] | None,
    ) -> RunReport:
        self.force = force
        sources = self.select(only)
        self.store.sync_config(self.config, self.lexicon, self.now)
        run_id = self.store.start_run(
            self.lexicon.content_hash, self.now, scoring_identity(self.lexicon, self.threshold, self.distanced_weight)
        )
        done: dict[str, SourceOutcome] = {}

        def finish(source: Source, fetched: tuple[FeedState, FetchResult] | None = None) -> None:
            if source.kind == "feed" and fetched is None:
                outcome = SourceOutcome(source.id, status="skipped", warning="not due yet (backing off)")
                self._record(run_id, outcome)
            else:
                outcome = self._ingest_source(run_id, source, fetched)
            done[source.id] = outcome
            if progress:
                progress(source.id, outcome)

        # Each feed is stored the moment its fetch ends, so a slow feed never holds the others' items.
        self._fetch([s for s in sources if s.kind == "feed"], force, finish)
        for source in sources:
            if source.id not in done:
                finish(source)
        outcomes = [done[s.id] for s in sources]
        summary = self.store.finish_run(run_id, now_utc())
        return RunReport(run_id, outcomes, summary["status"])

    def select(self, only: Iterable[str] | None) -> list[Source]:
        wanted = set(only or [])
        unknown = wanted - {s.id for s in self.config.sources}
        if unknown:
            raise KeyError(f"unknown source id(s): {', '.join(sorted(unknown))}")
        return [s for s in self.config.sources if (s.id in wanted) or (not wanted and s.enabled)]

    # ---- fetching -----------------------------------------------------------

    def _fetch(
        self,
        sources: list[Source],
        force: bool,
        finish: Callable[[Source, tuple[FeedState, FetchResult]], None],
    ) -> None:
        """Fetch the due feeds concurrently, handing each to `finish` (in this thread) as soon as it is done."""
        due: dict[str, tuple[Source, FeedState]] = {}
        for s in sources:
            state = self.store.feed_state(s.id, s.url or "")
            if force or feeds.due(state, self.now):
                due[s.id] = (s, state)
        if not due:
            return

        broken: list[Exception] = []  # fetch_all keeps going past a failing callback; the store failing must not pass

        def fetched(result: FetchResult) -> None:
            source, state = due[result.source_id]
            try:
                finish(source, (state, result))
            except Exception as exc:
                broken.append(exc)
                raise

        feeds.fetch_all([state for _, state in due.values()], self.fetch_settings, now=self.now, on_done=fetched)
        if broken:
            raise broken[0]

    # ---- one source, one transaction ----------------------------------------

    def _ingest_source(
        self, run_id: int, source: Source, fetched: tuple[FeedState, FetchResult] | None
    ) -> SourceOutcome:
        outcome = SourceOutcome(source.id)
        try:
            if source.kind == "seed":
                self._store_items(run_id, outcome, [seed_item(source, self.now)])
            elif source.kind == "archive":
                self._ingest_archive(run_id, source, outcome, self.force)
            else:
                assert fetched is not None
                self._ingest_feed(run_id, source, outcome, *fetched)
        except Exception as exc:  # one broken source never stops the others
            log.debug("source %s failed", source.id, exc_info=True)
            outcome = SourceOutcome(source.id, status="error", error=_describe(exc))
            self._record(run_id, outcome, fetched)
        return outcome

    def _record(
        self, run_id: int, outcome: SourceOutcome, fetched: tuple[FeedState, FetchResult] | None = None
    ) -> None:
        with self.store.transaction():
            if fetched is not None:
                state, result = fetched
                self.store.save_feed_state(self._next_state(state, result, outcome), self._url(outcome.source_id))
            self.store.record_source(run_id, outcome.source_id, outcome.as_dict(), now_utc())
            self.store.bump_data_version()

    def _url(self, source_id: str) -> str:
        return self.config.source(source_id).url or ""

    def _next_state(self, state: FeedState, result: FetchResult, outcome: SourceOutcome) -> FeedState:
        if result.ok and outcome.error:  # fetched fine but unusable (not a feed)
            from dataclasses import replace

            result = replace(result, error=outcome.error, retryable=False)
        return feeds.next_state(state, result, self.now, self.fetch_settings)

    def _ingest_feed(
        self, run_id: int, source: Source, outcome: SourceOutcome, state: FeedState, result: FetchResult
    ) -> None:
        if not result.ok:
            outcome.status, outcome.error = "error", result.error
            self._record(run_id, outcome, (state, result))
            return
        if result.not_modified:
            outcome.status = "not-modified"
            self._record(run_id, outcome, (state, result))
            return
        try:
            parsed = feeds.parse_feed(result.body or b"", result.final_url or result.url, result.content_type)
        except feeds.FeedParseError as exc:
            outcome.status, outcome.error = "error", str(exc)
            self._record(run_id, outcome, (state, result))
            return
        outcome.warning = parsed.warning
        bodies = self._full_texts(source, parsed.entries)
        items: list[Item] = []
        for entry in parsed.entries:
            try:
                items.append(item_from_entry(source.id, entry, self.now, source.language, bodies.get(entry.link or "")))
            except Exception as exc:  # a single bad entry is reported, the rest are kept
                outcome.failed += 1
                outcome.problems.append(f"{source.id}: entry {entry.title[:60]!r}: {_describe(exc)}")
        # Without its page an item's text is the feed's summary: never an edit of the full text stored.
        partial = {i.content_hash for i in items if source.full_text and (i.url or "") not in bodies}
        self._store_items(run_id, outcome, distinct_identities(items), (state, result), partial=partial)

    def _full_texts(self, source: Source, entries: Iterable[Any]) -> dict[str, str]:
        if not source.full_text:
            return {}
        from .extract import fetch_article_texts

        wanted = [e.link for e in entries if e.link and not is_known(self.store, source.id, e, self.now)]
        return fetch_article_texts(wanted, self.fetch_settings, self.config.get("ingest", "fulltext_allow_hosts"))

    def _ingest_archive(self, run_id: int, source: Source, outcome: SourceOutcome, force: bool = False) -> None:
        """Stream the archive in batches of `archive_batch` rows, each scored and stored in its
        own transaction: memory stays bounded whatever the archive's size, a crash loses at
        most the batch in flight, and a rerun skips the stored rows by their keys."""
        assert source.path is not None
        fingerprint = _fingerprint(source)
        if not force and fingerprint and self.store.meta(f"archive:{source.id}") == fingerprint:
            outcome.status = "unchanged"
            self._record(run_id, outcome)
            return
        if not source.path.exists():
            raise FileNotFoundError(f"{source.path}: archive file not found (source '{source.id}')")
        batch: list[Item] = []
        outlets: dict[str, tuple[str, str]] = {}
        batches = 0
        for row in read_archive(source, self.now):
            if isinstance(row, RowProblem):
                outcome.failed += 1
                if len(outcome.problems) < MAX_PROBLEMS_KEPT:
                    outcome.problems.append(f"{row.where}: {row.message}")
                continue
            assert isinstance(row, ArchiveRow)
            if row.outlet:
                outlets[row.item.source_id] = (row.outlet, row.group)
            batch.append(row.item)
            if len(batch) >= self.archive_batch:
                batches += 1
                parallel = batches > PARALLEL_AFTER_BATCHES
                self._store_items(run_id, outcome, batch, outlets=outlets, final=False, parallel=parallel)
                batch, outlets = [], {}
        if outcome.failed:
            shown = "; ".join(outcome.problems[:3])
            more = f" (+{outcome.failed - 3} more)" if outcome.failed > 3 else ""
            outcome.warning = f"{outcome.failed} row(s) skipped: {shown}{more}"
        self._store_items(run_id, outcome, batch, meta=(f"archive:{source.id}", fingerprint), outlets=outlets)

    def _store_items(
        self,
        run_id: int,
        outcome: SourceOutcome,
        items: list[Item],
        fetched: tuple[FeedState, FetchResult] | None = None,
        meta: tuple[str, str | None] | None = None,
        outlets: dict[str, tuple[str, str]] | None = None,
        final: bool = True,
        parallel: bool = False,
        partial: set[str] | None = None,
        batch: BatchHooks | None = None,
    ) -> None:
        """Score and store `items` in one transaction; the `final` batch of a source also
        records its outcome, feed state and archive fingerprint.  A backfill batch
        (ingest/batch_backfill.py) brings its scores, computed before its turn came, and
        hooks that check and end its claim inside the same transaction."""
        # Duplicates are dropped before scoring, so a rerun over a large archive or an
        # unchanged feed costs lookups, not matching.
        placed = placements(self.store, items)
        fresh = [p.item for p in placed if p.action == "new" or (p.action == "update" and self._may_update(p, partial))]
        outcome.duplicates += len(items) - len(fresh)
        updating = {p.item.content_hash for p in placed if p.action == "update"}
        scored = self._scored(fresh, parallel or self.scorer.started, batch.scores if batch is not None else {})
        with self.store.transaction():
            if batch is not None:
                batch.check()
            for sid, (name, group) in (outlets or {}).items():
                self.store.ensure_source(sid, name, group, "archive", outcome.source_id, self.now)
            self._write(run_id, outcome, scored, updating)
            if final:
                if fetched is not None:
                    state, result = fetched
                    self.store.save_feed_state(self._next_state(state, result, outcome), self._url(outcome.source_id))
                if meta is not None and meta[1] is not None:
                    self.store.set_meta(meta[0], meta[1])
                self.store.record_source(run_id, outcome.source_id, outcome.as_dict(), now_utc())
            if batch is not None:
                batch.done()
            self.store.bump_data_version()

    def _scored(
        self, fresh: list[Item], parallel: bool, known: dict[tuple[str, str], Any]
    ) -> list[tuple[Item, Any, str]]:
        """(item, kept matches, text hash) for each item; `known` scores by (text,
        language) are used as they are (a backfill batch brings them)."""
        jobs = [(item.text, item.language) for item in fresh]
        missing = [job for job in jobs if job not in known]
        computed = dict(zip(missing, (kept_matches(r) for r in self.scorer.score_all(missing, parallel)), strict=True))
        return [
            (item, known[job] if job in known else computed[job], item.text_hash or text_hash(item.title, item.text))
            for item, job in zip(fresh, jobs, strict=True)
        ]

    def _write(
        self, run_id: int, outcome: SourceOutcome, scored: list[tuple[Item, Any, str]], updating: set[str]
    ) -> None:
        """Inside the transaction: updates first, each placed again (an earlier one may have
        changed what is stored); then the new items in one batch, which skips any stored
        meanwhile (another worker) or twice in the batch; then their days' aggregates."""
        new: list[tuple[Item, str, Any]] = []
        for item, score, thash in scored:
            again = place_one(self.store, item) if item.content_hash in updating else Placement("new", item)
            if again.action == "update" and again.target is not None:
                self.store.update_item(again.target, again.item, thash, score)
                outcome.updated += 1
            elif again.action == "new":
                new.append((again.item, thash, score))
            else:
                outcome.duplicates += 1
        ids, duplicates = self.store.insert_items(new, run_id)
        outcome.duplicates += duplicates
        outcome.new += len(ids)
        if ids:
            self.store.add_daily_since(ids[0])
        self.store.refresh_touched_days()  # after the inserts were added: it recomputes whole days

    def _may_update(self, placed: Placement, partial: set[str] | None) -> bool:
        """Not from a feed summary standing in for an article page that was not fetched."""
        return placed.item.content_hash not in (partial or ())


@dataclass
class BatchHooks:
    """What a backfill batch brings to `_store_items`: scores by (text, language), and
    `check`/`done`, called first and last inside the writing transaction."""

    scores: dict[tuple[str, str], Any]
    check: Callable[[], None]
    done: Callable[[], None]


def _processes(config: Config) -> int:
    """scoring.processes: 0 means every core this process may use."""
    wanted = int(config.get("scoring", "processes"))
    return default_processes() if wanted <= 0 else wanted


def _fingerprint(source: Source) -> str | None:
    """Size and modification time: an archive that has not changed is not re-read."""
    try:
        st = source.path.stat() if source.path else None
    except OSError:
        return None
    return None if st is None else f"{st.st_size}:{st.st_mtime_ns}"


def _describe(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    return text if isinstance(exc, (OSError, ValueError, KeyError)) else f"{exc.__class__.__name__}: {text}"
