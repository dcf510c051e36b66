"""The generated sgqlc module and the carried schema text are what their sources say."""

from __future__ import annotations

from pathlib import Path

import pytest
from quilt_mcp_platform.graphql import regenerate

SHARED = Path(__file__).resolve().parents[3] / "shared" / "quilt-reference"


def test_generated_schema_module_is_up_to_date() -> None:
    assert regenerate.SCHEMA_MODULE.read_text() == regenerate.generate_module(), (
        "schema.py is out of date: run python -m quilt_mcp_platform.graphql.regenerate"
    )


@pytest.mark.parametrize(
    ("carried", "source"),
    [(regenerate.CURRENT_SDL, "schema.graphql"), (regenerate.PREVIOUS_SDL, "schema-quilt3-8.0.0.graphql")],
)
def test_carried_schema_is_the_reference_without_descriptions(carried: Path, source: str) -> None:
    if not (SHARED / source).exists():
        pytest.skip(f"../shared/quilt-reference/{source} is not beside this checkout")
    assert carried.read_text() == regenerate.strip_descriptions((SHARED / source).read_text())
