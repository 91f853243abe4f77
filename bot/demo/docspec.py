"""A report as an abstract list of items in one of the shapes agencies write it in.

`build(shape, report, outline)` lays a `content.Report` out as headings, paragraphs and
tables; the renderers (render_docx, render_flat) draw it. `Doc.expected` maps each key
sentence to the outline node(s) it must be found under, for checks.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace

from bot.demo.content import Report
from parsers.model import Outline

_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII"]
_ORD = ["THỨ NHẤT", "THỨ HAI", "THỨ BA", "THỨ TƯ", "THỨ NĂM", "THỨ SÁU"]
_LET = "abcdđeghik"
II_TASKS = [
    "1. Hoàn thiện hạ tầng kỹ thuật số phục vụ sản xuất nội dung trên các nền tảng số.",
    "2. Phát triển nguồn nhân lực báo chí số đáp ứng yêu cầu chuyển đổi số.",
    "3. Đổi mới mô hình tòa soạn hội tụ, đa phương tiện.",
]
# Wording variants of headings agencies use instead of the outline's.
PARAPHRASE = {
    "I": "Thực trạng chuyển đổi số tại các cơ quan báo chí trực thuộc",
    "I.2": "Về đầu tư cơ sở vật chất, trang thiết bị",
    "I.3": "Nguồn nhân lực, vật lực phục vụ chuyển đổi số",
    "I.5": "Phản hồi của độc giả và tăng trưởng độc giả",
    "I.6": "Doanh thu từ sản phẩm báo chí số",
    "III.2": "Thuận lợi, ưu điểm",
    "III.3": "Tồn tại, hạn chế và nguyên nhân",
    "IV": "Khó khăn, vướng mắc trong quá trình thực hiện",
    "V": "Kiến nghị, đề xuất",
}


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


@dataclass
class Item:
    kind: str  # heading | para | table | label (a label alone on its line)
    text: str = ""
    depth: int = 0
    label: str = ""
    node: str | None = None
    rows: list[list[str]] = field(default_factory=list)
    fmt: str = ""  # auto-numbering format: upperRoman | decimal | lowerLetter | bullet | phan | multi
    head: str = ""  # run-in heading: the bold leading part of `text`


@dataclass
class Doc:
    shape: Shape
    report: Report
    items: list[Item]
    expected: dict[str, set[str]]  # key sentence -> acceptable section ids


def _top_label(shape: Shape, n: int) -> tuple[str, str]:
    return {
        "roman": (f"{_ROMAN[n]}.", "upperRoman"),
        "phan": (f"Phần {_ROMAN[n]}.", "phan"),
        "phan_thu": (f"PHẦN {_ORD[n]}", "phan"),
        "arabic": (f"{n + 1}.", "decimal"),
    }[shape.top]


def _sub_label(sub: str, top_n: int, n: int) -> tuple[str, str]:
    return {
        "arabic": (f"{n + 1}.", "decimal"),
        "paren": (f"{n + 1})", "decimal"),
        "multi": (f"{top_n + 1}.{n + 1}.", "multi"),
        "letter": (f"{_LET[n]})", "lowerLetter"),
        "dash": ("-", "bullet"),
        "none": ("", ""),
    }[sub]


class _Builder:
    def __init__(self, shape: Shape, report: Report, outline: Outline) -> None:
        self.shape, self.report, self.outline = shape, report, outline
        self.items: list[Item] = []
        self.expected: dict[str, set[str]] = {}

    def title(self, node_id: str) -> str:
        if self.shape.paraphrase and node_id in PARAPHRASE:
            return PARAPHRASE[node_id]
        return self.outline.node(node_id).title

    def para(self, text: str, targets: set[str]) -> None:
        self.items.append(Item("para", text))
        self.expected[text] = targets

    def top(self, ti: int, node_id: str) -> None:
        shape = self.shape
        label, fmt = _top_label(shape, ti)
        title, targets = self.title(node_id), {node_id}
        merged = shape.merge and node_id == "IV"
        if merged:
            title, targets = "Khó khăn, vướng mắc và đề xuất, kiến nghị", {"IV", "V"}
        if shape.look == "caps" or shape.top == "phan_thu":
            title = title.upper()
        if shape.top == "phan_thu":
            self.items.append(Item("label", label, 0, label, node_id, fmt=fmt))
            self.items.append(Item("heading", title, 0, "", node_id))
        else:
            self.items.append(Item("heading", title, 0, label, node_id, fmt=fmt))
        for b in [node_id] + (["V"] if merged else []):
            for s in self.report.body.get(b, ()):
                self.para(s, targets)
        if node_id == "II" and shape.body_lists:
            for t in II_TASKS:
                self.para(t, {"II"})

    def kid(self, ti: int, ki: int, kid_id: str, parent: str) -> None:
        shape, sents = self.shape, self.report.body.get(kid_id, [])
        if shape.sub == "none" and parent == "I":
            for s in sents:
                self.para(s, {parent})
            return
        label, fmt = _sub_label(shape.sub if (parent == "I" or shape.sub != "none") else "arabic", ti, ki)
        title = self.title(kid_id)
        rest = sents
        if shape.runin and sents:
            self.items.append(Item("heading", f"{title}: {sents[0]}", 1, label, kid_id, fmt=fmt, head=title))
            rest = sents[1:]
        else:
            self.items.append(Item("heading", title, 1, label, kid_id, fmt=fmt))
        for s in sents:
            self.expected[s] = {kid_id}
        for s in rest:
            self.items.append(Item("para", s))

    def kid_table(self, kids) -> None:
        rows = [["STT", "Nội dung", "Kết quả thực hiện"]]
        for k, kid in enumerate(kids):
            sents = self.report.body.get(kid.id, [])
            rows.append([str(k + 1), kid.title, " ".join(sents)])
            for s in sents:
                self.expected[s] = {kid.id}
        self.items.append(Item("table", rows=rows))


def build(shape: Shape, report: Report, outline: Outline) -> Doc:
    b = _Builder(shape, report, outline)
    tops = [n for n in outline.nodes if n.depth == 0 and n.id not in shape.omit]
    for ti, top in enumerate(tops):
        if shape.merge and top.id == "V":
            continue
        b.top(ti, top.id)
        kids = [k for k in outline.children(top.id) if k.id not in shape.omit]
        if kids and shape.table_subitems and top.id == "I":
            b.kid_table(kids)
            continue
        for ki, kid in enumerate(kids):
            b.kid(ti, ki, kid.id, top.id)
    return Doc(shape, report, _postprocess(shape, b.items), _post_expected(shape, b.expected))


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
        it.head = _variant(it.head, shape)
        it.rows = [[_variant(c, shape) for c in r] for r in it.rows]
    return items


def _post_expected(shape: Shape, expected: dict[str, set[str]]) -> dict[str, set[str]]:
    # Sections come back NFC; tone variants stay as written.
    return {unicodedata.normalize("NFC", _variant(s, replace(shape, nfd=False))): v for s, v in expected.items()}


def lines(doc: Doc) -> list[tuple[str, str]]:
    """(kind, text) in reading order; kind is pre | head1 | head2 | para | row | post."""
    out = [("pre", x) for x in doc.report.preamble]
    for it in doc.items:
        if it.kind == "table":
            out += [("row", " | ".join(row)) for row in it.rows]
        elif it.kind == "label":
            out.append(("head1", it.label))
        elif it.kind == "heading":
            out.append((f"head{it.depth + 1}", f"{it.label} {it.text}".strip()))
        else:
            out.append(("para", it.text))
    return out + [("post", x) for x in doc.report.closing]
