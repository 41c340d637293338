"""PostgreSQL's half of the migrations registry.

Every migration of `schema.py` is applied to PostgreSQL too, translated by
`dialect.pg_ddl` (the same tables, columns, keys and indexes), so both backends
reach the same schema version with the same meaning.  What SQLite does with
objects PostgreSQL lacks, or the reverse, is added here under the same id:
`PG_EXTRA[id]` runs after the translated migration `id`, in its transaction;
`PG_REPLACE[id]` replaces the translation when it cannot be mechanical.
"""

from __future__ import annotations

from .schema import MIGRATIONS

PG_EXTRA: dict[int, str] = {
    1: """
        -- SQLite sums booleans (true is 1); the store's aggregates rely on it.  The sum of
        -- no rows or only NULLs is NULL, as in SQLite.
        CREATE OR REPLACE FUNCTION monitor_bool_sum_step(acc bigint, value boolean) RETURNS bigint
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            AS $$ SELECT CASE WHEN value IS NULL THEN acc ELSE coalesce(acc, 0) + value::int END $$;
        CREATE OR REPLACE AGGREGATE sum(boolean) (
            SFUNC = monitor_bool_sum_step, STYPE = bigint, COMBINEFUNC = int8pl, PARALLEL = SAFE
        );
        -- SQLite's two-argument min() and max() are scalar (PostgreSQL's least and greatest).
        -- Only integer and text forms: a float one would win PostgreSQL's overload
        -- resolution for two integers and turn an offset into a float.
        CREATE OR REPLACE FUNCTION max(a bigint, b bigint) RETURNS bigint
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT greatest(a, b) $$;
        CREATE OR REPLACE FUNCTION min(a bigint, b bigint) RETURNS bigint
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT least(a, b) $$;
        CREATE OR REPLACE FUNCTION max(a text, b text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT greatest(a, b) $$;
        CREATE OR REPLACE FUNCTION min(a text, b text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT least(a, b) $$;
        -- SQLite's integers are 64-bit: substr() must take what max() and the columns give.
        CREATE OR REPLACE FUNCTION substr(t text, start bigint, len bigint) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT substr(t, start::int, len::int) $$;
        -- Substring search, as SQLite's trigram FTS5 table gives: GIN trigram indexes
        -- serve ILIKE '%phrase%' on each column (see store/reads.py and docs/scaling.md).
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX items_title_trgm ON items USING gin (title gin_trgm_ops);
        CREATE INDEX items_text_trgm ON items USING gin (text gin_trgm_ops);
    """,
    8: """
        -- A rescore updates every item's scores.  An update that finds no room on the row's
        -- page writes a new row version into every index, the trigram GIN indexes included
        -- (hundreds of trigrams per text): that was 9 of a 5,000-item rescore's 14 seconds.
        -- Pages kept 40% free let most updates stay on their page (HOT: no index touched).
        -- Applies to pages written from now on; `VACUUM FULL items` rewrites older ones.
        ALTER TABLE items SET (fillfactor = 60);
    """,
}


def _portable(mid: int, replacements: dict[str, str]) -> str:
    """Migration `mid` with its SQLite-only phrases replaced (each must occur: a released
    migration never changes, so a miss means this table is wrong)."""
    sql = next(sql for i, _, sql in MIGRATIONS if i == mid)
    for old, new in replacements.items():
        if old not in sql:
            raise RuntimeError(f"schema_pg: migration {mid} no longer contains {old!r}")
        sql = sql.replace(old, new)
    return sql


PG_REPLACE: dict[int, str] = {
    # GLOB is SQLite's; the same shapes as POSIX regular expressions.  `matching` is an
    # integer, so it is compared, not used as a boolean.
    4: _portable(
        4,
        {
            """trim(published_raw) GLOB '[0-9][0-9][0-9][0-9]-[0-9]'
               OR trim(published_raw) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'""": (
                "trim(published_raw) ~ '^[0-9]{4}-[0-9]{1,2}$'"
            ),
            """trim(published_raw) GLOB '[0-9][0-9][0-9][0-9]'
               OR trim(published_raw) GLOB '[0-9][0-9][0-9][0-9].0'""": ("trim(published_raw) ~ '^[0-9]{4}([.]0)?$'"),
            "sum(i.matching AND i.copy_of IS NULL)": "sum(i.matching = 1 AND i.copy_of IS NULL)",
        },
    ),
    # SQLite's char() is PostgreSQL's chr().
    7: _portable(7, {"char(10)": "chr(10)", "char(13)": "chr(13)", "char(9)": "chr(9)"}),
}
