"""One intake pass over the inbox, and the watcher loop (IDLE or polling, reconnecting with backoff)."""
from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, or_, select

from bot.core.backoff import RETRY, Backoff, sleep_unless
from bot.intake.inbox import IDLE_RENEW_SECONDS, NETWORK_ERRORS, Fetched, Mailbox
from bot.intake.pipeline import Intake, IntakeOutcome, process
from bot.intake.rawstore import find_by_uid, store_raw, store_spooled
from bot.intake.recording import set_reason
from db.engine import session_scope
from db.events import log_event
from db.models import InboundMessage, MailboxState
from db.types import utcnow
from db.vocabulary import InboundState

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
MAX_ATTEMPTS = 3  # a message whose processing keeps crashing is set aside for staff, not retried forever
STORE_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
RECONNECT = Backoff(base_seconds=2.0, cap_seconds=300.0)  # 1–2 s, 2–4 s, … up to 5 min


class StoreFull(Exception):
    """The store's disk is full (or over quota): the message stays on the server, no attempt is
    counted against it, and the pass ends (retried at the next one)."""


def _raise_if_full(e: BaseException, what: str) -> None:
    if isinstance(e, OSError) and e.errno in STORE_FULL_ERRNOS:
        raise StoreFull(f"cannot store {what}: {e.strerror} ({errno.errorcode.get(e.errno, e.errno)})") from e


@dataclass
class PassSummary:
    fetched: int = 0
    stored: int = 0
    outcomes: list[IntakeOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for o in self.outcomes if o.state == state)


def _mailbox_state(intake: Intake, folder: str, uidvalidity: int, now: datetime) -> None:
    with session_scope(intake.engine) as s:
        st = s.exec(select(MailboxState).where(MailboxState.folder == folder)).first()
        if st is None:
            s.add(MailboxState(folder=folder, uidvalidity=uidvalidity, last_uid=0, last_check_at=now))
            return
        if st.uidvalidity != uidvalidity:  # UIDs were renumbered: rescan; dedupe by hash and Message-ID
            log_event(s, "mailbox.uidvalidity_changed", actor="inbox", at=now,
                      detail={"folder": folder, "old": st.uidvalidity, "new": uidvalidity})
            st.uidvalidity, st.last_uid = uidvalidity, 0
        st.last_check_at = now


def _store(intake: Intake, mb: Mailbox, f: Fetched, now: datetime) -> tuple[int, bool]:
    """Raw store first, committed: (inbound id, created). A message too large to hold is
    written in pieces, outside any transaction, unless its UID is known already."""
    cfg = intake.config.imap
    where = dict(received_at=f.internal_date or now, folder=cfg.folder, uidvalidity=mb.uidvalidity, uid=f.uid,
                 now=now)
    if f.raw is not None:
        with session_scope(intake.engine) as s:
            row, created = store_raw(s, intake.mail, f.raw, **where)
            return row.id, created
    with session_scope(intake.engine) as s:
        known = find_by_uid(s, cfg.folder, mb.uidvalidity, f.uid)
        if known is not None:
            return known.id, False
    spooled = intake.mail.put_stream(mb.pieces(f.uid))
    with session_scope(intake.engine) as s:
        row, created = store_spooled(s, intake.mail, *spooled, **where)
        return row.id, created


def _take(intake: Intake, mb: Mailbox, f: Fetched, now: datetime, summary: PassSummary) -> None:
    cfg = intake.config.imap
    try:
        inbound_id, created = _store(intake, mb, f, now)
    except OSError as e:
        _raise_if_full(e, f"message UID {f.uid} ({f.size} bytes)")
        raise
    summary.stored += created
    try:  # 2. the pipeline (idempotent: a processed message is left as it is)
        outcome = process(intake, inbound_id, now)
    except Exception as e:  # noqa: BLE001 - the message stays stored and in the inbox: retried next pass
        _raise_if_full(e, f"the files of message #{inbound_id}")  # not the message's fault: no attempt counted
        log.exception("intake of message #%s failed; it stays in the inbox for the next pass", inbound_id)
        summary.errors.append(f"#{inbound_id}: {type(e).__name__}: {e}")
        state = note_failure(intake, inbound_id, e, now)
        if state != InboundState.FAILED:
            return
        outcome = IntakeOutcome(inbound_id, InboundState.FAILED, "", reason=str(e))
    summary.outcomes.append(outcome)
    if outcome.state == "stored":
        return
    target = cfg.processed_folder if outcome.state in ("processed", "ignored") else cfg.quarantine_folder
    mb.file_away(f.uid, target)  # 3. only after the pipeline's transaction committed
    with session_scope(intake.engine) as s:  # 4. remember it is filed
        row = s.get(InboundMessage, inbound_id)
        row.mailbox_done = True
        st = s.exec(select(MailboxState).where(MailboxState.folder == cfg.folder)).one()
        st.last_uid = max(st.last_uid, f.uid)


