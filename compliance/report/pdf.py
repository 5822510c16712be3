"""PDF rendering of an HTML report with WeasyPrint, for auditors who file evidence as PDF."""

from __future__ import annotations

from pathlib import Path

from compliance.model import UsageError

__all__ = ["write_pdf"]


def write_pdf(html: str, path: Path) -> None:
    """Render `html` to a PDF at `path`; a missing Pango (WeasyPrint's text layout library) is one sentence."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]  # WeasyPrint ships no type hints
    except OSError as exc:  # WeasyPrint loads Pango when imported
        raise UsageError(
            f"PDF output needs the Pango library, which WeasyPrint could not load ({str(exc).splitlines()[0][:120]}); "
            "install it (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0) or leave out the PDF."
        ) from None
    HTML(string=html).write_pdf(path)
