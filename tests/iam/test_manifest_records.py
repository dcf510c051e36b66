"""Manifest lines read as `json` reads them, alone or a run of them decoded together."""

from __future__ import annotations

import json

import pytest

from quilt_mcp.errors import DamagedManifestError
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


ENTRY = '{"logical_key": "a.txt", "physical_keys": ["s3://b/a.txt"], "size": 1, "hash": {"type": "SHA256", "value": "00"}}'


@pytest.mark.parametrize(
    "line",
    [ENTRY, f"  {ENTRY}", f"{ENTRY}\t ", f"{ENTRY}\r", '{"logical_key": "\\u00e9\\ud800.txt", "physical_keys": ["s3://b/x"]}'],
)
def test_a_line_reads_as_json_reads_it_whitespace_escapes_and_all(line: str) -> None:
    manifest = Manifest.parse(f'{{"version": "v0"}}\n{line}\n'.encode())
    assert manifest.record_at(0) == json.loads(line)
    assert manifest.key_at(0) == json.loads(line)["logical_key"]


@pytest.mark.parametrize("line", [f"{ENTRY} x", f"{ENTRY}{ENTRY}", f"{ENTRY}, 2", ENTRY[:-1], "nul"])
def test_a_line_that_is_not_exactly_one_json_value_is_a_damaged_manifest(line: str) -> None:
    with pytest.raises(DamagedManifestError, match=r"the line at byte 18 is not JSON \((Extra data|Expecting)"):
        Manifest.parse(f'{{"version": "v0"}}\n{line}\n'.encode())
