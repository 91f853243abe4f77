"""XOAUTH2 logins against Dovecot's oauth2 passdb (a token endpoint on loopback), as reportbot
does them for Microsoft 365 and Gmail: the token comes from `imap.oauth2_token_command`, asked
afresh at every connection, never from the password file."""
from __future__ import annotations

import contextlib
import io
import json
import shlex
import sys

from sqlmodel import select

from bot.cli import main
from db.models import InboundMessage, Submission

from .conftest import FULL, make_site, reply


def _oauth2_site(tmp_path, imap_account, dovecot, command: str):
    site = make_site(tmp_path, imap_account, dovecot, extra=f"oauth2_token_command = {json.dumps(command)}")
    (tmp_path / "imap-password").write_text("not-the-password")  # proves the password is not what logs in
    return site


def _token_file_command(path) -> str:
    return shlex.join([sys.executable, "-c", f"print(open({str(path)!r}).read())"])


def _poll(site) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["poll", "--config", str(site.config_path)])
    return code, out.getvalue()


def _xoauth2_logins(dovecot, account) -> int:
    return dovecot.log_path.read_text().count(f"Login: user=<{account.username}>, method=XOAUTH2")


def test_a_reply_is_taken_over_an_xoauth2_login_with_a_fresh_token_each_connection(tmp_path, imap_account, dovecot):
    token_file = tmp_path / "token"
    token_file.write_text(dovecot.oauth2_token(imap_account))
    site = _oauth2_site(tmp_path, imap_account, dovecot, _token_file_command(token_file))
    site.append(reply(sections=FULL))
    code, out = _poll(site)
    assert code == 0, out
    # the first token expires; the command now gives a new one, which the next connection uses
    dovecot.oauth2.revoke(token_file.read_text())
    token_file.write_text(dovecot.oauth2_token(imap_account))
    site.append(reply(sections=FULL, subject="Re: [5422/BTTTT-CBC #BYT] Báo cáo (bản sửa)"))
    code, out = _poll(site)
    assert code == 0, out
    with site.app.session() as s:
        assert [m.state for m in s.exec(select(InboundMessage)).all()] == ["processed", "processed"]
        assert len(s.exec(select(Submission)).all()) == 2
    assert _xoauth2_logins(dovecot, imap_account) == 2


def test_a_token_that_expired_on_the_way_is_asked_for_again_once(tmp_path, imap_account, dovecot):
    """The command hands out a token that is refused (it expired between the command and the
    login); asked again, it gives a fresh one and the login goes through."""
    stale, fresh = dovecot.oauth2_token(imap_account), dovecot.oauth2_token(imap_account)
    dovecot.oauth2.revoke(stale)
    calls = tmp_path / "calls"
    script = (f"import pathlib; p = pathlib.Path({str(calls)!r}); n = len(p.read_text()) if p.exists() else 0; "
              f"p.write_text('x' * (n + 1)); print({stale!r} if n == 0 else {fresh!r})")
    site = _oauth2_site(tmp_path, imap_account, dovecot, shlex.join([sys.executable, "-c", script]))
    site.append(reply(sections=FULL))
    code, out = _poll(site)
    assert code == 0, out
    assert calls.read_text() == "xx"
    with site.app.session() as s:
        assert len(s.exec(select(Submission)).all()) == 1


def test_a_refused_token_is_a_clear_error_that_names_the_login_and_not_the_token(tmp_path, imap_account, dovecot):
    token_file = tmp_path / "token"
    token_file.write_text(token := dovecot.oauth2_token(imap_account))
    dovecot.oauth2.revoke(token)
    site = _oauth2_site(tmp_path, imap_account, dovecot, _token_file_command(token_file))
    site.append(reply(sections=FULL))
    code, out = _poll(site)
    assert code == 2
    assert f"login as '{imap_account.username}' refused" in out and token not in out
    with site.app.session() as s:
        assert s.exec(select(InboundMessage)).all() == []  # nothing taken: the mail waits on the server


def test_a_token_command_that_fails_says_why(tmp_path, imap_account, dovecot):
    command = shlex.join([sys.executable, "-c", "import sys; sys.exit('refresh token revoked by the tenant admin')"])
    site = _oauth2_site(tmp_path, imap_account, dovecot, command)
    code, out = _poll(site)
    assert code == 1
    assert "imap.oauth2_token_command failed (exit status 1): refresh token revoked by the tenant admin" in out


def test_a_token_command_that_prints_nothing_says_so(tmp_path, imap_account, dovecot):
    site = _oauth2_site(tmp_path, imap_account, dovecot, "true")
    code, out = _poll(site)
    assert code == 1 and "imap.oauth2_token_command printed no token" in out
