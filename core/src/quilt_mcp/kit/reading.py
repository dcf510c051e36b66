"""A ranged read's bytes as the ``ReadResult`` every backend returns."""

from __future__ import annotations

from quilt_mcp.errors import InvalidInputError
from quilt_mcp.models import ReadMode, ReadResult


def read_result(source: str, data: bytes, *, offset: int, total_size: int, mode: ReadMode) -> ReadResult:
    """``data`` read from ``offset`` of ``source`` (``total_size`` bytes long); ``InvalidInputError`` for an
    offset past the end."""
    if offset > total_size:
        raise InvalidInputError(
            f"offset {offset} is past the end of {source} ({total_size} bytes).", "Pass an offset below the size."
        )
    return ReadResult.from_bytes(source, data, offset=offset, total_size=total_size, mode=mode)
