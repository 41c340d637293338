"""compute_briefing(): the one function that computes a weekly briefing from the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from store.briefing_reads import MAX_STORED_MATCHES, BriefingReader
from store.watch_reads import WatchReads

from ..default_view import NOT_COVERAGE, NewerData, default_period, newer_data
from . import format as fmt
from . import significance
from .articles import pick_articles, top_articles
from .concepts import GROUP_TABLE_CONCEPTS, concept_changes, crossings, group_table
from .coverage import failure_caveats, silent_caveats
from .model import Briefing, ConceptChange, Headline, MatchingItem, TrendPoint
from .phrases import MAX_TEXT, emerging_phrases, language_of, lexicon_forms
from .weeks import IsoWeek, default_week, week_of_day

BASELINE_WEEKS, TREND_WEEKS = 4, 12
TOP_CONCEPTS, TREND_CONCEPTS = 6, 6
TREND_CONTEXT = 4  # with fewer movers, the chart adds this week's most frequent concepts for context
PHRASE_ITEMS = 2_000  # most recent matching items read per period for phrases

METHOD = (
    "Counts are matching items (score at or above the threshold); a concept's share is the items using it "
    "divided by all items ingested in the same period and groups, numerators and denominators summed over "
    "the weeks of a period. Days are UTC; weeks are ISO weeks (Monday to Sunday).",
    significance.METHOD,
    "Emerging phrases: whole words and phrases in this week's matching items (English 2–4 words, Chinese 1–3 "
    "words of a jieba segmentation, Russian 2–4 words counted by lemma), in at least two items, ranked by G² "
    "against the previous four weeks; phrases covered by the lexicon or led or ended by a function word are "
    "left out.",
)


def resolve_week(reader: BriefingReader, week: str | None, today: date | None = None) -> IsoWeek:
    """The week asked for, or the default one (the CLI and the page both call this)."""
    if week:
        return IsoWeek.parse(week)
    return opening(reader, today or datetime.now(UTC).date()).default


@dataclass(frozen=True)
class Opening:
    """What the briefing opens on without a week asked for."""

    weeks: list[str]  # every week with day-dated items, newest first
    default: IsoWeek
    newer: NewerData | None  # sources with items after the default week, said beside it


def opening(reader: BriefingReader, today: date) -> Opening:
    """The last complete week of the latest well-covered stretch (analysis/default_view.py): a
    small archive newer than all the others does not open the briefing on a week it holds alone;
    a live store opens on its last complete week."""
    weeks = {week_of_day(d) for d in reader.days_with_items()}
    first, last = reader.day_range(exclude_groups=NOT_COVERAGE)  # the dashboard's range, seeds left out
    spans = reader.source_spans(exclude_groups=NOT_COVERAGE)
    covered = default_period(first, last, BASELINE_WEEKS * 7, today, spans)
    default = default_week(today, last and covered.last, weeks)
    # Said only when coverage moved the week back: a live store's newest items are just this week's.
    return Opening(sorted(weeks, reverse=True), default, newer_data(covered, spans, last))


def compute_briefing(
    reader: BriefingReader,
    week: str | IsoWeek | None = None,
    groups: Sequence[str] | None = None,
    today: date | None = None,
) -> Briefing:
    wk = week if isinstance(week, IsoWeek) else resolve_week(reader, week, today)
    groups = tuple(groups or ())
    all_groups = reader.group_list()
    group_labels = {r.id: r.label for r in all_groups.itertuples() if not groups or r.id in groups}
    concepts = reader.concept_list()
    labels = dict(zip(concepts["id"], concepts["label"], strict=True))
    base_first = wk.shift(-BASELINE_WEEKS)
    trend_first = wk.shift(-(TREND_WEEKS - 1))
    first = min(base_first, trend_first).first_day

    sd = reader.source_days(first, wk.last_day, groups).assign(week=lambda d: d["day"].map(week_of_day))
    cd = reader.concept_days(first, wk.last_day, groups).assign(week=lambda d: d["day"].map(week_of_day))
    base_weeks = {str(wk.shift(-i)) for i in range(1, BASELINE_WEEKS + 1)}
    in_week, in_base = sd["week"] == str(wk), sd["week"].isin(base_weeks)
    # Baseline weeks count as covered from the first day of coverage; the seeds (1997 on) would
    # make every baseline week look covered in a store whose feeds began last week.
    store_first = reader.day_range(exclude_groups=NOT_COVERAGE)[0]
    covered = sum(
        1 for i in range(1, BASELINE_WEEKS + 1) if store_first is not None and wk.shift(-i).last_day >= store_first
    )

    headline = _headline(sd[in_week], sd[in_base], covered)
    week_cd = cd[cd["week"] == str(wk)]
    history = reader.concept_history(wk.first_day)
    hist_sel = history if not groups else history[history["group_id"].isin(groups)]
    panel = _panel(sd, in_week, in_base)
    scd = reader.source_concept_days(base_first.first_day, wk.last_day, groups)
    scd = scd[scd["source_id"].isin(panel)].assign(week=lambda d: d["day"].map(week_of_day))
    changes = concept_changes(
        scd[scd["week"] == str(wk)].groupby("concept_id")["items"].sum(),
        scd[scd["week"].isin(base_weeks)].groupby("concept_id")["items"].sum(),
        int(sd.loc[in_week & sd["source_id"].isin(panel), "items"].sum()),
        int(sd.loc[in_base & sd["source_id"].isin(panel), "items"].sum()),
        concepts,
        set(hist_sel["concept_id"]),
    )
    changes = _with_first_uses(
        changes, week_cd.groupby("concept_id")["items"].sum(), headline.items, concepts, set(hist_sel["concept_id"])
    )
    week_items = reader.matching_items(wk.first_day, wk.last_day, groups)
    movers = [c for c in changes if c.significant] + [c for c in changes if c.first_time and not c.significant]
    shown = _shown_concepts(changes, movers)

    prev = wk.shift(-1)
    prev_sd = sd[sd["week"] == str(prev)]
    table = group_table(
        week_cd,
        cd[cd["week"] == str(prev)],
        sd[in_week].groupby("group_id")["items"].sum(),
        prev_sd.groupby("group_id")["items"].sum(),
        [c.concept_id for c in shown][:GROUP_TABLE_CONCEPTS],
        labels,
        group_labels,
    )
    cross = crossings(week_cd, history, week_items, labels, group_labels)
    top_note, chosen = _article_concepts(changes, movers)
    picks = [(c.concept_id, c.label, pick_articles(week_items, c.concept_id)) for c in chosen]
    ids = sorted({int(i) for _, _, rows in picks for i in rows["item_id"]})
    articles = top_articles(picks, reader.first_matches(ids), group_labels)

    caveats = failure_caveats(
        reader.source_failures(wk.first_day + "T00:00:00Z", wk.shift(1).first_day + "T00:00:00Z", groups),
        reader.feeds_failing(wk.shift(1).first_day + "T00:00:00Z", groups) if _is_latest(wk, today) else pd.DataFrame(),
    ) + silent_caveats(wk, sd[in_week | in_base], today)

    trend_concepts = [c.concept_id for c in shown][: max(len(movers), TREND_CONTEXT)][:TREND_CONCEPTS]
    trend = _trend(sd, cd, trend_first, wk, trend_concepts, labels)
    return Briefing(
        week=str(wk),
        first_day=wk.first_day,
        last_day=wk.last_day,
        groups=groups,
        group_labels=group_labels,
        headline=headline,
        caveats=tuple(caveats),
        concepts=tuple(changes),
        group_table=tuple(table),
        crossings=tuple(cross),
        top_articles=tuple(articles),
        top_note=top_note,
        phrases=tuple(_phrases(reader, wk, base_first, groups, concepts)),
        trend=tuple(trend),
        items=tuple(_matching_items(week_items)),
        method=METHOD
        + _method_notes(sd, in_week, in_base, panel, reader.off_week_counts(groups))
        + (_cap_note(reader.capped_items(wk.first_day, wk.last_day, groups)),),
        watches=tuple(_watches(reader, wk)),
    )


def _panel(sd: pd.DataFrame, in_week: pd.Series, in_base: pd.Series) -> set[str]:
    """Sources with items both this week and in the baseline weeks: the only ones whose
    concept shares are compared (a source that starts or stops is not a shift in discourse)."""
    active = sd["items"] > 0
    return set(sd.loc[in_week & active, "source_id"]) & set(sd.loc[in_base & active, "source_id"])


def _with_first_uses(
    changes: list[ConceptChange], pooled_week: pd.Series, n_week: int, concepts: pd.DataFrame, seen: set[str]
) -> list[ConceptChange]:
    """A first use is not a comparison: it counts whichever source made it, panel or not."""
    have = {c.concept_id for c in changes}
    extra = pooled_week[[cid not in have and cid not in seen and n > 0 for cid, n in pooled_week.items()]]
    if extra.empty:
        return changes
    return changes + concept_changes(extra, pd.Series(dtype="int64"), n_week, 0, concepts, seen)


def _method_notes(
    sd: pd.DataFrame, in_week: pd.Series, in_base: pd.Series, panel: set[str], off_week: dict[str, int]
) -> tuple[str, ...]:
    names = dict(zip(sd["source_id"], sd["source"], strict=False))
    active = sd["items"] > 0
    left = sorted(set(sd.loc[(in_week | in_base) & active, "source_id"]) - panel)
    notes = [
        f"Concept changes compare a matched panel: the {len(panel)} source(s) with items both this week and in the "
        "baseline weeks; headline counts, group shares and articles cover every source."
        + (
            f" Left out of the comparison (items in only one of the two): {', '.join(names[s] for s in left)}."
            if left
            else ""
        )
    ]
    if off_week:
        parts = [f"{n:,} {'undated' if p == 'undated' else p + '-dated'}" for p, n in sorted(off_week.items())]
        notes.append(f"Not in any weekly briefing: {', '.join(parts)} item(s) (a week needs a day-precise date).")
    return tuple(notes)


def _cap_note(capped: int) -> str:
    said = f"{capped:,} matching item(s) this week reached it" if capped else "no item this week reached it"
    return (
        f"Evidence: at most {MAX_STORED_MATCHES:,} matches are stored per item for highlighting and quoting "
        f"(hits, shares and scores count all of them); {said}."
    )


def _watches(reader: BriefingReader, wk: IsoWeek) -> list:
    from ..periods import Period
    from ..watches import briefing_lines

    def period(first: str, last: str) -> Period:
        return Period(date.fromisoformat(first), date.fromisoformat(last))

    base = period(wk.shift(-BASELINE_WEEKS).first_day, wk.shift(-1).last_day)
    return briefing_lines(WatchReads(reader.conn), period(wk.first_day, wk.last_day), base)


def _is_latest(wk: IsoWeek, today: date | None) -> bool:
    """Current feed_state only describes the latest weeks; older briefings rely on run records alone."""
    today = today or datetime.now(UTC).date()
    return wk >= IsoWeek.of(today).shift(-1)


def _headline(week: pd.DataFrame, base: pd.DataFrame, covered: int) -> Headline:
    items, matching = int(week["items"].sum()), int(week["matching"].sum())
    b_items, b_matching = int(base["items"].sum()), int(base["matching"].sum())
    return Headline(
        items,
        matching,
        matching / items if items else 0.0,
        covered,
        b_items / covered if covered else 0.0,
        b_matching / covered if covered else 0.0,
        b_matching / b_items if b_items else None,
    )


def _shown_concepts(changes: list[ConceptChange], movers: list[ConceptChange]) -> list[ConceptChange]:
    rest = sorted((c for c in changes if c.items and c not in movers), key=lambda c: (-c.items, c.label))
    return movers + rest


def _article_concepts(changes: list[ConceptChange], movers: list[ConceptChange]) -> tuple[str, list[ConceptChange]]:
    with_items = [c for c in movers if c.items]
    if with_items:
        return "Strongest articles for each concept that moved this week.", with_items[:TOP_CONCEPTS]
    busiest = sorted((c for c in changes if c.items), key=lambda c: (-c.items, c.label))[:3]
    why = "The concepts that moved have no items this week" if movers else "No concept moved significantly"
    return f"{why}; strongest articles of this week's most frequent concepts instead.", busiest


def _trend(
    sd: pd.DataFrame, cd: pd.DataFrame, first: IsoWeek, wk: IsoWeek, concept_ids: list[str], labels: dict[str, str]
) -> list[TrendPoint]:
    weeks = [str(first.shift(i)) for i in range(TREND_WEEKS)]
    totals = sd.groupby("week")["items"].sum()
    counts = cd.groupby(["week", "concept_id"])["items"].sum()
    out = []
    for cid in concept_ids:
        for w in weeks:
            n, total = int(counts.get((w, cid), 0)), int(totals.get(w, 0))
            out.append(TrendPoint(w, cid, labels.get(cid, cid), n, total, n / total if total else None))
    return out


def _phrases(
    reader: BriefingReader, wk: IsoWeek, base_first: IsoWeek, groups: tuple[str, ...], concepts: pd.DataFrame
) -> list:
    week = reader.item_texts(wk.first_day, wk.last_day, groups, PHRASE_ITEMS)
    base = reader.item_texts(base_first.first_day, wk.shift(-1).last_day, groups, PHRASE_ITEMS)
    forms = lexicon_forms(concepts["forms"])
    out = []
    for lang in ("en", "zh", "ru"):
        w = [t[:MAX_TEXT] for t, code in zip(week["text"], week["language"], strict=True) if language_of(code) == lang]
        b = [t[:MAX_TEXT] for t, code in zip(base["text"], base["language"], strict=True) if language_of(code) == lang]
        if w:
            out += emerging_phrases(w, b, lang, forms[lang])
    return out


def _matching_items(rows: pd.DataFrame) -> list[MatchingItem]:
    out = []
    for item_id, g in rows.groupby("item_id", sort=False):
        r = g.iloc[0]
        out.append(
            MatchingItem(
                int(item_id),
                str(r["published_at"]),
                str(r["source_id"]),
                fmt.text(r["source"]),
                str(r["group_id"]),
                fmt.text(r["title"]),
                fmt.optional(r["url"]),
                fmt.text(r["language"]),
                float(r["score"]),
                None if pd.isna(r["copy_of"]) else int(r["copy_of"]),
                tuple(str(c) for c in g["concept_id"]),
                tuple(int(h) for h in g["hits"]),
            )
        )
    return out
