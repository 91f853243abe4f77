"""The IMAP edge (imapclient): connect, fetch what is waiting, file it away, wait for more.

Thin on purpose: every decision about a message is in bot/intake. The order that
makes a crash harmless: raw bytes stored and committed → pipeline → IMAP move/flag →
`mailbox_done` committed. A crash anywhere repeats only idempotent work.
"""
from __future__ import annotations

import logging
import select
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from bot.core.config import ImapConfig
from bot.core.errors import UserError
from bot.core.imap_connect import connection_broke, open_imap

log = logging.getLogger(__name__)
DONE_KEYWORD = "$ReportbotDone"  # used when after_processing = "flag"
IDLE_RENEW_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE before the server's 30-minute timeout
NETWORK_ERRORS = (OSError, socket.timeout, ssl.SSLError, IMAPClientError, EOFError)


STREAM_BYTES = 16 * 1024 * 1024  # a larger message is read in pieces, straight to disk
FETCH_BYTES = 32 * 1024 * 1024   # at most this much message data in one FETCH response
CHUNK_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes | None  # None: too large to hold at once; read it with Mailbox.pieces()
    internal_date: datetime | None
    size: int = 0


def _exists(client: IMAPClient, folder: str) -> bool:
    try:
        return client.folder_exists(folder)
    except IMAPClientError:
        return True  # cannot tell: not a config error to stop for


def _utc(t: datetime | None) -> datetime | None:
    return t.astimezone(UTC) if t and t.tzinfo else None


class Mailbox:
    """One IMAP connection with the folder selected."""

    def __init__(self, cfg: ImapConfig) -> None:
        self.cfg = cfg
        self.client: IMAPClient | None = None
        self.uidvalidity: int | None = None

    def __enter__(self) -> Mailbox:
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def connect(self) -> None:
        c = self.cfg
        client = open_imap(c)  # bot/core/imap_connect.py: TLS, password or XOAUTH2, login errors
        client.normalise_times = False  # aware INTERNALDATE values
        try:
            selected = client.select_folder(c.folder)
        except IMAPClientError as e:
            missing = not connection_broke(e) and not _exists(client, c.folder)
            client.shutdown()
            if missing:  # a person must fix the config; retrying will not make it appear
                raise UserError(f"imap.folder: the server has no folder {c.folder!r}") from None
            raise
        except BaseException:
            client.shutdown()
            raise
        self.client = client
        self.uidvalidity = int(selected[b"UIDVALIDITY"])

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
            self.client = None

    def waiting_uids(self) -> list[int]:
        """Every message still in the folder (moved ones are gone), or not yet flagged done."""
        criteria = ["ALL"] if self.cfg.after_processing == "move" else ["UNKEYWORD", DONE_KEYWORD]
        self.client.noop()  # let the server sync its view: mail appended by others since the last command
        return sorted(self.client.search(criteria))

    def fetch(self, uids: Iterable[int]) -> Iterator[Fetched]:
        """The messages in UID order, sizes first so that memory stays bounded: FETCHes of at
        most FETCH_BYTES, and a message over STREAM_BYTES left to pieces() (raw None)."""
        info = self.client.fetch(list(uids), ["RFC822.SIZE", "INTERNALDATE"])
        group: list[int] = []
        total = 0
        for uid in sorted(info):  # a message expunged meanwhile is simply absent
            size = int(info[uid].get(b"RFC822.SIZE") or 0)
            if size > STREAM_BYTES or (group and total + size > FETCH_BYTES):
                yield from self._fetch_whole(group)
                group, total = [], 0
            if size > STREAM_BYTES:
                yield Fetched(uid, None, _utc(info[uid].get(b"INTERNALDATE")), size)
                continue
            group.append(uid)
            total += size
        yield from self._fetch_whole(group)

    def _fetch_whole(self, uids: list[int]) -> Iterator[Fetched]:
        if not uids:
            return
        data = self.client.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"])
        for uid, item in sorted(data.items()):
            raw = item.get(b"BODY[]")
            if raw is not None:
                yield Fetched(uid, raw, _utc(item.get(b"INTERNALDATE")), len(raw))

    def pieces(self, uid: int) -> Iterator[bytes]:
        """A message's bytes in CHUNK_BYTES pieces (partial FETCHes), for one too large to hold."""
        offset = 0
        while True:
            item = self.client.fetch([uid], [f"BODY.PEEK[]<{offset}.{CHUNK_BYTES}>"]).get(uid)
            if item is None:
                raise IMAPClientError(f"message UID {uid} disappeared while being read")
            piece = next((v for k, v in item.items() if k.startswith(b"BODY[]")), None) or b""
            if piece:
                yield piece
            if len(piece) < CHUNK_BYTES:
                return
            offset += len(piece)

    def ensure_folder(self, name: str) -> None:
        if not self.client.folder_exists(name):
            try:
                self.client.create_folder(name)
            except IMAPClientError:
                if not self.client.folder_exists(name):
                    raise

    def file_away(self, uid: int, folder: str) -> None:
        """Move to `folder` (MOVE, else COPY + \\Deleted + UID EXPUNGE), or flag, per config."""
        if self.cfg.after_processing == "flag":
            self.client.add_flags([uid], [DONE_KEYWORD])
            return
        self.ensure_folder(folder)
        if self.client.has_capability("MOVE"):
            self.client.move([uid], folder)
            return
        self.client.copy([uid], folder)
        self.client.add_flags([uid], [b"\\Deleted"])
        if self.client.has_capability("UIDPLUS"):
            self.client.uid_expunge([uid])
        else:
            self.client.expunge()

    def supports_idle(self) -> bool:
        return self.cfg.idle and self.client.has_capability("IDLE")

    def wait_for_mail(self, seconds: float, should_stop: Callable[[], bool]) -> None:
        """IDLE (re-issued before the server's timeout) until something changes, else sleep."""
        deadline = time.monotonic() + seconds
        if not self.supports_idle():
            while time.monotonic() < deadline and not should_stop():
                time.sleep(min(1.0, deadline - time.monotonic()))
            return
        self.client.idle()
        try:
            while not should_stop():
                left = deadline - time.monotonic()
                if left <= 0 or self._readable(min(1.0, left)):
                    break
        finally:
            self.client.idle_done()  # reads what the server said, whole lines, up to IDLE's OK

    def _readable(self, timeout: float) -> bool:
        """Did the server say something during IDLE? Any word wakes us; what it said is read by
        idle_done(). (imapclient's idle_check reads from a non-blocking socket and fails with
        "unterminated line" when a response arrives in two pieces.)"""
        sock = self.client.socket()
        if isinstance(sock, ssl.SSLSocket) and sock.pending():
            return True
        return bool(select.select([sock], [], [], timeout)[0])
