"""The one exception type of fetching: an error already worded for a person."""

from __future__ import annotations


class FetchFailure(Exception):
    """An error met while fetching, already worded for a person."""

    def __init__(self, message: str, *, retryable: bool = False, http_status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.http_status = http_status


def timed_out(seconds: float) -> str:
    return f"timed out after {seconds:g} s"
