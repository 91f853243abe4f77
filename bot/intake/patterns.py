"""Phrases that mark bounces and automatic replies, in the languages our mail meets.

Every pattern is written naturally and compiled in *folded* form (lower case, accents
removed, đ → d; see `headers.fold`), and is matched against folded text, so
"Trả lời tự động", "TRA LOI TU DONG" and an NFD-encoded subject all match alike.
Write no upper-case regex escapes (\\S, \\W...): folding would lower-case them.
"""

from __future__ import annotations

import re

from bot.intake.headers import fold


def _compile(phrases: list[str], *, words: bool = True) -> list[re.Pattern[str]]:
    out = []
    for phrase in phrases:
        source = fold(phrase)
        if words and source[:1].isalnum():
            source = r"(?<!\w)" + source
        if words and source[-1:].isalnum():
            source += r"(?!\w)"
        out.append(re.compile(source))
    return out


# Reply/forward prefixes, repeated ("RE: Fwd: TL:"), in folded form.
REPLY_PREFIX = re.compile(
    r"^(?:\s*(?:re|aw|sv|vs|ref|antw|odp|fw|fwd|wg|tr|tl|rv|enc|res|r|i|ynt|отв|ha|回复|转发|답장|전달"
    r"|tra loi|chuyen tiep|phan hoi)\s*(?:\[\d+\])?\s*[:：]\s*)+"
)

SYSTEM_LOCALPARTS = {
    "mailer-daemon", "mailerdaemon", "mailer_daemon", "mail-daemon", "postmaster", "post_master",
    "postoffice", "mdaemon", "mail.delivery.system", "mailadmin", "mail-admin", "bounce", "bounces",
    "nobody", "smtp", "mmdf", "mailmaster", "mail_administrator",
}
# Display names of delivery systems (folded).
SYSTEM_NAMES = [
    "mail delivery subsystem", "mail delivery system", "mail deliver system", "mail administrator",
    "internet mail delivery", "mail delivery service", "mailer daemon", "mmsc ndr",
]

BOUNCE_SUBJECT = _compile([
    # English and MTA boilerplate
    "undeliverable", "undelivered", "returned mail", "return(?:ed)? to sender", "mail returned",
    "delivery status notification", "delivery notification", "delivery status", "delivery report",
    "delivery failure", "delivery failed", "delivery has failed", "delivery problem", "failed delivery",
    "mail delivery failed", "mail delivery failure", "failure notice", "failure notification",
    "non-delivery", "nondelivery", "non delivery", "mail system error", "could not be delivered",
    "couldn't be delivered", "not delivered", "failed mail", "email delivery error",
    "permanent delivery failure", "message delivery has failed", "delivery status notification",
    "error sending your mail", "message you sent blocked", "user unknown", "mail delivery problem",
    "nameserver error", "mail could not be delivered", "notice: mail delivery status",
    r"you .{0,120} (?:are|is) not (?:a )?member",
    # other languages (subjects of localized Exchange, Gmail, Postfix, Domino...)
    "unzustellbar", "nicht zustellbar", "non recapitabile", "non remis", "olevererbart",
    "onbestelbaar", "no se puede entregar", "no entregado", "nao entregue", "não foi possível entregar",
    "non distribuibile", "impossible de remettre", "non délivré", "utilisateur non recensé",
    "nie dostarczono", "niedostarczalna", "kézbesíthetetlen", "nedoručitelné", "nedoručiteľné",
    "не доставлено", "недоставленное сообщение", "не удается доставить", "не может быть доставлено",
    "ошибка доставки", "メールエラー", "配信できません", "配信エラー", "配送エラー", "送信エラー",
    "退信", "系统退信", "无法投递", "無法傳遞", "未送达", "전달되지 않음", "반송",
    "nepristatoma", "nevar piegādāt", "nepiegādāts", "kan ikke leveres", "kunne ikke leveres",
])
# Vietnamese NDR subjects are prefixes ("Không gửi được: <subject>"); anywhere else the same
# words are a person explaining a resend, so they count only at the start.
BOUNCE_SUBJECT_START = [re.compile(fold(p) + r"\s*[:：]") for p in (
    "không gửi được", "không thể gửi", "không thể gửi được", "không thể chuyển phát", "không chuyển được",
    "thư bị trả lại", "trả lại thư", "không thể phân phối", "lỗi gửi thư", "gửi thư thất bại",
)]

DELAY_SUBJECT = _compile([
    r"delivery status notification \(delay\)", "delayed mail", r"message .{0,80}delayed",
    "delivery delayed", "delay notification", "delivery warning", "could not send message for past", "still being retried",
    r"warning: .{0,80}delayed", "delivery delay", "delayed delivery",
    "zustellung verzögert", "retardée", "chậm gửi", "gửi chậm",
])

