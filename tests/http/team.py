"""A team on the reference catalog: users with disjoint buckets, each holding a package that names its owner.

``start_team(infra)`` pushes one package per user with the real quilt3 into
that user's own bucket and starts a ``ReferenceCatalog`` whose roles grant
each user only their bucket. An answer that mentions another user's name or
bucket came from another user's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quilt_mcp_conformance.catalog import ReferenceCatalog

USERS = ("ann", "ben", "cat", "dan")
PACKAGE = "team/data"


@dataclass
class Team:
    """The catalog, each user's bucket, and each user's package top hash."""

    catalog: ReferenceCatalog
    buckets: dict[str, str]
    top_hashes: dict[str, str]

    @staticmethod
    def owner_text(user: str) -> str:
        """The text of ``owner.txt`` in ``user``'s package."""
        return f"owned by {user}"


def _push_owned(user: str, bucket: str, s3: Any) -> str:
    """Push ``user``'s package into ``bucket``, its files kept under ``files/`` of the same bucket."""
    import quilt3

    pkg = quilt3.Package()
    for key, body in {"owner.txt": Team.owner_text(user), f"{user}/notes.md": f"# {user}"}.items():
        s3.put_object(Bucket=bucket, Key=f"files/{key}", Body=body.encode())
        pkg.set(key, f"s3://{bucket}/files/{key}")
    pkg.set_meta({"owner": user})
    return pkg.push(PACKAGE, registry=f"s3://{bucket}", selector_fn=lambda *_: False, force=True,
                    message=f"{user}'s data").top_hash


def start_team(infra: Any) -> Team:
    """Buckets and packages for ``USERS`` and a catalog (current schema) granting each user only their own."""
    s3 = infra.s3_client()
    buckets = {user: infra.new_bucket() for user in USERS}
    top_hashes = {user: _push_owned(user, bucket, s3) for user, bucket in buckets.items()}
    catalog = ReferenceCatalog.start(
        infra.s3_endpoint,
        infra.env,
        roles={f"role-{user}": [bucket] for user, bucket in buckets.items()},
        users={user: f"role-{user}" for user in USERS},
    )
    return Team(catalog, buckets, top_hashes)
