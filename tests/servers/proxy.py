"""A TCP proxy on loopback that misbehaves on demand, for network-fault and crash tests.

Between a client (reportbot) and a real server (Dovecot, aiosmtpd). Every fault is real
socket behaviour the client has to survive:

- `cut_after_bytes(n, times)`: the next `times` connections are closed once the server has
  sent `n` bytes to the client (e.g. in the middle of a FETCH response).
- `refuse_next(times)`: the next connections are accepted and closed at once.
- `stall_next(seconds, after_bytes, times)`: the server's bytes stop for `seconds` once
  `after_bytes` have passed (the client's read blocks; past its timeout it gives up).
- `throttle(bytes_per_second)`: the server's bytes trickle (a slow link; None: full speed).
- `drop_all()`: close every open connection now.
- `chaos(rng, drop=, cut=, stall=, stall_seconds=)`: each new connection draws one fault at
  random (seeded): refused, cut after a random byte count, stalled, or left alone.
- `on_client(pattern, action)` / `on_server(pattern, action)` (`clear_hooks()`): call `action()` when bytes
  containing `pattern` pass, before they are forwarded; it returns "forward" (or None),
  "drop" (close without forwarding) or "hold" (never forward; the connection hangs).
  Tests kill reportbot from an action at an exact protocol step (before UID MOVE, after
  the SMTP server's 250 to DATA...).
- `reply_instead(command, reply, close=False)`: a tagged IMAP command matching the regex
  `command` is not forwarded; the client gets `reply` (with "{tag}" filled in) instead —
  a server answering NO, BAD or BYE.

`connections`, `cuts`, `faults` (Counter of faults applied) and `accepted_at` (monotonic
accept times; `peak_rate()`) let tests bound how fast a client reconnects.
"""
from __future__ import annotations

import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from . import LOOPBACK

Action = Callable[[], "str | None"]
_TAIL = 64  # bytes kept from the previous chunk, so a pattern split across two reads is seen


@dataclass
class _Hook:
    pattern: bytes
    action: Action
    times: int | None  # None: every time


@dataclass
class _Reply:
    command: re.Pattern
    reply: str
    close: bool
    times: int | None


@dataclass
class _Plan:
    """The faults one connection gets (drawn when it is accepted)."""
    cut_after: int | None = None
    stall_after: int | None = None
    stall_seconds: float = 0.0
    refuse: bool = False
    upstream: bool = False  # cut/stall the client's bytes (e.g. mid-DATA) instead of the server's