def note_failure(intake: Intake, inbound_id: int, e: Exception, now: datetime) -> str:
    """Count a failed attempt: the message waits (the one backoff policy) before the next one;
    after MAX_ATTEMPTS it is set aside as failed, for staff to retry (`quarantine retry`)."""
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        row.attempts += 1
        set_reason(row, "processing_failed", {"error": f"{type(e).__name__}: {e}"[:1500]})
        row.claimed_by = row.claimed_at = None
        if row.attempts >= MAX_ATTEMPTS:
            row.state, row.next_attempt_at = InboundState.FAILED, None
        else:
            row.state, row.next_attempt_at = InboundState.STORED, now + RETRY.delay(row.attempts)
        log_event(s, "mail.failed", actor="intake", at=now,
                  detail={"inbound_id": inbound_id, "error": row.reason[:300], "attempts": row.attempts,
                          "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None})
        return row.state


def _process_leftovers(intake: Intake, now: datetime, in_mailbox: set[int], summary: PassSummary) -> None:
    """Stored rows whose message is no longer in the folder (moved by a person, or a
    crash before processing): processed from the raw store all the same."""
    with session_scope(intake.engine) as s:
        due = or_(col(InboundMessage.next_attempt_at).is_(None), InboundMessage.next_attempt_at <= now)
        ids = [r.id for r in s.exec(select(InboundMessage).where(InboundMessage.state == InboundState.STORED, due))
               if r.uid not in in_mailbox or r.uidvalidity is None]
    for inbound_id in ids:
        try:
            summary.outcomes.append(process(intake, inbound_id, now))
        except Exception as e:  # noqa: BLE001
            _raise_if_full(e, f"the files of message #{inbound_id}")
            log.exception("intake of stored message #%s failed", inbound_id)
            summary.errors.append(f"#{inbound_id}: {type(e).__name__}: {e}")
            note_failure(intake, inbound_id, e, now)


def poll_pass(intake: Intake, mb: Mailbox, clock: Clock) -> PassSummary:
    """Fetch everything waiting in the folder, in batches, and take each message.
    The clock is read for each message (a long pass must not date its last receipt
    at the pass's start)."""
    summary = PassSummary()
    _mailbox_state(intake, intake.config.imap.folder, mb.uidvalidity, clock())
    intake.refresh_directory()
    uids = mb.waiting_uids()
    size = intake.config.imap.batch_size
    for i in range(0, len(uids), size):
        for f in mb.fetch(uids[i:i + size]):
            summary.fetched += 1
            _take(intake, mb, f, clock(), summary)
    _process_leftovers(intake, clock(), set(uids), summary)
    return summary


def poll_once(intake: Intake, clock: Clock = utcnow) -> PassSummary:
    with Mailbox(intake.config.imap) as mb:
        return poll_pass(intake, mb, clock)


def watch(intake: Intake, should_stop: Callable[[], bool], clock: Clock = utcnow,
          on_pass: Callable[[PassSummary], None] | None = None) -> None:
    """Run until should_stop(): a pass, then IDLE (or sleep) until mail arrives; reconnect with
    exponential backoff (capped, jittered) after any network error — never a busy loop."""
    failures = 0
    while not should_stop():
        try:
            with Mailbox(intake.config.imap) as mb:
                failures = 0
                while not should_stop():
                    wait = min(intake.config.imap.poll_seconds, IDLE_RENEW_SECONDS)
                    try:
                        summary = poll_pass(intake, mb, clock)
                    except StoreFull as e:  # stay connected; a reconnect would not free any space
                        log.error("%s; the message stays on the server and is retried in %d s", e, wait)
                        summary = None
                    if on_pass and summary is not None:
                        on_pass(summary)
                    if summary is not None and summary.fetched:
                        continue  # mail that came during the pass raises no IDLE event: look again now
                    mb.wait_for_mail(wait, should_stop)
        except NETWORK_ERRORS as e:
            failures += 1
            delay = RECONNECT.seconds(failures)
            log.warning("inbox connection lost (%s: %s); reconnecting in %.0f s", type(e).__name__, e, delay)
            sleep_unless(delay, should_stop)
