"""A run of manifest lines decoded together is the same as each line decoded alone."""

from __future__ import annotations

import json

from quilt_mcp_iam.manifest import Manifest


def test_a_run_of_records_matches_each_record_even_when_the_lines_were_out_of_order() -> None:
    lines = [{"version": "v0"}] + [
        {"logical_key": key, "physical_keys": [f"s3://b/{key}"], "size": i, "hash": {"type": "SHA256", "value": f"{i:02x}"}}
        for i, key in enumerate(["z/b.txt", "a.txt", 'q/"odd"\\ é.txt', "z/a.txt", "m/n/o.csv"])
    ]
    blob = b"\r\n\n".join(json.dumps(line, ensure_ascii=False).encode() for line in lines) + b"\n"
    manifest = Manifest.parse(blob)

    every = [manifest.record_at(i) for i in range(len(manifest))]
    assert [r["logical_key"] for r in every] == ["a.txt", "m/n/o.csv", 'q/"odd"\\ é.txt', "z/a.txt", "z/b.txt"]
    assert manifest.records(0, len(manifest)) == every
    assert manifest.records(1, 4) == every[1:4]
    assert manifest.records(3, 3) == []
