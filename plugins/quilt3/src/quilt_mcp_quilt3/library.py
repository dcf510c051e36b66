"""The one door to the quilt3 library: a lazy import and the list of what this plugin uses.

quilt3 takes about a second to import, so nothing in this plugin imports it at
module level; ``load_quilt3()`` does, the first time a backend is detected as
logged in or opened. ``QUILT3_ATTRIBUTES`` names every quilt3 attribute the
backend touches (module functions, classes, and the methods it calls on quilt3
objects). ``load_quilt3`` checks them all, so an incompatible quilt3 is reported
as one clear error instead of an ``AttributeError`` in the middle of a push, and
the test suite checks the same list against the installed quilt3.
``QUILT3_TEST_ATTRIBUTES`` are the private helpers only the test support
(``quilt_mcp_quilt3.testing``) uses; it checks them itself
(``require_test_attributes``), so a quilt3 without them still serves users.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from quilt_mcp.errors import BackendUnavailableError

QUILT3_ATTRIBUTES: tuple[str, ...] = (
    # Session detection (quilt3/session.py, quilt3/util.py).
    "session.logged_in",
    "session.get_registry_url",
    "session.get_boto3_session",
    "session.clear_session",
    "util.get_from_config",
    "util.BASE_PATH",
    "util.APP_NAME",
    "util.APP_AUTHOR",
    "util.QuiltException",
    "util.QuiltConflictException",
    # Package operations (quilt3/api.py, quilt3/packages.py).
    "Package",
    "Package.browse",
    "Package.push",
    "Package.diff",
    "Package.walk",
    "Package.keys",
    "Package.set",
    "Package.set_dir",
    "Package.set_meta",
    "Package.delete",
    "Package.manifest",
    "Package.meta",
    "Package.top_hash",
    "packages.PackageEntry",
    "packages.PackageEntry.as_dict",
    "packages.PackageEntry.set_meta",
    "list_packages",
    "list_package_versions",
    "delete_package",
    # Registry layout, so this plugin never spells out a key of its own (quilt3/backends).
    "backends.get_package_registry",
    "backends.base.PackageRegistryV1.pointer_latest_pk",
    "backends.base.PackageRegistryV1.pointers_dir",
    "backends.base.PackageRegistryV1.manifest_pk",
    "data_transfer.S3NoValidClientError",
    "exceptions.PackageException",
    "hooks.get_build_s3_client_hook",
    "hooks.set_build_s3_client_hook",
)
"""Every ``quilt3`` attribute the backend uses, as a dotted path below the ``quilt3`` package."""

QUILT3_TEST_ATTRIBUTES: tuple[str, ...] = (
    # How the tests write a login home exactly as quilt3 writes it (quilt_mcp_quilt3.testing).
    "session.AUTH_PATH",
    "session.CREDENTIALS_PATH",
    "session._save_auth",
    "session._save_credentials",
    "util.CONFIG_PATH",
    "util.CONFIG_TEMPLATE",
    "util.read_yaml",
    "util.write_yaml",
)
"""The ``quilt3`` attributes only ``quilt_mcp_quilt3.testing`` uses; never required to serve users."""

_SUBMODULES = ("session", "util", "packages", "backends", "backends.base", "data_transfer", "exceptions", "hooks")

_LOADED: ModuleType | None = None

QUILT3_LOCK = threading.RLock()
"""Serialises calls into quilt3, whose manifest cache and stdout handling are process-global."""


def resolve(module: ModuleType, dotted: str) -> object:
    """``module.a.b.c`` for ``dotted == "a.b.c"``; ``AttributeError`` naming the first missing part."""
    obj: object = module
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def missing_attributes(module: ModuleType, wanted: tuple[str, ...] = QUILT3_ATTRIBUTES) -> list[str]:
    """The entries of ``wanted`` (by default what the backend uses) that ``module`` lacks."""
    missing = []
    for dotted in wanted:
        try:
            resolve(module, dotted)
        except AttributeError:
            missing.append(dotted)
    return missing


def load_quilt3() -> ModuleType:
    """Import quilt3 (once per process) and check it offers everything this plugin uses.

    Progress bars are turned off (``QUILT_MINIMIZE_STDOUT``) unless the user
    chose otherwise. ``BackendUnavailableError`` if quilt3 is missing or lacks
    an attribute.
    """
    global _LOADED
    if _LOADED is not None:
        return _LOADED
    os.environ.setdefault("QUILT_MINIMIZE_STDOUT", "true")
    try:
        quilt3 = importlib.import_module("quilt3")
        for sub in _SUBMODULES:
            importlib.import_module(f"quilt3.{sub}")
    except ImportError as err:
        raise BackendUnavailableError(
            f"The quilt3 library cannot be imported: {err}.", "Install it: pip install 'quilt-packages-mcp[quilt3]'."
        ) from err
    missing = missing_attributes(quilt3)
    if missing:
        raise BackendUnavailableError(
            f"The installed quilt3 {getattr(quilt3, '__version__', '?')} lacks {', '.join(missing)}.",
            "Install a supported quilt3: pip install -U 'quilt3>=7', or use another backend.",
        )
    _install_client_cache(quilt3)
    _LOADED = quilt3
    return quilt3


def require_test_attributes(quilt3: ModuleType) -> None:
    """``RuntimeError`` naming what the test support needs and the installed quilt3 lacks."""
    missing = missing_attributes(quilt3, QUILT3_TEST_ATTRIBUTES)
    if missing:
        raise RuntimeError(
            f"quilt_mcp_quilt3.testing needs quilt3 attributes the installed quilt3 "
            f"{getattr(quilt3, '__version__', '?')} lacks: {', '.join(missing)}."
        )


_CLIENT_OPTIONS: dict[str, Any] = {}
"""``botocore.config.Config`` arguments every S3 client quilt3 builds gets (timeouts and retries)."""
_CLIENTS: dict[tuple[object, ...], object] = {}


def set_s3_client_options(options: dict[str, Any]) -> None:
    """Give every S3 client quilt3 builds from now on these ``Config`` arguments (and drop built ones)."""
    with QUILT3_LOCK:
        _CLIENT_OPTIONS.clear()
        _CLIENT_OPTIONS.update(options)
        _CLIENTS.clear()


def _install_client_cache(quilt3: ModuleType) -> None:
    """Make quilt3 reuse its S3 clients through its documented ``build_s3_client`` hook, each built
    with ``_CLIENT_OPTIONS`` (bounded timeouts) merged into quilt3's own ``Config``.

    quilt3 builds a new boto3 session and S3 client for nearly every S3 call
    (about 0.3 s each, mostly loading the service model). Clients are
    thread-safe and renew their own credentials, so one per credential,
    region, endpoint and signing mode serves every call. A hook someone else
    installed keeps building the clients.
    """
    from botocore import UNSIGNED

    from botocore.config import Config

    builder = quilt3.hooks.get_build_s3_client_hook()
    clients = _CLIENTS
    lock = threading.Lock()

    def reuse_clients(build_client_base, session, client_kwargs, **kwargs):  # type: ignore[no-untyped-def]
        unsigned = getattr(client_kwargs.get("config"), "signature_version", None) is UNSIGNED
        credentials = None if unsigned else session.get_credentials()
        key = (
            unsigned,
            credentials.access_key if credentials is not None else None,
            session.region_name,
            os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL"),
        )
        with lock:
            if key not in clients:
                if _CLIENT_OPTIONS:
                    base = client_kwargs.get("config") or Config()
                    client_kwargs = {**client_kwargs, "config": base.merge(Config(**_CLIENT_OPTIONS))}
                clients[key] = (
                    build_client_base(session, client_kwargs, **kwargs)
                    if builder is None
                    else builder(build_client_base, session, client_kwargs, **kwargs)
                )
            return clients[key]

    quilt3.hooks.set_build_s3_client_hook(reuse_clients)


@contextlib.contextmanager
def quilt3_call() -> Iterator[ModuleType]:
    """Hold ``QUILT3_LOCK`` and send quilt3's ``print`` output to stderr (stdout may be the MCP stream)."""
    quilt3 = load_quilt3()
    with QUILT3_LOCK, contextlib.redirect_stdout(sys.stderr):
        yield quilt3
