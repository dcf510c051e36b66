"""A logging filter that blanks anything shaped like a bearer token, on every handler.

Our own code never logs a token (it logs ``token_key`` hashes or nothing);
this filter is the second line, for libraries (uvicorn, httpx, mcp) that
might echo a header or a request line: JWTs, ``qk_`` API keys and whatever
follows ``Bearer``.
"""

from __future__ import annotations

import logging
import re

TOKEN_SHAPES = re.compile(r"(?i)(bearer\s+)[^\s'\",]+|eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*|qk_[\w-]{8,}")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with token-shaped substrings replaced."""
    return TOKEN_SHAPES.sub(lambda m: (m.group(1) or "") + REDACTED, text)


class RedactTokens(logging.Filter):
    """Rewrites each record's message with ``redact`` (formatting its arguments first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_text is None and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def configure_logging(level: str) -> None:
    """stderr logging at ``level`` (if none is set up yet); every handler of every logger so far redacts tokens.

    Libraries that bring their own handlers (fastmcp's) are covered too;
    call again after importing one that adds handlers later.
    """
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    root.setLevel(level)
    loggers = [root, *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, RedactTokens) for f in handler.filters):
                handler.addFilter(RedactTokens())
