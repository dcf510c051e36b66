"""One botocore data loader per process, shared by every botocore session the backends make.

A botocore session loads the service models of the clients made from it and
keeps them: about 12 MiB for S3 and STS. A server for many users makes a
session per caller, so each caller's backend held its own copy (1.3 MiB a
caller with the loader shared; bench/README.md, ``http_load.py``). The models
are read-only data; the loader caches them in a dict, so sessions in several
threads at worst load one model twice. A backend makes its botocore sessions
with ``new_session()``, or hands one it made to ``share()`` before using it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

_lock = threading.Lock()
_loader: list[Any] = []


def share(botocore_session: Any) -> None:
    """Have ``botocore_session`` (made and configured, not yet used) load service models through the process's
    shared loader. The process's first call reads the session's configuration files, which botocore then keeps."""
    from botocore.loaders import create_loader

    with _lock:
        if not _loader:
            _loader.append(create_loader(botocore_session.get_config_variable("data_path")))
    botocore_session.register_component("data_loader", _loader[0])


def new_session(config: Mapping[str, str] | None = None) -> Any:
    """A new botocore session with ``config``'s variables set (``profile``, ``region``...), loading service models
    through the shared loader; the variables are set before ``share()`` reads the configuration."""
    import botocore.session

    session = botocore.session.Session()
    for var, value in (config or {}).items():
        session.set_config_variable(var, value)
    share(session)
    return session
