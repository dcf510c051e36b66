"""Quilt manifests: a compact, immutable index for reading, and quilt3-identical writing.

A manifest is JSON lines: a header, optional directory-metadata lines
(``{"logical_key": "dir/", "meta": ...}``), then one line per entry. Entries
are kept in the order of ``logical_key.split('/')`` — the order quilt3 walks
a package — so every directory is one contiguous range.

``Manifest`` holds the raw bytes plus an array of line offsets (in that order)
and running byte totals: a few bytes per entry beyond the manifest itself, a
fraction of a parsed tree. Lines are parsed only when they are looked at, and
lookups are binary searches.
"""

from __future__ import annotations

import hashlib
import json
import os
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from quilt_mcp.errors import BackendUnavailableError, InvalidInputError
from quilt_mcp.models import Entry, EntryHash

MANIFEST_VERSION = "v0"
MAX_RECORD_SIZE = int(os.environ.get("QUILT_MANIFEST_MAX_RECORD_SIZE", "0") or 0) or 1_000_000
"""quilt3's limit on one manifest line (``QUILT_MANIFEST_MAX_RECORD_SIZE``, default 1,000,000 bytes)."""

_encode_line = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_encode_for_hash = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def split_key(logical_key: str) -> list[str]:
    """The sort key of a logical key: its segments (quilt3's walk order)."""
    return logical_key.split("/")


@dataclass(frozen=True)
class ManifestEntry:
    """One entry line."""

    logical_key: str
    physical_key: str
    size: int
    hash: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ManifestEntry:
        return cls(
            logical_key=record["logical_key"],
            physical_key=record["physical_keys"][0],
            size=record["size"],
            hash=record["hash"],
            meta=record.get("meta") or {},
        )

    def record(self) -> dict[str, Any]:
        """The line as quilt3 writes it (key order included)."""
        return {
            "logical_key": self.logical_key,
            "physical_keys": [self.physical_key],
            "size": self.size,
            "hash": self.hash,
            "meta": self.meta,
        }

    def hash_part(self) -> dict[str, Any]:
        """What the top hash covers: everything but the physical key."""
        return {"hash": self.hash, "logical_key": self.logical_key, "meta": self.meta, "size": self.size}

    def same_content(self, other: ManifestEntry) -> bool:
        """Equal as quilt3 compares entries: size, hash and meta (not the physical key)."""
        return self.size == other.size and self.hash == other.hash and self.meta == other.meta

    def model(self) -> Entry:
        return Entry(
            logical_key=self.logical_key,
            physical_key=self.physical_key,
            size=self.size,
            hash=EntryHash(type=str(self.hash.get("type")), value=str(self.hash.get("value"))),
            meta=self.meta,
        )


def hash_header(header: dict[str, Any]) -> dict[str, Any]:
    """The header as the top hash sees it (quilt3 drops the obsolete ``top_hash`` field on load)."""
    return {k: v for k, v in header.items() if k != "top_hash"}


def top_hash(header: dict[str, Any], entries: Iterable[ManifestEntry]) -> str:
    """quilt3's top hash: sha256 over the header and each entry's hash part, in walk order."""
    digest = hashlib.sha256(_encode_for_hash(hash_header(header)).encode())
    for entry in entries:
        digest.update(_encode_for_hash(entry.hash_part()).encode())
    return digest.hexdigest()


def encode_record(record: dict[str, Any]) -> bytes:
    """One manifest line as quilt3's ``dump`` writes it, newline included.

    ``InvalidInputError`` when the line exceeds quilt3's record size limit.
    """
    try:
        text = _encode_line(record)
    except (TypeError, ValueError) as err:
        lk = record.get("logical_key")
        what = "package metadata" if lk is None else f"metadata of entry {lk!r}"
        raise InvalidInputError(f"The {what} cannot be stored as JSON: {err}.", "Use JSON values only.") from err
    size = len(text.encode())
    if size > MAX_RECORD_SIZE:
        lk = record.get("logical_key")
        what = "package metadata" if lk is None else f"entry {lk!r}"
        raise InvalidInputError(
            f"The manifest record for {what} is {size} bytes; quilt3 allows at most {MAX_RECORD_SIZE}.",
            "Keep metadata under 1 MB per package and per entry.",
        )
    return (text + "\n").encode()


