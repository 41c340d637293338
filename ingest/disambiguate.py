"""Rules that decide what a match counts as, once the matches of a text are known.

- A full form followed by its acronym or short form in brackets is one mention:
  "Shanghai Cooperation Organization (SCO)", 上海合作组织（上合组织）, "БРИКС (англ. BRICS)".
- kremlin.ru pages carry glossary notes ("Краткая справка …") that repeat a name the
  text has just used: the repeat is not a mention.
- Bare 命运共同体 ("community of shared future") names the mankind concept only when
  its sentence names no pair or region: "两岸同胞是血脉相连的命运共同体" (the two sides
  of the Strait), "中柬…命运共同体", "中国—东盟…更为紧密的命运共同体" are the bilateral or
  regional concept.  The same holds for its Russian rendering "сообщество единой
  судьбы" after a pair ("российско-китайское", "Китая и Африки").
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Protocol


class _Match(Protocol):
    concept: str
    start: int
    end: int
    form: str


# "(SCO)", "（上合组织）", and the language labels of glossaries: "(англ. BRICS)"
_OPEN_BRACKET = re.compile(
    r"\s{0,2}[(\uff08\[\u3010]\s{0,2}(?:англ\.|англ\.?:|eng\.|english:|英文[:：]?|简称|俄文[:：]?)?\s{0,2}$", re.I
)
_GLOSSARY_LABEL = re.compile(r"Краткая справка\s{1,3}$")
_CLOSE_BRACKET = re.compile(r"^\s{0,2}[)\uff09\]\u3011]")


def drop_bracketed_repeats(text: str, matches: list) -> list:
    """Drop a match that repeats the previous match's concept inside brackets right after
    it, and the label of a kremlin.ru glossary note ("Краткая справка БРИКС (англ. BRICS)
    …"), which repeats a name the text has just used."""
    out: list = []
    prev = None  # the previous match, kept or not
    glossary = "Краткая справка" in text  # what every _GLOSSARY_LABEL match holds: one scan, not one per match
    for m in matches:
        repeat = (glossary and _GLOSSARY_LABEL.search(text, max(0, m.start - 20), m.start) is not None) or (
            prev is not None
            and prev.concept == m.concept
            and m.start - prev.end <= 12
            and _OPEN_BRACKET.search(text[prev.end : m.start]) is not None
            and _CLOSE_BRACKET.search(text[m.end : m.end + 3]) is not None
        )
        prev = m
        if not repeat:
            out.append(m)
    return out


MANKIND = "community_shared_future"
REGIONAL = "regional_community_shared_future"
_BARE_FORMS = {"命运共同体", "сообщество единой судьбы", "сообщество общей судьбы"}
_SENTENCE_END = re.compile(r"[。！？；!?;\n]|\.\s")
# Names of a pair or a region in the same sentence: 中柬, 中非, 中国—东盟, 两岸, 同胞 ...
_PAIR_OR_REGION = re.compile(
    r"中[柬非老巴阿拉缅塞哈吉塔乌土蒙越泰印尼新马菲俄欧美日韩朝]|中国\s*[—\-－–]\s*\w|"
    r"两岸|同胞|台湾|大陆|东盟|上合|周边|亚太|亚洲|澜湄|中亚|非洲|拉美|阿拉伯|双方|两国|两党|网络空间|海洋|"
    r"российско-\w+|китайско-\w+|\bдвух стран\b|\bобеих стран\b",
    re.I,
)


def regional_shared_future(text: str, matches: list, concept_ids: set[str]) -> list:
    """Reassign bare 命运共同体 after a pair or a region to the regional concept."""
    if REGIONAL not in concept_ids or all(m.concept != MANKIND for m in matches):
        return matches
    out = []
    for m in matches:
        if m.concept == MANKIND and m.form in _BARE_FORMS and _names_pair_or_region(text, m.start):
            m = replace(m, concept=REGIONAL)
        out.append(m)
    return out


def _names_pair_or_region(text: str, start: int) -> bool:
    before = text[max(0, start - 80) : start]
    parts = _SENTENCE_END.split(before)
    return bool(_PAIR_OR_REGION.search(parts[-1]))
