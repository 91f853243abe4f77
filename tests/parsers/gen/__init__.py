"""Development set: report documents in every shape agencies send, generated at test time.

The documents are the demo's (`bot.demo`: docspec lays a report out in a shape, render_docx
and render_flat draw it, office converts through LibreOffice) around the fixed report of
`gen.content`. What the tests add: which shapes must be placed perfectly (`plain`) and the
formats each shape is drawn in. `generate(outdir)` writes each document and returns `Case`s
holding the file and, for each key sentence, the section(s) it must land in.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.demo import office
from bot.demo.docspec import Doc, Shape, build
from bot.demo.render_docx import render_docx
from bot.demo.render_flat import render_html, render_pdf, render_text
from gen.content import OUTLINE, REPORT


@dataclass(frozen=True)
class DevShape(Shape):
    plain: bool = False  # counted in the "plain shapes" (must be 100 %)
    formats: tuple[str, ...] = ("docx",)  # docx | pdf (DOCX through LibreOffice) | text | html | rl (reportlab)


S = DevShape
SHAPES: list[DevShape] = [
    # plain shapes: must be 100 %
    S("heading_styles", look="style", plain=True, formats=("docx", "pdf")),
    S("bold_normal", look="bold", plain=True, formats=("docx", "pdf", "text", "html")),
    S("auto_numbering", look="bold", auto=True, plain=True, formats=("docx", "pdf")),
    S("auto_numbering_styles", look="style", auto=True, sub="multi", plain=True),
    S("no_tables_letterhead", decree30=False, plain=True, formats=("docx", "text")),
    S("caps_top", look="caps", plain=True, formats=("docx", "pdf")),
    S("phan_roman", top="phan", sub="multi", plain=True),
    S("phan_thu", top="phan_thu", plain=True, formats=("docx", "pdf")),
    S("paren_subs", sub="paren", plain=True),
    S("letter_subs", sub="letter", plain=True, formats=("docx", "html")),
    S("arabic_top_multi", top="arabic", sub="multi", plain=True, formats=("docx", "text")),
    # harder shapes
    S("auto_letter", auto=True, sub="letter"),
    S("dash_runin", sub="dash", runin=True, formats=("docx", "text")),
    S("letter_runin", sub="letter", runin=True, formats=("docx", "pdf")),
    S("table_subitems", table_subitems=True, formats=("docx",)),
    S("paraphrased", paraphrase=True, formats=("docx", "text")),
    S("paraphrased_caps", paraphrase=True, look="caps", formats=("docx",)),
    S("missing_sections", omit=("I.3", "III.4", "IV")),
    S("merged_iv_v", merge=True, formats=("docx", "pdf")),
    S("unheaded_subitems", sub="none", formats=("docx", "text")),
    S("plain_look", look="plain"),
    S("nfd_text", nfd=True),
    S("tone_old", tone_old=True, paraphrase=True),
    S("reportlab_bold", formats=("rl",)),
    S("reportlab_plain_labels", look="plain", sub="letter", formats=("rl",)),
    S("reportlab_caps_multi", top="arabic", sub="multi", look="caps", formats=("rl",)),
]


@dataclass
class Case:
    path: Path
    doc: Doc

    @property
    def name(self) -> str:
        return self.path.name


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def generate(outdir: Path) -> list[Case]:
    """Every shape in each of its formats; the LibreOffice PDFs last (none without soffice)."""
    outdir.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    to_pdf: dict[str, tuple[bytes, Doc]] = {}
    for shape in SHAPES:
        doc = build(shape, REPORT, OUTLINE)
        docx = render_docx(doc)
        for fmt in shape.formats:
            if fmt == "docx":
                cases.append(Case(_write(outdir / f"{shape.name}.docx", docx), doc))
            elif fmt == "pdf":
                to_pdf[shape.name] = (docx, doc)
            elif fmt == "text":
                cases.append(Case(_write(outdir / f"{shape.name}.txt", render_text(doc)), doc))
            elif fmt == "html":
                cases.append(Case(_write(outdir / f"{shape.name}.html", render_html(doc)), doc))
            elif fmt == "rl":
                cases.append(Case(_write(outdir / f"{shape.name}.rl.pdf", render_pdf(doc)), doc))
    pdfs = office.convert_many({name: data for name, (data, _) in to_pdf.items()}, "pdf")
    return cases + [Case(_write(outdir / f"{name}.pdf", pdfs[name]), doc)
                    for name, (_, doc) in to_pdf.items() if name in pdfs]
