"""``Storage`` on a local directory: the same keys as S3, as files below a root.

Writes go to a temporary file in the target directory and are moved into
place with ``os.replace``, so a reader never sees half a file. Conditional
writes hold an exclusive ``flock`` on the target's directory while they
compare and replace (POSIX; elsewhere they compare and replace unlocked).
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import stat
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from quilt_mcp.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from quilt_mcp_iam.storage import ConditionFailed, Listing, ObjectMeta, Storage, Tagged, StoredObject

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

TEMP_MARK = ".quilt-mcp-tmp-"
NAME_MAX = 255
"""The longest file name (bytes) common file systems (ext4, APFS, NTFS in UTF-16 units) store."""


def _tag(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def _fs_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except FileNotFoundError as err:
        raise NotFoundError(f"{path.as_uri()} does not exist.", "Check the path.") from err
    except IsADirectoryError as err:
        raise InvalidInputError(f"{path.as_uri()} is a directory, not a file.", "Name a file.") from err
    except PermissionError as err:
        raise PermissionDeniedError(f"No permission to access {path}.", "Check the file permissions.") from err


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    if fcntl is None:
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def within(real: Path, root: Path) -> bool:
    """Whether ``real``, a path with every symlink resolved, is inside ``root`` once ``root``'s are.

    A resolved path passes through no symlink, so when it lies lexically below ``root``, ``root`` is
    already a real directory and needs no resolving (one ``realpath`` saved on every read).
    """
    return real.is_relative_to(root) or real.is_relative_to(root.resolve())


class LocalStorage(Storage):
    """Files below ``root``; a key ``a/b`` is the file ``root/a/b``."""

    remote = False
    keeps_versions = False

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def uri(self) -> str:
        return self.root.as_uri()

    def path(self, key: str) -> Path:
        """The file for ``key``; ``InvalidInputError`` if the key would leave the root."""
        parts = [p for p in key.split("/") if p]
        if any(p in (".", "..") for p in parts):
            raise InvalidInputError(f"Invalid key {key!r}.", "Keys must not contain '.' or '..' segments.")
        if any(len(p.encode("utf-8", "surrogateescape")) > NAME_MAX for p in parts):
            raise InvalidInputError(
                f"Key {key[:60]!r}... has a segment longer than a file name may be ({NAME_MAX} bytes).",
                f"Use segments of at most {NAME_MAX} bytes in logical keys and paths for a local registry.",
            )
        return self.root.joinpath(*parts)

    def readable(self, key: str) -> Path:
        """``path(key)``, refused (``PermissionDeniedError``) when a symlink makes it lead outside the root."""
        path = self.path(key)
        if not within(path.resolve(), self.root):
            raise PermissionDeniedError(
                f"{path.as_uri()} is a symlink leading outside {self.uri}.",
                "Replace the link by the file itself.",
            )
        return path

    def physical_key(self, key: str, version_id: str | None = None) -> str:
        return self.path(key).as_uri()

    def read(self, key: str, *, version_id: str | None = None) -> bytes:
        path = self.readable(key)
        with _fs_errors(path):
            return path.read_bytes()

    def read_tagged(self, key: str) -> Tagged | None:
        try:
            data = self.read(key)
        except NotFoundError:
            return None
        return Tagged(data, _tag(data))

    def read_range(self, key: str, offset: int, length: int, *, version_id: str | None = None) -> tuple[bytes, int]:
        path = self.readable(key)
        with _fs_errors(path), path.open("rb") as fh:
            total = os.fstat(fh.fileno()).st_size
            if offset >= total or length <= 0:
                return b"", total
            fh.seek(offset)
            return fh.read(length), total

    def iter_chunks(self, key: str, *, version_id: str | None = None, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        path = self.readable(key)
        with _fs_errors(path), path.open("rb") as fh:
            while chunk := fh.read(chunk_size):
                yield chunk

    def head(self, key: str, *, version_id: str | None = None) -> ObjectMeta:
        path = self.path(key)
        with _fs_errors(path):
            st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise InvalidInputError(f"{path.as_uri()} is a directory, not a file.", "Name a file.")
        return ObjectMeta(
            key=key,
            size=st.st_size,
            last_modified=datetime.fromtimestamp(st.st_mtime, UTC),
            content_type=mimetypes.guess_type(path.name)[0],
        )

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def can_hold(self, key: str) -> bool:
        path = self.path(key)
        if path.is_dir():
            return False
        return not any(parent.exists() and not parent.is_dir() for parent in path.parents if self.root in parent.parents)

    def write(self, key: str, data: bytes, *, if_tag: str | None = None, if_absent: bool = False) -> StoredObject:
        return self.write_stream(key, [data], if_tag=if_tag, if_absent=if_absent)

    def write_stream(
        self, key: str, chunks: Iterable[bytes], *, if_tag: str | None = None, if_absent: bool = False
    ) -> StoredObject:
        """Like ``write``, from a stream of chunks (the bytes are staged before the condition is checked)."""
        path = self.path(key)
        with _fs_errors(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f"{TEMP_MARK}{uuid.uuid4().hex}")
            try:
                with temp.open("wb") as fh:
                    for chunk in chunks:
                        fh.write(chunk)
                with _locked(path.parent):
                    if if_absent and path.exists():
                        raise ConditionFailed(key)
                    if if_tag is not None:
                        current = self.read_tagged(key)
                        if current is None or current.tag != if_tag:
                            raise ConditionFailed(key)
                    os.replace(temp, path)
            finally:
                temp.unlink(missing_ok=True)
        return StoredObject()

    def copy_from(self, source: Storage, key: str, version_id: str | None, dest_key: str) -> StoredObject:
        return self.write_stream(dest_key, source.iter_chunks(key, version_id=version_id))

    def delete(self, key: str, *, if_tag: str | None = None) -> None:
        path = self.path(key)
        with _fs_errors(path):
            if if_tag is None:
                path.unlink(missing_ok=True)
            else:
                with _locked(path.parent):
                    current = self.read_tagged(key)
                    if current is None or current.tag != if_tag:
                        raise ConditionFailed(key)
                    path.unlink()
        self.prune(path.parent)

    def prune(self, directory: Path) -> None:
        """Remove ``directory`` and its parents while they are empty, up to the root."""
        while directory != self.root and self.root in directory.parents:
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent

    def list(
        self,
        prefix: str,
        *,
        delimiter: str | None = None,
        start_after: str | None = None,
        token: str | None = None,
        max_keys: int = 1000,
    ) -> Listing:
        after = token or start_after or ""
        base, _, stem = prefix.rpartition("/")
        directory = self.path(base) if base else self.root
        found: list[tuple[str, bool]] = []  # (key or prefix, is_prefix)
        for entry in _scan(directory):
            if not entry.name.startswith(stem):
                continue
            key = f"{base}/{entry.name}" if base else entry.name
            if not entry.is_dir():
                found.append((key, False))
            elif delimiter == "/":
                found.append((key + "/", True))
            else:
                found.extend((k, False) for k in _walk_keys(Path(entry.path), key))
        found.sort()
        found = [item for item in found if item[0] > after]
        page, more = found[:max_keys], len(found) > max_keys
        objects = [self.head(key) for key, is_prefix in page if not is_prefix]
        prefixes = [key for key, is_prefix in page if is_prefix]
        return Listing(objects, prefixes, next_token=page[-1][0] if more else None)

    def presign(self, key: str, *, version_id: str | None, expires_in: int) -> tuple[str, int | None]:
        path = self.path(key)
        if not path.is_file():
            raise NotFoundError(f"{path.as_uri()} does not exist.", "Check the path.")
        return path.as_uri(), None


def _scan(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as it:
            return [e for e in it if TEMP_MARK not in e.name]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _walk_keys(directory: Path, key: str) -> Iterator[str]:
    for entry in _scan(directory):
        child = f"{key}/{entry.name}"
        if entry.is_dir():
            yield from _walk_keys(Path(entry.path), child)
        else:
            yield child
