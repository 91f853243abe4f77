"""A throwaway Dovecot IMAP server on loopback, everything under one temporary folder.

Plain IMAP on `port` (plaintext login allowed) and, with tls=True, implicit TLS on `imaps_port`
with a trustme certificate (trust it with `ssl_context()` or the PEM at `ca_pem`).
Users live in passwd-files (one per user) that Dovecot reads at login, so `add_user()` works while it runs;
each user has a maildir under `<root>/mail/<user>/Maildir`. IDLE and MOVE are Dovecot built-ins.
XOAUTH2 / OAUTHBEARER logins are checked by Dovecot's oauth2 passdb against a token endpoint on
loopback: `oauth2_token(account)` issues a token, `oauth2.revoke(token)` makes it expire.

As root, Dovecot's master stays root (as in production) with its usual `dovecot`/`dovenull`
service users, and mail is stored as an unprivileged user (`nobody`) because Dovecot refuses
mail access as uid 0. As a normal user, every process runs as that user.
"""

from __future__ import annotations

import grp
import itertools
import os
import pwd
import re
import shutil
import signal
import ssl
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from imapclient import IMAPClient

from . import LOOPBACK, find_binary, free_port, make_tempdir, stop_process, unprivileged_user, wait_for_port
from .oauth2 import TokenEndpoint

DEFAULT_USER = "reportbot"
DEFAULT_PASSWORD = "password"
_APPENDUID = re.compile(rb"APPENDUID \d+ (\d+)")


@dataclass(frozen=True)
class MailAccount:
    """One IMAP login on a DovecotServer (address = username@domain, for SMTP delivery)."""
    username: str
    password: str
    address: str
    host: str
    port: int
    imaps_port: int | None


