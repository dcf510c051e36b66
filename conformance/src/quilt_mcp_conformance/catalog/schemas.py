"""The Quilt catalog's public GraphQL schema, carried without descriptions.

Two versions are carried (``current``: quiltdata/quilt ``shared/graphql/schema.graphql``
after PR #5189; ``previous``: the same file at tag 8.0.0). Both are the
reference files parsed with graphql-core, descriptions dropped and printed
again (``strip_descriptions``), so tests pass on a fresh clone without
``../shared``. ``tests/catalog/test_schemas.py`` checks them against
``../shared/quilt-reference`` where it exists. These are the only copies: the
platform plugin generates its sgqlc schema module from ``current`` and
validates its operations against both (``quilt_mcp_platform.graphql.regenerate``).
"""

from __future__ import annotations

from importlib import resources
from typing import Literal

from graphql import GraphQLSchema, build_schema, print_schema

SchemaVersion = Literal["current", "previous"]
VERSIONS: tuple[SchemaVersion, ...] = ("current", "previous")
#: The reference file each carried version was stripped from.
SOURCE_FILES: dict[SchemaVersion, str] = {
    "current": "schema.graphql",
    "previous": "schema-quilt3-8.0.0.graphql",
}


def schema_text(version: SchemaVersion = "current") -> str:
    """The carried SDL of ``version`` (``current`` or ``previous``); ValueError for any other name."""
    if version not in VERSIONS:
        raise ValueError(f"unknown catalog schema version {version!r}; use one of {', '.join(VERSIONS)}")
    return resources.files(__package__).joinpath("schema", f"{version}.graphql").read_text(encoding="utf-8")


def strip_descriptions(sdl: str) -> str:
    """``sdl`` parsed and printed again with every description removed (types, fields, args, values)."""
    schema = build_schema(sdl)
    for named in schema.type_map.values():
        named.description = None
        for field in getattr(named, "fields", {}).values():
            field.description = None
            for arg in getattr(field, "args", {}).values():
                arg.description = None
        for value in getattr(named, "values", {}).values():
            value.description = None
    for directive in schema.directives:
        directive.description = None
        for arg in directive.args.values():
            arg.description = None
    schema.description = None
    return print_schema(schema) + "\n"


def build(version: SchemaVersion) -> GraphQLSchema:
    """A fresh graphql-core schema object of ``version`` (no resolvers attached)."""
    return build_schema(schema_text(version))
