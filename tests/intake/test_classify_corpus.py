"""Classification rates on the real corpus (issue 5: >= 95 % bounces, >= 95 % auto-replies,
no normal mail taken for either)."""

from __future__ import annotations

from bot.intake.classify import classify

from .corpus import files, load, manifest_notes

OWN = {"baocao@example.gov.vn"}
# Samples in mime/ whose MANIFEST note describes only their MIME oddity although the
# message itself is a delivery report (checked by hand: sender, subject, report type).
DSN_IN_MIME = {
    "enmime__multipart-wo-boundary.raw.eml": "From Mailer-Daemon, Subject 'Delivery Status Notification (Failure)'",
    "mailgem__raw_email_with_mimepart_without_content_type.eml": "From MAILER-DAEMON, Return-Path <>, report-type=delivery-status",
}


def _classify_folder(folder):
    out = {}
    for path in files(folder):
        out[path.name] = classify(load(path), own_addresses=OWN, own_message_id_domain="example.gov.vn")
    return out


def _report(title, wrong):
    print(f"\n{title}: {len(wrong)} misclassified")
    for name, c in sorted(wrong.items()):
        print(f"  {name}: {c.kind} ({c.reason})")


def test_bounces_are_recognised_at_95_percent():
    notes = manifest_notes()
    results = _classify_folder("bounce")
    not_bounces = {n for n in results if "NOT a bounce" in notes.get(f"email/bounce/{n}", "")}
    bounces = {n: c for n, c in results.items() if n not in not_bounces}
    wrong = {n: c for n, c in bounces.items() if c.kind != "bounce"}
    _report("bounce/", wrong)
    rate = 1 - len(wrong) / len(bounces)
    print(f"bounce rate {rate:.1%} of {len(bounces)}")
    assert len(bounces) > 150
    assert rate >= 0.95
    for name in not_bounces:  # ARF feedback reports: automated, never a bounce, never answered
        assert results[name].kind != "bounce" and not results[name].may_acknowledge, name


def test_auto_replies_are_recognised_at_95_percent():
    results = _classify_folder("autoreply")
    wrong = {n: c for n, c in results.items() if c.kind != "auto_reply"}
    _report("autoreply/", wrong)
    rate = 1 - len(wrong) / len(results)
    print(f"auto-reply rate {rate:.1%} of {len(results)}")
    assert len(results) >= 20
    assert rate >= 0.95
    assert all(c.kind != "report_or_other" or n in wrong for n, c in results.items())


def test_normal_mail_is_neither_bounce_nor_auto_reply():
    notes = manifest_notes()
    results = _classify_folder("mime")
    excepted = {n for n in results if any(w in notes.get(f"email/mime/{n}", "").lower() for w in ("bounce", "auto-repl"))}
    wrong = {
        n: c for n, c in results.items()
        if c.kind in ("bounce", "auto_reply") and n not in excepted and n not in DSN_IN_MIME
    }
    _report("mime/", wrong)
    assert not wrong
    for name in DSN_IN_MIME:
        assert results[name].kind == "bounce", name


def test_bounce_with_auto_submitted_header_is_a_bounce_not_an_auto_reply():
    # bounceparser__non-autoreply: Exim bounce carrying Auto-Submitted: auto-replied
    path = next(p for p in files("bounce") if p.name == "bounceparser__non-autoreply.msg.eml")
    assert classify(load(path), own_addresses=OWN, own_message_id_domain=None).kind == "bounce"


def test_delay_notices_are_transient_bounces():
    names = {
        "bounce_email__tt_bounce_12_soft.txt.eml",  # "Delivery Status Notification (Delay)"
        "bounceparser__warning-8.msg.eml",  # Postfix "Delayed Mail (still being retried)"
        "flufl__simple_03.txt.eml",  # Exim "delayed 24 hours"
        "mailgem__report_422.eml",  # "could not send message for past 8 hours"
    }
    results = _classify_folder("bounce")
    for name in names:
        assert results[name].kind == "bounce" and results[name].transient, name
    permanent = results["sisimai__lhost-postfix-01.eml"]
    assert permanent.kind == "bounce" and not permanent.transient
