"""Chinese word segmentation (jieba), shared by the scorer's word-boundary check and
the briefing's emerging-phrase candidates, so both cut Chinese the same way.

One tokenizer per process, initialised on first use, quietly (jieba's progress lines
go to its logger, which is silenced) and offline (its dictionary ships with the
package).  Lexicon forms are added as user words, so a concept term is one token.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from functools import lru_cache
from math import log

_LOCK = threading.Lock()
_ADDED: set[str] = set()


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def add_words(words: Iterable[str]) -> None:
    """Make each word one token (idempotent; lexicon forms, written simplified)."""
    new = [w for w in words if w and w not in _ADDED]
    if not new:
        return
    with _LOCK:
        tokenizer = _tokenizer()
        for word in new:
            tokenizer.add_word(word)
            _ADDED.add(word)


def words(text: str) -> list[str]:
    """The words of `text`, in order (punctuation and spaces are their own tokens)."""
    with _LOCK:
        return list(_tokenizer().cut(text, HMM=False))


def _may_straddle(text: str, start: int, end: int, reach: int = 4) -> bool:
    """Is there a dictionary word that crosses either edge of the span?  If not, no
    segmentation can put a boundary inside it, and the segmenter need not run.

    A word over the left edge starts at most `reach` before it and ends inside the
    span; one over the right edge starts inside the span and ends at most `reach`
    after it (a word over the whole span is not a straddle).  From each start, longer
    fragments are tried only while the dictionary holds the shorter one: jieba's
    dictionary holds every prefix of every word (its own get_DAG stops the same way)."""
    freq = _tokenizer().FREQ
    n = len(text)
    edges = (
        (start, range(max(0, start - reach), start), min(n, start + reach, end)),
        (end, range(max(start, end - reach), end), min(n, end + reach)),
    )
    for edge, lefts, last in edges:
        for left in lefts:
            for right in range(edge + 1, last + 1):
                f = freq.get(text[left:right])
                if f is None:
                    break  # no word starts with this fragment
                if f:
                    return True
    return False


def straddles(text: str, start: int, end: int, margin: int = 12) -> bool:
    """Does a word boundary fall strictly inside text[start:end]?  Then the span's
    characters belong to two words (除去|风险 for 去风险, 国内|政治 for 内政) and it is
    not the term; a term inside one longer word (霸权 in 霸权主义) does not straddle.

    A cut that leaves the span's last character alone at the end of a run of Chinese
    characters (合作|国内|政， for 内政), or its first alone at the start of one, is not a
    straddle: a lone character there joins no word beyond the span, so the cut is a
    neighbour's pull (国内), not a second word the span's characters belong to."""
    if not _may_straddle(text, start, end):
        return False
    lo = max(0, start - margin)
    window = text[lo : min(len(text), end + margin)]
    edges = (start == 0 or not _is_han(text[start - 1]), end == len(text) or not _is_han(text[end]))
    inside = _boundary_in_block(window, start - lo, end - lo, edges)
    if inside is not None:
        return inside
    position = lo
    for token in words(text[lo : min(len(text), end + margin)]):
        position += len(token)
        if start < position < end:
            return True
        if position >= end:
            break
    return False


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _boundary_in_block(window: str, start: int, end: int, edges: tuple[bool, bool]) -> bool | None:
    """What `straddles` finds, when window[start:end] lies in one of the Han blocks jieba
    cuts a text into (None otherwise): a boundary inside it can only come from that
    block's own best route, so only that block is segmented, with jieba's own DAG and
    route (the other blocks of the window only shift positions).  `edges`: whether the
    span starts and ends a run of Chinese characters, where a lone first or last
    character does not make a cut count (see `straddles`)."""
    import jieba

    for block in jieba.re_han_default.finditer(window):
        if block.start() <= start and end <= block.end():
            break
    else:
        return None
    word = block.group()
    with _LOCK:
        ends = best_route(_tokenizer(), word)
    first, last = start - block.start(), end - block.start()  # the span within the block
    x = 0
    while x < last:
        token_end = ends[x] + 1
        if first < token_end < last:  # between two Han characters: jieba never merges those tokens
            lone_first = edges[0] and x == first and token_end == first + 1
            lone_last = edges[1] and token_end == last - 1 and ends[token_end] == token_end
            if not (lone_first or lone_last):
                return True
        x = token_end
    return False


def best_route(tokenizer, sentence: str) -> list[int]:
    """jieba's best route through `sentence`: for each position, where the word that
    starts there ends (inclusive), as Tokenizer.calc over Tokenizer.get_DAG gives it.
    The two fused, without their dict of lists and generator of tuples (the cost of
    checking a short Chinese form): the same fragments, the same arithmetic in the
    same order, so the same floats, and a tie goes to the longer word as max() over
    (score, end) tuples gives it.  Stopping at a fragment FREQ lacks is jieba's own
    rule: its dictionary holds every prefix of every word (at frequency 0)."""
    freq = tokenizer.FREQ
    n = len(sentence)
    logtotal = log(tokenizer.total)
    score = [0.0] * (n + 1)
    ends = [0] * n
    for idx in range(n - 1, -1, -1):
        best, best_end = 0.0, -1
        i = idx
        frag = sentence[idx]
        while i < n and frag in freq:
            f = freq[frag]
            if f:
                s = log(f) - logtotal + score[i + 1]
                if best_end < 0 or s >= best:  # later ends are longer words: they win a tie
                    best, best_end = s, i
            i += 1
            frag = sentence[idx : i + 1]
        if best_end < 0:  # no word starts here: the character alone
            best, best_end = log(freq.get(sentence[idx]) or 1) - logtotal + score[idx + 1], idx
        score[idx], ends[idx] = best, best_end
    return ends