class DovecotServer:
    def __init__(self, *, tls: bool = True, ca=None, domain: str = "example.test",
                 start_timeout: float = 20.0) -> None:
        self.tls = tls
        self.ca = ca                      # a trustme.CA; made on start() when tls and None
        self.domain = domain
        self.host = LOOPBACK
        self.port = 0
        self.imaps_port: int | None = None
        self.root: Path | None = None
        self.ca_pem: Path | None = None
        self._start_timeout = start_timeout
        self._proc: subprocess.Popen | None = None
        self._users: dict[str, str] = {}
        self._serial = itertools.count(1)
        self.oauth2 = TokenEndpoint()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> DovecotServer:
        binary = find_binary("dovecot")
        self.root = make_tempdir("reportbot-dovecot-")
        try:
            self.oauth2.start()
            self._launch(binary)
        except BaseException:
            self.stop()
            raise
        self.add_user(DEFAULT_USER, DEFAULT_PASSWORD)
        return self

    def _launch(self, binary: str, attempts: int = 3) -> None:
        for attempt in range(attempts):
            self.port = free_port()
            self.imaps_port = free_port() if self.tls else None
            conf = self._write_config()
            log = self.root / "log" / "dovecot.log"
            with open(log, "ab") as out:     # early fatal errors go to stderr, the rest to log_path
                self._proc = subprocess.Popen([binary, "-F", "-c", str(conf)], stdin=subprocess.DEVNULL,
                                              stdout=out, stderr=out)
            try:
                wait_for_port(self.host, self.port, self._proc, self._start_timeout, "dovecot", log)
                if self.imaps_port:
                    wait_for_port(self.host, self.imaps_port, self._proc, self._start_timeout, "dovecot", log)
                return
            except RuntimeError:
                stop_process(self._proc, signal.SIGTERM)
                # A port taken between free_port() and bind() is the only retryable failure.
                if attempt == attempts - 1 or "Address already in use" not in log.read_text(errors="replace"):
                    raise

    def stop(self) -> None:
        stop_process(self._proc, signal.SIGTERM)
        self._proc = None
        self.oauth2.stop()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> DovecotServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def log_path(self) -> Path:
        return self.root / "log" / "dovecot.log"

    # -- configuration ---------------------------------------------------------------------
    def _write_config(self) -> Path:
        root = self.root
        for sub in ("run", "state", "log", "mail"):
            (root / sub).mkdir(exist_ok=True)
        mail_user = unprivileged_user(("nobody",))
        if mail_user is not None:           # root: Dovecot's own users must reach their folders
            os.chmod(root, 0o755)
            os.chown(root / "mail", mail_user.pw_uid, mail_user.pw_gid)
        (root / "users").mkdir(exist_ok=True)
        os.chmod(root / "users", 0o755)
        ids, userdb_ids = self._ids(mail_user)
        text = _CONFIG.format(root=root, host=self.host, port=self.port, ids=ids, userdb_ids=userdb_ids,
                              ssl=self._ssl_settings(), imaps=self._imaps_listener())
        conf = root / "dovecot.conf"
        conf.write_text(text)
        (root / "oauth2.conf").write_text(f"introspection_mode = auth\nintrospection_url = {self.oauth2.url}\n"
                                          "username_attribute = username\nactive_attribute = active\n"
                                          "active_value = true\n")
        return conf

    def _ids(self, mail_user: pwd.struct_passwd | None) -> tuple[str, str]:
        """Service users/groups settings, and the uid/gid arguments of the userdb."""
        if mail_user is not None:
            internal = "dovecot" if _user_exists("dovecot") else mail_user.pw_name
            login = "dovenull" if _user_exists("dovenull") else mail_user.pw_name
            group = grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name
            return (f"default_internal_user = {internal}\ndefault_internal_group = {group}\n"
                    f"default_login_user = {login}"), f"uid={mail_user.pw_uid} gid={mail_user.pw_gid}"
        me = pwd.getpwuid(os.getuid())
        group = grp.getgrgid(os.getgid()).gr_name
        return (f"default_internal_user = {me.pw_name}\ndefault_internal_group = {group}\n"
                f"default_login_user = {me.pw_name}"), ""

    def _ssl_settings(self) -> str:
        if not self.tls:
            return "ssl = no"
        if self.ca is None:
            import trustme
            self.ca = trustme.CA()
        cert = self.ca.issue_cert(self.host, "localhost")
        cert.private_key_and_cert_chain_pem.write_to_path(str(self.root / "server.pem"))
        self.ca.cert_pem.write_to_path(str(self.root / "ca.pem"))
        self.ca_pem = self.root / "ca.pem"
        pem = self.root / "server.pem"
        return f"ssl = yes\nssl_cert = <{pem}\nssl_key = <{pem}"

    def _imaps_listener(self) -> str:
        if not self.imaps_port:
            return ""
        return (f"  inet_listener imaps {{\n    address = {self.host}\n    port = {self.imaps_port}\n"
                f"    ssl = yes\n  }}")

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate."""
        ctx = ssl.create_default_context()
        self.ca.configure_trust(ctx)
        return ctx

    # -- users and mailboxes ---------------------------------------------------------------
    def add_user(self, username: str | None = None, password: str = DEFAULT_PASSWORD) -> MailAccount:
        """Create a login (a fresh unique one when `username` is None) and return it."""
        if username is None:
            username = f"user{next(self._serial)}-{os.getpid()}"
        if not re.fullmatch(r"[A-Za-z0-9._-]+", username) or ":" in password or "\n" in password:
            raise ValueError(f"unsupported test username/password: {username!r}")
        self._users[username] = password
        # One file per user: Dovecot re-stats a shared passwd-file at most once a second and by
        # whole-second mtime, so a user added just after a login could stay unknown for a while.
        tmp = self.root / "users" / f".{username}.tmp"
        tmp.write_text(f"{username}:{{PLAIN}}{password}::::::\n")
        os.chmod(tmp, 0o644)
        tmp.replace(self.root / "users" / username)
        return self.account(username)

    def account(self, username: str = DEFAULT_USER) -> MailAccount:
        return MailAccount(username, self._users[username], f"{username}@{self.domain}",
                           self.host, self.port, self.imaps_port)

    def oauth2_token(self, account: MailAccount | str = DEFAULT_USER) -> str:
        """A bearer token the server accepts for this login (until revoked)."""
        return self.oauth2.issue(account if isinstance(account, str) else account.username)

    def users(self) -> dict[str, str]:
        return dict(self._users)

    def maildir(self, account: MailAccount | str = DEFAULT_USER) -> Path:
        name = account if isinstance(account, str) else account.username
        return self.root / "mail" / name / "Maildir"

    def client(self, account: MailAccount | str = DEFAULT_USER, *, tls: bool = False,
               timeout: float = 10.0) -> IMAPClient:
        """A logged-in IMAPClient (plain port, or the IMAPS port with tls=True)."""
        acc = self.account(account) if isinstance(account, str) else account
        if tls:
            c = IMAPClient(self.host, port=self.imaps_port, ssl=True, ssl_context=self.ssl_context(),
                           timeout=timeout)
        else:
            c = IMAPClient(self.host, port=self.port, ssl=False, timeout=timeout)
        c.login(acc.username, acc.password)
        return c

    def append(self, account: MailAccount | str, raw: bytes, folder: str = "INBOX",
               flags: tuple = (), msg_time: datetime | None = None) -> int:
        """APPEND a raw message (creating the folder if needed); returns its UID."""
        with self.client(account) as c:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            resp = c.append(folder, raw, flags=flags, msg_time=msg_time)
        found = _APPENDUID.search(resp if isinstance(resp, bytes) else resp.encode())
        if not found:
            raise RuntimeError(f"APPEND gave no APPENDUID: {resp!r}")
        return int(found.group(1))

    def reset(self, account: MailAccount | str = DEFAULT_USER) -> None:
        """Empty INBOX and delete every other folder of the account."""
        with self.client(account) as c:
            for name in _names(c.list_sub_folders(), real_only=False):
                c.unsubscribe_folder(name)
            for name in sorted(_names(c.list_folders()), key=len, reverse=True):   # children first
                c.delete_folder(name)
            c.select_folder("INBOX")
            uids = c.search("ALL")
            if uids:
                c.delete_messages(uids)
                c.expunge()


def _names(listing, real_only: bool = True) -> list[str]:
    """Folder names except INBOX; real_only drops placeholders for parents of real folders."""
    skip = {b"\\NonExistent", b"\\Noselect"} if real_only else set()
    return [name for flags, _sep, name in listing
            if name.upper() != "INBOX" and not skip.intersection(flags)]


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


# Every path points into the temporary root, so nothing of the system's Dovecot is touched.
_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = reportbot-test-{port}
log_path = {root}/log/dovecot.log
protocols = imap
listen = {host}
{ids}
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_verbose = yes
auth_failure_delay = 0

passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/users/%u
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf
}}
userdb {{
  driver = static
  args = {userdb_ids} home={root}/mail/%u allow_all_users=yes
}}
mail_location = maildir:~/Maildir
mail_fsync = never
first_valid_uid = 1
mail_max_userip_connections = 1000
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
{imaps}
}}
service anvil {{
  chroot =
  # No growing login delay after failed logins (tests try wrong passwords on purpose).
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""
