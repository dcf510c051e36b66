"""What the iam backend caches across calls: manifests by top hash (immutable), never what ``latest`` names."""

from __future__ import annotations

from typing import Any

import pytest

from quilt_mcp.models import EntrySource
from quilt_mcp_iam.ops import IamOps

NAME = "cache/pkg"


def test_latest_is_read_again_on_every_call_and_only_manifests_by_hash_are_kept(
    s3_client: Any, registry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = IamOps(lambda: s3_client)
    writer = IamOps(lambda: s3_client)  # another server or process: its own cache
    first = writer.create_revision(registry, NAME, [EntrySource(logical_key="a.txt", text="one")])
    loaded: list[str] = []  # top hashes whose manifest the reader read and parsed
    get = reader.cache.get
    monkeypatch.setattr(
        reader.cache, "get", lambda uri, top_hash, load: get(uri, top_hash, lambda: loaded.append(top_hash) or load())
    )

    def reads() -> tuple[str, str, str, str]:
        """Every reading call that names ``latest``: the revision each one saw, and the bytes read."""
        page = reader.browse(registry, NAME)
        return (
            page.top_hash,
            reader.package_info(registry, NAME).top_hash,
            reader.resolve_revision(registry, NAME),
            reader.read_entry(registry, NAME, "a.txt").content,
        )

    assert reads() == (first.top_hash, first.top_hash, first.top_hash, "one")
    assert reads() == (first.top_hash, first.top_hash, first.top_hash, "one")
    assert loaded == [first.top_hash]  # latest unchanged: its manifest is read once, then served from the cache

    second = writer.update_revision(registry, NAME, add=[EntrySource(logical_key="a.txt", text="two")])
    assert reads() == (second.top_hash, second.top_hash, second.top_hash, "two")  # no call sees the old latest
    assert reader.diff(registry, NAME, first.top_hash).after == second.top_hash
    assert loaded == [first.top_hash, second.top_hash]  # the new one once; the first stays cached by its hash
    assert reader.read_entry(registry, NAME, "a.txt", first.top_hash).content == "one"
    assert loaded == [first.top_hash, second.top_hash]
