"""Faults a test can switch on, to prove clients time out and report clearly.

- ``latency``: seconds every ``/graphql`` and ``/api/*`` request waits first;
- ``status_5xx``: that HTTP status answers those requests, for the next
  ``status_5xx_count`` of them (None: until cleared);
- ``operation_error``: every result with an ``OperationError`` arm
  (``packageConstruct``, ``packageRevisionDelete``, ``searchPackages``,
  ``firstPage``, ``searchMorePackages``) answers that arm with this name;
- ``credential_ttl``: seconds until credentials from
  ``/api/auth/get_credentials`` expire.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

FAULT_MESSAGE = "fault injected by the reference catalog"


@dataclass
class FaultSettings:
    """One complete fault setting; the defaults mean "no fault"."""

    latency: float = 0.0
    status_5xx: int | None = None
    status_5xx_count: int | None = None
    operation_error: str | None = None
    credential_ttl: int | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> FaultSettings:
        """Validate a JSON mapping; ValueError naming the bad key or value."""
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown fault settings {sorted(unknown)}")
        settings = cls(**values)
        if settings.status_5xx is not None and not 500 <= settings.status_5xx <= 599:
            raise ValueError(f"status_5xx must be 500..599, got {settings.status_5xx}")
        if settings.latency < 0:
            raise ValueError("latency must be >= 0")
        return settings

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Faults:
    """The catalog's current fault setting (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()

    def set(self, settings: FaultSettings) -> None:
        with self._lock:
            self._settings = settings

    @property
    def settings(self) -> FaultSettings:
        with self._lock:
            return FaultSettings(**self._settings.to_dict())

    def take_5xx(self) -> int | None:
        """The status to answer this request with, counting it against ``status_5xx_count``."""
        with self._lock:
            s = self._settings
            if s.status_5xx is None:
                return None
            if s.status_5xx_count is not None:
                if s.status_5xx_count <= 0:
                    return None
                s.status_5xx_count -= 1
            return s.status_5xx

    def operation_error(self) -> dict[str, Any] | None:
        """The ``OperationError`` object to answer with, or None."""
        name = self.settings.operation_error
        if name is None:
            return None
        return {"__typename": "OperationError", "name": name, "message": FAULT_MESSAGE, "context": None}
