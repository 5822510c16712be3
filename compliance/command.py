"""The pytest command line of a check run from the installed package, with no checkout and no pytest11 plugin.

`copilot-token-compliance` and fleet mode run `pytest` on the installed `compliance` folder with the plugin
loaded explicitly (`-p compliance.plugin`), so no other pytest session of that environment loads it. The
configuration file is the package's own `pytest.toml`-style file given with `-c`: a `pyproject.toml` or
`pytest.ini` of whatever folder the command runs in is never read, and the cache stays in the working folder.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PACKAGE_DIR", "pytest_argv"]

PACKAGE_DIR = Path(__file__).resolve().parent
CONFIG = PACKAGE_DIR / "cli.toml"


def pytest_argv(*args: str, cwd: Path | None = None) -> list[str]:
    """The arguments of `pytest` that run the check from the installed package, then `args`."""
    cache = (cwd or Path.cwd()).resolve() / ".pytest_cache"
    return [
        str(PACKAGE_DIR),
        *("-p", "compliance.plugin"),
        *("-c", str(CONFIG)),
        *("--rootdir", str(PACKAGE_DIR.parent)),
        *("-o", f"cache_dir={cache}"),
        *args,
    ]
