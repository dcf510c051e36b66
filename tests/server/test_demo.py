"""``quilt-mcp demo``: offline, on a local registry, idempotent, printing each step's result."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from quilt_mcp.cli import main
from quilt_mcp.demo import PACKAGE, run_demo
from quilt_mcp.settings import Settings


def demo(registry: Path | str) -> str:
    out = io.StringIO()
    assert run_demo(Settings(registries=(str(registry),)), out=out) == 0
    return out.getvalue()


def test_the_demo_builds_the_sample_package_once_then_adds_a_revision_per_run(tmp_path: Path):
    registry = tmp_path / "demo-registry"

    first = demo(registry)
    second = demo(registry)

    assert "20 tools:" in first and "backend iam" in first
    assert "created revision" in first and "found it" in second
    for out in (first, second):
        assert "data/readings.csv" in out and "│ # Lake monitoring, June 2024" in out
        assert "metadata last_demo_run" in out
    assert "added    notes/demo-run.md" in first and "changed  notes/demo-run.md" in second
    assert (registry / ".quilt" / "named_packages" / PACKAGE / "latest").is_file()


def test_the_demo_refuses_a_registry_it_cannot_use_in_one_line(capsys):
    assert main(["demo", "--registry", "ftp://somewhere"]) == 2

    assert capsys.readouterr().err.startswith("quilt-mcp demo: Unsupported registry 'ftp://somewhere'.")


def test_the_demo_runs_against_an_s3_registry_as_its_help_offers(infra: Any):
    bucket = infra.new_bucket()

    first = demo(f"s3://{bucket}")
    second = demo(f"s3://{bucket}")

    assert "created revision" in first and "found it" in second
    assert "data/readings.csv" in first and "│ # Lake monitoring, June 2024" in first
    keys = {o["Key"] for o in infra.s3_client().list_objects_v2(Bucket=bucket)["Contents"]}
    assert f".quilt/named_packages/{PACKAGE}/latest" in keys
