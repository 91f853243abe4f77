"""A TCP proxy on loopback that can cut connections, for network-fault tests.

`cut_after_bytes(n, times)`: the next `times` connections are closed once the server has
sent `n` bytes to the client (e.g. in the middle of a FETCH response).
"""
from __future__ import annotations

import socket
import threading

from . import LOOPBACK


class FaultyProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.host = LOOPBACK
        self.port = 0
        self.connections = 0
        self.cuts = 0
        self._cut_after: int | None = None
        self._cuts_left = 0
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._stop = threading.Event()

    def start(self) -> "FaultyProxy":
        self._sock = socket.create_server((self.host, 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._sock:
            self._sock.close()

    def cut_after_bytes(self, n: int, times: int = 1) -> None:
        with self._lock:
            self._cut_after, self._cuts_left = n, times

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                limit = self._cut_after if self._cuts_left > 0 else None
                if limit is not None:
                    self._cuts_left -= 1
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, upstream, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, limit), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if limit is not None and sent + len(data) > limit:
                    dst.sendall(data[: max(0, limit - sent)])
                    with self._lock:
                        self.cuts += 1
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
