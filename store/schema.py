"""Registered schema migrations.  Each runs once, in order, inside a transaction,
and is recorded in the `migrations` table (after sqlite-utils' migrations).
Never edit a released migration: add a new one."""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "initial schema",
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE groups (
            id TEXT PRIMARY KEY, label TEXT NOT NULL, colour TEXT NOT NULL, position INTEGER NOT NULL
        );
        CREATE TABLE sources (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            group_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            language TEXT NOT NULL,
            url TEXT,
            parent_id TEXT,
            configured INTEGER NOT NULL DEFAULT 1,
            first_seen_at TEXT NOT NULL
        );
        CREATE TABLE feed_state (
            source_id TEXT PRIMARY KEY REFERENCES sources(id),
            configured_url TEXT NOT NULL,
            url TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            status TEXT NOT NULL,
            http_status INTEGER,
            error TEXT,
            last_attempt_at TEXT,
            last_success_at TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT
        );
        CREATE TABLE families (
            id TEXT PRIMARY KEY, label TEXT NOT NULL, colour TEXT NOT NULL,
            description TEXT NOT NULL, position INTEGER NOT NULL
        );
        CREATE TABLE concepts (
            id TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            family_id TEXT NOT NULL,
            definition TEXT NOT NULL,
            seed TEXT,
            weight REAL NOT NULL,
            forms TEXT NOT NULL,
            position INTEGER NOT NULL
        );
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            pid INTEGER,
            lexicon_hash TEXT,
            new_items INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            failed_sources INTEGER NOT NULL DEFAULT 0,
            errors TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE run_sources (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            source_id TEXT NOT NULL,
            status TEXT NOT NULL,
            new_items INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            failed_items INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            warning TEXT,
            finished_at TEXT NOT NULL,
            PRIMARY KEY (run_id, source_id)
        );
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL REFERENCES sources(id),
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            url TEXT,
            canonical_url TEXT,
            guid TEXT,
            author TEXT,
            language TEXT NOT NULL,
            published_at TEXT NOT NULL,
            day TEXT NOT NULL,
            date_estimated INTEGER NOT NULL DEFAULT 0,
            date_flag TEXT,
            published_raw TEXT,
            fetched_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            copy_of INTEGER REFERENCES items(id),
            words INTEGER NOT NULL,
            score REAL NOT NULL,
            matching INTEGER NOT NULL,
            lexicon_hash TEXT NOT NULL,
            run_id INTEGER
        );
        CREATE UNIQUE INDEX items_source_canonical ON items(source_id, canonical_url)
            WHERE canonical_url IS NOT NULL;
        CREATE UNIQUE INDEX items_source_guid ON items(source_id, guid) WHERE guid IS NOT NULL;
        CREATE UNIQUE INDEX items_source_hash ON items(source_id, content_hash);
        CREATE INDEX items_text_hash ON items(text_hash);
        CREATE INDEX items_source_day ON items(source_id, day);
        CREATE INDEX items_published ON items(published_at);
        CREATE INDEX items_matching_published ON items(matching, published_at);
        CREATE TABLE matches (
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            concept_id TEXT NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text TEXT NOT NULL,
            form TEXT NOT NULL,
            distanced INTEGER NOT NULL,
            how TEXT
        );
        CREATE INDEX matches_item ON matches(item_id);
        CREATE TABLE item_concepts (
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            concept_id TEXT NOT NULL,
            hits INTEGER NOT NULL,
            own INTEGER NOT NULL,
            distanced INTEGER NOT NULL,
            per_1k REAL NOT NULL,
            PRIMARY KEY (item_id, concept_id)
        ) WITHOUT ROWID;
        CREATE INDEX item_concepts_concept ON item_concepts(concept_id, item_id);
        -- Pre-aggregated daily counts maintained by ingest: the overview never scans items.
        CREATE TABLE daily_source (
            day TEXT NOT NULL,
            source_id TEXT NOT NULL,
            items INTEGER NOT NULL,
            matching INTEGER NOT NULL,
            original_items INTEGER NOT NULL,
            original_matching INTEGER NOT NULL,
            PRIMARY KEY (day, source_id)
        ) WITHOUT ROWID;
        CREATE INDEX daily_source_source ON daily_source(source_id, day);
        CREATE TABLE daily_concept (
            day TEXT NOT NULL,
            source_id TEXT NOT NULL,
            concept_id TEXT NOT NULL,
            items INTEGER NOT NULL,
            own_items INTEGER NOT NULL,
            distanced_items INTEGER NOT NULL,
            hits INTEGER NOT NULL,
            original_items INTEGER NOT NULL,
            PRIMARY KEY (day, source_id, concept_id)
        ) WITHOUT ROWID;
        CREATE INDEX daily_concept_concept ON daily_concept(concept_id, day);
        CREATE VIRTUAL TABLE items_fts USING fts5(
            title, text, content='items', content_rowid='id', tokenize='trigram'
        );
        CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
            INSERT INTO items_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER items_fts_update AFTER UPDATE OF title, text ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO items_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        """,
    ),
    (
        2,
        "watches and alerts",
        """
        -- A watch is an analyst's saved question; lists are JSON arrays of ids.
        CREATE TABLE watches (
            name TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            kind TEXT NOT NULL,
            concepts TEXT NOT NULL DEFAULT '[]',
            query TEXT NOT NULL DEFAULT '',
            groups TEXT NOT NULL DEFAULT '[]',
            sources TEXT NOT NULL DEFAULT '[]',
            languages TEXT NOT NULL DEFAULT '[]',
            rules TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            -- items up to this id were history when the watch was saved: they never raise
            -- "first in group" or "new item" alerts, only count in the backfilled series
            alerts_after_item INTEGER NOT NULL DEFAULT 0,
            evaluated_item INTEGER NOT NULL DEFAULT 0,
            evaluated_lexicon TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE watch_items (
            watch_name TEXT NOT NULL REFERENCES watches(name) ON DELETE CASCADE,
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            own INTEGER NOT NULL,
            distanced INTEGER NOT NULL,
            PRIMARY KEY (watch_name, item_id)
        );
        CREATE INDEX watch_items_item ON watch_items(item_id);
        -- One row per event: the key makes "decided" happen once however often rules run.
        CREATE TABLE alert_events (
            event_key TEXT PRIMARY KEY,
            watch_name TEXT NOT NULL,
            rule TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            title TEXT NOT NULL,
            reason TEXT NOT NULL,
            evidence TEXT NOT NULL DEFAULT '[]',
            link TEXT NOT NULL DEFAULT '',
            seen INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX alert_events_decided ON alert_events(decided_at);
        CREATE TABLE alert_deliveries (
            event_key TEXT NOT NULL REFERENCES alert_events(event_key) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            claimed_by TEXT,
            claimed_at TEXT,
            last_error TEXT,
            delivered_at TEXT,
            batch TEXT,
            PRIMARY KEY (event_key, channel)
        );
        CREATE INDEX alert_deliveries_state ON alert_deliveries(state, channel);
        CREATE TABLE delivery_log (
            batch TEXT NOT NULL,
            channel TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            at TEXT NOT NULL,
            ok INTEGER NOT NULL,
            events INTEGER NOT NULL,
            detail TEXT NOT NULL,
            PRIMARY KEY (batch, channel, attempt)
        );
        """,
    ),
    (
        3,
        "full-text index written per batch, not per row",
        # A per-row trigger made the index the largest single cost of a big import;
        # Store.transaction() now indexes the rows it inserted in one INSERT ... SELECT
        # before COMMIT (same index, same hits: tests/test_store_batches.py).
        """
        DROP TRIGGER items_fts_insert;
        """,
    ),
    (
        4,
        "date precision; undated and untrusted dates off the timeline; aggregates by precision",
        # Earlier versions stored every item at a day: undated seeds and dateless archive rows at
        # their import time, year-only speeches on 1 January.  Precision is recovered from the
        # raw date text; the daily aggregates gain a precision column so a month- or year-dated
        # item is only ever counted in buckets at least as coarse as its date.
        """
        ALTER TABLE items ADD COLUMN date_precision TEXT NOT NULL DEFAULT 'day';
        UPDATE items SET date_precision = 'time' WHERE published_raw LIKE '%:%' OR published_raw IS NULL;
        UPDATE items SET date_precision = 'month'
            WHERE trim(published_raw) GLOB '[0-9][0-9][0-9][0-9]-[0-9]'
               OR trim(published_raw) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]';
        UPDATE items SET date_precision = 'year'
            WHERE trim(published_raw) GLOB '[0-9][0-9][0-9][0-9]'
               OR trim(published_raw) GLOB '[0-9][0-9][0-9][0-9].0';
        UPDATE items SET date_flag = 'sentinel'
            WHERE date_flag IS NULL AND date_precision IN ('time', 'day')
              AND published_at IN ('1970-01-01T00:00:00Z', '1900-01-01T00:00:00Z');
        UPDATE items SET date_precision = 'undated', published_at = '', day = '', date_estimated = 0
            WHERE date_flag = 'undated' OR (
                (date_estimated = 1 OR date_flag IS NOT NULL)
                AND source_id IN (SELECT id FROM sources WHERE kind IN ('archive', 'seed')));
        UPDATE items SET published_at = fetched_at, day = substr(fetched_at, 1, 10), date_estimated = 1,
                date_precision = 'time'
            WHERE date_flag = 'sentinel' AND date_precision != 'undated';
        CREATE INDEX items_precision_published ON items(date_precision, published_at);

        DROP TABLE daily_source;
        DROP TABLE daily_concept;
        CREATE TABLE daily_source (
            day TEXT NOT NULL,
            source_id TEXT NOT NULL,
            precision TEXT NOT NULL,  -- day (exact time or day) | month | year: the finest bucket allowed
            items INTEGER NOT NULL,
            matching INTEGER NOT NULL,
            original_items INTEGER NOT NULL,
            original_matching INTEGER NOT NULL,
            PRIMARY KEY (day, source_id, precision)
        ) WITHOUT ROWID;
        CREATE INDEX daily_source_source ON daily_source(source_id, day);
        CREATE TABLE daily_concept (
            day TEXT NOT NULL,
            source_id TEXT NOT NULL,
            concept_id TEXT NOT NULL,
            precision TEXT NOT NULL,
            items INTEGER NOT NULL,
            own_items INTEGER NOT NULL,
            distanced_items INTEGER NOT NULL,
            hits INTEGER NOT NULL,
            original_items INTEGER NOT NULL,
            PRIMARY KEY (day, source_id, concept_id, precision)
        ) WITHOUT ROWID;
        CREATE INDEX daily_concept_concept ON daily_concept(concept_id, day);
        INSERT INTO daily_source (day, source_id, precision, items, matching, original_items, original_matching)
            SELECT i.day, i.source_id, CASE WHEN i.date_precision = 'time' THEN 'day' ELSE i.date_precision END,
                   count(*), sum(i.matching), sum(i.copy_of IS NULL), sum(i.matching AND i.copy_of IS NULL)
            FROM items i WHERE i.date_precision != 'undated' GROUP BY 1, 2, 3;
        INSERT INTO daily_concept (day, source_id, concept_id, precision, items, own_items, distanced_items,
                hits, original_items)
            SELECT i.day, i.source_id, ic.concept_id,
                   CASE WHEN i.date_precision = 'time' THEN 'day' ELSE i.date_precision END,
                   count(*), sum(ic.own > 0), sum(ic.distanced > 0), sum(ic.hits), sum(i.copy_of IS NULL)
            FROM items i JOIN item_concepts ic ON ic.item_id = i.id
            WHERE i.date_precision != 'undated' GROUP BY 1, 2, 3, 4;
        """,
    ),
    (
        5,
        "feed leases for parallel workers",
        # One row per configured feed: which worker holds it and until when.  Workers claim
        # due rows (PostgreSQL: FOR UPDATE SKIP LOCKED) and a lease; a killed worker's lease
        # runs out and another worker takes the feed.  `host` bounds requests per host.
        """
        CREATE TABLE feed_leases (
            source_id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            worker TEXT,
            leased_until TEXT,
            claimed_at TEXT,
            claims INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX feed_leases_host ON feed_leases(host, leased_until);
        """,
    ),
    (
        6,
        "feed leases ordered by when each feed is due",
        # A claim reads the few rows due first from an index instead of sorting every feed:
        # `due_at` is the lease's end while leased and, once released, when the feed may be
        # fetched again ('' = now).  Past ~100k feeds sorting all of them per claim is the cost.
        """
        ALTER TABLE feed_leases ADD COLUMN due_at TEXT NOT NULL DEFAULT '';
        CREATE INDEX feed_leases_due ON feed_leases(due_at, source_id);
        """,
    ),
    (
        7,
        "headline-only or full text, per item; aggregates split by it",
        # The kind of evidence was guessed per source (most of its items); a source can mix
        # headlines and full texts, so each item now says which it is and the aggregates keep
        # the two apart.  New items are classified by store.evidence.headline_only; items
        # already stored by the same rule's SQL form (no text, or the text is the title).
        """
        ALTER TABLE items ADD COLUMN headline_only INTEGER NOT NULL DEFAULT 0;
        UPDATE items SET headline_only = 1
            WHERE trim(replace(replace(replace(text, char(10), ' '), char(13), ' '), char(9), ' ')) IN ('', title);

        DROP TABLE daily_source;
        DROP TABLE daily_concept;
        CREATE TABLE daily_source (
            day TEXT NOT NULL,
            source_id TEXT NOT NULL,
            precision TEXT NOT NULL,  -- day (exact time or day) | month | year: the finest bucket allowed
            headline INTEGER NOT NULL,  -- 1: headline-only items, 0: items with a body text
            items INTEGER NOT NULL,
            matching INTEGER NOT NULL,
            original_items INTEGER NOT NULL,
            original_matching INTEGER NOT NULL,
            PRIMARY KEY (day, source_id, precision, headline)
        ) WITHOUT ROWID;
        CREATE INDEX daily_source_source ON daily_source(source_id, day);
        CREATE TABLE daily_concept (
            day TEXT NOT NULL,
            source_id TEXT NOT NULL,
            concept_id TEXT NOT NULL,
            precision TEXT NOT NULL,
            headline INTEGER NOT NULL,
            items INTEGER NOT NULL,
            own_items INTEGER NOT NULL,
            distanced_items INTEGER NOT NULL,
            hits INTEGER NOT NULL,
            original_items INTEGER NOT NULL,
            PRIMARY KEY (day, source_id, concept_id, precision, headline)
        ) WITHOUT ROWID;
        CREATE INDEX daily_concept_concept ON daily_concept(concept_id, day);
        INSERT INTO daily_source (day, source_id, precision, headline, items, matching, original_items,
                original_matching)
            SELECT i.day, i.source_id, CASE WHEN i.date_precision = 'time' THEN 'day' ELSE i.date_precision END,
                   i.headline_only, count(*), sum(i.matching), sum(i.copy_of IS NULL),
                   sum(i.matching = 1 AND i.copy_of IS NULL)
            FROM items i WHERE i.date_precision != 'undated' GROUP BY 1, 2, 3, 4;
        INSERT INTO daily_concept (day, source_id, concept_id, precision, headline, items, own_items,
                distanced_items, hits, original_items)
            SELECT i.day, i.source_id, ic.concept_id,
                   CASE WHEN i.date_precision = 'time' THEN 'day' ELSE i.date_precision END, i.headline_only,
                   count(*), sum(ic.own > 0), sum(ic.distanced > 0), sum(ic.hits), sum(i.copy_of IS NULL)
            FROM items i JOIN item_concepts ic ON ic.item_id = i.id
            WHERE i.date_precision != 'undated' GROUP BY 1, 2, 3, 4, 5;
        """,
    ),
    (
        8,
        "batch jobs for parallel rescoring",
        # A large job (a rescore) as batches of item ids that any worker may claim with a
        # lease, like feed_leases; `job` names the work (e.g. the lexicon to rescore with),
        # so a worker takes only batches it can do.  done_at is set in the batch's own
        # transaction; whoever ends the last batch also ends the job in that transaction.
        """
        CREATE TABLE batch_jobs (
            job TEXT NOT NULL,
            first_id INTEGER NOT NULL,
            last_id INTEGER NOT NULL,
            worker TEXT,
            leased_until TEXT,
            claims INTEGER NOT NULL DEFAULT 0,
            done_at TEXT,
            PRIMARY KEY (job, first_id)
        );
        CREATE INDEX batch_jobs_open ON batch_jobs(job, done_at, leased_until);
        """,
    ),
    (
        9,
        "live feed leases by their end",
        # A claim counts the live leases per host; with only (host, leased_until) that count
        # read every feed's entry.  By lease end it reads the leased rows alone.
        """
        CREATE INDEX feed_leases_leased ON feed_leases(leased_until);
        """,
    ),
    (
        10,
        "archive backfill batches",
        # A backfill batch is a byte range of an archive (first_id..last_id are offsets):
        # first_line numbers its rows in problems, outcome keeps its counts (JSON) until
        # the last batch records the source's outcome for the run.
        """
        ALTER TABLE batch_jobs ADD COLUMN first_line INTEGER;
        ALTER TABLE batch_jobs ADD COLUMN outcome TEXT;
        """,
    ),
    (
        11,
        "runs carried by a batch job",
        # A backfill's run is finished by whichever process writes the job's last batch,
        # which need not be the process that started it (it may have been killed): the
        # run names its job, so a run whose own process is gone still counts as going
        # while workers hold the job's batches (store/runs.py).
        """
        ALTER TABLE runs ADD COLUMN batch_job TEXT;
        """,
    ),
    (
        12,
        "run liveness across process namespaces",
        # A dashboard in another container (another PID namespace) cannot see a SQLite run's
        # pid, and took a live run for an interrupted one.  A run records its pid namespace;
        # a reader in another one goes by the heartbeat the run's process stamps instead
        # (store/runs.py).
        """
        ALTER TABLE runs ADD COLUMN pid_ns TEXT;
        ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
        """,
    ),
    (
        13,
        "items no longer carry the lexicon that scored them",
        # Nothing read it, and keeping it true cost every rescore a write of every item's
        # row (on PostgreSQL half of a rescore batch's time, each row a new version in every
        # index).  Which lexicon scored the store is meta.lexicon_hash; an item first stored
        # by a run has that run's runs.lexicon_hash; a batch rescore's done batches say
        # which items it has rescored so far (batch_jobs).
        """
        ALTER TABLE items DROP COLUMN lexicon_hash;
        """,
    ),
    (
        14,
        "each source's span of days read from an index",
        # Every page's default period needs each source's first and last day (analysis/
        # default_view.py): a scan of daily_source that looked up every row for its precision
        # and count (50 ms at a million items, 40 sources).  This index covers the query.  Led
        # by the source, not the precision: led by the precision it drew the store's first-day
        # query (StoreReader.day_range) off the primary key, whose walk stops at the first row.
        """
        CREATE INDEX daily_source_span ON daily_source(source_id, precision, day, items);
        """,
    ),
    (
        15,
        "runs record the scoring they apply",
        # What scores an item: the lexicon, the matching code (ingest/rules_version.py) and the
        # scoring settings, as one JSON text (ingest/scoring_identity.py).  meta.scored_with says
        # under which of these every stored item was scored (set by the first run into an empty
        # store and by every complete rescore); a run whose scoring differs leaves the store
        # mixed until a rescore, and the dashboard says so (analysis/scoring_state.py).
        """
        ALTER TABLE runs ADD COLUMN scoring TEXT;
        """,
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1][0]
