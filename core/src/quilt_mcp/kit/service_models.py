"""One botocore data loader per process, shared by every botocore session the backends make.

A botocore session loads the service models of the clients made from it and
keeps them: about 12 MiB for S3 and STS. A server for many users makes a
session per caller, so each caller's backend held its own copy (1.3 MiB a
caller with the loader shared; bench/README.md, ``http_load.py``). The models
are read-only data; the loader caches them in a dict, so sessions in several
threads at worst load one model twice.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_loader: list[Any] = []


def share(botocore_session: Any) -> None:
    """Have ``botocore_session`` (made, not yet used) load service models through the process's shared loader."""
    from botocore.loaders import create_loader

    with _lock:
        if not _loader:
            _loader.append(create_loader(botocore_session.get_config_variable("data_path")))
    botocore_session.register_component("data_loader", _loader[0])
