"""Process hardening before any client exists: no TLS key log, no core dump that could hold the token."""

from __future__ import annotations

from collections.abc import Mapping

from compliance.model import UsageError

__all__ = ["guard_process"]


def guard_process(environ: Mapping[str, str]) -> None:
    """Refuse SSLKEYLOGFILE (the TLS stack would write session secrets there) and switch core dumps off."""
    if environ.get("SSLKEYLOGFILE"):
        raise UsageError(
            "SSLKEYLOGFILE is set, so the TLS stack would write this run's session secrets to a file; unset it "
            "and re-run."
        )
    try:
        import resource
    except ImportError:  # not on this platform (Windows): nothing to switch off
        return
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):  # a limit the process may not change; the soft limit alone still applies
        _, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
