"""One SMTP mail transaction for bytes that are already a finished message (the outbox's).

aiosmtplib's `sendmail` declares the SIZE (RFC 1870) by normalising the whole message's
line endings into a copy only to count it — a regular-expression pass over ~300 KB, as
costly as the DATA command's own two passes (line endings, dot-stuffing). Our bytes come
from `EmailMessage.as_bytes()` under an SMTP policy: CRLF line endings throughout, so their
length already is that size. This does what `sendmail` does (MAIL, RCPT per recipient,
DATA; RSET after a refusal) through aiosmtplib's public commands, minus that pass.
"""
from __future__ import annotations

from collections.abc import Sequence

import aiosmtplib
from aiosmtplib import (
    SMTPRecipientRefused,
    SMTPRecipientsRefused,
    SMTPResponse,
    SMTPResponseException,
)


def wire_size(raw: bytes) -> int:
    """The SIZE of CRLF-terminated bytes as DATA carries them (without dot-stuffing)."""
    return len(raw) if raw.endswith(b"\r\n") else len(raw) + 2


async def send_raw(conn: aiosmtplib.SMTP, mail_from: str, rcpts: Sequence[str], raw: bytes
                   ) -> tuple[dict[str, SMTPResponse], str]:
    """Send `raw` to `rcpts`; returns (refused recipients, the server's reply to DATA), as
    `sendmail` does. Raises SMTPRecipientsRefused when every recipient is refused, and
    the SMTP exceptions of MAIL or DATA as they come."""
    options = [f"SIZE={wire_size(raw)}"] if conn.supports_extension("size") else []
    try:
        await conn.mail(mail_from, options=options)
        errors: list[SMTPRecipientRefused] = []
        for rcpt in rcpts:
            try:
                await conn.rcpt(rcpt)
            except SMTPRecipientRefused as e:
                errors.append(e)
        if len(errors) == len(rcpts):
            raise SMTPRecipientsRefused(errors)
        response = await conn.data(raw)
    except (SMTPResponseException, SMTPRecipientsRefused):
        try:  # leave the connection ready for the next message, as sendmail does
            await conn.rset()
        except (ConnectionError, SMTPResponseException):
            pass
        raise
    return {e.recipient: SMTPResponse(e.code, e.message) for e in errors}, response.message
