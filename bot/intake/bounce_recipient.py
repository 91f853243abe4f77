"""One recipient a bounce reports on (bot/intake/bounce.py reads them)."""

from __future__ import annotations

from dataclasses import dataclass

NOT_FAILED = ("delivered", "relayed", "expanded")  # DSN actions that report no failure at all


@dataclass(frozen=True)
class BounceRecipient:
    address: str  # Final-Recipient (or the address the notice names), lower-cased
    status: str | None  # enhanced status code "5.1.1", when stated
    diagnostic: str | None  # the remote server's words, shortened
    action: str  # "failed" | "delayed" | "delivered" | "relayed" | "expanded"
    original_recipient: str | None = None  # Original-Recipient, when the DSN has one
    reply_code: str | None = None  # the SMTP reply code the remote server gave ("550"), when stated
    permanent: bool = True  # the address is not to be written to again (bot/intake/bounce_verdict.py)

    @property
    def failed(self) -> bool:
        """A failure, permanent or temporary (a delay counts; a success report does not)."""
        return self.action not in NOT_FAILED
