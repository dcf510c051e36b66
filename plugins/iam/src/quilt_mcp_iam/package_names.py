"""Package names in a registry, in name order, from as few listing calls as the layout allows.

Pointers are ``.quilt/named_packages/<ns>/<name>/<pointer>``. Names can be listed two ways:

- **recursively**: every pointer key, a page (1,000) per call, so one call covers
  a page's worth of pointers across packages and namespaces. A page ending inside
  a package's pointers is followed by a listing that starts past them.
- **delimited**: the ``<name>/`` prefixes of one namespace, a page of names per
  call but at least one call per namespace, plus a delimited listing of namespaces.

Where a call is a request (S3), the listing starts recursively and, from what it
has listed so far (pointers per package, packages per namespace), lists each
namespace's remaining names whichever way should take fewer calls. Both ways walk
the keys in order, so switching re-lists nothing. A prefix naming a namespace
(``team/da``) is listed delimited, which is never worse within one namespace, and
local directories always are: scanning a directory is cheap, walking a tree is not.

Key order is not name order: ``a-b/`` sorts before ``a/`` while ``a`` sorts before
``a-b`` ('-' is the one name character below '/'). Listed names wait in a heap
until no key still to come can hold a smaller name.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import deque
from collections.abc import Iterator

from quilt_mcp.names import PACKAGE_NAME_RE
from quilt_mcp_iam.storage import Listing, Storage

NAMED = ".quilt/named_packages/"
PAGE = 1000
"""Keys per listing call: S3's maximum."""
_NAME_RE = re.compile(r"^[\w-]+$")
_STEM_RE = re.compile(r"^[\w-]*$")


def past(directory: str) -> str:
    """A ``start_after`` key past every key below ``directory`` (ending in '/') and no other: '0' follows '/'."""
    return directory[:-1] + "0"


def has_package(storage: Storage, name: str) -> bool:
    """True if package ``name`` has any pointer (one small listing call)."""
    return bool(storage.list(f"{NAMED}{name}/", max_keys=1).objects)


