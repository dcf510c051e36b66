"""The work each scale benchmark does, once with quilt3 and once with the iam backend.

A backend splits the operations into ``Session``s, each measured in a fresh
process, and each session into timed ``Step``s. A step returns
``(summary, held)``: ``summary`` is a small JSON value that must be equal for
both backends (proof that they did the same work), ``held`` is what a caller
keeps (a quilt3 ``Package``, an iam page) and stays alive while retained
memory is read.

The iam backend (``ServerOps``) gets a session per operation, on a fresh backend (empty
manifest cache), and answers it in one step. quilt3 answers every read of the
big package from a loaded ``Package``, as a quilt3 user would: one session
whose steps are "load the latest revision" (``Package.browse``), each read on
it, "load the first revision", and the diff. An operation costs the steps it
needs (``Step.ops``): browsing the root costs the load plus the listing, the
diff both loads plus the diff. Both backends diff the first revision against
``latest``, so both read the ``latest`` pointer. Listings get a session each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PAGE = 100
"""Page size of a browse listing (the QuiltOps default)."""

READS = ("browse_root", "browse_nested", "browse_recursive", "entry_info")
"""Operations on the latest revision of the big package."""
DIFF = "diff"
LISTINGS = ("list_packages", "list_revisions")
OPERATIONS = (*READS, DIFF, *LISTINGS)
"""Operations measured for both backends, in report order."""

Result = tuple[Any, Any]


@dataclass(frozen=True)
class Target:
    """What the operations work on: the big package (``name``) and the package with many
    revisions (``history``) in ``registry``, and the registry of many packages."""

    registry: str
    many_registry: str = ""
    name: str = ""
    history: str = ""
    before: str = ""
    after: str = ""
    nested_dir: str = ""
    lookup_key: str = ""
    manifest_path: str = ""


@dataclass(frozen=True)
class Step:
    """One timed call; its cost counts toward each operation in ``ops``."""

    name: str
    run: Callable[[], Result]
    ops: tuple[str, ...]


@dataclass(frozen=True)
class Session:
    """Steps measured in one fresh process from one baseline: ``prepare`` (untimed), then
    fresh ``steps()`` once per phase. Listings cache nothing and run cold only."""

    prepare: Callable[[], None]
    steps: Callable[[], list[Step]]
    phases: tuple[str, ...] = ("cold", "warm")


def listing_session(prepare: Callable[[], None], op: str, run: Callable[[], Result]) -> Session:
    """A session of one listing, measured cold."""
    return Session(prepare, lambda: [Step(op, run, (op,))], ("cold",))


class Quilt3Ops:
    """The operations done with the quilt3 library, as a quilt3 user would."""

    def __init__(self, prime_registry: str) -> None:
        import quilt3

        self.quilt3 = quilt3
        self.prime_registry = prime_registry

    def prime(self) -> None:
        """Create quilt3's S3 clients without touching the measured package or registry."""
        list(self.quilt3.list_packages(self.prime_registry))

    def sessions(self, t: Target) -> list[Session]:
        """The big package's reads and diff in one session, sharing its loads; each listing alone."""
        big = Session(self.prime, lambda: self.steps(t))
        return [big, *(listing_session(self.prime, op, lambda op=op: getattr(self, op)(t)) for op in LISTINGS)]

    def steps(self, t: Target) -> list[Step]:
        """Load the latest revision, answer each read from it, load the first revision, diff."""
        loaded: dict[str, Any] = {}

        def load(which: str, top_hash: str | None) -> Callable[[], Result]:
            def run() -> Result:
                loaded[which] = self.quilt3.Package.browse(t.name, registry=t.registry, top_hash=top_hash)
                return None, loaded[which]

            return run

        def on_latest(op: Callable[[Any, Target], Any]) -> Callable[[], Result]:
            return lambda: (op(loaded["latest"], t), None)

        return [
            Step("load latest", load("latest", None), (*READS, DIFF)),
            *(Step(op, on_latest(getattr(self, op)), (op,)) for op in READS),
            Step("load before", load("before", t.before), (DIFF,)),
            Step(DIFF, lambda: (self.diff(loaded["before"], loaded["latest"]), None), (DIFF,)),
        ]

    def _level(self, node: Any, prefix: str) -> list[str]:
        paths = [
            f"{prefix}{key}/" if isinstance(node[key], self.quilt3.Package) else f"{prefix}{key}" for key in node.keys()
        ]
        return sorted(paths)[:PAGE]

    def browse_root(self, pkg: Any, t: Target) -> list[str]:
        return self._level(pkg, "")

    def browse_nested(self, pkg: Any, t: Target) -> list[str]:
        return self._level(pkg[t.nested_dir.rstrip("/")], t.nested_dir)

    def browse_recursive(self, pkg: Any, t: Target) -> list[str]:
        page = []
        for key, _entry in pkg.walk():
            page.append(key)
            if len(page) == PAGE:
                break
        return page

    def entry_info(self, pkg: Any, t: Target) -> list[Any]:
        entry = pkg[t.lookup_key]
        return [t.lookup_key, entry.size, entry.hash["value"]]

    def diff(self, before: Any, after: Any) -> list[int]:
        added, modified, deleted = before.diff(after)
        return [len(added), len(deleted), len(modified)]

    def list_packages(self, t: Target) -> Result:
        names = list(self.quilt3.list_packages(t.many_registry))
        return [len(names), min(names), max(names)], names

    def list_revisions(self, t: Target) -> Result:
        pointers = [p for p in self.quilt3.list_package_versions(t.history, registry=t.registry) if p[0] != "latest"]
        return [len(pointers), max(pointers)[1]], pointers

    def verify(self, t: Target) -> list[Any]:
        """The top hash quilt3 computes for the latest revision, and its entry count."""
        latest = self.quilt3.Package.browse(t.name, registry=t.registry)
        return [latest.top_hash, len(list(latest.walk()))]


