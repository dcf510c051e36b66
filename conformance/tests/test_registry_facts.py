"""The suite's own reading of the registry facts, checked against quilt3's reference data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quilt_mcp_conformance.reference import (
    TOP_HASH_VECTOR_NAME,
    TOP_HASH_VECTOR_TOP_HASH,
    shared_reference_dir,
    top_hash_vector,
)
from quilt_mcp_conformance.suite.support import expected_hash, top_hash_of


def test_top_hash_of_the_reference_manifest_is_quilt3s() -> None:
    lines = top_hash_vector().decode("utf-8").splitlines()
    assert top_hash_of([json.loads(line) for line in lines if line]) == TOP_HASH_VECTOR_TOP_HASH


def test_carried_top_hash_vector_is_the_shared_reference_copy() -> None:
    shared = shared_reference_dir(Path(__file__).resolve().parents[2])
    if shared is None:
        pytest.skip("no ../shared/quilt-reference beside this clone")
    assert top_hash_vector() == (shared / TOP_HASH_VECTOR_NAME).read_bytes()
    assert TOP_HASH_VECTOR_TOP_HASH in (shared / "SOURCE.md").read_text(encoding="utf-8")


def test_entry_order_is_by_path_segments_not_by_string() -> None:
    """``a/b`` comes before ``a-b`` when hashing (``['a', 'b'] < ['a-b']``), although ``'a-b' < 'a/b'``."""
    header = {"version": "v0"}
    entry = {"hash": {"type": "SHA256", "value": "0"}, "meta": {}, "size": 0}
    one = [header, {**entry, "logical_key": "a/b"}, {**entry, "logical_key": "a-b"}]
    other = [header, {**entry, "logical_key": "a-b"}, {**entry, "logical_key": "a/b"}]
    assert top_hash_of(one) == top_hash_of(other)


def test_chunked_hash_of_small_and_empty_data() -> None:
    """``sha2-256-chunked`` is base64(sha256(sha256(data))) below 8 MiB, and base64(sha256('')) for no data.

    The expected values are quilt3 8.0.0's ``calculate_multipart_checksum_bytes``.
    """
    assert expected_hash("sha2-256-chunked", b"quilt") == "mJieK3KtuHjnxg+vEsikfGCVvXLm0K4gcOXuk5GU82Y="
    assert expected_hash("sha2-256-chunked", b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    assert expected_hash("SHA256", b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
