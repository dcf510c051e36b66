"""uvicorn's HTTP protocol with ``TCP_NODELAY`` on every connection it accepts.

With ``--workers N`` uvicorn binds the listening socket itself as
``socket.socket(AF_INET)`` (protocol number 0), and asyncio turns Nagle's
algorithm off only on sockets whose protocol is ``IPPROTO_TCP``: every
answer written in more than one piece then waits for the client's delayed
ACK, about 40 ms a request (bench/README.md, ``http_load.py``).
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    """uvicorn's default HTTP protocol, with Nagle's algorithm off on the connection's socket."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]


HTTP_PROTOCOL = f"{__name__}:{NoDelayHTTPProtocol.__name__}"
"""The protocol as uvicorn's ``http`` setting (an import string: worker processes import it)."""
