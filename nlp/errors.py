"""The errors of the nlp package."""

from __future__ import annotations


class ListError(ValueError):
    """A list file cannot be used; the message names the file and line."""
