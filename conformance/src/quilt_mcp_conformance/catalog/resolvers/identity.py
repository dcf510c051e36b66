"""``me`` and the buckets of the caller's role (``bucketConfigs``, ``bucketConfig``, ``buckets``, ``bucket``)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from quilt_mcp_conformance.catalog.resolvers.context import caller


def me(info: GraphQLResolveInfo) -> dict[str, Any]:
    user = caller(info).user
    role = {"name": user.role}
    return {"name": user.name, "email": user.email, "isAdmin": user.admin, "role": role, "roles": [role]}


def _bucket(name: str, *, config: bool) -> dict[str, Any]:
    common: dict[str, Any] = {
        "name": name,
        "title": name,
        "iconUrl": None,
        "description": None,
        "tags": None,
        "relevanceScore": 0,
        "browsable": False,
    }
    if config:
        common.update(
            linkedData=None,
            overviewUrl=None,
            lastIndexed=None,
            snsNotificationArn=None,
            scannerParallelShardsDepth=None,
            skipMetaDataIndexing=None,
            fileExtensionsToIndex=None,
            indexContentBytes=None,
            prefixes=[],
        )
    return common


def bucket_configs(info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    return [_bucket(name, config=True) for name in sorted(caller(info).buckets)]


def bucket_config(info: GraphQLResolveInfo, name: str) -> dict[str, Any] | None:
    return _bucket(name, config=True) if caller(info).may(name) else None


def buckets(info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    return [_bucket(name, config=False) for name in sorted(caller(info).buckets)]


def bucket(info: GraphQLResolveInfo, name: str) -> dict[str, Any] | None:
    return _bucket(name, config=False) if caller(info).may(name) else None


ROOT = {
    "me": me,
    "bucketConfigs": bucket_configs,
    "bucketConfig": bucket_config,
    "buckets": buckets,
    "bucket": bucket,
}