class PackageNames(Iterator[str]):
    """The names starting with ``prefix`` that sort after ``after``, in name order, listed lazily.

    ``after`` is a package name, or what ``resume_after`` returned (a name and
    a trailing '/'): the listing then starts past that package's pointers.
    """

    def __init__(self, storage: Storage, prefix: str = "", after: str | None = None, *, page: int = PAGE) -> None:
        self.storage = storage
        self.prefix = prefix
        self.page = page
        ns, slash, name = prefix.partition("/")
        self._namespace = ns if slash else None
        self._valid = bool((_NAME_RE if slash else _STEM_RE).match(ns) and _STEM_RE.match(name))
        self.after = after.removesuffix("/") if after else None
        self._start = None if not after else past(NAMED + after) if after.endswith("/") else NAMED + after
        self._pos = self._start
        self._pending: list[str] = []
        self._probed: set[str] = set()  # names whose existence a probe settled (queued if they exist)
        self._bound_for: tuple[str, int] | None = None
        self._bound_value: str | None = None
        self._peeked: str | None = None
        self._frontier: str | None = None  # the name (or stray key) at the last key listed
        self._done = False  # every key has been listed
        self._namespaces: deque[str] = deque()
        self._namespaces_done = False
        # What has been listed: pointer keys and packages listed recursively, packages per namespace.
        self._keys = 0
        self._packages = 0
        self._ns: str | None = None
        self._ns_count = 0
        self._ns_whole = False
        self._sizes_sum = 0
        self._sizes_n = 0
        self._last_size = 0
        self._names = self._released()

    def __next__(self) -> str:
        if self._peeked is not None:
            name, self._peeked = self._peeked, None
            return name
        return next(self._names)

    def has_more(self) -> bool:
        """True if names remain. Looks ahead only on local storage; on remote storage a listing that
        stopped exactly at the end of a call may say True with nothing left (the next page is empty)."""
        if self._peeked is not None or self._pending:
            return True
        if self._done:
            return False
        if self.storage.remote:
            return True
        self._peeked = next(self._names, None)
        return self._peeked is not None

    def take(self, limit: int) -> list[str]:
        """Up to ``limit`` names. On remote storage fewer (but at least one) when the rest are listed
        already and only wait for another call to be placed in order: a page never calls just for that."""
        names: list[str] = []
        while len(names) < limit:
            if names and self.storage.remote and len(names) + len(self._pending) >= limit and not self._releasable():
                break
            name = next(self, None)
            if name is None:
                break
            names.append(name)
        return names

    def resume_after(self, name: str) -> str:
        """What to pass as ``after`` to continue after ``name``, the last name taken.

        ``name + '/'`` (start past its pointers) unless a name sorting after it
        but keyed before its pointers (``name-...``) is still waiting.
        """
        waiting = [*self._pending, *([self._peeked] if self._peeked else [])]
        return name if any(p.startswith(name + "-") for p in waiting) else name + "/"

    # Order ---------------------------------------------------------------

    def _released(self) -> Iterator[str]:
        blocked_by = None
        for listed in self._walk():
            for name in listed:
                if self._wanted(name):
                    heapq.heappush(self._pending, name)
            while True:
                while self._releasable():
                    yield heapq.heappop(self._pending)
                bound = self._bound()
                if not self._pending or bound is None or bound != blocked_by or len(self._pending) < self.page:
                    blocked_by = bound if self._pending else None
                    break
                # A page of names waits on ``bound``, and a whole call did not get past where it would
                # be listed (``a/x-1`` ... ``a/x-99999`` all wait on ``a/x``): ask for it directly.
                self._probe(bound)
        while self._pending:
            yield heapq.heappop(self._pending)

    def _wanted(self, name: str) -> bool:
        return (
            (self.after is None or name > self.after)
            and name not in self._probed
            and PACKAGE_NAME_RE.match(name) is not None
        )

    def _releasable(self) -> bool:
        """True if the smallest waiting name is the next one: no key still to come can hold a smaller one."""
        if not self._pending or self._frontier is None:
            return False
        if self._done:
            return True
        head, bound = self._pending[0], self._bound()
        return head <= self._frontier and (bound is None or head < bound)

    def _bound(self) -> str | None:
        """The smallest name a key after the frontier's can still hold, if below the frontier.

        A later key's name sorts after the frontier or is one of its prefixes
        ending before a character below '/' (the shortest is the smallest);
        prefixes already probed are known.
        """
        frontier = self._frontier or ""
        if self._bound_for != (frontier, len(self._probed)):
            self._bound_for, self._bound_value = (frontier, len(self._probed)), None
            slash = frontier.find("/")
            for index in range(max(slash + 2, len(self.prefix)) if slash >= 0 else len(frontier), len(frontier)):
                candidate = frontier[:index]
                if frontier[index] < "/" and (self.after is None or candidate > self.after):
                    if candidate not in self._probed:
                        self._bound_value = candidate
                        break
        return self._bound_value

    def _probe(self, name: str) -> None:
        """Find out with one small call whether package ``name`` exists, and queue it if it does."""
        wanted = self._wanted(name)
        self._probed.add(name)
        if has_package(self.storage, name) and wanted:
            heapq.heappush(self._pending, name)

    # Listing -------------------------------------------------------------

    def _walk(self) -> Iterator[list[str]]:
        """Batches of listed names (and stray entries' paths), one per call, in key order."""
        if not self._valid:
            self._done = True
            return
        if self._namespace is not None:
            yield from self._delimited(NAMED + self.prefix, final=True)
            return
        recursive = self.storage.remote
        ns = None if recursive else self._first_namespace()
        while True:
            if recursive:
                page = self.storage.list(NAMED + self.prefix, start_after=self._pos, max_keys=self.page)
                names = self._recursive_names(page)
                self._done = page.next_token is None
                yield names
                if self._done:
                    return
                self._pos = self._past_last(page)
                if self._ns is not None and self._delimited_pays(self._left_in_namespace()):
                    recursive, ns = False, self._ns
                continue
            if ns is None:
                self._done = True
                return
            yield from self._delimited(NAMED + ns + "/", final=False)
            self._close_namespace()
            self._pos = past(NAMED + ns + "/")
            ns = self._next_namespace()
            recursive = ns is not None and self.storage.remote and not self._delimited_pays(self._typical())

    def _recursive_names(self, page: Listing) -> list[str]:
        names: list[str] = []
        for obj in page.objects:
            parts = obj.key[len(NAMED) :].split("/", 2)
            if len(parts) < 3:
                continue
            self._keys += 1
            name = f"{parts[0]}/{parts[1]}"
            if not names or names[-1] != name:
                names.append(name)
                self._packages += 1
                self._see(name)
        if page.objects:
            self._frontier = "/".join(page.objects[-1].key[len(NAMED) :].split("/", 2)[:2])
        return names

    def _past_last(self, page: Listing) -> str:
        """Where to list on from: past the rest of the last key's package, or past a stray key."""
        key = page.objects[-1].key
        parts = key[len(NAMED) :].split("/", 2)
        return past(f"{NAMED}{parts[0]}/{parts[1]}/") if len(parts) == 3 else key

    def _delimited(self, directory: str, *, final: bool) -> Iterator[list[str]]:
        """Every ``name/`` prefix below ``directory`` from the current position; ``final``: nothing follows."""
        token = None
        while True:
            page = self.storage.list(directory, delimiter="/", start_after=self._pos, token=token, max_keys=self.page)
            names = [prefix[len(NAMED) : -1] for prefix in page.prefixes]
            for name in names:
                self._see(name)
            last = [names[-1]] if names else []
            last += [page.objects[-1].key[len(NAMED) :]] if page.objects else []
            if last:
                self._frontier = max(last)
            if final and page.next_token is None:
                self._done = True
            yield names
            if page.next_token is None:
                return
            token = page.next_token

    def _first_namespace(self) -> str | None:
        """The namespace to list first delimited: ``after``'s when the listing resumes inside it."""
        if self.after is not None:
            ns = self.after.partition("/")[0]
            if ns.startswith(self.prefix):
                return ns
        return self._next_namespace()

    def _next_namespace(self) -> str | None:
        """The first namespace past the current position (delimited listings of namespaces, kept for later)."""
        while True:
            while self._namespaces:
                ns = self._namespaces.popleft()
                if _NAME_RE.match(ns) and (self._pos is None or NAMED + ns + "/" > self._pos):
                    return ns
            if self._namespaces_done:
                return None
            page = self.storage.list(NAMED + self.prefix, delimiter="/", start_after=self._pos, max_keys=self.page)
            self._namespaces = deque(prefix[len(NAMED) : -1] for prefix in page.prefixes)
            self._namespaces_done = page.next_token is None

    # Cost estimates -------------------------------------------------------

    def _see(self, name: str) -> None:
        ns = name.partition("/")[0]
        if ns != self._ns:
            self._close_namespace()
            self._ns, self._ns_count = ns, 0
            self._ns_whole = self._start is None or NAMED + ns + "/" > self._start
        self._ns_count += 1

    def _close_namespace(self) -> None:
        if self._ns is None:
            return
        if self._ns_whole:
            self._sizes_sum += self._ns_count
            self._sizes_n += 1
        self._last_size = self._ns_count
        self._ns = None

    def _typical(self) -> float:
        """Packages in a namespace: the mean of those listed whole, else the last one's count."""
        return self._sizes_sum / self._sizes_n if self._sizes_n else self._last_size

    def _left_in_namespace(self) -> float:
        """Packages of the current namespace still to list: a typical namespace's rest, or as many again."""
        return max(self._typical(), 2 * self._ns_count) - self._ns_count

    def _delimited_pays(self, names: float) -> bool:
        """True if listing ``names`` names of one namespace delimited takes fewer calls than recursively."""
        per_package = self._keys / self._packages if self._packages else 1.0
        return names > 0 and math.ceil(names / self.page) < names * per_package / self.page
