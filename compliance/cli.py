"""The `copilot-token-compliance` command: the check (pytest) from the installed package, or fleet mode.

  copilot-token-compliance [OPTIONS]           one org (every option of `pytest compliance/`); none: the demo
  copilot-token-compliance fleet [OPTIONS]     every org of the org config, in one process
  python -m compliance ...                     the same

The exit codes are pytest's, as the verdicts call for them: 0 fit, 1 not fit (a fail or an error), 4 bad input.
"""

from __future__ import annotations

import os
import sys

import pytest

from compliance import __version__
from compliance.command import pytest_argv

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the check, or fleet mode when the first argument is `fleet`; return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["fleet"]:
        from compliance.fleet.runner import fleet_main  # only fleet mode needs the fleet wing

        return fleet_main(args[1:])
    if args[:1] == ["--version"]:
        print(f"copilot-token-compliance {__version__} (pytest {pytest.__version__})")
        return 0
    if args[:1] in (["-h"], ["--help"]):
        print(__doc__)  # the two forms first; pytest's help follows, with the check's options under its own group
    return int(pytest.main(pytest_argv(*args)))


def entry() -> None:
    """The console script."""
    try:
        code = main()
    except BrokenPipeError:  # the reader went away (`... | head`): nothing more to say, and no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    raise SystemExit(code)
