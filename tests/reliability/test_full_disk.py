"""A full disk under the store: the message stays on the server, a clear log line says why, no
partial rows are left, and once space is back the message is recorded exactly once.

The store (`[storage] dir`) is a tiny tmpfs mounted by the test (root only; skipped otherwise),
the database lives elsewhere. Two ways to be full: the raw message itself does not fit, and
the raw message fits but the attachments extracted from it do not.
"""
from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from db.models import Attachment, InboundMessage, Submission
from tests.sites import ServiceRun, settled, wait_until

from .harness import START, SinkIndex, Timeline
from .invariants import check
from .world import report_mail

STORE_MB = 6
ANNEX = 1_000_000  # bytes of the big attachment (its raw mail is ~1.4 MB base64)


@contextmanager
def tmpfs(path: Path, megabytes: int):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs for the store needs root")
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0700", "tmpfs", str(path)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(store: Path, leave: int) -> Path:
    """A filler file taking all but `leave` bytes of the store's file system."""
    filler = store / "filler"
    filler.unlink(missing_ok=True)
    st = os.statvfs(store)
    free = st.f_bavail * st.f_frsize
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


def _counts(site) -> tuple[int, int, int]:
    with site.session() as s:
        return tuple(s.exec(select(func.count()).select_from(m)).one() for m in (InboundMessage, Attachment, Submission))


def _logged_full(run: ServiceRun) -> list[str]:
    return [r["msg"] for r in run.records() if "No space left on device" in r.get("msg", "")
            and r.get("level") in ("warning", "error")]


def test_a_full_store_keeps_the_message_on_the_server_and_retries(make_site, tmp_path):
    with tmpfs(tmp_path / "disk" / "var", STORE_MB) as store:
        site = make_site("disk", agencies=3, db_url=f"sqlite:///{tmp_path / 'disk-db' / 'reportbot.db'}")
        timeline = Timeline(START - timedelta(days=1), 1.0)
        r = report_mail(site.agencies[0], timeline.now(), thread=None, annex=os.urandom(ANNEX), kind="large")

        filler = fill(store, leave=100_000)  # 1. not even the raw message fits
        site.append(r.raw, timeline.now())
        run = ServiceRun(site, timeline.now())
        wait_until(lambda: _logged_full(run), 60, "logging the full disk", run)
        wait_until(lambda: len(_logged_full(run)) >= 3, 60, "retrying", run)
        assert _counts(site) == (0, 0, 0)
        assert site.folder_counts()["INBOX"] == 1
        assert not list(store.rglob(".tmp-*"))  # no half-written file left behind

        filler = fill(store, leave=len(r.raw) + 300_000)  # 2. the raw mail fits, its attachments do not
        seen = len(_logged_full(run))
        wait_until(lambda: len(_logged_full(run)) >= seen + 4, 60, "failing to store the attachments", run)
        with site.session() as s:
            row = s.exec(select(InboundMessage)).one()
        assert row.state == "stored", (row.state, row.reason)  # not given up on, not quarantined
        assert _counts(site)[1:] == (0, 0)                     # no attachment or submission rows
        assert site.folder_counts()["INBOX"] == 1

        filler.unlink()  # 3. space is back
        wait_until(lambda: settled(site), 60, "recording the message", run)
        assert run.stop() == 0
        f = check(site, [r], SinkIndex(site.smtp))
    full = _logged_full(run)
    print("\n" + "\n".join(full[:2] + full[-2:]))
    assert f.problems == [] and f.recorded_once == 1 and f.acks_sent == 1
