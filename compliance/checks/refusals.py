"""The refusal classifier: GitHub's answers matched against refusals.toml, each to a cause, its scope and its fix."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from compliance.evidence import Reply
from compliance.model import Word

__all__ = ["Refusal", "RefusalKind", "classify", "fill", "kind_of", "known"]

_DATA = Path(__file__).with_name("refusals.toml")


@dataclass(frozen=True)
class RefusalKind:
    """One known refusal as the data file describes it."""

    cause: str
    status: tuple[int, ...]
    pattern: re.Pattern[str]
    scope: str
    org_wide: bool
    blocks_token: bool
    text: str
    fix: str
    source: str
    header: str = ""
    proves: Mapping[str, Word] = field(default_factory=dict)
    assumption: bool = False


@dataclass(frozen=True)
class Refusal:
    """An answer classified: its kind, the answer itself, and the cause's sentence and fix with names filled in."""

    kind: RefusalKind
    reply: Reply
    text: str
    fix: str
    scope: str  # the kind's scope; an enterprise's lifetime policy is the enterprise's

    @property
    def cause(self) -> str:
        """The cause's name."""
        return self.kind.cause


def _kind(raw: dict[str, Any]) -> RefusalKind:
    return RefusalKind(
        cause=raw["cause"],
        status=tuple(raw["status"]),
        pattern=re.compile(raw["pattern"], re.IGNORECASE),
        scope=raw["scope"],
        org_wide=raw["org_wide"],
        blocks_token=raw["blocks_token"],
        text=raw["text"],
        fix=raw["fix"],
        source=raw["source"],
        header=raw.get("header", ""),
        proves={rid: Word(word) for rid, word in raw.get("proves", {}).items()},
        assumption=raw.get("assumption", False),
    )


@cache
def known() -> tuple[RefusalKind, ...]:
    """Every known refusal, in the order they are tried."""
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    return tuple(_kind(raw) for raw in data["refusal"])


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def kind_of(cause: str) -> RefusalKind:
    """The known refusal with this cause."""
    return next(k for k in known() if k.cause == cause)


def fill(text: str, **values: str) -> str:
    """A sentence of the data file with the names it uses filled in (unknown names stay as written)."""
    return text.format_map(_Fill(values))


def classify(reply: Reply, org: str) -> Refusal | None:
    """The known refusal this answer is, with its sentence and fix filled in; None for any other answer."""
    if reply.ok:
        return None
    message = reply.message
    for kind in known():
        if reply.status not in kind.status or (kind.header and kind.header not in reply.headers):
            continue
        found = kind.pattern.search(message)
        if found is None:
            continue
        values = _Fill(org=org, probe=f"GET {reply.path}", **{k: v for k, v in found.groupdict().items() if v})
        scope = "enterprise-policy" if values.get("owner_kind") == "enterprise" else kind.scope
        return Refusal(kind, reply, kind.text.format_map(values), kind.fix.format_map(values), scope)
    return None
