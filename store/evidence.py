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
    body, head = _words(text or ""), _words(title or "")
    if head and body.startswith(head):
        body = body[len(head) :]
    return not any(ch.isalnum() for ch in body)
