"""Entry hashes as quilt3 8.0.0 computes them: ``sha2-256-chunked``.

The hash of ``n`` bytes is base64(sha256(d1 + d2 + ...)) where ``di`` is the
sha256 digest of the i-th part; parts are 8 MiB, doubled until there are at
most 10,000 of them. Zero bytes have no parts: the hash is base64(sha256(b"")).
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Iterable

from quilt_mcp.errors import InvalidInputError

HASH_TYPE = "sha2-256-chunked"
PART_SIZE = 8 * 1024 * 1024
MAX_PARTS = 10_000
_EMPTY_SHA256 = hashlib.sha256(b"").digest()


def part_size(size: int) -> int:
    """The part size for an object of ``size`` bytes (8 MiB, doubled while there are over 10,000 parts)."""
    chunk = PART_SIZE
    while math.ceil(size / chunk) > MAX_PARTS:
        chunk *= 2
    return chunk


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


class ChunkedHasher:
    """Streaming ``sha2-256-chunked`` of an object whose ``size`` is known up front."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._part = part_size(size)
        self._digests: list[bytes] = []
        self._current = hashlib.sha256()
        self._in_part = 0
        self._seen = 0

    def update(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        while view:
            take = min(len(view), self._part - self._in_part)
            self._current.update(view[:take])
            self._in_part += take
            self._seen += take
            view = view[take:]
            if self._in_part == self._part:
                self._digests.append(self._current.digest())
                self._current = hashlib.sha256()
                self._in_part = 0

    def value(self) -> str:
        """The hash; ``InvalidInputError`` if the bytes seen differ from ``size``."""
        if self._seen != self.size:
            raise InvalidInputError(
                f"A source changed while it was read: {self._seen} bytes instead of the {self.size} it had "
                "(a file being written, or a special file such as those in /proc).",
                "Give a regular file or object that stays unchanged while the package is written.",
            )
        digests = self._digests + ([self._current.digest()] if self._in_part else [])
        return _b64(hashlib.sha256(b"".join(digests)).digest())


def hash_chunks(chunks: Iterable[bytes], size: int) -> str:
    """``sha2-256-chunked`` of a stream of ``size`` bytes."""
    hasher = ChunkedHasher(size)
    for chunk in chunks:
        hasher.update(chunk)
    return hasher.value()


def hash_bytes(data: bytes) -> str:
    """``sha2-256-chunked`` of ``data``."""
    return hash_chunks([data], len(data))


def from_s3_checksum(checksum: str | None, size: int) -> str | None:
    """The ``sha2-256-chunked`` hash implied by S3's ``ChecksumSHA256``, or ``None`` if it implies none.

    A single-part checksum is base64(sha256(bytes)): hashing its digest once
    more gives the one-part chunked hash (for zero bytes it already is the
    hash). A multipart ``value-N`` checksum is the chunked hash when S3 used
    the same parts: as quilt3 does, it is trusted when ``N`` equals quilt3's
    own part count.
    """
    if not checksum:
        return None
    value, dash, parts = checksum.partition("-")
    try:
        digest = base64.b64decode(value, validate=True)
    except ValueError:
        return None
    if len(digest) != 32:
        return None
    if not dash:
        if size > PART_SIZE:
            return None  # one part, but quilt3 would use several
        return value if digest == _EMPTY_SHA256 else _b64(hashlib.sha256(digest).digest())
    if not parts.isdigit() or int(parts) != max(1, math.ceil(size / part_size(size))):
        return None
    return value
