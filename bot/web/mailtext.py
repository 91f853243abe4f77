"""A received mail's body as plain text for staff: HTML is reduced to its text with nh3 (scripts,
styles and every tag dropped, so nothing runs and nothing remote loads), then escaped by the
template like any agency text. Pure."""
from __future__ import annotations

import html
import re

import nh3

_BREAKS = re.compile(r"(?i)<\s*(br|/p|/div|/tr|/li|/h[1-6]|/table|/blockquote)\b[^>]*>")
_BLANKS = re.compile(r"\n{3,}")
MAX_CHARS = 50_000


def as_text(body: str, is_html: bool) -> str:
    if is_html:
        body = _BREAKS.sub("\n", body)
        body = nh3.clean(body, tags=set(), clean_content_tags={"script", "style", "head", "title", "noscript",
                                                               "template", "svg", "math"})
        body = html.unescape(body)
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    text = _BLANKS.sub("\n\n", "\n".join(line.rstrip() for line in body.split("\n"))).strip()
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + "\n…"
