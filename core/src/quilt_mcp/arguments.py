"""The checks the call pipeline (``QuiltOps``) runs on every argument before a backend sees it.

One place produces the message for each bad input, so it reads the same
whichever backend is chosen. Each check returns the value in the form the
backend receives (e.g. a parsed ``RegistryLocation``, a lower-cased ref).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, get_args

from quilt_mcp import capabilities as cap
from quilt_mcp.errors import InvalidInputError, NotSupportedError
from quilt_mcp.models import EntrySource, ReadMode
from quilt_mcp.local_sources import check_special
from quilt_mcp.names import has_lone_surrogate, validate_limit, validate_logical_key
from quilt_mcp.uris import RegistryLocation, parse_registry, parse_s3_uri

MAX_OFFSET = 2**63 - 1
"""The largest byte offset accepted (S3 and the filesystem use signed 64-bit offsets)."""
META_MODES = ("merge", "replace")
READ_MODES: tuple[str, ...] = get_args(ReadMode)

ABILITY = {
    cap.READ: "read packages",
    cap.WRITE: "create or update package revisions",
    cap.DELETE: "delete packages or revisions",
    cap.SEARCH: "search packages",
    cap.PRESIGN: "make download URLs",
    cap.BUCKETS: "list buckets or read S3 objects",
    cap.LOCAL_REGISTRY: "use a local directory as a registry",
}
"""What each capability lets a backend do, as the end of "cannot ..."."""


def missing_capability(backend: str, capability: str, hint: str = "") -> NotSupportedError:
    """The error for a backend that lacks ``capability``; the server may replace ``hint`` with its own."""
    return NotSupportedError(
        f"The {backend} backend cannot {ABILITY.get(capability, capability)}: it lacks the '{capability}' capability.",
        hint or "Choose a backend that has it (see 'quilt-mcp doctor').",
        capability=capability,
    )


def require(backend: str, capabilities: frozenset[str], capability: str) -> None:
    """``NotSupportedError`` unless ``capability`` is among ``capabilities``."""
    if capability not in capabilities:
        raise missing_capability(backend, capability)


def registry(value: str, backend: str, capabilities: frozenset[str]) -> RegistryLocation:
    """The parsed registry; a local directory needs the ``local_registry`` capability."""
    location = parse_registry(value)
    if location.is_local and cap.LOCAL_REGISTRY not in capabilities:
        raise missing_capability(backend, cap.LOCAL_REGISTRY, "Use an s3:// registry.")
    return location


def limit(value: int, maximum: int, what: str = "limit") -> int:
    """``value`` if it is an int from 1 to ``maximum``."""
    if isinstance(value, bool):
        value = -1
    return validate_limit(value, maximum, what)


def offset(value: int) -> int:
    """``value`` if it is a byte offset: an int from 0 below 2**63."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_OFFSET:
        raise InvalidInputError(
            f"offset must be a byte offset from 0 to {MAX_OFFSET}, got {value!r}.", "Pass a byte offset from the start."
        )
    return value


def read_mode(value: str) -> str:
    """``value`` if it is a ``ReadMode``."""
    if value not in READ_MODES:
        raise InvalidInputError(f"Invalid mode {value!r}.", f"Use one of {', '.join(READ_MODES)}.")
    return value


def meta_mode(value: str) -> str:
    """``value`` if it is ``merge`` or ``replace``."""
    if value not in META_MODES:
        raise InvalidInputError(f"Invalid meta_mode {value!r}.", "Use 'merge' or 'replace'.")
    return value