# Sentences only delivery software writes; used with one more sign (a person may quote them).
BOUNCE_BODY = _compile([
    "this is the mail system at host", "i'm sorry to have to inform you", "i am sorry to have to inform you",
    "could not be delivered to one or more", "delivery to the following recipient", "delivery has failed to",
    "created automatically by mail delivery software", "this is the qmail-send program",
    "had permanent fatal errors", "did not reach some or all of the intended recipients",
    "the original message was received at", "delivery status notification", "retry timeout exceeded",
    "your message wasn't delivered", "your message was not delivered", "your message could not be delivered",
    "your message couldn't be delivered", "message could not be delivered", "could not be delivered to",
    "this is an automatically generated delivery status notification", "delivery to the following",
    "the following recipient", "following address(?:es)? had", "unable to deliver", "was undeliverable",
    "message is undeliverable", "not listed in domino directory", "undeliverable message",
    "failed to deliver", "delivery failed", "permanent error", "permanent failure", "non-delivery",
    "nicht zugestellt", "не доставлено", "không gửi được", "không thể gửi",
])
# Generic failure words; they count only when the sender is a delivery system.
BOUNCE_BODY_WEAK = _compile([
    "undeliverable", "undelivered", "user unknown", "unknown user", "mailbox unavailable", "mailbox full",
    "quota exceeded", "recipient address rejected", "fatal error", "not delivered", "could not deliver",
    "returned mail", "delivery failure", "no such user", "does not exist", "not listed in",
    "address rejected", "smtp error", r"55[0-4][ -][45]\.\d", r"5\.1\.1", "host unknown", "relay denied",
    "rejected your message", "not be delivered", "unrouteable", "not a valid user", "invalid user",
    "invalid recipient", "invalid address", "không tồn tại",
])

# Subjects of automatic replies (anywhere in the subject).
OOO_SUBJECT = _compile([
    "out of office", "out of the office", "automatic reply", "automatic response", "auto reply",
    "auto-reply", "autoreply", "auto response", "auto-response", "autoresponse", "autorespons",
    "autoresponder", "vacation reply", "away from the office", "away from office", "on vacation",
    "abwesenheitsnotiz", "abwesenheit", "automatische antwort", "réponse automatique",
    "absent du bureau", "absence du bureau", "respuesta automática", "fuera de la oficina",
    "risposta automatica", "fuori ufficio", "fuori sede", "resposta automática", "ausência temporária",
    "fora do escritório", "automatisch antwoord", "afwezigheidsmelding", "automatyczna odpowiedź",
    "nieobecność", "автоматический ответ", "автоответ", "вне офиса", "autosvar", "automaattinen vastaus",
    "automātiskā atbilde", "automatinis atsakymas", "automatická odpověď", "automatikus válasz",
    "otomatik yanıt", "răspuns automat", "balasan otomatis", "自動返信", "自动回复", "自動回覆",
    "자동 응답", "부재중", "不在通知",
    # Vietnamese
    "trả lời tự động", "thư trả lời tự động", "phản hồi tự động", "tự động trả lời", "tự động phản hồi",
    "không có mặt tại văn phòng", "ngoài văn phòng",
])
# Only at the very start of the subject (after Re:/Fwd:), where the short words are unambiguous.
OOO_SUBJECT_START = [re.compile(p) for p in (
    r"auto\s*:", r"nghi phep(?!\w)", r"vang mat(?!\w)", r"atvalinajums(?!\w)", r"ferie(?!\w)", r"afwezig(?!\w)",
    r"away until(?!\w)", r"out of office(?!\w)",
)]
READ_RECEIPT_START = [re.compile(p) for p in (
    r"read\s*:", r"not read\s*:", r"da doc\s*:", r"chua doc\s*:", r"gelesen\s*:", r"ungelesen\s*:",
    r"lu\s*:", r"leido\s*:", r"lido\s*:", r"letto\s*:", r"gelezen\s*:", r"przeczytane\s*:",
    r"прочитано\s*:", r"read receipt(?!\w)", r"return receipt(?!\w)", r"已读\s*:", r"開封済み\s*:",
)]

# Challenge/response anti-spam systems ask the sender to prove they are human.
CHALLENGE_BODY = _compile([
    "this account is protected by", "have your address added to the recipient's allowed list",
    "has been waitlisted", "add yourself to my", "sender not pre-approved", "boxbe guest list",
    "to verify that you are a real person", "please verify your email address to complete delivery",
])
