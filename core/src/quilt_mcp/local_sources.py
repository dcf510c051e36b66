"""Which local files an entry source may name: never special files, and only below allowed roots.

The call pipeline (``arguments.sources``) refuses empty sources and special
files for every backend; the server (``check_allowed``) limits local sources to
the configured roots (``--local-source-root`` / ``QUILT_MCP_LOCAL_SOURCE_ROOTS``),
and turns them off when serving over HTTP unless roots are configured.
"""

from __future__ import annotations

import stat
from collections.abc import Iterable
from pathlib import Path

from quilt_mcp.errors import InvalidInputError, PermissionDeniedError
from quilt_mcp.models import EntrySource
from quilt_mcp.uris import local_path

SPECIAL_TREES = (Path("/proc"), Path("/sys"), Path("/dev"))
"""File systems whose files are not data (kernel state, devices)."""


def is_local(source: str | None) -> bool:
    """True for a local path or ``file://`` URI source (not ``None``, not ``s3://``)."""
    return source is not None and not source.startswith("s3://")


def check_special(source: str) -> Path:
    """The resolved path of local ``source``; ``InvalidInputError`` for a special file (device, FIFO,
    socket, or anything below /proc, /sys, /dev)."""
    path = local_path(source)
    special = any(path == tree or path.is_relative_to(tree) for tree in SPECIAL_TREES)
    if not special and path.exists():
        mode = path.stat().st_mode
        special = not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))
    if special:
        raise InvalidInputError(
            f"Local source {source!r} is a special file (a device, FIFO, socket or kernel file), not data.",
            "Name a regular file or a directory of them.",
        )
    return path


def check_allowed(entries: Iterable[EntrySource], roots: tuple[str, ...], *, over_http: bool) -> None:
    """``PermissionDeniedError`` for a local source outside ``roots`` (resolved, symlinks followed);
    with no roots, local sources are allowed on stdio and refused over HTTP."""
    allowed = [local_path(root) for root in roots]
    for src in entries:
        if not is_local(src.source):
            continue
        if not allowed and not over_http:
            continue
        path = local_path(src.source or "")
        if not any(path == root or path.is_relative_to(root) for root in allowed):
            raise PermissionDeniedError(
                f"Local source {src.source!r} is outside the directories this server may read from.",
                "Use a file below a --local-source-root (QUILT_MCP_LOCAL_SOURCE_ROOTS) directory, "
                "or upload it to S3 and give its s3:// URI."
                if allowed
                else "Local sources are off when serving over HTTP; start the server with --local-source-root "
                "(QUILT_MCP_LOCAL_SOURCE_ROOTS), or upload the file to S3 and give its s3:// URI.",
            )
