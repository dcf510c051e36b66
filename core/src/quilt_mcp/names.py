"""Validation of package names, logical keys, hashes and limits shared by all backends.

Every write validates its inputs here before anything is written, so every
backend rejects the same inputs with the same messages.
"""

from __future__ import annotations

import re

from quilt_mcp.errors import InvalidInputError

PACKAGE_NAME_RE = re.compile(r"\A[\w-]+/[\w-]+\Z")
TOP_HASH_RE = re.compile(r"\A[0-9a-f]{64}\Z")
"""Anchored with ``\\A``/``\\Z``: ``$`` would also match before a trailing newline."""
HASH_PREFIX_MIN = 6
MAX_KEY_BYTES = 1024
"""The longest logical key (UTF-8 bytes) read or written: S3's limit for a whole key."""


def validate_package_name(name: str) -> str:
    """Return ``name`` if it is ``namespace/name``; else ``InvalidInputError``."""
    if not isinstance(name, str) or not PACKAGE_NAME_RE.match(name):
        raise InvalidInputError(
            f"Invalid package name {name!r}.",
            "Use 'namespace/name' with letters, digits, '_' or '-' in each part, e.g. 'team/dataset'.",
        )
    return name


def validate_logical_key(key: str, *, directory: bool = False) -> str:
    """Return ``key`` if it is a valid logical key; else ``InvalidInputError``.

    A logical key has no empty, ``.`` or ``..`` segment, does not start with
    ``/``, contains no NUL and no lone surrogate, and is at most ``MAX_KEY_BYTES`` long (a backslash is
    an ordinary character, as in quilt3). With ``directory``, ``""`` (the
    root) and a trailing ``/`` are allowed.
    """
    if directory:
        if key == "":
            return key
        body = key[:-1] if key.endswith("/") else key
    else:
        body = key
    bad = (
        not isinstance(key, str)
        or body == ""
        or "\x00" in body
        or has_lone_surrogate(body)
        or any(part in ("", ".", "..") for part in body.split("/"))
    )
    if bad:
        raise InvalidInputError(
            f"Invalid logical key {key!r}.",
            "Use '/'-separated segments with no empty, '.' or '..' segment, no leading '/' and no NUL or unpaired "
            "surrogate character, e.g. 'data/file.csv'.",
        )
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise InvalidInputError(
            f"Logical key {key[:40]!r}... is longer than {MAX_KEY_BYTES} bytes.", "Use a shorter logical key."
        )
    return key


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (``\\ud800``-``\\udfff``), which no UTF-8 file or S3 key can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def validate_ref(ref: str) -> str:
    """Return ``ref`` normalised (lower-case) if it can name a revision; else ``InvalidInputError``."""
    if ref == "latest":
        return ref
    low = ref.lower() if isinstance(ref, str) else ""
    if len(low) < HASH_PREFIX_MIN or len(low) > 64 or not re.fullmatch(r"[0-9a-f]+", low):
        raise InvalidInputError(
            f"Invalid revision {ref!r}.",
            f"Use 'latest', a 64-character top hash, or a hash prefix of at least {HASH_PREFIX_MIN} hex characters.",
        )
    return low


def validate_limit(limit: int, maximum: int, what: str = "limit") -> int:
    """Return ``limit`` if ``1 <= limit <= maximum``; else ``InvalidInputError``."""
    if not isinstance(limit, int) or limit < 1 or limit > maximum:
        raise InvalidInputError(f"{what} must be between 1 and {maximum}, got {limit!r}.", "Pass a smaller value.")
    return limit
