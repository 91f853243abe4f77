"""decide(): the intake's one decision table, case by case, without servers."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot.intake.classify import Classification
from bot.intake.decide import RULES, Action, ContentFacts, Facts, decide
from bot.intake.match import MatchResult
from bot.intake.verify import Verification

REPORT = Classification("report_or_other", "no bounce or auto-reply sign", False, True)
LIST_MAIL = Classification("report_or_other", "mailing-list mail (do not answer)", False, False)
BOUNCE = Classification("bounce", "DSN: Action failed", False, False)
DELAY = Classification("bounce", "DSN: Action delayed", True, False)
AUTO = Classification("auto_reply", "Auto-Submitted: auto-replied", False, False)
OWN = Classification("own", "From is our own address", False, False)
FEEDBACK = Classification("feedback", "ARF feedback report", False, False)

BY_ADDRESS = MatchResult("BYT", "5422/BTTTT-CBC", "address", 1.0, ("BYT",), "sender registered", True)
BY_THREAD_STRANGER = MatchResult("BYT", "5422/BTTTT-CBC", "thread", 0.9, ("BYT",), "reply to our mail", False)
NO_MATCH = MatchResult(None, None, None, 0.0, (), "no reply, token, address or domain of an agency")
TWO_CAMPAIGNS = MatchResult("BYT", None, "address", 1.0, ("BYT",), "sender registered", True)
PASSED = Verification(True, "pass", "pass", "pass", True, "aligned DKIM pass")
FAILED = Verification(False, "fail", "none", "fail", False, "no passing DMARC/DKIM/SPF aligned")

A_REPORT = ContentFacts(has_report=True, has_documents=True)
A_NOTE = ContentFacts(has_report=False, has_documents=False)
UNREAD_FILE = ContentFacts(has_report=False, has_documents=True)
BROKEN = ContentFacts(has_report=False, has_documents=False, broken_mime="StartBoundaryNotFoundDefect")

CASES = [
    # (case, facts, action, reason code)
    ("a report from a registered address", Facts(REPORT, BY_ADDRESS, PASSED, A_REPORT), Action.RECORD_AND_ACK, ""),
    ("a report whose files could not be read", Facts(REPORT, BY_ADDRESS, PASSED, UNREAD_FILE),
     Action.RECORD_AND_ACK, ""),
    ("a cover note without a report", Facts(REPORT, BY_ADDRESS, PASSED, A_NOTE), Action.RECORD_SILENTLY,
     "no_report_content"),
    ("a report through a mailing list", Facts(LIST_MAIL, BY_ADDRESS, PASSED, A_REPORT), Action.RECORD_SILENTLY,
     "not_to_be_answered"),
    ("a permanent bounce", Facts(BOUNCE, NO_MATCH), Action.RECORD_BOUNCE, "bounce"),
    ("a delay notice", Facts(DELAY, BY_ADDRESS), Action.RECORD_BOUNCE, "delay_notice"),
    ("a feedback-loop report", Facts(FEEDBACK, BY_ADDRESS), Action.IGNORE, "feedback_report"),
    ("an auto-reply", Facts(AUTO, BY_ADDRESS), Action.IGNORE, "auto_reply"),
    ("our own mail looping back", Facts(OWN, NO_MATCH), Action.IGNORE, "own_mail"),
    ("nobody matched", Facts(REPORT, NO_MATCH), Action.QUARANTINE, "no_agency"),
    ("a thread reply from an unregistered sender", Facts(REPORT, BY_THREAD_STRANGER, PASSED, A_REPORT),
     Action.QUARANTINE, "unregistered_sender"),
    ("an agency in two campaigns, none named", Facts(REPORT, TWO_CAMPAIGNS, PASSED), Action.QUARANTINE,
     "campaign_unknown"),
    ("a sender that fails verification", Facts(REPORT, BY_ADDRESS, FAILED, A_REPORT), Action.QUARANTINE,
     "verification_failed"),
    ("broken MIME with nothing readable", Facts(REPORT, BY_ADDRESS, PASSED, BROKEN), Action.QUARANTINE,
     "broken_mime"),
    ("broken MIME that still held a report", Facts(REPORT, BY_ADDRESS, PASSED, replace(BROKEN, has_report=True)),
     Action.RECORD_AND_ACK, ""),
    ("too large to read", Facts(REPORT, BY_ADDRESS, too_large=(80, 64)), Action.QUARANTINE, "too_large"),
    ("staff assigned a bounce-looking mail", Facts(BOUNCE, BY_ADDRESS, None, A_REPORT, forced_agency="BYT"),
     Action.RECORD_SILENTLY, "not_to_be_answered"),
    ("staff assigned a report from a stranger", Facts(REPORT, replace(BY_THREAD_STRANGER, method="staff",
                                                                      sender_known=True),
                                                   None, A_REPORT, forced_agency="BYT"),
     Action.RECORD_AND_ACK, ""),
]


@pytest.mark.parametrize("facts, action, code", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_case_gets_its_disposition(facts, action, code):
    d = decide(facts)
    assert (d.action, d.code) == (action, code)


def test_a_report_from_a_registered_agency_through_a_mailing_list_is_not_acknowledged():
    """Regression: a report that came through a list (List-Id, Precedence: bulk) was acknowledged,
    although classify had marked it not to be answered (DESIGN §3: never answer list mail)."""
    d = decide(Facts(LIST_MAIL, BY_ADDRESS, PASSED, A_REPORT))
    assert d.records_reply and d.action is not Action.RECORD_AND_ACK


def test_contents_are_asked_for_only_when_the_decision_needs_them():
    assert decide(Facts(REPORT, BY_ADDRESS, PASSED)).action is Action.READ_CONTENTS
    assert decide(Facts(LIST_MAIL, BY_ADDRESS, PASSED)).action is Action.READ_CONTENTS
    for facts in (Facts(REPORT, NO_MATCH), Facts(BOUNCE, NO_MATCH), Facts(REPORT, BY_ADDRESS, FAILED)):
        assert decide(facts).action is not Action.READ_CONTENTS  # decided without the slow parse


def test_the_reasons_carry_their_arguments():
    d = decide(Facts(REPORT, BY_THREAD_STRANGER, PASSED))
    assert d.args == {"agency": "BYT", "detail": "reply to our mail"}
    assert decide(Facts(REPORT, BY_ADDRESS, too_large=(80, 64))).args == {"size_mb": 80, "limit_mb": 64}


def test_the_table_ends_with_a_rule_that_always_holds_and_names_are_unique():
    assert RULES[-1].holds(Facts(REPORT, BY_ADDRESS, PASSED, A_REPORT))
    assert len({r.name for r in RULES}) == len(RULES)
