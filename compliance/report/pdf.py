"""The PDF: the standalone HTML report printed by WeasyPrint, for evidence packages that do not accept HTML.

WeasyPrint is pure Python on top of the system's Pango (Debian: libpango-1.0-0 and libpangoft2-1.0-0, present
wherever a desktop or chromium is). It fetches nothing: the page has no external resources, and a fetcher that
refuses every URL keeps it that way whatever text a report carries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from compliance.model import UsageError

__all__ = ["check_pdf_renderer", "write_pdf"]

_NEEDS = (
    "--compliance-pdf needs WeasyPrint and the system's Pango library, which could not be loaded ({why}); on "
    "Debian or Ubuntu run 'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0', or leave out --compliance-pdf."
)


def _renderer() -> Any:
    """WeasyPrint's HTML class, or one sentence saying what to install."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: Pango's shared library is missing
        raise UsageError(_NEEDS.format(why=type(exc).__name__)) from None
    return HTML


def check_pdf_renderer() -> None:
    """Fail before any request is sent when the PDF cannot be written."""
    _renderer()


def _refuse(url: str, *args: object, **kwargs: object) -> NoReturn:
    """WeasyPrint's URL fetcher: the report references nothing outside itself, so nothing is fetched."""
    raise ValueError("the compliance report fetches no resources")


def write_pdf(html: str, path: Path) -> None:
    """Print a complete HTML document to a PDF file."""
    _renderer()(string=html, url_fetcher=_refuse).write_pdf(target=str(path))
