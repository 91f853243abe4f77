"""Walk a DOCX body: paragraphs (with runs, fields, content controls, tracked
insertions, text boxes) and tables, in reading order, into blocks."""
from __future__ import annotations

from parsers.blocks import PARAGRAPH, TABLE, Block, clean
from parsers.docx_numbering import W
from parsers.docx_package import LEGACY_FONT, MC, SKIP_TAGS, Package, on, style_chain, to_int
from parsers.vietnamese import decode_if_vietnamese, decode_run

_CONTAINERS = {W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "moveTo", W + "smartTag",
               MC + "AlternateContent", MC + "Choice", W + "hyperlink", W + "fldSimple", W + "dir", W + "bdo"}
MAX_DEPTH = 40


def body_blocks(pkg: Package, body) -> list[Block]:
    out: list[Block] = []
    for el in body:
        _element(pkg, el, out, 0)
    if pkg.encoding is None:
        _decode_by_statistics(pkg, out)
    return out


def _decode_by_statistics(pkg: Package, blocks: list[Block]) -> None:
    """Legacy-encoded text whose font names were lost (e.g. re-styled): decide on the whole text."""
    sample = "\n".join(b.full_text for b in blocks[:300])
    _, enc = decode_if_vietnamese(sample)
    if not enc:
        return
    pkg.encoding = enc
    for b in blocks:
        if b.kind == TABLE:
            b.rows = [[decode_if_vietnamese(c)[0] for c in r] for r in b.rows]
        else:
            b.text = clean(decode_if_vietnamese(b.text)[0])


def _element(pkg: Package, el, out: list[Block], depth: int) -> None:
    tag = el.tag
    if not isinstance(tag, str) or depth > MAX_DEPTH:
        return
    if tag == W + "p":
        out.extend(_paragraph(pkg, el, depth))
    elif tag == W + "sdt" and showing_placeholder(el):
        out.append(Block(kind=PARAGRAPH, placeholder=True))  # Word's prompt, not the agency's text
    elif tag == W + "tbl":
        out.append(Block(kind=TABLE, rows=_rows(pkg, el, depth)))
    elif tag in _CONTAINERS:
        for c in el:
            _element(pkg, c, out, depth + 1)


def _rows(pkg: Package, tbl, depth: int) -> list[list[str]]:
    rows = []
    for tr in _direct(tbl, W + "tr"):
        cells = []
        for tc in _direct(tr, W + "tc"):
            inner: list[Block] = []
            for c in tc:
                _element(pkg, c, inner, depth + 1)
            cells.append("\n".join(b.full_text for b in inner if b.full_text))
        rows.append(cells)
    return rows


def _direct(el, tag: str):
    """Children with `tag`, looking through sdt/customXml wrappers."""
    for c in el:
        if c.tag == tag:
            yield c
        elif c.tag in _CONTAINERS:
            yield from _direct(c, tag)


class _Style:
    __slots__ = ("name", "level", "bold", "size", "font", "num")


def _pstyle(pkg: Package, sid: str, cache: dict = {}) -> _Style:  # noqa: B006 - per-process cache
    key = (id(pkg), sid)
    if key in cache:
        return cache[key]
    s = _Style()
    chain = list(style_chain(pkg, sid or "Normal")) or list(style_chain(pkg, "Normal"))
    s.name = chain[0].name if chain else sid
    s.level = next((x.level for x in chain if x.level is not None), None)
    s.bold = next((x.bold for x in chain if x.bold is not None), False)
    s.size = next((x.size for x in chain if x.size), None)
    s.font = next((x.font for x in chain if x.font), "") or pkg.default_font
    s.num = next((x.num for x in chain if x.num), None)
    if len(cache) > 5000:
        cache.clear()
    cache[key] = s
    return s


def _paragraph(pkg: Package, p, depth: int) -> list[Block]:
    ppr = p.find(W + "pPr")
    sid = ""
    num = None
    level = None
    centered = False
    if ppr is not None:
        ps = ppr.find(W + "pStyle")
        sid = ps.get(W + "val", "") if ps is not None else ""
        jc = ppr.find(W + "jc")
        centered = jc is not None and jc.get(W + "val") == "center"
        ol = ppr.find(W + "outlineLvl")
        if ol is not None and to_int(ol.get(W + "val")) < 9 and ol.get(W + "val", "").isdigit():
            level = to_int(ol.get(W + "val")) + 1
        np_ = ppr.find(W + "numPr")
        if np_ is not None:
            nid, il = np_.find(W + "numId"), np_.find(W + "ilvl")
            num = (nid.get(W + "val", "") if nid is not None else None,
                   to_int(il.get(W + "val")) if il is not None else None)
    st = _pstyle(pkg, sid)
    if num is None:
        num = st.num
    elif num[0] is None or num[1] is None:
        base = st.num or ("", 0)
        num = (num[0] if num[0] is not None else base[0], num[1] if num[1] is not None else base[1])
    pieces: list[tuple[str, bool, float | None, str]] = []
    boxes: list = []
    _collect(pkg, p, st, pieces, boxes, None, depth)
    label = pkg.numbering.label(num[0], num[1]) if num and num[0] else ""
    block = _make_block(pkg, pieces, st, level if level is not None else st.level, label, centered)
    out = [block] if (block.text or block.numbering) else []
    for box in boxes:
        for c in box:
            _element(pkg, c, out, depth + 1)
    for ref in p.iter(W + "footnoteReference", W + "endnoteReference"):
        note = pkg.notes.get((ref.tag[len(W):-len("Reference")], ref.get(W + "id", "")))
        if note is not None and depth < MAX_DEPTH:  # a note's text follows the paragraph citing it
            for c in note:
                _element(pkg, c, out, depth + 1)
    return out


