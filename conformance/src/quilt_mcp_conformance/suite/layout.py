"""What a backend writes is a real Quilt registry that quilt3 and the catalog can read.

These are the registry facts of the design (``.quilt/named_packages`` pointers,
JSON-lines manifests in ``.quilt/packages``, the quilt3 top hash), checked on
the files themselves rather than through the backend.
"""

from __future__ import annotations

import json
from datetime import timezone
from typing import Any

import pytest

from quilt_mcp.ops import QuiltOps
from quilt_mcp_conformance.suite.support import assert_recent, registry_files, texts, top_hash_of

FILES = {"b/x.json": '{"a": 1}', "куилт.txt": "quilt", "a.txt": "a"}
ENTRY_META = {"куилт.txt": {"x": "y", "nested": {"n": [1, 2]}}}
POINTERS = ".quilt/named_packages/layout/pkg/"


@pytest.mark.requires("read", "write")
class RegistryLayoutSuite:
    """A push writes the manifest under ``.quilt/packages/<top hash>``, a timestamp pointer and ``latest``."""

    @pytest.fixture
    def pushed(self, ops: QuiltOps, registry: str) -> str:
        result = ops.create_revision(
            registry, "layout/pkg", texts(FILES, ENTRY_META), message="layout", user_meta={"k": [1, {"v": None}]}
        )
        return result.top_hash

    def test_pointers_hold_the_bare_top_hash(self, ops: QuiltOps, registry: str, s3: Any, pushed: str) -> None:
        """``latest`` and one ``<unix seconds>`` pointer hold the 64-hex hash with no newline;
        the listed revision time is the pointer's."""
        pointers = registry_files(s3, registry, POINTERS)
        assert pointers.pop(POINTERS + "latest") == pushed.encode("ascii")
        ((path, content),) = pointers.items()
        stamp = path.rsplit("/", 1)[1]
        assert stamp.isdigit() and content == pushed.encode("ascii")
        (revision,) = ops.list_revisions(registry, "layout/pkg").items
        assert revision.timestamp.astimezone(timezone.utc).timestamp() == int(stamp)
        assert_recent(revision.timestamp)

    def test_manifest_is_json_lines_that_hash_to_the_top_hash(self, registry: str, s3: Any, pushed: str) -> None:
        manifests = registry_files(s3, registry, f".quilt/packages/{pushed}")
        lines = [
            json.loads(line) for line in manifests[f".quilt/packages/{pushed}"].decode("utf-8").splitlines() if line
        ]
        header, *entries = lines
        assert header["version"] == "v0"
        assert (header["message"], header["user_meta"]) == ("layout", {"k": [1, {"v": None}]})
        assert {e["logical_key"] for e in entries} == set(FILES)
        for entry in entries:
            assert isinstance(entry["physical_keys"], list) and len(entry["physical_keys"]) == 1
            assert entry["size"] == len(FILES[entry["logical_key"]].encode("utf-8"))
            assert set(entry["hash"]) == {"type", "value"}
        meta = {e["logical_key"]: e.get("meta", {}) for e in entries}
        assert meta["куилт.txt"]["user_meta"] == ENTRY_META["куилт.txt"]
        assert top_hash_of(lines) == pushed
