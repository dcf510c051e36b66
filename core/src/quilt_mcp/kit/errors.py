"""Errors every backend raises for the same situations, with the same words."""

from __future__ import annotations

from quilt_mcp.errors import ConflictError, NotFoundError


def conflict(name: str, registry: str, expected: str | None, latest: str | None) -> ConflictError:
    """A write based on ``expected`` found ``latest`` of ``name`` in ``registry`` elsewhere; nothing was written."""
    based = expected or "no revision (a new package)"
    now = latest or "no revision (the package does not exist)"
    return ConflictError(
        f"{name} in {registry} changed: latest is {now}, but this write was based on {based}. Nothing was written.",
        "Read the latest revision and apply your change to it (base_hash=<latest>), or pass force=True to overwrite.",
    )


def package_not_found(name: str, registry: str) -> NotFoundError:
    """Package ``name`` does not exist in ``registry``."""
    return NotFoundError(
        f"Package {name} does not exist in {registry}.", "List the packages in the registry to see what exists."
    )


def revision_not_found(name: str, registry: str, ref: str) -> NotFoundError:
    """No revision of ``name`` in ``registry`` is (or starts with) ``ref``."""
    return NotFoundError(f"No revision of {name} in {registry} is {ref}.", "List its revisions to see valid hashes.")
