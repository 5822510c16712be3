"""Bounds on hostile input, shared by every reader: read at most N bytes, refuse YAML aliases, measure nesting."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

__all__ = ["SAFE_LOADER", "nesting_depth", "read_bounded", "unwritable_folder", "yaml_problem"]

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when PyYAML has it


def read_bounded(path: Path, limit: int) -> bytes | str:
    """At most `limit` bytes of a regular file, or why not (not a regular file, larger than the limit, unreadable)."""
    try:
        # O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; fstat then refuses it
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        return exc.strerror or "unreadable"
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "it is not a regular file"
        raw = os.read(fd, limit + 1)
    except OSError as exc:
        return exc.strerror or "unreadable"
    finally:
        os.close(fd)
    return raw if len(raw) <= limit else f"it is larger than {limit // 1024} KiB"


def yaml_problem(text: str, max_depth: int) -> str:
    """Why a YAML text may not be loaded (anchors or aliases, nesting beyond `max_depth`), or "" when it may."""
    depth = 0
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return "it uses YAML anchors or aliases (& and *), which are not allowed here"
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > max_depth:
                return f"it nests lists and mappings too deep (more than {max_depth} levels)"
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return ""


def nesting_depth(value: object) -> int:
    """How deep tables and lists nest, counted without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        node, level = todo.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is not None:
            deepest = max(deepest, level)
            todo.extend((child, level + 1) for child in children)
    return deepest


def unwritable_folder(path: Path) -> str:
    """Why the folder that would hold `path` (the nearest existing one) cannot take a new file, or "" when it can."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is a file, not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"no write permission in {folder}"
    return ""
