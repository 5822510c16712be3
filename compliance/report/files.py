"""The report files as one set: staged beside their final paths, published together or not at all.

Order of a run (see compliance/plugin.py):

1. at start-up, once the evidence is gathered, each report path gets a staging file beside it, and pytest-html
   and JUnit are pointed at theirs;
2. at the session's end the JSON and Markdown are written to their staging files, and pytest-html and JUnit
   write theirs in their own `pytest_sessionfinish`;
3. only then, when every staging file is written and the run was not interrupted, each replaces its report
   (os.replace: atomic on one file system); otherwise the staging files are removed.

A run killed at any point therefore leaves the previous report set, never a new partial one (at worst a
hidden `.partial` staging file).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["ReportSet", "file_mode"]


def file_mode() -> int:
    """The mode a new file gets under the current umask (0644 under 022, 0600 under 077)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class ReportSet:
    """Report paths, each with a staging file beside it until the whole set is published."""

    def __init__(self) -> None:
        self._staged: dict[Path, Path] = {}  # final path -> staging file

    def stage(self, final: Path) -> Path:
        """A new, empty staging file beside `final` (same folder, so the move is atomic)."""
        final = Path(os.path.abspath(final))
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".partial")
        os.close(fd)
        self._staged[final] = Path(name)
        return Path(name)

    def staging(self, final: Path) -> Path:
        """The staging file of a report path."""
        return self._staged[Path(os.path.abspath(final))]

    @property
    def finals(self) -> list[Path]:
        """The report paths, in the order they were staged."""
        return list(self._staged)

    def publish(self) -> bool:
        """Move every staging file into place if all were written; otherwise discard them all."""
        if not self._staged or any(not p.is_file() or p.stat().st_size == 0 for p in self._staged.values()):
            self.discard()
            return False
        mode = file_mode()
        for final, staged in self._staged.items():
            os.chmod(staged, mode)
            os.replace(staged, final)
        return True  # the paths stay known: the terminal summary names them

    def discard(self) -> None:
        """Remove every staging file that is left."""
        for staged in self._staged.values():
            staged.unlink(missing_ok=True)
        self._staged.clear()
