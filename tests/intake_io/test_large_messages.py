"""Messages too large to hold in memory at once: read from Dovecot in pieces straight to the
store, recorded once, and either processed (a large report) or quarantined (over the limit) —
without ever holding the whole message in one FETCH response. The size thresholds are lowered
for the test; the code path is the one a 100 MB mail takes."""
from __future__ import annotations

import hashlib
import os
from email.message import EmailMessage

import pytest
from sqlmodel import select

import bot.intake.inbox
import bot.intake.pipeline
from bot.intake.poll import poll_once
from db.models import InboundMessage, Submission

from .conftest import FULL, NOW, reply

MIB = 1024 * 1024


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(bot.intake.inbox, "STREAM_BYTES", 1 * MIB)
    monkeypatch.setattr(bot.intake.inbox, "FETCH_BYTES", 2 * MIB)
    monkeypatch.setattr(bot.intake.inbox, "CHUNK_BYTES", 256 * 1024)


def _with_filler(raw: bytes, mib: int) -> bytes:
    """The reply plus an attachment of random bytes (incompressible, so the size is real)."""
    from email import message_from_bytes, policy

    msg: EmailMessage = message_from_bytes(raw, policy=policy.default)
    msg.add_attachment(os.urandom(mib * MIB), maintype="application", subtype="octet-stream",
                       filename="phu-luc.bin")
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))  # as the IMAP server keeps it


def _stored(site) -> list[InboundMessage]:
    with site.app.session() as s:
        return s.exec(select(InboundMessage).order_by(InboundMessage.uid)).all()


def test_a_large_report_is_read_in_pieces_and_recorded_byte_for_byte(site, small_limits):
    big = _with_filler(reply(sections=FULL), 3)
    site.append(reply(sections=FULL, subject="Re: [5422/BTTTT-CBC #BYT] Báo cáo (bản đầu)"))
    site.append(big)
    for _ in range(4):  # small ones around it: several FETCHes of at most FETCH_BYTES
        site.append(reply(sections=FULL, sender="Văn thư <vanthu@btc.example>",
                          subject="Re: [5422/BTTTT-CBC #BTC] Báo cáo"))
    summary = poll_once(site.intake, clock=lambda: NOW)
    assert not summary.errors and summary.fetched == 6 and summary.count("processed") == 6
    rows = _stored(site)
    assert [r.uid for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[1].size == len(big) and rows[1].sha256 == hashlib.sha256(big).hexdigest()
    assert site.app.store.root.joinpath(rows[1].raw_path).read_bytes() == big
    with site.app.session() as s:
        assert len(s.exec(select(Submission)).all()) == 6
    assert site.folder_count("INBOX") == 0 and site.folder_count("reportbot/processed") == 6


def test_a_message_over_the_limit_is_kept_and_quarantined_for_staff(site, small_limits, monkeypatch):
    monkeypatch.setattr(bot.intake.pipeline, "MAX_MESSAGE_BYTES", 2 * MIB)
    huge = _with_filler(reply(sections=FULL), 3)
    site.append(huge)
    summary = poll_once(site.intake, clock=lambda: NOW)
    assert summary.count("quarantined") == 1 and not summary.errors
    (row,) = _stored(site)
    assert row.state == "quarantined" and "too large" in row.reason and row.size == len(huge)
    assert summary.outcomes[0].agency == "BYT"  # its headers were still read: staff see who sent it
    assert site.app.store.root.joinpath(row.raw_path).read_bytes() == huge  # nothing lost
    assert site.folder_count("reportbot/quarantine") == 1
    summary = poll_once(site.intake, clock=lambda: NOW)  # nothing read twice
    assert summary.fetched == 0 and len(_stored(site)) == 1


def test_the_inbox_leaves_a_large_message_to_pieces_and_fetches_the_rest_whole(site, small_limits):
    from bot.intake.inbox import Mailbox

    big = _with_filler(reply(sections=FULL), 2)
    uids = [site.append(reply(body="x" * (700 * 1024))) for _ in range(3)] + [site.append(big)]
    with Mailbox(site.app.config.imap) as mb:
        got = [(f.uid, f.raw is None, f.size) for f in mb.fetch(uids)]
        pieces = list(mb.pieces(uids[-1]))
    assert [g[:2] for g in got] == [(uids[0], False), (uids[1], False), (uids[2], False), (uids[3], True)]
    assert got[-1][2] == len(big)
    assert b"".join(pieces) == big and len(pieces) == -(-len(big) // (256 * 1024))
