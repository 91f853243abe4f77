"""The receipt state of an agency, derived from facts and the moment (pure)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.status import AgencyFacts, derive_state

DEADLINE = datetime(2024, 12, 30, 10, 0, tzinfo=timezone.utc)
BEFORE, AFTER = DEADLINE - timedelta(days=1), DEADLINE + timedelta(minutes=1)
SENT = datetime(2024, 12, 19, 2, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("facts, now, state", [
    (AgencyFacts(), BEFORE, "not_sent"),
    (AgencyFacts(), AFTER, "not_sent"),
    (AgencyFacts(sent_at=SENT), BEFORE, "sent"),
    (AgencyFacts(sent_at=SENT), AFTER, "overdue"),
    (AgencyFacts(sent_at=SENT, all_bounced=True), AFTER, "bounced"),
    (AgencyFacts(sent_at=SENT, received_at=BEFORE, missing=("IV",)), AFTER, "received_incomplete"),
    (AgencyFacts(sent_at=SENT, received_at=AFTER, missing=()), AFTER, "received"),
    (AgencyFacts(sent_at=SENT, all_bounced=True, received_at=AFTER), AFTER, "received"),
    (AgencyFacts(exempt=True, sent_at=SENT), AFTER, "exempt"),
])
def test_state(facts, now, state):
    assert derive_state(facts, DEADLINE, now) == state
