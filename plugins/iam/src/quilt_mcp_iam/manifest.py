"""Quilt manifests: a compact, immutable index for reading, and quilt3-identical writing.

A manifest is JSON lines: a header, optional directory-metadata lines
(``{"logical_key": "dir/", "meta": ...}``), then one line per entry. Entries
are kept in the order of ``logical_key.split('/')`` — the order quilt3 walks
a package — so every directory is one contiguous range. That order is the
string order of ``sort_key`` (the key with ``/`` as the lowest character).

``Manifest`` holds the raw bytes plus an array of line offsets (in that order)
and running byte totals: a few bytes per entry beyond the manifest itself, a
fraction of a parsed tree. Lines are parsed only when they are looked at, and
lookups are binary searches.
"""

from __future__ import annotations

import hashlib
import json
import json.scanner
import os
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from quilt_mcp.errors import DamagedManifestError, InvalidInputError
from quilt_mcp.models import Entry, EntryHash

MANIFEST_VERSION = "v0"
MAX_RECORD_SIZE = int(os.environ.get("QUILT_MANIFEST_MAX_RECORD_SIZE", "0") or 0) or 1_000_000
"""quilt3's limit on one manifest line (``QUILT_MANIFEST_MAX_RECORD_SIZE``, default 1,000,000 bytes)."""

_decoder = json.JSONDecoder()
_decode_json = _decoder.decode
_scan_value = json.scanner.make_scanner(_decoder)
_encode_line = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_encode_for_hash = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


SEP = "\x00"
"""``/`` in a sort key: below every other character, so string order is segment order."""
_AFTER_SEP = "\x01"


def sort_key(logical_key: str) -> str:
    """A string whose order is the order of ``logical_key.split('/')`` (quilt3's walk order).

    Segments hold no ``/``, so mapping ``/`` to the lowest character makes
    ``a/b`` < ``a-b`` just as ``['a', 'b']`` < ``['a-b']``.
    """
    return logical_key.replace("/", SEP)


def below(directory: str) -> tuple[str, str]:
    """Sort keys bounding everything below ``directory`` (``a/b``): ``[lower, upper)``."""
    base = sort_key(directory)
    return base + SEP, base + _AFTER_SEP


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


def check_sequence(before: str, after: str) -> None:
    """``InvalidInputError`` unless logical key ``after`` may follow ``before`` in a manifest.

    It must sort after it, and ``before`` must not be a directory of it
    (quilt3 cannot hold a file and a directory of the same name).
    """
    if sort_key(after) <= sort_key(before):
        raise InvalidInputError(f"Logical key {after!r} is given more than once.", "Give each logical key once.")
    if after.startswith(before + "/"):
        raise InvalidInputError(
            f"Logical key {before!r} is a file and also a directory of {after!r}.", "Rename or remove one of them."
        )


@dataclass(frozen=True)
class BuiltManifest:
    """A serialized manifest and what it holds."""

    data: bytes
    top_hash: str
    entry_count: int
    total_bytes: int


def serialize(
    header: dict[str, Any], dir_meta: Sequence[tuple[str, dict[str, Any]]], entries: Iterable[ManifestEntry]
) -> BuiltManifest:
    """Write a manifest exactly as quilt3's ``Package.dump`` does, and compute its top hash.

    ``entries`` must be in walk order with unique logical keys, none of them
    also a directory of another (``InvalidInputError`` otherwise). ``dir_meta`` lines are written in walk order.
    """
    header = hash_header(header)
    parts = [encode_record(header)]
    for key, meta in sorted(dir_meta, key=lambda item: sort_key(item[0].rstrip("/"))):
        if meta:
            parts.append(encode_record({"logical_key": key, "meta": meta}))
    digest = hashlib.sha256(_encode_for_hash(header).encode())
    count = total = 0
    previous: ManifestEntry | None = None
    for entry in entries:
        if previous is not None:
            check_sequence(previous.logical_key, entry.logical_key)
        previous = entry
        parts.append(encode_record(entry.record()))
        digest.update(_encode_for_hash(entry.hash_part()).encode())
        count += 1
        total += entry.size
    return BuiltManifest(b"".join(parts), digest.hexdigest(), count, total)