def showing_placeholder(sdt) -> bool:
    pr = sdt.find(W + "sdtPr")
    return pr is not None and pr.find(W + "showingPlcHdr") is not None


def _collect(pkg, el, st, pieces, boxes, run, depth) -> None:
    for c in el:
        tag = c.tag
        if not isinstance(tag, str) or tag in SKIP_TAGS or (tag == W + "sdt" and showing_placeholder(c)):
            continue
        if tag == W + "t":
            if run is not None and c.text:
                pieces.append((c.text, *run))
        elif tag in (W + "tab", W + "br", W + "cr"):
            if run is not None:
                pieces.append((" ", *run))
        elif tag == W + "noBreakHyphen":
            if run is not None:
                pieces.append(("-", *run))
        elif tag == W + "softHyphen":  # in a TCVN3 run this is the letter "ư" (byte 0xAD)
            if run is not None:
                pieces.append(("\u00ad", *run))
        elif tag == W + "r":
            _collect(pkg, c, st, pieces, boxes, _run_props(pkg, c, st), depth)
        elif tag == W + "txbxContent":
            boxes.append(c)
        elif tag == W + "p":  # a paragraph nested where it should not be: read as a text box
            boxes.append([c])
        elif depth < MAX_DEPTH:
            _collect(pkg, c, st, pieces, boxes, run, depth + 1)


def _run_props(pkg: Package, r, st: _Style) -> tuple[bool, float | None, str]:
    bold, size, font = st.bold, st.size, st.font
    rpr = r.find(W + "rPr")
    if rpr is not None:
        rs = rpr.find(W + "rStyle")
        if rs is not None:
            for x in style_chain(pkg, rs.get(W + "val", "")):
                if x.bold is not None:
                    bold = x.bold
                    break
            for x in style_chain(pkg, rs.get(W + "val", "")):
                if x.font:
                    font = x.font
                    break
        b = rpr.find(W + "b")
        if b is not None:
            bold = on(b)
        sz = rpr.find(W + "sz")
        if sz is not None and to_int(sz.get(W + "val")):
            size = to_int(sz.get(W + "val")) / 2
        f = rpr.find(W + "rFonts")
        if f is not None:
            font = f.get(W + "ascii") or f.get(W + "hAnsi") or font
    return bool(bold), size, font


def _decode_pieces(pkg: Package, pieces):
    """Decode runs set in TCVN3 (.VnTime) or VNI fonts, run by run."""
    out = []
    for text, bold, size, font in pieces:
        if font and LEGACY_FONT.match(font):
            pkg.legacy_used.add(font)
            decoded, enc = decode_run(text, font)
            if enc:
                pkg.encoding = enc
                text = decoded
        out.append((text, bold, size, font))
    return out


def _make_block(pkg, pieces, st: _Style, level, label, centered) -> Block:
    if any(f and LEGACY_FONT.match(f) for _, _, _, f in pieces):
        pieces = _decode_pieces(pkg, pieces)
    elif any("\u00ad" in t for t, *_ in pieces):
        pieces = [(t.replace("\u00ad", ""), *rest) for t, *rest in pieces]
    raw = "".join(t for t, *_ in pieces)
    total = sum(len(t.strip()) for t, *_ in pieces)
    bold_chars = sum(len(t.strip()) for t, b, *_ in pieces if b)
    prefix = 0
    for t, b, *_ in pieces:
        if b or not t.strip():
            prefix += len(t)
        else:
            break
    sizes = [s for t, _, s, _ in pieces if s and t.strip()]
    text = clean(raw)
    bold_prefix = len(clean(raw[:prefix])) if prefix < len(raw) else len(text)
    return Block(
        kind=PARAGRAPH, text=text, level=level, style=st.name or "",
        bold=total > 0 and bold_chars == total, bold_prefix=bold_prefix if bold_chars else 0,
        font_size=max(sizes) if sizes else st.size, numbering=label, centered=centered,
    )
