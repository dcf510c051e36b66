"""Connections the HTTP server accepts have Nagle's algorithm off, even on a socket bound as uvicorn binds it
for ``--workers N`` (protocol number 0, which asyncio leaves alone): no answer waits for a delayed ACK."""

from __future__ import annotations

import asyncio
import socket

import uvicorn
from starlette.responses import PlainTextResponse

from quilt_mcp.http.serve import HTTP_PROTOCOL


async def test_a_connection_accepted_on_a_workers_style_socket_has_nagle_off():
    listener = socket.socket(socket.AF_INET)  # as uvicorn's Config.bind_socket makes it for N workers
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(PlainTextResponse("ok"), http=HTTP_PROTOCOL, log_config=None, lifespan="off"))
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection(*listener.getsockname())
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        accepted = [c.transport.get_extra_info("socket") for c in server.server_state.connections]
        nodelay = [s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in accepted]
        writer.close()
    finally:
        server.should_exit = True
        await serving
        listener.close()

    assert len(nodelay) == 1 and nodelay[0], "Nagle's algorithm is on: answers wait for the client's delayed ACK"