@dataclass(frozen=True)
class Written:
    """A serialized manifest and what it holds."""

    data: bytes
    top_hash: str
    entry_count: int
    total_bytes: int


def serialize(
    header: dict[str, Any], dir_meta: Sequence[tuple[str, dict[str, Any]]], entries: Iterable[ManifestEntry]
) -> Written:
    """Write a manifest exactly as quilt3's ``Package.dump`` does, and compute its top hash.

    ``entries`` must be in walk order with unique logical keys, none of them
    also a directory of another (``InvalidInputError`` otherwise). ``dir_meta`` lines are written in walk order.
    """
    header = hash_header(header)
    parts = [encode_record(header)]
    for key, meta in sorted(dir_meta, key=lambda item: split_key(item[0].rstrip("/"))):
        if meta:
            parts.append(encode_record({"logical_key": key, "meta": meta}))
    digest = hashlib.sha256(_encode_for_hash(header).encode())
    count = total = 0
    previous: list[str] | None = None
    for entry in entries:
        current = split_key(entry.logical_key)
        if previous is not None and current <= previous:
            raise InvalidInputError(
                f"Logical key {entry.logical_key!r} appears twice or out of order.", "Give each logical key once."
            )
        if previous is not None and current[: len(previous)] == previous:
            raise InvalidInputError(
                f"Logical key {'/'.join(previous)!r} is a file and also a directory of {entry.logical_key!r}.",
                "Rename or remove one of them.",
            )
        previous = current
        parts.append(encode_record(entry.record()))
        digest.update(_encode_for_hash(entry.hash_part()).encode())
        count += 1
        total += entry.size
    return Written(b"".join(parts), digest.hexdigest(), count, total)


def _damaged(detail: str) -> BackendUnavailableError:
    return BackendUnavailableError(
        f"The package manifest is damaged: {detail}.", "Push a new revision, or restore the manifest in the registry."
    )