def _damaged(detail: str) -> DamagedManifestError:
    return DamagedManifestError(
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
        previous: str | None = None
        ordered = True
        for offset, record in lines:
            if not isinstance(record, dict) or not isinstance(record.get("logical_key"), str):
                raise _damaged(f"the line at byte {offset} has no logical_key")
            if record["logical_key"].endswith("/"):  # a directory's metadata, as quilt3 writes it
                dir_meta.append((record["logical_key"], record.get("meta") or {}))
                continue
            if not record.get("physical_keys"):
                raise _damaged(f"the entry {record['logical_key']!r} at byte {offset} has no physical_keys")
            current = sort_key(record["logical_key"])
            if previous is not None and current <= previous:
                ordered = False
            previous = current
            offsets.append(offset)
            sizes.append(int(record.get("size") or 0))
        manifest = cls(blob, header, dir_meta, offsets, array("Q"))
        if not ordered:
            order = sorted(range(len(offsets)), key=manifest.sort_key_at)
            offsets = array("Q", (offsets[i] for i in order))
            sizes = [sizes[i] for i in order]
            manifest._offsets = offsets
            for i in range(1, len(offsets)):
                if manifest.sort_key_at(i) == manifest.sort_key_at(i - 1):
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

    def line_at(self, index: int) -> bytes:
        """The raw manifest line of entry ``index`` (without its newline)."""
        start = self._offsets[index]
        end = self._blob.find(b"\n", start)
        return self._blob[start : end if end >= 0 else len(self._blob)]

    def record_at(self, index: int) -> dict[str, Any]:
        return _decode_json(self.line_at(index).decode("utf-8"))

    def records(self, lo: int, hi: int) -> list[dict[str, Any]]:
        """The decoded lines of entries ``lo..hi-1``, in walk order.

        One JSON decode of the lines joined into an array: about half the CPU
        of decoding them one by one.
        """
        if hi <= lo:
            return []
        return _decode_json("[" + b",".join(map(self.line_at, range(lo, hi))).decode("utf-8") + "]")

    def entry_at(self, index: int) -> ManifestEntry:
        return ManifestEntry.from_record(self.record_at(index))

    def key_at(self, index: int) -> str:
        return self.record_at(index)["logical_key"]

    def sort_key_at(self, index: int) -> str:
        return sort_key(self.key_at(index))

    def entries(self, lo: int = 0, hi: int | None = None) -> Iterator[ManifestEntry]:
        """Entries ``lo..hi-1`` in walk order."""
        for index in range(lo, len(self) if hi is None else hi):
            yield self.entry_at(index)

    def find(self, logical_key: str) -> int | None:
        """The index of ``logical_key``, or ``None``."""
        target = sort_key(logical_key)
        index = bisect_left(_SortKeys(self), target)
        return index if index < len(self) and self.sort_key_at(index) == target else None

    def directory(self, path: str) -> tuple[int, int]:
        """The index range of entries strictly below directory ``path`` (``a/b``; ``""``: everything)."""
        if not path:
            return 0, len(self)
        lower, upper = below(path)
        keys = _SortKeys(self)
        lo = bisect_left(keys, lower)
        return lo, bisect_left(keys, upper, lo)

    def after(self, path: str, lo: int, hi: int) -> int:
        """The first index in ``lo..hi`` sorting after ``path`` and everything below it."""
        return bisect_left(_SortKeys(self), below(path)[1], lo, hi)


class _SortKeys(Sequence[str]):
    """The entries' sort keys as a lazy sequence, for ``bisect``."""

    def __init__(self, manifest: Manifest) -> None:
        self._manifest = manifest

    def __len__(self) -> int:
        return len(self._manifest)

    def __getitem__(self, index):  # type: ignore[override]
        return self._manifest.sort_key_at(index)


def _iter_lines(blob: bytes) -> Iterator[tuple[int, Any]]:
    pos, size = 0, len(blob)
    while pos < size:
        end = blob.find(b"\n", pos)
        if end < 0:
            end = size
        line = blob[pos:end]
        if line.strip():
            try:
                yield pos, _decode_line(line.decode("utf-8"))
            except ValueError as err:
                raise _damaged(f"the line at byte {pos} is not JSON ({err})") from err
        pos = end + 1


def _decode_line(text: str) -> Any:
    """``json.loads(text)``, a third faster for a line that is exactly one JSON value.

    The decoder's scanner reads the value; a line it does not end exactly on
    (surrounding whitespace, extra data, not JSON at all) is decoded again in
    full, so it yields what the decoder yields and fails where it fails.
    """
    try:
        value, end = _scan_value(text, 0)
    except (StopIteration, ValueError):
        return _decode_json(text)
    return value if end == len(text) else _decode_json(text)
