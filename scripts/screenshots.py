"""Regenerate the report screenshots in docs/ from the demo: desktop and phone widths in chromium, PDF page one.

Usage: .venv/bin/python scripts/screenshots.py   (needs Debian's chromium, poppler-utils and Pango)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
CHROMIUM = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--hide-scrollbars"]  # fmt: skip


def main() -> int:
    """Run the demo, then render its HTML at two widths and its PDF's first page into docs/."""
    browser = shutil.which("chromium")
    if browser is None or shutil.which("pdftoppm") is None:
        print("needs chromium and poppler-utils: sudo apt-get install chromium poppler-utils", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "pytest", str(REPO / "compliance"), "-q", "-p", "no:cacheprovider",
             "--html", str(out / "report.html"), "--compliance-json", str(out / "r.json"),
             "--compliance-md", str(out / "r.md"), "--compliance-pdf", str(out / "report.pdf")],
            cwd=out, check=True, capture_output=True,
        )  # fmt: skip
        for name, size in (("report-desktop.png", "1280,900"), ("report-phone.png", "390,844")):
            subprocess.run(
                [browser, *CHROMIUM, f"--user-data-dir={out / 'profile'}", f"--window-size={size}",
                 f"--screenshot={DOCS / name}", (out / "report.html").as_uri()],
                check=True, capture_output=True,
            )  # fmt: skip
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(out / "report.pdf"),
             str(DOCS / "report-pdf")],
            check=True,
        )  # fmt: skip
    print("wrote docs/report-desktop.png, docs/report-phone.png, docs/report-pdf.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
