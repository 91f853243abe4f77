"""A DOCX package: its parts (found through the relationships), XML read with a
hardened parser, styles and numbering. What `docx_body` walks and `docx` assembles."""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from parsers.docx_numbering import Numbering, W
from parsers.limits import Limits, open_zip, read_member

STRICT_W = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
TRANSITIONAL_W = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_STRICT_R = b"http://purl.oclc.org/ooxml/officeDocument/relationships"
_TRANS_R = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
SKIP_TAGS = {W + "del", W + "moveFrom", W + "delText", W + "instrText", MC + "Fallback",
             W + "rPr", W + "pPr", W + "footnoteReference", W + "commentReference"}
LEGACY_FONT = re.compile(r"^\.?vn|^vni[-_ ]", re.I)
_HEADING_STYLE = re.compile(r"(heading|tiêu đề|titre|überschrift|berschrift)\s*(\d)", re.I)


class DocxError(ValueError):
    """The file is not a readable Word document; the message says why."""


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False, remove_comments=True, remove_pis=True)


def parse_xml(data: bytes):
    data = data.replace(STRICT_W, TRANSITIONAL_W).replace(_STRICT_R, _TRANS_R)
    if b"<!DOCTYPE" in data[:2000] or b"<!ENTITY" in data[:5000]:
        raise DocxError("DOCX part declares a DTD/entities (XXE or entity bomb) — refused")
    try:
        return etree.fromstring(data.lstrip(b"\xef\xbb\xbf \r\n\t"), _PARSER)
    except etree.XMLSyntaxError as e:
        raise DocxError(f"DOCX XML is malformed: {e}") from None


@dataclass
class Style:
    name: str = ""
    level: int | None = None
    bold: bool | None = None
    size: float | None = None
    font: str = ""
    num: tuple[str, int] | None = None
    based_on: str = ""


@dataclass
class Package:
    zf: zipfile.ZipFile
    main: str
    limits: Limits
    styles: dict[str, Style] = field(default_factory=dict)
    numbering: Numbering = field(default_factory=Numbering)
    default_font: str = ""
    legacy_used: set[str] = field(default_factory=set)
    encoding: str | None = None
    notes: dict[tuple[str, str], object] = field(default_factory=dict)  # ("footnote", id) → <w:footnote>

    def read(self, name: str) -> bytes | None:
        """A part's bytes, streamed within the limits (never trusting its zip header)."""
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            return None
        return read_member(self.zf, info, self.limits.max_uncompressed_bytes, self.limits)[1]


def _rels(pkg_zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """rId → (type suffix, target path) for a part."""
    d, base = posixpath.split(part)
    rel_name = posixpath.join(d, "_rels", base + ".rels")
    try:
        data = pkg_zf.read(rel_name)
    except KeyError:
        return {}
    out = {}
    for r in parse_xml(data):
        target = r.get("Target", "")
        if r.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(d, target))
        out[r.get("Id", "")] = (r.get("Type", "").rsplit("/", 1)[-1], path)
    return out


def open_package(data: bytes, limits: Limits) -> Package:
    """The package's main part, its styles and numbering; DocxError when it has no document."""
    zf, _ = open_zip(data, limits)  # RefusedInput: unreadable or over a limit
    main = next((p for t, p in _rels(zf, "").values() if t == "officeDocument"), None)
    names = set(zf.namelist())
    if main is None or main not in names:
        main = "word/document.xml" if "word/document.xml" in names else None
    if main is None:
        raise DocxError("no main document part in the package (not a Word document)")
    pkg = Package(zf, main, limits)
    rels = _rels(zf, main)
    for typ, path in rels.values():
        if typ == "styles":
            data = pkg.read(path)
            if data:
                _load_styles(pkg, parse_xml(data))
        elif typ == "numbering":
            data = pkg.read(path)
            if data:
                pkg.numbering = Numbering.from_xml(parse_xml(data))
        elif typ in ("footnotes", "endnotes"):
            data = pkg.read(path)
            if data:
                _load_notes(pkg, typ[:-1], parse_xml(data))
    return pkg


def _load_notes(pkg: Package, kind: str, root) -> None:
    """Footnote/endnote bodies by id; separators (Word's own notes) left out."""
    for note in root.iter(W + kind):
        if note.get(W + "type") in (None, "normal"):
            pkg.notes[(kind, note.get(W + "id", ""))] = note


def on(el) -> bool:
    return el is not None and el.get(W + "val", "true") not in ("0", "false", "off", "none")


def _load_styles(pkg: Package, root) -> None:
    rf = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    if rf is not None:
        pkg.default_font = rf.get(W + "ascii") or rf.get(W + "hAnsi") or ""
    for st in root.iter(W + "style"):
        sid = st.get(W + "styleId", "")
        name = st.find(W + "name")
        s = Style(name=(name.get(W + "val", "") if name is not None else sid))
        m = _HEADING_STYLE.search(s.name) or _HEADING_STYLE.search(sid)
        if m:
            s.level = int(m.group(2))
        elif s.name.lower() == "title":
            s.level = 0
        ppr, rpr = st.find(W + "pPr"), st.find(W + "rPr")
        if ppr is not None:
            ol = ppr.find(W + "outlineLvl")
            if ol is not None and s.level is None and ol.get(W + "val", "9").isdigit() and int(ol.get(W + "val")) < 9:
                s.level = int(ol.get(W + "val")) + 1
            np_ = ppr.find(W + "numPr")
            if np_ is not None:
                nid = np_.find(W + "numId")
                il = np_.find(W + "ilvl")
                if nid is not None:
                    s.num = (nid.get(W + "val", ""), to_int(il.get(W + "val") if il is not None else "0"))
        if rpr is not None:
            if rpr.find(W + "b") is not None:
                s.bold = on(rpr.find(W + "b"))
            sz = rpr.find(W + "sz")
            if sz is not None:
                s.size = to_int(sz.get(W + "val")) / 2 or None
            f = rpr.find(W + "rFonts")
            if f is not None:
                s.font = f.get(W + "ascii") or f.get(W + "hAnsi") or ""
        bo = st.find(W + "basedOn")
        s.based_on = bo.get(W + "val", "") if bo is not None else ""
        pkg.styles[sid] = s


def to_int(v) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def style_chain(pkg: Package, sid: str):
    seen = set()
    while sid and sid in pkg.styles and sid not in seen:
        seen.add(sid)
        yield pkg.styles[sid]
        sid = pkg.styles[sid].based_on


