"""Console accounts, API tokens and signed-in sessions: the database edge (one transaction each, the
caller's). Passwords are kept as argon2 hashes; tokens and session keys as SHA-256 (they are long
random strings, so a fast hash is enough and a lookup by hash is possible)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, select

from bot.core.errors import UserError
from db.events import log_event
from db.models import ApiToken, WebSession, WebUser

ROLES = ("viewer", "officer", "admin")
RANK = {r: i for i, r in enumerate(ROLES)}
MIN_PASSWORD = 10
TOKEN_PREFIX = "rbt_"
_HASHER = PasswordHasher()
# Verified against when the user does not exist, so an unknown name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user, and the session's CSRF token (None for a bearer token)."""

    user_id: int
    username: str
    role: str
    csrf_token: str | None = None

    def can(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_username(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or not all(c.isalnum() or c in "._-@" for c in name):
        raise UserError(f"USERNAME: {name!r}: use letters, digits and . _ - @ (at most 100)")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password: at least {MIN_PASSWORD} characters")
    return password


def add_user(session: Session, username: str, role: str, password: str, *, actor: str, now: datetime) -> WebUser:
    username = check_username(username)
    if role not in ROLES:
        raise UserError(f"--role: expected one of {', '.join(ROLES)}, got {role!r}")
    if session.exec(select(WebUser).where(WebUser.username == username)).first() is not None:
        raise UserError(f"USERNAME: a user {username!r} already exists")
    user = WebUser(username=username, role=role, password_hash=_HASHER.hash(check_password(password)),
                   created_at=now)
    session.add(user)
    session.flush()
    log_event(session, "user.added", actor=actor, at=now, detail={"user": username, "role": role})
    return user


def find_user(session: Session, username: str) -> WebUser:
    user = session.exec(select(WebUser).where(WebUser.username == username.strip())).first()
    if user is None:
        raise UserError(f"USERNAME: no user {username!r}")
    return user


def list_users(session: Session) -> list[WebUser]:
    return list(session.exec(select(WebUser).order_by(WebUser.username)))


def disable_user(session: Session, username: str, *, actor: str, now: datetime) -> bool:
    """Disable the account, end its sessions and revoke its tokens; False when already disabled."""
    user = find_user(session, username)
    if user.disabled:
        return False
    user.disabled = True
    for s in session.exec(select(WebSession).where(WebSession.user_id == user.id, WebSession.ended == False)):  # noqa: E712
        s.ended = True
    for t in session.exec(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked == False)):  # noqa: E712
        t.revoked = True
    log_event(session, "user.disabled", actor=actor, at=now, detail={"user": user.username})
    return True


def new_token(session: Session, username: str, *, actor: str, now: datetime) -> str:
    """A new API token for the user: returned once, only its hash stored."""
    user = find_user(session, username)
    if user.disabled:
        raise UserError(f"USERNAME: {user.username} is disabled")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=sha256_hex(token), created_at=now))
    log_event(session, "user.token_created", actor=actor, at=now, detail={"user": user.username})
    return token


def verify_password(session: Session, username: str, password: str) -> WebUser | None:
    """The enabled user with this password, else None (the same work either way)."""
    user = session.exec(select(WebUser).where(WebUser.username == username.strip())).first()
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return user


def token_principal(session: Session, token: str, now: datetime) -> Principal | None:
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == sha256_hex(token.strip()))).first()
    if row is None or row.revoked:
        return None
    user = session.get(WebUser, row.user_id)
    if user is None or user.disabled:
        return None
    row.last_used_at = now
    return Principal(user.id, user.username, user.role)


def start_session(session: Session, user: WebUser, *, hours: float, now: datetime) -> str:
    """A new session for the user; returns its key (for the signed cookie)."""
    key = secrets.token_urlsafe(32)
    session.add(WebSession(key_hash=sha256_hex(key), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                           created_at=now, expires_at=now + timedelta(hours=hours)))
    user.last_login_at = now
    log_event(session, "user.login", actor=user.username, at=now, detail={"user": user.username})
    return key


def session_principal(session: Session, key: str, now: datetime) -> Principal | None:
    row = session.exec(select(WebSession).where(WebSession.key_hash == sha256_hex(key))).first()
    if row is None or row.ended or row.expires_at <= now:
        return None
    user = session.get(WebUser, row.user_id)
    if user is None or user.disabled:
        return None
    return Principal(user.id, user.username, user.role, row.csrf_token)


def end_session(session: Session, key: str, *, now: datetime) -> None:
    row = session.exec(select(WebSession).where(WebSession.key_hash == sha256_hex(key))).first()
    if row is not None and not row.ended:
        row.ended = True
        user = session.get(WebUser, row.user_id)
        log_event(session, "user.logout", actor=user.username if user else "?", at=now)
