"""A connection that breaks while logging in is a network error (the watcher reconnects with
backoff), never "login refused" (which stops `reportbot run` for a person to fix the config)."""
from __future__ import annotations

import pytest
from imapclient.exceptions import IMAPClientError

from bot.core.config import ImapConfig
from bot.core.errors import UserError
from bot.intake.inbox import NETWORK_ERRORS, Mailbox
from tests.servers.proxy import FaultyProxy


@pytest.fixture
def proxy(dovecot):
    p = FaultyProxy(dovecot.host, dovecot.port).start()
    yield p
    p.stop()


@pytest.mark.parametrize("command, oauth2", [(b"LOGIN", False), (b"AUTHENTICATE", True)])
def test_a_connection_dropped_during_login_is_a_network_error_not_a_refusal(
        proxy, dovecot, imap_account, tmp_path, monkeypatch, command, oauth2):
    """Regression: imapclient turns every error during LOGIN into a LoginError, so a dropped
    connection ("command: LOGIN => socket error: EOF") read as a refused password and stopped
    the service (CI, test_imap_login_unavailable_stopped_the_service)."""
    token = tmp_path / "token"
    token.write_text(dovecot.oauth2_token(imap_account))
    monkeypatch.setenv("REPORTBOT_IMAP_PASSWORD", imap_account.password)
    cfg = ImapConfig(host=proxy.host, port=proxy.port, security="none", username=imap_account.username,
                     oauth2_token_command=f"cat {token}" if oauth2 else "", timeout_seconds=10)
    proxy.on_client(command, lambda: "drop")
    with pytest.raises(NETWORK_ERRORS) as caught:
        Mailbox(cfg).connect()
    assert not isinstance(caught.value, UserError) and isinstance(caught.value, IMAPClientError)
    with Mailbox(cfg) as mb:  # the next attempt goes through
        assert mb.uidvalidity


def test_a_wrong_password_is_still_a_refusal(proxy, imap_account, monkeypatch):
    monkeypatch.setenv("REPORTBOT_IMAP_PASSWORD", imap_account.password + "-wrong")
    cfg = ImapConfig(host=proxy.host, port=proxy.port, security="none", username=imap_account.username)
    with pytest.raises(UserError, match="refused"):
        Mailbox(cfg).connect()


def test_a_folder_the_server_does_not_have_is_a_config_error(dovecot, imap_account, monkeypatch):
    """Not a network error to retry every few minutes for ever: a person must fix imap.folder."""
    monkeypatch.setenv("REPORTBOT_IMAP_PASSWORD", imap_account.password)
    cfg = ImapConfig(host=dovecot.host, port=dovecot.port, security="none", username=imap_account.username,
                     folder="Báo cáo/Không có")
    with pytest.raises(UserError, match="imap.folder: the server has no folder 'Báo cáo/Không có'"):
        Mailbox(cfg).connect()
