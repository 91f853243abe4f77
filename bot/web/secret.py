"""The cookie-signing secret: read from its file, or generated there (owner-only) on first use.

It is never in the config file or the repository; losing it only signs everyone out."""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from bot.core.errors import RuntimeFailure

MIN_BYTES = 32


def load_or_create_secret(path: Path) -> bytes:
    try:
        data = path.read_bytes().strip()
    except FileNotFoundError:
        data = b""
    except OSError as e:
        raise RuntimeFailure(f"{path}: cannot read the web secret: {e.strerror}") from None
    if len(data) >= MIN_BYTES:
        return data
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    new = secrets.token_hex(32).encode("ascii")
    try:  # O_EXCL: two processes starting at once agree on the first one's secret
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if data:  # present but too short: a person must look at it
            raise RuntimeFailure(f"{path}: the web secret is shorter than {MIN_BYTES} bytes; delete it to "
                                 "generate a new one") from None
        time.sleep(0.05)  # the other process is writing it
        return load_or_create_secret(path)
    except OSError as e:
        raise RuntimeFailure(f"{path}: cannot write the web secret: {e.strerror}") from None
    with os.fdopen(fd, "wb") as f:
        f.write(new + b"\n")
    return new
