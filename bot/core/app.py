"""The running context of a command: config, database engine, file store."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bot.core.config import Config
from bot.core.errors import RuntimeFailure, UserError
from bot.core.store import BlobStore
from db.engine import current_revision, head_revision, make_engine, session_scope
from db.models import Campaign


@dataclass
class App:
    config: Config
    _engine: Engine | None = field(default=None, repr=False)

    @cached_property
    def engine(self) -> Engine:
        return self._engine or make_engine(self.config.database_url)

    @cached_property
    def store(self) -> BlobStore:
        return BlobStore(self.config.storage_dir)

    def prepare_storage(self) -> None:
        for sub in ("", "blobs", "mail", "exports"):
            (self.config.storage_dir / sub).mkdir(parents=True, exist_ok=True, mode=0o700)

    def session(self):
        return session_scope(self.engine)

    def require_schema(self) -> None:
        """Fail with one clear line when `reportbot init` has not been run (or is due again)."""
        try:
            rev = current_revision(self.engine)
        except OperationalError as e:
            raise RuntimeFailure(f"cannot open database {self.engine.url.render_as_string()}: {e.orig}") from None
        if rev is None:
            raise UserError("the database is not initialised: run `reportbot init` first")
        if rev != head_revision():
            raise UserError("the database schema is out of date: run `reportbot init` to upgrade it")


def resolve_campaign(session: Session, code: str | None) -> Campaign:
    """The campaign named by --campaign, or the only one loaded."""
    if code:
        found = session.exec(select(Campaign).where(Campaign.code == code)).first()
        if found is None:
            known = ", ".join(session.exec(select(Campaign.code)).all()) or "none loaded"
            raise UserError(f"--campaign: no campaign {code!r} (known: {known})")
        return found
    campaigns = session.exec(select(Campaign).order_by(Campaign.id)).all()
    if not campaigns:
        raise UserError("no campaign is loaded: run `reportbot campaign load FILE` first")
    if len(campaigns) > 1:
        codes = ", ".join(c.code for c in campaigns)
        raise UserError(f"several campaigns are loaded ({codes}): choose one with --campaign")
    return campaigns[0]
