"""``python -m nlp.build_native [--clean]``: compile the hot modules with mypyc, or remove them."""

from __future__ import annotations

import argparse
import sys

from nlp.native import build, clean


def main(argv: list[str] | None = None) -> int:
    """The command line: build, or ``--clean``."""
    parser = argparse.ArgumentParser(prog="python -m nlp.build_native", description=__doc__)
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules")
    args = parser.parse_args(argv)
    done = clean() if args.clean else build()
    verb = "removed" if args.clean else "compiled"
    sys.stdout.write(f"nlp: {verb} {', '.join(done) or 'nothing'}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