@dataclass(eq=False)
class _Conn:
    client: socket.socket
    upstream: socket.socket
    plan: _Plan
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    closed: bool = False

    def close(self) -> None:
        self.closed = True
        for s in (self.client, self.upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


class FaultyProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.host = LOOPBACK
        self.port = 0
        self.connections = 0
        self.cuts = 0
        self.faults: Counter = Counter()
        self.accepted_at: list[float] = []
        self._cut_after: int | None = None
        self._cuts_left = 0
        self._refuse_left = 0
        self._stall: tuple[float, int, int] | None = None  # (seconds, after_bytes, times left)
        self._rate: float | None = None
        self._chaos: tuple | None = None
        self._client_hooks: list[_Hook] = []
        self._server_hooks: list[_Hook] = []
        self._replies: list[_Reply] = []
        self._open: set[_Conn] = set()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._stop = threading.Event()

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> FaultyProxy:
        self._sock = socket.create_server((self.host, 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._sock:
            self._sock.close()
        self.drop_all()

    # -- faults --------------------------------------------------------------------------------
    def cut_after_bytes(self, n: int, times: int = 1) -> None:
        with self._lock:
            self._cut_after, self._cuts_left = n, times

    def refuse_next(self, times: int = 1) -> None:
        with self._lock:
            self._refuse_left = times

    def stall_next(self, seconds: float, after_bytes: int = 0, times: int = 1) -> None:
        with self._lock:
            self._stall = (seconds, after_bytes, times)

    def throttle(self, bytes_per_second: float | None) -> None:
        self._rate = bytes_per_second

    def chaos(self, rng, *, drop: float = 0.0, cut: float = 0.0, stall: float = 0.0,
              stall_seconds: tuple[float, float] = (0.5, 3.0), cut_bytes: tuple[int, int] = (1, 20000),
              upstream_bytes: tuple[int, int] | None = None) -> None:
        """Each new connection: refused with probability `drop`, cut after a random byte count
        (`cut_bytes` of the server's) with `cut`, stalled a random while with `stall`. With
        `upstream_bytes`, half the cuts and stalls hit the client's bytes instead (e.g. in the
        middle of an SMTP DATA upload). `chaos(None)` ends it."""
        with self._lock:
            self._chaos = None if rng is None else (rng, drop, cut, stall, stall_seconds, cut_bytes, upstream_bytes)

    def drop_all(self) -> int:
        with self._lock:
            conns = list(self._open)
        for c in conns:
            c.close()
        return len(conns)

    def on_client(self, pattern: bytes, action: Action, times: int | None = 1) -> None:
        with self._lock:
            self._client_hooks.append(_Hook(pattern, action, times))

    def on_server(self, pattern: bytes, action: Action, times: int | None = 1) -> None:
        with self._lock:
            self._server_hooks.append(_Hook(pattern, action, times))

    def reply_instead(self, command: str, reply: str, *, close: bool = False, times: int | None = 1) -> None:
        """E.g. reply_instead(r"UID FETCH", "{tag} NO [UNAVAILABLE] try later")."""
        with self._lock:
            self._replies.append(_Reply(re.compile(rb"^(\S+) (?:" + command.encode() + rb")", re.IGNORECASE),
                                        reply, close, times))

    def clear_hooks(self) -> None:
        with self._lock:
            self._client_hooks.clear()
            self._server_hooks.clear()

    def clear(self) -> None:
        """Back to a well-behaved proxy (open connections keep their drawn faults)."""
        with self._lock:
            self._cut_after, self._cuts_left, self._refuse_left = None, 0, 0
            self._stall, self._chaos, self._rate = None, None, None
            self._client_hooks.clear()
            self._server_hooks.clear()
            self._replies.clear()

    def peak_rate(self, window: float = 1.0, since: float = 0.0) -> int:
        """The most connections accepted within any `window` seconds (after `since`)."""
        times = [t for t in self.accepted_at if t >= since]
        best, j = 0, 0
        for i, t in enumerate(times):
            while times[j] < t - window:
                j += 1
            best = max(best, i - j + 1)
        return best

    # -- the plumbing ----------------------------------------------------------------------------
    def _plan(self) -> _Plan:
        plan = _Plan()
        with self._lock:
            if self._refuse_left > 0:
                self._refuse_left -= 1
                plan.refuse = True
            elif self._cuts_left > 0:
                self._cuts_left -= 1
                plan.cut_after = self._cut_after
            elif self._stall and self._stall[2] > 0:
                seconds, after, left = self._stall
                self._stall = (seconds, after, left - 1)
                plan.stall_after, plan.stall_seconds = after, seconds
            elif self._chaos:
                self._draw(plan)
        return plan

    def _draw(self, plan: _Plan) -> None:
        rng, drop, cut, stall, stall_s, cut_b, up_b = self._chaos
        x = rng.random()
        plan.upstream = up_b is not None and rng.random() < 0.5
        span = up_b if plan.upstream else cut_b
        if x < drop:
            plan.refuse = True
        elif x < drop + cut:
            plan.cut_after = rng.randint(*span)
        elif x < drop + cut + stall:
            plan.stall_after, plan.stall_seconds = rng.randint(0, span[1]), rng.uniform(*stall_s)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            plan = self._plan()
            with self._lock:
                self.connections += 1
                self.accepted_at.append(time.monotonic())
            if plan.refuse:
                self.faults["refused"] += 1
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            conn = _Conn(client, upstream, plan)
            with self._lock:
                self._open.add(conn)
            threading.Thread(target=self._pipe, args=(conn, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(conn, False), daemon=True).start()

    def _pipe(self, conn: _Conn, from_client: bool) -> None:
        src, dst = (conn.client, conn.upstream) if from_client else (conn.upstream, conn.client)
        sent, tail = 0, b""
        try:
            while not conn.closed:
                data = src.recv(16384 if self._rate else 65536)
                if not data:
                    break
                window, skip, tail = tail + data, len(tail), (tail + data)[-_TAIL:]
                if from_client:
                    data = self._answer_commands(conn, data)
                    if data is None:
                        break
                verdict = self._run_hooks(self._client_hooks if from_client else self._server_hooks, window, skip)
                if verdict == "drop":
                    self.faults["dropped by hook"] += 1
                    break
                if verdict == "hold":
                    self.faults["held by hook"] += 1
                    while not conn.closed and not self._stop.is_set():
                        time.sleep(0.05)
                    break
                if from_client == conn.plan.upstream and not self._faults(conn, dst, data, sent):
                    break
                if self._rate and not from_client:
                    time.sleep(len(data) / self._rate)
                if data:
                    with conn.write_lock:
                        dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(conn)
            conn.close()

    def _faults(self, conn: _Conn, dst: socket.socket, data: bytes, sent: int) -> bool:
        """Cut, stall and throttle one direction's bytes (the server's unless the plan says
        upstream); False once the connection is cut."""
        plan = conn.plan
        if plan.cut_after is not None and sent + len(data) > plan.cut_after:
            with conn.write_lock:
                dst.sendall(data[: max(0, plan.cut_after - sent)])
            with self._lock:
                self.cuts += 1
                self.faults["cut"] += 1
            return False
        if plan.stall_after is not None and sent + len(data) > plan.stall_after:
            plan.stall_after = None
            self.faults["stalled"] += 1
            end = time.monotonic() + plan.stall_seconds
            while time.monotonic() < end and not conn.closed and not self._stop.is_set():
                time.sleep(0.05)
        return not conn.closed

    def _run_hooks(self, hooks: list[_Hook], window: bytes, skip: int) -> str | None:
        """Fire the hooks whose pattern ends in the new bytes (`window` = old tail + new data)."""
        with self._lock:
            fired = [h for h in hooks
                     if h.times != 0 and window.find(h.pattern, max(0, skip - len(h.pattern) + 1)) >= 0]
            for h in fired:
                if h.times is not None:
                    h.times -= 1
            hooks[:] = [h for h in hooks if h.times != 0]
        verdict = None
        for h in fired:
            verdict = h.action() or verdict
        return None if verdict == "forward" else verdict

    def _answer_commands(self, conn: _Conn, data: bytes) -> bytes | None:
        """Answer matching IMAP commands ourselves; returns what is left to forward (None: closed)."""
        if not self._replies:
            return data
        out = []
        for line in data.splitlines(keepends=True):
            rule, m = self._reply_for(line)
            if rule is None:
                out.append(line)
                continue
            self.faults["replied instead"] += 1
            with conn.write_lock:
                conn.client.sendall(rule.reply.format(tag=m.group(1).decode()).encode() + b"\r\n")
            if rule.close:
                return None
        return b"".join(out)

    def _reply_for(self, line: bytes):
        with self._lock:
            for rule in self._replies:
                m = rule.command.match(line)
                if m and rule.times != 0:
                    if rule.times is not None:
                        rule.times -= 1
                    return rule, m
        return None, None
