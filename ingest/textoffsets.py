"""Normalised text and the map from its offsets back to the original.

Most normalising steps are one character for one character; only the steps that change
the length record anchors, (new_positions, old_positions) per pass, so mapping back is a
bisect, not a per-character table.  `_apply` and `_rewrite` make a pass's edits and
record its anchors.  Separate from the rules of what changes (`ingest.textnorm`,
`ingest.identitynorm`), which both edit text through these.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .textfold import Anchors


@dataclass(frozen=True)
class Normalised:
    """Normalised text plus what is needed to map its offsets to the original."""

    text: str
    # Each pass that changed the length leaves (new_positions, old_positions):
    # position new_positions[k] in the pass output is old_positions[k] in its input.
    passes: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    # The original with HTML entities decoded, and how many leading passes did that:
    # quotation marks and "so-called" are looked for there (&ldquo; is a quote).
    decoded: str = ""
    entity_passes: int = 0

    def to_original(self, index: int) -> int:
        return _map_back(index, self.passes)

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        return _span_back(start, end, self.passes)

    # Most texts have no pass of one kind or the other (called once per match: no slice).
    def span_to_decoded(self, start: int, end: int) -> tuple[int, int]:
        if len(self.passes) == self.entity_passes:
            return start, end
        return _span_back(start, end, self.passes[self.entity_passes :])

    def decoded_to_original(self, start: int, end: int) -> tuple[int, int]:
        if not self.entity_passes:
            return start, end
        return _span_back(start, end, self.passes[: self.entity_passes])


def _span_back(start: int, end: int, passes) -> tuple[int, int]:
    if not passes:
        return start, end
    return _map_back(start, passes), _map_back(end - 1, passes, last=True) + 1


def _map_back(index: int, passes, last: bool = False) -> int:
    """`last`: the index is a span's last character, so a changed region it falls in
    ("&#21516;" -> one character) maps to the region's last source character."""
    for new_pos, old_pos in reversed(passes):
        k = bisect_right(new_pos, index) - 1
        if k < 0:
            continue
        offset = index - new_pos[k]
        if k % 2 == 0 and k + 1 < len(old_pos):
            # inside a changed region: an expansion ("ﬁ" -> "fi") maps every
            # output position to its one source character
            region = max(0, old_pos[k + 1] - old_pos[k] - 1)
            offset = region if last else min(offset, region)
        index = old_pos[k] + offset
    return index


def _rewrite(
    text: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]
) -> tuple[str, Anchors | None]:
    """Apply `replace` to every match, recording anchors where the length changes."""
    pieces: list[str] = []
    new_pos: list[int] = []
    old_pos: list[int] = []
    last = 0
    out_len = 0
    for m in pattern.finditer(text):
        start, end = m.span()
        pieces.append(text[last:start])
        out_len += start - last
        repl = replace(m)
        pieces.append(repl)
        if len(repl) != end - start:
            new_pos.append(out_len)
            old_pos.append(start)
            new_pos.append(out_len + len(repl))
            old_pos.append(end)
        out_len += len(repl)
        last = end
    if not new_pos:
        return "".join(pieces) + text[last:] if pieces else text, None
    pieces.append(text[last:])
    return "".join(pieces), (tuple(new_pos), tuple(old_pos))


def _apply(text: str, changes: list[tuple[int, int, str]]) -> tuple[str, Anchors | None]:
    """`text` with each (start, end, replacement) applied, in order, and anchors where
    the length changed; the text itself when no length changed."""
    if not changes:
        return text, None
    if len(changes) <= _FEW_CHANGES:
        return _apply_few(text, changes)
    begins, ends, repls = zip(*changes, strict=True)
    start = np.array(begins)
    end = np.array(ends)
    length = np.fromiter(map(len, repls), dtype=np.int64, count=len(repls))
    delta = length - (end - start)
    changed = delta != 0
    if not changed.any():
        return text, None  # every change kept the length: only a lone hyphen or space was met
    new_start = start + np.cumsum(delta) - delta
    new_pos = np.column_stack((new_start, new_start + length))[changed].ravel().tolist()
    old_pos = np.column_stack((start, end))[changed].ravel().tolist()
    pieces: list[str] = [""] * (2 * len(repls) + 1)
    pieces[0::2] = map(text.__getitem__, map(slice, (0, *ends), (*begins, len(text))))
    pieces[1::2] = repls
    return "".join(pieces), (tuple(new_pos), tuple(old_pos))


# Below this many changes (a Chinese text's few paragraph breaks after a colon), a loop
# costs less than the dozen array operations of _apply at microseconds each.
_FEW_CHANGES = 16


def _apply_few(text: str, changes: list[tuple[int, int, str]]) -> tuple[str, Anchors | None]:
    """_apply, change by change."""
    pieces: list[str] = []
    new_pos: list[int] = []
    old_pos: list[int] = []
    last = shift = 0  # shift: output length minus input length so far
    for start, end, repl in changes:
        pieces += (text[last:start], repl)
        if len(repl) != end - start:
            new_pos += (start + shift, start + shift + len(repl))
            old_pos += (start, end)
            shift += len(repl) - (end - start)
        last = end
    if not new_pos:
        return text, None  # every change kept the length
    pieces.append(text[last:])
    return "".join(pieces), (tuple(new_pos), tuple(old_pos))


def _moved(positions: list[int], anchors: Anchors | None) -> list[int]:
    """Positions of characters outside the collapsed runs, in the collapsed text."""
    if anchors is None or not positions:
        return positions
    new_pos, old_pos = anchors
    old_ends, new_ends = old_pos[1::2], new_pos[1::2]
    out = []
    for p in positions:
        k = bisect_right(old_ends, p) - 1
        out.append(p if k < 0 else p + new_ends[k] - old_ends[k])
    return out
