"""Real saved Russian feeds (../shared/corpus/feeds_cn_ru) through the whole ingest,
served byte-for-byte by a real HTTP server on 127.0.0.1: Lenta.ru RSS 2.0 in Russian
(2022-12-03) and two en.kremlin.ru Atom snapshots three hours apart (2020-08-27), stored
in SQLite and in a real PostgreSQL server (`store_url`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.builders import CORPUS, SourceSpec, write_config
from tests.test_pipeline import rows, run_ingest

FEEDS = CORPUS / "feeds_cn_ru"
NOW = datetime(2022, 12, 4, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.skipif(not FEEDS.is_dir(), reason=f"shared corpus not found at {FEEDS}")

_TAG = re.compile(r"</?(?:p|a|div|img|br|span|b|strong)\b[^>]*>", re.IGNORECASE)


def test_lenta_rss_in_russian_gives_dated_russian_items(tmp_path, feed_server, store_url):
    body = (FEEDS / "lenta_ru_rss_2022-12-03.xml").read_bytes()
    url = feed_server.add_feed("/rss/news", body)
    cfg = write_config(tmp_path, [SourceSpec("lenta", "ru-official", "feed", {"url": url, "language": "auto"})])
    result = run_ingest(cfg, now=NOW)
    # 200 <item>s, two of them repeated with the same guid (gosdep/, dollar/)
    assert not result.errors and result.new == 198 and result.outcomes[0].duplicates == 2
    items = rows(cfg, "SELECT * FROM items ORDER BY published_at DESC")
    assert len(items) == 198 and {i["language"] for i in items} == {"ru"}
    newest, oldest = items[0], items[-1]
    # <pubDate>Sat, 03 Dec 2022 19:43:00 +0300</pubDate> is 16:43 UTC
    assert newest["published_at"].startswith("2022-12-03T16:43") and newest["day"] == "2022-12-03"
    assert oldest["published_at"].startswith("2022-12-02T19:45")
    assert not any(i["date_estimated"] for i in items)
    first = next(i for i in items if i["url"] == "https://lenta.ru/news/2022/12/03/freedman/")
    assert first["title"] == "Стало известно о задержании бизнесмена Михаила Фридмана в Лондоне"
    assert first["text"].startswith("Полиция задержала в Лондоне российского бизнесмена Михаила Фридмана.")
    assert not any("CDATA" in i["text"] or _TAG.search(i["text"]) for i in items)
    assert sum("НАТО" in i["title"] + i["text"] for i in items) == 8  # corpus README: 8 items mention НАТО


def test_kremlin_atom_snapshots_overlap_without_duplicates(tmp_path, feed_server, store_url):
    early = (FEEDS / "en_kremlin_ru_president_news_feed_2020-08-27T17-19.atom.xml").read_bytes()
    late = (FEEDS / "en_kremlin_ru_president_news_feed_2020-08-27T20-09.atom.xml").read_bytes()
    url = feed_server.add_feed("/events/president/news/feed", early, content_type="application/atom+xml")
    cfg = write_config(tmp_path, [SourceSpec("kremlin-en", "ru-official", "feed", {"url": url, "language": "en"})])
    first = run_ingest(cfg, now=datetime(2020, 8, 27, 14, 0, tzinfo=UTC))
    assert not first.errors and first.new == 20
    items = rows(cfg, "SELECT * FROM items ORDER BY published_at")
    # <published>2020-08-19T09:00:00+04:00</published> .. <published>2020-08-27T14:20:00+04:00</published>
    assert items[0]["published_at"].startswith("2020-08-19T05:00") and items[-1]["published_at"].startswith(
        "2020-08-27T10:20"
    )
    interview = next(i for i in items if i["url"] == "http://en.kremlin.ru/events/president/news/63951")
    assert interview["title"] == "Interview with Rossiya TV channel"
    assert "Sergei Brilyov: Good afternoon, Mr President." in interview["text"]
    assert not any(_TAG.search(i["text"]) or "&lt;" in i["text"] for i in items)
    feed_server.add_feed("/events/president/news/feed", late, content_type="application/atom+xml")
    second = run_ingest(cfg, now=datetime(2020, 8, 27, 17, 0, tzinfo=UTC))
    assert not second.errors
    urls = [r["url"] for r in rows(cfg, "SELECT url FROM items")]
    assert len(urls) == len(set(urls)) == 20 + second.new and second.new >= 1


def test_score_json_on_russian_text_reports_ru_and_its_matches(tmp_path):
    """python -m ingest score --json on a real Russian passage (putin_lavrov_ru, 2022-02-21,
    Заседание Совета Безопасности), written out as a file."""
    import json
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    text = (
        "Опорный для нас принцип неделимости безопасности, на который мы активно ссылались, Соединённые "
        "Штаты всячески стараются обойти. Главные вопросы, которые нас беспокоят: прекращение расширения "
        "НАТО на восток. Мы выступаем за так называемый «порядок, основанный на правилах»? Нет."
    )
    path = tmp_path / "ru.txt"
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "--config", str(repo / "config.toml"), "score", str(path), "--json"],
        capture_output=True,
        text=True,
        cwd=repo,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    (item,) = json.loads(proc.stdout)["items"]
    assert item["language"] == "ru"
    found = {(m["concept"], m["text"], m["distanced"]) for m in item["matches"]}
    assert ("indivisible_security", "неделимости безопасности", False) in found
    assert ("nato_expansion", "расширения НАТО на восток", False) in found
    assert ("rules_based_order", "порядок, основанный на правилах", True) in found
    for m in item["matches"]:
        assert text[m["start"] : m["end"]] == m["text"]
