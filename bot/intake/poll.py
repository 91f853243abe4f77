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
PROCESS_BATCH = 50  # stored messages read per query while processing
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
    """1. The raw store, committed, before anything reads the message."""
    try:
        inbound_id, created = _store(intake, mb, f, now)
    except OSError as e:
        _raise_if_full(e, f"message UID {f.uid} ({f.size} bytes)")
        raise
    summary.stored += created
    if not created:  # the same bytes delivered again under another UID: filed like the first copy
        with session_scope(intake.engine) as s:
            row = s.get(InboundMessage, inbound_id)
            first_uid, state = row.uid, row.state
        if first_uid != f.uid and state in FINISHED:
            mb.file_away(f.uid, _target(intake, state))


def _file(intake: Intake, mb: Mailbox, inbound_id: int, state: str) -> None:
    """3. Out of the inbox, once the pipeline's transaction committed; 4. remember it is filed.
    Any instance may file a message it processed: its UID is the same for every connection."""
    cfg = intake.config.imap
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        if row.mailbox_done or row.uid is None or row.folder != cfg.folder or row.uidvalidity != mb.uidvalidity:
            return  # not from this folder's current numbering (moved by a person, or an upload)
        uid = row.uid
    mb.file_away(uid, _target(intake, state))
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        row.mailbox_done = True
        st = s.exec(select(MailboxState).where(MailboxState.folder == cfg.folder)).one()
        st.last_uid = max(st.last_uid, uid)


def _target(intake: Intake, state: str) -> str:
    cfg = intake.config.imap
    return cfg.processed_folder if state in FILED_AS_DONE else cfg.quarantine_folder


FINISHED = (InboundState.PROCESSED, InboundState.IGNORED, InboundState.QUARANTINED, InboundState.REJECTED,
            InboundState.FAILED)
FILED_AS_DONE = (InboundState.PROCESSED, InboundState.IGNORED)


def _process_one(intake: Intake, mb: Mailbox, inbound_id: int, now: datetime, summary: PassSummary) -> None:
    """2. The pipeline (idempotent: a processed message is left as it is), then filing."""
    try:
        outcome = process(intake, inbound_id, now)
    except Exception as e:  # noqa: BLE001 - the message stays stored (and in the inbox): retried later
        _raise_if_full(e, f"the files of message #{inbound_id}")  # not the message's fault: no attempt counted
        log.exception("intake of message #%s failed; it is tried again after a pause", inbound_id)
        summary.errors.append(f"#{inbound_id}: {type(e).__name__}: {e}")
        if note_failure(intake, inbound_id, e, now) != InboundState.FAILED:
            return
        outcome = IntakeOutcome(inbound_id, InboundState.FAILED, "", reason=str(e))
    if outcome.state == InboundState.STORED:
        return  # another worker has it, or its next attempt is not due
    summary.outcomes.append(outcome)
    _file(intake, mb, inbound_id, outcome.state)


def _process_due(intake: Intake, mb: Mailbox, clock: Clock, summary: PassSummary) -> None:
    """Every stored message whose attempt is due, oldest first, whoever fetched it: each is
    claimed before it is processed, so instances sharing a database share the work."""
    tried: set[int] = set()
    while not (intake.should_stop and intake.should_stop()):
        now = clock()
        with session_scope(intake.engine) as s:
            due = or_(col(InboundMessage.next_attempt_at).is_(None), InboundMessage.next_attempt_at <= now)
            ids = [i for i in s.exec(select(InboundMessage.id).where(InboundMessage.state == InboundState.STORED, due)
                                     .order_by(InboundMessage.id).limit(len(tried) + PROCESS_BATCH)) if i not in tried]
        if not ids:
            return
        for inbound_id in ids:
            tried.add(inbound_id)
            _process_one(intake, mb, inbound_id, clock(), summary)


def _file_finished(intake: Intake, mb: Mailbox, uids: list[int]) -> None:
    """Messages still in the folder whose processing had finished (a crash between the commit
    and the move, or another instance that processed but could not file them)."""
    cfg = intake.config.imap
    with session_scope(intake.engine) as s:
        rows = s.exec(select(InboundMessage.id, InboundMessage.uid, InboundMessage.state).where(
            InboundMessage.folder == cfg.folder, InboundMessage.uidvalidity == mb.uidvalidity,
            col(InboundMessage.uid).in_(uids), col(InboundMessage.state).in_(FINISHED),
            InboundMessage.mailbox_done == False)).all()  # noqa: E712 - SQL, not Python truth
    for inbound_id, _, state in rows:
        _file(intake, mb, inbound_id, state)


def _unknown(intake: Intake, mb: Mailbox, uids: list[int]) -> list[int]:
    """The UIDs not stored yet: only those are fetched (another instance may have stored the rest)."""
    cfg = intake.config.imap
    with session_scope(intake.engine) as s:
        known = set(s.exec(select(InboundMessage.uid).where(
            InboundMessage.folder == cfg.folder, InboundMessage.uidvalidity == mb.uidvalidity,
            col(InboundMessage.uid).in_(uids))))
    return [u for u in uids if u not in known]


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


def poll_pass(intake: Intake, mb: Mailbox, clock: Clock) -> PassSummary:
    """Fetch what is waiting in the folder (when it is this instance's turn to fetch), store it,
    then process every stored message that is due, in batches. The clock is read for each
    message (a long pass must not date its last receipt at the pass's start)."""
    summary = PassSummary()
    _mailbox_state(intake, intake.config.imap.folder, mb.uidvalidity, clock())
    intake.refresh_directory()
    if intake.may_fetch is None or intake.may_fetch():
        uids = mb.waiting_uids()
        new = _unknown(intake, mb, uids)
        size = intake.config.imap.batch_size
        for i in range(0, len(new), size):
            for f in mb.fetch(new[i:i + size]):
                summary.fetched += 1
                _take(intake, mb, f, clock(), summary)
        _file_finished(intake, mb, uids)
    _process_due(intake, mb, clock, summary)
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
                    if summary is not None and (summary.fetched or summary.outcomes):
                        continue  # mail that came during the pass raises no IDLE event: look again now
                    mb.wait_for_mail(wait, should_stop)
        except NETWORK_ERRORS as e:
            failures += 1
            delay = RECONNECT.seconds(failures)
            log.warning("inbox connection lost (%s: %s); reconnecting in %.0f s", type(e).__name__, e, delay)
            sleep_unless(delay, should_stop)
