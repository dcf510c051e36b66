"""The generated sgqlc module is what the carried catalog schema makes of it."""

from __future__ import annotations

from quilt_mcp_platform.graphql import regenerate


def test_generated_schema_module_is_up_to_date() -> None:
    assert regenerate.SCHEMA_MODULE.read_text() == regenerate.generate_module(), (
        "schema.py is out of date: run python -m quilt_mcp_platform.graphql.regenerate"
    )
