"""`reportbot run`: the long-running service, one asyncio process.

- The inbox watcher (bot/intake/poll.watch: IDLE or polling, synchronous imapclient) runs
  in a thread. Every instance watches: intake claims each message, so two instances on
  one database never record a reply twice.
- An APScheduler 3.x AsyncIOScheduler runs the scheduler tick (bot/scheduler.run_tick)
  every `tick_seconds` real seconds in a worker thread, with `clock.now()` — only in the
  instance that holds the scheduler lock (bot/service/locks.py). It ticks once at start: the
  planner sends only the latest missed reminder, the digest only today's, so a restart
  after downtime catches up without a burst.
- SIGTERM/SIGINT: stop taking work (scheduler stopped, watcher and mailer told to stop),
  finish the message or tick in hand, release the lock, return 0.

Every moment the service decides on comes from the injected clock (the demo runs it on
an AcceleratedClock); the ServiceState facts it writes through bot/core/service_state.py
("service:started" / "service:last_tick" / "service:stopped") feed `reportbot status`.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import select

from bot.core.app import App
from bot.core.backoff import Backoff, sleep_unless
from bot.core.clock import Clock, SystemClock
from bot.core.errors import UserError
from bot.core.service_state import LEADER, STARTED, STOPPED, put_service_fact
from bot.intake.pipeline import Intake, release_abandoned_claims
from bot.intake.poll import PassSummary, watch
from bot.service.locks import Leadership, fetcher_turn, leadership_for
from bot.service.tick import TickSummary, run_tick
from db.models import Campaign

log = logging.getLogger("reportbot.service")

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
WATCH_RESTART = Backoff(base_seconds=2.0, cap_seconds=300.0)  # a watcher that keeps failing: 1–2 s … 5 min


class Service:
    def __init__(self, application: App, clock: Clock | None = None, *, tick_seconds: float = 60.0,
                 leadership: Leadership | None = None, watch_inbox: bool = True) -> None:
        if tick_seconds <= 0:
            raise ValueError("tick_seconds must be positive")
        self.app, self.clock, self.tick_seconds = application, clock or SystemClock(), tick_seconds
        self.leadership = leadership or leadership_for(application.engine)
        self.watch_inbox = watch_inbox
        self.ticks = 0
        self.exit_code = 0
        self._stopping = threading.Event()
        self._stop_event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._leader = False
        self._last_fatal: str | None = None
        self._tick_future: asyncio.Future | None = None
        self._tick_pool = ThreadPoolExecutor(1, thread_name_prefix="tick")

    # ------------------------------------------------------------------ lifecycle
    def stop(self, code: int | None = None) -> None:
        """Ask the service to stop (from any thread or a signal handler)."""
        if code is not None and not self.exit_code:
            self.exit_code = code
        self._stopping.set()
        if self._loop is not None and self._stop_event is not None:
            self._loop.call_soon_threadsafe(self._stop_event.set)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def run(self, *, install_signals: bool = True) -> int:
        self._loop, self._stop_event = asyncio.get_running_loop(), asyncio.Event()
        if self._stopping.is_set():
            self._stop_event.set()
        if not self._is_postgres():
            self.leadership.acquire()  # SQLite: one run per database, or UserError now
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._loop.add_signal_handler(sig, self._on_signal, sig)
        self._record(STARTED, {"tick_seconds": self.tick_seconds})
        log.info("reportbot run started (pid %s, tick every %s s, clock %s)", os.getpid(), self.tick_seconds,
                 type(self.clock).__name__)
        watcher = asyncio.ensure_future(asyncio.to_thread(self._watch)) if self.watch_inbox else None
        scheduler = AsyncIOScheduler(timezone=self._timezone())
        scheduler.add_job(self._tick_job, "interval", seconds=self.tick_seconds, id="tick", max_instances=1,
                          coalesce=True, misfire_grace_time=None,
                          next_run_time=datetime.now(UTC))
        scheduler.start()
        try:
            await self._stop_event.wait()
        finally:
            await self._shutdown(scheduler, watcher)
        return self.exit_code

    async def _shutdown(self, scheduler: AsyncIOScheduler, watcher) -> None:
        self._stopping.set()
        log.info("stopping: finishing the work in hand")
        scheduler.shutdown(wait=False)
        if self._tick_future is not None:
            await asyncio.wait({self._tick_future})  # the tick in hand finishes (its mailer stops early)
        if watcher is not None:
            await asyncio.wait({watcher})
        self._tick_pool.shutdown(wait=True)
        self._record(STOPPED, {"ticks": self.ticks, "exit_code": self.exit_code})
        self.leadership.release()
        log.info("reportbot run stopped")

    def _on_signal(self, sig: int) -> None:
        # Handlers stay installed while stopping: a repeated SIGTERM must not cut the work in hand.
        log.info("received %s%s", signal.Signals(sig).name, " (already stopping)" if self.stopping else "")
        self.stop()

    # ------------------------------------------------------------------ the scheduler
    async def _tick_job(self) -> None:
        """Start a tick in the tick thread unless one is still running (a long catch-up)."""
        if self.stopping or (self._tick_future is not None and not self._tick_future.done()):
            return
        self._tick_future = asyncio.get_running_loop().run_in_executor(self._tick_pool, self._tick)

    def _tick(self) -> TickSummary | None:
        """In the tick thread: lead or skip, then one pass at clock.now()."""
        try:
            if not self._lead():
                return None
            now = self.clock.now()
            summary = run_tick(self.app, now, clock=self.clock.now, should_stop=self._stopping.is_set)
        except Exception:  # noqa: BLE001 - a failed tick is logged; the next one tries again
            log.exception("scheduler tick failed; retrying at the next tick")
            return None
        self.ticks += 1
        level = logging.INFO if summary.queued or summary.sent or summary.errors else logging.DEBUG
        log.log(level, "tick at %s: %s", now.isoformat(timespec="seconds"), summary.line())
        if summary.fatal != self._last_fatal:  # said once when it starts, once when it ends
            if summary.fatal:
                log.error("sending stopped: %s; the mail stays queued", summary.fatal)
            else:
                log.info("sending works again")
            self._last_fatal = summary.fatal
        return summary

    def _lead(self) -> bool:
        was, self._leader = self._leader, self.leadership.acquire()
        if self._leader != was:
            log.info("this instance %s the scheduler", "now runs" if self._leader else "no longer runs")
            if self._leader:
                self._record(LEADER, {})
        return self._leader

    # ------------------------------------------------------------------ the inbox
    def _watch(self) -> None:
        """In the watcher thread: watch() until stopped; restarted with backoff if it fails."""
        intake = Intake(self.app.config, self.app.engine, should_stop=self._stopping.is_set,
                        may_fetch=fetcher_turn(self.app.engine))
        failures = 0

        def on_pass(summary: PassSummary) -> None:
            nonlocal failures
            failures = 0  # it works again: a later failure starts the backoff afresh
            self._on_pass(intake, summary)

        while not self.stopping:
            try:
                watch(intake, self._stopping.is_set, clock=self.clock.now, on_pass=on_pass)
                return
            except UserError as e:  # login refused, bad folder: a person must fix the config
                log.error("inbox: %s; stopping", e)
                self.stop(2)
                return
            except Exception:  # noqa: BLE001 - a database hiccup must not end intake for good
                failures += 1
                delay = WATCH_RESTART.seconds(failures)
                log.exception("inbox watcher failed; restarting in %.0f s", delay)
            sleep_unless(delay, self._stopping.is_set)

    def _on_pass(self, intake: Intake, summary: PassSummary) -> None:
        released = release_abandoned_claims(intake, self.clock.now())
        if summary.fetched or summary.outcomes or summary.errors or released:
            states = ", ".join(f"{summary.count(s)} {s}" for s in ("processed", "quarantined", "ignored")
                               if summary.count(s))
            log.info("inbox: %d fetched, %d new%s%s%s", summary.fetched, summary.stored,
                     f"; {states}" if states else "",
                     f"; {len(summary.errors)} failed (kept for the next pass)" if summary.errors else "",
                     f"; {released} abandoned claim(s) released" if released else "")

    # ------------------------------------------------------------------ helpers
    def _is_postgres(self) -> bool:
        return self.app.engine.url.get_backend_name() == "postgresql"

    def _timezone(self) -> str:
        try:
            with self.app.session() as s:
                return s.exec(select(Campaign.timezone).order_by(Campaign.id)).first() or DEFAULT_TZ
        except Exception:  # noqa: BLE001
            return DEFAULT_TZ

    def _record(self, key: str, value: dict) -> None:
        try:
            with self.app.session() as s:
                put_service_fact(s, key, self.clock.now(), value)
        except Exception:  # noqa: BLE001 - health bookkeeping must never stop the service
            log.warning("could not record %s", key, exc_info=True)


def run_service(application: App, clock: Clock | None = None, *, tick_seconds: float = 60.0) -> int:
    """Run until SIGTERM/SIGINT; returns the exit code."""
    return asyncio.run(Service(application, clock, tick_seconds=tick_seconds).run())
