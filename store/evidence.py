"""Which kind of evidence one item is: a headline only, or a text with a body.

A headline (a CSV of headlines, a feed item without a description, a description that only
repeats the title) is weaker evidence than a speech or an article: a concept in a headline is
a word in eight, in a body text one in hundreds.  The store keeps the kind per item
(`items.headline_only`) and in the daily aggregates (`headline`), so every share can be
filtered or split by it whatever mix a source has."""

from __future__ import annotations


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def headline_only(title: str, text: str) -> bool:
    """True when the text adds nothing beyond the title: empty, the title again, or the
    title followed only by punctuation or symbols (an ellipsis, a "»")."""
    text, head = text or "", _words(title or "")
    cut = len(head) + 100
    if len(text) > cut:
        # Nearly every text shows a letter or digit soon after its title, so a prefix
        # settles it without normalising a whole speech.  The words of a prefix are a
        # prefix of the text's words (the cut falls in a word or a space, and casefold
        # maps each character on its own), so what it adds the whole text adds.
        seen = _words(text[:cut])
        if len(seen) > len(head) and _adds(head, seen):
            return False
    return not _adds(head, _words(text))


def _adds(head: str, body: str) -> bool:
    """Whether `body` (words as `_words` gives them) has a letter or digit beyond `head`."""
    if head and body.startswith(head):
        body = body[len(head) :]
    return any(ch.isalnum() for ch in body)
