"""A Quilt registry's ``.quilt/`` layout on one ``Storage``: names, pointers, manifests.

Layout (quilt3's ``PackageRegistryV1``):

- ``.quilt/named_packages/<ns>/<name>/latest`` and ``/<unix seconds>``: pointer
  files holding a 64-hex top hash;
- ``.quilt/packages/<top hash>``: the manifest.

Writes go manifest, then ``latest``, then the timestamp pointer; ``latest`` is
written conditionally on being what the writer based its revision on (deleting
a revision moves it the same way), so exactly one of racing writers wins, losers
leave no pointer, and no failure leaves a pointer to a missing manifest. A crash
after ``latest`` moved leaves its revision without a timestamp pointer: listings
show it first anyway (``agree_with_latest``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from quilt_mcp.errors import ConflictError, InvalidInputError, NotFoundError
from quilt_mcp.kit.errors import conflict, package_not_found
from quilt_mcp.kit.revisions import agree_with_latest
from quilt_mcp.names import TOP_HASH_RE, validate_ref
from quilt_mcp_iam.cache import ManifestCache
from quilt_mcp_iam.manifest import BuiltManifest, Manifest
from quilt_mcp_iam.package_names import NAMED, PAGE, PackageNames, has_package
from quilt_mcp_iam.storage import ConditionFailed, Storage, Tagged

PACKAGES = ".quilt/packages/"
WORKFLOW_CONFIG = ".quilt/workflows/config.yml"
LATEST = "latest"
HEADER_PROBE = 64 * 1024
PARALLEL_READS = 16

T = TypeVar("T")
R = TypeVar("R")


def pointer_time(pointer: str) -> datetime:
    """The UTC time a timestamp pointer's name (unix seconds) stands for."""
    return datetime.fromtimestamp(int(pointer), UTC)


def newest_first(pointers: Iterable[str]) -> list[str]:
    """The timestamp pointers among ``pointers`` (``latest`` is not one), newest first."""
    return sorted((p for p in pointers if p.isdigit()), key=int, reverse=True)


def _pointer_value(tagged: Tagged | None) -> str | None:
    """The top hash a pointer's bytes hold, or ``None``."""
    if tagged is None:
        return None
    value = tagged.data.decode("utf-8", "replace").strip()
    return value if TOP_HASH_RE.match(value) else None


def parallel_map(fn: Callable[[T], R], items: Sequence[T], *, remote: bool = True) -> list[R]:
    """``[fn(item) for item in items]``, run in up to ``PARALLEL_READS`` threads when each call is a
    request (``remote``) and there is more than one; in order either way."""
    if len(items) <= 1 or not remote:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(min(PARALLEL_READS, len(items))) as pool:
        return list(pool.map(fn, items))


