"""Worker identity: who holds a claim, and whether that process is gone.

A claim (outbox row, inbound message) names its holder 'host:pid:tag', so a later run on the
same host can tell a crashed holder from a live one and take the row back before its lease ends.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path

HOST = socket.gethostname()[:60]


def worker_name(tag: str) -> str:
    """'host:pid:tag' — lets a later run on this host see that the claimer is gone."""
    return f"{HOST}:{os.getpid()}:{tag}"[:100]


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child not yet reaped by its parent still answers kill(0)
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def claimer_gone(claimed_by: str | None) -> bool:
    """True only when the holder ran on this host and its process no longer exists."""
    host, _, rest = (claimed_by or "").partition(":")
    pid = rest.partition(":")[0]
    return host == HOST and pid.isdigit() and int(pid) != os.getpid() and pid_gone(int(pid))
