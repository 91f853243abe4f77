"""The receipt state of an agency, derived from facts and the moment (pure)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.staff.status import AgencyStatusFacts, derive_state

DEADLINE = datetime(2024, 12, 30, 10, 0, tzinfo=UTC)
BEFORE, AFTER = DEADLINE - timedelta(days=1), DEADLINE + timedelta(minutes=1)
SENT = datetime(2024, 12, 19, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("facts, now, state", [
    (AgencyStatusFacts(), BEFORE, "not_sent"),
    (AgencyStatusFacts(), AFTER, "not_sent"),
    (AgencyStatusFacts(sent_at=SENT), BEFORE, "sent"),
    (AgencyStatusFacts(sent_at=SENT), AFTER, "overdue"),
    (AgencyStatusFacts(sent_at=SENT, all_bounced=True), AFTER, "bounced"),
    (AgencyStatusFacts(sent_at=SENT, received_at=BEFORE, missing=("IV",)), AFTER, "received_incomplete"),
    (AgencyStatusFacts(sent_at=SENT, received_at=AFTER, missing=()), AFTER, "received"),
    (AgencyStatusFacts(sent_at=SENT, all_bounced=True, received_at=AFTER), AFTER, "received"),
    (AgencyStatusFacts(exempt=True, sent_at=SENT), AFTER, "exempt"),
])
def test_state(facts, now, state):
    assert derive_state(facts, DEADLINE, now) == state
