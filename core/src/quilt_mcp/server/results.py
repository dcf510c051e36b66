"""Result models of the tools that are not ``QuiltOps`` operations (the rest return domain models)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from quilt_mcp.models import BucketInfo


class Result(BaseModel):
    """Base of the server's own results: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class BucketList(Result):
    """Buckets and registries the current identity can reach."""

    items: list[BucketInfo]


class ResolvedRevision(Result):
    """The full top hash a revision reference names."""

    registry: str
    name: str
    ref: str = Field(description="The reference as given.")
    top_hash: str


class PluginDetection(Result):
    """What one installed backend plugin detected."""

    plugin: str
    usable: bool
    identity: str | None = None
    priority: int | None = None
    reason: str = Field(description="Why it can act, why not, or the error detection raised.")


class AuthStatus(Result):
    """The backend the server uses, who it acts as, and why it was chosen."""

    ok: bool = Field(description="True when a backend is open or can be chosen.")
    backend: str | None = None
    identity: str | None = Field(default=None, description="Who the backend acts as (user, AWS principal).")
    caller: str | None = Field(
        default=None,
        description="HTTP mode: who the request's verified token names (JWT 'sub', or the catalog user).",
    )
    reason: str | None = Field(default=None, description="Why this backend was chosen.")
    capabilities: list[str] = Field(default_factory=list)
    default_registry: str | None = None
    read_only: bool = Field(description="True when tools that write are hidden.")
    detections: list[PluginDetection] = Field(default_factory=list, description="Every installed plugin's answer.")
    problem: str | None = Field(default=None, description="Why no backend can act, when ok is false.")
    advice: str | None = Field(default=None, description="What to do about the problem.")


class PackageLinks(Result):
    """Ways to point at a package, a revision or an entry."""

    registry: str
    name: str
    top_hash: str | None = Field(default=None, description="The revision the pinned links name.")
    path: str = Field(default="", description="Logical key or directory inside the package; '' for the package.")
    quilt_uri: str | None = Field(default=None, description="Quilt+ URI pinned to top_hash (S3 registries only).")
    latest_quilt_uri: str | None = Field(default=None, description="Quilt+ URI that follows 'latest'.")
    catalog_url: str | None = Field(default=None, description="Catalog page of the pinned revision.")
    latest_catalog_url: str | None = Field(default=None, description="Catalog page following 'latest'.")
    notes: list[str] = Field(default_factory=list, description="Why a link is missing, if one is.")


def detection_of(detection: Any) -> PluginDetection:
    """What ``auth_status`` shows of one plugin's detection."""
    candidate = detection.candidate
    if candidate is None:
        return PluginDetection(plugin=detection.plugin, usable=False, reason=detection.error or "nothing detected")
    return PluginDetection(
        plugin=detection.plugin,
        usable=candidate.usable and detection.error is None,
        identity=candidate.identity,
        priority=candidate.priority,
        reason=candidate.reason,
    )
