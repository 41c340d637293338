"""Print every lexicon match in the golden documents with its context, for reading.

Not a test: the helper an analyst runs before pinning counts in expected.json.

    python tests/golden/show_matches.py                 # all golden documents
    python tests/golden/show_matches.py seed:000_5c951d45afda056d mfa:t1558711-en
    python tests/golden/show_matches.py --probes        # also show likely misses
    python tests/golden/show_matches.py --counts        # JSON of current counts

`--probes` lists passages that look like a concept (broad patterns below) but
where nothing matched: read them to find forms the lexicon is missing.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from ingest.lexicon import load_lexicon  # noqa: E402
from ingest.matcher import Matcher  # noqa: E402
from ingest.score import find_matches  # noqa: E402

GOLDEN = Path(__file__).resolve().parent
CORPUS = REPO.parent / "shared" / "corpus"

PROBES = re.compile(
    r"security (?:concept|outlook|vision)|shared (?:future|destiny)|cold[- ]war|hegemon|zero[- ]sum|"
    r"sanction|long[- ]arm|alliance|bloc\b|multilateralism|sovereignty|internal affairs|win-win|"
    r"indivisib|initiative|consultation|security concerns|non-traditional|"
    r"安全观|命运共同体|冷战|霸权|零和|制裁|长臂|同盟|集团|多边主义|主权|内政|共赢|不可分割|倡议|协商|安全关切|传统安全|"
    r"неделим|многополяр|ШОС|Шанхайск|БРИКС|ОДКБ|расширени\w* НАТО|архитектур|холодн\w* войн|гегемон|санкци|правилах",
    re.I,
)


def load_documents() -> dict[str, str]:
    """Golden documents by key ('seed:<stem>', 'mfa:<id>', 'ungdc:<id>', 'ru:<id>'), in documents.json order."""
    wanted = json.loads((GOLDEN / "documents.json").read_text(encoding="utf-8"))
    docs: dict[str, str] = {}
    for stem in wanted["seed"]:
        docs[f"seed:{stem}"] = (REPO / "data" / "seeds" / f"{stem}.txt").read_text(encoding="utf-8")
    mfa = CORPUS / "mfa_spokesperson_2016_2020"
    docs.update(_from_jsonl(mfa, ("mfa_en.jsonl", "mfa_zh.jsonl"), "mfa", wanted["mfa"]))
    docs.update(_from_jsonl(CORPUS / "ungdc_selected_1971_2024", ("ungdc_selected.jsonl",), "ungdc", wanted["ungdc"]))
    ru_files = ("kremlin_ru_2025.jsonl", "putin_lavrov_ru_2000_2025.jsonl", "munich_2007_ru.jsonl")
    docs.update(_from_jsonl(CORPUS / "ru_official_ru", ru_files, "ru", wanted.get("ru", [])))
    missing = [f"{k}:{i}" for k in ("mfa", "ungdc", "ru") for i in wanted.get(k, []) if f"{k}:{i}" not in docs]
    if missing:
        raise LookupError(f"golden documents not in the corpus: {missing}")
    return docs


def _from_jsonl(folder: Path, names: tuple[str, ...], prefix: str, ids: list[str]) -> dict[str, str]:
    wanted = set(ids)
    found: dict[str, str] = {}
    for name in names:
        with open(folder / name, encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                if row["id"] in wanted:
                    found[f"{prefix}:{row['id']}"] = row["text"]
    return {f"{prefix}:{i}": found[f"{prefix}:{i}"] for i in ids if f"{prefix}:{i}" in found}


def counts(text: str, matcher: Matcher) -> dict[str, int]:
    return dict(sorted(Counter(m.concept for m in find_matches(text, matcher)).items()))


def show(key: str, text: str, matcher: Matcher, probes: bool) -> None:
    matches = find_matches(text, matcher)
    print(f"\n=== {key}  ({len(text)} chars, {len(matches)} matches)")
    width = 18 if key.endswith("-zh") else 50
    for m in matches:
        left = text[max(0, m.start - width) : m.start].replace("\n", " ")
        right = text[m.end : m.end + width * 3 // 5].replace("\n", " ")
        flag = f" [{m.how}]" if m.distanced else ""
        print(f"  {m.concept:<44} …{left}[[{m.text}]]{right}…{flag}")
    if probes:
        covered = [(m.start, m.end) for m in matches]
        for p in PROBES.finditer(text):
            if not any(s - 40 <= p.start() <= e + 40 for s, e in covered):
                ctx = text[max(0, p.start() - width) : p.end() + width].replace("\n", " ")
                print(f"  ?? {ctx}")


def main(argv: list[str]) -> None:
    matcher = Matcher(load_lexicon(REPO / "data" / "lexicon.toml"))
    docs = load_documents()
    keys = [a for a in argv if not a.startswith("--")] or list(docs)
    if "--counts" in argv:
        print(json.dumps({k: counts(docs[k], matcher) for k in keys}, ensure_ascii=False, indent=1))
        return
    for key in keys:
        show(key, docs[key], matcher, "--probes" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
