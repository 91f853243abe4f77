"""Development set: report documents in every shape agencies send, generated at test time.

`generate(outdir)` writes each document and returns `Case`s holding the file and,
for each key sentence, the section(s) it must land in.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gen.spec import Doc, Shape, build

S = Shape
SHAPES: list[Shape] = [
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


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def generate(outdir: Path, with_pdf: bool = True) -> list[Case]:
    from gen.docx_render import render_docx
    from gen.flat import render_html, render_reportlab, render_text

    outdir.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    to_pdf: list[tuple[Path, Doc]] = []
    for shape in SHAPES:
        doc = build(shape)
        for fmt in shape.formats:
            if fmt in ("docx", "pdf"):
                p = outdir / f"{shape.name}.docx"
                if not p.exists():
                    _write(p, render_docx(doc))
                if fmt == "docx":
                    cases.append(Case(p, doc))
                else:
                    to_pdf.append((p, doc))
            elif fmt == "text":
                cases.append(Case(_write(outdir / f"{shape.name}.txt", render_text(doc)), doc))
            elif fmt == "html":
                cases.append(Case(_write(outdir / f"{shape.name}.html", render_html(doc)), doc))
            elif fmt == "rl" and with_pdf:
                cases.append(Case(_write(outdir / f"{shape.name}.rl.pdf", render_reportlab(doc)), doc))
    if with_pdf and to_pdf and shutil.which("soffice"):
        cases += _soffice_pdfs(outdir, to_pdf)
    return cases


def _soffice_pdfs(outdir: Path, items: list[tuple[Path, Doc]]) -> list[Case]:
    pdfdir = outdir / "pdf"
    pdfdir.mkdir(exist_ok=True)
    todo = [p for p, _ in items if not (pdfdir / (p.stem + ".pdf")).exists()]
    if todo:
        profile = outdir / "lo-profile"
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(pdfdir), *map(str, todo)],
            check=False, capture_output=True, timeout=240,
        )
    return [Case(pdfdir / (p.stem + ".pdf"), doc) for p, doc in items if (pdfdir / (p.stem + ".pdf")).exists()]
