"""Safe access to hostile mail: parsing that never raises, header decoding, text folding.

Everything here is pure. Header values are read *raw* (`raw_items`) and decoded by us,
because `email.policy.default` parses structured headers lazily with a recursive
parser that can be slow or raise on pathological input (a To: folded into thousands
of encoded-words, 1 MB headers, raw 8-bit bytes).
"""

from __future__ import annotations

import binascii
import codecs
import email.header
import email.message
import email.policy
import email.utils
import re
import unicodedata
from email.feedparser import BytesFeedParser
from email.message import EmailMessage

MAX_HEADER_CHARS = 16_384  # a decoded header longer than this is cut (subjects, addresses)
MAX_RAW_HEADER_CHARS = 262_144  # raw input considered for decoding; the rest is ignored

# Labels seen in the wild that Python does not know, or knows by a narrower cousin.
_FEED_BYTES = 1 << 20  # parse_message feeds the parser this much at a time

_CHARSET_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "x-windows-949": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "x-mac-cyrillic": "mac_cyrillic",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
    "x-user-defined": "cp1252",
    "iso-8859-1": "cp1252",  # WHATWG: latin-1 labels mean windows-1252
    "latin1": "cp1252",
    "windows-1258": "cp1258",
    "sjis": "shift_jis",
    "x-sjis": "shift_jis",
    "iso-2022-jp-2": "iso2022_jp_2",
}
FALLBACK_CHARSETS = ("utf-8", "cp1258", "cp1252")  # unlabelled Vietnamese Windows mail is cp1258


def parse_message(raw: bytes) -> EmailMessage:
    """Parse bytes into an EmailMessage; never raises (garbage gives an almost empty message)."""
    if not isinstance(raw, (bytes, bytearray)):
        raw = b""
    # A leading blank line would turn every header into body text (seen in exported fixtures).
    raw = bytes(raw).lstrip(b"\r\n")
    try:
        # Fed in slices: parsebytes() decodes the whole message and splits all of it into lines
        # at once, about 9x its size in memory (600 MB for a 50 MB attachment); this is ~3x.
        parser = BytesFeedParser(policy=email.policy.default)
        for i in range(0, len(raw), _FEED_BYTES):
            parser.feed(raw[i:i + _FEED_BYTES])
        return parser.close()
    except Exception:  # noqa: BLE001 - the parser is meant to be lenient; be safe anyway
        msg = EmailMessage(policy=email.policy.default)
        msg.set_payload(bytes(raw).decode("ascii", "surrogateescape"))
        return msg


def header_block(raw: bytes) -> bytes:
    """The header section of a raw message (up to its first empty line): what a header-only
    reader needs, without parsing (and holding) a body that may be tens of megabytes."""
    raw = bytes(raw).lstrip(b"\r\n")
    end = re.search(rb"\r?\n\r?\n", raw)
    return raw[: end.end()] if end else raw


def normalise_charset(label: str | None) -> str | None:
    """A Python codec name for a MIME charset label, or None when unknown."""
    if not label:
        return None
    name = str(label).strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode with the declared charset, else utf-8, else cp1258, else utf-8 with replacement."""
    tried: list[str] = []
    labels: tuple[str | None, ...] = (charset, *FALLBACK_CHARSETS)
    if normalise_charset(charset) == "ascii":  # 8-bit bytes under an ascii label
        labels = ("utf-8", "cp1252", *FALLBACK_CHARSETS)
    for label in labels:
        codec = normalise_charset(label)
        if codec is None or codec in tried:
            continue
        tried.append(codec)
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError, ValueError):
            pass
        if codec == "utf-8":  # utf-8 text with a few stray bytes: replace them, keep the rest
            lenient = data.decode("utf-8", "replace")
            bad = lenient.count("\ufffd")
            multibyte = sum(1 for ch in lenient if ord(ch) > 127) - bad
            if multibyte > 0 and bad <= max(2, multibyte // 10):
                return lenient
    return data.decode("utf-8", "replace")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """NFC, without NUL/control characters or lone surrogates."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


