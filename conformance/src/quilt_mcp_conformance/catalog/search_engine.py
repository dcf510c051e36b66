"""The reference catalog's package search: a scan of every revision in the caller's buckets.

A real catalog asks Elasticsearch; this engine gives the answers a test can
predict. Matching: the search string's words (lowercased, split on
whitespace) must each appear in the package name, its commit message, its
user metadata (as JSON), its workflow id or an entry's logical key; an empty
string, ``*`` or none matches everything. Score: 2 per word found in the
name, 1 per other place. One hit per revision pointer (``latestOnly``: the
revision ``latest`` holds).

Filters: ``name``, ``hash``, ``workflow`` (keyword: ``terms`` any-of,
``wildcard`` glob), ``comment`` (text: every word of ``queryString``),
``modified``, ``size``, ``entries`` (``gte``/``lte``). ``userMetaFilters``
answer InvalidInput ``Unsupported``.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from quilt_mcp_conformance.catalog.registry import Registry


@dataclass(frozen=True)
class Hit:
    """One matching revision with what ``SearchHitPackage`` shows and what orderings sort by."""

    bucket: str
    name: str
    timestamp: int
    modified: datetime
    hash: str
    size: int
    entries: int
    comment: str | None
    user_meta: Any
    workflow: Any
    score: float
    locations: dict[str, bool]
    matching: list[dict[str, Any]]


class UnsupportedFilter(ValueError):
    """A filter the reference engine does not evaluate; the message names it."""


def _words(text: str | None) -> list[str]:
    if not text or text.strip() == "*":
        return []
    return text.lower().split()


def _keyword_ok(value: str | None, predicate: Mapping[str, Any] | None) -> bool:
    if not predicate:
        return True
    terms = predicate.get("terms")
    if terms is not None and value not in terms:
        return False
    wildcard = predicate.get("wildcard")
    return wildcard is None or (value is not None and fnmatch.fnmatchcase(value, wildcard))


def _range_ok(value: Any, predicate: Mapping[str, Any] | None, convert: Any = float) -> bool:
    if not predicate:
        return True
    low, high = predicate.get("gte"), predicate.get("lte")
    return (low is None or value >= convert(low)) and (high is None or value <= convert(high))


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _filter_ok(hit: Hit, filters: Mapping[str, Any] | None) -> bool:
    if not filters:
        return True
    comment = filters.get("comment")
    workflow_id = hit.workflow.get("id") if isinstance(hit.workflow, dict) else None
    return (
        _keyword_ok(hit.name, filters.get("name"))
        and _keyword_ok(hit.hash, filters.get("hash"))
        and _keyword_ok(workflow_id, filters.get("workflow"))
        and (not comment or all(w in (hit.comment or "").lower() for w in _words(comment["queryString"])))
        and _range_ok(hit.modified, filters.get("modified"), _when)
        and _range_ok(hit.size, filters.get("size"))
        and _range_ok(hit.entries, filters.get("entries"))
    )


def _match(name: str, header: Mapping[str, Any], keys: list[tuple[str, Any]], words: list[str]) -> tuple[float, dict[str, bool], list[dict[str, Any]]] | None:
    """Score, match locations and matching entries, or None when some word is found nowhere."""
    workflow = header.get("workflow")
    places = {
        "name": name.lower(),
        "comment": str(header.get("message") or "").lower(),
        "meta": json.dumps(header.get("user_meta")).lower() if header.get("user_meta") is not None else "",
        "workflow": str(workflow.get("id") or "").lower() if isinstance(workflow, dict) else "",
    }
    locations = {place: False for place in places}
    matching: dict[str, dict[str, Any]] = {}
    score = 0.0
    for word in words:
        found = False
        for place, text in places.items():
            if word in text:
                locations[place] = found = True
                score += 2 if place == "name" else 1
        for key, entry in keys:
            if word in key.lower():
                found = True
                score += 1
                matching.setdefault(key, _matching_entry(key, entry))
        if not found:
            return None
    return (score or 1.0), locations, list(matching.values())


def _matching_entry(key: str, entry: Any) -> dict[str, Any]:
    return {
        "logicalKey": key,
        "physicalKey": str(entry.physical_key),
        "size": float(entry.size),
        "meta": json.dumps(entry._meta) if entry._meta else None,
        "matchLocations": {"logicalKey": True, "physicalKey": False, "meta": False, "contents": False},
    }


def search(
    registry: Registry,
    buckets: list[str],
    search_string: str | None,
    filters: Mapping[str, Any] | None,
    latest_only: bool,
) -> list[Hit]:
    """Every revision in ``buckets`` matching, unordered."""
    words = _words(search_string)
    hits: list[Hit] = []
    for bucket in sorted(buckets):
        for name, stamps in registry.timestamps(bucket).items():
            pointers = [registry.pointer(bucket, name, s) for s in stamps]
            if latest_only:
                latest = registry.latest_hash(bucket, name)
                pointers = [next(p for p in pointers if p.hash == latest)] if any(p.hash == latest for p in pointers) else []
            for pointer in pointers:
                pkg = registry.browse(bucket, name, pointer.hash)
                header = dict(pkg._meta)
                keys = list(pkg.walk())
                matched = _match(name, header, keys, words)
                if matched is None:
                    continue
                score, locations, matching = matched
                hit = Hit(
                    bucket=bucket,
                    name=name,
                    timestamp=pointer.timestamp,
                    modified=pointer.modified,
                    hash=pointer.hash,
                    size=sum(e.size for _k, e in keys),
                    entries=len(keys),
                    comment=header.get("message"),
                    user_meta=header.get("user_meta"),
                    workflow=header.get("workflow"),
                    score=score,
                    locations=locations,
                    matching=matching,
                )
                if _filter_ok(hit, filters):
                    hits.append(hit)
    return hits


def hit_object(hit: Hit) -> dict[str, Any]:
    """The ``SearchHitPackage`` answer for ``hit``."""
    workflow = hit.workflow if isinstance(hit.workflow, dict) else None
    return {
        "id": f"{hit.bucket}/{hit.name}/{hit.timestamp}",
        "score": hit.score,
        "bucket": hit.bucket,
        "name": hit.name,
        "pointer": str(hit.timestamp),
        "hash": hit.hash,
        "size": float(hit.size),
        "modified": hit.modified.isoformat(),
        "totalEntriesCount": hit.entries,
        "comment": hit.comment,
        "meta": json.dumps(hit.user_meta) if hit.user_meta is not None else None,
        "workflow": workflow,
        "matchLocations": hit.locations,
        "matchingEntries": hit.matching,
    }
