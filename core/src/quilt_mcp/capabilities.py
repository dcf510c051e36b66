"""Capability names a backend may declare.

The conformance suite gates tests on these, and the server tells the client
which capability is missing when a backend cannot do something.
"""

from __future__ import annotations

from typing import Final

READ: Final = "read"
"""List, browse, inspect and read packages, revisions and entries."""
WRITE: Final = "write"
"""Create and update package revisions."""
DELETE: Final = "delete"
"""Delete revisions and whole packages."""
SEARCH: Final = "search"
"""Search packages by name and metadata."""
PRESIGN: Final = "presign"
"""Produce URLs that fetch an entry without further credentials."""
BUCKETS: Final = "buckets"
"""List buckets and registries, list, inspect and read objects."""
LOCAL_REGISTRY: Final = "local_registry"
"""Registries may be local directories (``file://`` or a plain path)."""

ALL: Final[frozenset[str]] = frozenset({READ, WRITE, DELETE, SEARCH, PRESIGN, BUCKETS, LOCAL_REGISTRY})

OPERATIONS: dict[str, str] = {
    "list_packages": READ,
    "list_revisions": READ,
    "resolve_revision": READ,
    "package_info": READ,
    "browse": READ,
    "entry_info": READ,
    "read_entry": READ,
    "entry_url": PRESIGN,
    "diff": READ,
    "search_packages": SEARCH,
    "create_revision": WRITE,
    "update_revision": WRITE,
    "delete_revision": DELETE,
    "delete_package": DELETE,
    "list_buckets": BUCKETS,
    "list_objects": BUCKETS,
    "object_info": BUCKETS,
    "read_object": BUCKETS,
}
"""Every ``QuiltOps`` operation and the capability it needs."""

WRITE_OPERATIONS: frozenset[str] = frozenset(
    {"create_revision", "update_revision", "delete_revision", "delete_package"}
)
"""Operations that change a registry; hidden in read-only mode."""