class Manifest:
    """A parsed manifest: header, directory metadata, and entries by index in walk order.

    Immutable once built; safe to share between threads and to cache by top hash.
    """

    def __init__(
        self,
        blob: bytes,
        header: dict[str, Any],
        dir_meta: list[tuple[str, dict[str, Any]]],
        offsets: array,
        cumulative: array,
    ) -> None:
        self._blob = blob
        self.header = header
        self.dir_meta = tuple(dir_meta)
        self._offsets = offsets
        self._cumulative = cumulative

    # Building -----------------------------------------------------------

    @classmethod
    def parse(cls, blob: bytes) -> Manifest:
        """Index ``blob``. ``BackendUnavailableError`` if it is not a manifest."""
        lines = _iter_lines(blob)
        try:
            _, header = next(lines)
        except StopIteration:
            raise _damaged("it is empty") from None
        if not isinstance(header, dict):
            raise _damaged("the first line is not a header object")
        dir_meta: list[tuple[str, dict[str, Any]]] = []
        offsets = array("Q")
        sizes: list[int] = []
        previous: list[str] | None = None
        ordered = True
        for offset, record in lines:
            if not isinstance(record, dict) or not isinstance(record.get("logical_key"), str):
                raise _damaged(f"the line at byte {offset} has no logical_key")
            if not record.get("physical_keys"):
                dir_meta.append((record["logical_key"], record.get("meta") or {}))
                continue
            current = split_key(record["logical_key"])
            if previous is not None and current <= previous:
                ordered = False
            previous = current
            offsets.append(offset)
            sizes.append(int(record.get("size") or 0))
        manifest = cls(blob, header, dir_meta, offsets, array("Q"))
        if not ordered:
            order = sorted(range(len(offsets)), key=manifest.split_at)
            offsets = array("Q", (offsets[i] for i in order))
            sizes = [sizes[i] for i in order]
            manifest._offsets = offsets
            for i in range(1, len(offsets)):
                if manifest.split_at(i) == manifest.split_at(i - 1):
                    raise _damaged(f"logical key {manifest.key_at(i)!r} appears twice")
        cumulative = array("Q", [0])
        running = 0
        for size in sizes:
            running += size
            cumulative.append(running)
        manifest._cumulative = cumulative
        return manifest

    # Header -------------------------------------------------------------

    @property
    def message(self) -> str | None:
        message = self.header.get("message")
        return message if isinstance(message, str) else None

    @property
    def user_meta(self) -> dict[str, Any]:
        meta = self.header.get("user_meta")
        return meta if isinstance(meta, dict) else {}

    @property
    def workflow(self) -> dict[str, Any] | None:
        workflow = self.header.get("workflow")
        return workflow if isinstance(workflow, dict) else None

    # Size ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._offsets)

    @property
    def total_bytes(self) -> int:
        return self._cumulative[-1]

    def bytes_between(self, lo: int, hi: int) -> int:
        """Total entry bytes of indexes ``lo..hi-1``."""
        return self._cumulative[hi] - self._cumulative[lo]

    @property
    def nbytes(self) -> int:
        """Approximate memory held, for cache accounting."""
        return len(self._blob) + self._offsets.itemsize * len(self._offsets) * 2 + 1024

    # Entries ------------------------------------------------------------

    def record_at(self, index: int) -> dict[str, Any]:
        start = self._offsets[index]
        end = self._blob.find(b"\n", start)
        return json.loads(self._blob[start : end if end >= 0 else len(self._blob)])

    def entry_at(self, index: int) -> ManifestEntry:
        return ManifestEntry.from_record(self.record_at(index))

    def key_at(self, index: int) -> str:
        return self.record_at(index)["logical_key"]

    def split_at(self, index: int) -> list[str]:
        return split_key(self.key_at(index))

    def entries(self, lo: int = 0, hi: int | None = None) -> Iterator[ManifestEntry]:
        """Entries ``lo..hi-1`` in walk order."""
        for index in range(lo, len(self) if hi is None else hi):
            yield self.entry_at(index)

    def find(self, logical_key: str) -> int | None:
        """The index of ``logical_key``, or ``None``."""
        target = split_key(logical_key)
        index = bisect_left(_Keys(self), target)
        return index if index < len(self) and self.split_at(index) == target else None

    def directory(self, segments: Sequence[str]) -> tuple[int, int]:
        """The index range of entries strictly below the directory ``segments`` (``[]``: everything)."""
        if not segments:
            return 0, len(self)
        depth = len(segments)
        keys = _Keys(self, depth)
        target = list(segments)
        lo = bisect_left(keys, target)
        hi = bisect_right(keys, target, lo)
        if lo < hi and len(self.split_at(lo)) == depth:
            lo += 1  # a file named like the directory is not below it
        return lo, hi

    def after(self, segments: Sequence[str], lo: int, hi: int) -> int:
        """The first index in ``lo..hi`` sorting after ``segments`` and everything below it."""
        return bisect_right(_Keys(self, len(segments)), list(segments), lo, hi)


class _Keys(Sequence[list[str]]):
    """A lazy sequence of entry sort keys (optionally cut to ``depth`` segments), for ``bisect``."""

    def __init__(self, manifest: Manifest, depth: int | None = None) -> None:
        self._manifest = manifest
        self._depth = depth

    def __len__(self) -> int:
        return len(self._manifest)

    def __getitem__(self, index):  # type: ignore[override]
        key = self._manifest.split_at(index)
        return key if self._depth is None else key[: self._depth]


def _iter_lines(blob: bytes) -> Iterator[tuple[int, Any]]:
    pos, size = 0, len(blob)
    while pos < size:
        end = blob.find(b"\n", pos)
        if end < 0:
            end = size
        line = blob[pos:end]
        if line.strip():
            try:
                yield pos, json.loads(line)
            except ValueError as err:
                raise _damaged(f"the line at byte {pos} is not JSON ({err})") from err
        pos = end + 1
