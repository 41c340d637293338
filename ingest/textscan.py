"""Character classes of a whole text in one vectorised pass.

Scoring asks a few questions of every character of a text: is it whitespace (word
counts), a Han character (Chinese densities), part of a run of whitespace that
normalising collapses, one that folding changes?  Asked one by one, with a regex or
str.split(), each walks the text again in Python's engines (a third of scoring time
on hard-wrapped UN speeches).  Here the code points go once through a lookup table
as a NumPy array, and each question is a mask over the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

ASTRAL = 0x10000  # every code point above the Basic Multilingual Plane shares this slot


def class_table(classes: dict[int, Iterable[int]], astral: int) -> np.ndarray:
    """A lookup table: code point -> the OR of the bits whose class holds it.
    `astral`: the bits of the one slot every astral code point falls in."""
    table = np.zeros(ASTRAL + 1, dtype=np.uint8)
    for bit, points in classes.items():
        index = np.fromiter((p for p in points if p < ASTRAL), dtype=np.int64)
        table[index] |= bit
    table[ASTRAL] = astral
    table.flags.writeable = False
    return table


def classify(text: str, table: np.ndarray) -> np.ndarray:
    """The class bits of each character of `text`, one byte per character."""
    if text.isascii():  # one byte per character already: encoding is a copy
        return table.take(np.frombuffer(text.encode("ascii"), dtype=np.uint8))
    units = code_units(text)
    if units is not None:  # half the bytes of UTF-32
        return table.take(units)
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return table.take(np.minimum(points, ASTRAL))


def code_units(text: str) -> np.ndarray | None:
    """The UTF-16 code units of `text`, one per character (a lone surrogate is one);
    None when it holds an astral character, which takes two."""
    units = text.encode("utf-16-le", "surrogatepass")
    return np.frombuffer(units, dtype=np.uint16) if len(units) == 2 * len(text) else None


def count_words(space: np.ndarray) -> int:
    """How many maximal runs of characters outside `space` there are: str.split()'s
    tokens, when `space` marks the whitespace."""
    if not len(space):
        return 0
    return int(np.count_nonzero(space[:-1] > space[1:])) + (not space[0])


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the maximal runs of True in `mask`, ends exclusive."""
    edges = np.flatnonzero(mask[1:] != mask[:-1]) + 1
    if len(mask) and mask[0]:
        edges = np.concatenate(([0], edges))
    if len(mask) and mask[-1]:
        edges = np.concatenate((edges, [len(mask)]))
    return edges[0::2], edges[1::2]


# The classes a text's profile asks about, one bit each (ingest/textclasses.py builds
# the table that assigns characters to them).
WHITESPACE = 1  # bit 1: a mask of it is read as booleans
INVISIBLE = 2
HYPHEN = 4
HAN_PREV = 8  # whitespace after it and before a Han character vanishes
CJK = 16  # a Han character, as densities count them
FOLD_LENGTH = 32  # folding may change the length
FOLD = 64  # folding, after the common folds and lower-casing, may still change it


@dataclass(frozen=True)
class Profile:
    present: int  # the class bits of the characters the text holds
    words: int  # whitespace-separated tokens, as len(text.split()) counts them
    han: int  # Han characters
    # The runs of whitespace and invisible characters that collapsing may change: the
    # starts and ends (exclusive) of the plain ones (two or more whitespace characters,
    # none invisible, not after a hyphen or a Han character: one space), and the others.
    runs: tuple[list[int], list[int], list[tuple[int, int]]]
    fold_length_at: list[int]  # where the characters whose folding may change the length are
    units: np.ndarray | None  # code_units(text), kept for folding (None for an ASCII text)


def profile(text: str, table: np.ndarray) -> Profile:
    units = None if text.isascii() else code_units(text)
    classes = classify(text, table) if units is None else table.take(units)
    present = int(np.bitwise_or.reduce(classes)) if len(classes) else 0
    space = (classes & WHITESPACE).view(bool)
    han = int(np.count_nonzero(classes & CJK)) if present & CJK else 0
    fold_length_at = np.flatnonzero((classes & FOLD_LENGTH) != 0).tolist() if present & FOLD_LENGTH else []
    runs = _changing_runs(classes, space, present)
    return Profile(present, count_words(space), han, runs, fold_length_at, units)


def _changing_runs(
    classes: np.ndarray, space: np.ndarray, present: int
) -> tuple[list[int], list[int], list[tuple[int, int]]]:
    """A run can change when it is two characters or more, follows a hyphen or a Han
    character, or holds an invisible one; a lone space between words cannot.  Found
    from the characters of such runs after their first (few, in prose), so a text
    without any costs four array operations."""
    run = space if not present & INVISIBLE else (classes & (WHITESPACE | INVISIBLE)) != 0
    after = (classes[:-1] & (WHITESPACE | INVISIBLE | HYPHEN | HAN_PREV)) != 0
    inside = run[1:] & after  # a run character after a run character, a hyphen or a Han one
    if not inside.any() and not present & INVISIBLE:
        return [], [], []
    invisible = None
    if not present & INVISIBLE:
        at = np.flatnonzero(inside) + 1
    else:  # an invisible character between two letters is a run of its own
        marked = (classes & INVISIBLE) != 0
        invisible = np.flatnonzero(marked)
        marked[1:] |= inside  # and the run characters: the union of both, in order, as one mask
        at = np.flatnonzero(marked)
    if not len(at):
        return [], [], []
    if invisible is None and len(at) <= _FEW:
        return _few_runs(at.tolist(), classes, run)
    breaks = np.flatnonzero(np.diff(at) != 1)
    firsts = at[np.concatenate(([0], breaks + 1))]
    ends = at[np.concatenate((breaks, [len(at) - 1]))] + 1
    starts = firsts - run[np.maximum(firsts - 1, 0)] * (firsts > 0)  # the run's first character
    before = np.where(starts > 0, classes[np.maximum(starts - 1, 0)], 0)
    special = (before & (HYPHEN | HAN_PREV)) != 0
    if invisible is not None:
        special[np.searchsorted(starts, invisible, side="right") - 1] = True
    plain = (ends - starts >= 2) & ~special
    other = ~plain
    return starts[plain].tolist(), ends[plain].tolist(), list(zip(starts[other].tolist(), ends[other].tolist()))


# Below this many run characters (most texts that have any: a paragraph break after a
# colon in Chinese), plain Python over them is cheaper than a dozen array operations
# at microseconds each.
_FEW = 16


def _few_runs(
    at: list[int], classes: np.ndarray, run: np.ndarray
) -> tuple[list[int], list[int], list[tuple[int, int]]]:
    """What _changing_runs' array steps make of `at` (no invisible character), run by run."""
    starts: list[int] = []
    ends: list[int] = []
    others: list[tuple[int, int]] = []
    i, n = 0, len(at)
    while i < n:
        first = at[i]
        while i + 1 < n and at[i + 1] == at[i] + 1:
            i += 1
        end = at[i] + 1
        start = first - 1 if first > 0 and run[first - 1] else first  # the run's first character
        if end - start >= 2 and not (start > 0 and classes[start - 1] & (HYPHEN | HAN_PREV)):
            starts.append(start)
            ends.append(end)
        else:
            others.append((start, end))
        i += 1
    return starts, ends, others
