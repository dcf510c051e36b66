"""``packageConstruct`` and ``packageRevisionDelete``.

``packageConstruct(params, src)`` pushes a package of S3 references through
quilt3 (objects stay where they are). Input problems answer ``InvalidInput``
with one ``InputError`` per problem, ``path`` naming the argument
(``params.name``, ``src.entries[3].logicalKey``...) and ``name`` one of
``InvalidPackageName``, ``InvalidLogicalKey``, ``DuplicateLogicalKey``,
``InvalidPhysicalKey``, ``InvalidHash``, ``InvalidSize``,
``WorkflowValidationError``. Other failures answer ``OperationError`` named
``Forbidden`` (a bucket outside the caller's role), ``ObjectNotFound`` (an
entry's object is missing) or ``PackagePushError``.

``params.workflow``: null = the registry's default workflow, ``""`` = none,
otherwise the workflow id (quilt3's ``workflow=`` semantics).

``packageRevisionDelete(bucket, name, hash)`` removes every pointer of that
revision (``latest`` moves back, as quilt3 does); ``NotFound`` when the package
has no such revision, ``Forbidden`` outside the role.
"""

from __future__ import annotations

import re
from typing import Any


from botocore.exceptions import ClientError
from graphql import GraphQLResolveInfo
from quilt3.util import PhysicalKey, QuiltException
from quilt3.workflows import WorkflowValidationError

from quilt_mcp_conformance.catalog.registry import EntrySpec
from quilt_mcp_conformance.catalog.resolvers.context import blocking, caller, invalid_input, operation_error
from quilt_mcp_conformance.catalog.resolvers.packages import RevisionView, package_object

NAME_RE = re.compile(r"^[\w-]+/[\w-]+$")
HASH_TYPES = {"SHA256": re.compile(r"^[0-9a-f]{64}$"), "sha2-256-chunked": re.compile(r"^[A-Za-z0-9+/]{43}=$")}


def _entry_problems(index: int, raw: dict[str, Any], seen: set[str]) -> list[tuple[str, str, str]]:
    path = f"src.entries[{index}]"
    problems = []
    key = raw["logicalKey"]
    parts = key.split("/")
    if not key or any(part in ("", ".", "..") for part in parts):
        problems.append((f"{path}.logicalKey", "InvalidLogicalKey", f"{key!r}: no empty, '.' or '..' segment allowed"))
    elif key in seen:
        problems.append((f"{path}.logicalKey", "DuplicateLogicalKey", f"{key!r} appears more than once"))
    seen.add(key)
    try:
        physical = PhysicalKey.from_url(raw["physicalKey"])
        if physical.is_local() or not physical.path:
            raise QuiltException("not an S3 object")
    except (QuiltException, ValueError) as exc:
        problems.append((f"{path}.physicalKey", "InvalidPhysicalKey", f"{raw['physicalKey']!r}: need s3://bucket/key ({exc})"))
    digest = raw.get("hash")
    if digest is not None:
        pattern = HASH_TYPES.get(digest["type"])
        if pattern is None or not pattern.match(digest["value"]):
            problems.append((f"{path}.hash", "InvalidHash", "need type SHA256 or sha2-256-chunked with a matching value"))
    size = raw.get("size")
    if size is not None and (size < 0 or size != int(size)):
        problems.append((f"{path}.size", "InvalidSize", f"{size!r} is not a byte count"))
    return problems


async def package_construct(info: GraphQLResolveInfo, params: dict[str, Any], src: dict[str, Any]) -> dict[str, Any]:
    who = caller(info)
    fault = who.state.faults.operation_error()
    if fault is not None:
        return fault
    bucket, name = params["bucket"], params["name"]
    problems: list[tuple[str, str, str]] = []
    if not NAME_RE.match(name):
        problems.append(("params.name", "InvalidPackageName", f"{name!r} must look like namespace/name (letters, digits, _ or -)"))
    seen: set[str] = set()
    for index, raw in enumerate(src["entries"]):
        problems.extend(_entry_problems(index, raw, seen))
    if problems:
        return invalid_input(*problems)
    outside = sorted(({PhysicalKey.from_url(e["physicalKey"]).bucket for e in src["entries"]} | {bucket}) - who.buckets)
    if outside:
        return operation_error("Forbidden", f"your role grants no access to bucket(s) {', '.join(outside)}")
    specs = [
        EntrySpec(
            logical_key=e["logicalKey"],
            physical_key=e["physicalKey"],
            size=int(e["size"]) if e.get("size") is not None else None,
            hash=e.get("hash"),
            meta=e.get("meta"),
        )
        for e in src["entries"]
    ]
    workflow = params.get("workflow")
    registry = who.state.registry
    try:
        top_hash = await blocking(
            registry.construct,
            bucket,
            name,
            specs,
            message=params.get("message"),
            user_meta=params.get("userMeta"),
            workflow=... if workflow is None else (workflow or None),
        )
    except WorkflowValidationError as exc:
        return invalid_input(("params.workflow", "WorkflowValidationError", str(exc)))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("404", "NoSuchKey", "NoSuchBucket", "NoSuchVersion"):
            return operation_error("ObjectNotFound", f"an entry's S3 object is missing ({code})")
        return operation_error("PackagePushError", f"S3 refused the push ({code})")
    except (QuiltException, OSError) as exc:
        return operation_error("PackagePushError", str(exc))
    pointer = await blocking(registry.resolve, bucket, name, top_hash)
    stamps = (await blocking(registry.timestamps, bucket, name))[name]
    return {
        "__typename": "PackagePushSuccess",
        "package": package_object(who, bucket, name, stamps),
        "revision": RevisionView(who, bucket, name, pointer).as_object(),
    }


async def package_revision_delete(info: GraphQLResolveInfo, bucket: str, name: str, hash: str) -> dict[str, Any]:
    who = caller(info)
    fault = who.state.faults.operation_error()
    if fault is not None:
        return fault
    if not who.may(bucket):
        return operation_error("Forbidden", f"your role grants no access to bucket {bucket}")
    registry = who.state.registry
    pointer = await blocking(registry.resolve, bucket, name, hash) if NAME_RE.match(name) else None
    if pointer is None or pointer.hash != hash:
        return operation_error("NotFound", f"package {name} in {bucket} has no revision {hash}")
    try:
        await blocking(registry.delete_revision, bucket, name, hash)
    except QuiltException as exc:
        return operation_error("NotFound", str(exc))
    return {"__typename": "PackageRevisionDeleteSuccess", "_": True}


ROOT = {"packageConstruct": package_construct, "packageRevisionDelete": package_revision_delete}


