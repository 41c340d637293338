"""Seed files and archive files -> `Item` records (feeds are in `feeds.py`).

Archive rows that cannot be used are reported with the file and line, and the
rest of the archive is still ingested.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.records import Item

from .config import Source
from .items import coarsen, make_item, read_date

csv.field_size_limit(64 * 1024 * 1024)


@dataclass(frozen=True)
class ArchiveRow:
    item: Item
    outlet: str | None  # the archive's own source/outlet value, when mapped
    group: str


@dataclass(frozen=True)
class RowProblem:
    where: str  # "file:line"
    message: str


def seed_item(source: Source, fetched_at: datetime) -> Item:
    """A seed document with its known metadata; page chrome and repeated headers removed."""
    from .extract import strip_page_chrome

    assert source.path is not None
    try:
        raw = source.path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileNotFoundError(f"{source.path}: seed file not found (source '{source.id}')") from None
    text = _drop_header_lines(strip_page_chrome(raw), source)
    published, precision = (None, "undated") if source.published in (None, "undated") else read_date(source.published)
    item = make_item(
        source.id,
        source.title or "",
        text,
        fetched_at,
        url=source.url,
        guid=f"seed:{source.path.stem}",
        published=published,
        published_raw=source.published,
        language=source.language,
        author=source.author,
        now=fetched_at,
        precision=precision,
        history=True,
    )
    if source.published in (None, "undated"):  # configured undated: known, not a problem
        item = _replace(item, date_flag="undated")
    return item


def _replace(item: Item, **changes: object) -> Item:
    from dataclasses import replace

    return replace(item, **changes)  # type: ignore[arg-type]


def _drop_header_lines(text: str, source: Source) -> str:
    """Remove leading lines that repeat the title, the byline or the author."""

    def key(s: str) -> str:
        return re.sub(r"\W+", " ", s).strip().lower()

    title = key(source.title or "")
    author = key(source.author or "")
    lines = text.split("\n")
    while lines and _is_header(key(lines[0]), title, author, has_more=len(lines) > 1 and bool(lines[1])):
        lines.pop(0)
    return "\n".join(lines).strip()


def _is_header(head: str, title: str, author: str, has_more: bool) -> bool:
    if not head or (title and head == title):
        return True
    if not author:
        return False
    if head == author or (head.startswith("by ") and head[3:] in author):
        return True
    # "CHEN Xiangyang (China)": a byline variant under the title
    return len(head) < 40 and head.split(" ")[0] in author.split(" ") and has_more


def read_archive(source: Source, fetched_at: datetime, span: Span | None = None) -> Iterator[ArchiveRow | RowProblem]:
    """Rows of a JSONL or CSV archive as items, or problems naming file and line; with
    `span`, only the rows that start inside it (a batch of `python -m ingest backfill`)."""
    for row, _ in read_archive_ends(source, fetched_at, span):
        yield row


def read_archive_ends(
    source: Source, fetched_at: datetime, span: Span | None = None
) -> Iterator[tuple[ArchiveRow | RowProblem, Position]]:
    """`read_archive`, each row with the position just after it (where a batch may end)."""
    assert source.path is not None
    if not source.path.exists():
        yield RowProblem(str(source.path), f"archive file not found (source '{source.id}')"), Position(0, 1)
        return
    span = span or Span(0, None, 1)
    rows = _jsonl_rows(source, span) if source.format == "jsonl" else _csv_rows(source, span)
    for where, row, after in rows:
        if isinstance(row, str):
            yield RowProblem(where, row), after
            continue
        yield _archive_row(source, where, row, fetched_at), after


@dataclass(frozen=True)
class Position:
    offset: int  # bytes from the file's start
    line: int  # the line that starts there (1-based)


@dataclass(frozen=True)
class Span:
    """Rows that start at byte `start` (line `line`) up to byte `end` (None: the file's end)."""

    start: int
    end: int | None
    line: int


def _lines(path: Any, start: int, end: int | None) -> Iterator[tuple[str, int]]:
    """Decoded lines from byte `start`, each with the offset after it, until `end`.  Lines
    are cut at b"\\n", b"\\r\\n" or a bare b"\\r", so every offset is a line boundary a batch can start at; the
    one-process import reads through here too, so both see the same lines."""
    with path.open("rb") as fh:
        fh.seek(start)
        offset = start
        for whole in fh:
            for raw in _split_bare_cr(whole):
                if end is not None and offset >= end:
                    return
                text = raw.decode("utf-8-sig" if offset == 0 else "utf-8", errors="replace")
                offset += len(raw)
                yield text, offset


_LINE_END = re.compile(rb"\r\n|\r|\n")


def _split_bare_cr(raw: bytes) -> Iterator[bytes]:
    """A file line cut at b"\\n" split again at any bare b"\\r" (old Mac line ends), as
    Python's universal newlines would: each piece is a line and its end a boundary."""
    cr = raw.find(b"\r")
    if cr < 0 or (cr == len(raw) - 2 and raw.endswith(b"\r\n")):
        yield raw
        return
    pos = 0
    for m in _LINE_END.finditer(raw):
        yield raw[pos : m.end()]
        pos = m.end()
    if pos < len(raw):
        yield raw[pos:]


def _jsonl_rows(source: Source, span: Span) -> Iterator[tuple[str, dict | str, Position]]:
    assert source.path is not None
    n = span.line - 1
    for line, offset in _lines(source.path, span.start, span.end):
        n += 1
        where, after = f"{source.path}:{n}", Position(offset, n + 1)
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield where, f"not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})", after
            continue
        yield where, row if isinstance(row, dict) else "not a JSON object", after


def _csv_rows(source: Source, span: Span) -> Iterator[tuple[str, dict | str, Position]]:
    """CSV records, whose quoted fields may span lines: the csv reader pulls one line at a
    time and stops at a record's end, so the offset after its last line is exact."""
    assert source.path is not None
    ends: list[int] = [0]

    def tracked(lines: Iterator[tuple[str, int]]) -> Iterator[str]:
        for text, offset in lines:
            ends[0] = offset
            yield text

    header_lines = tracked(_lines(source.path, 0, None))
    head = csv.reader(header_lines)
    fieldnames = next(head, None)
    header_end, header_count = ends[0], head.line_num
    missing = [c for c in source.fields.values() if fieldnames and c not in fieldnames]
    if missing:
        yield (
            f"{source.path}:1",
            f"header has no column(s) {missing} named in fields (has {fieldnames})",
            Position(header_end, header_count + 1),
        )
        return
    if fieldnames is None:
        return
    start, first_line = (header_end, header_count + 1) if span.start < header_end else (span.start, span.line)
    reader = csv.DictReader(tracked(_lines(source.path, start, span.end)), fieldnames=fieldnames)
    for row in reader:
        line = first_line - 1 + reader.line_num
        yield f"{source.path}:{line}", row, Position(ends[0], line + 1)


_TEMPLATE_FIELD = re.compile(r"\{(\w+)\}")


def render_title(template: str, row: dict) -> str:
    """The archive's `title_template` filled from the row's columns.  A column that is missing or
    blank leaves no trace ("{country}, {speaker}" without a speaker is "China"), so a title is never
    "None" or a dangling comma.  Plain substitution, never str.format: a row is untrusted."""

    def value(match: re.Match[str]) -> str:
        raw = row.get(match.group(1))
        return "" if raw is None else " ".join(str(raw).split())

    text = _TEMPLATE_FIELD.sub(value, template)
    text = re.sub(r"\s*([,;:·|/–—-])(\s*[,;:·|/–—-])+", r"\1", text)  # separators left around a blank
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
    return re.sub(r"^[\s,;:·|/–—-]+|[\s,;:·|/–—-]+$", "", " ".join(text.split()))


def read_archive_usable(source: Source) -> Iterator[tuple[bool, Position]]:
    """Whether each row of the archive is usable (`read_archive` would give an ArchiveRow
    for it, not a problem), with the position after it: the same lines, JSON and the same
    test as `_archive_row`, without building the item (dates, hashes, cleaning), so
    cutting an archive into batches (ingest/batch_backfill.py) costs a fraction of reading it."""
    assert source.path is not None
    if not source.path.exists():
        return
    span = Span(0, None, 1)
    rows = _jsonl_rows(source, span) if source.format == "jsonl" else _csv_rows(source, span)
    for _, row, after in rows:
        yield not isinstance(row, str) and _no_text(source, row) is None, after


def _field(source: Source, row: dict, name: str) -> str | None:
    column = source.fields.get(name)
    value = row.get(column) if column else None
    # NUL is never content (see items._no_nul): an outlet or title cell with one is read without it.
    return None if value is None else str(value).replace("\x00", "")


def _no_text(source: Source, row: dict) -> str | None:
    """Why the row cannot be an item (neither text nor title), or None."""
    text = _field(source, row, "text")
    title = (
        (render_title(source.title_template, row) if source.title_template else "")
        or _field(source, row, "title")
        or ""
    )
    if not (text and text.strip()) and not title.strip():
        return f"no text in column '{source.fields['text']}'"
    return None


def _archive_row(source: Source, where: str, row: dict, fetched_at: datetime) -> ArchiveRow | RowProblem:
    f = source.fields

    def get(name: str) -> str | None:
        return _field(source, row, name)

    problem = _no_text(source, row)
    if problem:
        return RowProblem(where, problem)
    text = get("text")
    title = (render_title(source.title_template, row) if source.title_template else "") or get("title") or ""
    raw_date = row.get(f["date"]) if "date" in f else None
    published, precision = coarsen(*read_date(raw_date), source.date_precision)
    readable = _blank(raw_date) is None or published is not None
    outlet = (get("source") or "").strip() or None
    group = source.source_groups.get(outlet, source.group) if outlet else source.group
    source_id = f"{source.id}/{_slug(outlet)}" if outlet else source.id
    item = make_item(
        source_id,
        title,
        text or title,
        fetched_at,
        url=get("url"),
        guid=get("guid"),
        published=published,
        published_raw=None if raw_date is None else str(raw_date),
        language=_language(get("language"), source.language),
        now=fetched_at,
        precision=precision,
        history=True,
    )
    if not readable:
        item = _replace(item, date_flag="unreadable")
    return ArchiveRow(item, outlet, group)


def _blank(value: object) -> object:
    """None for a missing cell: absent, null, empty, or a NaN a spreadsheet export wrote."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _language(value: str | None, configured: str) -> str:
    """An archive's own language column wins, except that plain "zh" still needs the
    script detected (simplified or traditional)."""
    value = (value or "").strip().lower()
    if value in ("en", "zh-hans", "zh-hant", "ru"):
        return value
    if value.startswith("zh"):
        return "auto"
    return configured


def _slug(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-") or "unknown"
