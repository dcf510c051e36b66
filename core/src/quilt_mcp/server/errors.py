"""How failures reach the client: domain errors as tool errors, nothing else leaks.

A ``QuiltMCPError`` becomes a tool error carrying its message and hint. Any
other exception is a bug: the client gets its type and a request to report
it, the traceback goes to the stderr log only. Bad arguments caught by the
input schema get one line per problem instead of pydantic's report.
"""

from __future__ import annotations

import functools
import logging
import reprlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastmcp.exceptions import FastMCPError, ToolError, ValidationError
from fastmcp.server.middleware import Middleware
from pydantic import ValidationError as PydanticValidationError

from quilt_mcp.errors import QuiltMCPError

log = logging.getLogger("quilt_mcp.server")
_short = reprlib.Repr()
_short.maxstring = _short.maxother = 80
_short.maxlist = _short.maxdict = 3
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def internal_error_message(what: str, err: BaseException) -> str:
    """What the client sees for an unexpected exception: its type, never its text or traceback."""
    return (
        f"Internal error in {what} ({type(err).__name__}). This is a bug, please report it to the "
        "quilt-mcp maintainers with the server's stderr log, which holds the traceback."
    )


def reports_errors(name: str, fn: F, *, error: type[FastMCPError] = ToolError, kind: str = "tool") -> F:
    """Wrap an async tool (or resource) function so every failure becomes ``error`` with a useful text."""
    what = f"{kind} {name!r}"

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except FastMCPError:
            raise
        except QuiltMCPError as err:
            log.info("%s: %s: %s", what, type(err).__name__, err)
            # The caller's mistake, answered in full: fastmcp's own "Error calling tool" line
            # (with a traceback, for resources) is kept to DEBUG.
            raise error(str(err), log_level=logging.DEBUG) from None
        except Exception as err:
            log.exception("%s failed unexpectedly", what)
            raise error(internal_error_message(what, err)) from None

    return wrapper  # type: ignore[return-value]


def describe_validation_error(tool: str, err: PydanticValidationError) -> str:
    """One line per invalid argument, then what to do."""
    problems = []
    for item in err.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        got = f" (got {_short.repr(item['input'])})" if item.get("type") != "missing" and "input" in item else ""
        problems.append(f"{where}: {item['msg']}{got}")
    text = "; ".join(problems)
    if len(text) > 2000:
        text = text[:2000] + " ..."
    return (
        f"Invalid arguments for tool {tool!r}: {text}. "
        "Fix them and call again; the tool's input schema lists every argument with its bounds."
    )


class ArgumentErrors(Middleware):
    """Turn argument-validation failures into short, actionable tool errors."""

    async def on_call_tool(self, context: Any, call_next: Any) -> Any:
        try:
            return await call_next(context)
        except ValidationError as err:
            cause = err.__cause__
            if isinstance(cause, PydanticValidationError):
                raise ToolError(describe_validation_error(context.message.name, cause)) from None
            raise
