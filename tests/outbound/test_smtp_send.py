"""bot/outbound/smtp_send.py against a real aiosmtpd server on loopback: the bytes arrive unchanged, the
declared SIZE is what the server then receives, refusals come back as sendmail reports them."""
from __future__ import annotations

import asyncio

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller
from servers import LOOPBACK, free_port

from bot.outbound.smtp_send import send_raw, wire_size

RAW = (b"From: a@example.gov.vn\r\nTo: b@example.vn\r\nSubject: x\r\n\r\n"
       b"line one\r\n.a line starting with a dot\r\n..two dots\r\n" + (b"0123456789" * 7 + b"\r\n") * 4000)


class Recorder:
    def __init__(self, refuse: set[str] = frozenset()) -> None:
        self.refuse, self.got = refuse, []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.got.append((envelope.mail_options, tuple(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 2.0.0 queued as 42"


@pytest.fixture
def server():
    def start(handler: Recorder) -> int:
        port = free_port()
        c = Controller(handler, hostname=LOOPBACK, port=port, data_size_limit=2**24)
        c.start()
        started.append(c)
        return port

    started: list[Controller] = []
    yield start
    for c in started:
        c.stop()


def send(port: int, rcpts, raw: bytes = RAW):
    async def run():
        async with aiosmtplib.SMTP(hostname=LOOPBACK, port=port) as conn:
            first = await send_raw(conn, "a@example.gov.vn", rcpts, raw)
            second = await send_raw(conn, "a@example.gov.vn", rcpts, raw)  # the connection is reusable
            return first, second
    return asyncio.run(run())


def test_the_bytes_arrive_unchanged_and_their_declared_size_is_what_arrives(server):
    rec = Recorder()
    port = server(rec)
    (refused, reply), _ = send(port, ["b@example.vn", "c@example.vn"])
    assert refused == {} and reply == "2.0.0 queued as 42"
    (options, rcpts, data), again = rec.got
    assert data == RAW and again[2] == RAW and rcpts == ("b@example.vn", "c@example.vn")
    assert options == [f"SIZE={len(data)}"]  # RFC 1870: the octets of the message, dots unstuffed


def test_a_refused_recipient_is_reported_and_the_others_still_get_the_message(server):
    rec = Recorder(refuse={"gone@example.vn"})
    (refused, _), _ = send(server(rec), ["gone@example.vn", "b@example.vn"])
    assert set(refused) == {"gone@example.vn"} and refused["gone@example.vn"].code == 550
    assert [r for _, r, _ in rec.got] == [("b@example.vn",), ("b@example.vn",)]


def test_every_recipient_refused_raises_and_leaves_the_connection_usable(server):
    rec = Recorder(refuse={"gone@example.vn"})
    port = server(rec)

    async def run():
        async with aiosmtplib.SMTP(hostname=LOOPBACK, port=port) as conn:
            with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
                await send_raw(conn, "a@example.gov.vn", ["gone@example.vn"], RAW)
            return await send_raw(conn, "a@example.gov.vn", ["b@example.vn"], RAW)  # after RSET

    refused, _ = asyncio.run(run())
    assert refused == {} and len(rec.got) == 1


def test_wire_size_counts_the_final_line_break_data_adds():
    assert wire_size(b"a\r\nb\r\n") == 6 and wire_size(b"a\r\nb") == 6
