"""What every resolver reads from the request: the caller, the catalog's state, and small shared helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from graphql import GraphQLResolveInfo

from quilt_mcp_conformance.catalog.faults import Faults
from quilt_mcp_conformance.catalog.registry import Registry
from quilt_mcp_conformance.catalog.users import Directory, User

T = TypeVar("T")


@dataclass(frozen=True)
class CatalogState:
    """The catalog process's shared state."""

    version: str
    directory: Directory
    registry: Registry
    faults: Faults


@dataclass(frozen=True)
class Caller:
    """One request's context: the authenticated ``user`` and the catalog ``state``."""

    user: User
    state: CatalogState

    @property
    def buckets(self) -> set[str]:
        """The buckets the caller's role grants (read and write)."""
        return self.state.directory.buckets_of(self.user)

    def may(self, bucket: str) -> bool:
        return bucket in self.buckets


def caller(info: GraphQLResolveInfo) -> Caller:
    return info.context["caller"]


async def blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking S3/quilt3 work in a worker thread so the event loop keeps serving."""
    return await asyncio.to_thread(fn, *args, **kwargs)


def iso(moment: datetime) -> str:
    """A ``Datetime`` scalar value: ISO 8601 with the UTC offset."""
    return moment.isoformat()


def operation_error(name: str, message: str, context: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"__typename": "OperationError", "name": name, "message": message, "context": context}


def invalid_input(*errors: tuple[str | None, str, str]) -> dict[str, Any]:
    """An ``InvalidInput`` result from ``(path, name, message)`` triples."""
    return {
        "__typename": "InvalidInput",
        "errors": [{"path": path, "name": name, "message": message, "context": None} for path, name, message in errors],
    }
