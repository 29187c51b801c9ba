"""One jieba segmenter and one analyzer over the default lists for the whole session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nlp import DEFAULT_DIR, Analyzer, Segmenter


@pytest.fixture(scope="session")
def segmenter() -> Segmenter:
    return Segmenter()


@pytest.fixture(scope="session")
def analyzer(segmenter: Segmenter) -> Analyzer:
    return Analyzer(segmenter=segmenter)


@pytest.fixture
def lists_dir(tmp_path: Path) -> Path:
    """A private copy of the default lists, free to edit."""
    target = tmp_path / "nlp"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def excerpts(analyzer: Analyzer, text: str) -> list[tuple[str, str]]:
    """(category, the original text of the hit) for each hit."""
    return [(h.category, text[h.start : h.end]) for h in analyzer.analyze(text).sensitive]
