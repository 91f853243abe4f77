"""The append-only event log: every state change says who, what and when."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from db.models import Event
from db.types import utcnow


def log_event(
    session: Session,
    kind: str,
    *,
    campaign_id: int | None = None,
    agency_id: int | None = None,
    actor: str = "system",
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    """Add an event to the session's transaction (it commits with the change it records)."""
    ev = Event(
        kind=kind,
        campaign_id=campaign_id,
        agency_id=agency_id,
        actor=actor,
        detail=detail or {},
        at=at or utcnow(),
    )
    session.add(ev)
    return ev
