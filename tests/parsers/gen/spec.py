"""A report as an abstract list of items, built from a `Shape`, plus what each
key sentence's section must be. Renderers (docx.py, flat.py) draw it."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace

from gen.content import BODY, CLOSING, II_TASKS, PARAPHRASE, load_outline

OUTLINE = load_outline()
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII"]
_ORD = ["THỨ NHẤT", "THỨ HAI", "THỨ BA", "THỨ TƯ", "THỨ NĂM", "THỨ SÁU"]
_LET = "abcdđeghik"


@dataclass(frozen=True)
class Shape:
    name: str
    top: str = "roman"  # roman | phan | phan_thu | arabic
    sub: str = "arabic"  # arabic | paren | multi | letter | dash | none
    look: str = "bold"  # style | bold | caps | plain
    auto: bool = False  # labels computed by Word from numbering.xml
    runin: bool = False  # sub-headings followed by text on the same paragraph
    paraphrase: bool = False
    omit: tuple[str, ...] = ()
    merge: bool = False  # IV and V under one heading
    table_subitems: bool = False  # I's children as rows of a table
    decree30: bool = True  # header/signature as two-column tables
    body_lists: bool = True
    nfd: bool = False
    tone_old: bool = False  # "hoà" written "hòa" and vice versa
    plain: bool = False  # counted in the "plain shapes" (must be 100 %)
    formats: tuple[str, ...] = ("docx",)


@dataclass
class Item:
    kind: str  # heading | para | table | label (a label alone on its line)
    text: str = ""
    depth: int = 0
    label: str = ""
    node: str | None = None
    rows: list[list[str]] = field(default_factory=list)
    fmt: str = ""  # auto-numbering format for the renderer: upperRoman | decimal | lowerLetter | bullet
    head: str = ""  # run-in heading: the bold leading part of `text`


@dataclass
class Doc:
    shape: Shape
    items: list[Item]
    expected: dict[str, set[str]]  # key sentence → acceptable section ids


def _top_label(shape: Shape, n: int) -> tuple[str, str]:
    return {
        "roman": (f"{_ROMAN[n]}.", "upperRoman"),
        "phan": (f"Phần {_ROMAN[n]}.", "phan"),
        "phan_thu": (f"PHẦN {_ORD[n]}", "phan"),
        "arabic": (f"{n + 1}.", "decimal"),
    }[shape.top]


def _sub_label(shape: Shape, top_n: int, n: int) -> tuple[str, str]:
    return {
        "arabic": (f"{n + 1}.", "decimal"),
        "paren": (f"{n + 1})", "decimal"),
        "multi": (f"{top_n + 1}.{n + 1}.", "multi"),
        "letter": (f"{_LET[n]})", "lowerLetter"),
        "dash": ("-", "bullet"),
        "none": ("", ""),
    }[shape.sub]


def _title(shape: Shape, node_id: str) -> str:
    t = OUTLINE.node(node_id).title
    if shape.paraphrase and node_id in PARAPHRASE:
        t = PARAPHRASE[node_id]
    return t


def build(shape: Shape) -> Doc:
    items: list[Item] = []
    expected: dict[str, set[str]] = {}
    tops = [n for n in OUTLINE.nodes if n.depth == 0 and n.id not in shape.omit]
    for ti, top in enumerate(tops):
        if shape.merge and top.id == "V":
            continue
        label, fmt = _top_label(shape, ti)
        title = _title(shape, top.id)
        targets = {top.id}
        if shape.merge and top.id == "IV":
            title = "Khó khăn, vướng mắc và đề xuất, kiến nghị"
            targets = {"IV", "V"}
        if shape.look == "caps" or shape.top == "phan_thu":
            title = title.upper()
        if shape.top == "phan_thu":
            items.append(Item("label", label, 0, label, top.id, fmt=fmt))
            items.append(Item("heading", title, 0, "", top.id))
        else:
            items.append(Item("heading", title, 0, label, top.id, fmt=fmt))
        bodies = [top.id] + (["V"] if shape.merge and top.id == "IV" else [])
        for b in bodies:
            for s in BODY[b]:
                items.append(Item("para", s))
                expected[s] = targets
        if top.id == "II" and shape.body_lists:
            for t in II_TASKS:
                items.append(Item("para", t))
                expected[t] = {"II"}
        kids = [k for k in OUTLINE.children(top.id) if k.id not in shape.omit]
        if kids and shape.table_subitems and top.id == "I":
            items.append(_kid_table(kids, expected))
            continue
        for ki, kid in enumerate(kids):
            _add_kid(shape, items, expected, ti, ki, kid.id, top.id)
    return Doc(shape, _postprocess(shape, items), _post_expected(shape, expected))


def _add_kid(shape: Shape, items, expected, ti: int, ki: int, kid_id: str, parent: str) -> None:
    sents = BODY[kid_id]
    if shape.sub == "none" and parent == "I":
        for s in sents:
            items.append(Item("para", s))
            expected[s] = {parent}
        return
    label, fmt = _sub_label(shape if parent == "I" or shape.sub != "none" else replace(shape, sub="arabic"), ti, ki)
    title = _title(shape, kid_id)
    if shape.runin:
        items.append(Item("heading", f"{title}: {sents[0]}", 1, label, kid_id, fmt=fmt, head=title))
        rest = sents[1:]
    else:
        items.append(Item("heading", title, 1, label, kid_id, fmt=fmt))
        rest = sents
    for s in sents:
        expected[s] = {kid_id}
    for s in rest:
        items.append(Item("para", s))


def _kid_table(kids, expected) -> Item:
    rows = [["STT", "Nội dung", "Kết quả thực hiện"]]
    for k, kid in enumerate(kids):
        rows.append([str(k + 1), kid.title, " ".join(BODY[kid.id])])
        for s in BODY[kid.id]:
            expected[s] = {kid.id}
    return Item("table", rows=rows)


def _variant(s: str, shape: Shape) -> str:
    if shape.tone_old:
        s = s.replace("hóa", "hoá").replace("Hòa", "Hoà").replace("hòa", "hoà").replace("thủy", "thuỷ")
    if shape.nfd:
        s = unicodedata.normalize("NFD", s)
    return s


def _postprocess(shape: Shape, items: list[Item]) -> list[Item]:
    if not (shape.nfd or shape.tone_old):
        return items
    for it in items:
        it.text = _variant(it.text, shape)
        it.rows = [[_variant(c, shape) for c in r] for r in it.rows]
    return items


def _post_expected(shape: Shape, expected: dict[str, set[str]]) -> dict[str, set[str]]:
    # Sections come back NFC; tone variants stay as written.
    return {unicodedata.normalize("NFC", _variant(s, replace(shape, nfd=False))): v for s, v in expected.items()}


CLOSING_LINES = CLOSING