def _unescape_8bit(value: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: decode them as utf-8 or cp1258."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("ascii", "surrogateescape"))


def decode_header_value(value: object, limit: int = MAX_HEADER_CHARS) -> str:
    """Decode one raw header value (RFC 2047, raw 8-bit) into clean NFC text, unfolded."""
    if value is None:
        return ""
    text = str(value)[:MAX_RAW_HEADER_CHARS]
    text = re.sub(r"\r?\n[ \t]*|\r[ \t]*", " ", text)
    try:
        parts = email.header.decode_header(text)
    except Exception:  # noqa: BLE001 - malformed encoded words: keep the raw text
        parts = [(text, None)]
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            if charset is None:  # decode_header re-encodes plain runs as raw-unicode-escape
                out.append(_unescape_8bit(chunk.decode("raw-unicode-escape")))
            else:
                out.append(decode_bytes(chunk, charset))
        else:
            out.append(_unescape_8bit(chunk))
    # decode_header drops the space between plain words and encoded words; it keeps
    # plain runs verbatim, so joining with "" loses nothing a reader relies on.
    decoded = "".join(out) if len(parts) > 1 else (out[0] if out else "")
    return clean_text(decoded)[:limit]


def raw_headers(msg: EmailMessage, name: str) -> list[str]:
    """All raw values of a header, in order, without invoking the structured parser."""
    key = name.lower()
    try:
        return [str(v) for k, v in msg.raw_items() if k.lower() == key]
    except Exception:  # noqa: BLE001
        return []


def header(msg: EmailMessage, name: str, limit: int = MAX_HEADER_CHARS) -> str:
    """The first value of a header, decoded; "" when absent."""
    values = raw_headers(msg, name)
    return decode_header_value(values[0], limit) if values else ""


def has_header(msg: EmailMessage, name: str) -> bool:
    return bool(raw_headers(msg, name))


def addresses(msg: EmailMessage, name: str) -> list[str]:
    """Lower-cased addr-specs of an address header (all occurrences); hostile input tolerated."""
    found: list[str] = []
    for raw in raw_headers(msg, name):
        text = decode_header_value(raw, MAX_HEADER_CHARS)
        found.extend(addresses_in(text))
    return found


def addresses_in(text: str) -> list[str]:
    try:
        pairs = email.utils.getaddresses([text])
    except Exception:  # noqa: BLE001
        pairs = []
    found = [addr.strip().strip("<>").lower() for _, addr in pairs if "@" in addr]
    if not found:  # getaddresses gives up on some broken headers; fall back to a plain scan
        found = [m.lower() for m in _ADDR.findall(text)]
    return found


_ADDR = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)


def from_address(msg: EmailMessage) -> str:
    """The sender's address (From, else Sender), lower-cased; "" when none."""
    for name in ("From", "Sender"):
        found = addresses(msg, name)
        if found:
            return found[0]
    return ""


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().rstrip(".").lower() if "@" in address else ""


_MSGID = re.compile(r"<([^<>\s]{1,900}@[^<>\s]{1,255})>")


def message_ids(value: str) -> list[str]:
    """Message-IDs (without angle brackets) found in a header value, in order, deduplicated."""
    seen: dict[str, None] = {}
    for mid in _MSGID.findall(value or ""):
        seen.setdefault(mid.strip(), None)
    return list(seen)


def thread_ids(msg: EmailMessage) -> list[str]:
    """In-Reply-To then References ids (most recent first for References), deduplicated."""
    ids = message_ids(" ".join(raw_headers(msg, "In-Reply-To")))
    refs = message_ids(" ".join(raw_headers(msg, "References")))
    for mid in reversed(refs):
        if mid not in ids:
            ids.append(mid)
    return ids


def first_token(value: str) -> str:
    """The leading token of a header like Auto-Submitted, without comments, lower-cased."""
    value = re.sub(r"\([^)]*\)", " ", value or "")
    parts = value.replace(";", " ").split()
    return parts[0].lower() if parts else ""


_FORMAT_CHARS = {"Cf"}


def fold(text: str) -> str:
    """Lower-case, accent-free, whitespace-collapsed form for matching (đ → d, NFKD marks dropped)."""
    text = unicodedata.normalize("NFKD", text or "")
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Mn" or cat in _FORMAT_CHARS:
            continue
        kept.append(ch)
    folded = "".join(kept).replace("đ", "d").replace("Đ", "D").casefold()
    folded = folded.replace("ł", "l").replace("ø", "o").replace("æ", "ae").replace("ß", "ss")
    return re.sub(r"\s+", " ", folded).strip()


# --- MIME parts (hostile trees: deep, wide, broken) ----------------------------------

MAX_PARTS = 2_000
MAX_DEPTH = 40
_ENCLOSED_MESSAGE_TYPES = ("message/rfc822", "message/global", "message/news")


