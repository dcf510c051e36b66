"""How a package matches a search: one rule for every backend that scans a registry."""

from __future__ import annotations

import json
from typing import Any

from quilt_mcp.errors import InvalidInputError
from quilt_mcp.models import SearchHit


def search_needle(query: str) -> str:
    """The lower-cased, stripped ``query``; ``InvalidInputError`` if nothing is left."""
    needle = query.strip().lower() if isinstance(query, str) else ""
    if not needle:
        raise InvalidInputError(
            "The search query is empty.", "Pass a word to look for in package names, messages or metadata."
        )
    return needle


def match_package(name: str, top_hash: str, header: dict[str, Any], needle: str) -> SearchHit | None:
    """A hit if ``needle`` (from ``search_needle``) is in ``name``, or in the message or
    user metadata of the manifest ``header`` of its latest revision; else ``None``."""
    message = header.get("message") if isinstance(header.get("message"), str) else None
    user_meta = header.get("user_meta") if isinstance(header.get("user_meta"), dict) else {}
    fields = (
        ("name", name),
        ("message", message or ""),
        ("metadata", json.dumps(user_meta, ensure_ascii=False) if user_meta else ""),
    )
    matched = [field for field, text in fields if needle in text.lower()]
    if not matched:
        return None
    return SearchHit(name=name, top_hash=top_hash, matched=matched, message=message, user_meta=user_meta)
