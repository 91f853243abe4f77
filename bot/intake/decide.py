"""What happens to an inbound message: one ordered table over the steps' outcomes. Pure.

The steps (classify, match, verify, contents) each say what they found; `decide()` walks
RULES top to bottom and the first rule that holds gives the disposition, in the spirit of
Mailman's built-in chain. The pipeline only gathers the facts and carries the disposition out.

Reading the attachments is the slow step (sandboxed parses), so the facts may come without
contents: a rule that needs them then answers READ_CONTENTS, and the pipeline asks again with
them. Every disposition carries a reason code and its arguments (intake/reasons.py renders
them in English for logs and `quarantine list`; staff/reasons.py in Vietnamese for staff).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from bot.intake.classify import Classification
from bot.intake.match import MatchResult
from bot.intake.verify import Verification


class Action(StrEnum):
    RECORD_AND_ACK = "record_and_ack"    # a report from its agency: record it, acknowledge it
    RECORD_SILENTLY = "record_silently"  # record it, but never answer (list or automated mail, cover note)
    RECORD_BOUNCE = "record_bounce"      # a delivery failure notice: mark the failed addresses
    IGNORE = "ignore"                    # automated mail that needs nobody
    QUARANTINE = "quarantine"            # kept for staff, with the reason
    READ_CONTENTS = "read_contents"      # not a disposition: the next rule needs the contents


@dataclass(frozen=True)
class ContentFacts:
    has_report: bool      # outline sections found in a file or the body
    has_documents: bool   # document files attached, read or not
    broken_mime: str = ""  # structure defects that make parts unreadable ("" when none)


@dataclass(frozen=True)
class Facts:
    """Every step's outcome. `forced_agency`: staff assigned the message to this agency."""

    classification: Classification
    match: MatchResult | None = None
    verification: Verification | None = None  # None: not checked (forced, or not reached)
    contents: ContentFacts | None = None       # None: not read yet
    forced_agency: str | None = None
    too_large: tuple[int, int] | None = None   # (size MB, limit MB) when the message is too large to read


@dataclass(frozen=True)
class Disposition:
    action: Action
    rule: str                     # the rule that decided (named in logs and events)
    code: str = ""                # reason code ("" for an ordinary report)
    args: dict = field(default_factory=dict)

    @property
    def records_reply(self) -> bool:
        return self.action in (Action.RECORD_AND_ACK, Action.RECORD_SILENTLY)


def _kind(f: Facts) -> str:
    return f.classification.kind


def _automated(kind: str) -> Callable[[Facts], bool]:
    return lambda f: _kind(f) == kind and not f.forced_agency


def _agency(f: Facts) -> str:
    return (f.match.agency_code if f.match else None) or ""


@dataclass(frozen=True)
class Rule:
    name: str
    holds: Callable[[Facts], bool]
    action: Action
    code: str = ""
    args: Callable[[Facts], dict] = lambda f: {}
    needs_contents: bool = False


RULES: tuple[Rule, ...] = (
    Rule("too large to read", lambda f: f.too_large is not None, Action.QUARANTINE, "too_large",
         lambda f: {"size_mb": f.too_large[0], "limit_mb": f.too_large[1]}),
    Rule("our own mail", _automated("own"), Action.IGNORE, "own_mail"),
    Rule("delivery failure", lambda f: _automated("bounce")(f) and not f.classification.transient,
         Action.RECORD_BOUNCE, "bounce"),
    Rule("delay or success notice", lambda f: _automated("bounce")(f) and f.classification.transient,
         Action.RECORD_BOUNCE, "delay_notice"),  # recorded: a temporary failure counts toward "keeps failing"
    Rule("auto-reply", _automated("auto_reply"), Action.IGNORE, "auto_reply"),
    Rule("feedback-loop report", _automated("feedback"), Action.IGNORE, "feedback_report"),
    Rule("other automated mail", lambda f: f.classification.is_automated and not f.forced_agency, Action.IGNORE,
         "automated"),
    Rule("no agency", lambda f: not _agency(f), Action.QUARANTINE, "no_agency",
         lambda f: {"detail": f.match.reason if f.match else ""}),
    Rule("unregistered sender", lambda f: f.match.method in ("thread", "token") and f.match.sender_known is False,
         Action.QUARANTINE, "unregistered_sender", lambda f: {"agency": _agency(f), "detail": f.match.reason}),
    Rule("campaign unknown", lambda f: f.match.campaign_code is None, Action.QUARANTINE, "campaign_unknown",
         lambda f: {"agency": _agency(f)}),
    Rule("sender not verified", lambda f: f.verification is not None and f.verification.passed is False,
         Action.QUARANTINE, "verification_failed", lambda f: {"detail": f.verification.reason}),
    Rule("broken MIME hiding the report",
         lambda f: bool(f.contents.broken_mime) and not f.contents.has_report and not f.contents.has_documents,
         Action.QUARANTINE, "broken_mime", lambda f: {"defects": f.contents.broken_mime}, needs_contents=True),
    Rule("cover note without a report",
         lambda f: not f.contents.has_report and not f.contents.has_documents, Action.RECORD_SILENTLY,
         "no_report_content", needs_contents=True),
    Rule("list or automated mail", lambda f: not f.classification.may_acknowledge, Action.RECORD_SILENTLY,
         "not_to_be_answered", lambda f: {"detail": f.classification.reason}, needs_contents=True),
    Rule("report", lambda f: True, Action.RECORD_AND_ACK, needs_contents=True),
)


def decide(facts: Facts) -> Disposition:
    for rule in RULES:
        if rule.needs_contents and facts.contents is None:
            return Disposition(Action.READ_CONTENTS, rule.name)
        if rule.holds(facts):
            return Disposition(rule.action, rule.name, rule.code, rule.args(facts))
    raise AssertionError("the last rule always holds")  # pragma: no cover
