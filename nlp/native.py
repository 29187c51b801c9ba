"""The analyzer's hot modules compiled to C with mypyc (``python -m nlp.build_native``).

Per message the analyzer makes a few dozen small Python calls (sorting matches by meaning,
allowlist, negation, pairs, contacts, intent scores); mypyc (it ships with mypy, which the lock
holds) compiles those same modules, type hints and all, into C extensions that the importer
prefers to the sources (``nlp/<module>.cpython-*.so``): the same code, the same results
(tests/nlp/test_fastpath.py runs against whichever is loaded), about 1.5x faster. ``--clean``
removes them and the pure-Python modules are used again. Needs a C compiler and Python's
headers; ``nlp.native.compiled()`` says which modules are compiled (``siyu bench nlp`` prints
it). A build is used only with the sources it was built from (``ensure_fresh``): after an
edit, the sources run (with a warning) until the next build. ``normalize`` stays Python:
mutation testing (``make mutate``) rewrites its source.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import os
import sys
import tempfile
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Final

PACKAGE: Final = Path(__file__).resolve().parent
# In the order they import each other (``use_sources`` loads them in this order).
HOT_MODULES: Final = ("context", "matcher", "contacts", "intent", "hits", "engine")
STAMP: Final = PACKAGE / ".native-sources"  # the checksum of the sources the build compiled


def _extensions(module: str) -> list[Path]:
    """The module's extension and its mypyc runtime companion (``<module>__mypyc``)."""
    return [
        path
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
        for name in (module, f"{module}__mypyc")
        if (path := PACKAGE / f"{name}{suffix}").exists()
    ]


def compiled() -> tuple[str, ...]:
    """The hot modules that have a compiled extension next to their source."""
    return tuple(m for m in HOT_MODULES if _extensions(m))


def sources_digest() -> str:
    """A checksum of the hot modules' sources (CRC-32 and sizes: it tells a build from an edit;
    zlib is loaded anyway, hashlib would map OpenSSL into every process, ~4 MiB)."""
    parts = []
    for module in HOT_MODULES:
        source = (PACKAGE / f"{module}.py").read_bytes()
        parts.append(f"{module}:{len(source)}:{zlib.crc32(source):08x}")
    return " ".join(parts)


def ensure_fresh() -> None:
    """Before anything imports a hot module (``nlp/__init__``): compiled modules built from
    other sources than these are never used; a warning says so and the sources are loaded."""
    if not compiled():
        return
    with contextlib.suppress(OSError):
        if STAMP.read_text("ascii") == sources_digest():
            return
    warnings.warn(
        "nlp: the compiled modules are older than their sources and are not used: "
        "run `python -m nlp.build_native` again (or `--clean`)",
        RuntimeWarning,
        stacklevel=2,
    )
    use_sources()


def use_sources() -> None:
    """Load the hot modules from their Python sources, whatever is compiled."""
    for module in HOT_MODULES:
        name = f"nlp.{module}"
        spec = importlib.util.spec_from_file_location(name, PACKAGE / f"{module}.py")
        if spec is None or spec.loader is None:  # pragma: no cover - the file is there
            raise ImportError(name)
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[name] = loaded
        spec.loader.exec_module(loaded)
        setattr(sys.modules["nlp"], module, loaded)  # as the importer binds a submodule


@contextlib.contextmanager
def _inside(directory: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


def build() -> tuple[str, ...]:
    """Compile ``HOT_MODULES`` in place (one extension each); the modules compiled."""
    from mypyc.build import mypycify  # noqa: PLC0415 - a build-time tool, not a runtime import
    from setuptools import setup  # type: ignore[import-untyped]  # noqa: PLC0415 - no stubs

    sources = [f"nlp/{module}.py" for module in HOT_MODULES]
    digest = sources_digest()
    with tempfile.TemporaryDirectory(prefix="siyu-mypyc-") as tmp, _inside(PACKAGE.parent):
        setup(
            name="siyu-nlp-native",
            ext_modules=mypycify(sources, separate=True, target_dir=f"{tmp}/c"),
            script_args=["--quiet", "build_ext", "--inplace", "--build-temp", f"{tmp}/o"],
        )
    STAMP.write_text(digest, "ascii")
    return compiled()


def clean() -> tuple[str, ...]:
    """Remove the compiled extensions; the modules that had one."""
    removed = compiled()
    for module in HOT_MODULES:
        for path in _extensions(module):
            path.unlink()
    STAMP.unlink(missing_ok=True)
    return removed
