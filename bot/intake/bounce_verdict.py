"""Is a failed delivery permanent (stop writing to the address) or temporary (keep it)? Pure.

Read per recipient, from the strongest evidence to the weakest:
- the DSN's Action (RFC 3464 §2.3.3): `delayed` is a warning, the message is still queued;
- the status class (RFC 3463 §3.1): 4.x.x is a persistent transient failure, 5.x.x permanent;
  a generic X.0.0 gives way to a specific code the remote server stated in its reply;
- without a status, the SMTP reply code (RFC 5321 §4.2.1): 4yz transient, 5yz permanent;
- a message that expired in a queue (X.4.7, "retry timeout exceeded", "has been in the queue
  too long", ...) is temporary whatever class the reporting server gave it: it says the
  destination could not be reached for a while, not that the address does not exist;
- with none of these, the words of a temporary failure ("try again later", "deferred").
A notice that states nothing is a failure as it says: permanent.
"""

from __future__ import annotations

import re

# An enhanced status code (RFC 3463): class 2, 4 or 5, subject and detail of up to three digits.
STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)")
# An SMTP reply code where a server's reply starts: "550 ...", "550-...", "said: 421", "ERROR_CODE :421".
REPLY_CODE = re.compile(r"(?:^|[\s;:(<\[\"'=#])([245][0-5]\d)(?=[\s\-.,;:)\]\"']|$)")

_EXPIRED = re.compile(
    r"(?i)\bexpired\b|\bexpir(?:y|ation) of\b|retry time(?:out| not reached)|retry timeout exceeded"
    r"|(?:been|sitting|stayed|remained) in (?:the|our|a) (?:mail )?queue (?:for )?too long|in the queue too long"
    r"|too long in (?:the )?queue|could not (?:be )?deliver(?:ed)? for (?:the last|more than|over) \d"
    r"|not (?:been )?delivered within \d|not deliver(?:ed)? (?:it )?within the (?:allowed|maximum)"
    r"|after (?:multiple|many|repeated|several) (?:retries|attempts)|giving up after|gave up after"
    r"|(?:have|has) been failing for a long time|failing for a long time|long failure period"
    r"|did not accept our requests to connect|was not reachable within|could not be delivered for \d"
    r"|maximum (?:time|number of (?:delivery )?attempts)|delivery time (?:limit|expired)|queue\.expired"
    r"|message timed out|timed out in (?:the )?queue|undeliverable for (?:more than )?\d+ (?:day|hour)"
)
_TEMPORARY = re.compile(
    r"(?i)temporar(?:y|ily)\b|try (?:again )?later|please retry|will (?:be )?retr(?:y|ied)|still (?:being )?(?:re)?tr(?:y|ied)"
    r"|\bdeferred\b|\bdelayed\b|greylist|graylist|not yet been delivered|delivery (?:is )?delayed"
    r"|will continue (?:to )?(?:try|attempt)|attempts will continue|transient (?:failure|error)"
)


def status_code(text: str | None) -> str | None:
    """The first enhanced status code with a failure class (4 or 5) in a text, else None."""
    for m in STATUS.finditer(text or ""):
        if m.group(1) in "45":
            return ".".join(m.groups())
    return None


def reply_code(text: str | None) -> str | None:
    """The first SMTP failure reply code (4yz or 5yz) in a text, else None."""
    for m in REPLY_CODE.finditer(text or ""):
        if m.group(1)[0] in "45":
            return m.group(1)
    return None


def best_status(dsn_status: str | None, diagnostic: str | None) -> str | None:
    """The DSN's Status, unless it is a generic X.0.0 and the remote reply names a specific code."""
    said = status_code(diagnostic)
    if dsn_status and not (said and (dsn_status.endswith(".0.0") or said[0] != dsn_status[0])):
        return dsn_status
    return said or dsn_status


def expired(text: str | None) -> bool:
    return bool(text) and _EXPIRED.search(text) is not None


def is_permanent(*, status: str | None, action: str, code: str | None, text: str | None,
                 notice_temporary: bool = False) -> bool:
    """The verdict for one recipient (see the module docstring for the order of evidence)."""
    if action in ("delayed", "expired"):  # "expired": a non-standard Action some senders write
        return False
    if status and status[1:] == ".4.7" or expired(text):
        return False
    if status and status[0] in "45":
        return status[0] == "5"
    if code:
        return code[0] == "5"
    if text and _TEMPORARY.search(text):
        return False
    return not notice_temporary


def notice_is_temporary(text: str) -> bool:
    """Does a notice as a whole speak of a temporary failure (for recipients it states nothing of)?"""
    if re.search(r"(?i)\bpermanent(?:ly)?\b", text or ""):
        return expired(text)
    return expired(text) or _TEMPORARY.search(text or "") is not None
