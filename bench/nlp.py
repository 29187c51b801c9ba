"""``siyu bench nlp``: the NLP pipeline against jieba.lcut + a set, in the same run."""

from __future__ import annotations


def run_nlp_bench(messages: int, *, as_json: bool) -> int:
    """Run the benchmark and print its report (implementation follows)."""
    raise NotImplementedError
