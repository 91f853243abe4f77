"""What a report is, read from its own letterhead and signature block (Decree 30/2020/NĐ-CP).

Pure: blocks in (any backend's), `DocumentFacts` out. The letterhead is the run of
blocks before the body begins (issuer and number on the left, motto and place/date
on the right, often a two-column table; then the type line and the subject); the
signature block is the right-hand column next to "Nơi nhận". A fact is read only
from its own place: a number or date in the body is never taken for the report's
(numbers cited anywhere go to `cites`). What is not there stays None.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from parsers import document_text as dt
from parsers.blocks import TABLE, Block
from parsers.labels import parse_label

_HEAD_MAX_BLOCKS = 25  # a letterhead, type, subject and "Kính gửi" fit well within this
_HEAD_MAX_CHARS = 300  # a longer paragraph is body text
_SUBJECT_MAX_BLOCKS = 3
_SIGNATURE_LINES = 30  # lines looked at from the "Nơi nhận" / first authority line on
_SIGNATURE_BEFORE = 4  # lines before it (a signature block set above "Nơi nhận")
_CLOSING_LINES = 10
# Words that continue an authority's name on its next line ("ỦY BAN NHÂN DÂN / TỈNH THÁI BÌNH").
_CONTINUATION = ("TỈNH ", "THÀNH PHỐ ", "HUYỆN ", "QUẬN ", "THỊ XÃ ", "XÃ ", "PHƯỜNG ", "THỊ TRẤN ", "VÀ ", "- ")


@dataclass
class Signer:
    name: str | None = None
    position: str | None = None
    authority: str | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "position": self.position, "authority": self.authority}


@dataclass
class SignatureCheck:
    """One digital signature field of a PDF, as `parsers.signatures` found it."""

    field: str | None
    signer: str | None = None
    organization: str | None = None
    signed_at: str | None = None
    intact: bool = False
    covers_whole_file: bool = False
    trusted: bool = False
    trust_reason: str | None = None
    problem: str | None = None  # why the signature could not be read or checked, if so

    def to_json(self) -> dict:
        return {"field": self.field, "signer": self.signer, "organization": self.organization,
                "signed_at": self.signed_at, "intact": self.intact, "covers_whole_file": self.covers_whole_file,
                "trusted": self.trusted, "trust_reason": self.trust_reason, "problem": self.problem}


@dataclass
class DocumentFacts:
    number: str | None = None
    date: str | None = None  # ISO 8601
    place: str | None = None
    type: str | None = None
    subject: str | None = None
    issuer: str | None = None
    cites: list[str] = field(default_factory=list)
    signer: Signer | None = None
    signatures: list[SignatureCheck] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"number": self.number, "date": self.date, "place": self.place, "type": self.type,
                "subject": self.subject, "issuer": self.issuer, "cites": list(self.cites),
                "signer": self.signer.to_json() if self.signer else None,
                "signatures": [s.to_json() for s in self.signatures]}


@dataclass(frozen=True)
class _Line:
    text: str
    block: int
    column: int | None  # the cell of a table row it sits in; None outside tables
    columns: int = 1  # cells in that row


def document_facts(blocks: list[Block]) -> DocumentFacts:
    lines = _lines(blocks)
    head_end = _head_end(blocks)
    head = [ln for ln in lines if ln.block < head_end]
    facts = DocumentFacts()
    number_at = _read_number_and_date(head, facts)
    facts.issuer = _issuer(head, number_at)
    _read_type_and_subject(blocks, head, head_end, facts)
    facts.cites = _cites(lines, facts.number)
    facts.signer = _signer([ln for ln in lines if ln.block >= head_end])
    return facts


def _lines(blocks: list[Block]) -> list[_Line]:
    out = []
    for i, b in enumerate(blocks):
        if b.kind == TABLE:
            for row in b.rows:
                for c, cell in enumerate(row):
                    out += [_Line(t.strip(), i, c, len(row)) for t in cell.split("\n") if t.strip()]
        else:
            out += [_Line(t.strip(), i, None) for t in b.full_text.split("\n") if t.strip()]
    return out


def _head_end(blocks: list[Block]) -> int:
    """Index of the first block after the letterhead: the body's opening sentence, a numbered
    heading, long prose, or (in a short document) its closing and signature block."""
    for i, b in enumerate(blocks[:_HEAD_MAX_BLOCKS]):
        text = b.full_text.strip()
        if i and _closes(text):
            return i
        if b.kind == TABLE or i == 0:
            continue
        if dt.type_line(text) or dt.place_date(text):
            continue
        if dt.opens_body(text) or b.numbering or parse_label(text)[0].kind or len(text) > _HEAD_MAX_CHARS:
            return i
    return min(len(blocks), _HEAD_MAX_BLOCKS)


def _closes(text: str) -> bool:
    return any(dt.is_closing(t) or dt.is_authority(t) or t.lower().startswith("nơi nhận")
               for t in text.split("\n"))


def _read_number_and_date(head: list[_Line], facts: DocumentFacts) -> int | None:
    """Fill number, date and place from the letterhead; the index in `head` of the number line."""
    number_at = None
    for i, ln in enumerate(head):
        number = dt.own_number(ln.text) or (dt.bare_number(ln.text) if ln.column in (None, 0) else None)
        if number and facts.number is None:
            facts.number, number_at = number, i
        when = dt.place_date(ln.text)
        if when and facts.date is None:
            facts.date, facts.place = when.date, when.place
    return number_at


def _issuer(head: list[_Line], number_at: int | None) -> str | None:
    """The capitals at the top left, above the number: 'ỦY BAN NHÂN DÂN / TỈNH THÁI BÌNH' → one name.

    Only in a letterhead (a number line or the national motto): the capitals atop any
    other document (a manual's title page) name no issuer."""
    if number_at is None and not any(dt.is_motto(ln.text) for ln in head):
        return None
    names: list[str] = []
    for i, ln in enumerate(head):
        if i == number_at or dt.own_number(ln.text) or dt.place_date(ln.text) or dt.type_line(ln.text):
            break
        if ln.column not in (None, 0):
            continue
        text = dt.before_motto(ln.text)
        if not any(c.isalpha() for c in text) or dt.is_motto(text):
            continue  # separators, a stamp's or register's number
        if not dt.is_caps(text):
            break
        names.append(text)
    if not names:
        return None
    out = names[0]
    for name in names[1:]:
        joined = name.startswith(_CONTINUATION) or out.endswith((" VÀ", "-", "–"))
        out += (" " if joined else " / ") + name
    return out


def _read_type_and_subject(blocks: list[Block], head: list[_Line], head_end: int, facts: DocumentFacts) -> None:
    for i in range(head_end):
        b = blocks[i]
        if b.kind == TABLE:
            continue
        found = dt.type_line(b.full_text.strip())
        if found:
            facts.type, rest = found
            facts.subject = rest or _subject_after(blocks, i + 1, head_end)
            return
    at = next((i for i, ln in enumerate(head) if ln.column in (None, 0) and dt.is_letter_subject(ln.text)), None)
    if at is None:
        return
    # a công văn: no type line, its subject under the number ("V/v …"), maybe wrapped in its cell
    parts = [head[at].text]
    for ln in head[at + 1:at + _SUBJECT_MAX_BLOCKS]:
        if ln.block != head[at].block or ln.column != head[at].column or ln.column is None:
            break
        if dt.is_separator(ln.text) or dt.place_date(ln.text) or ln.text.lower().startswith("kính gửi"):
            break
        parts.append(ln.text)
    facts.type, facts.subject = dt.CONG_VAN, " ".join(parts)


def _subject_after(blocks: list[Block], start: int, head_end: int) -> str | None:
    parts = []
    for b in blocks[start:min(head_end, start + _SUBJECT_MAX_BLOCKS)]:
        text, addressee = dt.cut_addressee(b.full_text.strip())
        if (b.kind == TABLE or not text or dt.is_separator(text) or dt.opens_body(text)
                or text.endswith(";")):  # a legal basis ("Căn cứ Luật …;") begins the body
            break
        parts.append(text)
        if addressee:
            break
    return " ".join(parts) or None


def _cites(lines: list[_Line], own: str | None) -> list[str]:
    out: list[str] = []
    for ln in lines:
        if dt.own_number(ln.text):  # the report's own "Số:" line cites nothing
            continue
        for number in dt.cited_numbers(ln.text):
            if number != own and number not in out:
                out.append(number)
    return out


def _signer(body: list[_Line]) -> Signer | None:
    """The signature block: right of "Nơi nhận" (or after the closing sentence)."""
    anchor = next((i for i, ln in enumerate(body) if ln.text.lower().startswith("nơi nhận")
                   or dt.is_authority(ln.text)), None)
    if anchor is not None:
        window = body[max(0, anchor - _SIGNATURE_BEFORE):anchor + _SIGNATURE_LINES]
    else:
        closing = next((i for i in range(len(body) - 1, -1, -1) if dt.is_closing(body[i].text)), None)
        if closing is None:
            return None
        window = body[closing + 1:closing + 1 + _CLOSING_LINES]
    return _read_signature([part for ln in window if _in_signature_column(ln) for part in dt.split_authorities(ln.text)])


def _in_signature_column(ln: _Line) -> bool:
    if ln.column is not None and ln.columns > 1:
        return ln.column > 0
    return not dt.is_recipient_line(ln.text)


def _read_signature(lines: list[str]) -> Signer | None:
    authority: list[str] = []
    position = name = None
    for text in lines:
        if dt.is_signature_note(text) or dt.is_separator(text):
            continue
        if dt.is_authority(text) and position is None:
            authority.append(text)
        elif position is None and dt.is_position(text):
            position = text
        elif (position or authority) and dt.is_person_name(text):
            name = text
            break
    if not (authority or (position and name)):  # a line in capitals alone is no signature
        return None
    return Signer(name=name, position=position, authority=" / ".join(authority) or None)
