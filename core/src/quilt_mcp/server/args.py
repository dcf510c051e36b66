"""The tools' argument types: flat, each with a description and bounds.

Bounds go into every tool's input schema so clients can check a call before
sending it; the domain checks (``quilt_mcp.names``) still run in the backend
and give the detailed "what to do" message.
"""

from typing import Annotated, Any, Literal

from pydantic import Field

from quilt_mcp.models import MAX_LOGICAL_KEY, EntrySource
from quilt_mcp.ops import (
    MAX_PAGE,
    MAX_READ_BYTES,
    MAX_URL_SECONDS,
)

MAX_ENTRIES = 10_000
"""Most entry sources one create/update call may name (a prefix source counts once)."""
"""Longest lifetime of a presigned URL (the S3 limit)."""

RegistryArg = Annotated[
    str | None,
    Field(
        description="Registry: s3://bucket, file:///path or a local directory. "
        "Omit to use the server's default (the first --registry / QUILT_MCP_REGISTRIES, "
        "else the chosen backend's own default).",
        max_length=2048,
    ),
]
NameArg = Annotated[
    str,
    Field(description="Package name 'namespace/name', e.g. 'team/dataset'.", min_length=3, max_length=256),
]
RefArg = Annotated[
    str,
    Field(
        description="Revision: 'latest', a 64-hex top hash, or a unique hash prefix of at least 6 hex characters.",
        min_length=1,
        max_length=64,
    ),
]
LogicalKeyArg = Annotated[
    str,
    Field(
        description="Logical key of an entry in the package, e.g. 'data/table.csv'.",
        min_length=1,
        max_length=MAX_LOGICAL_KEY,
    ),
]
DirectoryArg = Annotated[
    str,
    Field(description="Directory inside the package to list, e.g. 'data/'; '' is the root.", max_length=MAX_LOGICAL_KEY),
]
CursorArg = Annotated[
    str | None,
    Field(
        description="Omit for the first page; to get the next one, pass a previous result's next_cursor unchanged, "
        "with the same other arguments (a cursor belongs to the listing that returned it).",
        max_length=8192,
    ),
]
LimitArg = Annotated[int, Field(description="Most items to return in this page.", ge=1, le=MAX_PAGE)]
DiffLimitArg = Annotated[
    int, Field(description="Most keys to list per kind of change; counts are always complete.", ge=1, le=MAX_PAGE)
]
OffsetArg = Annotated[int, Field(description="Byte offset to start reading at.", ge=0)]
MaxBytesArg = Annotated[
    int, Field(description=f"Most bytes to return (at most {MAX_READ_BYTES}).", ge=1, le=MAX_READ_BYTES)
]
ReadModeArg = Annotated[
    Literal["auto", "text", "bytes"],
    Field(description="'text' (UTF-8, error if not text), 'bytes' (base64) or 'auto' (text when it decodes)."),
]
RecursiveArg = Annotated[bool, Field(description="List everything below, not just one level.")]
ObjectUriArg = Annotated[
    str, Field(description="An S3 object, s3://bucket/key (optionally ?versionId=...).", min_length=6, max_length=2048)
]
PrefixUriArg = Annotated[
    str, Field(description="An S3 location to list: s3://bucket or s3://bucket/prefix/.", min_length=6, max_length=2048)
]
NamePrefixArg = Annotated[str, Field(description="Only names starting with this, e.g. 'team/'.", max_length=256)]
QueryArg = Annotated[
    str,
    Field(
        description="Text to find in package names, latest messages and latest metadata (case-insensitive).",
        min_length=1,
        max_length=256,
    ),
]
ExpiresArg = Annotated[
    int, Field(description="Seconds the URL stays valid.", ge=1, le=MAX_URL_SECONDS)
]
EntriesArg = Annotated[
    list[EntrySource],
    Field(
        description="What the revision holds. Each item has a logical_key and either 'source' "
        "(s3://bucket/key, an s3://bucket/prefix/ placed under logical_key as a directory, or for a local "
        "registry) or 'text' (inline UTF-8 content), plus optional 'meta'. Empty for an empty revision.",
        max_length=MAX_ENTRIES,
    ),
]
AddArg = Annotated[
    list[EntrySource],
    Field(
        description="Entries to add or replace; same shape as package_create's entries.",
        max_length=MAX_ENTRIES,
    ),
]
RemoveArg = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=MAX_LOGICAL_KEY)]],
    Field(description="Logical keys to drop; a key ending in '/' drops that whole directory.", max_length=MAX_ENTRIES),
]
MessageArg = Annotated[str | None, Field(description="Commit message of the new revision.", max_length=10_000)]
UserMetaArg = Annotated[
    dict[str, Any] | None, Field(description="Package-level user metadata (a JSON object).")
]
MetaModeArg = Annotated[
    Literal["merge", "replace"],
    Field(description="'merge' adds user_meta's keys to the base revision's metadata; 'replace' replaces it."),
]
BaseHashArg = Annotated[
    str | None,
    Field(
        description="The top hash 'latest' must still have for the write to land (from package_info); "
        "omit when creating a package that does not exist yet.",
        max_length=64,
    ),
]
ForceArg = Annotated[bool, Field(description="Write even if 'latest' moved since the base revision.")]
CopyArg = Annotated[bool, Field(description="Copy S3 sources into the registry instead of referencing them.")]
