"""A size-bounded LRU of parsed manifests.

A manifest is immutable (its name is the hash of its content), so a cached
one never goes stale; the bound only keeps memory in check.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from quilt_mcp_iam.manifest import Manifest

DEFAULT_CACHE_BYTES = 256 * 1024 * 1024


class ManifestCache:
    """Parsed manifests by ``(registry, top_hash)``, evicting the least recently used past ``max_bytes``.

    A manifest larger than the whole bound is returned but not kept.
    """

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, str], Manifest] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, registry: str, top_hash: str, load: Callable[[], Manifest]) -> Manifest:
        """The cached manifest, or ``load()``'s result (cached if it fits)."""
        key = (registry, top_hash)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        manifest = load()
        with self._lock:
            if key not in self._items and manifest.nbytes <= self.max_bytes:
                self._items[key] = manifest
                self._bytes += manifest.nbytes
                while self._bytes > self.max_bytes:
                    _, evicted = self._items.popitem(last=False)
                    self._bytes -= evicted.nbytes
        return manifest

    def peek(self, registry: str, top_hash: str) -> Manifest | None:
        """The cached manifest, if it is cached (without loading or reordering)."""
        with self._lock:
            return self._items.get((registry, top_hash))

    @property
    def size_bytes(self) -> int:
        """Bytes currently held."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)