def _mime_header(part: EmailMessage, name: str) -> email.message.Message:
    """A compat32 holder of one raw MIME header: its parameter parsing is simple and robust."""
    holder = email.message.Message()
    values = raw_headers(part, name)
    if values:
        # raw 8-bit bytes (surrogate escapes) would become U+FFFD in compat32: decode them first
        holder[name] = _unescape_8bit(re.sub(r"\r?\n[ \t]*", " ", values[0])[:MAX_RAW_HEADER_CHARS])
    return holder


def content_type(part: EmailMessage) -> str:
    """The part's media type, lower-case; defaults as RFC 2045 says (message/rfc822 in digests)."""
    try:
        if raw_headers(part, "Content-Type"):
            ctype = _mime_header(part, "Content-Type").get_content_type()
            return ctype if "/" in ctype else "application/octet-stream"
        return part.get_default_type()
    except Exception:  # noqa: BLE001
        return "application/octet-stream"


def param(part: EmailMessage, name: str, header_name: str = "content-type") -> str:
    """A decoded Content-Type/Content-Disposition parameter (RFC 2231 and 2047), "" if absent."""
    try:
        value = _mime_header(part, header_name).get_param(name, header=header_name)
    except Exception:  # noqa: BLE001
        return ""
    if value is None:
        return ""
    if isinstance(value, tuple):  # RFC 2231 (charset, language, %-decoded text as latin-1)
        charset, _, text = value
        try:
            value = decode_bytes(email.utils.unquote(text).encode("raw-unicode-escape"), charset)
        except Exception:  # noqa: BLE001
            value = str(text)
    return decode_header_value(email.utils.unquote(str(value)))


def disposition(part: EmailMessage) -> str:
    """"attachment", "inline" or "" (absent or unknown)."""
    values = raw_headers(part, "Content-Disposition")
    token = values[0].split(";", 1)[0].strip().lower() if values else ""
    return token if token in ("attachment", "inline") else ("attachment" if token else "")


def walk_parts(msg: EmailMessage, into_messages: bool = True):
    """Yield (part, path, in_message) depth-first without recursion, within MAX_PARTS/MAX_DEPTH.

    `path` numbers parts like IMAP ("1.2"); `in_message` is True below a message/rfc822.
    With into_messages=False, enclosed messages are yielded but not entered.
    """
    stack = [(msg, "", False, 0)]
    seen = 0
    while stack and seen < MAX_PARTS:
        part, path, inside, depth = stack.pop()
        seen += 1
        yield part, path or "0", inside
        if depth >= MAX_DEPTH:
            continue
        ctype = content_type(part)
        is_message = ctype in _ENCLOSED_MESSAGE_TYPES and part is not msg
        if (is_message and not into_messages) or not (is_message or ctype.startswith("multipart/") or part is msg):
            continue  # delivery-status and the like are header blocks, not parts
        try:
            children = part.get_payload() if part.is_multipart() else []
        except Exception:  # noqa: BLE001
            children = []
        if not isinstance(children, list):
            continue
        kids = [c for c in children if isinstance(c, EmailMessage)]
        for i, child in reversed(list(enumerate(kids, 1))):
            stack.append((child, f"{path}.{i}" if path else str(i), inside or is_message, depth + 1))


def part_bytes(part: EmailMessage) -> bytes:
    """The transfer-decoded payload of a leaf part; b"" when there is none."""
    fast = _base64_payload(part)
    if fast is not None:
        return fast
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        data = None
    if isinstance(data, bytes):
        return data
    try:
        raw = part.get_payload()
    except Exception:  # noqa: BLE001
        return b""
    return raw.encode("ascii", "surrogateescape") if isinstance(raw, str) else b""


def _base64_payload(part: EmailMessage) -> bytes | None:
    """Well-formed base64 decoded in one step (newlines skipped by the decoder): the stdlib's
    get_payload(decode=True) splits the text into lines first, ~4x the part's size in memory.
    None when the part is not base64 or is malformed (the stdlib's lenient decoder then)."""
    try:
        if part.is_multipart() or str(part.get("Content-Transfer-Encoding", "")).strip().lower() != "base64":
            return None
        payload = part.get_payload()
        return binascii.a2b_base64(payload.encode("ascii")) if isinstance(payload, str) else None
    except (UnicodeError, binascii.Error, ValueError, TypeError):
        return None


def part_text(part: EmailMessage, limit: int = 2_000_000) -> str:
    """A text part decoded with its declared charset (with fallbacks), NFC, cut at `limit`."""
    try:
        charset = part.get_content_charset()
    except Exception:  # noqa: BLE001
        charset = None
    return clean_text(decode_bytes(part_bytes(part)[:limit], charset))
