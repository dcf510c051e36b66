"""A TCP relay on loopback that counts the connections passing through it: ``with Relay(target_url) as relay``.

Put in front of a real server (the reference catalog) to see how many
connections a client opens to it and whether it closes them.
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit


class Relay:
    """Forwards every connection to ``target_url``'s host and port; ``url`` is the relay's own address.

    ``opened`` counts connections relayed so far; ``open`` those not yet closed by either side. A connection
    the target will not take is closed at once and not counted.
    """

    def __init__(self, target_url: str) -> None:
        target = urlsplit(target_url)
        self._target = (target.hostname or "127.0.0.1", target.port or 80)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.opened = 0
        self.open = 0
        self._lock = threading.Lock()

    def __enter__(self) -> Relay:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self._target)
            except OSError:  # the target refused or is gone: this client sees a closed connection, the next may not
                client.close()
                continue
            with self._lock:
                self.opened += 1
                self.open += 1
            done = threading.Barrier(2, action=lambda: self._closed(client, upstream))
            threading.Thread(target=_pump, args=(client, upstream, done), daemon=True).start()
            threading.Thread(target=_pump, args=(upstream, client, done), daemon=True).start()

    def _closed(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            sock.close()
        with self._lock:
            self.open -= 1


def _pump(source: socket.socket, sink: socket.socket, done: threading.Barrier) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    for sock in (source, sink):  # one side ended: end the other, so both pumps finish
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    done.wait()
