"""No secret in any log line, whichever logger (ours or a library's) writes it, at any level.

``install()`` replaces the log-record factory, so every record is scrubbed as it
is made, before any handler (ours, fastmcp's rich handler, a test's) sees it.
Scrubbed are the values of secret-bearing fields wherever they appear (HTTP
headers such as ``Authorization`` and ``X-Amz-Security-Token``, presigned-URL
parameters, canonical requests, JSON token fields), bearer tokens, JWTs, Quilt API
keys (``qk_...``), and every value known to be secret: taken from the
environment at ``install()`` and handed over by backends through ``remember()``
as they obtain credentials. A record's exception text is formatted and scrubbed
the same way.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 8
"""Shorter values are not treated as secrets: replacing them everywhere would garble ordinary text."""

SECRET_ENV_SUFFIXES = ("SECRET_ACCESS_KEY", "SESSION_TOKEN", "SECURITY_TOKEN", "_TOKEN", "_SECRET", "_PASSWORD", "API_KEY")
_QUOTE = r"""['"]?"""
_FIELD_VALUE = re.compile(
    r"(?i)(\b(?:x-amz-security-token|x-amz-credential|x-amz-signature|signature|access_token|refresh_token|id_token"
    r"|session_token|secret_key|secret_access_key|aws_secret_access_key|aws_session_token|token|password|api_key)"
    rf"{_QUOTE}\s*[:=]\s*b?{_QUOTE})"
    r"""([^'"\s&,;}\]]+)"""
)
_HEADER_VALUE = re.compile(
    rf"(?i)(\b(?:proxy-authorization|authorization|cookie|set-cookie){_QUOTE}\s*[:=]\s*b?{_QUOTE})"
    r"""([^'"\r\n]+)"""
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)([A-Za-z0-9._~+/=-]+)")
_QUILT_API_KEY = re.compile(r"\bqk_[A-Za-z0-9_-]{8,}")
_JWT = re.compile(r"\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*")

MAX_KNOWN_SECRETS = 2048
"""Secrets handed over by ``remember()`` kept at most, the least recently handed over forgotten first. A server
for many users is handed every caller's token and credentials, refreshed ones included: unbounded, the set (and
the pattern rebuilt on each new one) would grow for as long as the process lives. Secrets in use are handed over
again whenever a backend reopens or refreshes; tokens are also caught by their shape (JWT, ``qk_``, bearer).
The environment's secrets, registered by ``install()``, are pinned: never forgotten, not counted in the bound."""

_lock = threading.Lock()
_pinned: set[str] = set()
_known: OrderedDict[str, None] = OrderedDict()
_known_pattern: re.Pattern[str] | None = None
_installed = False


def remember(*values: Any) -> None:
    """Treat each of ``values`` (strings; ``None`` and short values are ignored) as a secret from now on.

    At most ``MAX_KNOWN_SECRETS`` are kept besides the environment's; remembering one again makes it the most recent.
    """
    with _lock:
        fresh = False
        for value in _secrets(values):
            if value in _pinned:
                continue
            if value in _known:
                _known.move_to_end(value)
            else:
                _known[value] = None
                fresh = True
        if fresh:
            while len(_known) > MAX_KNOWN_SECRETS:
                _known.popitem(last=False)
            _rebuild_pattern()


def _pin(values: list[str]) -> None:
    """Treat each of ``values`` as a secret for the life of the process, outside ``MAX_KNOWN_SECRETS``."""
    with _lock:
        fresh = [value for value in _secrets(values) if value not in _pinned]
        if fresh:
            _pinned.update(fresh)
            for value in fresh:
                _known.pop(value, None)
            _rebuild_pattern()


def _secrets(values: Iterable[Any]) -> list[str]:
    """Those of ``values`` long enough to be treated as secrets."""
    return [v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LENGTH]


def _rebuild_pattern() -> None:
    """Recompile the pattern matching every pinned and known secret; called with ``_lock`` held."""
    global _known_pattern
    ordered = sorted(_pinned.union(_known), key=len, reverse=True)  # a secret containing another is replaced whole
    _known_pattern = re.compile("|".join(map(re.escape, ordered)))


def secrets_in_environment(env: Mapping[str, str]) -> list[str]:
    """The values of variables whose names say they hold secrets (``AWS_SESSION_TOKEN``, ``*_API_KEY``...)."""
    return [value for name, value in env.items() if name.upper().endswith(SECRET_ENV_SUFFIXES)]


def redact(text: str) -> str:
    """``text`` with every known secret value and every secret-bearing field's value replaced by ``[REDACTED]``."""
    pattern = _known_pattern
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    text = _HEADER_VALUE.sub(rf"\g<1>{REDACTED}", text)
    text = _FIELD_VALUE.sub(rf"\g<1>{REDACTED}", text)
    text = _BEARER.sub(rf"\g<1>{REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    return _QUILT_API_KEY.sub(REDACTED, text)


def scrub(record: logging.LogRecord) -> None:
    """Replace ``record``'s message, exception and stack text by their redacted forms."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed call still must not leak its arguments
        message = f"{record.msg} {record.args!r}"
    record.msg, record.args = redact(message), ()
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def install(env: Mapping[str, str] | None = None) -> None:
    """Scrub every log record made in this process from now on; pin the secrets in ``env`` (default ``os.environ``).

    Pinned secrets are redacted for the life of the process, however many are handed over later.
    Idempotent: installing twice does not scrub twice.
    """
    global _installed
    _pin(secrets_in_environment(os.environ if env is None else env))
    with _lock:
        if _installed:
            return
        _installed = True
        make = logging.getLogRecordFactory()

    def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        scrub(record)
        return record

    logging.setLogRecordFactory(scrubbed_record)
