"""GraphQL resolvers of the reference catalog, split by area, and how they attach to a schema.

Objects handed to GraphQL are dicts: a value is the field's answer, or a
callable ``(info, **args)`` (sync or async) computing it lazily. One field
resolver serves every field; a field whose parent dict lacks it, and every
root field not in ``ROOT``, answers the GraphQL error "<Type>.<field> is not
implemented by the reference catalog" — never a silent null. Unions and
interfaces resolve from the ``__typename`` key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import GraphQLError, GraphQLInterfaceType, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema, GraphQLUnionType

from quilt_mcp_conformance.catalog.resolvers import identity, mutations, packages, search

#: Root fields (Query and Mutation) the reference implements.
ROOT: dict[str, Callable[..., Any]] = {
    **identity.ROOT,
    **packages.ROOT,
    **search.ROOT,
    **mutations.ROOT,
}


def resolve_field(obj: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    """The single field resolver: the dict's value (called when callable) or a not-implemented error."""
    source = ROOT if obj is None else obj
    if isinstance(source, Mapping) and info.field_name in source:
        value = source[info.field_name]
        return value(info, **args) if callable(value) else value
    raise GraphQLError(f"{info.parent_type.name}.{info.field_name} is not implemented by the reference catalog")


def resolve_type(obj: Any, _info: GraphQLResolveInfo, _type: Any) -> str:
    return obj["__typename"]


def attach(schema: GraphQLSchema) -> GraphQLSchema:
    """Set ``resolve_field`` on every field and ``resolve_type`` on every abstract type of ``schema``."""
    for named in schema.type_map.values():
        if named.name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType):
            for field in named.fields.values():
                field.resolve = resolve_field
        elif isinstance(named, (GraphQLUnionType, GraphQLInterfaceType)):
            named.resolve_type = resolve_type
    return schema


__all__ = ["ROOT", "attach", "resolve_field"]
