"""Plain text and HTML (mail bodies, OCR output) → blocks."""
from __future__ import annotations

import re

from lxml import html as lhtml

from parsers.blocks import PARAGRAPH, TABLE, Block, clean, is_upper_text
from parsers.labels import parse_label, to_roman

# Where a reply's quoted original starts: everything after belongs to someone else.
_QUOTE_START = re.compile(
    r"^(-{2,}\s*(original message|forwarded message|thư gốc|tin nhắn gốc)\s*-{2,}|"
    r"(on|vào)\s.{5,120}\s(wrote|đã viết)\s*:\s*$|from:\s.+|từ:\s.+@.+)",
    re.I,
)
_SENTENCE_END = (".", ":", ";", "!", "?", "./.")


def text_blocks(text: str, page_breaks: bool = True) -> list[Block]:
    """One block per paragraph; hard-wrapped lines of a paragraph are rejoined."""
    blocks: list[Block] = []
    page = 1
    buf: list[str] = []
    wrap = _wrap_width(text)

    def flush():
        if buf:
            blocks.append(_para(" ".join(buf), page))
            buf.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if "\f" in raw and page_breaks:
            flush()
            page += raw.count("\f")
            raw = raw.replace("\f", "")
        line = clean(raw)
        if _QUOTE_START.match(line):
            break
        if raw.lstrip().startswith(">"):
            continue
        if not line:
            flush()
            continue
        if buf and wrap and _continues(buf[-1], line, wrap):
            buf.append(line)
            continue
        flush()
        buf.append(line)
    flush()
    return blocks


def _wrap_width(text: str) -> int:
    """The width a mail client hard-wrapped the text at, or 0 when it was not wrapped."""
    lengths = [len(x.rstrip()) for x in text.splitlines() if x.strip()]
    if len(lengths) < 5:
        return 0
    width = max(lengths)
    if width > 100:
        return 0
    near = sum(1 for n in lengths if n >= width - 15)
    return width if near >= 0.3 * len(lengths) else 0


def _continues(prev: str, line: str, wrap: int) -> bool:
    """A hard-wrapped line: the previous one reached the wrap width unfinished, this one unlabelled."""
    if len(prev) < wrap - 15 or prev.endswith(_SENTENCE_END):
        return False
    label, _ = parse_label(line)
    if label.kind:
        return False
    if is_upper_text(prev) != is_upper_text(line):
        return False
    return True


def _para(text: str, page: int) -> Block:
    bold = False
    m = re.fullmatch(r"\*\*(.+?)\*\*(.*)", text)
    prefix = 0
    if m:  # markdown-style bold run-in heading typed in a mail
        text = m.group(1) + m.group(2)
        prefix = len(m.group(1))
        bold = not m.group(2).strip()
    return Block(kind=PARAGRAPH, text=text, bold=bold, bold_prefix=prefix, page=page)


# ---- HTML ---------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th",
               "section", "article", "header", "footer", "center", "dd", "dt"}


def html_blocks(html: str) -> list[Block]:
    try:
        root = lhtml.document_fromstring(html)
    except Exception:  # lxml raises several types for junk markup
        return text_blocks(re.sub(r"<[^>]+>", " ", html))
    for bad in root.xpath("//script|//style|//head|//blockquote[@type='cite']|//div[@class='gmail_quote']"):
        bad.drop_tree()
    out: list[Block] = []
    _walk(root, out, [])
    return out


def _walk(el, out: list[Block], lists: list[list]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "table":
        rows = [[clean(c.text_content()) for c in tr.xpath("./td|./th")] for tr in el.xpath(".//tr")]
        out.append(Block(kind=TABLE, rows=[r for r in rows if any(r)]))
        return
    if tag in ("ol", "ul"):
        lists.append([tag, int(el.get("start", "1") or 1) - 1, el.get("type", "1")])
        for c in el:
            _walk(c, out, lists)
        lists.pop()
        return
    has_block_child = any(isinstance(c.tag, str) and (c.tag in _BLOCK_TAGS or c.tag in ("table", "ol", "ul"))
                          for c in el)
    if tag in _BLOCK_TAGS and not has_block_child:
        _emit(el, tag, out, lists)
        return
    if tag in _BLOCK_TAGS and el.text and el.text.strip():
        out.append(Block(kind=PARAGRAPH, text=clean(el.text)))
    for c in el:
        _walk(c, out, lists)
        if c.tail and c.tail.strip() and tag in _BLOCK_TAGS | {"body"}:
            out.extend(text_blocks(c.tail))


def _emit(el, tag: str, out: list[Block], lists: list[list]) -> None:
    for br in el.xpath(".//br"):
        br.tail = "\n" + (br.tail or "")
    label = ""
    if tag == "li" and lists:
        lst = lists[-1]
        lst[1] += 1
        label = _list_label(lst) if lst[0] == "ol" else "-"
    level = int(tag[1]) if tag in ("h1", "h2", "h3", "h4", "h5", "h6") else None
    bold_text = clean(" ".join(b.text_content() for b in el.xpath(".//b|.//strong")))
    for k, line in enumerate(el.text_content().split("\n")):
        text = clean(line)
        if not text:
            continue
        bold = bool(bold_text) and clean(bold_text) == text
        prefix = len(bold_text) if bold_text and text.startswith(bold_text) else 0
        out.append(Block(kind=PARAGRAPH, text=text, level=level, bold=bold, bold_prefix=prefix,
                         numbering=label if k == 0 else ""))


def _list_label(lst: list) -> str:
    n, typ = lst[1], lst[2]
    if typ in ("I", "i"):
        r = to_roman(n)
        return (r if typ == "I" else r.lower()) + "."
    if typ in ("a", "A"):
        c = "abcdefghijklmnopqrstuvwxyz"[(n - 1) % 26]
        return (c if typ == "a" else c.upper()) + ")"
    return f"{n}."
