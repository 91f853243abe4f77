"""The one way reportbot opens an IMAP connection: `open_imap(cfg)` returns a logged-in IMAPClient.

Used by the intake (bot/intake/inbox.py) and by the mailer's copies to the Sent folder
(bot/outbound/mailer.py), so both connect alike: implicit TLS or STARTTLS as configured (CA
from `imap.ca_file`), `imap.timeout_seconds` on the socket, and either a password login or
XOAUTH2 with a token that `imap.oauth2_token_command` prints afresh for every connection.

What a failure raises:
- the connection broke (network, TLS, or during LOGIN) or the server refused for now
  (RFC 5530 [UNAVAILABLE]): an IMAPClientError or OSError, worth retrying later;
- the server refused the login: UserError naming the login, never the secret;
- the token command failed or printed no token: RuntimeFailure.
"""
from __future__ import annotations

import logging
import shlex
import subprocess

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from bot.core.config import ImapConfig
from bot.core.errors import RuntimeFailure, UserError

log = logging.getLogger(__name__)

TOKEN_COMMAND_SECONDS = 60


def open_imap(cfg: ImapConfig) -> IMAPClient:
    """A connected, authenticated IMAPClient (no folder selected); the caller logs it out."""
    ctx = cfg.ssl_context() if cfg.security != "none" else None
    client = IMAPClient(cfg.host, port=cfg.port, ssl=cfg.security == "tls", ssl_context=ctx,
                        timeout=cfg.timeout_seconds)
    try:
        if cfg.security == "starttls":
            client.starttls(ctx)
        _login(client, cfg)
    except BaseException:  # a refused login, a failed token command, or we are stopping: nothing half-open
        client.shutdown()
        raise
    return client


def connection_broke(e: IMAPClientError) -> bool:
    """The connection failed rather than the server saying no. imapclient turns every error
    during LOGIN/AUTHENTICATE into a LoginError; the broken connection is its context."""
    return isinstance(e, IMAPClientAbortError) or isinstance(e.__context__, (IMAPClientAbortError, OSError))


def _login(client: IMAPClient, cfg: ImapConfig) -> None:
    try:
        if cfg.oauth2_token_command:
            _oauth2_login(client, cfg)
        else:
            client.login(cfg.username, cfg.password())
    except IMAPClientError as e:
        if connection_broke(e):  # during LOGIN: a network error, reconnected with backoff
            raise
        if "[UNAVAILABLE]" in str(e).upper():  # RFC 5530: temporary (auth backend down): retried
            raise IMAPClientError(f"imap: login as {cfg.username!r} temporarily refused: {e}") from None
        raise UserError(f"imap: login as {cfg.username!r} refused: {e}") from None


def _oauth2_login(client: IMAPClient, cfg: ImapConfig) -> None:
    """XOAUTH2. A token refused by the server may have expired between the command and the
    login: ask once more, and try again if the command now gives a different one."""
    token = oauth2_token(cfg.oauth2_token_command)
    try:
        client.oauth2_login(cfg.username, token)
    except IMAPClientError as e:
        if connection_broke(e):
            raise
        fresh = oauth2_token(cfg.oauth2_token_command)
        if fresh == token:
            raise
        log.info("imap: XOAUTH2 token refused; trying the fresh one the token command gave")
        client.oauth2_login(cfg.username, fresh)


def oauth2_token(command: str) -> str:
    """A fresh access token from the configured command (it refreshes and caches as it sees fit)."""
    try:
        out = subprocess.run(shlex.split(command), capture_output=True, timeout=TOKEN_COMMAND_SECONDS, text=True)
    except (OSError, subprocess.SubprocessError) as e:
        raise RuntimeFailure(f"imap.oauth2_token_command could not run: {e}") from None
    said = (out.stderr.strip().splitlines() or [""])[-1][:200]
    if out.returncode != 0:
        raise RuntimeFailure(f"imap.oauth2_token_command failed (exit status {out.returncode})"
                             + (f": {said}" if said else ""))
    token = out.stdout.strip()
    if not token or any(c.isspace() for c in token):
        raise RuntimeFailure("imap.oauth2_token_command printed no token (expected one line: the access token)")
    return token
