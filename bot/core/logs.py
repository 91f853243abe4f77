"""Logging for the long-running service: readable lines by default, JSON lines on request.

Logs go to files and log collectors that more people read than the mail itself, so
every record passes through `Redact` first: e-mail addresses keep their first letter
and their domain (`v***@byt.example`: enough to tell agencies apart), and anything
that looks like a credential (`password=…`, `token: …`, an AUTH exchange) is masked.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["text", "json"]
LEVEL_ENV = "REPORTBOT_LOG_LEVEL"

_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@((?:[\w-]+\.)+[\w-]+)", re.UNICODE)
_SECRET = re.compile(r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|authorization)"
                     r"(\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|\S+)")
_AUTH = re.compile(r"(?i)\b(AUTH\s+(?:PLAIN|LOGIN|XOAUTH2))\s+\S+")
_JSON_SKIP = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def redact(text: str) -> str:
    """Mask e-mail addresses (first letter and domain kept) and credentials in `text`."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    text = _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return _AUTH.sub(lambda m: f"{m.group(1)} ***", text)


class Redact(logging.Filter):
    """Renders the message with its arguments, then masks it (and any traceback text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line: ts (UTC), level, logger, msg, any `extra=` fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        for key, value in vars(record).items():
            if key not in _JSON_SKIP and not key.startswith("_"):
                out[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info or record.exc_text:
            out["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class Text(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))  # extras rendered by handlers downstream, too


def setup_logging(fmt: LogFormat = "text", level: str | int | None = None, stream=None) -> logging.Handler:
    """Replace the root logger's handlers with one redacting handler (stderr by default).

    The level is `level`, else $REPORTBOT_LOG_LEVEL, else INFO."""
    if fmt not in ("text", "json"):
        raise ValueError(f"log format must be text or json, got {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(Redact())
    handler.setFormatter(JsonLines() if fmt == "json" else Text())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level or os.environ.get(LEVEL_ENV) or logging.INFO)
    for noisy in ("alembic", "apscheduler", "imapclient", "aiosmtplib", "sqlalchemy", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    return handler
