"""A hung S3 endpoint: a loopback socket that accepts connections and never answers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def hung_endpoint() -> Iterator[str]:
    """The URL of a server that accepts every connection, reads nothing and never replies."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        try:
            server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() at once; close() alone does not
        except OSError:
            pass
        server.close()
        for conn in held:
            conn.close()
        thread.join(timeout=5)
