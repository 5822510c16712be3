"""The shape of a vcrpy cassette that replay can serve, as a JSON schema checked before vcrpy reads the file."""

from __future__ import annotations

from typing import Any

__all__ = ["STRUCTURE"]

_HEADERS: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
# What vcrpy reads back when it replays: anything else makes it (or httpx) raise instead of answering.
STRUCTURE: dict[str, Any] = {
    "type": "object",
    "required": ["interactions"],
    "properties": {
        "interactions": {
            "type": "array",
            "minItems": 1,
            "maxItems": 10_000,
            "items": {
                "type": "object",
                "required": ["request", "response"],
                "properties": {
                    "request": {
                        "type": "object",
                        "required": ["method", "uri"],
                        "properties": {
                            "method": {"type": "string", "pattern": "^[A-Z]{1,16}$"},
                            "uri": {"type": "string", "pattern": "^https?://[\\x21-\\x7e]+$"},
                            "body": {"type": ["string", "null"]},
                            "headers": _HEADERS,
                        },
                    },
                    "response": {
                        "type": "object",
                        "required": ["status", "headers", "body"],
                        "properties": {
                            "status": {
                                "type": "object",
                                "required": ["code"],
                                "properties": {
                                    "code": {"type": "integer", "minimum": 100, "maximum": 599},
                                    "message": {"type": "string"},
                                },
                            },
                            "headers": _HEADERS,
                            "body": {
                                "type": "object",
                                "required": ["string"],
                                "properties": {"string": {"type": "string"}},
                            },
                        },
                    },
                },
            },
        },
        "metadata": {"type": "object"},
    },
}