def opener(backend: str) -> Callable[[], Any]:
    """A function opening a new ``QuiltOps`` of ``backend`` as the server does (plugin discovery, detection
    from the environment, selection), with every other plugin disabled."""
    from quilt_mcp.auth import AuthContext
    from quilt_mcp.plugins import PluginHost
    from quilt_mcp.selection import select_backend
    from quilt_mcp.settings import Settings

    settings = Settings(backend=backend)
    host = PluginHost.discover(settings)
    others = frozenset(host.names()) - {backend}
    if others:
        settings = Settings(backend=backend, disabled_plugins=others)
        host = PluginHost.discover(settings)
    context = AuthContext.from_environment(settings=settings)
    candidate = select_backend(host, context).chosen
    return lambda: host.open(candidate, context)


class ServerOps:
    """The same operations through a backend's ``QuiltOps`` (iam by default; platform too), opened as the
    server opens it."""

    def __init__(self, prime_registry: str, backend: str = "iam") -> None:
        from quilt_mcp.ops import MAX_PAGE

        self.backend = backend
        self._open = opener(backend)
        self.ops = self._open()
        self.prime_registry = prime_registry
        self.max_page = MAX_PAGE

    def fresh(self) -> None:
        """A new backend (empty manifest cache) with its clients (S3; for platform also the catalog's
        credentials and schema version) made on a registry not measured."""
        self.ops = self._open()
        self.ops.list_packages(self.prime_registry, limit=1)

    def sessions(self, t: Target) -> list[Session]:
        """One session per operation, each on a fresh backend, so its first call is cold (empty cache)."""

        def steps(op: str) -> Callable[[], list[Step]]:
            return lambda: [Step(op, lambda: getattr(self, op)(t), (op,))]

        reads = [Session(self.fresh, steps(op)) for op in (*READS, DIFF)]
        return reads + [listing_session(self.fresh, op, lambda op=op: getattr(self, op)(t)) for op in LISTINGS]

    def _paths(self, page: Any) -> list[str]:
        return [item.path for item in page.items]

    def browse_root(self, t: Target) -> Result:
        page = self.ops.browse(t.registry, t.name, limit=PAGE)
        return self._paths(page), page

    def browse_nested(self, t: Target) -> Result:
        page = self.ops.browse(t.registry, t.name, path=t.nested_dir, limit=PAGE)
        return self._paths(page), page

    def browse_recursive(self, t: Target) -> Result:
        page = self.ops.browse(t.registry, t.name, recursive=True, limit=PAGE)
        return self._paths(page), page

    def entry_info(self, t: Target) -> Result:
        entry = self.ops.entry_info(t.registry, t.name, t.lookup_key)
        return [entry.logical_key, entry.size, entry.hash.value], entry

    def diff(self, t: Target) -> Result:
        diff = self.ops.diff(t.registry, t.name, t.before, "latest", limit=self.max_page)
        return [diff.added_count, diff.removed_count, diff.changed_count], diff

    def _all(self, fetch: Callable[[str | None], Any]) -> list[Any]:
        items: list[Any] = []
        cursor = None
        while True:
            page = fetch(cursor)
            items.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                return items

    def list_packages(self, t: Target) -> Result:
        names = [
            s.name for s in self._all(lambda c: self.ops.list_packages(t.many_registry, cursor=c, limit=self.max_page))
        ]
        return [len(names), min(names), max(names)], names

    def list_revisions(self, t: Target) -> Result:
        revisions = self._all(lambda c: self.ops.list_revisions(t.registry, t.history, cursor=c, limit=self.max_page))
        return [len(revisions), revisions[0].top_hash], revisions

    def verify(self, t: Target) -> list[Any]:
        """The latest revision's top hash as the backend resolves it, and its entry count."""
        latest = self.ops.package_info(t.registry, t.name)
        return [latest.top_hash, latest.entry_count]


class TreeOps:
    """The baseline for the memory bound: every manifest entry held as a parsed Python dict."""

    def __init__(self, prime_registry: str) -> None:
        """Nothing to prime: the tree is read from a local file."""

    def sessions(self, t: Target) -> list[Session]:
        return [listing_session(lambda: None, "full_tree", lambda: self.full_tree(t))]

    def full_tree(self, t: Target) -> Result:
        import json

        with open(t.manifest_path, encoding="utf-8") as lines:
            entries = [json.loads(line) for line in lines]
        return [len(entries) - 1], entries


BACKENDS: dict[str, Callable[[str], Any]] = {"quilt3": Quilt3Ops, "iam": ServerOps, "tree": TreeOps}
