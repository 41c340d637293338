"""Context cues: words that, just before a context form of the same concept, make it count.

"internal affairs" / 内政 are context forms of `non_interference`: alone they are too
generic to count without security context.  But "stop interfering in China's internal
affairs", 坚决反对任何国家干涉中国内政 is the norm itself, often in a headline or a
short post with no other sign of security context.  A concept may therefore list cues
(`en_cues`, `zh_cues`, `ru_cues` in the lexicon: "interfer*", 干涉, "вмешательств*"),
and a context form of that concept counts when one of them comes shortly before it:

- in the same clause: no 。 ; ! ? . (or their full-width forms) and no line break
  between the end of the cue and the start of the form (commas are fine: 插手香港事务、
  干涉中国内政).  A full stop that does not end a sentence does not end the clause: in
  a number or an initialism ("3.5", "U.S.", "e.g."), or after a title or a common
  abbreviation ("Mr.", "Dr.", "No.", "Inc.");
- at most `ALPHA_GAP` characters between them, or `HAN_GAP` when the form is written in
  Han characters.  40 letters hold the object a cue governs ("interfering in Hong
  Kong's and Macao's internal affairs" has 31); 8 Han characters hold 中华人民共和国 (7)
  or 香港特别行政区 (7), about four words, as Chinese needs no spaces or articles.
  A cue further away governs another phrase of the sentence;
- a cue after the form never counts ("internal affairs ... interfere").

Cues fold like forms (case, quotes, dashes, traditional to simplified Chinese), a
trailing "*" matches a word prefix, alphabetic cues need word boundaries, Russian cues
written without "*" match every case and number, and a Chinese cue of three characters
or fewer must be a word of its own (干涉 is not a cue in 若干|涉及), the rule forms obey.

The check runs only for a context-form match that failed its context test, and only
over the bounded stretch before it: never a pass over the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .matcher import SHORT_HAN, CuePattern, _is_han, _is_word_char

ALPHA_GAP = 40
HAN_GAP = 8
PREFIX_SLACK = 30  # how far an "interfer*" word may run on past its written prefix

# On the normalised text: NFKC has already folded ；！？．｡ to ; ! ? . 。  A full stop
# inside a word ("3.5", the first stop of "u.s.") is never an end.
_CLAUSE_END = re.compile(r"[。;!?]|\.(?!\w)")
# Before a full stop that does not end the sentence (the text is lower case): one letter
# (the last stop of "u.s.", an initial) or a title or common abbreviation.
_NO_SENTENCE_END = re.compile(
    r"\b(?:\w|mrs?|ms|dr|prof|gen|col|lt|sgt|capt|adm|sen|rep|gov|pres|amb|st|mt|jr|sr|nos?|vol|art|para|fig|vs"
    r"|etc|inc|ltd|co|corp|dept|univ|approx)\Z"
)
# On the original text: normalising turns a line break into a space.
_LINE_BREAK = re.compile(r"[\n\r\v\f\x85\u2028\u2029]")


def cue_before(
    t: str,
    start: int,
    cues: CuePattern,
    han_form: bool,
    line_break_between: Callable[[int, int], bool],
    straddles: Callable[[int, int], bool],
) -> bool:
    """Does one of `cues` end within the gap before t[start:], in the same clause?
    `t` is the normalised text; `line_break_between(a, b)` looks at the original."""
    gap = HAN_GAP if han_form else ALPHA_GAP
    lo = max(0, start - gap - cues.longest - PREFIX_SLACK)
    clause = max((m.end() for m in _CLAUSE_END.finditer(t, lo, start) if _ends_clause(t, m.start())), default=lo)
    for m in reversed(list(cues.pattern.finditer(t, clause, start))):
        c_start, c_end = m.start(), m.end()
        key = m.group()
        if _is_word_char(key[0]) and c_start > 0 and _is_word_char(t[c_start - 1]):
            continue
        if cues.prefixes[key]:
            while c_end < start and _is_word_char(t[c_end]):
                c_end += 1
        elif _is_word_char(key[-1]) and c_end < len(t) and _is_word_char(t[c_end]):
            continue
        if start - c_end > gap:
            continue
        if len(key) <= SHORT_HAN and all(_is_han(ch) for ch in key) and straddles(c_start, c_end):
            continue
        if not line_break_between(c_end, start):
            return True
    return False


def _ends_clause(t: str, i: int) -> bool:
    """Does the mark at t[i] end a clause?  Every mark does but a full stop after one
    letter or a common abbreviation."""
    return t[i] != "." or _NO_SENTENCE_END.search(t, max(0, i - 8), i) is None


def line_break_in(text: str) -> bool:
    return _LINE_BREAK.search(text) is not None