class Registry:
    """Read and write packages in one registry (``uri``) stored on ``storage``."""

    def __init__(self, uri: str, storage: Storage, cache: ManifestCache, *, list_page: int = PAGE) -> None:
        self.uri = uri
        self.storage = storage
        self.cache = cache
        self.list_page = list_page

    # Keys ---------------------------------------------------------------

    @staticmethod
    def pointer_key(name: str, pointer: str) -> str:
        return f"{NAMED}{name}/{pointer}"

    @staticmethod
    def manifest_key(top_hash: str) -> str:
        return f"{PACKAGES}{top_hash}"

    # Package names ------------------------------------------------------

    def iter_names(self, prefix: str = "", after: str | None = None) -> PackageNames:
        """Package names starting with ``prefix`` and sorting after ``after``, in name order, listed
        lazily with as few calls as the layout allows (see ``package_names``)."""
        return PackageNames(self.storage, prefix, after, page=self.list_page)

    def exists(self, name: str) -> bool:
        """True if the package has any pointer."""
        return has_package(self.storage, name)

    # Pointers -----------------------------------------------------------

    def pointer_names(self, name: str) -> list[str]:
        """Every pointer of ``name`` (``latest`` and timestamps)."""
        base = f"{NAMED}{name}/"
        return [
            obj.key[len(base) :]
            for page in self.storage.iter_all(base)
            for obj in page.objects
            if "/" not in obj.key[len(base) :]
        ]

    def timestamps(self, name: str) -> list[str]:
        """Timestamp pointers of ``name``, newest first."""
        return newest_first(self.pointer_names(name))

    def read_pointer(self, name: str, pointer: str) -> str | None:
        """The top hash a pointer holds, or ``None`` if it is absent or not a hash."""
        return _pointer_value(self.storage.read_tagged(self.pointer_key(name, pointer)))

    def read_pointers(self, name: str, pointers: Sequence[str]) -> dict[str, str]:
        """``pointer -> top hash`` for those of ``pointers`` that hold one (read in parallel from remote storage)."""
        values = parallel_map(lambda p: self.read_pointer(name, p), pointers, remote=self.storage.remote)
        return {p: v for p, v in zip(pointers, values, strict=True) if v is not None}

    def latest(self, name: str) -> str | None:
        return self.read_pointer(name, LATEST)

    def timestamp_of(self, name: str, top_hash: str) -> datetime | None:
        """When ``top_hash`` was last pushed as ``name`` (its newest timestamp pointer), if it was."""
        stamps = self.timestamps(name)
        for start in range(0, len(stamps), PARALLEL_READS):
            batch = stamps[start : start + PARALLEL_READS]
            found = self.read_pointers(name, batch)
            for pointer in batch:
                if found.get(pointer) == top_hash:
                    return pointer_time(pointer)
        return None

    def agree_with_latest(self, name: str, newest: list[tuple[datetime, str]]) -> list[tuple[datetime, str]]:
        """``newest`` (the first revisions listed) as the kit's ``agree_with_latest`` repairs it."""
        return agree_with_latest(newest, self.latest(name), self._manifest_time)

    def _manifest_time(self, top_hash: str) -> datetime | None:
        try:
            return self.storage.head(self.manifest_key(top_hash)).last_modified
        except NotFoundError:
            return None

    # Revisions ----------------------------------------------------------

    def resolve(self, name: str, ref: str) -> str:
        """The full top hash ``ref`` names in package ``name``."""
        ref = validate_ref(ref)
        if ref == LATEST:
            found = self.latest(name)
            if found is None:
                raise self.not_found(name)
            return found
        if len(ref) == 64:
            # As quilt3: a full hash names a manifest of the registry, whatever the package name.
            if self.cache.peek(self.uri, ref) is None and not self.storage.exists(self.manifest_key(ref)):
                raise self.no_revision(name, ref)
            return ref
        if not self.exists(name):
            raise self.not_found(name)
        # A prefix names one of this package's revisions only (another package's must not resolve here).
        pointers = self.read_pointers(name, self.pointer_names(name))
        matches = sorted({top_hash for top_hash in pointers.values() if top_hash.startswith(ref)})
        if not matches:
            raise NotFoundError(
                f"No revision of {name} in {self.uri} starts with {ref!r}.", "List the revisions to see valid hashes."
            )
        if len(matches) > 1:
            raise InvalidInputError(
                f"Hash prefix {ref!r} matches several revisions of {name} in {self.uri}.",
                "Give more characters of the hash.",
            )
        return matches[0]

    def revision(self, name: str, ref: str) -> tuple[str, Manifest]:
        """The full top hash ``ref`` names in package ``name``, and its manifest.

        A full hash is read at once (no check first): from the cache, or one GET.
        """
        if len(validate_ref(ref)) == 64:
            return ref, self.manifest(ref, missing=self.no_revision(name, ref))
        top_hash = self.resolve(name, ref)
        return top_hash, self.manifest(top_hash)

    def no_revision(self, name: str, top_hash: str) -> NotFoundError:
        return NotFoundError(
            f"Revision {top_hash} of {name} does not exist in {self.uri}.", "List the revisions to see valid hashes."
        )

    def not_found(self, name: str) -> NotFoundError:
        return package_not_found(name, self.uri)

    def manifest(self, top_hash: str, *, missing: NotFoundError | None = None) -> Manifest:
        """The parsed manifest of ``top_hash`` (cached); ``missing`` (or a ``NotFoundError``) if it is absent."""

        def load() -> Manifest:
            try:
                return Manifest.parse(self.storage.read(self.manifest_key(top_hash)))
            except NotFoundError:
                raise missing or NotFoundError(
                    f"The manifest of revision {top_hash} is missing from {self.uri}.",
                    "List the revisions to see valid hashes.",
                ) from None

        return self.cache.get(self.uri, top_hash, load)

    def header(self, top_hash: str) -> dict[str, Any]:
        """Only the header of a manifest: the cached one, or its first line."""
        cached = self.cache.peek(self.uri, top_hash)
        if cached is not None:
            return cached.header
        key = self.manifest_key(top_hash)
        data, total = self.storage.read_range(key, 0, HEADER_PROBE)
        if b"\n" not in data and len(data) < total:
            data = self.storage.read(key)
        return Manifest.parse(data.split(b"\n", 1)[0]).header

    # Writes -------------------------------------------------------------

    def has_workflows(self) -> bool:
        return self.storage.exists(WORKFLOW_CONFIG)

    def push(self, name: str, written: BuiltManifest, *, expected: str | None, force: bool) -> tuple[datetime, str | None]:
        """Make ``written`` the latest revision of ``name``; return its timestamp and the previous latest.

        Unless ``force``, ``latest`` must be ``expected`` (absent when ``None``) before and when
        ``latest`` is written (a conditional write): otherwise ``ConflictError`` and nothing is in view.
        The timestamp pointer is named (unix seconds, as quilt3) before ``latest`` moves and written
        after, so losers never leave one and racing winners' names follow the order of their wins.
        """
        latest_key = self.pointer_key(name, LATEST)
        current = self.storage.read_tagged(latest_key)
        current_hash = _pointer_value(current)
        if not force and current_hash != expected:
            raise self.conflict(name, expected, current_hash)
        self.storage.write(self.manifest_key(written.top_hash), written.data)
        self.move_latest(name, written.top_hash, current, expected=expected, force=force)
        return self._write_timestamp(name, written.top_hash), current_hash

    def move_latest(
        self, name: str, top_hash: str | None, current: Tagged | None, *, expected: str | None, force: bool = False
    ) -> None:
        """Point ``latest`` at ``top_hash`` (remove it for ``None``) if it is still ``current``; else ``ConflictError``."""
        latest_key = self.pointer_key(name, LATEST)
        try:
            if top_hash is None:
                if current is not None:
                    self.storage.delete(latest_key, if_tag=current.tag)
            elif force:
                self.storage.write(latest_key, top_hash.encode())
            elif current is None:
                self.storage.write(latest_key, top_hash.encode(), if_absent=True)
            else:
                self.storage.write(latest_key, top_hash.encode(), if_tag=current.tag)
        except ConditionFailed:
            raise self.conflict(name, expected, self.latest(name)) from None

    def _write_timestamp(self, name: str, top_hash: str) -> datetime:
        """Write a timestamp pointer for ``top_hash``, now ``latest``, and return its time.

        Pointers are named by unix seconds, as quilt3 names them, never ahead of the clock and never
        over another revision's pointer: when this second already holds one, the write waits for the
        next second (listings show ``latest`` first meanwhile). A revision superseded while it waits
        keeps no pointer (it stays readable by hash), so pointer order always follows ``latest``'s moves.
        """
        body = top_hash.encode()
        while True:
            pointer = str(int(time.time()))
            try:
                self.storage.write(self.pointer_key(name, pointer), body, if_absent=True)
                return pointer_time(pointer)
            except ConditionFailed:
                if self.read_pointer(name, pointer) == top_hash or self.latest(name) != top_hash:
                    return pointer_time(pointer)
            time.sleep(1 - time.time() % 1)

    def conflict(self, name: str, expected: str | None, found: str | None) -> ConflictError:
        return conflict(name, self.uri, expected, found)

    def delete_revision(self, name: str, top_hash: str) -> tuple[list[tuple[datetime, str]], str | None]:
        """Remove every pointer to ``top_hash``; re-point ``latest`` to the newest remaining one as quilt3 does.

        ``latest`` moves first, with a conditional write like every push (a push that moved it
        since it was read makes this a ``ConflictError`` with nothing removed); then the old
        pointers go. Returns the deleted timestamp revisions and where ``latest`` now points.
        """
        current = self.storage.read_tagged(self.pointer_key(name, LATEST))
        pointers = self.read_pointers(name, self.pointer_names(name))
        if not pointers:
            raise self.not_found(name)
        latest = _pointer_value(current)
        if latest is not None:
            pointers[LATEST] = latest
        deleted = [p for p, h in pointers.items() if h == top_hash]
        if not deleted:
            raise NotFoundError(
                f"Revision {top_hash} is not a revision of {name}.", "List the revisions of the package."
            )
        if latest == top_hash:
            remaining = [p for p, h in pointers.items() if h != top_hash and p.isdigit()]
            latest = pointers[max(remaining, key=int)] if remaining else None
            self.move_latest(name, latest, current, expected=top_hash)
        for pointer in deleted:
            if pointer != LATEST:
                self.storage.delete(self.pointer_key(name, pointer))
        return [(pointer_time(p), top_hash) for p in newest_first(deleted)], latest

    def delete_package(self, name: str) -> list[tuple[datetime, str]]:
        """Remove every pointer of ``name`` (``latest`` last, so a crash midway leaves a package that
        still resolves, never one that is listed but does not exist); manifests and data stay.

        Returns the deleted timestamp revisions that held a hash, newest first.
        """
        names = self.pointer_names(name)
        if not names:
            raise self.not_found(name)
        stamps = newest_first(names)
        hashes = self.read_pointers(name, stamps)
        for pointer in names:
            if pointer != LATEST:
                self.storage.delete(self.pointer_key(name, pointer))
        if LATEST in names:
            self.storage.delete(self.pointer_key(name, LATEST))
        return [(pointer_time(p), hashes[p]) for p in stamps if p in hashes]