def text(value: Any, what: str) -> str:
    """``value`` if it is a string (``what`` names the argument)."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be a string, got {value!r}.", f"Pass {what} as text.")
    return value


def storable(value: Any, what: str) -> Any:
    """``value`` (text, or JSON-like metadata) if every string in it, keys included, can be written as UTF-8."""
    if isinstance(value, str):
        bad = has_lone_surrogate(value)
    elif isinstance(value, dict):
        bad = any(has_lone_surrogate(k) if isinstance(k, str) else False for k in value)
        for item in value.values():
            storable(item, what)
    elif isinstance(value, list | tuple):
        bad = False
        for item in value:
            storable(item, what)
    else:
        bad = False
    if bad:
        raise InvalidInputError(
            f"{what} holds an unpaired surrogate character (\\ud800-\\udfff), which cannot be stored as UTF-8.",
            f"Remove it from {what}, or send the character as a proper surrogate pair.",
        )
    return value


def sources(values: Sequence[EntrySource], location: RegistryLocation) -> list[EntrySource]:
    """Entry sources, each with exactly one of ``source`` and ``text``, a valid logical key
    (a directory one for a prefix or a directory source), no file key given twice, and
    local sources only for a local registry.

    An S3 source whose logical key ends in ``/`` is a prefix: ``s3://b/raw`` is passed on as ``s3://b/raw/``.
    """
    seen: set[str] = set()
    checked = [_as_prefix(EntrySource.model_validate(v) if isinstance(v, dict) else v) for v in values]
    for src in checked:
        if (src.source is None) == (src.text is None):
            raise InvalidInputError(
                f"Entry {src.logical_key!r} needs exactly one of 'source' and 'text'.",
                "Give an s3:// URI (or, for a local registry, a local path) in 'source', or inline content in 'text'.",
            )
        if src.source is not None and not src.source.strip():
            raise InvalidInputError(
                f"Entry {src.logical_key!r} has an empty 'source'.",
                "Give an s3:// URI (or, for a local registry, a local path), or inline content in 'text'.",
            )
        storable(src.text, f"The text of {src.logical_key!r}")
        storable(src.source, f"The source of {src.logical_key!r}")
        is_dir = src.source is not None and _is_directory_source(src, location)
        validate_logical_key(src.logical_key, directory=is_dir)
        if not is_dir:
            if src.logical_key in seen:
                raise InvalidInputError(f"Logical key {src.logical_key!r} is given twice.", "Give each key once.")
            seen.add(src.logical_key)
    return checked


def _as_prefix(src: EntrySource) -> EntrySource:
    source = src.source
    if not (source and source.startswith("s3://") and src.logical_key.endswith("/")):
        return src
    parsed = parse_s3_uri(source)
    if not parsed.key or parsed.key.endswith("/") or parsed.version_id:
        return src
    return src.model_copy(update={"source": source + "/"})


def _is_directory_source(src: EntrySource, location: RegistryLocation) -> bool:
    source = src.source or ""
    if source.startswith("s3://"):
        parsed = parse_s3_uri(source)
        is_dir = parsed.key == "" or parsed.key.endswith("/")
        if is_dir and parsed.version_id:
            raise InvalidInputError(f"{source} is a prefix and cannot have a versionId.", "Drop ?versionId=.")
        return is_dir
    if "://" in source and not source.startswith("file://"):
        raise InvalidInputError(
            f"Unsupported source {source!r} for {src.logical_key!r}.",
            "Use an s3://bucket/key URI (or s3://bucket/prefix/), or a local path for a local registry.",
        )
    if not location.is_local:
        raise InvalidInputError(
            f"Local source {source!r} can only go into a local registry.",
            "Upload the file to S3 and give its s3:// URI, or pass the content as 'text'.",
        )
    try:
        return source.endswith("/") or check_special(source).is_dir()
    except OSError as err:
        raise InvalidInputError(
            f"Local source {source!r} cannot be read: {err.strerror or err}.", "Pass an existing local path."
        ) from None


def removals(values: Sequence[str]) -> list[str]:
    """Logical keys, or directories ending in ``/``, to drop; never the package root."""
    for key in values:
        if key in ("", "/"):
            raise InvalidInputError("Cannot remove the package root.", "Name files, or directories ending in '/'.")
        validate_logical_key(key, directory=key.endswith("/"))
    return list(values)


def prefix_uri(uri: str, capabilities: frozenset[str]) -> str:
    """A location to list: ``s3://bucket[/prefix]`` without a version, or (``local_registry``) a local path."""
    if isinstance(uri, str) and not uri.startswith("s3://") and cap.LOCAL_REGISTRY in capabilities:
        return uri
    if parse_s3_uri(uri).version_id:
        raise InvalidInputError(f"{uri} names an object version, not a prefix.", "Drop ?versionId= to list objects.")
    return uri


def object_uri(uri: str, capabilities: frozenset[str]) -> str:
    """One object: ``s3://bucket/key[?versionId=..]`` or (``local_registry``) a local path."""
    if isinstance(uri, str) and not uri.startswith("s3://") and cap.LOCAL_REGISTRY in capabilities:
        return uri
    parse_s3_uri(uri, allow_empty_key=False)
    return uri
