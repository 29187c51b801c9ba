"""``python -m nlp.build_native``: the hot modules compiled by mypyc, in a copy of the package.

One real build (a C compiler, about half a minute): the compiled modules are the ones loaded,
they give the oracle's analysis on the labelled sets and the bench corpus, a source edited
after the build is run from source (with a warning), and ``--clean`` removes the build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nlp import native

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import warnings, nlp, nlp.hits, nlp.engine
from bench.nlp_corpus import messages
from tests.nlp.reference import reference_analyze
from tests.nlp.test_fastpath import _labelled_texts
analyzer = nlp.Analyzer()
texts = _labelled_texts() + messages(3000)
wrong = [t for t in texts if analyzer.analyze(t) != reference_analyze(analyzer, t)]
print(nlp.hits.__file__.rsplit(".", 1)[-1], nlp.engine.__file__.rsplit(".", 1)[-1], len(wrong))
"""


def _python(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": f"{copy}{os.pathsep}{ROOT}"}
    return subprocess.run(
        [sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of nlp/ (and the lists it reads) with its hot modules compiled."""
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler: mypyc cannot build")
    copy = tmp_path_factory.mktemp("native")
    shutil.copytree(ROOT / "nlp", copy / "nlp", ignore=shutil.ignore_patterns("*.so", ".native*"))
    (copy / "config").symlink_to(ROOT / "config")
    result = _python(copy, "-m", "nlp.build_native")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == f"nlp: compiled {', '.join(native.HOT_MODULES)}"
    return copy


def test_the_compiled_modules_are_used_and_agree_with_the_oracle(built: Path) -> None:
    result = _python(built, "-W", "error", "-c", CHECK)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["so", "so", "0"]


def test_a_source_edited_after_the_build_runs_from_source(built: Path) -> None:
    hits = built / "nlp" / "hits.py"
    original = hits.read_text("utf-8")
    hits.write_text(original + "\n# edited after the build\n", "utf-8")
    try:
        strict = _python(built, "-W", "error", "-c", "import nlp")
        assert "older than their sources" in strict.stderr
        result = _python(built, "-W", "ignore", "-c", CHECK)
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.split() == ["py", "py", "0"]
    finally:
        hits.write_text(original, "utf-8")


def test_clean_removes_the_build(built: Path) -> None:
    result = _python(built, "-m", "nlp.build_native", "--clean")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == f"nlp: removed {', '.join(native.HOT_MODULES)}"
    assert not list((built / "nlp").glob("*.so"))
    after = _python(built, "-W", "error", "-c", "import nlp.hits; print(nlp.hits.__file__)")
    assert after.stdout.strip().endswith("hits.py")
