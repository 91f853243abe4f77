"""The one send pass over the outbox, shared by the scheduler's tick (bot/service/tick.py) and
the CLI's `dispatch` (bot/cli/outbound_cmds.py): the mailer sends every due row the filter
selects (bot/outbound/mailer.py), stopping after the message in hand once asked to, and the
mail it delivered for the first time is then copied to the IMAP Sent folder when configured.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import select

from bot.core.app import App
from bot.core.config import ImapConfig
from bot.core.imap_connect import open_imap
from bot.outbound.mailer import Mailer, SendSummary
from bot.outbound.outbox import read_bodies
from bot.outbound.outbox_claims import Filter
from db.engine import session_scope
from db.models import OutboundMail

log = logging.getLogger(__name__)

StopFlag = Callable[[], bool]
STOP_POLL_SECONDS = 0.2
COPY_BATCH = 50


def send_pass(application: App, f: Filter | None = None, *, clock: Callable[[], datetime], actor: str,
              should_stop: StopFlag | None = None, on_item: Callable[[str], None] | None = None) -> SendSummary:
    """One mailer pass over the due rows `f` selects (default: all), then the Sent copies.

    `should_stop()` turning true ends the pass after the message in hand on each connection
    (the rest stays queued, released for the next pass); `on_item(status)` is called once per
    row handled (e.g. to advance a progress bar)."""
    cfg = application.config
    mailer = Mailer(application.engine, cfg.smtp, clock=clock, actor=actor, on_item=on_item,
                    ssl_context=cfg.smtp.ssl_context() if cfg.smtp.security != "none" else None)
    summary = asyncio.run(_run_stoppable(mailer, f or Filter(), should_stop or (lambda: False)))
    if cfg.smtp.save_to_sent and summary.sent_ids:
        summary.copied = save_sent_copies(application.engine, cfg.imap, cfg.smtp.sent_folder, summary.sent_ids)
    return summary


async def _run_stoppable(mailer: Mailer, f: Filter, should_stop: StopFlag) -> SendSummary:
    task = asyncio.create_task(mailer.run(f))
    while not task.done():
        await asyncio.wait({task}, timeout=STOP_POLL_SECONDS)
        if should_stop():
            mailer.request_stop()
    return task.result()


def save_sent_copies(engine: Engine, imap: ImapConfig, folder: str, ids: Sequence[int]) -> int:
    """Append the sent messages to the IMAP Sent folder (\\Seen); returns how many were copied.

    The connection is the intake's (bot/core/imap_connect.py: TLS, password or XOAUTH2).
    A copy is a convenience for staff: a failure is logged, never fatal."""
    if not ids:
        return 0
    try:
        with open_imap(imap) as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            copied = 0
            for i in range(0, len(ids), COPY_BATCH):
                with session_scope(engine) as s:
                    sent_at = dict(s.exec(select(OutboundMail.id, OutboundMail.sent_at)
                                          .where(OutboundMail.id.in_(ids[i:i + COPY_BATCH]))).all())
                    bodies = read_bodies(s, sent_at)
                for rid, raw in bodies.items():
                    client.append(folder, raw, flags=[b"\\Seen"], msg_time=sent_at[rid])
                    copied += 1
            return copied
    except Exception as e:  # noqa: BLE001
        log.warning("could not copy sent mail to IMAP folder %r: %s: %s", folder, type(e).__name__, e)
        return 0
