"""The connection-counting relay of the HTTP tests keeps serving after its target refuses a connection."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from tests.http.relay import Relay


def test_a_connection_the_target_refuses_is_closed_and_later_ones_are_still_relayed():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    with Relay(f"http://127.0.0.1:{port}") as relay:
        at = ("127.0.0.1", urlsplit(relay.url).port)
        with socket.create_connection(at, timeout=5) as refused:
            assert refused.recv(1) == b"", "the relay left a client hanging when the target refused it"
        with socket.create_server(("127.0.0.1", port)) as target, socket.create_connection(at, timeout=5) as client:
            target.settimeout(5)
            upstream, _ = target.accept()
            client.sendall(b"ping")
            assert upstream.recv(4) == b"ping"
            upstream.close()

        assert relay.opened == 1
